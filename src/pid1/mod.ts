/**
 * PID 1 duties: signal listeners installed first (and the signal table), and orphan reaping
 * through libc FFI as PID 1 or as a child subreaper.
 *
 * @module
 */
export {
  HANDLED_SIGNAL_NUMBERS,
  HANDLED_SIGNALS,
  isStopRequest,
  signalAction,
} from "./signal_table.ts";
export type { HandledSignal, SignalAction, SignalEvent } from "./signal_table.ts";
export { createSignalGate, installSignalListeners } from "./signals.ts";
export type { ListenFn, SignalGate, SignalGateOptions, SignalHandler } from "./signals.ts";
export { ManagedPids } from "./managed_pids.ts";
export type { PidRegistry } from "./managed_pids.ts";
export { planReap } from "./reap_plan.ts";
export type { ChildState, ReapInput, ReapPlan } from "./reap_plan.ts";
export { reaperMode, startReaper } from "./reaper.ts";
export type { CleanUpReport, Leftover, Reaper, ReaperMode, ReaperOptions } from "./reaper.ts";
export { openLibc } from "./libc.ts";
export type { Libc, WaitResult } from "./libc.ts";
