import assert from "node:assert/strict";
import { HANDLED_SIGNALS, isStopRequest, signalAction } from "../../src/pid1/signal_table.ts";

Deno.test("signalAction() follows the documented signal table", async (t) => {
  await t.step("first SIGINT or SIGTERM stops gracefully", () => {
    assert.equal(signalAction("SIGINT", 0), "stop");
    assert.equal(signalAction("SIGTERM", 0), "stop");
  });
  await t.step("a second SIGINT or SIGTERM stops at once", () => {
    assert.equal(signalAction("SIGINT", 1), "kill");
    assert.equal(signalAction("SIGTERM", 1), "kill");
    assert.equal(signalAction("SIGTERM", 5), "kill");
  });
  await t.step("SIGQUIT stops at once even first", () => {
    assert.equal(signalAction("SIGQUIT", 0), "kill");
  });
  await t.step("SIGHUP, SIGUSR1, SIGUSR2 and SIGWINCH are forwarded", () => {
    for (const s of ["SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH"] as const) {
      assert.equal(signalAction(s, 0), "forward");
      assert.equal(signalAction(s, 1), "forward");
    }
  });
});

Deno.test("HANDLED_SIGNALS covers INT, TERM, HUP, QUIT and every forwarded signal", () => {
  assert.deepEqual(
    [...HANDLED_SIGNALS].sort(),
    ["SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM", "SIGUSR1", "SIGUSR2", "SIGWINCH"],
  );
  assert.deepEqual(HANDLED_SIGNALS.filter(isStopRequest), ["SIGTERM", "SIGINT"]);
});

Deno.test("the three signals Deno catches together are listened for first, SIGTERM leading", () => {
  assert.deepEqual(HANDLED_SIGNALS.slice(0, 3), ["SIGTERM", "SIGINT", "SIGHUP"]);
  // tests/pid1/stop_signals.ts knows every listener is in place once SIGWINCH is caught.
  assert.equal(HANDLED_SIGNALS.at(-1), "SIGWINCH");
});
