/**
 * Running services: the run plan, the units, the supervisor, and the pure decisions they are
 * built from.
 *
 * @module
 */
export { ControlError, Supervisor } from "./supervisor.ts";
export type { SupervisorOptions } from "./supervisor.ts";
export { launchPlan, planRun, resolveIdentities, withDependencies } from "./plan.ts";
export type { EnvLayers, PlanOptions, RunPlan, UnitPlan } from "./plan.ts";
export { formatSeconds, LIVE_PHASES, Unit } from "./unit.ts";
export type { ServiceEnd, UnitContext } from "./unit.ts";
export { PHASES } from "./unit_state.ts";
export type { ServicePhase, ServicePhaseView } from "./service_phase.ts";
export type { LastExit, Phase, UnitState } from "./unit_state.ts";
export { prepareUnit } from "./unit_prepare.ts";
export type { PreparedUnit, PrepareOptions } from "./unit_prepare.ts";
export { processSpawner } from "./child.ts";
export type { Child, Spawner } from "./child.ts";
export { KillController } from "./stop.ts";
export type { KillListener } from "./stop.ts";
export { diffServices, sameRun } from "./reload_diff.ts";
export type { ReloadDiff } from "./reload_diff.ts";
export type { PidRegistry } from "../pid1/managed_pids.ts";
export { decideRestart, INITIAL_RESTART_STATE, restartDelay } from "./restart_policy.ts";
export type { RestartDecision, RestartState, RunResult } from "./restart_policy.ts";
export { describeStatus, nimiExitCode, SPAWN_FAILURE_CODES, statusCode } from "./exit_code.ts";
export type { ProcessStatus, RunOutcome } from "./exit_code.ts";
export { conditionState, nextToStart } from "./start_order.ts";
export type { ConditionState, Ending, ServiceProgress, StartPlan } from "./start_order.ts";
export { spawnPlan } from "./spawn_options.ts";
export type { SpawnExtras, SpawnPlan } from "./spawn_options.ts";
export { describeSpawnError } from "./spawner.ts";
export type { SpawnFailure } from "./spawner.ts";
export { GroupWatcher, liveGroups, signalGroup } from "./process_group.ts";
export { configDirBase, createConfigDir, removeConfigDir } from "./config_dir.ts";
export { realClock } from "./clock.ts";
export type { Clock } from "./clock.ts";
