/**
 * Batched, ordered, asynchronous writing with back-pressure: many small formatted chunks are
 * joined into large writes, and producers wait when too much is queued.
 *
 * @module
 */

import type { BufferPool } from "./buffer_pool.ts";

/**
 * Chunks at least this large are written as they are: copying them into a joined buffer costs
 * more than the system call it saves.
 */
const JOIN_BELOW = 32 * 1024;

/**
 * Capacity of the open batch that {@link BatchWriter.reserve} hands out room in (or the
 * writer's `maxWrite`, if smaller): while a write is in flight, formatted chunks pile up in
 * it, and the next write takes them all at once, without copying them.
 */
const OPEN_BATCH = 256 * 1024;

/** Something bytes can be written to (`Deno.stdout`, a `Deno.FsFile`). */
export interface ByteWriter {
  /**
   * Writes some of the bytes.
   *
   * @param p Bytes to write.
   * @returns How many were written.
   */
  write(p: Uint8Array): Promise<number>;
}

/** Options for {@link BatchWriter}. */
export interface BatchWriterOptions {
  /**
   * Queued bytes above which {@link BatchWriter.ready} makes producers wait.
   * @default 4 MiB
   */
  highWater?: number;
  /**
   * Largest single write, in bytes.
   * @default 1 MiB
   */
  maxWrite?: number;
  /**
   * Called once with the error when a write fails; later writes are dropped. If it throws
   * (nowhere left to report), that is ignored: losing output must never stop nimi.
   */
  onError?: (error: unknown) => void;
  /**
   * Called before each write with its size; may replace the target (log rotation).
   * Runs in write order, so it sees the file's real size.
   */
  beforeWrite?: (size: number) => Promise<void> | void;
  /**
   * Where chunks written with `pooled` go back once written, and where joined batches come
   * from (src/logs/buffer_pool.ts). @default none: batches are allocated
   */
  pool?: BufferPool;
}

/**
 * Queues byte chunks and writes them in order, joining small ones into one write.
 *
 * @example
 * ```ts
 * const w = new BatchWriter(Deno.stdout);
 * w.write(new TextEncoder().encode("hello\n"));
 * await w.flush();
 * ```
 */
export class BatchWriter {
  #target: ByteWriter;
  #queue: Uint8Array[] = [];
  /** Whether each queued chunk goes back to the pool once written. */
  #pooled: boolean[] = [];
  /** The batch being filled through {@link BatchWriter.reserve}, newer than the queue. */
  #open: Uint8Array | null = null;
  #openUsed = 0;
  #queued = 0;
  #pumping: Promise<void> | null = null;
  #failed = false;
  #waiters: (() => void)[] = [];
  readonly #highWater: number;
  readonly #maxWrite: number;
  readonly #onError: ((error: unknown) => void) | undefined;
  readonly #beforeWrite: ((size: number) => Promise<void> | void) | undefined;
  readonly #pool: BufferPool | undefined;

  /**
   * Creates a writer in front of a target.
   *
   * @param target Where the bytes go.
   * @param options See {@link BatchWriterOptions}.
   */
  constructor(target: ByteWriter, options: BatchWriterOptions = {}) {
    this.#target = target;
    this.#highWater = options.highWater ?? 4 * 1024 * 1024;
    this.#maxWrite = options.maxWrite ?? 1024 * 1024;
    this.#onError = options.onError;
    this.#beforeWrite = options.beforeWrite;
    this.#pool = options.pool;
  }

  /** The current target. */
  get target(): ByteWriter {
    return this.#target;
  }

  /** Replaces the target; only call from `beforeWrite`, where no write is in flight. */
  set target(next: ByteWriter) {
    this.#target = next;
  }

  /** Bytes queued and not yet written. */
  get queued(): number {
    return this.#queued;
  }

