/**
 * The config's default values, in one place: the schema applies them and the renderers compare
 * against them (a target's own behaviour stands in for an untouched default).
 *
 * @module
 */
import type { RestartPolicy } from "./types.ts";

/** `settings.restart` when the file says nothing. */
export const RESTART_DEFAULTS: Readonly<RestartPolicy> = Object.freeze({
  mode: "on-failure",
  time: 1000,
  count: 5,
  backoff: 1,
  maxTime: 60000,
  resetAfter: 10000,
});

/** `settings.shutdown.timeout` when the file says nothing, in milliseconds. */
export const STOP_TIMEOUT_DEFAULT = 5000;
