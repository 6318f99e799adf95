/**
 * The supervisor: runs a {@link RunPlan}'s units: the startup hook first, then every service
 * as its dependencies allow; stops them (dependents first, each layer in parallel); and acts on
 * one service at a time for the control API (start, stop, restart, signal, reload). Each
 * service is one {@link Unit}; the supervisor keeps only the order and the run's outcome.
 *
 * @module
 */
import { type NimiConfig, type ServiceSpec, type Signal, startLayers } from "../config/mod.ts";
import type { LogSink } from "../logs/mod.ts";
import type { PidRegistry } from "../pid1/managed_pids.ts";
import { processSpawner, type Spawner } from "./child.ts";
import { type Clock, realClock } from "./clock.ts";
import { configDirBase } from "./config_dir.ts";
import { nimiExitCode } from "./exit_code.ts";
import type { Identity } from "./identity.ts";
import { planRun, type RunPlan, type UnitPlan } from "./plan.ts";
import { diffServices, type ReloadDiff } from "./reload_diff.ts";
import { nextToStart, type ServiceProgress } from "./start_order.ts";
import { KillController } from "./stop.ts";
import { type ServiceEnd, Unit, type UnitContext } from "./unit.ts";
import { prepareUnit } from "./unit_prepare.ts";
import type { UnitState } from "./unit_state.ts";
import type { ServicePhaseView } from "./service_phase.ts";

/** Options for {@link Supervisor}. */
export interface SupervisorOptions {
  /** Where output and messages go. */
  sink: LogSink;
  /** Time source. @default the real clock */
  clock?: Clock;
  /** Process creation. @default {@link processSpawner} */
  spawner?: Spawner;
  /** Told about every managed pid (for the orphan reaper). */
  registry?: PidRegistry;
  /**
   * Parent of configData directories (null: the temp dir).
   * @default `$XDG_RUNTIME_DIR` when it is a directory, else the temp dir
   */
  configDirBase?: string | null;
  /** Parent of the credentials and notify directories. @default the temp dir */
  baseDir?: string;
  /** Users and groups by service name (from `resolveIdentities`). @default none */
  identities?: ReadonlyMap<string, Identity | null>;
  /** Run only these services and what they depend on. @default every service */
  only?: readonly string[];
  /**
   * Called after services changed phase or a stop began (coalesced: at most once per
   * microtask turn); read {@link Supervisor.phases} and {@link Supervisor.stopping} in it.
   */
  onChange?: () => void;
}

/** Why a control request cannot be done. */
export class ControlError extends Error {
  /** `unknown`: no such service (404); `conflict`: not possible in its phase (409). */
  readonly kind: "unknown" | "conflict";

  /**
   * Creates the error.
   *
   * @param kind What went wrong.
   * @param message The message for the client.
   */
  constructor(kind: "unknown" | "conflict", message: string) {
    super(message);
    this.name = "ControlError";
    this.kind = kind;
  }
}

/** Runs every service of a config and reports nimi's exit code. */
export class Supervisor {
  #plan: RunPlan;
  readonly #options: SupervisorOptions;
  readonly #ctx: UnitContext;
  readonly #root = new KillController();
  /** Every service unit, in plan order. */
  #units = new Map<string, Unit>();
  readonly #waiting = new Set<string>();
  readonly #running = new Map<string, Promise<void>>();
  /** Units stopped by request: they keep nimi running until started again. */
  readonly #held = new Set<string>();
  readonly #listeners = new Set<(state: UnitState) => void>();
  #hook: Unit | null = null;
  #started = false;
  #stopping = false;
  #stopPromise: Promise<void> | null = null;
  #firstFailure: number | null = null;
  /** Reloads in progress: the run does not end while one swaps units. */
  #reloading = 0;
  #scheduled = false;
  #changeQueued = false;
  #done: (() => void) | null = null;

