/**
 * openProbes(): a service's probes built from its config, driven by real listeners, commands,
 * output lines and notify datagrams.
 *
 * @module
 */
import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/mod.ts";
import type { ServiceSpec } from "../../src/config/mod.ts";
import { openProbes, type ProbeRole } from "../../src/supervisor/probe.ts";

function spec(nimi: Record<string, unknown>): ServiceSpec {
  const config = validateConfig(
    { services: { svc: { process: { argv: ["/bin/true"] }, nimi } } },
    "probe.json",
  );
  return config.services[0]!;
}

const live = () => new AbortController().signal;

Deno.test("openProbes() without probes: ready at once, no liveness, no environment", async () => {
  const probes = await openProbes(spec({}));
  try {
    await probes.run().waitReady(live());
    assert.equal(await probes.run().watchLiveness(live()), null);
    assert.deepEqual(probes.environment, {});
    assert.equal(probes.hasLiveness, false);
  } finally {
    await probes.close();
  }
});

Deno.test("openProbes() tcp readiness resolves only after the port starts accepting", async () => {
  // Find a free port, then leave it closed until the probe has failed at least twice.
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  const events: string[] = [];
  let listener: Deno.Listener | null = null;
  const probes = await openProbes(
    spec({ readiness: { type: "tcp", port, period: 20, timeout: 500 } }),
    {
      onAttempt: (role: ProbeRole, a, n) => {
        events.push(`${role} ${n} ${a.ok}`);
        if (n === 2 && !a.ok) listener = Deno.listen({ hostname: "127.0.0.1", port });
      },
    },
  );
  try {
    await probes.run().waitReady(live());
    events.push("ready");
    assert.deepEqual(events, [
      "readiness 1 false",
      "readiness 2 false",
      "readiness 3 true",
      "ready",
    ]);
  } finally {
    (listener as Deno.Listener | null)?.close();
    await probes.close();
  }
});

Deno.test("openProbes() http readiness passes once the endpoint answers 2xx", async () => {
  let healthy = false;
  let attempts = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => {
    attempts++;
    if (attempts === 3) healthy = true;
    return new Response("", { status: healthy ? 200 : 503 });
  });
  const url = `http://127.0.0.1:${server.addr.port}/`;
  const probes = await openProbes(spec({ readiness: { type: "http", url, period: 10 } }));
  try {
    await probes.run().waitReady(live());
    assert.equal(attempts, 3);
  } finally {
    await probes.close();
    await server.shutdown();
  }
});

Deno.test("openProbes() log readiness resolves when a fed line matches, without polling", async () => {
  // A period far beyond the test's life: only the wake-up on a matching line can end the wait.
  const probes = await openProbes(
    spec({ readiness: { type: "log", pattern: "^ready on \\d+$", period: 3_600_000 } }),
  );
  try {
    let ready = false;
    const run = probes.run();
    const waiting = run.waitReady(live()).then(() => (ready = true));
    run.feedLine("booting\n");
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(ready, false);
    run.feedLine(new TextEncoder().encode("ready on 80\n"));
    await waiting;
    assert.equal(ready, true);
  } finally {
    await probes.close();
  }
});

Deno.test("openProbes() exec liveness gives up after failureThreshold failures in a row", async () => {
  const dir = await Deno.makeTempDir();
  const probes = await openProbes(
    spec({
      liveness: {
        type: "exec",
        command: ["/bin/sh", "-c", `echo x >> ${dir}/runs; test ! -e ${dir}/hung`],
        period: 10,
        failureThreshold: 2,
      },
    }),
    {
      onAttempt: (_role, _a, n) => {
        if (n === 3) Deno.writeTextFileSync(`${dir}/hung`, "");
      },
    },
  );
  try {
    assert.equal(probes.hasLiveness, true);
    const failure = await probes.run().watchLiveness(live());
    assert.deepEqual(failure, { failures: 2, detail: "exit code 1" });
    const runs = (await Deno.readTextFile(`${dir}/runs`)).trim().split("\n").length;
    assert.equal(runs, 5);
  } finally {
    await probes.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openProbes() liveness resolves null when the service ends first", async () => {
  const stop = new AbortController();
  const probes = await openProbes(
    spec({ liveness: { type: "exec", command: ["/bin/true"], period: 10 } }),
    { onAttempt: (_r, _a, n) => n === 3 && stop.abort() },
  );
  try {
    assert.equal(await probes.run().watchLiveness(stop.signal), null);
  } finally {
    await probes.close();
  }
});

Deno.test("openProbes() notify: NOTIFY_SOCKET and WATCHDOG_USEC in the environment; READY=1 makes it ready", async () => {
  const probes = await openProbes(spec({
    readiness: { type: "notify" },
    liveness: { type: "notify", period: 2000 },
  }));
  const socket = probes.environment.NOTIFY_SOCKET!;
  try {
    assert.equal(probes.environment.WATCHDOG_USEC, "2000000");
    assert.ok((await Deno.stat(socket)).isSocket);
    const first = probes.run();
    const send = await new Deno.Command("systemd-notify", {
      args: ["--no-block", "--ready"],
      env: { NOTIFY_SOCKET: socket },
    }).output();
    assert.equal(send.code, 0);
    await first.waitReady(live());
    // A restarted process must announce itself again: the earlier READY=1 does not count.
    const second = probes.run();
    const stop = new AbortController();
    const waiting = second.waitReady(stop.signal);
    await new Promise((r) => setTimeout(r, 20));
    stop.abort(new Error("not ready"));
    await assert.rejects(waiting, /not ready/);
  } finally {
    await probes.close();
  }
  await assert.rejects(Deno.stat(socket), Deno.errors.NotFound);
});
