/**
 * "Did you mean": the closest known word to a mistyped command or option.
 *
 * @module
 */

/**
 * The edit distance between two words (insertions, deletions, substitutions, and swaps of two
 * neighbouring letters each cost 1).
 *
 * @param a One word.
 * @param b The other.
 * @returns The number of edits.
 * @example
 * ```ts
 * editDistance("stauts", "status"); // 1
 * ```
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const prev = rows[i - 1]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      }
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/**
 * The known word closest to a mistyped one, when it is close enough to be what was meant:
 * within a third of the word's length in edits (at least one), or a word it is a prefix of.
 *
 * @param word What was typed.
 * @param known The words that exist.
 * @returns The suggestion, or undefined when nothing is close.
 * @example
 * ```ts
 * suggest("rnu", ["run", "validate"]); // "run"
 * ```
 */
export function suggest(word: string, known: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(word, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  if (best !== undefined && bestDistance <= limit) return best;
  if (word.length >= 2) {
    const prefixed = known.filter((k) => k.startsWith(word));
    if (prefixed.length === 1) return prefixed[0];
  }
  return undefined;
}
