import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/mod.ts";
import { memorySink } from "../helpers/memory_sink.ts";
import { Supervisor } from "../../src/supervisor/supervisor.ts";

const sh = (script: string, nimi: Record<string, unknown> = {}) => ({
  process: { argv: ["/bin/sh", "-c", script] },
  nimi,
});

Deno.test("Supervisor.phases() through onChange: waiting, running, ready, restarting, failed, exited", async () => {
  const config = validateConfig({
    services: {
      flaky: sh("exit 3", { restart: { mode: "up-to-count", count: 1, time: 10 } }),
      ok: sh("sleep 0.2", { dependsOn: { flaky: "started" } }),
    },
    settings: { restart: { mode: "never" } },
  }, "test.json");
  const { sink } = await memorySink(["flaky", "ok"]);
  const seen: Record<string, string[]> = { flaky: [], ok: [] };
  let changes = 0;
  const supervisor: Supervisor = new Supervisor(config, {
    sink,
    onChange: () => {
      changes++;
      for (const { name, phase } of supervisor.phases()) {
        if (seen[name]!.at(-1) !== phase) seen[name]!.push(phase);
      }
    },
  });
  assert.deepEqual(supervisor.phases(), [
    { name: "flaky", phase: "waiting" },
    { name: "ok", phase: "waiting" },
  ]);
  assert.equal(await supervisor.run(), 3);
  await sink.close();
  // Changes are coalesced, so a short phase may be missed; the order is what counts.
  const flaky = seen.flaky!.join(" ");
  assert.match(flaky, /^(waiting )?(running |ready )+restarting (running |ready )*failed$/, flaky);
  const ok = seen.ok!.join(" ");
  assert.match(ok, /^(waiting )?(running |ready )+exited$/, ok);
  assert.ok(changes >= 5);
});

Deno.test("Supervisor.phases() during a stop: stopping, then stopped; the waiting are stopped too", async () => {
  const config = validateConfig({
    services: {
      a: sh("exec sleep 30"),
      b: sh("exec sleep 30", { dependsOn: { a: "completed" } }),
    },
  }, "test.json");
  const { sink } = await memorySink(["a", "b"]);
  const stops: string[] = [];
  const supervisor: Supervisor = new Supervisor(config, {
    sink,
    onChange: () => {
      const text = supervisor.phases().map((p) => `${p.name}=${p.phase}`).join(" ");
      if (supervisor.stopping && stops.at(-1) !== text) stops.push(text);
      if (!supervisor.stopping && supervisor.phases()[0]!.phase === "ready") {
        void supervisor.stop();
      }
    },
  });
  assert.equal(await supervisor.run(), 0);
  await sink.close();
  assert.equal(stops.at(-1), "a=stopped b=stopped");
  assert.ok(stops.some((s) => s.startsWith("a=stopping")), stops.join(" | "));
});
