import assert from "node:assert/strict";
import {
  BASIC_SIGNALS,
  HANDLED_SIGNAL_NUMBERS,
  HANDLED_SIGNALS,
  initSignalPlan,
  isStopRequest,
  signalAction,
} from "../../src/pid1/signal_table.ts";

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
  await t.step("job control: TSTP, TTIN, TTOU suspend, CONT resumes", () => {
    for (const s of ["SIGTSTP", "SIGTTIN", "SIGTTOU"] as const) {
      assert.equal(signalAction(s, 0), "suspend");
    }
    assert.equal(signalAction("SIGCONT", 0), "resume");
  });
  await t.step("every other signal is forwarded", () => {
    const special = [
      "SIGINT",
      "SIGTERM",
      "SIGQUIT",
      "SIGTSTP",
      "SIGTTIN",
      "SIGTTOU",
      "SIGCONT",
    ];
    const rest = HANDLED_SIGNALS.filter((s) => !special.includes(s));
    assert.equal(rest.length, 18);
    for (const s of rest) {
      assert.equal(signalAction(s, 0), "forward");
      assert.equal(signalAction(s, 1), "forward");
    }
  });
});

Deno.test("HANDLED_SIGNALS is every signal from 1 to 31 but KILL, STOP, ILL, FPE, SEGV, CHLD", () => {
  const numbers = HANDLED_SIGNALS.map((s) => HANDLED_SIGNAL_NUMBERS[s]).sort((a, b) => a - b);
  const expected = [];
  for (let n = 1; n <= 31; n++) if (![4, 8, 9, 11, 17, 19].includes(n)) expected.push(n);
  assert.deepEqual(numbers, expected);
  assert.deepEqual(HANDLED_SIGNALS.filter(isStopRequest), ["SIGTERM", "SIGINT"]);
});

Deno.test("the three signals Deno catches together are listened for first, SIGTERM leading", () => {
  assert.deepEqual(HANDLED_SIGNALS.slice(0, 3), ["SIGTERM", "SIGINT", "SIGHUP"]);
  assert.deepEqual(BASIC_SIGNALS.slice(0, 3), ["SIGTERM", "SIGINT", "SIGHUP"]);
  // tests/pid1/stop_signals.ts knows every listener is in place once SIGWINCH is caught.
  assert.equal(HANDLED_SIGNALS.at(-1), "SIGWINCH");
  assert.equal(BASIC_SIGNALS.at(-1), "SIGWINCH");
});

Deno.test("initSignalPlan() passes every signal on, after --rewrite", async (t) => {
  const none = new Map<number, number>();
  await t.step("unchanged by default, in both placements", () => {
    for (const s of HANDLED_SIGNALS) {
      for (const setsid of [true, false]) {
        const plan = initSignalPlan(s, { setsid, rewrite: none });
        const job = ["SIGTSTP", "SIGTTIN", "SIGTTOU"].includes(s);
        assert.deepEqual(plan, {
          send: job && setsid ? 19 : HANDLED_SIGNAL_NUMBERS[s],
          suspend: job,
        });
      }
    }
  });
  await t.step("rewritten, or dropped when rewritten to 0", () => {
    const rewrite = new Map([[15, 3], [2, 0], [20, 1]]);
    assert.deepEqual(initSignalPlan("SIGTERM", { setsid: true, rewrite }), {
      send: 3,
      suspend: false,
    });
    assert.deepEqual(initSignalPlan("SIGINT", { setsid: true, rewrite }), {
      send: null,
      suspend: false,
    });
    assert.deepEqual(initSignalPlan("SIGTSTP", { setsid: true, rewrite }), {
      send: 1,
      suspend: true,
    });
  });
});
