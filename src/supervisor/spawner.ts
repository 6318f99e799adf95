/**
 * The messages for programs that cannot be started, and the exit codes they count as.
 *
 * @module
 */
import { SPAWN_FAILURE_CODES } from "./exit_code.ts";

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
  const notFound = SPAWN_FAILURE_CODES.notFound;
  const cannot = SPAWN_FAILURE_CODES.notExecutable;
  if (cwd !== null && (error instanceof Deno.errors.NotFound || isNotADirectory(error))) {
    const kind = pathKind(cwd);
    if (kind !== "directory") {
      return {
        message: `cannot start: working directory "${cwd}" ${
          kind === "missing" ? "not found" : "is not a directory"
        }`,
        code: notFound,
      };
    }
  }
  if (error instanceof Deno.errors.NotFound) {
    if (!program.includes("/")) {
      return { message: `cannot start: program "${program}" not found in PATH`, code: notFound };
    }
    if (pathKind(program) === "missing") {
      return { message: `cannot start: program "${program}" not found`, code: notFound };
    }
    // The program is there, so what is missing is what the kernel runs it with.
    const interpreter = shebangOf(program);
    return {
      message: interpreter === null
        ? `cannot start: program "${program}" exists but its loader (ELF interpreter) is missing`
        : `cannot start: interpreter "${interpreter}" of program "${program}" not found`,
      code: notFound,
    };
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    const kind = program.includes("/") ? pathKind(program) : "file";
    if (kind === "directory") {
      return { message: `cannot start: program "${program}" is a directory`, code: cannot };
    }
    const interpreter = program.includes("/") ? shebangOf(program) : null;
    if (interpreter !== null && isExecutable(program)) {
      return {
        message: `cannot start: interpreter "${interpreter}" of program "${program}" ` +
          `cannot be executed (permission denied)`,
        code: cannot,
      };
    }
    return {
      message: `cannot start: program "${program}" is not executable (permission denied)`,
      code: cannot,
    };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return { message: `cannot start program "${program}": ${detail}`, code: cannot };
}

function isNotADirectory(error: unknown): boolean {
  return error instanceof Deno.errors.NotADirectory ||
    (error instanceof Error && /not a directory/i.test(error.message));
}

function pathKind(path: string): "missing" | "directory" | "file" {
  try {
    return Deno.statSync(path).isDirectory ? "directory" : "file";
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) {
      return "missing";
    }
    if (e instanceof Deno.errors.PermissionDenied) return "file";
    throw e;
  }
}

function isExecutable(path: string): boolean {
  try {
    return ((Deno.statSync(path).mode ?? 0) & 0o111) !== 0;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.PermissionDenied) {
      return false;
    }
    throw e;
  }
}

/** The interpreter named by a script's `#!` line, or null (not a script, or unreadable). */
function shebangOf(path: string): string | null {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotFound) {
      return null;
    }
    throw e;
  }
  try {
    const head = new Uint8Array(256);
    const n = file.readSync(head) ?? 0;
    const line = new TextDecoder().decode(head.subarray(0, n)).split("\n")[0]!;
    if (!line.startsWith("#!")) return null;
    return line.slice(2).trim().split(/\s+/)[0] || null;
  } finally {
    file.close();
  }
}
