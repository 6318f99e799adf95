/**
 * Errors of the environment nimi runs in (no file descriptors left, a read-only or full file
 * system, a permission), told apart from bugs in nimi: they get a plain message with what to
 * do, not "internal error".
 *
 * @module
 */

/** What an errno means, and what to do about it. */
const HINTS: Record<string, { reason: string; advice?: string }> = {
  EMFILE: { reason: "too many open files", advice: "raise the open file limit (ulimit -n)" },
  ENFILE: { reason: "the system's open file table is full" },
  ENOSPC: { reason: "no space left on the device" },
  EROFS: { reason: "read-only file system" },
  EACCES: { reason: "permission denied" },
  EPERM: { reason: "operation not permitted" },
  ENOMEM: { reason: "out of memory" },
  EAGAIN: { reason: "resource temporarily unavailable", advice: "check the process limit" },
};

/** The errno name (`EMFILE`) of an error or of an error in its cause chain, or null. */
function errnoOf(e: unknown): { code: string; error: Error } | null {
  for (let cur = e, depth = 0; cur instanceof Error && depth < 8; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === "string" && /^E[A-Z0-9]+$/.test(code)) return { code, error: cur };
    cur = cur.cause;
  }
  return null;
}

/**
 * One line for an error of the environment, or null when it is not one.
 *
 * @param e What was thrown.
 * @returns `<what failed>: <reason> (<ERRNO>)`, or null.
 * @example
 * ```ts
 * const e = Object.assign(new Error("Too many open files (os error 24)"), { code: "EMFILE" });
 * describeSystemError(e); // "Too many open files; raise the open file limit (ulimit -n) (EMFILE)"
 * ```
 */
export function describeSystemError(e: unknown): string | null {
  const found = errnoOf(e);
  if (found === null || !(e instanceof Error)) return null;
  const what = e.message.replace(/\s*\(os error \d+\)/g, "");
  const hint = HINTS[found.code];
  if (hint === undefined) return `${what} (${found.code})`;
  const reason = what.toLowerCase().includes(hint.reason) ? "" : `: ${hint.reason}`;
  return `${what}${reason}${hint.advice ? `; ${hint.advice}` : ""} (${found.code})`;
}
