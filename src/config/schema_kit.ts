/**
 * A small schema kit: config schemas described as plain, immutable data. The same description
 * is read by three interpreters, each in its own module so a command loads only what it uses:
 * the run-time validator (`check.ts`), the unknown-key finder (`unknown_keys.ts`) and the JSON
 * Schema export (`json_schema.ts`, loaded by `nimi schema` only).
 *
 * It replaces zod at run time: zod cost about 14 MB of private memory in every `nimi run`
 * (bench/README.md, "Memory"); this module and its validator cost a few hundred KB. Every
 * schema carries its own error message, so what the user reads is written here, once.
 *
 * @module
 */

/** The kinds of schema the kit knows. */
export type SchemaKind =
  | "string"
  | "int"
  | "number"
  | "boolean"
  | "enum"
  | "unknown"
  | "array"
  | "record"
  | "object"
  | "union"
  | "optional"
  | "nullable"
  | "default"
  | "prefault"
  | "lazy";

/** A bound on a number, a string's length or an array's length. */
export interface Bound {
  /** `min` (at least), `max` (at most) or `gt` (greater than). */
  readonly op: "min" | "max" | "gt";
  /** The bound. */
  readonly value: number;
  /** The message when the bound is not met. */
  readonly error: string;
}

/** A problem a refinement reports, relative to the value it refines. */
export interface RefineIssue {
  /** Path below the refined value. */
  readonly path: readonly PropertyKey[];
  /** The message. */
  readonly message: string;
}

/** Title and description, carried into the JSON Schema. */
export interface SchemaMeta {
  /** Short title. */
  readonly title?: string;
  /** What the value means. */
  readonly description?: string;
}

/** The data of one schema; see {@link Schema} for the builder methods. */
export interface SchemaDef {
  /** What kind of value. */
  readonly kind: SchemaKind;
  /** Message when the value has the wrong type (or, for enums and unions, the wrong value). */
  readonly error: string;
  /** Bounds checked after the type (numbers, string and array lengths). */
  readonly bounds: readonly Bound[];
  /** String format: only `url` (parsable by `URL`). */
  readonly format: "url" | null;
  /** Allowed values of an enum. */
  readonly values: readonly string[];
  /** Element of an array, value of a record, the wrapped schema of a wrapper. */
  readonly inner: AnySchema | null;
  /** Members of a union. */
  readonly options: readonly AnySchema[];
  /** Fields of an object. */
  readonly shape: Readonly<Record<string, AnySchema>>;
  /** Objects nimi owns: unknown keys in them are reported as likely typos. */
  readonly owned: boolean;
  /** Checks across fields, run when the value has no type errors. */
  readonly refine: ((value: never) => RefineIssue[]) | null;
  /** The default (`default`) or the value parsed in place of a missing one (`prefault`). */
  readonly fallback: unknown;
  /** The schema a `lazy` one stands for (recursive structures). */
  readonly target: (() => AnySchema) | null;
  /** Title and description. */
  readonly meta: SchemaMeta;
}

const BASE: SchemaDef = {
  kind: "unknown",
  error: "",
  bounds: [],
  format: null,
  values: [],
  inner: null,
  options: [],
  shape: {},
  owned: false,
  refine: null,
  fallback: undefined,
  target: null,
  meta: {},
};

/** Any schema, whatever its types. */
// deno-lint-ignore no-explicit-any
export type AnySchema = Schema<any, boolean>;

/**
 * One schema: immutable data plus builder methods that return changed copies. `Out` is the
 * type of a value that passed it (defaults applied); `Opt` marks an object field that may be
 * absent from that value (an optional one without a default).
 */
export class Schema<Out = unknown, Opt extends boolean = false> {
  /** The description the interpreters read. */
  readonly def: SchemaDef;
  /** Type-level only: the output type. */
  declare readonly _out: Out;
  /** Type-level only: whether an object field of this schema may be absent. */
  declare readonly _opt: Opt;

  /** @param def The description. */
  constructor(def: Partial<SchemaDef> & { kind: SchemaKind }) {
    this.def = { ...BASE, ...def };
  }

