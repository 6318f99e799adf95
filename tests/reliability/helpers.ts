/**
 * Helpers for the reliability tests: a sandbox (its own TMPDIR and working directory, so a
 * test can list every file nimi created), running the real CLI in it, and reading numbers
 * from /proc.
 *
 * @module
 */
import { join } from "node:path";
import { type CliResult, REPO_ROOT, runCli } from "../helpers/cli.ts";

/** A private place to run nimi in. */
export interface Sandbox {
  /** The sandbox's root. */
  root: string;
  /** nimi's TMPDIR: configData and credentials directories go here. */
  tmp: string;
  /** nimi's working directory (the config is here; relative log dirs too). */
  work: string;
  /** Writes a config into `work`; returns its path. */
  config(value: unknown, name?: string): Promise<string>;
  /** Runs `nimi --config FILE <command>` in the sandbox. */
  nimi(file: string, command: string, env?: Record<string, string>): Promise<CliResult>;
  /** Removes the sandbox. */
  remove(): Promise<void>;
}

/**
 * Creates a sandbox under the system temp dir.
 *
 * @param tag Part of the directory name.
 * @returns The sandbox.
 */
export async function sandbox(tag: string): Promise<Sandbox> {
  const root = await Deno.makeTempDir({ prefix: `nimi-test-reliability-${tag}-` });
  const tmp = join(root, "tmp");
  const work = join(root, "work");
  await Deno.mkdir(tmp);
  await Deno.mkdir(work);
  return {
    root,
    tmp,
    work,
    async config(value, name = "nimi.json") {
      const path = join(work, name);
      await Deno.writeTextFile(path, JSON.stringify(value));
      return path;
    },
    nimi: (file, command, env = {}) =>
      runCli(["--config", file, command], {
        cwd: work,
        env: { TMPDIR: tmp, XDG_RUNTIME_DIR: "", ...env },
      }),
    remove: () => Deno.remove(root, { recursive: true }),
  };
}

/**
 * Every path under a directory, relative to it, sorted (symlinks not followed).
 *
 * @param dir The directory.
 * @returns The relative paths.
 */
export async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    for await (const e of Deno.readDir(join(dir, rel))) {
      const p = rel === "" ? e.name : `${rel}/${e.name}`;
      out.push(p);
      if (e.isDirectory) await walk(p);
    }
  };
  await walk("");
  return out.sort();
}

/**
 * Writes one line to stderr: a figure the test measured, or why a step is skipped.
 *
 * @param text The line.
 */
export function note(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(`${text}\n`));
}

/** Whether this test process runs as root. */
export const IS_ROOT: boolean = Deno.uid() === 0;

/**
 * A process's resident set size.
 *
 * @param pid The process.
 * @returns VmRSS in KiB, or null once it is gone.
 */
export function rssKiB(pid: number): number | null {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Number(status.match(/^VmRSS:\s+(\d+) kB$/m)?.[1] ?? NaN);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/**
 * CPU time a process has used (user + system), in clock ticks.
 *
 * @param pid The process.
 * @returns The ticks.
 */
export function cpuTicks(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * Samples a process's RSS every 50 ms until stopped.
 *
 * @param pid The process.
 * @returns `stop()` returns the peak, in KiB.
 */
export function sampleRss(pid: number): { stop(): number } {
  let peak = 0;
  const timer = setInterval(() => {
    const rss = rssKiB(pid);
    if (rss !== null && rss > peak) peak = rss;
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

/**
 * Starts `nimi --config FILE run` with stdout and stderr sent to files (large floods are not
 * read through a pipe by the test), in `cwd`.
 *
 * @param cwd Working directory.
 * @param file The config.
 * @param env Extra environment.
 * @returns The process (its pid is nimi's) and the paths of its output files.
 */
export function spawnNimiToFiles(
  cwd: string,
  file: string,
  env: Record<string, string> = {},
): { child: Deno.ChildProcess; stdout: string; stderr: string } {
  const stdout = join(cwd, "nimi.out");
  const stderr = join(cwd, "nimi.err");
  const child = new Deno.Command("sh", {
    args: [
      "-c",
      `exec "$0" run -A "$1" --config "$2" run > "$3" 2> "$4"`,
      Deno.execPath(),
      `${REPO_ROOT}/mod.ts`,
      file,
      stdout,
      stderr,
    ],
    cwd,
    env: { NO_COLOR: "1", TMPDIR: cwd, ...env },
    stdin: "null",
  }).spawn();
  return { child, stdout, stderr };
}

/**
 * Polls until a condition holds.
 *
 * @param what Named in the error.
 * @param check The condition.
 * @param timeoutMs Give up after this long.
 */
export async function waitUntil(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
