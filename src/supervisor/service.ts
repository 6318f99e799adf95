/**
 * One service's lifecycle: spawn, forward its output, wait for its exit, apply the restart
 * policy, and stop its process group (stop signal, then SIGKILL after the stop timeout).
 *
 * @module
 */
import type { ServiceSpec } from "../config/mod.ts";
import type { LineListener, LogSink } from "../logs/mod.ts";
import type { Clock } from "./clock.ts";
import { describeStatus, type ProcessStatus, statusCode } from "./exit_code.ts";
import { type GroupWatcher, signalGroup } from "./process_group.ts";
import { decideRestart, INITIAL_RESTART_STATE, type RestartState } from "./restart_policy.ts";
import { type SpawnExtras, spawnPlan } from "./spawn_options.ts";
import { describeSpawnError, type Spawner } from "./spawner.ts";
import type { Ending, ServiceProgress } from "./start_order.ts";
import type { PidRegistry } from "../pid1/managed_pids.ts";
import type { ServicePhase } from "./service_phase.ts";

/** Pids of managed children, kept for the orphan reaper (which must skip them). */
export type { PidRegistry } from "../pid1/managed_pids.ts";

/** A running process of a service, as readiness and liveness hooks see it. */
export interface ServiceChild {
  /** Its pid (also its process group id). */
  readonly pid: number;
  /** Resolves when it exits. */
  readonly status: Promise<Deno.CommandStatus>;
  /** Aborted when it exits: stops probe loops. */
  readonly exited: AbortSignal;
  /**
   * Subscribes to its complete output lines (stdout and stderr).
   *
   * @param listener Called with each line, without its newline.
   * @returns A function that unsubscribes.
   */
  onLine(listener: LineListener): () => void;
  /**
   * Stops this process's group the way shutdown does (stop signal, SIGKILL after the stop
   * timeout); its exit then goes through the restart policy like any failure.
   *
   * @param reason Shown in nimi's message.
   * @returns A promise that resolves when the group is gone.
   */
  stop(reason: string): Promise<void>;
}

/**
 * Resolves when a freshly spawned process is ready (readiness probes plug in here).
 * Rejecting reports the error; the service then never counts as ready for that run.
 */
export type WaitReady = (spec: ServiceSpec, child: ServiceChild) => Promise<void>;

/**
 * The default readiness: ready as soon as spawned.
 *
 * @returns A resolved promise.
 */
export function readyAtSpawn(): Promise<void> {
  return Promise.resolve();
}

/** What a runner needs from the supervisor. */
export interface RunnerContext {
  /** Output and messages. */
  sink: LogSink;
  /** Time. */
  clock: Clock;
  /** Process creation. */
  spawner: Spawner;
  /** Shared group poller. */
  groups: GroupWatcher;
  /** Managed pid registry, or null. */
  registry: PidRegistry | null;
  /** Readiness hook. */
  waitReady: WaitReady;
  /** Called when `progress.started`, `progress.ready` or the runner's phase changes. */
  onProgress: () => void;
}

/** How a service's run ended for good. */
export interface ServiceEnd {
  /** Success, failure, or skipped (never spawned). */
  ending: Ending;
  /** Exit code of the last run (128 + N for a signal, 127/126 when it could not start). */
  code: number;
  /** Whether it ended because nimi stopped it. */
  stopped: boolean;
}

/** Runs one service until it ends for good or is stopped. */
export class ServiceRunner {
  /** The service. */
  readonly spec: ServiceSpec;
  /** What has happened so far (read by the start order). */
  readonly progress: ServiceProgress = { started: false, ready: false, ended: null };
  readonly #ctx: RunnerContext;
  readonly #extras: SpawnExtras;
  readonly #abort = new AbortController();
  readonly #groups = new Set<number>();
  readonly #cleanups = new Set<Promise<void>>();
  /** Resolves once the current process's exit has been observed and reported. */
  #exitReported: Promise<void> = Promise.resolve();
  #stopPromise: Promise<void> | null = null;
  #phase: ServicePhase = "starting";

  /**
   * Creates a runner; nothing starts before {@link ServiceRunner.run}.
   *
   * @param spec The service.
   * @param ctx What the supervisor provides.
   * @param extras Additions to the spawn options (environment, ids).
   */
  constructor(spec: ServiceSpec, ctx: RunnerContext, extras: SpawnExtras = {}) {
    this.spec = spec;
    this.#ctx = ctx;
    this.#extras = extras;
  }

