/**
 * Running services: the supervisor and the pure decisions it is built from.
 *
 * @module
 */
export { Supervisor } from "./supervisor.ts";
export type { PreparedService, SupervisorOptions } from "./supervisor.ts";
export { readyAtSpawn, ServiceRunner } from "./service.ts";
export type { PidRegistry, ServiceChild, ServiceEnd, WaitReady } from "./service.ts";
export type { ServicePhase, ServicePhaseView } from "./service_phase.ts";
export { decideRestart, INITIAL_RESTART_STATE, restartDelay } from "./restart_policy.ts";
export type { RestartDecision, RestartState, RunResult } from "./restart_policy.ts";
export { describeStatus, nimiExitCode, SPAWN_FAILURE_CODES, statusCode } from "./exit_code.ts";
export type { ProcessStatus, RunOutcome } from "./exit_code.ts";
export { conditionState, nextToStart } from "./start_order.ts";
export type { ConditionState, Ending, ServiceProgress, StartPlan } from "./start_order.ts";
export { spawnPlan } from "./spawn_options.ts";
export type { SpawnExtras, SpawnPlan } from "./spawn_options.ts";
export { denoSpawner, describeSpawnError } from "./spawner.ts";
export type { Spawner, SpawnFailure } from "./spawner.ts";
export { GroupWatcher, liveGroups, signalGroup } from "./process_group.ts";
export { configDirBase, createConfigDir, removeConfigDir } from "./config_dir.ts";
export { realClock } from "./clock.ts";
export type { Clock } from "./clock.ts";
