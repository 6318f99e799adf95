import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/mod.ts";
import type { Clock } from "../../src/supervisor/clock.ts";
import { ControlError, Supervisor } from "../../src/supervisor/supervisor.ts";
import type { UnitState } from "../../src/supervisor/unit_state.ts";
import { FakeSpawner } from "../helpers/fake_child.ts";
import { memorySink } from "../helpers/memory_sink.ts";

/** A service run by a fake: `argv[1]` names it for the fake spawner. */
const svc = (name: string, nimi: Record<string, unknown> = {}) => ({
  process: { argv: ["fake", name] },
  nimi,
});

async function setup(
  services: Record<string, unknown>,
  settings: Record<string, unknown> = { restart: { mode: "never" } },
  clock?: Clock,
) {
  const config = validateConfig({ services, settings }, "test.json");
  const fake = new FakeSpawner();
  const { sink, text } = await memorySink(config.services.map((s) => s.name));
  const registered: string[] = [];
  const supervisor = new Supervisor(config, {
    sink,
    spawner: fake.spawner,
    configDirBase: null,
    registry: {
      add: (pid) => registered.push(`+${pid}`),
      delete: (pid) => registered.push(`-${pid}`),
    },
    ...(clock === undefined ? {} : { clock }),
  });
  return { config, fake, sink, text, supervisor, registered };
}

/** Resolves once a state of `name` matches; fails the test after 10 s instead of hanging. */
function until(
  supervisor: Supervisor,
  name: string,
  match: (s: UnitState) => boolean,
): Promise<UnitState> {
  const now = supervisor.state(name);
  if (match(now)) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(
        new Error(`${name} never matched; last state ${JSON.stringify(supervisor.state(name))}`),
      );
    }, 10_000);
    const off = supervisor.subscribe((s) => {
      if (s.name === name && match(s)) {
        clearTimeout(timer);
        off();
        resolve(s);
      }
    });
  });
}

Deno.test("Supervisor starts a `ready` dependent only after the readiness probe passes", async () => {
  const { fake, sink, supervisor, registered } = await setup({
    db: svc("db", { readiness: { type: "log", pattern: "^db up$", period: 10 } }),
    web: svc("web", { dependsOn: { db: "ready" } }),
    api: svc("api", { dependsOn: { web: "started" } }),
  });
  const run = supervisor.run();
  const db = await fake.spawned("db");
  assert.equal((await until(supervisor, "db", (s) => s.phase === "running")).ready, false);
  assert.equal(supervisor.state("web").phase, "waiting");
  assert.deepEqual(fake.order, ["db"]);
  db.print("db up");
  await fake.spawned("api");
  assert.deepEqual(fake.order, ["db", "web", "api"]);
  assert.equal(supervisor.state("db").phase, "ready");
  // Without a readiness probe a service is ready once spawned.
  assert.equal(supervisor.state("web").phase, "ready");
  assert.equal(supervisor.state("web").ready, null);
  void supervisor.stop();
  assert.equal(await run, 0);
  await sink.close();
  // Each pid is added right after its spawn and deleted after its exit.
  assert.equal(registered.length, 6);
  for (const c of fake.children) {
    assert.ok(registered.indexOf(`+${c.pid}`) < registered.indexOf(`-${c.pid}`));
  }
});

