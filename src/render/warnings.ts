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
