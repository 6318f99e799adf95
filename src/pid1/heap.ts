/**
 * Gives memory back once the run goes quiet. Starting services allocates a lot for a moment
 * (config objects, spawn bookkeeping, log buffers); V8 keeps the pages it grew its heap to, so
 * a PID 1 that started 200 services held 5 to 6 MB more heap for the rest of its life than it
 * used (bench/README.md, "Memory"). A full garbage collection, run once the supervisor has seen
 * no change for a while, returns them.
 *
 * Deno has no public call for a collection. V8 offers `gc` where it was started with
 * `--expose-gc`: the nimi package is compiled with that flag (nix/package.nix; from source,
 * `deno task nimi` or `deno run --v8-flags=--expose-gc`), and then nothing needs loading: with
 * argv.ts and path.ts, `nimi run` loads no `node:` module at all, which keeps Deno's Node layer
 * (about 1 MB of private memory) out of a PID 1. Elsewhere nimi gets `gc` from a fresh context
 * (node:v8 `setFlagsFromString`, node:vm `runInNewContext`, the documented Node way), loaded
 * at the first collection.
 *
 * The exposed `gc` is called as a last-resort collection (the one V8 runs before it gives up
 * on memory, which also shrinks the heap's spaces): a plain one left 7 MB more pages resident
 * with 200 services, the fresh context's plain one did not (measured, bench/README.md).
 *
 * @module
 */
import { clearTimer, setTimer, type Timer, unrefTimer } from "../timers.ts";

/** Runs one garbage collection: full, or of the young generation with `{ type: "minor" }`. */
export type Collect = (options?: { type: "minor" | "major" }) => void;

let collect: Collect | null = null;
let loading: Promise<Collect> | null = null;

/**
 * V8's `gc` when it is at hand without loading anything: nimi was started with `--expose-gc`,
 * or {@link loadCollection} has loaded it.
 *
 * @returns It, or null.
 */
export function exposedCollection(): Collect | null {
  if (collect === null) {
    const gc = (globalThis as { gc?: unknown }).gc;
    if (typeof gc === "function") {
      collect = (options) => gc(options ?? { type: "major", flavor: "last-resort" });
    }
  }
  return collect;
}

/**
 * V8's `gc`: the exposed one, else one from a fresh context (loaded once).
 *
 * @returns A promise of it; rejects where the runtime refuses the flag.
 */
export function loadCollection(): Promise<Collect> {
  const ready = exposedCollection();
  if (ready !== null) return Promise.resolve(ready);
  loading ??= Promise.all([import("node:v8"), import("node:vm")]).then(([v8, vm]) => {
    v8.setFlagsFromString("--expose-gc");
    collect = vm.runInNewContext("gc") as Collect;
    return collect;
  });
  return loading;
}

/**
 * Collects garbage after a quiet spell: every {@link HeapCompactor.poke} (a state change)
 * restarts the wait, so a burst of starts or restarts is followed by one collection.
 *
 * @example
 * ```ts
 * const heap = new HeapCompactor(2000);
 * heap.poke(); // after each state change
 * heap.stop(); // at the end of the run
 * ```
 */
export class HeapCompactor {
  readonly #delayMs: number;
  readonly #collect: () => void;
  #timer: Timer | null = null;
  #pending = false;

  /**
   * @param delayMs Quiet time before collecting.
   * @param collectFn The collection.
   */
  constructor(delayMs: number, collectFn: () => void) {
    this.#delayMs = delayMs;
    this.#collect = collectFn;
  }

  /** Something changed: collect once things have been quiet for the delay. */
  poke(): void {
    this.#pending = true;
    if (this.#timer !== null) clearTimer(this.#timer);
    const timer = setTimer(() => {
      this.#timer = null;
      if (!this.#pending) return;
      this.#pending = false;
      this.#collect();
    }, this.#delayMs);
    // The timer never keeps nimi alive.
    unrefTimer(timer);
    this.#timer = timer;
  }

  /** Cancels a pending collection. */
  stop(): void {
    if (this.#timer !== null) clearTimer(this.#timer);
    this.#timer = null;
    this.#pending = false;
  }
}

type MallocTrim = () => void;

let trim: MallocTrim | null | undefined;

/**
 * Gives the C allocator's free pages back to the kernel (glibc's `malloc_trim(0)`): after the
 * collection, Deno's native side has freed what start-up allocated, but glibc keeps the pages
 * of every arena it grew (0.5 MB of 22 with 200 services, and steadier from run to run;
 * bench/README.md, "Memory"). Does nothing without FFI or glibc.
 */
export function trimMalloc(): void {
  if (trim === undefined) {
    try {
      const lib = Deno.dlopen("libc.so.6", {
        malloc_trim: { parameters: ["usize"], result: "i32" },
      });
      trim = () => void lib.symbols.malloc_trim(0n);
    } catch (e) {
      // No FFI, or a libc without malloc_trim (musl): the pages stay with the allocator.
      if (!(e instanceof Error)) throw e;
      trim = null;
    }
  }
  trim?.();
}
