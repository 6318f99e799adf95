/**
 * Collecting and formatting what a target cannot express, so nothing is dropped silently.
 *
 * @module
 */
import type { RenderWarning } from "./types.ts";

/** Collects warnings for one target. */
export class WarningList {
  /** The warnings so far. */
  readonly items: RenderWarning[] = [];
  /**
   * Creates an empty list.
   *
   * @param target The target's name, put into every warning.
   */
  constructor(readonly target: string) {}

  /**
   * Records a warning.
   *
   * @param service Flattened service name, or null for the whole config.
   * @param feature The feature that is dropped or approximated.
   * @param detail What happens instead.
   */
  add(service: string | null, feature: string, detail: string): void {
    this.items.push({ target: this.target, service, feature, detail });
  }
}

/**
 * Formats a warning as one line.
 *
 * @param w The warning.
 * @returns `target: service "web": feature: detail`.
 * @example
 * ```ts
 * formatWarning({ target: "launchd", service: "web", feature: "readiness probe", detail: "dropped" });
 * // 'launchd: service "web": readiness probe: dropped'
 * ```
 */
export function formatWarning(w: RenderWarning): string {
  const who = w.service === null ? "" : ` service "${w.service}":`;
  return `${w.target}:${who} ${w.feature}: ${w.detail}`;
}

/**
 * Formats warnings one line each, merging those that differ only in the service: a global
 * setting that every service inherits is reported once, naming them all.
 *
 * @param warnings The warnings, in order.
 * @returns Lines (`target: services "a", "b": feature: detail`), in order of first appearance.
 */
export function formatWarnings(warnings: readonly RenderWarning[]): string[] {
  const groups = new Map<string, { first: RenderWarning; services: string[] }>();
  for (const w of warnings) {
    const key = JSON.stringify([w.target, w.service === null, w.feature, w.detail]);
    const g = groups.get(key);
    if (g === undefined) {
      groups.set(key, { first: w, services: w.service === null ? [] : [w.service] });
    } else if (w.service !== null) g.services.push(w.service);
  }
  return [...groups.values()].map(({ first, services }) =>
    services.length > 1
      ? `${first.target}: services ${
        services.map((s) => `"${s}"`).join(", ")
      }: ${first.feature}: ${first.detail}`
      : formatWarning(first)
  );
}
