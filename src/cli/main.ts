/**
 * The CLI entry: parses arguments, dispatches to a subcommand, and turns errors into one clear
 * message and an exit code (2 for usage and config errors), never a stack trace.
 *
 * @module
 */
import { ConfigError, formatDiagnostic } from "../config/mod.ts";
import { parseCli } from "./args.ts";
import { HELP } from "./help.ts";
import { type Output, processOutput } from "./output.ts";
import { UsageError } from "./usage_error.ts";
import { VERSION } from "../version.ts";
import { validateCommand } from "./validate_cmd.ts";
import { schemaCommand } from "./schema_cmd.ts";
import { runCommand } from "./run_cmd.ts";
import { renderCommand } from "./render_cmd.ts";

/**
 * Runs the nimi CLI.
 *
 * @param argv Arguments after the program name.
 * @param io Where to write (the real stdout/stderr by default).
 * @returns The exit code.
 * @example
 * ```ts
 * const code = await main(["--version"]);
 * ```
 */
export async function main(argv: readonly string[], io: Output = processOutput): Promise<number> {
  try {
    const args = parseCli(argv);
    if (args.version) {
      io.out(`nimi ${VERSION}\n`);
      return 0;
    }
    if (args.help || args.command === "help") {
      io.out(HELP);
      return 0;
    }
    switch (args.command) {
      case null:
        throw new UsageError(
          `no command given; try "nimi --config FILE validate" or "nimi --help"`,
        );
      case "validate":
        return await validateCommand(args, io);
      case "schema":
        return schemaCommand(io);
      case "run":
        return await runCommand(args, io);
      case "render":
        return await renderCommand(args, io);
    }
  } catch (e) {
    return reportError(e, io);
  }
}

/**
 * Prints an error as nimi's one-screen message and picks the exit code.
 *
 * @param e What was thrown.
 * @param io Where to write.
 * @returns 2 for usage and config errors, 1 otherwise.
 */
export function reportError(e: unknown, io: Output): number {
  if (e instanceof ConfigError) {
    const lines = e.diagnostics.map((d) => `nimi: ${formatDiagnostic(e.file, d)}\n`);
    const errors = e.diagnostics.filter((d) => d.severity === "error").length;
    io.err(lines.join(""));
    if (errors > 1) io.err(`nimi: ${e.file}: ${errors} errors\n`);
    return e.exitCode;
  }
  if (e instanceof UsageError) {
    io.err(`nimi: ${e.message}\n`);
    return e.exitCode;
  }
  const message = e instanceof Error ? e.message : String(e);
  io.err(`nimi: internal error: ${message}\n`);
  if (Deno.env.get("NIMI_DEBUG") && e instanceof Error && e.stack) io.err(`${e.stack}\n`);
  return 1;
}
