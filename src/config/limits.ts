/**
 * The bounds nimi puts on what it reads and names, in one place so validation, the runtime and
 * the documentation (docs/run.md, "Limits") agree.
 *
 * @module
 */

/** Largest config file read, in bytes (Nix-generated configs are a few KiB to a few MiB). */
export const MAX_CONFIG_BYTES: number = 16 * 1024 * 1024;

/** Largest credential file copied, in bytes (systemd's `LoadCredential=` limit). */
export const MAX_CREDENTIAL_BYTES: number = 1024 * 1024;

/**
 * Deepest nesting of arrays and objects in a config file. Each level of nested services costs
 * two (`services.<name>`), so services can nest about 45 deep.
 */
export const MAX_JSON_DEPTH = 100;

/** Longest service name, after flattening (it becomes part of file names). */
export const MAX_NAME_LENGTH = 128;

/** Longest file name component, in UTF-8 bytes (Linux's NAME_MAX). */
export const MAX_FILE_NAME_BYTES = 255;

/** Longest configData path, in UTF-8 bytes. */
export const MAX_RELATIVE_PATH_BYTES = 1024;

/** Names that would make a service's lines or files look like nimi's own. */
export const RESERVED_NAMES: readonly string[] = ["nimi"];

// deno-lint-ignore no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Whether text holds a control character (NUL, newline, escape, DEL, ...), which would corrupt
 * file names, log prefixes and messages.
 *
 * @param text The text.
 * @returns The first control character's position, or -1.
 * @example
 * ```ts
 * controlCharAt("a\nb"); // 1
 * ```
 */
export function controlCharAt(text: string): number {
  const m = CONTROL.exec(text);
  return m === null ? -1 : m.index;
}

/**
 * UTF-8 length of a string.
 *
 * @param text The text.
 * @returns Its length in bytes.
 */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * How deep arrays and objects nest in JSON or JSONC text, scanned without parsing, so a
 * hostile file cannot exhaust the parser's stack. Strings and comments are skipped.
 *
 * @param text The file's text.
 * @param limit Stop at this depth.
 * @returns The offset where `limit` is exceeded, or -1 when it never is.
 * @example
 * ```ts
 * depthExceededAt("[[[]]]", 2); // 2
 * ```
 */
export function depthExceededAt(text: string, limit: number): number {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) { // '"'
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++; // backslash
        else if (d === 0x22) break;
      }
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2f) { // "//"
      const end = text.indexOf("\n", i);
      i = end === -1 ? n : end;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) { // "/*"
      const end = text.indexOf("*/", i + 2);
      i = end === -1 ? n : end + 1;
    } else if (c === 0x7b || c === 0x5b) { // "{" "["
      if (++depth > limit) return i;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return -1;
}
