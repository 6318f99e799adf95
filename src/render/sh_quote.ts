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

/**
 * Argv whose words a target cannot carry (a line break where the target splits on white space,
 * a control character XML cannot hold) run through `/bin/sh -c`: the script rebuilds each such
 * word with printf from escapes, so the program still gets every byte.
 *
 * @param argv Program and arguments.
 * @param unsafe Matches a word the target cannot carry.
 * @returns `argv` itself when every word is safe, else `["/bin/sh", "-c", script]`.
 * @example
 * ```ts
 * controlSafeArgv(["printf", "%s", "a\nb"], /\n/);
 * // ["/bin/sh", "-c", "nimi_arg2=$(printf 'a\\nb_'); nimi_arg2=${nimi_arg2%_}; exec printf %s \"$nimi_arg2\""]
 * ```
 */
export function controlSafeArgv(argv: readonly string[], unsafe: RegExp): string[] {
  if (!argv.some((w) => unsafe.test(w))) return [...argv];
  const lines: string[] = [];
  const words = argv.map((w, i) => {
    if (!unsafe.test(w)) return shQuote(w);
    const name = `nimi_arg${i}`;
    // The trailing _ keeps command substitution from dropping trailing newlines.
    lines.push(`${name}=$(printf ${shQuote(`${printfFormat(w)}_`)}); ${name}=\${${name}%_}`);
    return `"$${name}"`;
  });
  lines.push(`exec ${words.join(" ")}`);
  return ["/bin/sh", "-c", lines.join("; ")];
}