Deno.test("Supervisor starts after a oneshot completes and skips what can no longer start", async () => {
  const { fake, sink, text, supervisor } = await setup({
    migrate: svc("migrate", { type: "oneshot" }),
    web: svc("web", { dependsOn: { migrate: "completed-successfully" } }),
    broken: svc("broken", { type: "oneshot" }),
    after: svc("after", { dependsOn: { broken: "completed-successfully" } }),
    anyway: svc("anyway", { dependsOn: { broken: "completed" } }),
  });
  fake.onSpawn = (child, name) => {
    if (name === "migrate") queueMicrotask(() => child.exit(0));
    if (name === "broken") queueMicrotask(() => child.exit(7));
    if (name === "web" || name === "anyway") queueMicrotask(() => child.exit(0));
  };
  assert.equal(await supervisor.run(), 7);
  await sink.close();
  assert.ok(fake.order.indexOf("migrate") < fake.order.indexOf("web"));
  assert.deepEqual(fake.of("after"), []);
  assert.equal(fake.of("anyway").length, 1);
  const after = supervisor.state("after");
  assert.equal(after.phase, "failed");
  assert.equal(
    after.detail,
    `not started: dependency "broken" can no longer be completed-successfully`,
  );
  assert.deepEqual(supervisor.state("broken").lastExit, { code: 7, signal: null });
  assert.equal(supervisor.state("migrate").phase, "exited");
  assert.match(text(), /after: not started: dependency "broken"/);
});

Deno.test("Supervisor.stop() stops dependents first, then what they depend on", async () => {
  const { fake, supervisor } = await setup({
    db: svc("db"),
    web: svc("web", { dependsOn: { db: "started" } }),
    worker: svc("worker", { dependsOn: { db: "started" } }),
  });
  const run = supervisor.run();
  const web = await fake.spawned("web");
  const worker = await fake.spawned("worker");
  const db = fake.of("db")[0]!;
  // web takes its time to stop: db must not get its signal before web is gone.
  web.react = () => "ignore";
  const stopping = supervisor.stop();
  await until(supervisor, "worker", (s) => s.phase === "stopped");
  assert.deepEqual(web.signals, ["SIGTERM"]);
  assert.deepEqual(worker.signals, ["SIGTERM"]);
  assert.deepEqual(db.signals, []);
  assert.equal(supervisor.state("web").phase, "stopping");
  web.exit(0);
  await stopping;
  assert.deepEqual(db.signals, ["SIGTERM"]);
  assert.equal(await run, 0);
  for (const name of ["db", "web", "worker"]) assert.equal(supervisor.state(name).phase, "stopped");
});

Deno.test("Supervisor.stop() escalates to SIGKILL after the stop timeout", async () => {
  const { fake, supervisor, text } = await setup({
    stubborn: svc("stubborn", { stopTimeout: 20 }),
  });
  const run = supervisor.run();
  const child = await fake.spawned("stubborn");
  child.react = () => "ignore";
  await supervisor.stop();
  assert.deepEqual(child.signals, ["SIGTERM", "SIGKILL"]);
  assert.equal(await run, 0);
  assert.match(text(), /did not stop within 20 ms after SIGTERM: sending SIGKILL/);
});

Deno.test("Supervisor.stop() before a dependent starts leaves it unstarted", async () => {
  const { fake, supervisor } = await setup({
    slow: svc("slow"),
    later: svc("later", { dependsOn: { slow: "completed" } }),
  });
  const run = supervisor.run();
  await fake.spawned("slow");
  await supervisor.stop();
  assert.equal(await run, 0);
  assert.deepEqual(fake.order, ["slow"]);
  assert.equal(supervisor.state("later").phase, "stopped");
});

/** A clock that only moves when told to: sleeps are recorded and return at once. */
class FakeClock implements Clock {
  t = 0;
  sleeps: number[] = [];
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    this.sleeps.push(ms);
    this.t += ms;
    return Promise.resolve(!signal.aborted);
  }
}

Deno.test("Supervisor restarts with backoff delays and resets after a stable run", async () => {
  const clock = new FakeClock();
  const { fake, text, supervisor } = await setup(
    { svc: svc("svc") },
    {
      restart: {
        mode: "up-to-count",
        count: 4,
        time: 100,
        backoff: 2,
        maxTime: 300,
        resetAfter: 1000,
      },
    },
    clock,
  );
  // How long each run lasts on the fake clock: the third is stable.
  const durations = [10, 10, 2000, 10, 10, 10, 10];
  fake.onSpawn = (child) => {
    clock.t += durations[fake.children.length - 1] ?? 0;
    queueMicrotask(() => child.exit(1));
  };
  assert.equal(await supervisor.run(), 1);
  assert.deepEqual(clock.sleeps, [100, 200, 100, 200, 300, 300]);
  assert.equal(fake.children.length, 7);
  const state = supervisor.state("svc");
  assert.equal(state.phase, "failed");
  assert.equal(state.restarts, 6);
  assert.match(text(), /restarting in 0\.3s \(restart 4 of 4\)/);
  assert.match(text(), /not restarted: restarted 4 of 4 times already/);
});

