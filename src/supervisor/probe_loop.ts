/**
 * Probe loops: when to run a probe and what its results mean. {@link waitUntilReady} repeats a
 * check until it passes (readiness); {@link watchLiveness} repeats it for as long as the service
 * runs and reports when it failed `failureThreshold` times in a row (liveness). Time comes from
 * an injected {@link ProbeClock}, so the loops are tested without waiting.
 *
 * @module
 */
import { clearTimer, setTimer } from "../timers.ts";

/** The outcome of one probe attempt. */
export interface ProbeAttempt {
  /** Whether the probe passed. */
  ok: boolean;
  /** What happened, for the log: `exit code 1`, `HTTP 503`, `connection refused`. */
  detail: string;
}

/**
 * One probe attempt. It must stop and settle soon after `signal` aborts (the attempt's timeout
 * or the service going away).
 */
export type ProbeCheck = (signal: AbortSignal) => Promise<ProbeAttempt>;

/** When a probe runs; the fields of a config probe. */
export interface ProbeTiming {
  /** Milliseconds before the first attempt. */
  initialDelay: number;
  /** Milliseconds between attempts. */
  period: number;
  /** Milliseconds an attempt may take before it counts as failed. */
  timeout: number;
  /** Consecutive failures that make a liveness probe give up on the service. */
  failureThreshold: number;
}

/** Time as the probe loops see it. */
export interface ProbeClock {
  /**
   * Waits, or rejects with the signal's reason when it aborts first.
   *
   * @param ms Milliseconds.
   * @param signal Cancels the wait.
   */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /**
   * A signal that aborts after `ms` milliseconds.
   *
   * @param ms Milliseconds.
   */
  timeout(ms: number): AbortSignal;
}

/** The real clock: timers and `AbortSignal.timeout`. */
export const realProbeClock: ProbeClock = {
  sleep(ms: number, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        clearTimer(timer);
        reject(signal.reason);
      };
      const timer = setTimer(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  },
  timeout(ms: number): AbortSignal {
    return AbortSignal.timeout(ms);
  },
};

/** Options shared by the probe loops. */
export interface ProbeLoopOptions {
  /** Ends the loop (the service stopped or nimi is shutting down). */
  signal: AbortSignal;
  /**
   * Time source.
   * @default realProbeClock
   */
  clock?: ProbeClock;
  /**
   * Called after each attempt, with its 1-based number, for the log.
   * @default undefined
   */
  onAttempt?: (attempt: ProbeAttempt, n: number) => void;
  /**
   * Resolves early when a new attempt is worth making (an event probe saw its event), so
   * readiness does not wait out a whole period.
   * @default undefined
   */
  wake?: (signal: AbortSignal) => Promise<void>;
}

/**
 * Runs one attempt under the probe's timeout. A check that throws or outlives its timeout
 * counts as a failure, with the reason as detail.
 *
 * @param check The probe attempt.
 * @param timeoutMs Milliseconds it may take.
 * @param signal Aborts it early (then it rejects with the signal's reason).
 * @param clock Time source.
 * @returns The outcome.
 */
export async function attemptProbe(
  check: ProbeCheck,
  timeoutMs: number,
  signal: AbortSignal,
  clock: ProbeClock = realProbeClock,
): Promise<ProbeAttempt> {
  signal.throwIfAborted();
  const timeout = clock.timeout(timeoutMs);
  const both = AbortSignal.any([signal, timeout]);
  const timedOut = (): ProbeAttempt => ({ ok: false, detail: `timed out after ${timeoutMs} ms` });
  let onAbort = (): void => {};
  const aborted = new Promise<ProbeAttempt>((resolve, reject) => {
    onAbort = () => signal.aborted ? reject(signal.reason) : resolve(timedOut());
    if (both.aborted) onAbort();
    else both.addEventListener("abort", onAbort, { once: true });
  });
  const checked = check(both).then(
    (a): ProbeAttempt => (timeout.aborted && !a.ok ? timedOut() : a),
    (e: unknown): ProbeAttempt => ({
      ok: false,
      detail: timeout.aborted ? timedOut().detail : errorText(e),
    }),
  );
  try {
    return await Promise.race([checked, aborted]);
  } finally {
    // A check that ignores its signal is not awaited: its late result is dropped (it cannot
    // reject, the handlers above turn errors into failures).
    both.removeEventListener("abort", onAbort);
  }
}

/**
 * Repeats a check until it passes: the readiness loop. It waits `initialDelay`, then tries every
 * `period` (or sooner when `wake` resolves) for as long as it takes; `failureThreshold` does not
 * apply, since a service that is not ready yet is not broken.
 *
 * @param check The probe attempt.
 * @param timing The probe's timing.
 * @param options Signal, clock and callbacks.
 * @returns Resolves when an attempt passes.
 * @throws The signal's reason when it aborts first.
 * @example
 * ```ts
 * await waitUntilReady(tcpCheck("127.0.0.1", 5432), probe, { signal: service.signal });
 * ```
 */
export async function waitUntilReady(
  check: ProbeCheck,
  timing: ProbeTiming,
  options: ProbeLoopOptions,
): Promise<void> {
  const { signal, clock = realProbeClock } = options;
  await clock.sleep(timing.initialDelay, signal);
  for (let n = 1;; n++) {
    const attempt = await attemptProbe(check, timing.timeout, signal, clock);
    options.onAttempt?.(attempt, n);
    if (attempt.ok) return;
    await pause(timing.period, options, clock);
  }
}

/** Why a liveness probe gave up on a service. */
export interface LivenessFailure {
  /** Consecutive failed attempts (the threshold). */
  failures: number;
  /** The last attempt's detail. */
  detail: string;
}

/**
 * Repeats a check every `period` while the service runs: the liveness loop. It resolves once
 * `failureThreshold` attempts in a row have failed; a passing attempt resets the count.
 *
 * @param check The probe attempt.
 * @param timing The probe's timing.
 * @param options Signal, clock and callbacks.
 * @returns The failure, or null when the signal aborted first (the service ended anyway).
 * @example
 * ```ts
 * const failed = await watchLiveness(check, probe, { signal });
 * if (failed) restart(`liveness probe failed ${failed.failures} times: ${failed.detail}`);
 * ```
 */
export async function watchLiveness(
  check: ProbeCheck,
  timing: ProbeTiming,
  options: Omit<ProbeLoopOptions, "wake">,
): Promise<LivenessFailure | null> {
  const { signal, clock = realProbeClock } = options;
  try {
    await clock.sleep(timing.initialDelay, signal);
    let failures = 0;
    for (let n = 1;; n++) {
      const attempt = await attemptProbe(check, timing.timeout, signal, clock);
      options.onAttempt?.(attempt, n);
      failures = attempt.ok ? 0 : failures + 1;
      if (failures >= timing.failureThreshold) return { failures, detail: attempt.detail };
      await clock.sleep(timing.period, signal);
    }
  } catch (e) {
    if (signal.aborted && e === signal.reason) return null;
    throw e;
  }
}

async function pause(ms: number, options: ProbeLoopOptions, clock: ProbeClock): Promise<void> {
  if (options.wake === undefined) return await clock.sleep(ms, options.signal);
  const done = new AbortController();
  const both = AbortSignal.any([options.signal, done.signal]);
  try {
    await Promise.race([clock.sleep(ms, both), options.wake(both)]);
  } catch (e) {
    options.signal.throwIfAborted();
    throw e;
  } finally {
    done.abort();
  }
}

/**
 * Turns anything thrown into one line for the log.
 *
 * @param e What was thrown.
 * @returns Its message.
 */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
