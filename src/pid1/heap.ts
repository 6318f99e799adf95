/**
 * Gives memory back once the run goes quiet. Starting services allocates a lot for a moment
 * (config objects, spawn bookkeeping, log buffers); V8 keeps the pages it grew its heap to, so
 * a PID 1 that started 200 services held 5 to 6 MB more heap for the rest of its life than it
 * used (bench/README.md, "Memory"). A full garbage collection, run once the supervisor has seen
 * no change for a while, returns them.
 *
 * Deno has no public call for a collection: V8's `gc` function is exposed to a fresh context
 * (node:v8 `setFlagsFromString`, node:vm), the documented Node way. Loading node:vm costs about
 * 2 MB of private memory, less than half of what the collection gives back. V8 reads
 * `--max-semi-space-size` only at start-up (`--v8-flags`), so it cannot be set from here.
 *
 * @module
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** Runs one full garbage collection. */
export type Collect = () => void;

let collect: Collect | null = null;

/** V8's `gc` function, obtained once. */
export function fullCollection(): Collect {
  if (collect === null) {
    setFlagsFromString("--expose-gc");
    collect = runInNewContext("gc") as Collect;
  }
  return collect;
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
  readonly #collect: Collect;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #pending = false;

  /**
   * @param delayMs Quiet time before collecting.
   * @param collectFn The collection (V8's full collection by default).
   */
  constructor(delayMs: number, collectFn: Collect = fullCollection()) {
    this.#delayMs = delayMs;
    this.#collect = collectFn;
  }

  /** Something changed: collect once things have been quiet for the delay. */
  poke(): void {
    this.#pending = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    const timer = setTimeout(() => {
      this.#timer = null;
      if (!this.#pending) return;
      this.#pending = false;
      this.#collect();
    }, this.#delayMs);
    // The timer never keeps nimi alive.
    Deno.unrefTimer(timer as unknown as number);
    this.#timer = timer;
  }

  /** Cancels a pending collection. */
  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
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
