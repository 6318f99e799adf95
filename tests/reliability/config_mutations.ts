/**
 * A seeded generator of hostile configs for the config fuzzer: mutations of valid configs
 * (wrong types, huge numbers, deep nesting, duplicate and `__proto__` keys, hostile names,
 * a BOM, invalid UTF-8, truncation, flipped bytes). The suite runs a fixed seed
 * (tests/reliability/config_fuzz_test.ts); bench/fuzz.ts runs many more.
 *
 * @module
 */

/** A small, fast, seeded PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One generated case: the file's bytes and what was done. */
export interface Mutation {
  /** What the mutation did, for failure messages. */
  label: string;
  /** The file's content. */
  bytes: Uint8Array;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const enc = new TextEncoder();

const HOSTILE_STRINGS = [
  "",
  "..",
  "../../etc/passwd",
  "/",
  "a/b",
  "a\nb",
  "a\u0000b",
  "\u001b[31mred",
  "nimi",
  "startup",
  "x".repeat(300),
  "y".repeat(10_000),
  "__proto__",
  "constructor",
  "\ud800",
  "é/ü",
  "SIGKILL",
  "-1",
];

const HOSTILE_VALUES: Json[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  9007199254740993,
  2 ** 53,
  [],
  {},
  [null],
  { "__proto__": { polluted: true } },
  ...HOSTILE_STRINGS,
];

/** Every node of a JSON value with the path to it. */
function nodes(v: Json, path: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(path);
  if (Array.isArray(v)) v.forEach((c, i) => nodes(c, [...path, i], out));
  else if (v !== null && typeof v === "object") {
    for (const [k, c] of Object.entries(v)) nodes(c, [...path, k], out);
  }
  return out;
}

function setAt(root: Json, path: (string | number)[], value: Json | undefined): Json {
  if (path.length === 0) return value ?? null;
  let parent = root as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else if (last === "__proto__") {
    Object.defineProperty(parent, last, { value, enumerable: true, writable: true });
  } else parent[last] = value;
  return root;
}

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}

function deepNesting(depth: number): string {
  return `{"services":{"a":{"process":{"argv":["/bin/true"]},"meta":${"[".repeat(depth)}${
    "]".repeat(depth)
  }}}}`;
}

function nestedServices(depth: number): string {
  let s = `{"process":{"argv":["/bin/true"]}}`;
  for (let i = 0; i < depth; i++) {
    s = `{"process":{"argv":["/bin/true"]},"services":{"s${i}":${s}}}`;
  }
  return `{"services":{"top":${s}}}`;
}

/**
 * Generates `count` mutations of the given valid configs, the same ones for the same seed.
 *
 * @param seeds Valid configs (parsed).
 * @param count How many.
 * @param seed The PRNG seed.
 * @returns The mutations.
 */
export function* mutations(
  seeds: readonly unknown[],
  count: number,
  seed: number,
): Generator<Mutation> {
  const rand = prng(seed);
  for (let i = 0; i < count; i++) {
    const base = structuredClone(pick(rand, seeds)) as Json;
    const kind = Math.floor(rand() * 12);
    const all = nodes(base);
    const at = pick(rand, all);
    let text: string;
    let label: string;
    switch (kind) {
      case 0:
      case 1:
      case 2: {
        const v = structuredClone(pick(rand, HOSTILE_VALUES));
        text = JSON.stringify(setAt(base, at, v));
        label = `set ${JSON.stringify(at)} to ${JSON.stringify(v)?.slice(0, 40)}`;
        break;
      }
      case 3: {
        text = JSON.stringify(setAt(base, at, undefined));
        label = `delete ${JSON.stringify(at)}`;
        break;
      }
      case 4: {
        // A hostile key where an object is: a service, configData or credential name.
        const objects = all.filter((p) => {
          let v: Json = base;
          for (const k of p) v = (v as Record<string | number, Json>)[k]!;
          return v !== null && typeof v === "object" && !Array.isArray(v);
        });
        const where = pick(rand, objects);
        const key = pick(rand, HOSTILE_STRINGS);
        let v: Json = base;
        for (const k of where) v = (v as Record<string | number, Json>)[k]!;
        const copy = structuredClone(Object.values(v as object)[0] ?? {}) as Json;
        text = JSON.stringify(setAt(base, [...where, key], copy));
        label = `key ${JSON.stringify(key.slice(0, 20))} at ${JSON.stringify(where)}`;
        break;
      }
      case 5: {
        const t = JSON.stringify(base);
        const cut = Math.floor(rand() * t.length);
        text = t.slice(0, cut);
        label = `truncated at ${cut} of ${t.length}`;
        break;
      }
      case 6: {
        // Duplicate keys: the text repeats the first key of the top object with another value.
        const t = JSON.stringify(base);
        text = t.replace(/^\{/, `{"services":${JSON.stringify(pick(rand, HOSTILE_VALUES))},`);
        label = "duplicate services key";
        break;
      }
      case 7: {
        const depth = pick(rand, [50, 99, 101, 1000, 100_000]);
        text = rand() < 0.5 ? deepNesting(depth) : nestedServices(Math.min(depth, 5000));
        label = `nested ${depth} deep`;
        break;
      }
      case 8: {
        text = JSON.stringify(base);
        const t = enc.encode(text);
        const bytes = new Uint8Array(t.length + 3);
        bytes.set([0xef, 0xbb, 0xbf]);
        bytes.set(t, 3);
        if (rand() < 0.5) bytes[3 + Math.floor(rand() * t.length)] = 0xff;
        yield { label: "BOM, maybe an invalid byte", bytes };
        continue;
      }
      case 9: {
        const t = enc.encode(JSON.stringify(base));
        const flips = 1 + Math.floor(rand() * 4);
        for (let f = 0; f < flips; f++) t[Math.floor(rand() * t.length)] = Math.floor(rand() * 256);
        yield { label: `${flips} random bytes`, bytes: t };
        continue;
      }
      case 10: {
        const n = pick(rand, ["1e999", "-0", "123456789012345678901234567890", "0.0000001"]);
        text = JSON.stringify(setAt(base, at, 0)).replace(/:0([,}\]])/, `:${n}$1`);
        label = `number ${n} at ${JSON.stringify(at)}`;
        break;
      }
      default: {
        text = `{"__proto__":{"services":{}},${JSON.stringify(base).slice(1)}`;
        label = "__proto__ key at the top";
      }
    }
    yield { label: `#${i} ${label}`, bytes: enc.encode(text) };
  }
}
