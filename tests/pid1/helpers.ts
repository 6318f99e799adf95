/**
 * Helpers for the PID 1 tests: run a program as PID 1 of a new PID namespace, follow its
 * output, find its pid as seen from outside, and read /proc.
 *
 * @module
 */
import { readChildren, readStat } from "../../src/pid1/proc.ts";
import { type WatchedOutput, watchOutput } from "../helpers/output.ts";

/** The repository root. */
export const REPO = new URL("../..", import.meta.url).pathname;

/** Whether this process runs as root (CI does). */
export const IS_ROOT = Deno.uid() === 0;

/**
 * The command prefix that makes the next program PID 1 of a new PID namespace with its own
 * /proc. Root needs no user namespace; others map themselves to root in a new one.
 *
 * @returns `unshare` and its options.
 */
export function pid1Prefix(): string[] {
  // --kill-child: if the test kills unshare, the namespace's PID 1 gets SIGKILL too.
  const base = ["unshare", "--pid", "--fork", "--kill-child", "--mount-proc"];
  return IS_ROOT ? base : ["unshare", "--user", "--map-root-user", ...base.slice(1)];
}

/** A running program whose output is collected as it comes. */
export interface Running extends Omit<WatchedOutput, "waitFor"> {
  /** The process spawned (unshare, setpriv or the program itself). */
  child: Deno.ChildProcess;
  /** Waits until stdout matches; fails when the program exits first or after `ms` (default 60 s: a
   * bound for a loaded machine, where a cold `deno run` of nimi took more than 15 s). */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
}

/**
 * Spawns a program and collects its output.
 *
 * @param argv Program and arguments.
 * @param env Extra environment.
 * @param cwd Working directory (default: this process's).
 * @returns The running program.
 */
export function start(
  argv: string[],
  env: Record<string, string> = {},
  cwd?: string,
): Running {
  const [cmd, ...args] = argv;
  const child = new Deno.Command(cmd!, {
    args,
    ...(cwd === undefined ? {} : { cwd }),
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = watchOutput(child);
  return { ...output, child, waitFor: (pattern, ms = 60_000) => output.waitFor(pattern, ms) };
}

/**
 * Finds the first process running `comm` at or under `root` (as seen from outside any
 * namespace); `root` itself counts, since a wrapper such as `setpriv` becomes the program.
 *
 * @param root Where to start.
 * @param comm The command name to look for.
 * @param ms How long to keep looking.
 * @returns Its pid.
 */
export async function findDescendant(root: number, comm: string, ms = 10_000): Promise<number> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const queue = [root];
    while (queue.length > 0) {
      const pid = queue.shift()!;
      if (readStat(pid)?.comm === comm) return pid;
      queue.push(...readChildren(pid));
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error(`no ${comm} process under ${root} after ${ms} ms`);
}

/**
 * Every descendant of a process with its stat fields.
 *
 * @param root The root pid.
 * @returns The descendants.
 */
export function descendants(root: number): NonNullable<ReturnType<typeof readStat>>[] {
  const out = [];
  const queue = readChildren(root);
  while (queue.length > 0) {
    const pid = queue.shift()!;
    const stat = readStat(pid);
    if (stat === null) continue;
    out.push(stat);
    queue.push(...readChildren(pid));
  }
  return out;
}

/**
 * The TCP ports a process listens on (IPv4 and IPv6), from its socket fds and /proc/net/tcp*.
 *
 * @param pid The process.
 * @returns Listening ports.
 */
export function listeningPorts(pid: number): Set<number> {
  const inodes = new Set<string>();
  for (const fd of Deno.readDirSync(`/proc/${pid}/fd`)) {
    try {
      const m = Deno.readLinkSync(`/proc/${pid}/fd/${fd.name}`).match(/^socket:\[(\d+)\]$/);
      if (m) inodes.add(m[1]!);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  const ports = new Set<number>();
  for (const table of ["tcp", "tcp6"]) {
    const text = Deno.readTextFileSync(`/proc/${pid}/net/${table}`);
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT, st 0A is LISTEN, inode is field 9.
      if (f.length < 10 || f[3] !== "0A" || !inodes.has(f[9]!)) continue;
      ports.add(parseInt(f[1]!.split(":")[1]!, 16));
    }
  }
  return ports;
}

/**
 * Sends a signal, ignoring a process that has already gone.
 *
 * @param pid The target.
 * @param signal The signal.
 */
export function signal(pid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(pid, signal);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}
