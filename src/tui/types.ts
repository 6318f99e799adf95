/**
 * The shapes the terminal UI reads from the control API (docs/control.md): the supervisor's
 * published unit state, the log ring's lines, and the event stream's two kinds of event.
 *
 * @module
 */
import type { UnitState } from "../supervisor/unit_state.ts";

export type { LogLine } from "../control/log_ring.ts";

/** One service's state (`GET /v1/services/{name}`). */
export type ServiceState = UnitState;

/** What `GET /v1/events` streams. */
export type ControlEvent =
  | { readonly type: "snapshot"; readonly services: readonly ServiceState[] }
  | { readonly type: "state"; readonly service: ServiceState };
