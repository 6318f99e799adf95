/**
 * One unit at run time: a service (or the startup hook) with everything nimi knows about it in
 * one object: its plan, its preparation, its processes, its restart state and its published
 * {@link UnitState}. It spawns through the {@link Spawner} seam, forwards output to the log
 * sink, applies the restart policy, waits for readiness, watches liveness, and stops through
 * its {@link KillController} (stop signal to every group, SIGKILL after the stop timeout).
 *
 * @module
 */
import type { Signal } from "../config/mod.ts";
import type { LineListener, LogSink } from "../logs/mod.ts";
import { sharedPoller } from "../logs/pipe_poller.ts";
import type { PidRegistry } from "../pid1/managed_pids.ts";
import type { Child, Spawner } from "./child.ts";
import type { Clock } from "./clock.ts";
import { describeStatus, type ProcessStatus, statusCode } from "./exit_code.ts";
import type { UnitPlan } from "./plan.ts";
import type { ProbeRole } from "./probe.ts";
import { decideRestart, INITIAL_RESTART_STATE, type RestartState } from "./restart_policy.ts";
import { describeSpawnError } from "./spawner.ts";
import type { Ending, ServiceProgress } from "./start_order.ts";
import { KillController } from "./stop.ts";
import type { PreparedUnit } from "./unit_prepare.ts";
import type { Phase, UnitState } from "./unit_state.ts";
import { settleWhileProgressing } from "../timers.ts";

/** What a unit needs from the supervisor. */
export interface UnitContext {
  /** Output and messages. */
  sink: LogSink;
  /** Time. */
  clock: Clock;
  /** Process creation. */
  spawner: Spawner;
  /** Managed pid registry, or null. */
  registry: PidRegistry | null;
  /** The supervisor's controller: its kills reach every unit. */
  root: KillController;
  /**
   * Prepares the unit (configData, credentials, probes) before a run.
   *
   * @param unit The unit's plan.
   * @param onProbe Called after each probe attempt.
   */
  prepare(unit: UnitPlan, onProbe: (role: ProbeRole, ok: boolean) => void): Promise<PreparedUnit>;
  /** Called when `progress.started` or `progress.ready` changes. */
  onProgress(): void;
  /**
   * Called whenever the published state changes.
   *
   * @param state The new state.
   */
  onState(state: UnitState): void;
}

/** How a run of the unit ended. */
export interface ServiceEnd {
  /** Success, failure, or skipped (never spawned). */
  ending: Ending;
  /** Exit code of the last process (128 + N for a signal, 127/126 when it could not start). */
  code: number;
  /** Whether it ended because it was stopped. */
  stopped: boolean;
}

/** One service at run time. */
export class Unit {
  /** The unit's plan. */
  readonly plan: UnitPlan;
  /** What has happened so far (read by the start order). */
  readonly progress: ServiceProgress = { started: false, ready: false, ended: null };
  readonly #ctx: UnitContext;
  #state: UnitState;
  #prepared: PreparedUnit | null = null;
  #kill: KillController | null = null;
  /** Processes whose groups may still be alive (the current one and leftovers). */
  readonly #children = new Set<Child>();
  readonly #cleanups = new Set<Promise<void>>();
  #current: Child | null = null;
  #exitReported: Promise<void> = Promise.resolve();
  #stopPromise: Promise<void> | null = null;
  #run: Promise<ServiceEnd> | null = null;
  #restartNow = false;
  #wake: AbortController | null = null;

