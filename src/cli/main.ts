/**
 * The CLI entry: parses arguments, dispatches to a subcommand, and turns errors into one clear
 * message and an exit code (2 for usage and config errors), never a stack trace. Each command's
 * module is loaded only when that command runs, so `nimi run` never loads the renderers.
 *
 * @module
 */
import { ConfigError, formatDiagnostic } from "../config/mod.ts";
import { type CliArgs, parseCli } from "./args.ts";
import { COMMANDS, findCommand } from "./command_table.ts";
import { initSeparator } from "./init_args.ts";
import { commandHelp, overviewHelp } from "./help.ts";
import { type Output, processOutput } from "./output.ts";
import { UsageError } from "./usage_error.ts";
import { describeSystemError } from "./system_error.ts";
import { VERSION } from "../version.ts";

/** Runs one command. */
type Handler = (args: CliArgs, io: Output) => number | Promise<number>;

/** Each command's module, loaded on first use (every command but `help`). */
export const HANDLERS: Record<string, () => Promise<Handler>> = {
  validate: async () => (await import("./validate_cmd.ts")).validateCommand,
  schema: async () => {
    const { schemaCommand } = await import("./schema_cmd.ts");
    return (_args, io) => schemaCommand(io);
  },
  run: async () => (await import("./run_cmd.ts")).runCommand,
  render: async () => (await import("./render_cmd.ts")).renderCommand,
  probe: async () => {
    const { probeCommand } = await import("./probe_cmd.ts");
    return (args, io) => probeCommand(args.args, io);
  },
  completions: async () => (await import("./completions_cmd.ts")).completionsCommand,
  man: async () => (await import("./completions_cmd.ts")).manCommand,
  status: async () => (await import("./control_cmd.ts")).statusCommand,
  tui: async () => (await import("./tui_cmd.ts")).tuiCommand,
  start: async () => (await import("./control_cmd.ts")).startCommand,
  stop: async () => (await import("./control_cmd.ts")).stopCommand,
  restart: async () => (await import("./control_cmd.ts")).restartCommand,
  signal: async () => (await import("./control_cmd.ts")).signalCommand,
  logs: async () => (await import("./control_cmd.ts")).logsCommand,
  reload: async () => (await import("./control_cmd.ts")).reloadCommand,
};

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
    // `nimi [OPTIONS] -- PROGRAM`: init mode (docs/container.md).
    const separator = initSeparator(argv, COMMANDS.map((c) => c.name));
    if (separator >= 0) {
      const { initCommand } = await import("./init_cmd.ts");
      return await initCommand(argv, separator, io);
    }
    const args = parseCli(argv);
    if (args.version) {
      io.out(`nimi ${VERSION}\n`);
      return 0;
    }
    if (args.command === "help" || args.help) {
      io.out(helpText(args));
      return 0;
    }
    if (args.command === null) {
      throw new UsageError(
        `no command given; try "nimi --config FILE validate" or "nimi --help"`,
      );
    }
    const load = HANDLERS[args.command];
    if (load === undefined) throw new Error(`no handler for command "${args.command}"`);
    return await (await load())(args, io);
  } catch (e) {
    return reportError(e, io);
  }
}

function helpText(args: CliArgs): string {
  const topic = args.command === "help"
    ? args.args[0] ?? (args.help ? "help" : undefined)
    : args.command;
  if (topic === undefined || topic === null) return overviewHelp();
  const spec = findCommand(topic);
  // The parser already refused an unknown command word; `help` checks its argument's choices.
  return spec === undefined ? overviewHelp() : commandHelp(spec);
}

/**
 * Prints an error as nimi's one-screen message and picks the exit code.
 *
 * @param e What was thrown.
 * @param io Where to write.
 * @returns 2 for usage and config errors, 1 otherwise (an error of the environment, such as no
 *   file descriptors left, is named as such; anything else is nimi's own "internal error").
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
  const system = describeSystemError(e);
  if (system !== null) {
    // The machine, not nimi: a full table of open files, a read-only or full file system.
    io.err(`nimi: ${system}\n`);
    return 1;
  }
  io.err(`nimi: internal error: ${message}\n`);
  if (Deno.env.get("NIMI_DEBUG") && e instanceof Error && e.stack) io.err(`${e.stack}\n`);
  return 1;
}
