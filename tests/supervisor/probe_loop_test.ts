/**
 * Pure tests of the probe loops with a fake clock: delays asked for, attempts made, thresholds.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  attemptProbe,
  type ProbeAttempt,
  type ProbeCheck,
  type ProbeClock,
  type ProbeTiming,
  waitUntilReady,
  watchLiveness,
} from "../../src/supervisor/probe_loop.ts";

/** A clock whose sleeps return at once and are recorded; timeouts fire on demand. */
class FakeClock implements ProbeClock {
  sleeps: number[] = [];
  timeouts: AbortController[] = [];
  sleep(ms: number, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    this.sleeps.push(ms);
    return Promise.resolve();
  }
  timeout(_ms: number): AbortSignal {
    const c = new AbortController();
    this.timeouts.push(c);
    return c.signal;
  }
}

const timing = (t: Partial<ProbeTiming> = {}): ProbeTiming => ({
  initialDelay: 500,
  period: 100,
  timeout: 50,
  failureThreshold: 3,
  ...t,
});

/** A check answering from a script of results; records how many times it ran. */
function scripted(results: boolean[]): ProbeCheck & { calls: number } {
  const f = Object.assign((_signal: AbortSignal): Promise<ProbeAttempt> => {
    const ok = results[f.calls] ?? results[results.length - 1] ?? false;
    f.calls++;
    return Promise.resolve({ ok, detail: ok ? "up" : `down ${f.calls}` });
  }, { calls: 0 });
  return f;
}

Deno.test("waitUntilReady() waits the initial delay, then retries every period until a pass", async () => {
  const clock = new FakeClock();
  const check = scripted([false, false, false, true]);
  const seen: [boolean, number][] = [];
  await waitUntilReady(check, timing(), {
    signal: new AbortController().signal,
    clock,
    onAttempt: (a, n) => seen.push([a.ok, n]),
  });
  assert.equal(check.calls, 4);
  assert.deepEqual(clock.sleeps, [500, 100, 100, 100]);
  assert.deepEqual(seen, [[false, 1], [false, 2], [false, 3], [true, 4]]);
});

Deno.test("waitUntilReady() ignores failureThreshold: it keeps trying past it", async () => {
  const clock = new FakeClock();
  const check = scripted([false, false, false, false, false, false, true]);
  await waitUntilReady(check, timing({ failureThreshold: 1 }), {
    signal: new AbortController().signal,
    clock,
  });
  assert.equal(check.calls, 7);
});

Deno.test("waitUntilReady() rejects with the abort reason when the service goes away", async () => {
  const stop = new AbortController();
  const clock = new FakeClock();
  let calls = 0;
  const check: ProbeCheck = () => {
    if (++calls === 2) stop.abort(new Error("service exited"));
    return Promise.resolve({ ok: false, detail: "down" });
  };
  await assert.rejects(
    waitUntilReady(check, timing(), { signal: stop.signal, clock }),
    /service exited/,
  );
  assert.equal(calls, 2);
});

Deno.test("waitUntilReady() wakes early when the event probe says so", async () => {
  const stop = new AbortController();
  let ready = false;
  const check: ProbeCheck = () => Promise.resolve({ ok: ready, detail: "" });
  // A clock whose sleeps never end: only the wake can move the loop on.
  const clock: ProbeClock = {
    sleep: (ms, signal) =>
      ms === 0 ? Promise.resolve() : new Promise((_, reject) => {
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      }),
    timeout: () => new AbortController().signal,
  };
  let wakes = 0;
  const wake = (signal: AbortSignal): Promise<void> => {
    wakes++;
    signal.throwIfAborted();
    ready = true;
    return Promise.resolve();
  };
  await waitUntilReady(check, timing({ initialDelay: 0 }), { signal: stop.signal, clock, wake });
  assert.equal(wakes, 1);
});

Deno.test("watchLiveness() resolves after failureThreshold consecutive failures", async () => {
  const clock = new FakeClock();
  const check = scripted([true, false, false, true, false, false, false, true]);
  const failure = await watchLiveness(check, timing(), {
    signal: new AbortController().signal,
    clock,
  });
  assert.deepEqual(failure, { failures: 3, detail: "down 7" });
  assert.equal(check.calls, 7);
  assert.deepEqual(clock.sleeps, [500, 100, 100, 100, 100, 100, 100]);
});

Deno.test("watchLiveness() with threshold 1 gives up at the first failure", async () => {
  const clock = new FakeClock();
  const check = scripted([true, true, false]);
  const failure = await watchLiveness(check, timing({ failureThreshold: 1 }), {
    signal: new AbortController().signal,
    clock,
  });
  assert.deepEqual(failure, { failures: 1, detail: "down 3" });
});

Deno.test("watchLiveness() resolves null when aborted", async () => {
  const stop = new AbortController();
  const clock = new FakeClock();
  let calls = 0;
  const check: ProbeCheck = () => {
    if (++calls === 5) stop.abort();
    return Promise.resolve({ ok: true, detail: "up" });
  };
  assert.equal(await watchLiveness(check, timing(), { signal: stop.signal, clock }), null);
  assert.equal(calls, 5);
});

Deno.test("attemptProbe() turns a timeout into a failure, even when the check ignores it", async () => {
  const clock = new FakeClock();
  const never: ProbeCheck = () => new Promise(() => {});
  const pending = attemptProbe(never, 250, new AbortController().signal, clock);
  clock.timeouts[0]!.abort();
  assert.deepEqual(await pending, { ok: false, detail: "timed out after 250 ms" });
});

Deno.test("attemptProbe() gives the check a signal that aborts at the timeout", async () => {
  const clock = new FakeClock();
  let given: AbortSignal | null = null;
  const check: ProbeCheck = (signal) => {
    given = signal;
    return new Promise((_, reject) => {
      signal.addEventListener("abort", () => reject(new Error("cancelled")), { once: true });
    });
  };
  const pending = attemptProbe(check, 10, new AbortController().signal, clock);
  assert.equal(given!.aborted, false);
  clock.timeouts[0]!.abort();
  assert.deepEqual(await pending, { ok: false, detail: "timed out after 10 ms" });
  assert.equal(given!.aborted, true);
});

Deno.test("attemptProbe() reports a throwing check as a failure with its message", async () => {
  const check: ProbeCheck = () => Promise.reject(new Error("boom"));
  assert.deepEqual(
    await attemptProbe(check, 10, new AbortController().signal, new FakeClock()),
    { ok: false, detail: "boom" },
  );
});

Deno.test("attemptProbe() rejects with the abort reason when the service goes away", async () => {
  const stop = new AbortController();
  const never: ProbeCheck = () => new Promise(() => {});
  const pending = attemptProbe(never, 10, stop.signal, new FakeClock());
  stop.abort(new Error("stopping"));
  await assert.rejects(pending, /stopping/);
});
