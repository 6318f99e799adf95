/**
 * Byte-level line splitting for service output: no text decoding on the hot path, so invalid
 * UTF-8 and binary output pass through unchanged.
 *
 * @module
 */

import { kernelEnds, kernelFormat, kernelGeneration, kernelScan } from "./line_kernel.ts";

/** Newline byte. */
const LF = 10;

/**
 * Longest line kept whole (64 KiB). A longer run of bytes without a newline is passed on in
 * pieces of this size, each followed by {@link CONTINUES_MARKER}, so a service printing
 * hundreds of MB without a newline, or binary data, holds at most this much of nimi's memory.
 */
export const MAX_LINE_BYTES: number = 64 * 1024;

/** Appended to each piece of a cut line but the last: the line goes on in the next one. */
export const CONTINUES_MARKER = " [nimi: line continues]";

const MARKER_BYTES = new TextEncoder().encode(CONTINUES_MARKER);

function marked(piece: Uint8Array): Uint8Array {
  const out = new Uint8Array(piece.length + MARKER_BYTES.length);
  out.set(piece);
  out.set(MARKER_BYTES, piece.length);
  return out;
}

/**
 * The complete lines found in one chunk, described without copying: `first` (a line completed
 * from bytes of earlier chunks), then `count` lines inside `data` (the first starts at
 * `start`, line i ends before the newline at `ends[i]`), then `rest` (pieces of an over-long
 * line cut at the maximum length).
 */
export interface LineScan {
  /** A line completed from earlier chunks, or null. */
  first: Uint8Array | null;
  /** The chunk. */
  data: Uint8Array;
  /** Where the first line in `data` starts. */
  start: number;
  /** Newline positions in `data`; only the first `count` are valid, until the next scan. */
  ends: Int32Array;
  /** Lines inside `data`. */
  count: number;
  /** Pieces of an over-long line, after the others, each ending with the marker. */
  rest: Uint8Array[];
  /**
   * The kernel scan (src/logs/line_kernel.ts) that found the newlines: while the kernel still
   * holds the chunk (no other scan since), {@link prefixScan} lets it format the lines. 0 for
   * a scan done in JavaScript.
   */
  kernel: number;
}

/**
 * Splits a byte stream into lines. Chunks may end mid-line: the partial line is kept until its
 * newline arrives or {@link LineSplitter.end} flushes it.
 *
 * @example
 * ```ts
 * const s = new LineSplitter();
 * s.push(new TextEncoder().encode("a\nb")); // [bytes of "a"]
 * s.end(); // [bytes of "b"]
 * ```
 */
export class LineSplitter {
  #carry: Uint8Array[] = [];
  #carryLength = 0;
  #ends = new Int32Array(16); // grows (doubling) with the lines of a chunk
  #copied = 0;
  readonly #maxLine: number;

  /**
   * Creates a splitter with no partial line.
   *
   * @param maxLine Longest line kept whole, in bytes (see {@link MAX_LINE_BYTES}).
   */
  constructor(maxLine: number = MAX_LINE_BYTES) {
    this.#maxLine = maxLine;
  }

  /**
   * Bytes copied so far into buffers of its own (partial lines, joined and cut lines): what
   * the splitter allocated, for the collection pacer (src/logs/gc_pacer.ts).
   */
  get copied(): number {
    return this.#copied;
  }

  /**
   * Adds bytes and describes the lines they complete, without allocating per line.
   *
   * @param chunk Bytes read from the stream; the scan refers to it, so use the scan before the
   * chunk's buffer is reused. A partial line is copied.
   * @returns The complete lines.
   */
  scan(chunk: Uint8Array): LineScan {
    const found = kernelScan(chunk);
    return found >= 0 ? this.#scanned(chunk, found) : this.#scanHere(chunk);
  }

