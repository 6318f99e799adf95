/**
 * Running the real CLI in init mode (`deno run -A mod.ts [OPTIONS] -- PROGRAM`) for the init
 * tests: as PID 1 of a new PID namespace or as an ordinary child (a subreaper), with its output
 * followed as it comes.
 *
 * @module
 */
import { readStat } from "../../src/pid1/proc.ts";
import { type WatchedOutput, watchOutput } from "../helpers/output.ts";
import { descendants, findDescendant, pid1Prefix, REPO } from "../pid1/helpers.ts";
import { killIfRunning } from "../helpers/kill.ts";

export { REPO };

/** The signal-printing fixture. */
export const PRINT_SIGNALS = `${REPO}tests/init/fixtures/print_signals.py`;

/** A running init-mode nimi. */
export interface Init extends WatchedOutput {
  /** What was spawned (unshare, or deno itself). */
  child: Deno.ChildProcess;
  /** nimi's pid as seen from here. */
  pid: number;
  /** Kills nimi and what it started (for `finally`). */
  kill(): Promise<void>;
}

/** How to start it. */
export interface InitRun {
  /** As PID 1 of a new PID namespace. */
  pid1?: boolean;
  /** Options before `--`. */
  options?: string[];
  /** Standard input. */
  stdin?: "null" | "piped";
  /** Extra environment. */
  env?: Record<string, string>;
  /** Working directory. */
  cwd?: string;
  /** Programs in front of everything (e.g. `sh -c 'trap "" INT; exec "$@"' sh`). */
  wrapper?: string[];
}

/**
 * Starts `nimi [OPTIONS] -- PROGRAM...`.
 *
 * @param program The program and its arguments.
 * @param run How.
 * @returns The running nimi.
 */
export async function startInit(program: string[], run: InitRun = {}): Promise<Init> {
  const argv = [
    ...(run.wrapper ?? []),
    ...(run.pid1 ? pid1Prefix() : []),
    Deno.execPath(),
    "run",
    "-A",
    `${REPO}mod.ts`,
    ...(run.options ?? []),
    "--",
    ...program,
  ];
  const child = new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    env: { NO_COLOR: "1", ...run.env },
    stdin: run.stdin ?? "null",
    stdout: "piped",
    stderr: "piped",
    ...(run.cwd ? { cwd: run.cwd } : {}),
  }).spawn();
  const output = watchOutput(child);
  let pid: number;
  try {
    pid = await findDescendant(child.pid, "deno");
  } catch (e) {
    child.kill("SIGKILL");
    await output.done;
    throw e;
  }
  return {
    ...output,
    child,
    pid,
    async kill(): Promise<void> {
      // Outside a PID namespace the program outlives a killed nimi: take it too.
      const family = descendants(pid).map((p) => p.pid);
      for (const p of [pid, child.pid, ...family]) killIfRunning(p);
      // A program in a session of its own may have left the tree: its group too.
      for (const p of family) killIfRunning(-p);
      // Its output ends once nothing holds the pipes; never hang the suite on a stray holder.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<"late">((r) => timer = setTimeout(() => r("late"), 10_000));
      const ended = await Promise.race([output.done.then(() => "done" as const), late]);
      clearTimeout(timer);
      if (ended === "late") throw new Error(`nimi's output still open 10 s after SIGKILL`);
    },
  };
}

/**
 * The state letter of a process (`S`, `T`, `Z`), or null when gone.
 *
 * @param pid The process.
 * @returns Its state.
 */
export function stateOf(pid: number): string | null {
  return readStat(pid)?.state ?? null;
}

/**
 * Waits until a condition holds, polling every millisecond.
 *
 * @param what Shown when it times out.
 * @param test The condition.
 * @param ms The deadline.
 */
export async function until(what: string, test: () => boolean, ms = 10_000): Promise<void> {
  const end = performance.now() + ms;
  while (!test()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/**
 * Counts the lines of stdout that are exactly `text`.
 *
 * @param stdout The output.
 * @param text The line.
 * @returns How many.
 */
export function countLines(stdout: string, text: string): number {
  return stdout.split("\n").filter((l) => l === text).length;
}
