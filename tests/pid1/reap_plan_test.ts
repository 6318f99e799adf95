import assert from "node:assert/strict";
import { planReap, type ReapInput } from "../../src/pid1/reap_plan.ts";

const base: ReapInput = {
  children: [],
  managed: new Set<number>(),
  ownSession: 100,
  firstSeen: new Map(),
  now: 1000,
  graceMs: 250,
};

Deno.test("planReap() reaps adopted zombies at once and skips the rest", async (t) => {
  await t.step("a zombie from a service's session is reaped", () => {
    const plan = planReap({ ...base, children: [{ pid: 7, state: "Z", session: 5 }] });
    assert.deepEqual(plan.reap, [7]);
    assert.equal(plan.nextDue, null);
  });
  await t.step("a managed zombie is never reaped, however old", () => {
    const plan = planReap({
      ...base,
      children: [{ pid: 5, state: "Z", session: 5 }, { pid: 6, state: "Z", session: 3 }],
      managed: new Set([5, 6]),
      firstSeen: new Map([[5, 0]]),
    });
    assert.deepEqual(plan.reap, []);
    assert.equal(plan.firstSeen.size, 0);
  });
  await t.step("running and stopped children are left alone", () => {
    const plan = planReap({
      ...base,
      children: ["R", "S", "D", "T"].map((state, i) => ({ pid: 10 + i, state, session: 5 })),
    });
    assert.deepEqual(plan.reap, []);
  });
});

Deno.test("planReap() gives zombies that may be Deno's own children a grace", async (t) => {
  const children = [
    { pid: 20, state: "Z", session: 20 }, // setsid: detached spawn or a daemon
    { pid: 21, state: "Z", session: 100 }, // nimi's own session
  ];
  await t.step("first seen: waits, and says when the grace ends", () => {
    const plan = planReap({ ...base, children });
    assert.deepEqual(plan.reap, []);
    assert.deepEqual([...plan.firstSeen], [[20, 1000], [21, 1000]]);
    assert.equal(plan.nextDue, 1250);
  });
  await t.step("still a zombie before the grace ends: keeps waiting", () => {
    const plan = planReap({ ...base, children, firstSeen: new Map([[20, 1000]]), now: 1249 });
    assert.deepEqual(plan.reap, []);
    assert.equal(plan.firstSeen.get(20), 1000);
    assert.equal(plan.firstSeen.get(21), 1249);
  });
  await t.step("still a zombie when the grace has ended: reaped", () => {
    const plan = planReap({
      ...base,
      children,
      firstSeen: new Map([[20, 1000], [21, 1000]]),
      now: 1250,
    });
    assert.deepEqual(plan.reap, [20, 21]);
    assert.equal(plan.firstSeen.size, 0);
  });
  await t.step("a pid no longer a zombie child is forgotten", () => {
    const plan = planReap({ ...base, firstSeen: new Map([[20, 1000]]) });
    assert.equal(plan.firstSeen.size, 0);
    assert.equal(plan.nextDue, null);
  });
});
