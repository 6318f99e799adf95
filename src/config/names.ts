/**
 * What makes a service name, a credential name, a configData path and the other strings nimi
 * hands to the kernel usable: pure checks, so `validate` refuses exactly what `run` could not
 * create or start (docs/config.md, "Names and paths").
 *
 * @module
 */
import {
  controlCharAt,
  MAX_FILE_NAME_BYTES,
  MAX_NAME_LENGTH,
  MAX_RELATIVE_PATH_BYTES,
  RESERVED_NAMES,
  utf8Length,
} from "./limits.ts";

const VALID_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * Why a flattened service name cannot be used, or null. A name becomes part of file names
 * (`<name>.log`, its configData and credentials directories) and of every console prefix.
 *
 * @param name The flattened name.
 * @param reserved Extra names taken (`startup` when `settings.startup.runOnStartup` is set).
 * @returns The problem, or null.
 * @example
 * ```ts
 * serviceNameProblem("web", []); // null
 * serviceNameProblem("nimi", []); // 'service name "nimi" is reserved ...'
 * ```
 */
export function serviceNameProblem(name: string, reserved: readonly string[]): string | null {
  const shown = show(name);
  if (!VALID_NAME.test(name)) {
    return `service name ${shown} is not usable: use letters, digits, "_", "." ` +
      `and "-", starting with a letter or digit`;
  }
  if (name.length > MAX_NAME_LENGTH) {
    return `service name ${shown} is ${name.length} characters long; at most ` +
      `${MAX_NAME_LENGTH} (nested names count in full)`;
  }
  if (RESERVED_NAMES.includes(name)) {
    return `service name ${shown} is reserved: nimi's own messages carry it; rename the service`;
  }
  if (reserved.includes(name)) {
    return `service name ${shown} is taken by settings.startup.runOnStartup (its output and ` +
      `log file are "${name}"); rename the service`;
  }
  return null;
}

/**
 * Why a credential name cannot be a file name in `$CREDENTIALS_DIRECTORY`, or null.
 *
 * @param name The credential's name.
 * @returns The problem, or null.
 */
export function credentialNameProblem(name: string): string | null {
  if (name === "" || name === "." || name === ".." || name.includes("/")) {
    return `credential name must be a plain file name, got ${show(name)}`;
  }
  if (controlCharAt(name) !== -1) {
    return `credential name must not contain control characters, got ${show(name)}`;
  }
  if (utf8Length(name) > MAX_FILE_NAME_BYTES) {
    return `credential name is ${utf8Length(name)} bytes long; at most ${MAX_FILE_NAME_BYTES}`;
  }
  return null;
}

/**
 * Why a clean relative configData path cannot be created, or null: control characters, a
 * component longer than a file name can be, or a path too long.
 *
 * @param path The path, already cleaned (no `.`, `..` or empty components).
 * @returns The problem, or null.
 */
export function relativePathProblem(path: string): string | null {
  if (controlCharAt(path) !== -1) {
    return `must not contain control characters, got ${show(path)}`;
  }
  const bytes = utf8Length(path);
  if (bytes > MAX_RELATIVE_PATH_BYTES) {
    return `is ${bytes} bytes long; at most ${MAX_RELATIVE_PATH_BYTES}`;
  }
  for (const part of path.split("/")) {
    if (utf8Length(part) > MAX_FILE_NAME_BYTES) {
      return `has a component of ${utf8Length(part)} bytes; at most ${MAX_FILE_NAME_BYTES}`;
    }
  }
  return null;
}

/**
 * Why a string passed to the kernel (a program, argument, path or environment value) cannot
 * be, or null: the kernel ends strings at NUL.
 *
 * @param text The string.
 * @returns The problem, or null.
 */
export function nulProblem(text: string): string | null {
  return text.includes("\0") ? `must not contain a NUL character, got ${show(text)}` : null;
}

/**
 * Why an environment variable name cannot be set, or null.
 *
 * @param name The variable's name.
 * @returns The problem, or null.
 */
export function environmentNameProblem(name: string): string | null {
  if (name === "" || name.includes("=") || name.includes("\0")) {
    return `environment variable name must be non-empty, without "=" or NUL, got ${show(name)}`;
  }
  return null;
}

/**
 * A string for a message: quoted, control characters escaped, cut after 60 characters.
 *
 * @param text The string.
 * @returns The shown form.
 */
export function show(text: string): string {
  return text.length > 60
    ? `${JSON.stringify(text.slice(0, 60)).slice(0, -1)}..."`
    : JSON.stringify(text);
}