Deno.test("Supervisor.stop() cancels a pending restart delay", async () => {
  const { fake, supervisor } = await setup({ svc: svc("svc") }, {
    restart: { mode: "always", time: 60000 },
  });
  fake.onSpawn = (child) => queueMicrotask(() => child.exit(1));
  const run = supervisor.run();
  const restarting = await until(supervisor, "svc", (s) => s.phase === "restarting");
  assert.equal(restarting.restartInMs, 60000);
  await supervisor.stop();
  assert.equal(await run, 0);
  assert.equal(fake.children.length, 1);
  assert.equal(supervisor.state("svc").phase, "stopped");
});

Deno.test("nimi.successExitCodes decide what counts as success", async () => {
  const { fake, supervisor } = await setup({
    job: svc("job", { successExitCodes: [0, 3] }),
  }, { restart: { mode: "on-failure", time: 0 } });
  fake.onSpawn = (child) => queueMicrotask(() => child.exit(3));
  assert.equal(await supervisor.run(), 0);
  assert.equal(fake.children.length, 1);
  assert.equal(supervisor.state("job").phase, "exited");
});

Deno.test("nimi.onEnd stops everything when a service ends (stop-all, stop-all-on-failure)", async (t) => {
  const cases: [string, number, number, boolean][] = [
    ["stop-all", 0, 0, true],
    ["stop-all-on-failure", 0, 0, false],
    ["stop-all-on-failure", 4, 4, true],
    ["nothing", 4, 4, false],
  ];
  for (const [onEnd, code, expected, stopsAll] of cases) {
    await t.step(`${onEnd}, exit ${code}`, async () => {
      const { fake, supervisor } = await setup({
        job: svc("job", { type: "oneshot", onEnd }),
        server: svc("server"),
      });
      const server = fake.spawned("server");
      fake.onSpawn = (child, name) => {
        if (name === "job") queueMicrotask(() => child.exit(code));
      };
      const run = supervisor.run();
      await until(supervisor, "job", (s) => s.phase === "exited" || s.phase === "failed");
      if (!stopsAll) {
        await new Promise((r) => setTimeout(r, 20));
        assert.deepEqual((await server).signals, []);
        await supervisor.stop();
      }
      assert.equal(await run, expected);
      assert.deepEqual((await server).signals, ["SIGTERM"]);
    });
  }
});

Deno.test("Supervisor.stopService() keeps a service stopped until startService()", async () => {
  const { fake, supervisor } = await setup({ web: svc("web"), db: svc("db") }, {
    restart: { mode: "always", time: 0 },
  });
  const run = supervisor.run();
  const web = await fake.spawned("web");
  const db = await fake.spawned("db");
  const stopped = await supervisor.stopService("web");
  assert.equal(stopped.phase, "stopped");
  assert.equal(stopped.stopRequested, true);
  assert.equal(stopped.pid, null);
  assert.deepEqual(web.signals, ["SIGTERM"]);
  // Restart policy "always" does not bring it back, and nimi keeps running for it.
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(fake.of("web").length, 1);
  const started = await supervisor.startService("web");
  assert.equal(started.stopRequested, false);
  const again = await fake.spawned("web", 2);
  assert.equal(supervisor.state("web").pid, again.pid);
  assert.equal(supervisor.state("db").pid, db.pid);
  assert.deepEqual(db.signals, []);
  await supervisor.stop();
  assert.equal(await run, 0);
});

