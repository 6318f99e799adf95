import assert from "node:assert/strict";
import type { RestartPolicy } from "../../src/config/mod.ts";
import {
  decideRestart,
  INITIAL_RESTART_STATE,
  restartDelay,
  type RestartState,
} from "../../src/supervisor/restart_policy.ts";

const policy = (over: Partial<RestartPolicy>): RestartPolicy => ({
  mode: "on-failure",
  time: 100,
  count: 3,
  backoff: 1,
  maxTime: 60000,
  resetAfter: 0,
  ...over,
});

const fail = { success: false, ranFor: 10 };
const ok = { success: true, ranFor: 10 };

/** Feeds a sequence of results and returns the delays of the restarts (null: no restart). */
function delays(
  p: RestartPolicy,
  results: { success: boolean; ranFor: number }[],
): (number | null)[] {
  let state: RestartState = INITIAL_RESTART_STATE;
  return results.map((r) => {
    const d = decideRestart(p, false, state, r);
    state = d.state;
    return d.restart ? d.delay : null;
  });
}

Deno.test("decideRestart() follows each mode", async (t) => {
  await t.step("never runs a failing service once", () => {
    assert.deepEqual(delays(policy({ mode: "never" }), [fail]), [null]);
  });
  await t.step("up-to-count with count 3 restarts three times", () => {
    assert.deepEqual(delays(policy({ mode: "up-to-count" }), [fail, fail, fail, fail]), [
      100,
      100,
      100,
      null,
    ]);
  });
  await t.step("up-to-count with count 0 never restarts", () => {
    assert.deepEqual(delays(policy({ mode: "up-to-count", count: 0 }), [fail]), [null]);
  });
  await t.step("up-to-count does not restart after success", () => {
    assert.deepEqual(delays(policy({ mode: "up-to-count" }), [ok]), [null]);
  });
  await t.step("always restarts after success and failure without limit", () => {
    const runs = Array.from({ length: 20 }, (_, i) => (i % 2 ? ok : fail));
    assert.ok(delays(policy({ mode: "always" }), runs).every((d) => d === 100));
  });
  await t.step("on-failure restarts failures without limit and stops after success", () => {
    assert.deepEqual(delays(policy({ mode: "on-failure" }), [fail, fail, fail, fail, fail, ok]), [
      100,
      100,
      100,
      100,
      100,
      null,
    ]);
  });
  await t.step("a oneshot is never restarted after success, even in mode always", () => {
    const d = decideRestart(policy({ mode: "always" }), true, INITIAL_RESTART_STATE, ok);
    assert.equal(d.restart, false);
    const f = decideRestart(policy({ mode: "always" }), true, INITIAL_RESTART_STATE, fail);
    assert.equal(f.restart, true);
  });
  await t.step("the reason names the mode or the count", () => {
    const d = decideRestart(
      policy({ mode: "up-to-count", count: 1 }),
      false,
      { restarts: 1 },
      fail,
    );
    assert.equal(d.restart, false);
    assert.equal(!d.restart && d.reason, "restarted 1 of 1 times already");
  });
});

Deno.test("restartDelay() grows by the backoff factor up to the cap", () => {
  const p = policy({ time: 100, backoff: 2, maxTime: 500 });
  assert.deepEqual([0, 1, 2, 3, 4, 10].map((n) => restartDelay(p, n)), [
    100,
    200,
    400,
    500,
    500,
    500,
  ]);
  assert.deepEqual([0, 5].map((n) => restartDelay(policy({ time: 0, backoff: 3 }), n)), [0, 0]);
  assert.equal(restartDelay(policy({ time: 100, backoff: 1.5 }), 1), 150);
});

Deno.test("decideRestart() resets the counter and the delay after a stable run", async (t) => {
  const p = policy({ mode: "up-to-count", count: 2, backoff: 2, maxTime: 10000, resetAfter: 1000 });
  await t.step("short runs use up the count and grow the delay", () => {
    assert.deepEqual(delays(p, [fail, fail, fail]), [100, 200, null]);
  });
  await t.step("a run of at least resetAfter starts over", () => {
    const stable = { success: false, ranFor: 1000 };
    assert.deepEqual(delays(p, [fail, fail, stable, fail, fail]), [100, 200, 100, 200, null]);
  });
  await t.step("resetAfter 0 never resets", () => {
    const long = { success: false, ranFor: 1e9 };
    assert.deepEqual(delays({ ...p, resetAfter: 0 }, [long, long, long]), [100, 200, null]);
  });
});
