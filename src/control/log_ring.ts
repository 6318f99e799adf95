/**
 * The last output of each service, kept in memory for `nimi logs`: a ring of raw chunks (at
 * most {@link RING_BYTES} per service, chunk overhead included), split into lines only when someone asks, so keeping it
 * costs one copy per chunk and nothing per line. Followers get each new line as it completes.
 *
 * @module
 */

/** Bytes of output kept per service. */
export const RING_BYTES = 64 * 1024;

/**
 * What one kept chunk costs besides its bytes (object, typed array and buffer headers), counted
 * in the budget so a service printing tiny chunks cannot make its ring many times larger.
 */
const CHUNK_OVERHEAD = 128;

/** One line of a service's output. */
export interface LogLine {
  /** The service. */
  service: string;
  /** Which stream. */
  stream: "stdout" | "stderr";
  /** The line, without its newline (invalid UTF-8 replaced). */
  line: string;
  /** When nimi read it (ISO 8601). */
  time: string;
}

interface Chunk {
  stream: "stdout" | "stderr";
  time: number;
  bytes: Uint8Array;
}

/** Called with each completed line of a followed service. */
export type LineFollower = (line: LogLine) => void;

const NEWLINE = 10;

/** Splits chunks of one stream into lines, carrying a partial line over. */
class Splitter {
  #partial: Uint8Array[] = [];

  /** Feeds a chunk; calls `line` with each completed line's bytes. */
  feed(bytes: Uint8Array, line: (bytes: Uint8Array) => void): void {
    let start = 0;
    for (let i = bytes.indexOf(NEWLINE); i !== -1; i = bytes.indexOf(NEWLINE, start)) {
      const piece = bytes.subarray(start, i);
      if (this.#partial.length > 0) {
        this.#partial.push(piece);
        line(concat(this.#partial));
        this.#partial = [];
      } else line(piece);
      start = i + 1;
    }
    if (start < bytes.length) this.#partial.push(bytes.slice(start));
  }
}

/** One service's ring. */
class Ring {
  readonly #chunks: Chunk[] = [];
  #bytes = 0;
  /** The oldest chunk no longer starts at a line's start (its head was dropped). */
  #cut = false;
  readonly #followers = new Set<{ fn: LineFollower; split: Record<string, Splitter> }>();
  readonly #name: string;

  constructor(name: string) {
    this.#name = name;
  }

  push(stream: "stdout" | "stderr", chunk: Uint8Array, time: number): void {
    const bytes = chunk.length > RING_BYTES
      ? chunk.slice(chunk.length - RING_BYTES)
      : chunk.slice();
    if (chunk.length > RING_BYTES) this.#cut = this.#chunks.length === 0 || this.#cut;
    this.#chunks.push({ stream, time, bytes });
    this.#bytes += bytes.length + CHUNK_OVERHEAD;
    while (this.#bytes > RING_BYTES && this.#chunks.length > 1) {
      this.#bytes -= this.#chunks.shift()!.bytes.length + CHUNK_OVERHEAD;
      this.#cut = true;
    }
    for (const f of this.#followers) {
      f.split[stream]!.feed(bytes, (line) => f.fn(this.#line(stream, line, time)));
    }
  }

  lines(): LogLine[] {
    const out: LogLine[] = [];
    const split = { stdout: new Splitter(), stderr: new Splitter() };
    const skip = { stdout: this.#cut, stderr: this.#cut };
    for (const c of this.#chunks) {
      split[c.stream].feed(c.bytes, (line) => {
        // The first line of a stream whose head was dropped is only its tail: leave it out.
        if (skip[c.stream]) skip[c.stream] = false;
        else out.push(this.#line(c.stream, line, c.time));
      });
    }
    return out;
  }

  follow(fn: LineFollower): void {
    this.#followers.add({ fn, split: { stdout: new Splitter(), stderr: new Splitter() } });
  }

  unfollow(fn: LineFollower): void {
    for (const f of this.#followers) if (f.fn === fn) this.#followers.delete(f);
  }

  #line(stream: "stdout" | "stderr", bytes: Uint8Array, time: number): LogLine {
    return {
      service: this.#name,
      stream,
      line: decoder.decode(bytes),
      time: new Date(time).toISOString(),
    };
  }
}

const decoder = new TextDecoder();

/** Every service's ring; created on a service's first output. */
export class LogRings {
  readonly #rings = new Map<string, Ring>();
  readonly #watchers = new Set<{ names: ReadonlySet<string> | null; fn: LineFollower }>();
  readonly #now: () => number;

  /**
   * Creates the rings.
   *
   * @param now Clock for line times, in epoch milliseconds.
   */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /**
   * Keeps a chunk of a service's output (the sink's tap calls this; the bytes are copied).
   *
   * @param service The service.
   * @param stream Which stream.
   * @param chunk The bytes as read.
   */
  push(service: string, stream: "stdout" | "stderr", chunk: Uint8Array): void {
    let ring = this.#rings.get(service);
    if (ring === undefined) {
      ring = new Ring(service);
      this.#rings.set(service, ring);
      for (const w of this.#watchers) {
        if (w.names === null || w.names.has(service)) ring.follow(w.fn);
      }
    }
    ring.push(stream, chunk, this.#now());
  }

  /**
   * The last lines of some services, oldest first (merged by time).
   *
   * @param services Names, or null for every service.
   * @param n How many lines at most.
   * @returns The lines.
   */
  tail(services: readonly string[] | null, n: number): LogLine[] {
    const names = services ?? [...this.#rings.keys()];
    const all = names.flatMap((s) => this.#rings.get(s)?.lines() ?? []);
    // A stable sort keeps each service's own order for lines read in the same millisecond.
    all.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    return n <= 0 ? [] : all.slice(-n);
  }

  /**
   * Follows new lines of some services.
   *
   * @param services Names, or null for every service (also those that print later).
   * @param fn Called with each new line.
   * @returns A function that stops following.
   */
  follow(services: readonly string[] | null, fn: LineFollower): () => void {
    const names = services === null ? null : new Set(services);
    for (const [name, ring] of this.#rings) {
      if (names === null || names.has(name)) ring.follow(fn);
    }
    const watcher = { names, fn };
    this.#watchers.add(watcher);
    return () => {
      this.#watchers.delete(watcher);
      for (const ring of this.#rings.values()) ring.unfollow(fn);
    };
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
