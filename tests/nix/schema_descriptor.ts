/**
 * Puts the runtime's JSON Schema and the Nix options contract (nix/lib/options-contract.nix) in
 * one form, and lists where they differ: same options, same types, same defaults.
 *
 * Types: "boolean", "null", { string: { minLength } }, { string: { format: "uri" } }, { integer: { min, max } },
 * { number: { min } }, { enum: [...] }, { nullable: T }, { array: { items, minItems } },
 * { record: T }, { object: Tree }, { union: [T...] }, { unknown: name }.
 * A tree maps names to `{ option: true, type, default? }` or `{ group: Tree }`.
 *
 * @module
 */

/** A described type (see the module doc). */
export type TypeDesc = string | { [kind: string]: unknown };

/** An option or a group of options. */
export type Node = { option: true; type: TypeDesc; default?: unknown } | { group: Tree };

/** Options by name. */
export type Tree = { [name: string]: Node };

type Schema = { [key: string]: unknown };

const SAFE = Number.MAX_SAFE_INTEGER;

function resolve(node: Schema, root: Schema): Schema {
  const ref = node["$ref"];
  if (typeof ref !== "string") return node;
  const name = ref.replace(/^#\/\$defs\//, "");
  const defs = root["$defs"] as Record<string, Schema> | undefined;
  const target = defs?.[name];
  if (target === undefined) throw new Error(`Cannot resolve "${ref}" in the JSON Schema`);
  return resolve(target, root);
}

function nullable(t: TypeDesc): TypeDesc {
  return typeof t === "object" && "nullable" in t ? t : { nullable: t };
}

function canonicalUnion(members: TypeDesc[]): TypeDesc {
  const withoutNull = members.filter((m) => m !== "null");
  const sorted = [...withoutNull].sort((a, b) => canonical(a).localeCompare(canonical(b)));
  const core: TypeDesc = sorted.length === 1 ? sorted[0]! : { union: sorted };
  return withoutNull.length < members.length ? nullable(core) : core;
}

/**
 * Describes a JSON Schema node as a type.
 *
 * @param node The schema node.
 * @param root The whole schema (for `$ref`).
 * @returns Its type description.
 */
export function typeOfSchema(node: Schema, root: Schema): TypeDesc {
  const n = resolve(node, root);
  if (Array.isArray(n["anyOf"])) {
    return canonicalUnion((n["anyOf"] as Schema[]).map((m) => typeOfSchema(m, root)));
  }
  const type = n["type"];
  if (Array.isArray(type)) {
    return canonicalUnion(type.map((t) => typeOfSchema({ ...n, type: t }, root)));
  }
  if (Array.isArray(n["enum"])) return { enum: [...(n["enum"] as unknown[])].map(String).sort() };
  switch (type) {
    case "null":
      return "null";
    case "boolean":
      return "boolean";
    case "string":
      if (n["format"] === "uri") return { string: { format: "uri" } };
      return { string: { minLength: (n["minLength"] as number | undefined) ?? 0 } };
    case "integer": {
      const exclusive = n["exclusiveMinimum"] as number | undefined;
      const min = (n["minimum"] as number | undefined) ??
        (exclusive === undefined ? undefined : exclusive + 1);
      const max = n["maximum"] as number | undefined;
      return {
        integer: {
          min: min === undefined || min <= -SAFE ? null : min,
          max: max === undefined || max >= SAFE ? null : max,
        },
      };
    }
    case "number":
      return { number: { min: (n["minimum"] as number | undefined) ?? null } };
    case "array":
      return {
        array: {
          items: typeOfSchema((n["items"] ?? {}) as Schema, root),
          minItems: (n["minItems"] as number | undefined) ?? 0,
        },
      };
    case "object":
      if (n["properties"] !== undefined) return { object: treeOfSchema(n, root) };
      return { record: typeOfSchema((n["additionalProperties"] ?? {}) as Schema, root) };
  }
  return { unknown: "any" };
}

/**
 * Describes the properties of a JSON Schema object as an options tree: a property that is an
 * object with properties of its own is a group; an optional property without a default is an
 * option that may be null (Nix declares those `nullOr T` with default null and leaves a null out
 * of the JSON).
 *
 * @param node An object schema with `properties`.
 * @param root The whole schema (for `$ref`).
 * @returns The options tree.
 */
export function treeOfSchema(node: Schema, root: Schema): Tree {
  const n = resolve(node, root);
  const props = (n["properties"] ?? {}) as Record<string, Schema>;
  const required = new Set((n["required"] ?? []) as string[]);
  const tree: Tree = {};
  for (const [name, raw] of Object.entries(props)) {
    const prop = resolve(raw, root);
    if (prop["type"] === "object" && prop["properties"] !== undefined) {
      tree[name] = { group: treeOfSchema(prop, root) };
      continue;
    }
    const type = typeOfSchema(prop, root);
    if ("default" in prop) tree[name] = { option: true, type, default: prop["default"] };
    else if (required.has(name)) tree[name] = { option: true, type };
    else tree[name] = { option: true, type: nullable(type), default: null };
  }
  return tree;
}

/**
 * JSON with object keys sorted, so equal values give equal text.
 *
 * @param value Any JSON value.
 * @returns Its canonical text.
 */
export function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Sorts enum values and union members so the Nix side compares like the schema side. */
function normalizeType(t: TypeDesc): TypeDesc {
  if (typeof t === "string") return t;
  if ("enum" in t) return { enum: [...(t.enum as unknown[])].map(String).sort() };
  if ("nullable" in t) return nullable(normalizeType(t.nullable as TypeDesc));
  if ("union" in t) return canonicalUnion((t.union as TypeDesc[]).map(normalizeType));
  if ("record" in t) return { record: normalizeType(t.record as TypeDesc) };
  if ("array" in t) {
    const a = t.array as { items: TypeDesc; minItems: number };
    return { array: { items: normalizeType(a.items), minItems: a.minItems } };
  }
  if ("object" in t) return { object: normalizeTree(t.object as Tree) };
  return t;
}

/**
 * Normalises an options tree from Nix (enum values and unions sorted).
 *
 * @param tree The tree.
 * @returns The same tree in canonical form.
 */
export function normalizeTree(tree: Tree): Tree {
  const out: Tree = {};
  for (const [name, node] of Object.entries(tree)) {
    if ("group" in node) out[name] = { group: normalizeTree(node.group) };
    else {
      out[name] = { option: true, type: normalizeType(node.type) };
      if ("default" in node) out[name] = { ...out[name], default: node.default } as Node;
    }
  }
  return out;
}

/**
 * Lists every difference between two options trees, one line each.
 *
 * @param nix The tree from Nix.
 * @param schema The tree from the JSON Schema.
 * @param path Prefix for the lines.
 * @returns Lines such as `nimi.type: default: nix "simple", schema "oneshot"` (empty: none).
 */
export function diffTrees(nix: Tree, schema: Tree, path: string): string[] {
  const out: string[] = [];
  const names = [...new Set([...Object.keys(nix), ...Object.keys(schema)])].sort();
  for (const name of names) {
    const at = `${path}.${name}`;
    const a = nix[name];
    const b = schema[name];
    if (a === undefined) out.push(`${at}: only in the JSON Schema`);
    else if (b === undefined) out.push(`${at}: only in the Nix options`);
    else if ("group" in a || "group" in b) {
      if ("group" in a && "group" in b) out.push(...diffTrees(a.group, b.group, at));
      else out.push(`${at}: a group of options on one side only`);
    } else {
      out.push(...diffTypes(a.type, b.type, at));
      const da = "default" in a ? canonical(a.default) : "(none)";
      const db = "default" in b ? canonical(b.default) : "(none)";
      if (da !== db) out.push(`${at}: default: nix ${da}, schema ${db}`);
    }
  }
  return out;
}

function diffTypes(a: TypeDesc, b: TypeDesc, at: string): string[] {
  const objA = typeof a === "object" ? a : undefined;
  const objB = typeof b === "object" ? b : undefined;
  // Sub-options of submodules are compared one by one, for messages that name them.
  const inner = (t: Record<string, unknown> | undefined): Tree | undefined => {
    if (t === undefined) return undefined;
    if ("object" in t) return t.object as Tree;
    if ("nullable" in t) {
      const n = t.nullable as TypeDesc;
      return typeof n === "object" && "object" in n ? n.object as Tree : undefined;
    }
    return undefined;
  };
  const ta = inner(objA);
  const tb = inner(objB);
  if (ta !== undefined && tb !== undefined) {
    const nullA = objA !== undefined && "nullable" in objA;
    const nullB = objB !== undefined && "nullable" in objB;
    const own = nullA === nullB ? [] : [`${at}: type: nullable on one side only`];
    return [...own, ...diffTrees(ta, tb, at)];
  }
  return canonical(a) === canonical(b)
    ? []
    : [`${at}: type: nix ${canonical(a)}, schema ${canonical(b)}`];
}
