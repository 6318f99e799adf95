/**
 * nimi's exit code policy, as pure functions.
 *
 * - A process's code: its exit code, or 128 + N when a signal N ended it.
 * - nimi's code: the code of the first service that failed for good (exited non-zero or by a
 *   signal and will not be restarted); 0 when every service ended successfully.
 * - Stopped by SIGINT/SIGTERM (or by `stopOnFailure`): services ending during the stop do not
 *   count, so a clean Ctrl-C gives 0 unless a service had failed for good before it.
 * - A startup hook that fails: the hook's code.
 * - A program that cannot be started counts as exiting with 127 (not found) or 126 (not
 *   executable), the shell's convention.
 *
 * @module
 */
import { signalNumber } from "../config/mod.ts";

/** How a process ended, as `Deno.CommandStatus` reports it. */
export interface ProcessStatus {
  /** Exit code (Deno reports 128 + N when a signal ended it). */
  code: number;
  /** The signal that ended it, or null. */
  signal: string | null;
}

/** Codes for programs that could not be started, after the shell's convention. */
export const SPAWN_FAILURE_CODES = {
  /** The program does not exist. */
  notFound: 127,
  /** The program exists but cannot be executed. */
  notExecutable: 126,
} as const;

/**
 * The exit code that stands for a process's end.
 *
 * @param status How it ended.
 * @returns The exit code, or 128 + N for signal N.
 * @example
 * ```ts
 * statusCode({ code: 0, signal: "SIGKILL" }); // 137
 * ```
 */
export function statusCode(status: ProcessStatus): number {
  if (status.signal !== null) return 128 + (signalNumber(status.signal) ?? 0);
  return status.code;
}

/**
 * Describes a process's end for nimi's messages.
 *
 * @param status How it ended.
 * @returns `exited with code 3` or `killed by SIGTERM`.
 */
export function describeStatus(status: ProcessStatus): string {
  return status.signal !== null ? `killed by ${status.signal}` : `exited with code ${status.code}`;
}

/** What the exit code is computed from. */
export interface RunOutcome {
  /** Code of the first service that failed for good (before any stop), or null. */
  firstFailure: number | null;
}

/**
 * nimi's exit code.
 *
 * @param outcome What happened during the run.
 * @returns 0 when no service failed for good, else the first failure's code.
 */
export function nimiExitCode(outcome: RunOutcome): number {
  return outcome.firstFailure ?? 0;
}
