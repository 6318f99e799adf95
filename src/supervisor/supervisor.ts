/**
 * The supervisor: runs the startup hook, prepares configData directories, starts services as
 * their dependencies allow, and stops them (reverse dependency order, each layer in parallel).
 * Its surface for the PID 1 layer: {@link Supervisor.stop}, {@link Supervisor.kill},
 * {@link Supervisor.signalAll} and the {@link PidRegistry} option.
 *
 * @module
 */
import { startupService } from "../config/startup.ts";
import { type NimiConfig, type ServiceSpec, stopLayers } from "../config/mod.ts";
import type { LogSink } from "../logs/mod.ts";
import { type Clock, realClock } from "./clock.ts";
import { configDirBase, createConfigDir, removeConfigDir } from "./config_dir.ts";
import { nimiExitCode } from "./exit_code.ts";
import { GroupWatcher } from "./process_group.ts";
import {
  type PidRegistry,
  readyAtSpawn,
  type RunnerContext,
  type ServiceEnd,
  ServiceRunner,
  type WaitReady,
} from "./service.ts";
import type { SpawnExtras } from "./spawn_options.ts";
import { denoSpawner, type Spawner } from "./spawner.ts";
import { nextToStart, type ServiceProgress } from "./start_order.ts";
import type { ServicePhaseView } from "./service_phase.ts";

/** What a {@link SupervisorOptions.prepare} hook gives a service. */
export interface PreparedService extends SpawnExtras {
  /** Undoes the preparation when nimi exits. */
  cleanup?: () => Promise<void>;
  /**
   * Called once the service has ended for good, before services waiting for its completion
   * start (credentials are removed here). `cleanup` still runs at exit.
   */
  release?: () => Promise<void>;
}

/** Options for {@link Supervisor}. */
export interface SupervisorOptions {
  /** Where output and messages go. */
  sink: LogSink;
  /** Time source. @default the real clock */
  clock?: Clock;
  /** Process creation. @default `new Deno.Command(...).spawn()` */
  spawner?: Spawner;
  /** Told about every managed pid (for the orphan reaper). */
  registry?: PidRegistry;
  /** Readiness hook. @default ready at spawn */
  waitReady?: WaitReady;
  /**
   * Parent of configData directories (null: the temp dir).
   * @default `$XDG_RUNTIME_DIR` when it is a directory, else the temp dir
   */
  configDirBase?: string | null;
  /**
   * Per-service preparation before its first start (credentials, user and group); its
   * environment is merged over the configData one.
   */
  prepare?: (spec: ServiceSpec) => Promise<PreparedService>;
  /**
   * Called after services changed phase or a stop began (coalesced: at most once per
   * microtask turn); read {@link Supervisor.phases} and {@link Supervisor.stopping} in it.
   */
  onChange?: () => void;
}

/** Runs every service of a config and reports nimi's exit code. */
export class Supervisor {
  readonly #config: NimiConfig;
  readonly #options: SupervisorOptions;
  readonly #ctx: RunnerContext;
  readonly #runners = new Map<string, ServiceRunner>();
  readonly #progress = new Map<string, ServiceProgress>();
  readonly #waiting = new Set<string>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #extras = new Map<string, SpawnExtras>();
  readonly #releases = new Map<string, () => Promise<void>>();
  readonly #cleanups: (() => Promise<void>)[] = [];
  #hook: ServiceRunner | null = null;
  #stopping = false;
  #stopPromise: Promise<void> | null = null;
  #firstFailure: number | null = null;
  #scheduled = false;
  #done: (() => void) | null = null;

