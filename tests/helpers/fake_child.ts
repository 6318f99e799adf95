/**
 * A fake process for the supervisor's unit tests: it implements the {@link Child} seam with
 * streams, a status and a process group that exist only in memory, so start order, restart
 * decisions and stop order are tested without spawning anything. The end-to-end tests prove
 * the real spawner.
 *
 * @module
 */
import type { Signal } from "../../src/config/mod.ts";
import { signalNumber } from "../../src/config/mod.ts";
import type { Child, Spawner } from "../../src/supervisor/child.ts";
import type { ProcessStatus } from "../../src/supervisor/exit_code.ts";
import type { SpawnPlan } from "../../src/supervisor/spawn_options.ts";

/** What a fake does when it gets a signal. */
export type SignalReaction = "exit" | "ignore";

/** Signals a fake ignores by default (everything else ends it, as the default action would). */
const IGNORED: ReadonlySet<Signal> = new Set([
  "SIGHUP",
  "SIGUSR1",
  "SIGUSR2",
  "SIGWINCH",
  "SIGCONT",
]);

/** A process that lives in memory. */
export class FakeChild implements Child {
  /** Its pid. */
  readonly pid: number;
  /** The plan it was spawned from. */
  readonly plan: SpawnPlan;
  /** Its output. */
  readonly stdout: ReadableStream<Uint8Array>;
  /** Its error output. */
  readonly stderr: ReadableStream<Uint8Array>;
  /** Resolves when it exits. */
  readonly status: Promise<ProcessStatus>;
  /** Every signal its group received, in order. */
  readonly signals: Signal[] = [];
  /** How it reacts to a signal (SIGKILL always ends it). */
  react: (signal: Signal) => SignalReaction = (s) => (IGNORED.has(s) ? "ignore" : "exit");
  #out!: ReadableByteStreamController;
  #err!: ReadableByteStreamController;
  #resolve!: (status: ProcessStatus) => void;
  #exited = false;
  #gone = false;
  #goneWaiters = new Set<() => void>();

  /**
   * Creates a running fake.
   *
   * @param pid Its pid.
   * @param plan The plan it was spawned from.
   */
  constructor(pid: number, plan: SpawnPlan) {
    this.pid = pid;
    this.plan = plan;
    // Byte streams, as Deno's pipes are (the log pump reads them with a BYOB reader).
    this.stdout = new ReadableStream({ type: "bytes", start: (c) => void (this.#out = c) });
    this.stderr = new ReadableStream({ type: "bytes", start: (c) => void (this.#err = c) });
    this.status = new Promise((resolve) => (this.#resolve = resolve));
  }

  /** Whether it has exited. */
  get exited(): boolean {
    return this.#exited;
  }

  /**
   * Prints one line.
   *
   * @param line The line, without its newline.
   * @param stream Which stream.
   */
  print(line: string, stream: "stdout" | "stderr" = "stdout"): void {
    const bytes = new TextEncoder().encode(`${line}\n`);
    (stream === "stdout" ? this.#out : this.#err).enqueue(bytes);
  }

  /**
   * Exits; its group goes with it.
   *
   * @param code Exit code.
   * @param signal The signal that ended it, or null.
   */
  exit(code: number, signal: Signal | null = null): void {
    if (this.#exited) return;
    this.#exited = true;
    this.#out.close();
    this.#err.close();
    this.#gone = true;
    for (const wake of this.#goneWaiters) wake();
    this.#goneWaiters.clear();
    this.#resolve({ code: signal === null ? code : 128 + (signalNumber(signal) ?? 0), signal });
  }

  /**
   * Delivers a signal to its group.
   *
   * @param signal The signal.
   * @returns false once the group is gone.
   */
  signal(signal: Signal): boolean {
    if (this.#gone) return false;
    this.signals.push(signal);
    if (signal === "SIGKILL" || this.react(signal) === "exit") {
      queueMicrotask(() => this.exit(0, signal));
    }
    return true;
  }

  /** @returns Whether its group is alive. */
  groupAlive(): boolean {
    return !this.#gone;
  }

  /**
   * Waits for its group to go.
   *
   * @param timeoutMs Most milliseconds to wait.
   * @returns Whether it went.
   */
  waitGroupGone(timeoutMs: number): Promise<boolean> {
    if (this.#gone) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#goneWaiters.delete(wake);
        resolve(false);
      }, timeoutMs);
      this.#goneWaiters.add(wake);
    });
  }
}

/** A spawner of fakes that remembers what it spawned. */
export class FakeSpawner {
  /** Every fake spawned, in order; a fake belongs to the service named by its `argv[1]`. */
  readonly children: FakeChild[] = [];
  /** Called right after each spawn (to script the fake). */
  onSpawn: (child: FakeChild, name: string) => void = () => {};
  /** Programs that cannot be started (spawning throws NotFound). */
  readonly missing = new Set<string>();
  #nextPid = 1000;
  #waiters: { name: string; n: number; resolve: (c: FakeChild) => void }[] = [];

  /** The spawner to give the supervisor. */
  readonly spawner: Spawner = (plan) => {
    if (this.missing.has(plan.program)) throw new Deno.errors.NotFound("No such file");
    const child = new FakeChild(this.#nextPid++, plan);
    this.children.push(child);
    const name = nameOf(plan);
    this.onSpawn(child, name);
    const count = this.of(name).length;
    this.#waiters = this.#waiters.filter((w) => {
      if (w.name !== name || w.n > count) return true;
      w.resolve(child);
      return false;
    });
    return child;
  };

  /**
   * The fakes spawned for one service.
   *
   * @param name The service.
   * @returns Its fakes, oldest first.
   */
  of(name: string): FakeChild[] {
    return this.children.filter((c) => nameOf(c.plan) === name);
  }

  /**
   * Waits until a service has been spawned `n` times.
   *
   * @param name The service.
   * @param n How many spawns.
   * @returns Its n-th fake.
   */
  spawned(name: string, n = 1): Promise<FakeChild> {
    const have = this.of(name);
    if (have.length >= n) return Promise.resolve(have[n - 1]!);
    return new Promise((resolve, reject) => {
      // A test that waits for a spawn that never comes fails instead of hanging.
      const timer = setTimeout(
        () => reject(new Error(`${name} was not spawned ${n} times`)),
        10_000,
      );
      this.#waiters.push({
        name,
        n,
        resolve: (c) => {
          clearTimeout(timer);
          resolve(c);
        },
      });
    });
  }

  /** Names of the services in spawn order. */
  get order(): string[] {
    return this.children.map((c) => nameOf(c.plan));
  }
}

/** The service a plan belongs to: the `argv[1]` of the fake configs (`["fake", NAME]`). */
function nameOf(plan: SpawnPlan): string {
  return plan.options.args?.[0] ?? plan.program;
}
