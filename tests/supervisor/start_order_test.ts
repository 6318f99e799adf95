import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/mod.ts";
import {
  conditionState,
  nextToStart,
  type ServiceProgress,
} from "../../src/supervisor/start_order.ts";

const fresh = (): ServiceProgress => ({ started: false, ready: false, ended: null });

const config = validateConfig({
  services: {
    db: { process: { argv: ["/bin/true"] } },
    migrate: {
      process: { argv: ["/bin/true"] },
      nimi: { type: "oneshot", dependsOn: { db: "ready" } },
    },
    web: {
      process: { argv: ["/bin/true"] },
      nimi: { dependsOn: { migrate: "completed-successfully", db: "started" } },
    },
    report: { process: { argv: ["/bin/true"] }, nimi: { dependsOn: { migrate: "completed" } } },
  },
}, "test.json");

Deno.test("conditionState() tells met, waiting and impossible apart", async (t) => {
  const cases: [Parameters<typeof conditionState>[0], ServiceProgress, string][] = [
    ["started", fresh(), "waiting"],
    ["started", { started: true, ready: false, ended: null }, "met"],
    ["started", { started: false, ready: false, ended: "skipped" }, "impossible"],
    ["ready", { started: true, ready: false, ended: null }, "waiting"],
    ["ready", { started: true, ready: true, ended: "failure" }, "met"],
    ["ready", { started: true, ready: false, ended: "failure" }, "impossible"],
    ["completed", { started: true, ready: true, ended: "failure" }, "met"],
    ["completed", { started: false, ready: false, ended: "skipped" }, "impossible"],
    ["completed-successfully", { started: true, ready: true, ended: "success" }, "met"],
    ["completed-successfully", { started: true, ready: true, ended: "failure" }, "impossible"],
    ["completed-successfully", { started: true, ready: true, ended: null }, "waiting"],
  ];
  for (const [condition, progress, expected] of cases) {
    await t.step(`${condition} with ${JSON.stringify(progress)} is ${expected}`, () => {
      assert.equal(conditionState(condition, progress), expected);
    });
  }
  await t.step("an unknown dependency is impossible", () => {
    assert.equal(conditionState("started", undefined), "impossible");
  });
});

Deno.test("nextToStart() starts services as their conditions hold", () => {
  const progress = new Map(config.services.map((s) => [s.name, fresh()]));
  const waiting = new Set(config.services.map((s) => s.name));
  const step = () => {
    const plan = nextToStart(config.services, waiting, progress);
    for (const n of plan.start) waiting.delete(n);
    return plan;
  };
  assert.deepEqual(step(), { start: ["db"], blocked: [] });
  progress.set("db", { started: true, ready: false, ended: null });
  assert.deepEqual(step(), { start: [], blocked: [] });
  progress.set("db", { started: true, ready: true, ended: null });
  assert.deepEqual(step(), { start: ["migrate"], blocked: [] });
  progress.set("migrate", { started: true, ready: true, ended: "success" });
  assert.deepEqual(step(), { start: ["web", "report"], blocked: [] });
});

Deno.test("nextToStart() gives up on services whose dependency failed", () => {
  const progress = new Map(config.services.map((s) => [s.name, fresh()]));
  progress.set("db", { started: true, ready: true, ended: null });
  progress.set("migrate", { started: true, ready: true, ended: "failure" });
  const plan = nextToStart(config.services, new Set(["web", "report"]), progress);
  assert.deepEqual(plan.start, ["report"]);
  assert.deepEqual(plan.blocked, [{
    name: "web",
    reason: `dependency "migrate" can no longer be completed-successfully`,
  }]);
});
