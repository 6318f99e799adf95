/**
 * The few ANSI/VT100 control sequences the terminal UI uses, and text made safe and exact in
 * width for a terminal cell grid. nimi draws its own screen with these instead of a terminal
 * library: the ones on npm target Node's TTY streams and bring far more than a table and a pane.
 *
 * @module
 */
import { cutToCells } from "./cells.ts";

/** Control sequences, by what they do. */
export const SEQ = {
  /** Switch to the alternate screen (the user's scrollback stays untouched). */
  altScreenOn: "\x1b[?1049h",
  /** Back to the normal screen. */
  altScreenOff: "\x1b[?1049l",
  /** Hide the cursor. */
  cursorHide: "\x1b[?25l",
  /** Show the cursor. */
  cursorShow: "\x1b[?25h",
  /** Clear the whole screen. */
  clearScreen: "\x1b[2J",
  /** All attributes off. */
  reset: "\x1b[0m",
  /** Turn off auto-wrap, so a full last column never scrolls the screen. */
  wrapOff: "\x1b[?7l",
  /** Turn auto-wrap back on. */
  wrapOn: "\x1b[?7h",
} as const;

/**
 * Moves the cursor.
 *
 * @param row Row, from 1.
 * @param col Column, from 1.
 * @returns The sequence.
 * @example
 * ```ts
 * moveTo(1, 1); // "\x1b[1;1H"
 * ```
 */
export function moveTo(row: number, col: number): string {
  return `\x1b[${row};${col}H`;
}

/** A text attribute. */
export type Style =
  | "bold"
  | "dim"
  | "reverse"
  | "underline"
  | "red"
  | "green"
  | "yellow"
  | "blue"
  | "magenta"
  | "cyan";

const SGR: Record<Style, number> = {
  bold: 1,
  dim: 2,
  underline: 4,
  reverse: 7,
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
};

const COLOURS: ReadonlySet<Style> = new Set(["red", "green", "yellow", "blue", "magenta", "cyan"]);

/** A run of text with one set of attributes. */
export interface Segment {
  /** The text (already made safe with {@link cleanText}). */
  readonly text: string;
  /** Its attributes. */
  readonly style?: readonly Style[];
}

/** One screen row. */
export type Line = readonly Segment[];

/**
 * Replaces what would move the cursor or change the terminal (control characters, escape
 * sequences a service printed) with visible stand-ins, so a log line can never corrupt the
 * screen: a tab becomes spaces, an escape sequence is dropped, other controls become `?`.
 *
 * @param text Untrusted text (a service's output).
 * @returns Text of printable characters only.
 * @example
 * ```ts
 * cleanText("a\tb\x1b[31mred\x07"); // "a   bred?"
 * ```
 */
export function cleanText(text: string): string {
  return text
    // CSI and OSC sequences, then any lone escape.
    // deno-lint-ignore no-control-regex
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b./g, "")
    .replace(/\t/g, "    ")
    // deno-lint-ignore no-control-regex
    .replace(/[\x00-\x1f\x7f-\x9f]/g, "?");
}

/**
 * Cuts or pads a text to exactly `width` cells, wide characters taking two (cells.ts).
 *
 * @param text The text.
 * @param width Cells.
 * @returns The fitted text.
 */
export function fit(text: string, width: number): string {
  const cut = cutToCells(text, Math.max(0, width));
  return cut.text + " ".repeat(Math.max(0, width - cut.cells));
}

/**
 * Turns a row into what the terminal is sent: exactly `width` cells, attributes as SGR
 * sequences (colours dropped when `color` is false; bold, dim, reverse and underline kept, as
 * NO_COLOR asks).
 *
 * @param line The segments.
 * @param width Cells.
 * @param color Whether colours are allowed.
 * @returns The encoded row.
 */
export function encodeLine(line: Line, width: number, color: boolean): string {
  let out = "";
  let left = width;
  for (const seg of line) {
    if (left <= 0) break;
    const { text, cells } = cutToCells(seg.text, left);
    const codes = (seg.style ?? []).filter((s) => color || !COLOURS.has(s)).map((s) => SGR[s]);
    out += codes.length ? `\x1b[${codes.join(";")}m${text}${SEQ.reset}` : text;
    left -= cells;
    // Cut short: the rest of the row is narrower than the next (wide) character.
    if (text.length < seg.text.length) break;
  }
  return out + " ".repeat(Math.max(0, left));
}
