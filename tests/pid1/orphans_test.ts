/**
 * Acceptance 2 and 4 of the PID 1 issue, in every mode: an orphan storm leaves no zombie one
 * second later and the services' exit codes are still right; at shutdown nimi stops what the
 * services left outside their process groups before it exits.
 */
import assert from "node:assert/strict";
import { descendants } from "./helpers.ts";
import {
  exited,
  type Mode,
  note,
  processesWith,
  setup,
  startNimi,
  step,
  writeConfig,
} from "./nimi_helpers.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function storm(mode: Mode, dir: string): Promise<void> {
  const mark = `${2000 + Math.floor(Math.random() * 1e6) / 1e3}`;
  const d = await Deno.makeTempDir({ dir, prefix: "storm-" });
  await Deno.chmod(d, 0o777);
  const done = `${d}/storm-done`;
  const config = await writeConfig(dir, "storm.json", {
    services: {
      // 1,000 orphans: each `( true & )` subshell exits at once and leaves `true` to nimi.
      storm: {
        process: {
          argv: [
            "/bin/sh",
            "-c",
            `i=0; while [ $i -lt 1000 ]; do (true &); i=$((i+1)); done; touch ${done}; exit 3`,
          ],
        },
      },
      late: {
        process: {
          argv: ["/bin/sh", "-c", `while [ ! -e ${done} ]; do sleep 0.05; done; sleep 0.3; exit 5`],
        },
      },
      idle: { process: { argv: ["sleep", mark] } },
    },
    settings: { restart: { mode: "never" } },
  });
  const nimi = await startNimi(mode, config);
  try {
    let peak = 0;
    const sample = () => {
      const z = descendants(nimi.pid).filter((p) => p.state === "Z").length;
      peak = Math.max(peak, z);
    };
    const stormExit = nimi.waitFor(/^nimi +\| storm: exited with code 3$/m, 30_000);
    let stormOver = false;
    void stormExit.then(() => (stormOver = true), () => (stormOver = true));
    while (!stormOver) {
      sample();
      await sleep(5);
    }
    await stormExit;
    await sleep(1000);
    const zombies = descendants(nimi.pid).filter((p) => p.state === "Z");
    note(
      `  ${mode.name}: peak zombies seen during the storm ${peak}, 1 s after: ${zombies.length}`,
    );
    assert.deepEqual(zombies, [], "zombies 1 s after the storm");
    await nimi.waitFor(/^nimi +\| late: exited with code 5$/m);
    Deno.kill(nimi.pid, "SIGTERM");
    const status = await exited(nimi);
    assert.equal(status.code, 3, `first failure's code\n${nimi.stdout()}`);
    assert.match(nimi.stdout(), /^nimi +\| exiting with code 3$/m);
    assert.deepEqual(processesWith(mark), []);
  } finally {
    await nimi.kill();
  }
}

async function leftovers(mode: Mode, dir: string): Promise<void> {
  const mark = `${3000 + Math.floor(Math.random() * 1e6) / 1e3}`;
  const d = await Deno.makeTempDir({ dir, prefix: "left-" });
  await Deno.chmod(d, 0o777);
  // a: a daemon (own session) that stops on SIGTERM and records it; b: one that ignores
  // SIGTERM; plus a grandchild in the service's own group. Each gets the marker as argument.
  await Deno.writeTextFile(
    `${d}/a.sh`,
    `trap 'echo $$ > ${d}/term-a; exit 0' TERM\necho $$ > ${d}/a\nwhile :; do sleep 0.05; done\n`,
  );
  await Deno.writeTextFile(
    `${d}/b.sh`,
    `trap '' TERM\necho $$ > ${d}/b\nwhile :; do sleep 0.05; done\n`,
  );
  await Deno.chmod(`${d}/a.sh`, 0o644);
  await Deno.chmod(`${d}/b.sh`, 0o644);
  const config = await writeConfig(dir, "leftovers.json", {
    services: {
      svc: {
        process: {
          argv: [
            "/bin/sh",
            "-c",
            `setsid sh ${d}/a.sh ${mark} & setsid sh ${d}/b.sh ${mark} & sleep ${mark} & wait`,
          ],
        },
      },
    },
    settings: { shutdown: { timeout: 500 } },
  });
  const nimi = await startNimi(mode, config);
  try {
    const exists = (f: string) => Deno.stat(f).then(() => true, () => false);
    const end = Date.now() + 30_000;
    while (!(await exists(`${d}/a`)) || !(await exists(`${d}/b`))) {
      if (nimi.stdout().includes("exiting") || Date.now() > end) break;
      await sleep(10);
    }
    const aPid = (await Deno.readTextFile(`${d}/a`)).trim();
    const bPid = (await Deno.readTextFile(`${d}/b`)).trim();
    assert.ok(processesWith(mark).length >= 3, "the service and both daemons run");
    Deno.kill(nimi.pid, "SIGTERM");
    const status = await exited(nimi);
    const out = nimi.stdout();
    assert.equal(status.code, 0, out);
    // Their pids as nimi sees them (inside its namespace, the same view as the daemons').
    const term = out.match(/^nimi +\| SIGTERM to processes left outside services: (.*)$/m);
    assert.ok(term?.[1]?.includes(`${aPid} (sh)`), `a got SIGTERM from nimi:\n${out}`);
    assert.ok(term?.[1]?.includes(`${bPid} (sh)`), `b got SIGTERM from nimi:\n${out}`);
    const kill = out.match(/^nimi +\| SIGKILL to processes left outside services: (.*)$/m);
    assert.ok(kill?.[1]?.includes(`${bPid} (sh)`), `b needed SIGKILL:\n${out}`);
    assert.ok(!kill?.[1]?.includes(`${aPid} (sh)`), "a stopped on SIGTERM");
    assert.doesNotMatch(out, /still running at exit/);
    assert.equal((await Deno.readTextFile(`${d}/term-a`)).trim(), aPid);
    // Outside a PID namespace nothing would kill them after nimi: they must be gone.
    assert.deepEqual(processesWith(mark), [], "processes left after nimi exited");
  } finally {
    await nimi.kill();
  }
}

Deno.test("nimi run reaps an orphan storm and leaves nothing behind at shutdown", async (t) => {
  const { modes, dir, cleanup } = await setup();
  try {
    for (const mode of modes) {
      await step(t, mode, `${mode.name}: 1,000 orphans`, () => storm(mode, dir));
      await step(t, mode, `${mode.name}: daemons outside the groups`, () => leftovers(mode, dir));
    }
  } finally {
    await cleanup();
  }
});
