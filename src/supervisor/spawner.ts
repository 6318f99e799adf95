/**
 * Starting processes, behind an interface so tests can count or fake spawns, and the
 * messages for programs that cannot be started.
 *
 * @module
 */
import { withUsr1Unblocked } from "../pid1/usr1_guard.ts";
import { SPAWN_FAILURE_CODES } from "./exit_code.ts";

/** Starts a process (`new Deno.Command(program, options).spawn()` by default). */
export type Spawner = (program: string, options: Deno.CommandOptions) => Deno.ChildProcess;

/**
 * The real spawner.
 *
 * @param program Program to run.
 * @param options Command options.
 * @returns The child process.
 */
export function denoSpawner(program: string, options: Deno.CommandOptions): Deno.ChildProcess {
  // Where nimi keeps SIGUSR1 blocked from Deno's inspector, the child must not inherit that.
  return withUsr1Unblocked(() => new Deno.Command(program, options).spawn());
}

/** Why a program could not be started, for the user and the exit code. */
export interface SpawnFailure {
  /** One line naming the path and the problem. */
  message: string;
  /** 127 (not found) or 126 (cannot execute). */
  code: number;
}

/**
 * Explains a spawn error.
 *
 * @param program The program (`argv[0]`).
 * @param cwd The working directory asked for, or null.
 * @param error What spawning threw.
 * @returns A message naming the path, and the exit code it counts as.
 * @example
 * ```ts
 * describeSpawnError("/nope", null, new Deno.errors.NotFound("x")).message;
 * // 'cannot start: program "/nope" not found'
 * ```
 */
export function describeSpawnError(
  program: string,
  cwd: string | null,
  error: unknown,
): SpawnFailure {
  if (error instanceof Deno.errors.NotFound) {
    if (cwd !== null && !isDirectory(cwd)) {
      return {
        message: `cannot start: working directory "${cwd}" not found`,
        code: SPAWN_FAILURE_CODES.notFound,
      };
    }
    const where = program.includes("/") ? "" : " in PATH";
    return {
      message: `cannot start: program "${program}" not found${where}`,
      code: SPAWN_FAILURE_CODES.notFound,
    };
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return {
      message: `cannot start: program "${program}" is not executable (permission denied)`,
      code: SPAWN_FAILURE_CODES.notExecutable,
    };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return {
    message: `cannot start program "${program}": ${detail}`,
    code: SPAWN_FAILURE_CODES.notExecutable,
  };
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return false;
    throw e;
  }
}
