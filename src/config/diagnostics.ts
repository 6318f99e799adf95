/**
 * Diagnostics: what validation says about a config, each tied to a JSON path, and the error
 * that carries them out of the loader.
 *
 * @module
 */

/** How serious a diagnostic is. */
export type Severity = "error" | "warning";

/** One finding about a config, tied to the JSON path it concerns. */
export interface Diagnostic {
  /** `error` stops nimi; `warning` is printed and nimi goes on. */
  severity: Severity;
  /** Dotted JSON path (`services.web.process.argv`); empty for the file as a whole. */
  path: string;
  /** What is wrong and what is expected, in sentence case without a trailing period. */
  message: string;
}

/** A config that cannot be used; carries every error found (exit code 2). */
export class ConfigError extends Error {
  /** The file the errors concern. */
  readonly file: string;
  /** The errors (and any warnings found before them). */
  readonly diagnostics: readonly Diagnostic[];
  /** Exit code for the CLI. */
  readonly exitCode = 2;

  /**
   * @param file The config file.
   * @param diagnostics The findings; at least one should be an error.
   * @param options Standard error options (cause).
   */
  constructor(file: string, diagnostics: readonly Diagnostic[], options?: ErrorOptions) {
    super(
      diagnostics.filter((d) => d.severity === "error").map((d) => formatDiagnostic(file, d))
        .join("\n"),
      options,
    );
    this.name = "ConfigError";
    this.file = file;
    this.diagnostics = diagnostics;
  }
}

/**
 * Renders a diagnostic as one line: `file: path: message`.
 *
 * @param file The config file's path as the user gave it.
 * @param d The diagnostic.
 * @returns The line, with `warning: ` before warnings.
 * @example
 * ```ts
 * formatDiagnostic("x.json", { severity: "error", path: "services", message: "is missing" });
 * // "x.json: services: is missing"
 * ```
 */
export function formatDiagnostic(file: string, d: Diagnostic): string {
  const where = d.path === "" ? file : `${file}: ${d.path}`;
  return `${where}: ${d.severity === "warning" ? "warning: " : ""}${d.message}`;
}

/**
 * Joins path segments into a dotted JSON path, quoting segments that contain dots or spaces.
 *
 * @param segments Keys and indexes.
 * @returns A path such as `services.web.configData."a.conf".path` or `argv[2]`.
 */
export function jsonPath(segments: readonly PropertyKey[]): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else {
      const key = String(s);
      // A hostile 10,000-character key must not make a 10,000-character message.
      const short = key.length > 60 ? `${key.slice(0, 57)}...` : key;
      const part = /^[A-Za-z0-9_-]+$/.test(short) ? short : JSON.stringify(short);
      out += out === "" ? part : `.${part}`;
    }
  }
  return out;
}

/**
 * Shows a JSON value briefly for an error message.
 *
 * @param value Any value from a config.
 * @returns A short rendering: strings quoted, long values cut.
 */
export function showValue(value: unknown): string {
  if (value === undefined) return "nothing";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // A value from JSON always stringifies; this guards values built in code.
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
