/**
 * Holds console output while the terminal UI owns the screen, keeping only the newest bytes,
 * and writes them out once the UI has given the terminal back; after that it passes writes
 * straight through.
 *
 * @module
 */
import type { ByteWriter } from "../logs/batch_writer.ts";

/** A console that waits for the terminal UI to end. */
export class DeferredWriter implements ByteWriter {
  #held: Uint8Array[] = [];
  #bytes = 0;
  #target: ByteWriter | null = null;
  readonly #cap: number;

  /** @param cap The most bytes kept; older whole chunks are dropped first. */
  constructor(cap: number) {
    this.#cap = cap;
  }

  /**
   * Holds the bytes (a copy), or writes them once released.
   *
   * @param p The bytes.
   * @returns How many were taken: all of them.
   */
  async write(p: Uint8Array): Promise<number> {
    if (this.#target !== null) return await this.#target.write(p);
    this.#held.push(p.slice());
    this.#bytes += p.length;
    while (this.#held.length > 1 && this.#bytes - this.#held[0]!.length >= this.#cap) {
      this.#bytes -= this.#held.shift()!.length;
    }
    return p.length;
  }

  /**
   * Writes what was held to `target`, and every later write straight to it.
   *
   * @param target The real console.
   */
  async release(target: ByteWriter): Promise<void> {
    for (const chunk of this.#held.splice(0)) {
      let off = 0;
      while (off < chunk.length) off += await target.write(chunk.subarray(off));
    }
    this.#bytes = 0;
    this.#target = target;
  }
}
