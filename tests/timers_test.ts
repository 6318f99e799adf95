/**
 * src/timers.ts: Deno's core timers where they have the known shape, the web timers otherwise,
 * and in both cases what `setTimeout`, `setInterval`, `clearTimeout` and `Deno.unrefTimer` do.
 */
import assert from "node:assert/strict";
import {
  clearTimer,
  coreTimersOf,
  setRepeatingTimer,
  setTimer,
  settleWhileProgressing,
  settleWithin,
  sleep,
  unrefTimer,
  usesCoreTimers,
} from "../src/timers.ts";
import { REPO_ROOT } from "./helpers/cli.ts";

Deno.test("the Deno the tests run on has core timers of the known shape, and nimi uses them", () => {
  assert.notEqual(coreTimersOf(Deno), null, `Deno ${Deno.version.deno}`);
  assert.equal(usesCoreTimers(), true);
});

Deno.test("another shape of Deno's internals means the web timers", () => {
  const key = Symbol("internal");
  const withCore = (core: unknown) => ({ internal: key, [key]: { core } });
  assert.equal(coreTimersOf({}), null);
  assert.equal(coreTimersOf({ internal: "x" }), null);
  assert.equal(coreTimersOf({ internal: key }), null);
  assert.equal(coreTimersOf(withCore(null)), null);
  assert.equal(coreTimersOf(withCore({})), null);
  const fine = {
    createTimer: (
      _a: unknown,
      _b: unknown,
      _c: unknown,
      _d: unknown,
      _e: unknown,
      _f: unknown,
    ) => ({}),
    cancelTimer: (_t: unknown) => {},
    unrefTimer: (_t: unknown) => {},
  };
  assert.notEqual(coreTimersOf(withCore(fine)), null);
  // One argument fewer (an older or newer signature): not trusted.
  const older = { ...fine, createTimer: (_a: unknown, _b: unknown, _c: unknown) => ({}) };
  assert.equal(coreTimersOf(withCore(older)), null);
  assert.equal(coreTimersOf(withCore({ ...fine, unrefTimer: undefined })), null);
});

Deno.test("a timer fires once, in order with the others", async () => {
  const fired: string[] = [];
  const done = Promise.withResolvers<void>();
  setTimer(() => fired.push("b"), 20);
  setTimer(() => fired.push("a"), 5);
  setTimer(() => {
    fired.push("c");
    done.resolve();
  }, 40);
  await done.promise;
  await sleep(30);
  assert.deepEqual(fired, ["a", "b", "c"]);
});

Deno.test("a cleared timer never fires; clearing twice, or null, does nothing", async () => {
  let fired = 0;
  const t = setTimer(() => fired++, 5);
  clearTimer(t);
  clearTimer(t);
  clearTimer(null);
  clearTimer(undefined);
  await sleep(30);
  assert.equal(fired, 0);
});

Deno.test("a repeating timer fires until cleared", async () => {
  let fired = 0;
  const done = Promise.withResolvers<void>();
  const t = setRepeatingTimer(() => {
    if (++fired === 3) {
      clearTimer(t);
      done.resolve();
    }
  }, 2);
  await done.promise;
  await sleep(20);
  assert.equal(fired, 3);
});

Deno.test("a pending timer keeps the program alive; an unref'd one does not", async () => {
  const program = (unref: boolean) =>
    [
      `import { setTimer, unrefTimer } from "${REPO_ROOT}/src/timers.ts";`,
      `const t = setTimer(() => console.log("fired"), ${unref ? 60_000 : 50});`,
      unref ? "unrefTimer(t);" : "",
      `console.log("end of program");`,
    ].join("\n");
  for (const unref of [false, true]) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", program(unref)],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    // Unref'd, the program ends at once: a 60 s timer that fired would mean it waited.
    assert.equal(text, unref ? "end of program\n" : "end of program\nfired\n");
  }
});

Deno.test("unrefTimer takes a timer from setTimer", () => {
  const t = setTimer(() => {}, 10);
  unrefTimer(t);
  clearTimer(t);
});

Deno.test("settleWithin: true when the promise settles (a rejection too), false when it is late", async () => {
  assert.equal(await settleWithin(Promise.resolve(1), 1000), true);
  assert.equal(await settleWithin(Promise.reject(new Error("no")), 1000), true);
  assert.equal(await settleWithin(new Promise(() => {}), 10), false);
  assert.equal(await settleWithin(sleep(5), 1000), true);
});

Deno.test("settleWhileProgressing waits while the work moves and gives up once it stops", async () => {
  // Moves at every look (each window sees a change), settles after some windows: waited for.
  let looks = 0;
  assert.equal(await settleWhileProgressing(sleep(60), () => looks++, 5), true);
  assert.ok(looks >= 2, `${looks} looks: it never waited past a window`);
  // Never settles and never moves: given up after one window.
  assert.equal(await settleWhileProgressing(new Promise(() => {}), () => 0, 20), false);
  // Moves for a while, then stops without settling: given up once it stopped.
  let steps = 0;
  const timer = setRepeatingTimer(() => {
    if (++steps === 5) clearTimer(timer);
  }, 5);
  assert.equal(await settleWhileProgressing(new Promise(() => {}), () => steps, 300), false);
  assert.equal(steps, 5);
});