  /** Whether a stop was requested. */
  get stopping(): boolean {
    return this.#abort.signal.aborted;
  }

  /** The service's phase (see {@link ServicePhase}). */
  get phase(): ServicePhase {
    return this.#phase;
  }

  #setPhase(phase: ServicePhase): void {
    if (this.#phase === phase) return;
    this.#phase = phase;
    this.#ctx.onProgress();
  }

  /**
   * Runs the service, restarting it as its policy says.
   *
   * @returns How it ended.
   */
  async run(): Promise<ServiceEnd> {
    const end = await this.#run();
    this.#setPhase(end.stopped ? "stopped" : end.ending === "success" ? "exited" : "failed");
    return end;
  }

  async #run(): Promise<ServiceEnd> {
    const { spec, clock, sink } = { ...this.#ctx, spec: this.spec };
    let state: RestartState = INITIAL_RESTART_STATE;
    while (true) {
      if (this.stopping) return { ending: "skipped", code: 0, stopped: true };
      const startedAt = clock.now();
      const status = await this.#runOnce();
      const code = statusCode(status);
      const success = code === 0;
      if (this.stopping) return { ending: success ? "success" : "failure", code, stopped: true };
      const decision = decideRestart(spec.restart, spec.type === "oneshot", state, {
        success,
        ranFor: clock.now() - startedAt,
      });
      state = decision.state;
      if (!decision.restart) {
        if (!success) sink.message(spec.name, `not restarted: ${decision.reason}`, "error");
        return { ending: success ? "success" : "failure", code, stopped: false };
      }
      this.#setPhase("restarting");
      const limit = spec.restart.mode === "up-to-count" ? ` of ${spec.restart.count}` : "";
      sink.message(
        spec.name,
        `restarting in ${formatSeconds(decision.delay)} (restart ${state.restarts}${limit})`,
      );
      if (decision.delay > 0 && !(await clock.sleep(decision.delay, this.#abort.signal))) {
        return { ending: success ? "success" : "failure", code, stopped: true };
      }
    }
  }

  /**
   * Stops the service: no more restarts, and the stop signal to each of its process groups in
   * parallel, SIGKILL after the stop timeout. Idempotent.
   *
   * @returns A promise that resolves when its groups are gone.
   */
  stop(): Promise<void> {
    if (this.#stopPromise) return this.#stopPromise;
    this.#abort.abort();
    if (this.#groups.size > 0) {
      this.#setPhase("stopping");
      this.#ctx.sink.message(this.spec.name, `stopping (${this.spec.stopSignal})`);
    }
    this.#stopPromise = Promise.all([
      ...[...this.#groups].map((g) => this.#stopGroup(g)),
      ...this.#cleanups,
    ]).then(() => this.#exitReported);
    return this.#stopPromise;
  }

  /** Sends SIGKILL to all of its groups at once and stops restarting. */
  kill(): void {
    this.#abort.abort();
    for (const g of this.#groups) signalGroup(g, "SIGKILL");
  }

  /**
   * Passes on a signal nimi received, as the service asks: SIGHUP becomes `reloadSignal` when
   * one is set; other signals are sent when listed in `forwardSignals`.
   *
   * @param signal The signal nimi received (`SIGHUP`).
   * @param always Send it whatever the service lists (job control: SIGSTOP, SIGCONT).
   * @returns Whether a signal was sent.
   */
  forward(signal: string, always = false): boolean {
    let send: string | null = null;
    if (always) send = signal;
    else if (signal === "SIGHUP" && this.spec.reloadSignal !== null) send = this.spec.reloadSignal;
    else if (this.spec.forwardSignals.includes(signal)) send = signal;
    if (send === null) return false;
    let sent = false;
    for (const g of this.#groups) sent = signalGroup(g, send as Deno.Signal) || sent;
    return sent;
  }

  /**
   * Waits for background clean-up of groups left behind by exited processes.
   *
   * @returns A promise that resolves when none is left.
   */
  async settled(): Promise<void> {
    while (this.#cleanups.size > 0) await Promise.all(this.#cleanups);
  }

  async #runOnce(): Promise<ProcessStatus> {
    const { spec } = this;
    const { sink, registry } = this.#ctx;
    let child: Deno.ChildProcess;
    this.#setPhase("starting");
    try {
      const plan = spawnPlan(spec, this.#extras);
      child = this.#ctx.spawner(plan.program, plan.options);
    } catch (e) {
      const failure = describeSpawnError(spec.argv[0]!, spec.workingDirectory, e);
      sink.message(spec.name, failure.message, "error");
      return { code: failure.code, signal: null };
    }
    const pid = child.pid;
    registry?.add(pid);
    let reported = () => {};
    this.#exitReported = new Promise((resolve) => (reported = resolve));
    this.#groups.add(pid);
    const exited = new AbortController();
    const listeners = new Set<LineListener>();
    const streams = [
      sink.stream(spec.name, "stdout", listeners),
      sink.stream(spec.name, "stderr", listeners),
    ] as const;
    // With `output: "inherit"` the service writes to nimi's own stdout and stderr: no pipes.
    const pumps = spec.output === "inherit"
      ? Promise.resolve()
      : Promise.all([streams[0].pump(child.stdout), streams[1].pump(child.stderr)]).catch(
        (e) => sink.message(spec.name, `reading output failed: ${errorText(e)}`, "error"),
      );
    sink.message(spec.name, `started (pid ${pid})`);
    this.progress.started = true;
    this.#phase = "running";
    this.#ctx.onProgress();
    const handle: ServiceChild = {
      pid,
      status: child.status,
      exited: exited.signal,
      onLine: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      stop: (reason) => {
        sink.message(spec.name, `stopping: ${reason}`);
        return this.#stopGroup(pid);
      },
    };
    this.#ctx.waitReady(spec, handle).then(
      () => {
        if (exited.signal.aborted) return;
        if (!this.stopping) this.#setPhase("ready");
        if (this.progress.ready) return;
        this.progress.ready = true;
        this.#ctx.onProgress();
      },
      (e) => sink.message(spec.name, `not ready: ${errorText(e)}`, "warning"),
    );
    const status = await child.status;
    registry?.delete(pid);
    exited.abort();
    if (!this.stopping && this.#ctx.groups.alive(pid)) {
      // The main process left children behind in its group: stop them like a shutdown would.
      sink.message(spec.name, `processes left in its group after exit: stopping them`, "warning");
      const cleanup = this.#stopGroup(pid).finally(() => this.#cleanups.delete(cleanup));
      this.#cleanups.add(cleanup);
    } else {
      // Every writer in the group is gone, so the output normally ends now: let it finish
      // first. A process that left the group (setsid) may still hold the pipes: do not wait
      // for it, its lines keep flowing in the background.
      // A backlog still draining is waited for (a restart must not overtake it); only output
      // that stopped flowing for the grace period is left behind.
      await settleWhileFlowing(pumps, () => streams[0].bytes + streams[1].bytes, OUTPUT_GRACE_MS);
      if (!this.stopping) this.#groups.delete(pid);
    }
    const failed = !this.stopping && statusCode(status) !== 0;
    sink.message(spec.name, describeStatus(status), failed ? "warning" : "info");
    reported();
    return status;
  }

  async #stopGroup(pgid: number): Promise<void> {
    const { spec } = this;
    const { sink, groups } = this.#ctx;
    if (!signalGroup(pgid, spec.stopSignal as Deno.Signal)) {
      this.#groups.delete(pgid);
      return;
    }
    if (!(await groups.waitGone(pgid, spec.stopTimeout))) {
      sink.message(
        spec.name,
        `did not stop within ${spec.stopTimeout} ms after ${spec.stopSignal}: sending SIGKILL`,
        "warning",
      );
      signalGroup(pgid, "SIGKILL");
      if (!(await groups.waitGone(pgid, 5000))) {
        sink.message(spec.name, `process group ${pgid} still has processes after SIGKILL`, "error");
      }
    }
    this.#groups.delete(pgid);
  }
}

/** How long an exited process's output may take to end before nimi goes on without it. */
const OUTPUT_GRACE_MS = 100;

async function settleWhileFlowing(
  p: Promise<unknown>,
  progress: () => number,
  ms: number,
): Promise<void> {
  let settled = false;
  const done = p.then(() => (settled = true), () => (settled = true));
  let seen = progress();
  while (true) {
    await settleWithin(done, ms);
    const now = progress();
    if (settled || now === seen) return;
    seen = now;
  }
}

async function settleWithin(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  try {
    await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Formats a delay for messages.
 *
 * @param ms Milliseconds.
 * @returns `0.05s`, `2s`.
 */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
