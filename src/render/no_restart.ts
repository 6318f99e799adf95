/**
 * Warnings for targets that never restart a service: one per service whose restart policy was
 * set, and one for the whole config when services keep the default policy.
 *
 * @module
 */
import type { ServiceSpec } from "../config/types.ts";
import { DEFAULT_RESTART } from "./defaults.ts";
import type { WarningList } from "./warnings.ts";

/**
 * Adds the warnings.
 *
 * @param services Every service.
 * @param warn Where warnings go.
 * @param what What the target does instead (`init scripts do not restart services`).
 */
export function warnNoRestart(
  services: readonly ServiceSpec[],
  warn: WarningList,
  what: string,
): void {
  let defaults = 0;
  for (const s of services) {
    const r = s.restart;
    if (r.mode === "never" || (s.type === "oneshot" && r.mode !== "always")) continue;
    const isDefault = (Object.keys(DEFAULT_RESTART) as (keyof typeof r)[]).every((k) =>
      r[k] === DEFAULT_RESTART[k]
    );
    if (isDefault) defaults++;
    else warn.add(s.name, `restart mode ${r.mode}`, what);
  }
  if (defaults > 0) {
    warn.add(
      null,
      "restart policy",
      `${what} (${defaults} service(s) with the default on-failure)`,
    );
  }
}
