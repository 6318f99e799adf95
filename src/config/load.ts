/**
 * Reads a config file and parses it as JSON or JSONC (comments and trailing commas allowed).
 *
 * @module
 */
import type { ParseError } from "jsonc-parser";
import { ConfigError } from "./diagnostics.ts";
import { readBoundedFile, UnreadableFileError } from "./bounded_read.ts";
import { depthExceededAt, MAX_CONFIG_BYTES, MAX_JSON_DEPTH } from "./limits.ts";

/**
 * Reads and parses a config file. JSON is a subset of what is accepted: JSONC comments and
 * trailing commas are allowed in any file.
 *
 * At most {@link MAX_CONFIG_BYTES} are read, from a regular file or a pipe (`/dev/stdin`): a
 * device or a huge file is refused before nimi reads it or fills its memory. A byte order mark is skipped;
 * invalid UTF-8 is an error.
 *
 * @param file Path of the config file.
 * @returns The parsed JSON value.
 * @throws {ConfigError} When the file cannot be read or is not valid JSON/JSONC.
 */
export async function readConfigFile(file: string): Promise<unknown> {
  let text: string;
  try {
    // A pipe is fine (`--config /dev/stdin`); a device or an endless stream is not.
    const bytes = await readBoundedFile(file, MAX_CONFIG_BYTES, { allowFifo: true });
    text = decodeUtf8(file, bytes);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(file, [{
      severity: "error",
      path: "",
      message: `cannot read config: ${describeFsError(e)}`,
    }], { cause: e });
  }
  return parseConfigText(file, text);
}

function decodeUtf8(file: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    throw new ConfigError(file, [{
      severity: "error",
      path: "",
      message: "invalid JSON: the file is not valid UTF-8",
    }], { cause: e });
  }
}

/**
 * Parses config text as JSONC.
 *
 * @param file The file name, for messages.
 * @param text The file's content.
 * @returns The parsed value.
 * @throws {ConfigError} On a syntax error, naming line and column.
 */
export async function parseConfigText(file: string, text: string): Promise<unknown> {
  if (text.trim() === "") {
    throw new ConfigError(file, [{
      severity: "error",
      path: "",
      message: 'invalid JSON: the file is empty; expected an object with "services"',
    }]);
  }
  const deep = depthExceededAt(text, MAX_JSON_DEPTH);
  if (deep !== -1) {
    const { line, column } = position(text, deep);
    throw new ConfigError(file, [{
      severity: "error",
      path: "",
      message: `invalid JSON at line ${line}, column ${column}: nested more than ` +
        `${MAX_JSON_DEPTH} levels deep (the most nimi reads)`,
    }]);
  }
  try {
    // Nix writes plain JSON: the built-in parser is the fast path. Anything it rejects goes to
    // the JSONC parser, which accepts comments and trailing commas and locates real errors.
    return JSON.parse(text);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
  }
  const { parse, printParseErrorCode } = await import("jsonc-parser");
  const errors: ParseError[] = [];
  const value = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  const first = errors[0];
  if (first !== undefined) {
    const { line, column } = position(text, first.offset);
    throw new ConfigError(file, [{
      severity: "error",
      path: "",
      message: `invalid JSON at line ${line}, column ${column}: ${
        describeParseError(printParseErrorCode(first.error))
      }`,
    }]);
  }
  if (text.trim() === "") {
    throw new ConfigError(file, [{
      severity: "error",
      path: "",
      message: 'invalid JSON: the file is empty; expected an object with "services"',
    }]);
  }
  return value;
}

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return { line, column };
}

function describeParseError(code: string): string {
  const words = code.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return words.replace(/ expected$/, "").replace(
    /^(.*)$/,
    (w) => code.endsWith("Expected") ? `expected ${w}` : w,
  );
}

/**
 * Turns a file system error into a short reason.
 *
 * @param e The error thrown by a Deno file API.
 * @returns "no such file", "permission denied", "is a directory", why a file is refused
 *   ("is a FIFO, not a regular file", "is too large: ...") or the error's message.
 */
export function describeFsError(e: unknown): string {
  if (e instanceof UnreadableFileError) return e.message;
  if (e instanceof Deno.errors.NotFound) return "no such file";
  if (e instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (e instanceof Deno.errors.IsADirectory) return "is a directory";
  const message = e instanceof Error ? e.message : String(e);
  if (/EISDIR|Is a directory/i.test(message)) return "is a directory";
  return message.replace(/\s*\(os error \d+\).*$/, "").toLowerCase();
}
