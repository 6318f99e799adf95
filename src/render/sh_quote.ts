/**
 * POSIX shell quoting, for every target whose commands pass through `/bin/sh`.
 *
 * @module
 */

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quotes one word for a POSIX shell, so it reaches the program unchanged.
 *
 * @param word Any string.
 * @returns The word, single-quoted unless it is made only of safe characters.
 * @example
 * ```ts
 * shQuote("it's"); // "'it'\\''s'"
 * shQuote("/bin/sh"); // "/bin/sh"
 * ```
 */
export function shQuote(word: string): string {
  if (SAFE.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * Quotes a command line for a POSIX shell.
 *
 * @param argv Program and arguments.
 * @returns The words quoted and joined by spaces.
 */
export function shJoin(argv: readonly string[]): string {
  return argv.map(shQuote).join(" ");
}

/**
 * A `printf` format that prints `text` exactly, on one line of shell (newlines and other control
 * characters become escapes), for line-based targets such as Procfile and supervisord.
 *
 * @param text Any text.
 * @returns The format string, not yet shell-quoted.
 * @example
 * ```ts
 * printfFormat("a\n100%"); // "a\\n100%%"
 * ```
 */
export function printfFormat(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === "%") out += "%%";
    else if (ch === "\n") out += "\\n";
    else if (code < 0x20 || code === 0x7f) out += `\\${code.toString(8).padStart(3, "0")}`;
    else out += ch;
  }
  return out;
}
