/**
 * Time as the supervisor sees it: injectable, so restart delays can be tested without waiting.
 *
 * @module
 */

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

/** The real clock: `performance.now()` and `setTimeout`. */
export const realClock: Clock = {
  now: () => performance.now(),
  sleep(ms, signal) {
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(id);
        resolve(false);
      };
      const id = setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve(true);
      }, ms);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  },
};
