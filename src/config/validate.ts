/**
 * Validation: schema check, unknown keys, normalisation. Turns raw JSON into a
 * {@link NimiConfig} or a {@link ConfigError} listing every problem with its JSON path.
 *
 * @module
 */
import { Config } from "./schema.ts";
import { check, type Issue } from "./check.ts";
import { ConfigError, type Diagnostic, jsonPath, showValue } from "./diagnostics.ts";
import { findUnknownKeys } from "./unknown_keys.ts";
import { normalize } from "./normalize.ts";
import { asRustNimi, rustNimiMarker, rustNimiNote } from "./rust_nimi.ts";
import { readConfigFile } from "./load.ts";
import type { NimiConfig } from "./types.ts";

/** Options for {@link validateConfig} and {@link loadConfig}. */
export interface ValidateOptions {
  /**
   * Treat unknown keys inside structures nimi owns as errors instead of warnings.
   * @default false
   */
  strict?: boolean;
}

/**
 * Validates and normalises a parsed config.
 *
 * @param value The parsed JSON.
 * @param file The file it came from, for messages.
 * @param options See {@link ValidateOptions}.
 * @returns The normalised config with its warnings.
 * @throws {ConfigError} When anything is wrong; it lists every error found.
 * @example
 * ```ts
 * const config = validateConfig({ services: { web: { process: { argv: ["/bin/true"] } } } }, "x.json");
 * config.services[0]?.name; // "web"
 * ```
 */
export function validateConfig(
  value: unknown,
  file: string,
  options: ValidateOptions = {},
): NimiConfig {
  const parsed = check(Config, value);
  if (!parsed.ok) {
    throw new ConfigError(file, parsed.issues.map((i) => issueToDiagnostic(i, value)));
  }
  const unknown = findUnknownKeys(Config, value).map((d): Diagnostic =>
    options.strict ? { ...d, severity: "error", message: `${d.message} (--strict)` } : d
  );
  const normalized = normalize(parsed.value);
  const marker = rustNimiMarker(value);
  const all = [
    ...(marker === null ? [] : [rustNimiNote(marker)]),
    ...unknown,
    ...normalized.diagnostics,
  ];
  if (all.some((d) => d.severity === "error")) throw new ConfigError(file, all);
  const { services, settings } = marker === null
    ? normalized
    : asRustNimi(value, normalized.services, normalized.settings);
  return { file, services, settings, warnings: all };
}

/**
 * Reads, validates and normalises a config file (JSON or JSONC).
 *
 * @param file Path of the config file.
 * @param options See {@link ValidateOptions}.
 * @returns The normalised config.
 * @throws {ConfigError} When the file cannot be read, parsed or validated.
 */
export async function loadConfig(file: string, options: ValidateOptions = {}): Promise<NimiConfig> {
  return validateConfig(await readConfigFile(file), file, options);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function issueToDiagnostic(issue: Issue, root: unknown): Diagnostic {
  const path = jsonPath(issue.path);
  const value = valueAt(root, issue.path);
  if (value === undefined && issue.kind === "type") {
    return { severity: "error", path, message: `is missing; it ${issue.message}` };
  }
  return { severity: "error", path, message: `${issue.message}, got ${showValue(value)}` };
}
