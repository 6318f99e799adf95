/**
 * Formatting of output lines for the console and log files: prefixes are encoded once per
 * service and stream, lines are copied as bytes (text mode) or decoded only for JSON.
 *
 * @module
 */

/** Where a line came from: the service's stdout or stderr, or nimi itself. */
export type StreamName = "stdout" | "stderr" | "nimi";

/** Console output format (`--log-format`). */
export type LogFormat = "text" | "json";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Foreground colours given to services in turn (ANSI 31-36 without red, then bright). */
const PALETTE = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94];

/**
 * Encodes text as UTF-8.
 *
 * @param text Text.
 * @returns Its bytes.
 */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * The console prefix of a service's lines: `web  | ` for stdout, `web  ! ` for stderr, the name
 * padded to `width` and coloured when `color` is set.
 *
 * @param name Service name (or `nimi`, `startup`).
 * @param stream Which stream.
 * @param width Width the name is padded to.
 * @param color Colour index, or null for no colour.
 * @returns The prefix text.
 * @example
 * ```ts
 * consolePrefix("web", "stderr", 5, null); // "web   ! "
 * ```
 */
export function consolePrefix(
  name: string,
  stream: StreamName,
  width: number,
  color: number | null,
): string {
  const padded = name.padEnd(width);
  const mark = stream === "stderr" ? "!" : "|";
  if (color === null) return `${padded} ${mark} `;
  const c = name === "nimi" ? "1" : String(PALETTE[color % PALETTE.length]);
  const m = stream === "stderr" ? "\x1b[31m!\x1b[0m" : mark;
  return `\x1b[${c}m${padded}\x1b[0m ${m} `;
}

/**
 * Joins lines, each behind the same prefix and followed by a newline, into one buffer.
 *
 * @param prefix Bytes put before each line.
 * @param lines Lines without their newline.
 * @returns The formatted bytes.
 */
export function prefixLines(prefix: Uint8Array, lines: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const l of lines) size += l.length;
  size += lines.length * (prefix.length + 1);
  const out = new Uint8Array(size);
  let off = 0;
  for (const l of lines) {
    out.set(prefix, off);
    off += prefix.length;
    out.set(l, off);
    off += l.length;
    out[off++] = 10;
  }
  return out;
}

/**
 * Formats lines as JSON objects, one a line: `{time, service, stream, line}`. Invalid UTF-8 is
 * replaced by U+FFFD, as JSON cannot carry raw bytes.
 *
 * @param time ISO 8601 time of the lines.
 * @param service Service name.
 * @param stream Which stream.
 * @param lines Lines without their newline.
 * @param priority Put before each object (a journal priority such as `<3>`). @default ""
 * @returns The formatted bytes.
 */
export function jsonLines(
  time: string,
  service: string,
  stream: StreamName,
  lines: readonly Uint8Array[],
  priority = "",
): Uint8Array {
  const head = `${priority}{"time":${JSON.stringify(time)},"service":${
    JSON.stringify(service)
  },"stream":"${stream}","line":`;
  let text = "";
  for (const l of lines) text += `${head}${JSON.stringify(decoder.decode(l))}}\n`;
  return encoder.encode(text);
}
