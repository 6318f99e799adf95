/**
 * The JSON Schema export of the schema kit (`nimi schema`): the same definitions the validator
 * checks, written as JSON Schema draft 2020-12 describing what may be written in a config
 * (defaults make a field optional). Only `nimi schema` loads this module.
 *
 * @module
 */
import { type AnySchema, isWrapper } from "./schema_kit.ts";
import { Config } from "./schema.ts";

type Json = Record<string, unknown>;

/**
 * The JSON Schema of the config file, generated from the definitions the validator uses.
 *
 * @returns A JSON Schema (draft 2020-12) object.
 */
export function configJsonSchema(): Record<string, unknown> {
  return toJsonSchema(Config);
}

/**
 * Writes a schema as a JSON Schema document. Recursive schemas (reached through `lazy`) are
 * written once under `$defs` and referenced.
 *
 * @param root The schema.
 * @returns The JSON Schema, with `$schema` set to draft 2020-12.
 */
export function toJsonSchema(root: AnySchema): Json {
  const recursive = new Map<AnySchema, string>();
  collectLazy(root, recursive, new Set());
  const defs: Json = {};
  const emit = (s: AnySchema): Json => {
    const name = recursive.get(s);
    if (name === undefined) return write(s, emit);
    if (!(name in defs)) {
      defs[name] = {}; // reserved before writing: the body refers to itself
      defs[name] = write(s, emit);
    }
    return { $ref: `#/$defs/${name}` };
  };
  const out: Json = { $schema: "https://json-schema.org/draft/2020-12/schema", ...emit(root) };
  if (Object.keys(defs).length > 0) out.$defs = defs;
  return out;
}

function collectLazy(s: AnySchema, found: Map<AnySchema, string>, seen: Set<AnySchema>): void {
  if (seen.has(s)) return;
  seen.add(s);
  const d = s.def;
  if (d.kind === "lazy" && d.target !== null) {
    const target = d.target();
    if (!found.has(target)) found.set(target, `__schema${found.size}`);
    collectLazy(target, found, seen);
    return;
  }
  if (d.inner !== null) collectLazy(d.inner, found, seen);
  for (const o of d.options) collectLazy(o, found, seen);
  for (const f of Object.values(d.shape)) collectLazy(f, found, seen);
}

const MAX = Number.MAX_SAFE_INTEGER;

function write(s: AnySchema, emit: (s: AnySchema) => Json): Json {
  const d = s.def;
  const meta: Json = {};
  if (d.meta.title !== undefined) meta.title = d.meta.title;
  if (d.meta.description !== undefined) meta.description = d.meta.description;
  switch (d.kind) {
    case "unknown":
      return meta;
    case "lazy":
      return { ...emit(d.target!()), ...meta };
    case "optional":
      return { ...emit(d.inner!), ...meta };
    case "default":
    case "prefault":
      return { default: d.fallback, ...meta, ...emit(d.inner!) };
    case "nullable": {
      const inner = emit(d.inner!);
      const keys = Object.keys(inner);
      if (keys.length === 1 && keys[0] === "type" && typeof inner.type === "string") {
        return { ...meta, type: [inner.type, "null"] };
      }
      return { ...meta, anyOf: [inner, { type: "null" }] };
    }
    case "string": {
      const out: Json = { ...meta, type: "string" };
      const min = lowest(s);
      const max = highest(s);
      if (min !== undefined) out.minLength = min;
      if (max !== undefined) out.maxLength = max;
      if (d.format === "url") out.format = "uri";
      return out;
    }
    case "int":
    case "number": {
      const out: Json = { ...meta, type: d.kind === "int" ? "integer" : "number" };
      const gt = d.bounds.filter((b) => b.op === "gt").map((b) => b.value);
      const min = lowest(s);
      const max = highest(s);
      if (gt.length > 0 && (min === undefined || Math.max(...gt) >= min)) {
        out.exclusiveMinimum = Math.max(...gt);
      } else if (min !== undefined) out.minimum = min;
      else if (d.kind === "int") out.minimum = -MAX;
      if (max !== undefined) out.maximum = max;
      else if (d.kind === "int") out.maximum = MAX;
      return out;
    }
    case "boolean":
      return { ...meta, type: "boolean" };
    case "enum":
      return { ...meta, type: "string", enum: [...d.values] };
    case "array": {
      const out: Json = { ...meta, type: "array", items: emit(d.inner!) };
      const min = lowest(s);
      const max = highest(s);
      if (min !== undefined) out.minItems = min;
      if (max !== undefined) out.maxItems = max;
      return out;
    }
    case "record":
      return {
        ...meta,
        type: "object",
        propertyNames: { type: "string" },
        additionalProperties: emit(d.inner!),
      };
    case "object": {
      const properties: Json = {};
      const required: string[] = [];
      for (const [key, field] of Object.entries(d.shape)) {
        properties[key] = emit(field);
        if (!mayBeAbsent(field)) required.push(key);
      }
      const out: Json = { type: "object", properties };
      if (required.length > 0) out.required = required;
      out.additionalProperties = {};
      return { ...out, ...meta };
    }
    case "union":
      return { ...meta, anyOf: d.options.map(emit) };
  }
}

function lowest(s: AnySchema): number | undefined {
  const mins = s.def.bounds.filter((b) => b.op === "min").map((b) => b.value);
  return mins.length > 0 ? Math.max(...mins) : undefined;
}

function highest(s: AnySchema): number | undefined {
  const maxes = s.def.bounds.filter((b) => b.op === "max").map((b) => b.value);
  return maxes.length > 0 ? Math.min(...maxes) : undefined;
}

/** Whether a field may be left out of the input: optional, or with a default. */
function mayBeAbsent(s: AnySchema): boolean {
  const d = s.def;
  if (d.kind === "optional" || d.kind === "default" || d.kind === "prefault") return true;
  if (d.kind === "unknown") return true;
  if (isWrapper(d.kind) && d.inner !== null) return mayBeAbsent(d.inner);
  return false;
}
