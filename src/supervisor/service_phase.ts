/**
 * The phase a service is in, as the supervisor reports it to observers (the control API's
 * `State.phase`, systemd's `STATUS=`).
 *
 * @module
 */

/**
 * Where a service is in its life:
 * - `waiting`: not started yet (dependencies, or the startup hook, still pending);
 * - `starting`: being spawned;
 * - `running`: spawned, not ready yet (or ready at spawn pending);
 * - `ready`: its readiness probe passed (or ready at spawn);
 * - `restarting`: exited, a restart is scheduled;
 * - `stopping`: nimi is stopping it;
 * - `exited`: ended for good with success;
 * - `failed`: ended for good with failure, or never started because it could not be;
 * - `stopped`: ended because nimi stopped it.
 */
export type ServicePhase =
  | "waiting"
  | "starting"
  | "running"
  | "ready"
  | "restarting"
  | "stopping"
  | "exited"
  | "failed"
  | "stopped";

/** One service's name and phase. */
export interface ServicePhaseView {
  /** The service's name. */
  name: string;
  /** Its phase. */
  phase: ServicePhase;
}
