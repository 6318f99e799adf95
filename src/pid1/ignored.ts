/**
 * Signals nimi's parent ignored. A signal set to ignored stays ignored across `exec`, and tini
 * and dumb-init keep it that way for their child (`nohup`, a shell's `trap '' INT`). Deno does
 * not: once any JavaScript signal listener exists it installs its own handlers for SIGINT,
 * SIGTERM and SIGHUP, and a handled signal is reset to its default by `exec`. So nimi reads
 * its `SigIgn` mask from /proc before it adds any listener, and afterwards sets those signals
 * back to ignored through libc: the kernel then drops them for nimi, and every process nimi
 * starts inherits them ignored.
 *
 * SIGPIPE cannot be told apart: the Rust runtime under Deno ignores it before any JavaScript
 * runs, so it is always in the mask; programs get SIGPIPE with its default action (as
 * `Deno.Command` and init mode's spawn both set it).
 *
 * @module
 */

/** SIGPIPE, which the Rust runtime ignores in every Deno process. */
const SIGPIPE = 13;

/**
 * Reads the ignored signals from a `/proc/PID/status` text.
 *
 * @param status The file's text.
 * @returns Signal numbers 1..31 in `SigIgn`, SIGPIPE left out.
 * @example
 * ```ts
 * parseIgnored("SigIgn:\t0000000000001002\n"); // Set {2}
 * ```
 */
export function parseIgnored(status: string): Set<number> {
  const mask = status.match(/^SigIgn:\s*([0-9a-fA-F]+)\s*$/m)?.[1];
  const out = new Set<number>();
  if (mask === undefined) return out;
  const bits = BigInt(`0x${mask}`);
  for (let n = 1; n <= 31; n++) {
    if (n !== SIGPIPE && ((bits >> BigInt(n - 1)) & 1n) === 1n) out.add(n);
  }
  return out;
}

/**
 * The signals this process has ignored now (read it before adding any signal listener).
 *
 * @returns Signal numbers; empty when /proc cannot be read.
 */
export function readIgnored(): Set<number> {
  try {
    return parseIgnored(Deno.readTextFileSync("/proc/self/status"));
  } catch (e) {
    // No /proc (or no read permission): nothing is known to be ignored.
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotCapable) return new Set();
    throw e;
  }
}
