/**
 * Byte-level line splitting for service output: no text decoding on the hot path, so invalid
 * UTF-8 and binary output pass through unchanged.
 *
 * @module
 */

/** Newline byte. */
const LF = 10;

/**
 * Longest line kept whole. Longer runs of bytes without a newline are passed on in pieces of
 * this size, so a service printing binary data without newlines cannot exhaust memory.
 */
export const MAX_LINE_BYTES: number = 8 * 1024 * 1024;

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
  readonly #maxLine: number;

  /** @param maxLine Longest line kept whole, in bytes (see {@link MAX_LINE_BYTES}). */
  constructor(maxLine: number = MAX_LINE_BYTES) {
    this.#maxLine = maxLine;
  }

  /**
   * Adds bytes and returns the lines they complete, without their newline.
   *
   * @param chunk Bytes read from the stream; the returned lines may be views into it, so use
   * them before the chunk's buffer is reused. A partial line is copied.
   * @returns Complete lines, in order.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    const lines: Uint8Array[] = [];
    let start = 0;
    let nl = chunk.indexOf(LF);
    if (nl !== -1 && this.#carryLength > 0) {
      this.#carry.push(chunk.subarray(0, nl));
      this.#carryLength += nl;
      lines.push(this.#takeCarry());
      start = nl + 1;
      nl = chunk.indexOf(LF, start);
    }
    while (nl !== -1) {
      lines.push(chunk.subarray(start, nl));
      start = nl + 1;
      nl = chunk.indexOf(LF, start);
    }
    if (start < chunk.length) {
      const rest = chunk.slice(start);
      this.#carry.push(rest);
      this.#carryLength += rest.length;
      while (this.#carryLength >= this.#maxLine) {
        const all = this.#takeCarry();
        lines.push(all.subarray(0, this.#maxLine));
        if (all.length > this.#maxLine) {
          this.#carry.push(all.subarray(this.#maxLine));
          this.#carryLength = all.length - this.#maxLine;
        }
      }
    }
    return lines;
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
    const line = new Uint8Array(length);
    let off = 0;
    for (const p of parts) {
      line.set(p, off);
      off += p.length;
    }
    return line;
  }
}
