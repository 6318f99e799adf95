/**
 * What a reload changes: the services of the running config compared with those of the new
 * one, by name. Pure, so the diff is tested without processes.
 *
 * @module
 */
import type { ServiceSpec } from "../config/mod.ts";

/** The difference between two sets of services. */
export interface ReloadDiff {
  /** In the new config only: started. */
  added: string[];
  /** In the running config only: stopped. */
  removed: string[];
  /** In both, but different in what running it depends on: restarted. */
  changed: string[];
  /** The same in both: left alone (same pid). */
  unchanged: string[];
}

/**
 * Compares two sets of services. Where a service sits in the file (`jsonPath`, `path`,
 * `parent`) does not count; everything nimi runs it with does.
 *
 * @param running The services running now.
 * @param next The services of the new config.
 * @returns Names in each class, in the order of `next` (removed ones in the order of `running`).
 * @example
 * ```ts
 * diffServices(old.services, next.services); // { added: ["cache"], removed: [], changed: ["web"], unchanged: ["db"] }
 * ```
 */
export function diffServices(
  running: readonly ServiceSpec[],
  next: readonly ServiceSpec[],
): ReloadDiff {
  const before = new Map(running.map((s) => [s.name, s]));
  const names = new Set(next.map((s) => s.name));
  const diff: ReloadDiff = { added: [], removed: [], changed: [], unchanged: [] };
  for (const spec of next) {
    const old = before.get(spec.name);
    if (old === undefined) diff.added.push(spec.name);
    else if (sameRun(old, spec)) diff.unchanged.push(spec.name);
    else diff.changed.push(spec.name);
  }
  for (const spec of running) if (!names.has(spec.name)) diff.removed.push(spec.name);
  return diff;
}

/**
 * Whether two specs run the same way.
 *
 * @param a One spec.
 * @param b The other.
 * @returns true when nothing but their place in the file differs.
 */
export function sameRun(a: ServiceSpec, b: ServiceSpec): boolean {
  return canonical(runPart(a)) === canonical(runPart(b));
}

function runPart(s: ServiceSpec): Omit<ServiceSpec, "jsonPath" | "path" | "parent"> {
  const { jsonPath: _j, path: _p, parent: _parent, ...rest } = s;
  return rest;
}

/** JSON with object keys sorted, so key order does not count as a change. */
function canonical(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) =>
      v !== null && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
        : v,
  );
}
