import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/cli.ts";
import { count, groupMembers, sh, startNimi } from "./run_helpers.ts";

Deno.test("nimi run stops every process of a service's group on SIGTERM", async () => {
  const p = await startNimi({
    services: { bg: sh("sleep 1000 & sleep 1000 & (sleep 1000 &) ; echo spawned; wait") },
  });
  let pgid = 0;
  try {
    const m = await p.waitFor(/bg: started \(pid (\d+)\)[\s\S]*bg +\| spawned\n/);
    pgid = Number(m[1]);
    assert.equal(groupMembers(pgid).length, 4, "the shell and three sleeps share its group");
  } finally {
    p.kill("SIGTERM");
  }
  const r = await p.done();
  assert.equal(r.code, 0, r.stdout);
  assert.deepEqual(groupMembers(pgid), [], "no live process of the group remains");
  assert.match(r.stdout, /bg: stopping \(SIGTERM\)/);
});

Deno.test("nimi run kills a service that ignores SIGTERM after its stop timeout", async () => {
  const p = await startNimi({
    services: {
      stubborn: sh(`trap "" TERM; echo ready; while :; do sleep 0.05; done`, { stopTimeout: 300 }),
      polite: sh(`echo ready; exec sleep 1000`),
    },
  });
  let pgid = 0;
  try {
    const m = await p.waitFor(/stubborn: started \(pid (\d+)\)/);
    pgid = Number(m[1]);
    await p.waitFor(
      /stubborn +\| ready[\s\S]*polite +\| ready|polite +\| ready[\s\S]*stubborn +\| ready/,
    );
  } finally {
    p.kill("SIGINT");
  }
  const r = await p.done();
  assert.match(
    r.stdout,
    /stubborn: did not stop within 300 ms after SIGTERM: sending SIGKILL\n[\s\S]*stubborn: killed by SIGKILL/,
  );
  assert.match(r.stdout, /polite: killed by SIGTERM/);
  assert.doesNotMatch(r.stdout, /polite: did not stop/);
  assert.deepEqual(groupMembers(pgid), []);
  assert.equal(r.code, 0, "a stop by signal with no earlier failure exits 0");
});

Deno.test("nimi run stops 50 services in parallel, not one after another", async () => {
  const services: Record<string, unknown> = {};
  for (let i = 0; i < 50; i++) {
    // Survives SIGTERM (the trap only reports it), so each needs its SIGKILL.
    services[`s${i}`] = sh(`trap "echo got TERM" TERM; echo up; while :; do sleep 0.05; done`, {
      stopTimeout: 1000, // time for every trap to report, even on a loaded machine
    });
  }
  const p = await startNimi({ services });
  try {
    await p.waitFor((out) => count(out, /\| up\n/g) === 50);
  } finally {
    p.kill("SIGTERM");
  }
  const r = await p.done();
  const lines = r.stdout.split("\n");
  const stopping = lines.flatMap((l, i) => (/: stopping \(SIGTERM\)$/.test(l) ? [i] : []));
  const killing = lines.flatMap((l, i) => (/: sending SIGKILL$/.test(l) ? [i] : []));
  assert.equal(stopping.length, 50, r.stdout);
  assert.equal(killing.length, 50, r.stdout);
  assert.ok(
    Math.max(...stopping) < Math.min(...killing),
    "every service got SIGTERM before the first SIGKILL: one stop timeout for all",
  );
  assert.equal(count(r.stdout, /\| got TERM\n/g), 50, "each service received the signal");
  assert.equal(count(r.stdout, /: killed by SIGKILL\n/g), 50);
  assert.equal(r.code, 0);
});

Deno.test("nimi run stops dependents before what they depend on", async () => {
  const p = await startNimi({
    services: {
      db: sh(`echo up; exec sleep 1000`),
      web: sh(`echo up; exec sleep 1000`, { dependsOn: { db: "started" } }),
    },
  });
  try {
    await p.waitFor(/web +\| up/);
  } finally {
    p.kill("SIGTERM");
  }
  const r = await p.done();
  assert.ok(r.stdout.indexOf("db: started") < r.stdout.indexOf("web: started"), r.stdout);
  assert.ok(
    r.stdout.indexOf("web: killed by SIGTERM") < r.stdout.indexOf("db: stopping"),
    r.stdout,
  );
});

Deno.test("nimi run kills at once on a second SIGTERM", async () => {
  const p = await startNimi({
    services: { stubborn: sh(`trap "" TERM; echo ready; exec sleep 1000`, { stopTimeout: 60000 }) },
  });
  try {
    await p.waitFor(/stubborn +\| ready/);
    p.kill("SIGTERM");
    await p.waitFor(/stubborn: stopping/);
  } finally {
    p.kill("SIGTERM");
  }
  const r = await p.done();
  assert.match(r.stdout, /stubborn: killed by SIGKILL/);
  assert.doesNotMatch(r.stdout, /did not stop within/);
});

Deno.test("nimi run forwards SIGHUP as the service's reloadSignal", async () => {
  const p = await startNimi({
    services: {
      reload: sh(
        `trap "echo got USR2" USR2; trap "echo got HUP" HUP; echo ready; while :; do sleep 0.05; done`,
        {
          reloadSignal: "SIGUSR2",
        },
      ),
      plain: sh(`trap "echo got HUP" HUP; echo ready; while :; do sleep 0.05; done`),
      deaf: sh(`trap "echo got HUP" HUP; echo ready; while :; do sleep 0.05; done`, {
        forwardSignals: [],
      }),
    },
  });
  try {
    await p.waitFor((out) => count(out, /\| ready\n/g) === 3);
    p.kill("SIGHUP");
    await p.waitFor(/reload +\| got USR2/);
    await p.waitFor(/plain +\| got HUP/);
  } finally {
    p.kill("SIGTERM");
  }
  const r = await p.done();
  assert.doesNotMatch(r.stdout, /reload +\| got HUP/);
  assert.doesNotMatch(r.stdout, /deaf +\| got HUP/);
});

Deno.test("nimi run still stops its services when its stdout and stderr readers are gone", async () => {
  const dir = await Deno.makeTempDir();
  let pgid = NaN;
  try {
    await Deno.writeTextFile(
      `${dir}/c.json`,
      JSON.stringify({
        services: { chatty: sh("echo $$ > pid; while :; do echo tick; sleep 0.01; done") },
      }),
    );
    const nimi = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${REPO_ROOT}/mod.ts`, "--config", `${dir}/c.json`, "run"],
      cwd: dir,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = nimi.stdout.getReader();
    await reader.read(); // nimi is up and writing
    await reader.cancel();
    await nimi.stderr.cancel();
    // Let nimi hit the broken pipes before it is asked to stop.
    while (Number.isNaN(pgid)) {
      pgid = Number(await Deno.readTextFile(`${dir}/pid`).catch(() => "NaN"));
    }
    await new Promise((r) => setTimeout(r, 200));
    nimi.kill("SIGTERM");
    const status = await nimi.status;
    assert.equal(status.code, 0);
    assert.deepEqual(groupMembers(pgid), []);
  } finally {
    // If nimi died, its service would be left running: clean up after the failure.
    if (!Number.isNaN(pgid) && groupMembers(pgid).length > 0) Deno.kill(-pgid, "SIGKILL");
    await Deno.remove(dir, { recursive: true });
  }
});
