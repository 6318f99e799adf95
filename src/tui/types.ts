/**
 * The shapes the terminal UI reads from the control API (docs/control.md).
 *
 * @module
 */

/** A service's phase, as the control API reports it. */
export type Phase =
  | "waiting"
  | "starting"
  | "running"
  | "ready"
  | "stopping"
  | "exited"
  | "failed"
  | "restarting"
  | "stopped";

/** One service's state (`GET /v1/services/{name}`). */
export interface ServiceState {
  /** The service's name. */
  readonly name: string;
  /** What it is doing. */
  readonly phase: Phase | string;
  /** Its main process, while one runs. */
  readonly pid: number | null;
  /** How often it was restarted. */
  readonly restarts: number;
  /** How its last run ended. */
  readonly lastExit: { readonly code: number | null; readonly signal: string | null } | null;
  /** When it entered this phase (ISO 8601). */
  readonly since: string;
  /** Readiness, when it has a probe. */
  readonly ready: boolean | null;
  /** Liveness, when it has a probe. */
  readonly healthy: boolean | null;
  /** Time until the next restart, while waiting for one. */
  readonly restartInMs: number | null;
  /** Whether it was stopped by request (and stays stopped until started). */
  readonly stopRequested: boolean;
  /** Whether it is a one-shot task. */
  readonly oneshot: boolean;
}

/** One line of a service's output (`GET /v1/logs`). */
export interface LogLine {
  /** The service. */
  readonly service: string;
  /** Which stream it came from. */
  readonly stream: "stdout" | "stderr";
  /** The line, without its newline. */
  readonly line: string;
  /** When nimi read it (ISO 8601). */
  readonly time: string;
}

/** What `GET /v1/events` streams. */
export type ControlEvent =
  | { readonly type: "snapshot"; readonly services: readonly ServiceState[] }
  | { readonly type: "state"; readonly service: ServiceState };
