/**
 * Helpers shared by the subcommands.
 *
 * @module
 */
import { type Diagnostic, formatDiagnostic } from "../config/mod.ts";
import type { CliArgs } from "./args.ts";
import type { Output } from "./output.ts";
import { UsageError } from "./usage_error.ts";

/**
 * The `--config` path, required by the command.
 *
 * @param args Parsed command line.
 * @returns The path.
 * @throws {UsageError} When --config is missing.
 */
export function requireConfig(args: CliArgs): string {
  if (args.config === null) {
    throw new UsageError(
      `"nimi ${args.command}" needs a config: nimi --config FILE ${args.command}`,
    );
  }
  return args.config;
}

/**
 * Prints warnings to standard error, one line each.
 *
 * @param file The config file.
 * @param diagnostics Diagnostics; only warnings are printed.
 * @param io Where to write.
 */
export function printWarnings(file: string, diagnostics: readonly Diagnostic[], io: Output): void {
  for (const d of diagnostics) {
    if (d.severity !== "warning") continue;
    const line = `nimi: ${formatDiagnostic(file, d)}\n`;
    if (io.warn) io.warn(line);
    else io.err(line);
  }
}
