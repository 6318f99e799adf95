/**
 * The run-time validator of the schema kit: checks a value against a {@link Schema} and returns
 * the value with defaults applied, or every problem found, each with its path and message.
 *
 * Problems are found in a fixed order (fields in schema order, record entries and list items in
 * input order). A type error stops the checks below it (bounds, refinements); a failed bound
 * does not, so a value that breaks two bounds is reported twice.
 *
 * @module
 */
import type { AnySchema, RefineIssue, Schema } from "./schema_kit.ts";

/** One problem found in a value. */
export interface Issue {
  /** Keys and indexes from the root to the bad value. */
  readonly path: readonly PropertyKey[];
  /** The message of the schema that rejected it. */
  readonly message: string;
  /**
   * `type`: the value has the wrong type (or is missing); `value`: it is not one of the allowed
   * values (enums, unions); `check`: it breaks a bound or a refinement. The first two stop the
   * checks below them.
   */
  readonly kind: "type" | "value" | "check";
}

/** The outcome of {@link check}. */
export type CheckResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly Issue[] };

/**
 * Checks a value against a schema.
 *
 * @param schema The schema.
 * @param value The value (parsed JSON).
 * @returns The value with defaults applied, or the issues.
 * @example
 * ```ts
 * import { int } from "./schema_kit.ts";
 * check(int({ error: "must be a whole number" }).min(0, { error: "must not be negative" }), -1);
 * // { ok: false, issues: [{ path: [], message: "must not be negative", kind: "check" }] }
 * ```
 */
export function check<T>(schema: Schema<T, boolean>, value: unknown): CheckResult<T> {
  const issues: Issue[] = [];
  const out = run(schema, value, [], issues);
  return issues.length === 0 ? { ok: true, value: out as T } : { ok: false, issues };
}

function typeIssue(issues: Issue[], path: PropertyKey[], message: string): undefined {
  issues.push({ path, message, kind: "type" });
  return undefined;
}

function valueIssue(issues: Issue[], path: PropertyKey[], message: string): undefined {
  issues.push({ path, message, kind: "value" });
  return undefined;
}

function hasTypeIssue(issues: readonly Issue[], from: number): boolean {
  for (let i = from; i < issues.length; i++) if (issues[i]!.kind !== "check") return true;
  return false;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Sets a key, even `__proto__`, as an own data property. */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else target[key] = value;
}

function bounds(
  schema: AnySchema,
  measure: number,
  path: PropertyKey[],
  issues: Issue[],
): void {
  for (const b of schema.def.bounds) {
    const ok = b.op === "min"
      ? measure >= b.value
      : b.op === "max"
      ? measure <= b.value
      : measure > b.value;
    if (!ok) issues.push({ path, message: b.error, kind: "check" });
  }
}

function run(
  schema: AnySchema,
  value: unknown,
  path: PropertyKey[],
  issues: Issue[],
): unknown {
  const d = schema.def;
  switch (d.kind) {
    case "unknown":
      return value;
    case "optional":
      return value === undefined ? undefined : run(d.inner!, value, path, issues);
    case "nullable":
      return value === null ? null : run(d.inner!, value, path, issues);
    case "default":
      return value === undefined ? structuredClone(d.fallback) : run(d.inner!, value, path, issues);
    case "prefault":
      return run(d.inner!, value === undefined ? structuredClone(d.fallback) : value, path, issues);
    case "lazy":
      return run(d.target!(), value, path, issues);
    case "string": {
      if (typeof value !== "string") return typeIssue(issues, path, d.error);
      bounds(schema, value.length, path, issues);
      if (d.format === "url") {
        const trimmed = value.trim();
        if (!URL.canParse(trimmed)) issues.push({ path, message: d.error, kind: "check" });
        return trimmed.replace(/[\t\n\r]/g, "");
      }
      return value;
    }
    case "int":
    case "number": {
      if (typeof value !== "number" || !Number.isFinite(value)) {
        return typeIssue(issues, path, d.error);
      }
      if (d.kind === "int") {
        if (!Number.isInteger(value)) return typeIssue(issues, path, d.error);
        if (!Number.isSafeInteger(value)) issues.push({ path, message: d.error, kind: "check" });
      }
      bounds(schema, value, path, issues);
      return value;
    }
    case "boolean":
      return typeof value === "boolean" ? value : typeIssue(issues, path, d.error);
    case "enum":
      return typeof value === "string" && d.values.includes(value)
        ? value
        : valueIssue(issues, path, d.error);
    case "array": {
      if (!Array.isArray(value)) return typeIssue(issues, path, d.error);
      const from = issues.length;
      const out = value.map((item, i) => run(d.inner!, item, [...path, i], issues));
      if (!hasTypeIssue(issues, from)) bounds(schema, value.length, path, issues);
      return out;
    }
    case "record": {
      if (!isPlainObject(value)) return typeIssue(issues, path, d.error);
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        put(out, key, run(d.inner!, value[key], [...path, key], issues));
      }
      return out;
    }
    case "object": {
      if (!isPlainObject(value)) return typeIssue(issues, path, d.error);
      const from = issues.length;
      const out: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(d.shape)) {
        const present = Object.hasOwn(value, key);
        const result = run(field, present ? value[key] : undefined, [...path, key], issues);
        if (result !== undefined || present) put(out, key, result);
      }
      for (const key of Object.keys(value)) {
        if (!Object.hasOwn(d.shape, key)) put(out, key, value[key]);
      }
      if (d.refine !== null && !hasTypeIssue(issues, from)) {
        for (
          const i of (d.refine as (v: unknown) => RefineIssue[])(out)
        ) {
          issues.push({ path: [...path, ...i.path], message: i.message, kind: "check" });
        }
      }
      return out;
    }
    case "union": {
      for (const option of d.options) {
        const tried: Issue[] = [];
        const out = run(option, value, path, tried);
        if (tried.length === 0) return out;
      }
      return valueIssue(issues, path, d.error);
    }
  }
}