  /** The scan of a chunk whose `found` newlines the kernel holds in {@link kernelEnds}. */
  #scanned(chunk: Uint8Array, found: number): LineScan {
    let first: Uint8Array | null = null;
    let start = 0;
    let skip = 0;
    if (found > 0 && this.#carryLength > 0) {
      const nl = kernelEnds[0]!;
      this.#carry.push(chunk.subarray(0, nl));
      this.#carryLength += nl;
      first = this.#takeCarry();
      start = nl + 1;
      skip = 1;
    }
    // A copy of the newlines of its own, valid after other splitters' scans.
    const count = found - skip;
    let ends = this.#ends;
    if (ends.length < count) {
      let size = ends.length;
      while (size < count) size *= 2;
      ends = this.#ends = new Int32Array(size);
    }
    ends.set(kernelEnds.subarray(skip, found));
    const rest = this.#keepTail(chunk, count > 0 ? ends[count - 1]! + 1 : start);
    return { first, data: chunk, start, ends, count, rest, kernel: kernelGeneration() };
  }

  /** The scan of a chunk the kernel cannot take, with indexOf. */
  #scanHere(chunk: Uint8Array): LineScan {
    let first: Uint8Array | null = null;
    let start = 0;
    let nl = chunk.indexOf(LF);
    if (nl !== -1 && this.#carryLength > 0) {
      this.#carry.push(chunk.subarray(0, nl));
      this.#carryLength += nl;
      first = this.#takeCarry();
      start = nl + 1;
      nl = chunk.indexOf(LF, start);
    }
    let ends = this.#ends;
    let count = 0;
    while (nl !== -1) {
      if (count === ends.length) {
        const grown = new Int32Array(ends.length * 2);
        grown.set(ends);
        ends = this.#ends = grown;
      }
      ends[count++] = nl;
      nl = chunk.indexOf(LF, nl + 1);
    }
    const rest = this.#keepTail(chunk, count > 0 ? ends[count - 1]! + 1 : start);
    return { first, data: chunk, start, ends, count, rest, kernel: 0 };
  }

  /**
   * Keeps the bytes after the last newline as the partial line, cutting it into marked pieces
   * while it is longer than the maximum.
   *
   * @returns The cut pieces.
   */
  #keepTail(chunk: Uint8Array, tail: number): Uint8Array[] {
    const rest: Uint8Array[] = [];
    if (tail < chunk.length) {
      const partial = chunk.slice(tail);
      this.#copied += partial.length;
      this.#carry.push(partial);
      this.#carryLength += partial.length;
      while (this.#carryLength > this.#maxLine) {
        const all = this.#takeCarry();
        rest.push(marked(all.subarray(0, this.#maxLine)));
        this.#copied += this.#maxLine + MARKER_BYTES.length;
        if (all.length > this.#maxLine) {
          this.#carry.push(all.subarray(this.#maxLine));
          this.#carryLength = all.length - this.#maxLine;
        }
      }
    }
    return rest;
  }

  /**
   * Adds bytes and returns the lines they complete, without their newline.
   *
   * @param chunk Bytes read from the stream (see {@link LineSplitter.scan}).
   * @returns Complete lines, in order; they may be views into `chunk`.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    return linesOf(this.scan(chunk));
  }

  /**
   * Ends the stream.
   *
   * @returns The final line when the stream did not end with a newline, else nothing.
   */
  end(): Uint8Array[] {
    return this.#carryLength > 0 ? [this.#takeCarry()] : [];
  }

  #takeCarry(): Uint8Array {
    const parts = this.#carry;
    this.#carry = [];
    const length = this.#carryLength;
    this.#carryLength = 0;
    if (parts.length === 1) return parts[0]!;
    this.#copied += length;
    const line = new Uint8Array(length);
    let off = 0;
    for (const p of parts) {
      line.set(p, off);
      off += p.length;
    }
    return line;
  }
}

/**
 * The lines of a scan as separate views.
 *
 * @param scan A scan from {@link LineSplitter.scan}.
 * @returns Its lines in order, without newlines.
 */
export function linesOf(scan: LineScan): Uint8Array[] {
  const lines: Uint8Array[] = [];
  if (scan.first !== null) lines.push(scan.first);
  let s = scan.start;
  for (let i = 0; i < scan.count; i++) {
    const e = scan.ends[i]!;
    lines.push(scan.data.subarray(s, e));
    s = e + 1;
  }
  for (const r of scan.rest) lines.push(r);
  return lines;
}

/**
 * Formats a scan's lines, each behind `prefix` and followed by a newline, into one buffer,
 * copying each line once and allocating nothing per line.
 *
 * @param prefix Bytes put before each line.
 * @param scan A scan from {@link LineSplitter.scan}.
 * @param alloc Where the output buffer comes from (a pool, src/logs/buffer_pool.ts); it is
 *   filled entirely. @default a fresh buffer
 * @returns The formatted bytes.
 */
export function prefixScan(
  prefix: Uint8Array,
  scan: LineScan,
  alloc: (size: number) => Uint8Array = (size) => new Uint8Array(size),
): Uint8Array {
  const p = prefix.length;
  const { data, ends, count } = scan;
  const runEnd = count > 0 ? ends[count - 1]! + 1 : scan.start;
  let size = runEnd - scan.start + count * p;
  if (scan.first !== null) size += scan.first.length + p + 1;
  for (const r of scan.rest) size += r.length + p + 1;
  const out = alloc(size);
  let o = 0;
  if (scan.first !== null) {
    out.set(prefix, o);
    out.set(scan.first, o + p);
    o += p + scan.first.length;
    out[o++] = LF;
  }
  const run = runEnd - scan.start + count * p;
  const inKernel = scan.kernel !== 0 && scan.kernel === kernelGeneration();
  if (
    count > 0 && inKernel &&
    kernelFormat(scan.start, scan.first !== null, count, prefix, out, o, run)
  ) {
    o += run;
  } else if (count > 0) {
    // Copy the whole run once, then open a gap for each prefix, moving lines from the last.
    out.set(data.subarray(scan.start, runEnd), o);
    for (let i = count - 1; i >= 0; i--) {
      const from = (i === 0 ? scan.start : ends[i - 1]! + 1) - scan.start;
      const to = ends[i]! + 1 - scan.start;
      const dest = o + from + (i + 1) * p;
      out.copyWithin(dest, o + from, o + to);
      out.set(prefix, dest - p);
    }
    o += runEnd - scan.start + count * p;
  }
  for (const r of scan.rest) {
    out.set(prefix, o);
    out.set(r, o + p);
    o += p + r.length;
    out[o++] = LF;
  }
  return out;
}
