/**
 * The config's default values, so renderers warn only about settings a user asked for and the
 * target cannot honour (a target's own behaviour stands in for untouched defaults).
 *
 * @module
 */
import { RESTART_DEFAULTS, STOP_TIMEOUT_DEFAULT } from "../config/defaults.ts";

/** `settings.restart` as the schema defaults it. */
export const DEFAULT_RESTART = RESTART_DEFAULTS;

/** `settings.shutdown.timeout` as the schema defaults it, in milliseconds. */
export const DEFAULT_STOP_TIMEOUT = STOP_TIMEOUT_DEFAULT;

/**
 * Whole seconds for a millisecond duration, rounded up (targets that count in seconds).
 *
 * @param ms Milliseconds.
 * @returns Seconds, at least 0.
 */
export function seconds(ms: number): number {
  return Math.ceil(ms / 1000);
}

/**
 * Seconds as a decimal string for targets that take fractions (`1.5`).
 *
 * @param ms Milliseconds.
 * @returns `"1"`, `"0.25"`.
 */
export function decimalSeconds(ms: number): string {
  return String(ms / 1000);
}
