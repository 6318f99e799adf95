/**
 * The restart decision: whether a service that exited runs again, and after what delay. Pure,
 * so it is tested with plain numbers instead of processes and timers.
 *
 * | mode          | after a failure          | after success (exit 0) |
 * | ------------- | ------------------------ | ---------------------- |
 * | `never`       | no                       | no                     |
 * | `up-to-count` | yes, at most `count` times | no                   |
 * | `on-failure`  | yes, without limit       | no                     |
 * | `always`      | yes, without limit       | yes                    |
 *
 * A `oneshot` service is never restarted after success. The delay starts at `time` and is
 * multiplied by `backoff` for each further restart, capped at `maxTime`. A run that lasted at
 * least `resetAfter` (when non-zero) was stable: the counter and the delay start over.
 *
 * @module
 */
import type { RestartPolicy } from "../config/mod.ts";

/** What is remembered between runs of one service. */
export interface RestartState {
  /** Restarts since the start or since the last stable run. */
  restarts: number;
}

/** How a run of the service ended. */
export interface RunResult {
  /** Whether it exited with code 0. */
  success: boolean;
  /** How long it ran, in milliseconds. */
  ranFor: number;
}

/** The decision. */
export type RestartDecision =
  | {
    /** Run the service again. */
    restart: true;
    /** Milliseconds to wait first. */
    delay: number;
    /** State to keep for the next decision. */
    state: RestartState;
  }
  | {
    /** The service has ended for good. */
    restart: false;
    /** Why, for nimi's message (`restart mode is "never"`). */
    reason: string;
    /** State to keep. */
    state: RestartState;
  };

/** The state before the first run. */
export const INITIAL_RESTART_STATE: RestartState = { restarts: 0 };

/**
 * The delay before a restart.
 *
 * @param policy The service's policy.
 * @param restarts Restarts already done since the last reset (0 for the first restart).
 * @returns Milliseconds: `time * backoff^restarts`, at most `maxTime`.
 * @example
 * ```ts
 * restartDelay({ mode: "always", time: 100, count: 5, backoff: 2, maxTime: 500, resetAfter: 0 }, 3); // 500
 * ```
 */
export function restartDelay(policy: RestartPolicy, restarts: number): number {
  const grown = policy.time * Math.pow(policy.backoff, restarts);
  return Math.round(Math.min(grown, policy.maxTime));
}

/**
 * Decides whether a service runs again.
 *
 * @param policy The service's resolved restart policy.
 * @param oneshot Whether the service is a `oneshot` (never restarted after success).
 * @param state What earlier decisions left.
 * @param result How the run ended.
 * @returns The decision and the state for the next one.
 * @example
 * ```ts
 * const p = { mode: "up-to-count", time: 0, count: 1, backoff: 1, maxTime: 0, resetAfter: 0 } as const;
 * decideRestart(p, false, { restarts: 0 }, { success: false, ranFor: 5 }).restart; // true
 * decideRestart(p, false, { restarts: 1 }, { success: false, ranFor: 5 }).restart; // false
 * ```
 */
export function decideRestart(
  policy: RestartPolicy,
  oneshot: boolean,
  state: RestartState,
  result: RunResult,
): RestartDecision {
  const stable = policy.resetAfter > 0 && result.ranFor >= policy.resetAfter;
  const current = stable ? INITIAL_RESTART_STATE : state;
  const stop = (reason: string): RestartDecision => ({ restart: false, reason, state: current });
  if (oneshot && result.success) return stop("oneshot completed");
  switch (policy.mode) {
    case "never":
      return stop(`restart mode is "never"`);
    case "up-to-count":
      if (result.success) return stop("exited successfully");
      if (current.restarts >= policy.count) {
        return stop(`restarted ${current.restarts} of ${policy.count} times already`);
      }
      break;
    case "on-failure":
      if (result.success) return stop("exited successfully");
      break;
    case "always":
      break;
  }
  return {
    restart: true,
    delay: restartDelay(policy, current.restarts),
    state: { restarts: current.restarts + 1 },
  };
}