  /**
   * Creates a supervisor; nothing starts before {@link Supervisor.run}.
   *
   * @param config The normalised config.
   * @param options See {@link SupervisorOptions}.
   */
  constructor(config: NimiConfig, options: SupervisorOptions) {
    this.#config = config;
    this.#options = options;
    this.#ctx = {
      sink: options.sink,
      clock: options.clock ?? realClock,
      spawner: options.spawner ?? denoSpawner,
      groups: new GroupWatcher(),
      registry: options.registry ?? null,
      waitReady: options.waitReady ?? readyAtSpawn,
      onProgress: () => this.#schedule(),
    };
  }

  /** Whether a stop has been requested. */
  get stopping(): boolean {
    return this.#stopping;
  }

  /**
   * Every service's phase, in the config's order.
   *
   * @returns One entry per service; `waiting` for those not started yet.
   */
  phases(): ServicePhaseView[] {
    return this.#config.services.map(({ name }) => {
      const runner = this.#runners.get(name);
      if (runner) return { name, phase: runner.phase };
      const ended = this.#progress.get(name)?.ended ?? null;
      if (ended === null) return { name, phase: "waiting" };
      return { name, phase: this.#stopping ? "stopped" : "failed" };
    });
  }

  /**
   * Runs everything until every service has ended for good, or until stopped.
   *
   * @returns nimi's exit code (see the exit code policy in exit_code.ts).
   */
  async run(): Promise<number> {
    const { sink } = this.#options;
    try {
      const hookCode = await this.#runStartupHook();
      if (hookCode !== 0) return hookCode;
      if (this.#stopping) return nimiExitCode({ firstFailure: this.#firstFailure });
      // A service that cannot be prepared (a credential file missing, an unknown user) is a
      // mistake in the config or its environment: nothing starts, exit code 2.
      if (!(await this.#prepare())) return 2;
      for (const spec of this.#config.services) {
        const progress: ServiceProgress = { started: false, ready: false, ended: null };
        this.#progress.set(spec.name, progress);
        this.#waiting.add(spec.name);
      }
      const done = new Promise<void>((resolve) => (this.#done = resolve));
      this.#startReady();
      await done;
      await this.#stopPromise;
      await Promise.all([...this.#runners.values()].map((r) => r.settled()));
      return nimiExitCode({ firstFailure: this.#firstFailure });
    } finally {
      const results = await Promise.allSettled(this.#cleanups.map((c) => c()));
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
    this.#stopPromise = (async () => {
      const hook = this.#hook;
      if (hook) await hook.stop();
      this.#schedule();
      const nodes = this.#config.services.map((s) => ({
        name: s.name,
        after: s.dependsOn.map((d) => d.name),
      }));
      for (const layer of stopLayers(nodes)) {
        await Promise.all(layer.map((name) => this.#runners.get(name)?.stop()));
      }
    })();
    return this.#stopPromise;
  }

  /** Sends SIGKILL to every service's process groups now (the second Ctrl-C). */
  kill(): void {
    this.#stopping = true;
    this.#hook?.kill();
    for (const r of this.#runners.values()) r.kill();
    this.#schedule();
  }

  /**
   * Passes a signal nimi received on to the services that ask for it (`forwardSignals`,
   * `reloadSignal` for SIGHUP).
   *
   * @param signal Signal name (`SIGHUP`).
   * @param always Send it to every service's groups, whatever they list (job control).
   * @returns How many services were signalled.
   */
  signalAll(signal: string, always = false): number {
    let n = 0;
    for (const r of this.#runners.values()) if (r.forward(signal, always)) n++;
    return n;
  }

  async #runStartupHook(): Promise<number> {
    const spec = startupService(this.#config.settings);
    if (spec === null) return 0;
    const { sink } = this.#options;
    this.#hook = new ServiceRunner(spec, { ...this.#ctx, waitReady: readyAtSpawn });
    const end = await this.#hook.run();
    await this.#hook.settled();
    if (end.stopped || end.ending === "success") return 0;
    sink.message(null, `startup hook failed (code ${end.code}): no service started`, "error");
    return end.code === 0 ? 1 : end.code;
  }

  async #prepare(): Promise<boolean> {
    const { sink } = this.#options;
    const base = this.#options.configDirBase !== undefined
      ? this.#options.configDirBase
      : configDirBase();
    const results = await Promise.allSettled(this.#config.services.map(async (spec) => {
      const env: Record<string, string> = {};
      const extra = await this.#options.prepare?.(spec);
      if (extra?.cleanup) this.#cleanups.push(extra.cleanup);
      if (extra?.release) this.#releases.set(spec.name, extra.release);
      if (spec.configData.length > 0) {
        // Owned by the service's user, so it can read its configData (docs/run.md).
        const owner = { ...optional("uid", extra?.uid), ...optional("gid", extra?.gid) };
        const dir = await createConfigDir(spec, base, owner);
        this.#cleanups.push(() => removeConfigDir(dir));
        env.XDG_CONFIG_HOME = dir;
      }
      this.#extras.set(spec.name, { ...extra, env: { ...env, ...extra?.env } });
    }));
    let ok = true;
    for (const r of results) {
      if (r.status === "rejected") {
        sink.message(null, errorText(r.reason), "error");
        ok = false;
      }
    }
    return ok;
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
        this.#progress.get(name)!.ended = "skipped";
        sink.message(name, "not started: nimi is stopping");
      }
      this.#waiting.clear();
    }
    while (this.#waiting.size > 0) {
      const plan = nextToStart(this.#config.services, this.#waiting, this.#progress);
      for (const { name, reason } of plan.blocked) {
        this.#waiting.delete(name);
        this.#progress.get(name)!.ended = "skipped";
        sink.message(name, `not started: ${reason}`, "warning");
      }
      for (const name of plan.start) this.#start(name);
      if (plan.blocked.length === 0) break;
    }
    if (this.#waiting.size === 0 && this.#running.size === 0) this.#done?.();
    this.#options.onChange?.();
  }

  #start(name: string): void {
    const spec = this.#config.services.find((s) => s.name === name)!;
    this.#waiting.delete(name);
    const runner = new ServiceRunner(spec, this.#ctx, this.#extras.get(name) ?? {});
    this.#runners.set(name, runner);
    // The runner's progress object is the one the start order reads.
    this.#progress.set(name, runner.progress);
    this.#running.set(
      name,
      runner.run().then(async (end) => {
        await this.#releases.get(name)?.().catch((e) =>
          this.#options.sink.message(name, `clean-up failed: ${errorText(e)}`, "error")
        );
        this.#ended(name, end);
      }),
    );
  }

  #ended(name: string, end: ServiceEnd): void {
    this.#running.delete(name);
    this.#progress.get(name)!.ended = end.ending;
    if (!end.stopped && end.ending === "failure" && !this.#stopping) {
      this.#firstFailure ??= end.code;
      if (this.#config.settings.shutdown.stopOnFailure) {
        this.#options.sink.message(
          null,
          `${name} failed for good: stopping everything (settings.shutdown.stopOnFailure)`,
          "warning",
        );
        void this.stop();
      }
    }
    this.#schedule();
  }
}

function optional<K extends string>(key: K, value: number | undefined): { [P in K]?: number } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: number };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
