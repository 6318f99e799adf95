/**
 * Reusable output buffers, so a steady flood of service output allocates nothing: each chunk
 * read is formatted into a pooled buffer, and the {@link BatchWriter} gives the buffer back
 * once it has been written. Without it every 64 KiB read allocated two fresh buffers outside
 * V8's heap (console and log file), and collecting them cost about a third of nimi's CPU time
 * under a flood (bench/README.md, "Log forwarding").
 *
 * Buffers come in sizes from 1 KiB at steps of an eighth of a power of two, so one holds at
 * most a quarter more than asked for (queues count bytes, and their bound must stay true of
 * memory). The pool keeps at most
 * {@link IDLE_BYTES} of buffers not in use, and drops them all once it has been idle for
 * {@link IDLE_MS}: after a flood, memory goes back to what it was.
 *
 * @module
 */
import { allocated } from "./gc_pacer.ts";
import { clearTimer, setRepeatingTimer, type Timer, unrefTimer } from "../timers.ts";

/** Smallest buffer handed out (smaller requests get one this size). */
const MIN_SIZE = 1024;
/** Requests above this are allocated and collected as usual. */
const MAX_SIZE = 4 * 1024 * 1024;
/**
 * Most bytes of unused buffers kept: what the console and one log file hold at their
 * high-water marks (src/logs/batch_writer.ts), so the buffers a backed-up flood fills are all
 * reused once written. A pool never holds more than the peak in flight.
 */
export const IDLE_BYTES: number = 2 * 4 * 1024 * 1024 * 5 / 4;
/** A pool not used for this long drops its unused buffers. */
export const IDLE_MS: number = 2000;

/**
 * The buffer size for a request: a multiple of an eighth of the power of two above it, so at
 * most a quarter more than asked (1 KiB at least).
 */
function sizeClass(size: number): number {
  if (size <= MIN_SIZE) return MIN_SIZE;
  let power = MIN_SIZE;
  while (power < size) power *= 2;
  const step = power / 8;
  return Math.ceil(size / step) * step;
}

/**
 * A pool of output buffers.
 *
 * @example
 * ```ts
 * const pool = new BufferPool();
 * const out = pool.take(100); // 100 bytes, in a buffer of 1 KiB
 * pool.give(out); // written: the next take(100) gets the same buffer
 * ```
 */
export class BufferPool {
  readonly #free = new Map<number, ArrayBuffer[]>();
  #idle = 0;
  #used = false;
  #timer: Timer | null = null;

  /** Bytes of unused buffers held. */
  get idleBytes(): number {
    return this.#idle;
  }

  /**
   * A buffer of exactly `size` bytes (its contents are undefined: fill all of it).
   *
   * @param size Bytes needed.
   * @returns A view of a pooled buffer, or a fresh one.
   */
  take(size: number): Uint8Array {
    this.#used = true;
    if (size > MAX_SIZE) {
      allocated(size);
      return new Uint8Array(size);
    }
    const c = sizeClass(size);
    const buffer = this.#free.get(c)?.pop();
    if (buffer !== undefined) {
      this.#idle -= c;
      return new Uint8Array(buffer, 0, size);
    }
    allocated(c);
    return new Uint8Array(new ArrayBuffer(c), 0, size);
  }

  /**
   * Gives back a buffer from {@link BufferPool.take} that is no longer used (written).
   *
   * @param bytes The view {@link BufferPool.take} returned.
   */
  give(bytes: Uint8Array): void {
    const buffer = bytes.buffer as ArrayBuffer;
    const c = buffer.byteLength;
    if (bytes.byteOffset !== 0 || c > MAX_SIZE || c !== sizeClass(c)) return;
    if (this.#idle + c > IDLE_BYTES) return;
    let list = this.#free.get(c);
    if (list === undefined) this.#free.set(c, list = []);
    list.push(buffer);
    this.#idle += c;
    this.#timer ??= this.#watch();
  }

  /** Drops every unused buffer. */
  clear(): void {
    this.#free.clear();
    this.#idle = 0;
    if (this.#timer !== null) clearTimer(this.#timer);
    this.#timer = null;
  }

  #watch(): Timer {
    const timer = setRepeatingTimer(() => {
      if (this.#used) this.#used = false;
      else this.clear();
    }, IDLE_MS);
    // Holding spare buffers is no reason to keep nimi running.
    unrefTimer(timer);
    return timer;
  }
}