  #with<O, P extends boolean>(change: Partial<SchemaDef>): Schema<O, P> {
    return new Schema<O, P>({ ...this.def, ...change });
  }

  /** At least `value` (numbers), or at least `value` long (strings, arrays). */
  min(value: number, opts: { error: string }): Schema<Out, Opt> {
    return this.#with({ bounds: [...this.def.bounds, { op: "min", value, error: opts.error }] });
  }

  /** At most `value` (numbers), or at most `value` long (strings, arrays). */
  max(value: number, opts: { error: string }): Schema<Out, Opt> {
    return this.#with({ bounds: [...this.def.bounds, { op: "max", value, error: opts.error }] });
  }

  /** Greater than 0. */
  positive(opts: { error: string }): Schema<Out, Opt> {
    return this.#with({ bounds: [...this.def.bounds, { op: "gt", value: 0, error: opts.error }] });
  }

  /** Title and description for the JSON Schema. */
  meta(meta: SchemaMeta): Schema<Out, Opt> {
    return this.#with({ meta: { ...this.def.meta, ...meta } });
  }

  /** May be absent. */
  optional(): Schema<Out | undefined, true> {
    return new Schema({ kind: "optional", inner: this });
  }

  /** May be null. */
  nullable(): Schema<Out | null, Opt> {
    return new Schema({ kind: "nullable", inner: this });
  }

  /** When absent, `value` (a copy of it) is used as it is, without checking. */
  default(value: Out): Schema<Out, false> {
    return new Schema({ kind: "default", inner: this, fallback: value });
  }

  /** When absent, `value` is checked in its place (so the defaults inside it apply). */
  prefault(value: unknown): Schema<Out, false> {
    return new Schema({ kind: "prefault", inner: this, fallback: value });
  }

  /**
   * Adds a check across fields, run when the value has no type errors.
   *
   * @param check Returns the problems found (paths below this value).
   */
  refine(check: (value: Out) => RefineIssue[]): Schema<Out, Opt> {
    return this.#with({ refine: check as (value: never) => RefineIssue[] });
  }
}

/** The output type of a schema. */
export type Infer<S> = S extends Schema<infer O, boolean> ? O : never;

type Shape = Record<string, Schema<unknown, boolean>>;
type OptionalKeys<T extends Shape> = { [K in keyof T]: T[K]["_opt"] extends true ? K : never }[
  keyof T
];
type ShapeOut<T extends Shape> =
  & { [K in Exclude<keyof T, OptionalKeys<T>>]: Infer<T[K]> }
  & { [K in OptionalKeys<T>]?: Infer<T[K]> };
type Flat<T> = { [K in keyof T]: T[K] };

/** A string. */
export function string(opts: { error: string }): Schema<string> {
  return new Schema({ kind: "string", error: opts.error });
}

/** A string that `URL` can parse (surrounding white space is trimmed). */
export function url(opts: { error: string }): Schema<string> {
  return new Schema({ kind: "string", error: opts.error, format: "url" });
}

/** A whole number in the safe integer range. */
export function int(opts: { error: string }): Schema<number> {
  return new Schema({ kind: "int", error: opts.error });
}

/** A finite number. */
export function number(opts: { error: string }): Schema<number> {
  return new Schema({ kind: "number", error: opts.error });
}

/** true or false. */
export function boolean(opts: { error: string }): Schema<boolean> {
  return new Schema({ kind: "boolean", error: opts.error });
}

/** One of a list of strings. */
export function oneOf<const T extends readonly string[]>(
  values: T,
  opts: { error: string },
): Schema<T[number]> {
  return new Schema({ kind: "enum", values, error: opts.error });
}

/** Anything. */
export function unknown(): Schema<unknown> {
  return new Schema({ kind: "unknown" });
}

/** A list whose elements match `item`. */
export function array<T>(item: Schema<T, boolean>, opts: { error: string }): Schema<T[]> {
  return new Schema({ kind: "array", inner: item, error: opts.error });
}

/** An object with any string keys whose values match `value`. */
export function record<T>(
  value: Schema<T, boolean>,
  opts: { error: string },
): Schema<Record<string, T>> {
  return new Schema({ kind: "record", inner: value, error: opts.error });
}

/** A value matching the first of `options` that accepts it. */
export function union<T extends readonly Schema<unknown, boolean>[]>(
  options: T,
  opts: { error: string },
): Schema<Infer<T[number]>> {
  return new Schema({ kind: "union", options, error: opts.error });
}

/**
 * An object with the given fields; other keys are kept. Unknown keys in an `owned` object are
 * reported as likely typos (see unknown_keys.ts); other objects (a service, which modules
 * extend with their own options) accept them quietly.
 */
export function object<T extends Shape>(
  shape: T,
  opts: { owned: boolean; error?: string },
): Schema<Flat<ShapeOut<T>>> {
  return new Schema({
    kind: "object",
    shape,
    owned: opts.owned,
    error: opts.error ?? "must be an object",
  });
}

/** A schema defined later (recursive structures); `target` is called when first needed. */
export function lazy<T>(target: () => Schema<T, boolean>): Schema<T> {
  return new Schema({ kind: "lazy", target });
}

/**
 * The schema a wrapper stands for: optional, nullable, default, prefault and lazy are seen
 * through.
 *
 * @param schema Any schema.
 * @returns The innermost schema.
 */
export function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (;;) {
    const d = s.def;
    if (d.kind === "lazy" && d.target !== null) s = d.target();
    else if (d.inner !== null && isWrapper(d.kind)) s = d.inner;
    else return s;
  }
}

/** Whether a kind only wraps another schema. */
export function isWrapper(kind: SchemaKind): boolean {
  return kind === "optional" || kind === "nullable" || kind === "default" ||
    kind === "prefault";
}
