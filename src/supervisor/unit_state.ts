/**
 * What a unit publishes about itself: its phase, pid, restarts, last exit, readiness and
 * health. The control API serves these objects as they are (docs/control.md, "State").
 *
 * @module
 */

import type { ServicePhase } from "./service_phase.ts";

/** Where a unit is in its life (see {@link ServicePhase}). */
export type Phase = ServicePhase;

/** Every phase, in the order a unit usually goes through them. */
export const PHASES: readonly Phase[] = [
  "waiting",
  "starting",
  "running",
  "ready",
  "stopping",
  "exited",
  "failed",
  "restarting",
  "stopped",
];

/** How a process ended. */
export interface LastExit {
  /** Its exit code, or null when a signal ended it. */
  code: number | null;
  /** The signal that ended it (`SIGTERM`), or null. */
  signal: string | null;
}

/** A unit's published state. */
export interface UnitState {
  /** The service's name. */
  name: string;
  /** Its phase. */
  phase: Phase;
  /** The pid of its running process, or null. */
  pid: number | null;
  /** How many times it was started again (by its restart policy or by request). */
  restarts: number;
  /** How its last process ended, or null before the first end. */
  lastExit: LastExit | null;
  /** When it entered this phase (ISO 8601). */
  since: string;
  /** Whether its readiness probe passed for this process; null when it has none. */
  ready: boolean | null;
  /** The last liveness result for this process; null when it has none or none ran yet. */
  healthy: boolean | null;
  /** In phase `restarting`: the delay before the next start, counted from `since`. */
  restartInMs: number | null;
  /** Whether it was stopped by request (it stays stopped until started). */
  stopRequested: boolean;
  /** Whether it is a oneshot. */
  oneshot: boolean;
  /** Why it is in this phase, when that is not obvious (`dependency "db" failed`), or null. */
  detail: string | null;
}
