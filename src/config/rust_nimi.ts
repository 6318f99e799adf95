/**
 * Files written by the Rust Nimi's Nix side. Its `toNimiJson` writes the whole evaluated config,
 * so `settings.binName`, `settings.container` and `settings.bubblewrap` are always there; nimi's
 * own Nix side leaves them out. Such a file runs as it would under the Rust Nimi:
 *
 * | there                                  | here, for a Rust Nimi file                     |
 * | -------------------------------------- | ---------------------------------------------- |
 * | `always`: restart after a failure only  | `on-failure` (nimi's `always` also restarts after exit 0) |
 * | `up-to-count`: the count never resets  | `resetAfter` 0 unless the file sets it          |
 * | log files `logs-N/<service>.txt`       | `.txt` instead of nimi's `.log`                 |
 *
 * What nimi still does differently is said in one line (docs/migrating.md lists it all).
 *
 * @module
 */
import type { Diagnostic } from "./diagnostics.ts";
import type { NimiSettings, RestartPolicy, ServiceSpec } from "./types.ts";

/** The keys only the Rust Nimi's Nix side writes. */
export const RUST_NIMI_KEYS = ["binName", "container", "bubblewrap"] as const;

/**
 * Whether a parsed config file comes from the Rust Nimi's Nix side.
 *
 * @param value The parsed JSON.
 * @returns The first Rust-Nimi-only key of `settings` found, or null.
 * @example
 * ```ts
 * rustNimiMarker({ services: {}, settings: { binName: "web" } }); // "binName"
 * ```
 */
export function rustNimiMarker(value: unknown): string | null {
  const settings = (value as { settings?: unknown } | null)?.settings;
  if (settings === null || typeof settings !== "object") return null;
  return RUST_NIMI_KEYS.find((k) => k in settings) ?? null;
}

/** The line `nimi validate` and `nimi run` print for a Rust Nimi file. */
export function rustNimiNote(marker: string): Diagnostic {
  return {
    severity: "warning",
    path: `settings.${marker}`,
    message: "a Rust Nimi config: restart modes and log file names (<service>.txt) are the " +
      "Rust Nimi's; nimi still runs nested services, stops each within settings.shutdown.timeout " +
      "(5000 ms) instead of restart.time, and keeps configData in private directories " +
      "(docs/migrating.md)",
  };
}

function rustPolicy(policy: RestartPolicy, resetAfterSet: boolean): RestartPolicy {
  return {
    ...policy,
    mode: policy.mode === "always" ? "on-failure" : policy.mode,
    resetAfter: resetAfterSet ? policy.resetAfter : 0,
  };
}

/**
 * The services and settings a Rust Nimi file means.
 *
 * @param value The parsed JSON (to see whether `settings.restart.resetAfter` was given).
 * @param services The normalised services.
 * @param settings The normalised settings.
 * @returns Both, with the Rust Nimi's restart meaning and log file suffix.
 */
export function asRustNimi(
  value: unknown,
  services: readonly ServiceSpec[],
  settings: NimiSettings,
): { services: ServiceSpec[]; settings: NimiSettings } {
  const restart = (value as { settings?: { restart?: object } }).settings?.restart;
  const resetAfterSet = restart !== undefined && "resetAfter" in restart;
  return {
    services: services.map((s) => ({ ...s, restart: rustPolicy(s.restart, resetAfterSet) })),
    settings: {
      ...settings,
      restart: rustPolicy(settings.restart, resetAfterSet),
      logging: { ...settings.logging, fileSuffix: ".txt" },
    },
  };
}
