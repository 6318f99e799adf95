/**
 * Decoding a raw `waitpid` status (glibc's `WIFEXITED`, `WEXITSTATUS`, `WTERMSIG`), and the
 * exit code convention: the program's code, or `128 + N` when signal N ended it.
 *
 * @module
 */

/** How a process ended. */
export interface WaitOutcome {
  /** Its exit code, or null when a signal ended it. */
  code: number | null;
  /** The number of the signal that ended it, or null. */
  signal: number | null;
}

/**
 * Decodes a raw wait status of a process that has ended.
 *
 * @param status The status `waitpid` wrote.
 * @returns The exit code or the signal.
 * @example
 * ```ts
 * decodeWaitStatus(3 << 8); // { code: 3, signal: null }
 * decodeWaitStatus(15); // { code: null, signal: 15 }
 * ```
 */
export function decodeWaitStatus(status: number): WaitOutcome {
  const low = status & 0x7f;
  if (low === 0) return { code: (status >> 8) & 0xff, signal: null };
  return { code: null, signal: low };
}

/**
 * The exit code an init reports for its program.
 *
 * @param outcome How the program ended.
 * @param remap Codes reported as 0 (tini `-e`).
 * @returns The code, `128 + N` for signal N, 0 when remapped.
 * @example
 * ```ts
 * initExitCode({ code: null, signal: 15 }, new Set()); // 143
 * initExitCode({ code: 3, signal: null }, new Set([3])); // 0
 * ```
 */
export function initExitCode(outcome: WaitOutcome, remap: ReadonlySet<number>): number {
  const code = outcome.code ?? 128 + (outcome.signal ?? 0);
  return remap.has(code) ? 0 : code;
}
