/**
 * Reading the process tree from /proc: the children of a process (every thread's
 * `task/<tid>/children`) and the fields of `/proc/<pid>/stat` the reaper needs.
 *
 * @module
 */

/** The fields of `/proc/<pid>/stat` nimi uses. */
export interface ProcStat {
  /** Process id. */
  pid: number;
  /** Command name (at most 15 bytes, may contain spaces and parentheses). */
  comm: string;
  /** State letter: R, S, D, Z (zombie), T, t, X, I... */
  state: string;
  /** Parent pid. */
  ppid: number;
  /** Process group id. */
  pgrp: number;
  /** Session id. */
  session: number;
}

/**
 * Parses the text of `/proc/<pid>/stat`.
 *
 * @param text The file's content.
 * @returns The parsed fields, or null when the text is not a stat line.
 * @example
 * ```ts
 * parseStat("42 (sh) Z 1 40 40 0 -1 ...").state; // "Z"
 * ```
 */
export function parseStat(text: string): ProcStat | null {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 1).trim().split(/\s+/);
  const [state, ppid, pgrp, session] = [rest[0], Number(rest[1]), Number(rest[2]), Number(rest[3])];
  if (!Number.isInteger(pid) || state === undefined || !Number.isInteger(session)) return null;
  return { pid, comm: text.slice(open + 1, close), state, ppid, pgrp, session };
}

/**
 * Parses a `task/<tid>/children` file: pids separated by spaces.
 *
 * @param text The file's content.
 * @returns The pids.
 */
export function parseChildren(text: string): number[] {
  return text.split(/\s+/).filter((s) => s !== "").map(Number).filter(Number.isInteger);
}

/**
 * Whether an error from reading `/proc/PID/...` means the process is gone: NotFound once it has
 * been reaped, or ESRCH (which Deno reports as a plain Error) while it is exiting.
 *
 * @param e The error caught.
 * @returns True when the process ended between listing and reading.
 */
export function isProcessGone(e: unknown): boolean {
  return e instanceof Deno.errors.NotFound ||
    (e instanceof Error && /ESRCH|No such process/.test(e.message));
}

/**
 * Reads the stat line of a process.
 *
 * @param pid The process.
 * @returns Its fields, or null if it no longer exists.
 */
export function readStat(pid: number): ProcStat | null {
  try {
    return parseStat(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch (e) {
    if (isProcessGone(e)) return null;
    throw e;
  }
}

/**
 * Lists the children of a process from every one of its threads' `children` files (an orphan
 * is reparented to whichever thread of the reaper the kernel picks).
 *
 * @param pid The parent, or `"self"`.
 * @returns Child pids, without duplicates; empty if the process is gone.
 */
export function readChildren(pid: number | "self"): number[] {
  const pids = new Set<number>();
  let tasks: Deno.DirEntry[];
  try {
    tasks = [...Deno.readDirSync(`/proc/${pid}/task`)];
  } catch (e) {
    if (isProcessGone(e)) return [];
    throw e;
  }
  for (const task of tasks) {
    try {
      const text = Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/children`);
      for (const child of parseChildren(text)) pids.add(child);
    } catch (e) {
      // The thread (or the whole process) ended between the two reads: it has no children.
      if (!isProcessGone(e)) throw e;
    }
  }
  return [...pids];
}

/**
 * Whether the kernel offers `/proc/<pid>/task/<tid>/children` (CONFIG_PROC_CHILDREN).
 *
 * @returns True when nimi's own main thread has the file.
 */
export function hasChildrenFiles(): boolean {
  try {
    Deno.statSync(`/proc/self/task/${Deno.pid}/children`);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * Lists the children of a process by scanning every `/proc/<pid>/stat` (the fallback when
 * the kernel has no `children` files).
 *
 * @param parent The parent pid.
 * @returns Child pids.
 */
export function scanChildren(parent: number): number[] {
  const out: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const stat = readStat(Number(entry.name));
    if (stat !== null && stat.ppid === parent) out.push(stat.pid);
  }
  return out;
}

/**
 * Lists every descendant of a process, breadth first.
 *
 * @param pid The root, or `"self"`.
 * @returns Descendant pids (the root excluded).
 */
export function readDescendants(pid: number | "self"): number[] {
  const out: number[] = [];
  const queue = readChildren(pid);
  const seen = new Set<number>();
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (seen.has(next)) continue;
    seen.add(next);
    out.push(next);
    queue.push(...readChildren(next));
  }
  return out;
}
