/**
 * Time as the supervisor sees it: injectable, so restart delays can be tested without waiting.
 *
 * @module
 */
import { clearTimer, setTimer } from "../timers.ts";

/** A clock with a cancellable sleep. */
export interface Clock {
  /**
   * The current time.
   *
   * @returns Milliseconds (monotonic for the real clock).
   */
  now(): number;
  /**
   * Waits.
   *
   * @param ms Milliseconds.
   * @param signal Cancels the wait.
   * @returns A promise that resolves true after the time, false when cancelled.
   */
  sleep(ms: number, signal: AbortSignal): Promise<boolean>;
}

/** The real clock: `performance.now()` and nimi's timers (src/timers.ts). */
export const realClock: Clock = {
  now: () => performance.now(),
  sleep(ms, signal) {
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimer(id);
        resolve(false);
      };
      const id = setTimer(() => {
        signal.removeEventListener("abort", onAbort);
        resolve(true);
      }, ms);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  },
};
