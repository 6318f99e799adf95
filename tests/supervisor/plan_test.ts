import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/mod.ts";
import { launchPlan, planRun } from "../../src/supervisor/plan.ts";
import { diffServices } from "../../src/supervisor/reload_diff.ts";
import { KillController } from "../../src/supervisor/stop.ts";

const svc = (nimi: Record<string, unknown> = {}) => ({ process: { argv: ["/bin/true"] }, nimi });

const config = validateConfig({
  services: {
    db: svc(),
    web: svc({ dependsOn: { db: "ready" }, environment: { HOME: "/srv/web", A: "1" } }),
    worker: svc({ dependsOn: { web: "started" } }),
    other: svc(),
  },
  settings: { startup: { runOnStartup: "/bin/init" } },
}, "test.json");

Deno.test("planRun() gives one unit per service, the startup hook, and the stop order", () => {
  const plan = planRun(config);
  assert.equal(plan.hook?.spec.name, "startup");
  assert.equal(plan.hook?.startup, true);
  assert.deepEqual(plan.units.map((u) => u.spec.name), ["db", "web", "worker", "other"]);
  assert.deepEqual(plan.stopOrder, [["worker", "other"], ["web"], ["db"]]);
});

Deno.test("planRun({ only }) keeps the named services and what they depend on", () => {
  assert.deepEqual(planRun(config, { only: ["worker"] }).units.map((u) => u.spec.name), [
    "db",
    "web",
    "worker",
  ]);
  assert.throws(() => planRun(config, { only: ["nope"] }), /no service "nope" in test\.json/);
});

Deno.test("launchPlan(): the service's variables win over its user's, nimi's additions win over both", () => {
  const identity = { uid: 5, gid: 6, environment: { HOME: "/home/u", USER: "u" } };
  const plan = planRun(config, { identities: new Map([["web", identity]]) });
  const web = plan.units.find((u) => u.spec.name === "web")!;
  const launch = launchPlan(web, { XDG_CONFIG_HOME: "/run/x", A: "runtime" });
  assert.deepEqual(launch.options.env, {
    HOME: "/srv/web",
    A: "runtime",
    USER: "u",
    XDG_CONFIG_HOME: "/run/x",
  });
  assert.equal(launch.options.uid, 5);
  assert.equal(launch.options.gid, 6);
});

Deno.test("diffServices() ignores where a service sits in the file and key order", () => {
  const next = validateConfig({
    services: {
      db: svc(),
      web: svc({ environment: { A: "1", HOME: "/srv/web" }, dependsOn: { db: "ready" } }),
      worker: { process: { argv: ["/bin/false"] }, nimi: { dependsOn: { web: "started" } } },
      fresh: svc(),
    },
    settings: { startup: { runOnStartup: "/bin/init" } },
  }, "other.json");
  assert.deepEqual(diffServices(config.services, next.services), {
    added: ["fresh"],
    removed: ["other"],
    changed: ["worker"],
    unchanged: ["db", "web"],
  });
});

Deno.test("KillController: a kill reaches linked children and carries the signal; a child's does not reach up", () => {
  const root = new KillController();
  const a = root.linkChild();
  const got: string[] = [];
  a.listen((s) => got.push(`a:${s}`));
  root.listen((s) => got.push(`root:${s}`));
  a.kill("SIGTERM");
  assert.deepEqual(got, ["a:SIGTERM"]);
  assert.equal(root.stopped, false);
  const b = root.linkChild();
  b.listen((s) => got.push(`b:${s}`));
  assert.equal(b.send("SIGHUP"), 1);
  assert.equal(b.stopped, false);
  root.kill("SIGKILL");
  assert.deepEqual(got, ["a:SIGTERM", "b:SIGHUP", "root:SIGKILL", "a:SIGKILL", "b:SIGKILL"]);
  assert.equal(b.stopped, true);
  assert.equal(root.linkChild().stopped, true, "a child of a killed controller starts stopped");
});
