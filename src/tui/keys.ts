/**
 * Terminal input bytes to key names: letters, Enter, Escape, Backspace, arrows, page and
 * home/end keys, Ctrl-C. One read may hold several keys (a paste, a fast typist).
 *
 * @module
 */

/** A key: a printable character, or a name such as `up`, `enter`, `ctrl-c`. */
export type Key = string;

const SEQUENCES: Readonly<Record<string, Key>> = {
  "\x1b[A": "up",
  "\x1b[B": "down",
  "\x1b[C": "right",
  "\x1b[D": "left",
  "\x1bOA": "up",
  "\x1bOB": "down",
  "\x1b[5~": "pageup",
  "\x1b[6~": "pagedown",
  "\x1b[H": "home",
  "\x1b[F": "end",
  "\x1b[1~": "home",
  "\x1b[4~": "end",
  "\x1bOH": "home",
  "\x1bOF": "end",
};

/**
 * Splits input into keys. An unknown escape sequence is skipped whole.
 *
 * @param input What one read returned, decoded.
 * @returns The keys, in order.
 * @example
 * ```ts
 * parseKeys("j\x1b[Aq"); // ["j", "up", "q"]
 * ```
 */
export function parseKeys(input: string): Key[] {
  const keys: Key[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c === "\x1b") {
      const known = Object.keys(SEQUENCES).find((s) => input.startsWith(s, i));
      if (known) {
        keys.push(SEQUENCES[known]!);
        i += known.length;
        continue;
      }
      // deno-lint-ignore no-control-regex
      const csi = /^\x1b[[O][0-?]*[ -/]*[@-~]/.exec(input.slice(i));
      if (csi) {
        i += csi[0].length;
        continue;
      }
      keys.push("escape");
      i++;
      continue;
    }
    i++;
    if (c === "\r" || c === "\n") keys.push("enter");
    else if (c === "\x7f" || c === "\b") keys.push("backspace");
    else if (c === "\x03") keys.push("ctrl-c");
    else if (c === "\x04") keys.push("ctrl-d");
    else if (c === "\x0c") keys.push("ctrl-l");
    else if (c >= " ") keys.push(c);
  }
  return keys;
}