Deno.test("Supervisor.restartService() replaces one process and leaves the others alone", async () => {
  const { fake, supervisor } = await setup({ web: svc("web"), db: svc("db") });
  const run = supervisor.run();
  const web = await fake.spawned("web");
  const db = await fake.spawned("db");
  const state = await supervisor.restartService("web");
  const second = fake.of("web")[1]!;
  assert.equal(state.pid, second.pid);
  assert.notEqual(second.pid, web.pid);
  assert.equal(state.restarts, 1);
  assert.deepEqual(web.signals, ["SIGTERM"]);
  assert.equal(supervisor.state("db").pid, db.pid);
  await supervisor.stop();
  assert.equal(await run, 0);
});

Deno.test("Supervisor.signalService() reaches the service's group; unknown names are refused", async () => {
  const { fake, supervisor } = await setup({ web: svc("web"), db: svc("db") });
  const run = supervisor.run();
  const web = await fake.spawned("web");
  const db = await fake.spawned("db");
  assert.equal(supervisor.signalService("web", "SIGHUP").pid, web.pid);
  assert.deepEqual(web.signals, ["SIGHUP"]);
  assert.deepEqual(db.signals, []);
  assert.throws(
    () => supervisor.signalService("nope", "SIGHUP"),
    (e) =>
      e instanceof ControlError && e.kind === "unknown" &&
      /known services: web, db/.test(e.message),
  );
  await supervisor.stopService("db");
  assert.throws(
    () => supervisor.signalService("db", "SIGHUP"),
    (e) => e instanceof ControlError && e.kind === "conflict",
  );
  await supervisor.stop();
  assert.equal(await run, 0);
});

Deno.test("Supervisor.reload() stops removed, restarts changed, starts added, keeps unchanged", async () => {
  const { fake, supervisor } = await setup({
    same: svc("same"),
    edited: svc("edited"),
    gone: svc("gone"),
  });
  const run = supervisor.run();
  const same = await fake.spawned("same");
  const edited = await fake.spawned("edited");
  const gone = await fake.spawned("gone");
  const next = validateConfig({
    services: {
      same: svc("same"),
      edited: { process: { argv: ["fake", "edited", "--v2"] } },
      fresh: svc("fresh", { dependsOn: { same: "started" } }),
    },
    settings: { restart: { mode: "never" } },
  }, "test.json");
  const diff = await supervisor.reload(next);
  assert.deepEqual(diff, {
    added: ["fresh"],
    removed: ["gone"],
    changed: ["edited"],
    unchanged: ["same"],
  });
  await fake.spawned("fresh");
  const edited2 = await fake.spawned("edited", 2);
  assert.deepEqual(edited2.plan.options.args, ["edited", "--v2"]);
  assert.deepEqual(same.signals, []);
  assert.equal(supervisor.state("same").pid, same.pid);
  assert.deepEqual(edited.signals, ["SIGTERM"]);
  assert.deepEqual(gone.signals, ["SIGTERM"]);
  assert.throws(() => supervisor.state("gone"), ControlError);
  assert.deepEqual(supervisor.states().map((s) => s.name), ["same", "edited", "fresh"]);
  await supervisor.stop();
  assert.equal(await run, 0);
});

Deno.test("Supervisor.reload() keeps a changed service that was stopped by request stopped", async () => {
  const { fake, supervisor } = await setup({ web: svc("web"), db: svc("db") });
  const run = supervisor.run();
  await fake.spawned("web");
  await fake.spawned("db");
  await supervisor.stopService("web");
  const next = validateConfig({
    services: { web: { process: { argv: ["fake", "web", "--v2"] } }, db: svc("db") },
    settings: { restart: { mode: "never" } },
  }, "test.json");
  assert.deepEqual((await supervisor.reload(next)).changed, ["web"]);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(fake.of("web").length, 1);
  const web = supervisor.state("web");
  assert.equal(web.phase, "stopped");
  assert.equal(web.stopRequested, true);
  await supervisor.startService("web");
  assert.deepEqual((await fake.spawned("web", 2)).plan.options.args, ["web", "--v2"]);
  await supervisor.stop();
  assert.equal(await run, 0);
});
