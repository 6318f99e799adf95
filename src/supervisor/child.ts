/**
 * The process seam: the one place where the supervisor meets real processes. A {@link Spawner}
 * turns a spawn plan into a {@link Child}, a small interface (pid, output streams, status, a
 * signal to its whole process group, and a wait until that group is gone), so the supervisor's
 * decisions are tested with a fake child and no processes (tests/helpers/fake_child.ts).
 *
 * @module
 */
import type { Signal } from "../config/mod.ts";
import { withUsr1Unblocked } from "../pid1/usr1_guard.ts";
import type { ProcessStatus } from "./exit_code.ts";
import { GroupWatcher, signalGroup } from "./process_group.ts";
import type { SpawnPlan } from "./spawn_options.ts";
import { type Started, startProcess } from "./setsid_spawn.ts";
import { sharedPoller } from "../logs/pipe_poller.ts";

/** A running process of a service, leading its own process group. */
export interface Child {
  /** Its pid (also its process group id). */
  readonly pid: number;
  /** Its standard output, or null when it does not go through nimi or `outputFds` has it. */
  readonly stdout: ReadableStream<Uint8Array> | null;
  /** Its standard error, or null when it does not go through nimi or `outputFds` has it. */
  readonly stderr: ReadableStream<Uint8Array> | null;
  /**
   * nimi's own descriptors of its output pipes, where the shared pipe poller found them
   * (src/logs/pipe_poller.ts): read them there (the poller closes them at the end). Absent
   * or null: read the stream.
   */
  readonly outputFds?: OutputFds;
  /** Resolves when the process itself exits (its group may live on). */
  readonly status: Promise<ProcessStatus>;
  /**
   * Sends a signal to every process of its group.
   *
   * @param signal The signal.
   * @returns false when the group is already gone.
   */
  signal(signal: Signal): boolean;
  /**
   * Whether a live (non-zombie) process is left in its group.
   *
   * @returns true while one is.
   */
  groupAlive(): boolean;
  /**
   * Waits until its group is empty or the time is up.
   *
   * @param timeoutMs Milliseconds to wait at most.
   * @returns true when the group is gone, false on timeout.
   */
  waitGroupGone(timeoutMs: number): Promise<boolean>;
}

/** nimi's descriptors of a child's output pipes (null: read its stream instead). */
export interface OutputFds {
  /** Standard output. */
  stdout: number | null;
  /** Standard error. */
  stderr: number | null;
}

/**
 * Starts a process from a plan.
 *
 * @throws What `Deno.Command.spawn` throws when the program cannot be started.
 */
export type Spawner = (plan: SpawnPlan) => Child;

/**
 * The real spawner: `new Deno.Command(program, options).spawn()`, with one shared group poller
 * for every child it starts.
 *
 * @param groups The group poller.
 * @returns A spawner.
 * @example
 * ```ts
 * const spawn = processSpawner();
 * const child = spawn({ program: "/bin/true", options: { detached: true } });
 * await child.status;
 * ```
 */
export function processSpawner(groups: GroupWatcher = new GroupWatcher()): Spawner {
  return (plan) => {
    // Piped output is read through the shared poller where it finds the pipes (pipe_poller.ts).
    const isPiped = (s: "stdout" | "stderr") => (plan.options[s] ?? "inherit") === "piped";
    const poller = isPiped("stdout") || isPiped("stderr") ? sharedPoller() : null;
    const mark = poller?.mark() ?? null;
    // Where nimi keeps SIGUSR1 blocked from Deno's inspector, the child must not inherit that.
    // A detached plan starts through `setsid` where that is equivalent (setsid_spawn.ts).
    const started = withUsr1Unblocked(() => startProcess(plan.program, plan.options));
    const proc = started.process;
    const piped = (s: "stdout" | "stderr") => isPiped(s) ? proc[s] : null;
    const pid = proc.pid;
    const fd = (s: "stdout" | "stderr", target: number) =>
      poller !== null && mark !== null && isPiped(s) ? poller.find(pid, target, mark) : null;
    const fds = { stdout: fd("stdout", 1), stderr: fd("stderr", 2) };
    const stream = (s: "stdout" | "stderr") => {
      if (fds[s] === null) return piped(s);
      // The poller reads its own duplicate: cancelling Deno's stream of the same pipe, never
      // read, closes Deno's descriptor and frees the stream's state (it does not reject).
      void proc[s].cancel();
      return null;
    };
    return childOf(started, groups, stream("stdout"), stream("stderr"), fds);
  };
}

/**
 * The child's handle. Its closures capture only what they use (not the spawn's plan, mark or
 * helpers): each running service keeps them for its whole life.
 */
function childOf(
  started: Started,
  groups: GroupWatcher,
  stdout: ReadableStream<Uint8Array> | null,
  stderr: ReadableStream<Uint8Array> | null,
  outputFds: OutputFds,
): Child {
  const pid = started.process.pid;
  return {
    pid,
    stdout,
    stderr,
    outputFds,
    status: started.process.status,
    signal: (signal) => {
      started.leading();
      return signalGroup(pid, signal);
    },
    groupAlive: () => {
      started.leading();
      return groups.alive(pid);
    },
    waitGroupGone: (timeoutMs) => {
      started.leading();
      return groups.waitGone(pid, timeoutMs);
    },
  };
}
