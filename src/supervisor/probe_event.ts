/**
 * Event probes: probes fed by what the service says rather than by asking it (a log line, a
 * `READY=1` datagram). An {@link EventCounter} counts the events; {@link eventCheck} turns it into
 * a probe check, and its `wait` wakes the readiness loop the moment an event arrives.
 *
 * @module
 */
import type { ProbeAttempt, ProbeCheck } from "./probe_loop.ts";

/** Counts events and wakes those waiting for the next one. */
export class EventCounter {
  #count = 0;
  #waiters = new Set<() => void>();

  /** Events seen so far. */
  get count(): number {
    return this.#count;
  }

  /** Records one event and wakes every waiter. */
  add(): void {
    this.#count++;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /**
   * Waits for the next event.
   *
   * @param signal Cancels the wait.
   * @returns Resolves at the next {@link EventCounter.add}.
   * @throws The signal's reason when it aborts first.
   */
  next(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    return new Promise((resolve, reject) => {
      const wake = () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        this.#waiters.delete(wake);
        reject(signal.reason);
      };
      this.#waiters.add(wake);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }
}

/**
 * A probe check over an event counter.
 *
 * @param counter The events.
 * @param mode `ever`: passes once any event was seen (readiness). `since-last`: passes when an
 *   event arrived since the previous attempt (liveness: a heartbeat).
 * @param what Names the event for the log (`a line matching /ready/`).
 * @param since Events counted before this number are ignored (those of an earlier run).
 * @returns The check.
 * @example
 * ```ts
 * const lines = new EventCounter();
 * const check = eventCheck(lines, "ever", "a line matching /listening/");
 * ```
 */
export function eventCheck(
  counter: EventCounter,
  mode: "ever" | "since-last",
  what: string,
  since = 0,
): ProbeCheck {
  let seen = since;
  return (signal: AbortSignal): Promise<ProbeAttempt> => {
    signal.throwIfAborted();
    const now = counter.count;
    const ok = mode === "ever" ? now > since : now > seen;
    seen = now;
    return Promise.resolve(
      ok ? { ok, detail: `saw ${what}` } : {
        ok,
        detail: mode === "ever" ? `no ${what} yet` : `no ${what} since the last check`,
      },
    );
  };
}