  /**
   * Creates a unit; nothing starts before {@link Unit.run}.
   *
   * @param plan The unit's plan.
   * @param ctx What the supervisor provides.
   */
  constructor(plan: UnitPlan, ctx: UnitContext) {
    this.plan = plan;
    this.#ctx = ctx;
    this.#state = {
      name: plan.spec.name,
      phase: "waiting",
      pid: null,
      restarts: 0,
      lastExit: null,
      since: new Date().toISOString(),
      ready: null,
      healthy: null,
      restartInMs: null,
      stopRequested: false,
      oneshot: plan.spec.type === "oneshot",
      detail: null,
    };
  }

  /** The service's name. */
  get name(): string {
    return this.plan.spec.name;
  }

  /** The published state (a copy). */
  get state(): UnitState {
    return { ...this.#state };
  }

  /** Whether a run is in progress (spawned, restarting or stopping). */
  get active(): boolean {
    return this.#run !== null;
  }

  /** Whether the current run was asked to stop. */
  get stopping(): boolean {
    return this.#kill?.stopped ?? false;
  }

  /**
   * Prepares the unit if it is not prepared yet (configData, credentials, probes).
   *
   * @throws {Error} When a part cannot be prepared.
   */
  async prepare(): Promise<void> {
    if (this.#prepared !== null) return;
    this.#prepared = await this.#ctx.prepare(this.plan, (role, ok) => {
      if (role === "liveness" && this.#current !== null) this.#update({ healthy: ok });
    });
  }

  /** Undoes the preparation (the unit has ended for good, or nimi exits). */
  async release(): Promise<void> {
    const prepared = this.#prepared;
    this.#prepared = null;
    await prepared?.release();
  }

  /**
   * Runs the unit until it ends for good or is stopped, restarting it as its policy says.
   * Clears an earlier stop request.
   *
   * @returns How the run ended.
   * @throws {Error} When a run is already in progress, or preparation fails.
   */
  run(): Promise<ServiceEnd> {
    if (this.#run !== null) throw new Error(`Cannot run "${this.name}": it is already running`);
    const kill = this.#ctx.root.linkChild();
    this.#kill = kill;
    this.#stopPromise = null;
    this.#update({ stopRequested: false, detail: null });
    const off = kill.listen((signal) => {
      for (const c of this.#children) c.signal(signal);
    });
    this.#run = this.#loop(kill).finally(() => {
      off();
      kill.unlink();
      this.#run = null;
    });
    return this.#run;
  }

  /**
   * Stops the unit: no more restarts, and its stop signal to each of its process groups,
   * SIGKILL after the stop timeout. Idempotent for one run.
   *
   * @param byRequest Whether a user asked for it (`nimi stop`): the unit then stays stopped
   *   until started again. Otherwise nimi is shutting down.
   * @returns A promise that resolves when its groups are gone and its exit was reported.
   */
  stop(byRequest = false): Promise<void> {
    if (byRequest) this.#update({ stopRequested: true });
    const kill = this.#kill;
    if (kill === null || this.#run === null) return Promise.resolve();
    if (this.#stopPromise !== null) return this.#stopPromise;
    const { spec } = this.plan;
    if (this.#children.size > 0) {
      this.#ctx.sink.message(this.name, `stopping (${spec.stopSignal})`);
      this.#update({ phase: "stopping" });
    }
    kill.kill(spec.stopSignal, byRequest ? "stopped by request" : "nimi is stopping");
    this.#stopPromise = Promise.all([
      ...[...this.#children].map((c) => this.#awaitGone(c)),
      ...this.#cleanups,
    ]).then(() => this.#exitReported);
    return this.#stopPromise;
  }

  /**
   * Restarts the unit's process now (stop signal, then a new spawn without a restart delay);
   * a unit that is not running is started.
   *
   * @returns Resolves once the old process is gone (or at once when none runs).
   */
  async restart(): Promise<void> {
    if (this.#run === null || this.stopping) return;
    this.#restartNow = true;
    this.#wake?.abort();
    const child = this.#current;
    if (child !== null) await this.#stopChild(child, "restart requested");
  }

  /**
   * Sends a signal to every process group of the unit now.
   *
   * @param signal The signal.
   * @returns Whether a group received it.
   */
  send(signal: Signal): boolean {
    let sent = false;
    for (const c of this.#children) sent = c.signal(signal) || sent;
    return sent;
  }

  /**
   * Passes on a signal nimi received, as the service asks: SIGHUP becomes `reloadSignal` when
   * one is set; other signals are sent when listed in `forwardSignals`.
   *
   * @param signal The signal nimi received.
   * @returns Whether a signal was sent.
   */
  forward(signal: Signal): boolean {
    const { spec } = this.plan;
    let send: Signal | null = null;
    if (signal === "SIGHUP" && spec.reloadSignal !== null) send = spec.reloadSignal;
    else if (spec.forwardSignals.includes(signal)) send = signal;
    return send === null ? false : this.send(send);
  }

  /**
   * Marks a unit that will never start (a dependency failed, or nimi is stopping).
   *
   * @param phase `failed` or `stopped`.
   * @param detail Why.
   */
  skip(phase: "failed" | "stopped", detail: string): void {
    this.#update({ phase, detail, pid: null });
  }

  /**
   * Waits for background clean-up of groups left behind by exited processes.
   *
   * @returns A promise that resolves when none is left.
   */
  async settled(): Promise<void> {
    while (this.#cleanups.size > 0) await Promise.all(this.#cleanups);
  }

  async #loop(kill: KillController): Promise<ServiceEnd> {
    const { spec } = this.plan;
    const { clock, sink } = this.#ctx;
    let state: RestartState = INITIAL_RESTART_STATE;
    let first = true;
    while (true) {
      if (kill.stopped) {
        this.#update({ phase: "stopped", pid: null });
        return { ending: "skipped", code: 0, stopped: true };
      }
      if (!first) this.#update({ restarts: this.#state.restarts + 1 });
      first = false;
      await this.prepare();
      const startedAt = clock.now();
      const status = await this.#runOnce(kill);
      const code = statusCode(status);
      const success = spec.successExitCodes.includes(code);
      const ending: Ending = success ? "success" : "failure";
      if (kill.stopped) {
        this.#update({ phase: "stopped", pid: null });
        return { ending, code, stopped: true };
      }
      if (this.#restartNow) {
        this.#restartNow = false;
        continue;
      }
      const decision = decideRestart(spec.restart, spec.type === "oneshot", state, {
        success,
        ranFor: clock.now() - startedAt,
      });
      state = decision.state;
      if (!decision.restart) {
        if (!success) sink.message(spec.name, `not restarted: ${decision.reason}`, "error");
        this.#update({ phase: success ? "exited" : "failed", pid: null, detail: decision.reason });
        return { ending, code, stopped: false };
      }
      const limit = spec.restart.mode === "up-to-count" ? ` of ${spec.restart.count}` : "";
      sink.message(
        spec.name,
        `restarting in ${formatSeconds(decision.delay)} (restart ${state.restarts}${limit})`,
      );
      this.#update({ phase: "restarting", pid: null, restartInMs: decision.delay });
      if (decision.delay > 0) {
        const wake = new AbortController();
        this.#wake = wake;
        await clock.sleep(decision.delay, AbortSignal.any([kill.signal, wake.signal]));
        this.#wake = null;
        this.#restartNow = false;
      }
    }
  }

  async #runOnce(kill: KillController): Promise<ProcessStatus> {
    const { spec } = this.plan;
    const { sink, registry } = this.#ctx;
    const prepared = this.#prepared!;
    let child: Child;
    this.#update({ phase: "starting" });
    try {
      child = this.#ctx.spawner(prepared.launch);
    } catch (e) {
      const failure = describeSpawnError(spec.argv[0]!, spec.workingDirectory, e);
      sink.message(spec.name, failure.message, "error");
      const status = { code: failure.code, signal: null };
      this.#update({ lastExit: status, detail: failure.message });
      return status;
    }
    const pid = child.pid;
    registry?.add(pid);
    let reported = () => {};
    this.#exitReported = new Promise((resolve) => (reported = resolve));
    this.#children.add(child);
    this.#current = child;
    const exited = new AbortController();
    const listeners = new Set<LineListener>();
    const streams = {
      stdout: sink.stream(spec.name, "stdout", listeners),
      stderr: sink.stream(spec.name, "stderr", listeners),
    };
    const pump = (s: "stdout" | "stderr") => {
      const fd = child.outputFds?.[s] ?? null;
      const poller = fd === null ? null : sharedPoller();
      if (poller !== null) return streams[s].pumpFd(poller, fd!);
      const stream = child[s];
      return stream === null ? null : streams[s].pump(stream);
    };
    const pumps = Promise.all([pump("stdout"), pump("stderr")]).catch((e) =>
      sink.message(spec.name, `reading output failed: ${errorText(e)}`, "error")
    );
    sink.message(spec.name, `started (pid ${pid})`);
    const probes = prepared.probes;
    const hasReadiness = spec.readiness !== null;
    // Without a readiness probe a service is ready once spawned.
    this.#update({
      phase: hasReadiness ? "running" : "ready",
      pid,
      ready: hasReadiness ? false : null,
      healthy: null,
      restartInMs: null,
      detail: null,
    });
    this.progress.started = true;
    this.#ctx.onProgress();
    if (probes !== null) {
      const run = probes.run();
      if (spec.readiness?.type === "log" || spec.liveness?.type === "log") {
        listeners.add((line) => run.feedLine(line));
      }
      const watchLiveness = () => {
        if (!probes.hasLiveness || exited.signal.aborted) return;
        run.watchLiveness(exited.signal).then(async (failure) => {
          if (failure === null || exited.signal.aborted) return;
          await this.#stopChild(
            child,
            `liveness probe failed ${failure.failures} times in a row (${failure.detail})`,
          );
        }).catch((e) => sink.message(spec.name, `liveness probe error: ${errorText(e)}`, "error"));
      };
      if (!probes.hasReadiness) {
        this.#markReady(exited.signal, false);
        watchLiveness();
      } else {
        // Liveness watches a service that is up: it starts once the readiness probe passed,
        // so a slow start is not mistaken for a hang.
        run.waitReady(exited.signal).then(() => {
          this.#markReady(exited.signal, true);
          watchLiveness();
        }, (e) => {
          // The process exited before it was ready: the restart policy handles that.
          if (!exited.signal.aborted) {
            sink.message(spec.name, `not ready: ${errorText(e)}`, "warning");
          }
        });
      }
    } else {
      this.#markReady(exited.signal, false);
    }
    const status = await child.status;
    registry?.delete(pid);
    exited.abort();
    this.#current = null;
    if (!kill.stopped && !this.#restartNow && child.groupAlive()) {
      // The main process left children behind in its group: stop them like a shutdown would.
      sink.message(spec.name, `processes left in its group after exit: stopping them`, "warning");
      const cleanup = this.#awaitGone(child, true).finally(() => this.#cleanups.delete(cleanup));
      this.#cleanups.add(cleanup);
    } else {
      // Every writer in the group is gone, so the output normally ends now: let it finish
      // first. A process that left the group (setsid) may still hold the pipes: do not wait
      // for it, its lines keep flowing in the background.
      // A backlog still draining is waited for (a restart must not overtake it); only output
      // that stopped flowing for the grace period is left behind.
      const flowed = () => streams.stdout.bytes + streams.stderr.bytes;
      await settleWhileProgressing(pumps, flowed, OUTPUT_GRACE_MS);
      if (!kill.stopped) this.#children.delete(child);
    }
    const failed = !kill.stopped && !spec.successExitCodes.includes(statusCode(status));
    sink.message(spec.name, describeStatus(status), failed ? "warning" : "info");
    this.#update({
      pid: null,
      lastExit: { code: status.signal === null ? status.code : null, signal: status.signal },
    });
    reported();
    return status;
  }

  #markReady(exited: AbortSignal, probed: boolean): void {
    if (exited.aborted) return;
    if (probed) this.#update({ phase: this.stopping ? "stopping" : "ready", ready: true });
    if (this.progress.ready) return;
    this.progress.ready = true;
    this.#ctx.onProgress();
  }

  /** Stops one process's group the way shutdown does; its exit then goes through the policy. */
  async #stopChild(child: Child, reason: string): Promise<void> {
    this.#ctx.sink.message(this.name, `stopping: ${reason}`);
    await this.#awaitGone(child, true);
  }

  /**
   * Waits for a group to go after its stop signal (sent here when `signal`), SIGKILL after
   * the stop timeout.
   */
  async #awaitGone(child: Child, signal = false): Promise<void> {
    const { spec } = this.plan;
    const { sink } = this.#ctx;
    if (signal && !child.signal(spec.stopSignal)) {
      this.#children.delete(child);
      return;
    }
    if (!(await child.waitGroupGone(spec.stopTimeout))) {
      sink.message(
        spec.name,
        `did not stop within ${spec.stopTimeout} ms after ${spec.stopSignal}: sending SIGKILL`,
        "warning",
      );
      child.signal("SIGKILL");
      if (!(await child.waitGroupGone(5000))) {
        sink.message(
          spec.name,
          `process group ${child.pid} still has processes after SIGKILL`,
          "error",
        );
      }
    }
    this.#children.delete(child);
  }

  #update(patch: Partial<UnitState>): void {
    const next: UnitState = { ...this.#state, ...patch };
    if (patch.phase !== undefined && patch.phase !== this.#state.phase) {
      next.since = new Date().toISOString();
      if (patch.phase !== "restarting") next.restartInMs = null;
    }
    this.#state = next;
    this.#ctx.onState({ ...next });
  }
}

/** Phases in which a unit has a live process. */
export const LIVE_PHASES: ReadonlySet<Phase> = new Set([
  "starting",
  "running",
  "ready",
  "stopping",
]);

/** How long an exited process's output may take to end before nimi goes on without it. */
const OUTPUT_GRACE_MS = 100;

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