  /**
   * Queues bytes; the caller must not modify them afterwards.
   *
   * @param bytes What to write.
   * @param pooled The bytes were taken from the writer's pool, and go back to it once written.
   */
  write(bytes: Uint8Array, pooled = false): void {
    if (this.#failed || bytes.length === 0) return;
    this.#seal();
    this.#queue.push(bytes);
    this.#pooled.push(pooled && this.#pool !== undefined);
    this.#queued += bytes.length;
    this.#pumping ??= this.#pump();
  }

  /**
   * Room for `size` bytes to be written, to fill and pass to {@link BatchWriter.commit} before
   * any other call: a view into the open batch (a pooled buffer), so chunks formatted while a
   * write is in flight go out in one write and no copy. Without a pool, a fresh buffer.
   *
   * @param size Bytes needed.
   * @returns A buffer of exactly `size` bytes, to fill completely.
   */
  reserve(size: number): Uint8Array {
    const pool = this.#pool;
    if (pool === undefined) return new Uint8Array(size);
    const capacity = Math.min(OPEN_BATCH, this.#maxWrite);
    // A chunk this large is written as it is (see JOIN_BELOW).
    if (this.#failed || 2 * size > capacity) return pool.take(size);
    if (this.#open !== null && this.#openUsed + size > this.#open.length) this.#seal();
    this.#open ??= pool.take(capacity);
    return this.#open.subarray(this.#openUsed, this.#openUsed + size);
  }

  /**
   * Queues what {@link BatchWriter.reserve} returned, filled.
   *
   * @param bytes The buffer, as reserve returned it.
   */
  commit(bytes: Uint8Array): void {
    if (this.#open === null || bytes.buffer !== this.#open.buffer) {
      if (this.#failed) this.#pool?.give(bytes);
      else this.write(bytes, true);
      return;
    }
    if (this.#failed || bytes.length === 0) return;
    this.#openUsed += bytes.length;
    this.#queued += bytes.length;
    this.#pumping ??= this.#pump();
  }

  /**
   * Resolves when the queue is below the high-water mark: producers await it before reading
   * more, which passes back-pressure on to the services' pipes.
   *
   * @returns A promise, or null when there is room already (the common case, no allocation).
   */
  ready(): Promise<void> | null {
    if (this.#queued <= this.#highWater) return null;
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /**
   * Waits until everything queued so far has been written.
   *
   * @returns A promise that resolves when the queue is empty.
   */
  async flush(): Promise<void> {
    while (this.#pumping) await this.#pumping;
  }

  async #pump(): Promise<void> {
    try {
      while ((this.#queue.length > 0 || this.#openUsed > 0) && !this.#failed) {
        const [batch, pooled] = this.#take();
        try {
          await this.#beforeWrite?.(batch.length);
          let off = 0;
          while (off < batch.length) off += await this.#target.write(batch.subarray(off));
          if (pooled) this.#pool!.give(batch);
        } catch (e) {
          this.#failed = true;
          this.#queue = [];
          this.#pooled = [];
          this.#open = null;
          this.#openUsed = 0;
          this.#queued = 0;
          try {
            this.#onError?.(e);
          } catch {
            // The reporter failed too (nimi's stderr is gone as well): there is no one left to
            // tell, and a throw here would end nimi and orphan its services.
          }
        }
        this.#release();
      }
    } finally {
      this.#pumping = null;
      this.#release();
    }
  }

  /** Moves the open batch, if it holds anything, to the end of the queue. */
  #seal(): void {
    const open = this.#open;
    if (open === null || this.#openUsed === 0) return;
    this.#queue.push(open.subarray(0, this.#openUsed));
    this.#pooled.push(true);
    this.#open = null;
    this.#openUsed = 0;
  }

  /** The next write: one chunk as it is, or small ones joined; and whether it is pooled. */
  #take(): [Uint8Array, boolean] {
    if (this.#queue.length === 0) this.#seal();
    const queue = this.#queue;
    const first = queue[0]!;
    let size = first.length;
    let n = 1;
    if (size < JOIN_BELOW) {
      while (n < queue.length) {
        const next = queue[n]!.length;
        if (next >= JOIN_BELOW || size + next > this.#maxWrite) break;
        size += next;
        n++;
      }
    }
    this.#queued -= size;
    if (n === 1) return [queue.shift()!, this.#pooled.shift()!];
    const pool = this.#pool;
    const batch = pool === undefined ? new Uint8Array(size) : pool.take(size);
    const pooled = this.#pooled.splice(0, n);
    let off = 0;
    queue.splice(0, n).forEach((p, i) => {
      batch.set(p, off);
      off += p.length;
      if (pooled[i]) pool!.give(p);
    });
    return [batch, pool !== undefined];
  }

  #release(): void {
    if (this.#queued > this.#highWater && !this.#failed) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
