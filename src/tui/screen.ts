/**
 * A screen that redraws only the rows that changed since the last frame: no flicker, and little
 * output when one service's state changes.
 *
 * @module
 */
import { encodeLine, type Line, moveTo, SEQ } from "./ansi.ts";

/** The size of the terminal. */
export interface Size {
  /** Columns. */
  readonly columns: number;
  /** Rows. */
  readonly rows: number;
}

/** Keeps the last frame and computes what to send for the next. */
export class Screen {
  #rows: string[] = [];
  #size: Size | null = null;
  readonly #color: boolean;

  /** @param color Whether colours are allowed (false under NO_COLOR). */
  constructor(color: boolean) {
    this.#color = color;
  }

  /**
   * The bytes that turn the terminal's last frame into this one: every row after a resize (or
   * the first time), otherwise only rows whose content changed.
   *
   * @param lines The rows of the frame (cut or padded to the size).
   * @param size The terminal size.
   * @returns What to write; empty when nothing changed.
   */
  frame(lines: readonly Line[], size: Size): string {
    const resized = this.#size === null || this.#size.columns !== size.columns ||
      this.#size.rows !== size.rows;
    if (resized) this.#rows = [];
    this.#size = size;
    let out = resized ? SEQ.clearScreen : "";
    for (let r = 0; r < size.rows; r++) {
      const encoded = encodeLine(lines[r] ?? [], size.columns, this.#color);
      if (this.#rows[r] === encoded) continue;
      this.#rows[r] = encoded;
      out += moveTo(r + 1, 1) + encoded;
    }
    return out;
  }

  /** Forgets the last frame, so the next one is drawn whole (after the terminal was disturbed). */
  invalidate(): void {
    this.#size = null;
  }
}
