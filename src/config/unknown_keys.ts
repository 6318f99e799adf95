/**
 * Finds keys that nimi does not know inside structures it owns (`process`, `configData.<n>`,
 * `settings.*`, the `nimi` attribute): probably typos. Known keys come from the schema itself.
 *
 * @module
 */
import { type AnySchema, unwrap } from "./schema_kit.ts";
import { show } from "./names.ts";
import { type Diagnostic, jsonPath } from "./diagnostics.ts";

/**
 * Walks a value alongside its schema and reports unknown keys of owned objects.
 *
 * @param schema The schema the value was validated against.
 * @param value The raw (unparsed) value.
 * @param path Path of the value, for messages.
 * @returns One warning per unknown key.
 */
export function findUnknownKeys(
  schema: AnySchema,
  value: unknown,
  path: readonly PropertyKey[] = [],
): Diagnostic[] {
  const found: Diagnostic[] = [];
  walk(schema, value, [...path], found);
  return found;
}

function walk(schema: AnySchema, value: unknown, path: PropertyKey[], out: Diagnostic[]): void {
  if (value === null || typeof value !== "object") return;
  const d = unwrap(schema).def;
  if (d.kind === "object") {
    if (Array.isArray(value)) return;
    for (const [key, child] of Object.entries(value)) {
      const sub = Object.hasOwn(d.shape, key) ? d.shape[key] : undefined;
      if (sub !== undefined) walk(sub, child, [...path, key], out);
      else if (d.owned) {
        const close = suggest(key, Object.keys(d.shape));
        out.push({
          severity: "warning",
          path: jsonPath([...path, key]),
          message: `unknown key ${show(key)}${close ? `; did you mean "${close}"?` : ""}`,
        });
      }
    }
  } else if (d.kind === "record" && d.inner !== null) {
    if (Array.isArray(value)) return;
    for (const [key, child] of Object.entries(value)) walk(d.inner, child, [...path, key], out);
  } else if (d.kind === "array" && d.inner !== null && Array.isArray(value)) {
    value.forEach((item, i) => walk(d.inner!, item, [...path, i], out));
  }
}

function suggest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = k;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(key.length / 3)) ? best : undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