  /**
   * Creates a supervisor; nothing starts before {@link Supervisor.run}.
   *
   * @param config The normalised config.
   * @param options See {@link SupervisorOptions}.
   * @throws {RangeError} When `options.only` names an unknown service.
   */
  constructor(config: NimiConfig, options: SupervisorOptions) {
    this.#options = options;
    this.#plan = this.#planFor(config, options.identities);
    const base = options.configDirBase !== undefined ? options.configDirBase : configDirBase();
    this.#ctx = {
      sink: options.sink,
      clock: options.clock ?? realClock,
      spawner: options.spawner ?? processSpawner(),
      registry: options.registry ?? null,
      root: this.#root,
      prepare: (unit, onProbe) =>
        prepareUnit(unit, {
          configDirBase: base,
          ...(options.baseDir === undefined ? {} : { baseDir: options.baseDir }),
          message: (text, level) => options.sink.message(unit.spec.name, text, level),
          onProbe,
        }),
      onProgress: () => this.#schedule(),
      onState: (state) => {
        for (const listener of this.#listeners) listener(state);
        this.#changed();
      },
    };
    for (const u of this.#plan.units) this.#units.set(u.spec.name, new Unit(u, this.#ctx));
  }

  /** Whether a stop has been requested. */
  get stopping(): boolean {
    return this.#stopping;
  }

  /** The config being run (the latest one after a reload). */
  get config(): NimiConfig {
    return this.#plan.config;
  }

  /**
   * Every service's phase, in the config's order.
   *
   * @returns One entry per service.
   */
  phases(): ServicePhaseView[] {
    return [...this.#units.values()].map((u) => ({ name: u.name, phase: u.state.phase }));
  }

  /**
   * Runs everything until every service has ended for good, or until stopped.
   *
   * @returns nimi's exit code (see the exit code policy in exit_code.ts).
   */
  async run(): Promise<number> {
    const { sink } = this.#options;
    this.#started = true;
    try {
      const hookCode = await this.#runStartupHook();
      if (hookCode !== 0) return hookCode;
      if (this.#stopping) return nimiExitCode({ firstFailure: this.#firstFailure });
      // A service that cannot be prepared (a credential file missing, an unknown user) is a
      // mistake in the config or its environment: nothing starts, exit code 2.
      if (!(await this.#prepareAll([...this.#units.values()]))) return 2;
      for (const name of this.#units.keys()) this.#waiting.add(name);
      const done = new Promise<void>((resolve) => (this.#done = resolve));
      this.#startReady();
      await done;
      await this.#stopPromise;
      await Promise.all([...this.#units.values()].map((u) => u.settled()));
      return nimiExitCode({ firstFailure: this.#firstFailure });
    } finally {
      const units = [...this.#units.values()];
      const results = await Promise.allSettled(units.map((u) => u.release()));
      for (const r of results) {
        if (r.status === "rejected") {
          sink.message(null, `clean-up failed: ${errorText(r.reason)}`, "error");
        }
      }
    }
  }

  /**
   * Stops every service gracefully: dependents first, each layer in parallel, each group
   * getting its stop signal and SIGKILL after its stop timeout. Idempotent.
   *
   * @returns A promise that resolves when every group is gone.
   */
  stop(): Promise<void> {
    if (this.#stopPromise) return this.#stopPromise;
    this.#stopping = true;
    this.#changed();
    this.#stopPromise = (async () => {
      await this.#hook?.stop();
      this.#schedule();
      for (const layer of this.#plan.stopOrder) {
        await Promise.all(layer.map((name) => this.#units.get(name)?.stop()));
      }
    })();
    return this.#stopPromise;
  }

  /** Sends SIGKILL to every service's process groups now (the second Ctrl-C). */
  kill(): void {
    this.#stopping = true;
    this.#root.kill("SIGKILL", "killed");
    this.#schedule();
  }

  /**
   * Passes a signal nimi received on to the services that ask for it (`forwardSignals`,
   * `reloadSignal` for SIGHUP).
   *
   * @param signal The signal nimi received.
   * @param always Send it to every service's groups, whatever they list (job control).
   * @returns How many services were signalled.
   */
  signalAll(signal: Signal, always = false): number {
    let n = 0;
    for (const u of this.#units.values()) if (always ? u.send(signal) : u.forward(signal)) n++;
    return n;
  }

  /**
   * Every service's state, in start order.
   *
   * @returns The states.
   */
  states(): UnitState[] {
    return this.#startOrder().map((name) => this.#units.get(name)!.state);
  }

  /**
   * One service's state.
   *
   * @param name The service.
   * @returns Its state.
   * @throws {ControlError} When there is no such service.
   */
  state(name: string): UnitState {
    return this.#unit(name).state;
  }

  /**
   * Subscribes to state changes.
   *
   * @param listener Called with a unit's new state at each change.
   * @returns A function that unsubscribes.
   */
  subscribe(listener: (state: UnitState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Starts a service that is not running (stopped by request, exited or failed).
   *
   * @param name The service.
   * @returns Its state once started (a running one is left alone).
   * @throws {ControlError} Unknown service, still waiting for its dependencies, or nimi is
   *   stopping.
   */
  async startService(name: string): Promise<UnitState> {
    const unit = this.#unit(name);
    this.#refuseWhileStopping();
    if (this.#waiting.has(name)) {
      throw new ControlError("conflict", `${name} is waiting for its dependencies`);
    }
    if (unit.active) return unit.state;
    if (!(await this.#prepareAll([unit]))) {
      throw new ControlError("conflict", `${name} cannot be prepared (see nimi's log)`);
    }
    this.#held.delete(name);
    unit.progress.ended = null;
    const spawned = this.#nextSpawn(unit, null);
    this.#launch(unit);
    await spawned;
    return unit.state;
  }

  /**
   * Stops a service; it stays stopped (no restarts) until started again.
   *
   * @param name The service.
   * @returns Its state once its processes are gone.
   * @throws {ControlError} Unknown service.
   */
  async stopService(name: string): Promise<UnitState> {
    const unit = this.#unit(name);
    if (this.#waiting.delete(name)) {
      unit.skip("stopped", "stopped by request before it started");
      this.#held.add(name);
    }
    await unit.stop(true);
    await this.#running.get(name);
    return unit.state;
  }

  /**
   * Restarts a service's process (a new spawn once the old group is gone); one that is not
   * running is started.
   *
   * @param name The service.
   * @returns Its state after the new spawn.
   * @throws {ControlError} As {@link Supervisor.startService}.
   */
  async restartService(name: string): Promise<UnitState> {
    const unit = this.#unit(name);
    this.#refuseWhileStopping();
    if (!unit.active || unit.stopping) {
      await this.#running.get(name);
      return await this.startService(name);
    }
    const spawned = this.#nextSpawn(unit, unit.state.pid);
    await unit.restart();
    await spawned;
    return unit.state;
  }

  /**
   * Sends a signal to a service's process groups.
   *
   * @param name The service.
   * @param signal The signal.
   * @returns Its state.
   * @throws {ControlError} Unknown service, or no process running.
   */
  signalService(name: string, signal: Signal): UnitState {
    const unit = this.#unit(name);
    if (!unit.send(signal)) {
      throw new ControlError("conflict", `${name} has no running process to signal`);
    }
    this.#options.sink.message(name, `sent ${signal} by request`);
    return unit.state;
  }

  /**
   * Applies a new config: stops removed services, restarts changed ones and starts added ones,
   * in dependency order; unchanged services keep running untouched.
   *
   * @param config The new normalised config.
   * @param identities Users and groups for it.
   * @returns What changed.
   * @throws {RangeError} When the run's subset names a service the new config lacks.
   * @throws {ControlError} When nimi is stopping, or a new service cannot be prepared (nothing
   *   changed then).
   */
  async reload(
    config: NimiConfig,
    identities: ReadonlyMap<string, Identity | null> = new Map(),
  ): Promise<ReloadDiff> {
    this.#refuseWhileStopping();
    this.#reloading++;
    try {
      return await this.#reload(config, identities);
    } finally {
      this.#reloading--;
      this.#schedule();
    }
  }

  async #reload(
    config: NimiConfig,
    identities: ReadonlyMap<string, Identity | null>,
  ): Promise<ReloadDiff> {
    const plan = this.#planFor(config, identities);
    const old = this.#plan;
    const diff = diffServices(old.units.map((u) => u.spec), plan.units.map((u) => u.spec));
    const byName = new Map(plan.units.map((u) => [u.spec.name, u]));
    const fresh = new Map<string, Unit>();
    for (const name of [...diff.added, ...diff.changed]) {
      fresh.set(name, new Unit(byName.get(name)!, this.#ctx));
    }
    if (!(await this.#prepareAll([...fresh.values()]))) {
      await Promise.all([...fresh.values()].map((u) => u.release()));
      throw new ControlError("conflict", "a new or changed service cannot be prepared");
    }
    const { sink } = this.#options;
    // An added service gets its log file like the first ones (a changed one keeps its own).
    await sink.announce(diff.added);
    sink.message(
      null,
      `reload: ${diff.added.length} added, ${diff.removed.length} removed, ` +
        `${diff.changed.length} changed, ${diff.unchanged.length} unchanged`,
    );
    const going = new Set([...diff.removed, ...diff.changed]);
    // A changed service that was stopped by request gets its new settings but stays stopped.
    const kept = new Set(diff.changed.filter((n) => this.#held.has(n)));
    for (const layer of old.stopOrder) {
      await Promise.all(
        layer.filter((n) => going.has(n)).map(async (name) => {
          const unit = this.#units.get(name)!;
          this.#waiting.delete(name);
          this.#held.delete(name);
          await unit.stop();
          await this.#running.get(name);
          await unit.release();
        }),
      );
    }
    const units = new Map<string, Unit>();
    for (const u of plan.units) {
      units.set(u.spec.name, fresh.get(u.spec.name) ?? this.#units.get(u.spec.name)!);
    }
    this.#units = units;
    this.#plan = plan;
    for (const [name, unit] of fresh) {
      if (kept.has(name)) {
        await unit.stop(true);
        unit.skip("stopped", "stopped by request; the reload kept it stopped");
        this.#held.add(name);
        await unit.release();
      } else this.#waiting.add(name);
    }
    this.#startReady();
    return diff;
  }

  #planFor(config: NimiConfig, identities?: ReadonlyMap<string, Identity | null>): RunPlan {
    return planRun(config, {
      ...(identities === undefined ? {} : { identities }),
      ...(this.#options.only === undefined ? {} : { only: this.#options.only }),
    });
  }

  #unit(name: string): Unit {
    const unit = this.#units.get(name);
    if (unit === undefined) {
      throw new ControlError(
        "unknown",
        `no service ${JSON.stringify(name)}; known services: ${[...this.#units.keys()].join(", ")}`,
      );
    }
    return unit;
  }

  #refuseWhileStopping(): void {
    if (this.#stopping) throw new ControlError("conflict", "nimi is stopping");
    if (!this.#started || this.#done === null) {
      throw new ControlError("conflict", "nimi is still starting (startup hook)");
    }
  }

  #startOrder(): string[] {
    const specs = [...this.#units.values()].map((u) => u.plan.spec);
    return startLayers(specs.map((s) => ({ name: s.name, after: s.dependsOn.map((d) => d.name) })))
      .flat();
  }

  /** Resolves once the unit spawned a process other than `old` (or will not spawn soon). */
  #nextSpawn(unit: Unit, old: number | null): Promise<void> {
    return new Promise((resolve) => {
      const off = this.subscribe((state) => {
        if (state.name !== unit.name) return;
        const settled = state.phase === "restarting" || state.phase === "failed" ||
          state.phase === "exited" || (state.phase === "stopped" && !unit.active);
        if ((state.pid !== null && state.pid !== old) || settled) {
          off();
          resolve();
        }
      });
    });
  }

  async #runStartupHook(): Promise<number> {
    const plan = this.#plan.hook;
    if (plan === null) return 0;
    const { sink } = this.#options;
    const hook = new Unit(plan, this.#ctx);
    this.#hook = hook;
    try {
      await hook.prepare();
      const end = await hook.run();
      await hook.settled();
      if (end.stopped || end.ending === "success") return 0;
      sink.message(null, `startup hook failed (code ${end.code}): no service started`, "error");
      return end.code === 0 ? 1 : end.code;
    } finally {
      await hook.release();
    }
  }

  async #prepareAll(units: readonly Unit[]): Promise<boolean> {
    const results = await Promise.allSettled(units.map((u) => u.prepare()));
    let ok = true;
    for (const r of results) {
      if (r.status === "rejected") {
        this.#options.sink.message(null, errorText(r.reason), "error");
        ok = false;
      }
    }
    return ok;
  }

  /** Tells `onChange`, at most once per microtask turn. */
  #changed(): void {
    if (this.#changeQueued || this.#options.onChange === undefined) return;
    this.#changeQueued = true;
    queueMicrotask(() => {
      this.#changeQueued = false;
      this.#options.onChange?.();
    });
  }

  /** Coalesces progress notifications into one start-order pass. */
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#startReady();
    });
  }

  #startReady(): void {
    const { sink } = this.#options;
    if (this.#stopping) {
      for (const name of this.#waiting) {
        const unit = this.#units.get(name)!;
        unit.progress.ended = "skipped";
        unit.skip("stopped", "not started: nimi is stopping");
        sink.message(name, "not started: nimi is stopping");
      }
      this.#waiting.clear();
      this.#held.clear();
    }
    const specs: ServiceSpec[] = [...this.#units.values()].map((u) => u.plan.spec);
    const progress = new Map<string, ServiceProgress>(
      [...this.#units].map(([name, u]) => [name, u.progress]),
    );
    while (this.#waiting.size > 0) {
      const next = nextToStart(specs, this.#waiting, progress);
      for (const { name, reason } of next.blocked) {
        this.#waiting.delete(name);
        const unit = this.#units.get(name)!;
        unit.progress.ended = "skipped";
        unit.skip("failed", `not started: ${reason}`);
        sink.message(name, `not started: ${reason}`, "warning");
      }
      for (const name of next.start) {
        this.#waiting.delete(name);
        this.#launch(this.#units.get(name)!);
      }
      if (next.blocked.length === 0) break;
    }
    const idle = this.#waiting.size === 0 && this.#running.size === 0;
    if (idle && this.#held.size === 0 && this.#reloading === 0) {
      this.#done?.();
    }
  }

  #launch(unit: Unit): void {
    const name = unit.name;
    const running = unit.run().then(
      (end) => this.#ended(unit, end),
      (e) => {
        this.#options.sink.message(name, `cannot start: ${errorText(e)}`, "error");
        this.#ended(unit, { ending: "failure", code: 1, stopped: false });
      },
    );
    this.#running.set(name, running);
  }

  async #ended(unit: Unit, end: ServiceEnd): Promise<void> {
    const name = unit.name;
    const { sink } = this.#options;
    await unit.release().catch((e) =>
      sink.message(name, `clean-up failed: ${errorText(e)}`, "error")
    );
    if (this.#units.get(name) !== unit) return;
    this.#running.delete(name);
    if (end.stopped && unit.state.stopRequested && !this.#stopping) {
      // Stopped by request: it waits for `start`, and so do its dependents.
      this.#held.add(name);
    } else {
      unit.progress.ended = end.ending;
    }
    if (!end.stopped && !this.#stopping) this.#applyEndAction(unit.plan.spec, end);
    this.#schedule();
  }

  #applyEndAction(spec: ServiceSpec, end: ServiceEnd): void {
    const { sink } = this.#options;
    const failed = end.ending === "failure";
    if (failed) this.#firstFailure ??= end.code;
    if (failed && this.#plan.config.settings.shutdown.stopOnFailure) {
      sink.message(
        null,
        `${spec.name} failed for good: stopping everything (settings.shutdown.stopOnFailure)`,
        "warning",
      );
      void this.stop();
    } else if (spec.onEnd === "stop-all" || (failed && spec.onEnd === "stop-all-on-failure")) {
      const how = failed ? "failed for good" : "ended";
      sink.message(
        null,
        `${spec.name} ${how}: stopping everything (nimi.onEnd "${spec.onEnd}")`,
        "warning",
      );
      void this.stop();
    }
  }
}

/** A unit plan's service, for callers that hold plans. */
export type { UnitPlan };

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
