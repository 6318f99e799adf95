/**
 * Helpers shared by the benchmarks: process counting through /proc, RSS and CPU readings,
 * temporary directories, and running nimi from this source tree.
 *
 * @module
 */
import { isProcessGone } from "../src/pid1/proc.ts";

/** Repository root. */
export const ROOT: string = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** Milliseconds since an arbitrary start (monotonic). */
export function now(): number {
  return performance.now();
}

/** Sleeps for `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Pids whose command line contains `marker` (as a whole argument).
 *
 * @param marker An argument unique to the benchmark's services.
 * @returns The matching pids.
 */
export function pidsWithArg(marker: string): number[] {
  const found: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    let cmd: string;
    try {
      cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`);
    } catch (err) {
      if (isProcessGone(err)) continue; // the process ended while we looked: not a match
      throw err;
    }
    if (cmd.split("\0").includes(marker)) found.push(Number(e.name));
  }
  return found;
}

/**
 * Waits until `count` processes carry `marker`, polling every few milliseconds.
 *
 * @returns Milliseconds waited.
 */
export async function waitForCount(
  marker: string,
  count: number,
  limitMs = 60000,
): Promise<number> {
  const t0 = now();
  while (pidsWithArg(marker).length < count) {
    if (now() - t0 > limitMs) throw new Error(`Timed out waiting for ${count} x ${marker}`);
    await sleep(2);
  }
  return now() - t0;
}

/** Resident set size of a process and its descendants, in MiB. */
export function rssMiB(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      const m = Deno.readTextFileSync(`/proc/${pid}/status`).match(/VmRSS:\s+(\d+) kB/);
      if (m) kb += Number(m[1]);
    } catch (err) {
      if (!isProcessGone(err)) throw err; // gone: contributes nothing
    }
  }
  return kb / 1024;
}

/** Memory of a process, in MiB: what it holds privately and what it shares. */
export interface Memory {
  /** Resident set size (private and shared pages). */
  rss: number;
  /** Resident private anonymous memory (heap, stacks): what the process alone costs. */
  anon: number;
  /** Resident file-backed pages (the mapped executable and libraries, mostly shared). */
  file: number;
  /** Proportional set size: private pages plus each shared page divided by its sharers. */
  pss: number;
}

/**
 * Memory of processes, summed, in MiB. PSS sums honestly across processes that share pages
 * (s6-supervise, runsv); RSS overstates such a sum.
 *
 * @param pids The processes.
 * @returns The sums; a process that is gone contributes nothing.
 */
export function memoryMiB(pids: number[]): Memory {
  const kb = { rss: 0, anon: 0, file: 0, pss: 0 };
  const field = (text: string, name: string) =>
    Number(text.match(new RegExp(`^${name}:\\s+(\\d+) kB`, "m"))?.[1] ?? 0);
  for (const pid of pids) {
    try {
      const status = Deno.readTextFileSync(`/proc/${pid}/status`);
      const rollup = Deno.readTextFileSync(`/proc/${pid}/smaps_rollup`);
      kb.rss += field(status, "VmRSS");
      kb.anon += field(status, "RssAnon");
      kb.file += field(status, "RssFile");
      kb.pss += field(rollup, "Pss");
    } catch (err) {
      if (!isProcessGone(err)) throw err; // gone: contributes nothing
    }
  }
  return { rss: kb.rss / 1024, anon: kb.anon / 1024, file: kb.file / 1024, pss: kb.pss / 1024 };
}

/** The load average over the last minute and the number of CPUs, to say how busy the machine was. */
export function machineLoad(): { load1: number; cpus: number } {
  const load1 = Number(Deno.readTextFileSync("/proc/loadavg").split(" ")[0]);
  return { load1, cpus: navigator.hardwareConcurrency };
}

/** Epoch time in milliseconds with sub-millisecond precision. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** CPU time (user + system) of a process in clock ticks. */
export function cpuTicks(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** Direct children pids of a process (all threads). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const t of Deno.readDirSync(`/proc/${pid}/task`)) {
    const text = Deno.readTextFileSync(`/proc/${pid}/task/${t.name}/children`).trim();
    if (text) out.push(...text.split(" ").map(Number));
  }
  return out;
}

let runtime: string | undefined;

/**
 * The Deno executable nimi runs on in the benchmarks: a private copy of the running one (made
 * once per Deno version, in /var/tmp). The benchmark runner is a Deno process too, and a page of
 * an executable two processes map is shared: the kernel will not reclaim it for one of them
 * (src/pid1/code_pages.ts), and RSS counts it in both. A compiled nimi is its own file that no
 * other process maps; the copy measures that case, not the runner's pages.
 *
 * @returns The copy's path.
 */
export function nimiRuntime(): string {
  if (runtime !== undefined) return runtime;
  const path = `/var/tmp/nimi-bench-deno-${Deno.version.deno}`;
  const size = Deno.statSync(Deno.execPath()).size;
  let have = -1;
  try {
    have = Deno.statSync(path).size;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  if (have !== size) {
    Deno.copyFileSync(Deno.execPath(), `${path}.tmp`);
    Deno.chmodSync(`${path}.tmp`, 0o755);
    Deno.renameSync(`${path}.tmp`, path);
  }
  runtime = path;
  return path;
}

/** Command to run nimi from source, on {@link nimiRuntime}. */
export function nimiArgv(config: string, ...extra: string[]): string[] {
  return [
    nimiRuntime(),
    "run",
    "-A",
    ...NIMI_FLAGS,
    `${ROOT}/mod.ts`,
    "--config",
    config,
    "run",
    ...extra,
  ];
}

/** The runtime flags the nimi package is compiled with (nix/package.nix, `deno task nimi`). */
export const NIMI_FLAGS: readonly string[] = ["--no-code-cache", "--v8-flags=--expose-gc"];

/** Median of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Writes a line to stdout. */
export function say(line: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(`${line}\n`));
}

/** Spawns a command with output discarded or sent to a file. */
export function spawn(
  argv: string[],
  opts: { stdout?: string; cwd?: string; env?: Record<string, string> } = {},
): Deno.ChildProcess {
  // With a stdout file, a shell redirects and then execs the program (same pid): it writes to
  // the file itself, and the file is complete when it exits.
  const [cmd, ...args] = opts.stdout
    ? ["/bin/sh", "-c", 'exec "$@" > "$0"', opts.stdout, ...argv]
    : argv;
  return new Deno.Command(cmd!, {
    args,
    stdin: "null",
    stdout: "null",
    stderr: "null",
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    ...(opts.env ? { env: opts.env } : {}),
  }).spawn();
}
