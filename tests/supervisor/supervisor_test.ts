import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/mod.ts";
import { memorySink } from "../helpers/memory_sink.ts";
import { Supervisor } from "../../src/supervisor/supervisor.ts";
import type { ServiceChild } from "../../src/supervisor/service.ts";
import type { ServiceSpec } from "../../src/config/mod.ts";

const sh = (script: string, nimi: Record<string, unknown> = {}) => ({
  process: { argv: ["/bin/sh", "-c", script] },
  nimi,
});

Deno.test("Supervisor waits for the readiness hook before starting a `ready` dependent", async () => {
  const config = validateConfig({
    services: {
      db: sh("echo db up; sleep 0.3"),
      web: sh("echo web up", { dependsOn: { db: "ready" } }),
    },
    settings: { restart: { mode: "never" } },
  }, "test.json");
  const events: string[] = [];
  const { sink, text } = await memorySink(["db", "web"]);
  const registered: string[] = [];
  const supervisor = new Supervisor(config, {
    sink,
    registry: {
      add: (pid) => registered.push(`+${pid}`),
      delete: (pid) => registered.push(`-${pid}`),
    },
    waitReady: async (spec: ServiceSpec, child: ServiceChild) => {
      events.push(`spawned ${spec.name}`);
      if (spec.name !== "db") return;
      // Ready once the service printed its line (what a log probe does).
      await new Promise<void>((resolve) => {
        const off = child.onLine((line) => {
          if (new TextDecoder().decode(line) === "db up") {
            off();
            resolve();
          }
        });
      });
      events.push("db ready");
    },
  });
  assert.equal(await supervisor.run(), 0);
  await sink.close();
  assert.deepEqual(events, ["spawned db", "db ready", "spawned web"]);
  assert.match(text(), /web +\| web up/);
  // Each pid is added right after its spawn and deleted after its exit.
  assert.equal(registered.length, 4);
  const pids = registered.filter((r) => r.startsWith("+")).map((r) => r.slice(1));
  for (const pid of pids) {
    assert.ok(registered.indexOf(`+${pid}`) < registered.indexOf(`-${pid}`));
  }
});

Deno.test("Supervisor starts after a oneshot completes and skips what can no longer start", async () => {
  const config = validateConfig({
    services: {
      migrate: sh("echo migrating", { type: "oneshot" }),
      web: sh("echo web up", { dependsOn: { migrate: "completed-successfully" } }),
      broken: sh("exit 7", { type: "oneshot" }),
      after: sh("echo never", { dependsOn: { broken: "completed-successfully" } }),
      anyway: sh("echo anyway", { dependsOn: { broken: "completed" } }),
    },
    settings: { restart: { mode: "never" } },
  }, "test.json");
  const { sink, text } = await memorySink(config.services.map((s) => s.name));
  const supervisor = new Supervisor(config, { sink });
  assert.equal(await supervisor.run(), 7);
  await sink.close();
  const out = text();
  assert.ok(out.indexOf("migrate: exited with code 0") < out.indexOf("web: started"), out);
  assert.match(
    out,
    /after: not started: dependency "broken" can no longer be completed-successfully/,
  );
  assert.doesNotMatch(out, /after +\| never/);
  assert.match(out, /anyway +\| anyway/);
});

Deno.test("Supervisor.stop() before the start of a dependent leaves it unstarted", async () => {
  const config = validateConfig({
    services: {
      slow: sh("exec sleep 100"),
      later: sh("echo later", { dependsOn: { slow: "completed" } }),
    },
  }, "test.json");
  const { sink, text } = await memorySink(["slow", "later"]);
  const supervisor = new Supervisor(config, {
    sink,
    waitReady: () => {
      void supervisor.stop();
      return Promise.resolve();
    },
  });
  assert.equal(await supervisor.run(), 0);
  await sink.close();
  assert.match(text(), /slow: killed by SIGTERM/);
  assert.doesNotMatch(text(), /later: started|later +\| later/);
});
