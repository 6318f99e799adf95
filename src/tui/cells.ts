/**
 * How many terminal cells text takes: 2 for East Asian wide and fullwidth characters and for
 * emoji shown as pictures, 0 for combining marks, joiners and variation selectors, 1 for the
 * rest. Terminals lay text out this way (wcwidth), so a row measured by code points would run
 * past the screen's edge with CJK text or emoji in a log line. Pure: no I/O.
 *
 * @module
 */

/** Wide and fullwidth ranges (Unicode East_Asian_Width W and F), first and last code point. */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], // Hangul Jamo initials
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x2e80, 0x303e], // CJK radicals, symbols and punctuation
  [0x3041, 0x33ff], // Hiragana, Katakana, Bopomofo, CJK compatibility
  [0x3400, 0x4dbf], // CJK extension A
  [0x4e00, 0x9fff], // CJK unified ideographs
  [0xa000, 0xa4cf], // Yi
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f], // CJK compatibility forms, small forms
  [0xff00, 0xff60], // fullwidth forms
  [0xffe0, 0xffe6],
  [0x16fe0, 0x16fe4],
  [0x17000, 0x18cff], // Tangut
  [0x1b000, 0x1b2ff], // Kana supplement
  [0x1f200, 0x1f2ff], // enclosed ideographic supplement
  [0x20000, 0x2fffd], // CJK extensions B to F
  [0x30000, 0x3fffd],
];

const EMOJI = /\p{Emoji_Presentation}/u;
const ZERO = /[\p{Mn}\p{Me}\p{Cf}\u200b\u1160-\u11ff\ufe00-\ufe0f]/u;

/**
 * The cells one code point takes.
 *
 * @param ch One code point (as from iterating a string).
 * @returns 0, 1 or 2.
 * @example
 * ```ts
 * charCells("a"); // 1
 * charCells("漢"); // 2
 * charCells("\u0301"); // 0 (combining acute accent)
 * ```
 */
export function charCells(ch: string): 0 | 1 | 2 {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x300) return 1;
  if (ZERO.test(ch)) return 0;
  for (const [first, last] of WIDE) {
    if (cp < first) break;
    if (cp <= last) return 2;
  }
  return EMOJI.test(ch) ? 2 : 1;
}

/**
 * The cells a text takes.
 *
 * @param text Printable text (see `cleanText`).
 * @returns Its width on a terminal.
 */
export function textCells(text: string): number {
  let n = 0;
  for (const ch of text) n += charCells(ch);
  return n;
}

/**
 * The longest start of a text that fits in `width` cells.
 *
 * @param text Printable text.
 * @param width Cells available.
 * @returns The cut text and the cells it takes (less than `width` when a wide character did
 *   not fit in the last cell, or the text is shorter).
 * @example
 * ```ts
 * cutToCells("ab漢字", 3); // { text: "ab", cells: 2 }
 * ```
 */
export function cutToCells(text: string, width: number): { text: string; cells: number } {
  let cells = 0;
  let end = 0;
  for (const ch of text) {
    const w = charCells(ch);
    if (cells + w > width) break;
    cells += w;
    end += ch.length;
  }
  return { text: text.slice(0, end), cells };
}
