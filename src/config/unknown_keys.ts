/**
 * Finds keys that nimi does not know inside structures it owns (`process`, `configData.<n>`,
 * `settings.*`, the `nimi` attribute): probably typos. Known keys come from the schema itself.
 *
 * @module
 */
import { z } from "zod";
import { isOwned } from "./schema.ts";
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
  schema: z.ZodType,
  value: unknown,
  path: readonly PropertyKey[] = [],
): Diagnostic[] {
  const found: Diagnostic[] = [];
  walk(schema, value, [...path], found);
  return found;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    if (
      s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault ||
      s instanceof z.ZodPrefault
    ) {
      s = s.unwrap() as z.ZodType;
    } else if (s instanceof z.ZodPipe) {
      s = s.in as z.ZodType;
    } else return s;
  }
}

function walk(schema: z.ZodType, value: unknown, path: PropertyKey[], out: Diagnostic[]): void {
  if (value === null || typeof value !== "object") return;
  const s = unwrap(schema);
  if (s instanceof z.ZodObject) {
    if (Array.isArray(value)) return;
    const shape = s.shape as Record<string, z.ZodType>;
    for (const [key, child] of Object.entries(value)) {
      const sub = shape[key];
      if (sub !== undefined) walk(sub, child, [...path, key], out);
      else if (isOwned(schema) || isOwned(s)) {
        const close = suggest(key, Object.keys(shape));
        out.push({
          severity: "warning",
          path: jsonPath([...path, key]),
          message: `unknown key "${key}"${close ? `; did you mean "${close}"?` : ""}`,
        });
      }
    }
  } else if (s instanceof z.ZodRecord) {
    if (Array.isArray(value)) return;
    for (const [key, child] of Object.entries(value)) {
      walk(s.valueType as z.ZodType, child, [...path, key], out);
    }
  } else if (s instanceof z.ZodArray && Array.isArray(value)) {
    value.forEach((item, i) => walk(s.element as z.ZodType, item, [...path, i], out));
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
