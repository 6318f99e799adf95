/**
 * Command-line parsing (`node:util` parseArgs), compatible with the Rust Nimi's
 * `nimi --config FILE <command>`: options may stand before or after the command.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { UsageError } from "./usage_error.ts";

/** The subcommands. */
export const COMMANDS = ["run", "validate", "schema", "render", "help"] as const;
/** A subcommand name. */
export type Command = typeof COMMANDS[number];

/** Parsed command line. */
export interface CliArgs {
  /** The subcommand, or null when only --help/--version was given. */
  command: Command | null;
  /** `--config`/`-c`. */
  config: string | null;
  /** `--strict`: unknown keys are errors. */
  strict: boolean;
  /** `--help`/`-h`. */
  help: boolean;
  /** `--version`/`-V`. */
  version: boolean;
  /** `--log-format` (run). */
  logFormat: "text" | "json";
  /** `--to` (render). */
  to: string | null;
  /** `--out` (render). */
  out: string | null;
  /** `--user` (render). */
  user: boolean;
  /** `--prefix` (render). */
  prefix: string;
  /** `--state-dir` (render). */
  stateDir: string | null;
}

const OPTIONS = {
  config: { type: "string", short: "c" },
  strict: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
  "log-format": { type: "string" },
  to: { type: "string" },
  out: { type: "string", short: "o" },
  user: { type: "boolean" },
  prefix: { type: "string" },
  "state-dir": { type: "string" },
} as const;

/** Which command-specific options each command takes (global ones are always allowed). */
const COMMAND_OPTIONS: Record<Command, readonly string[]> = {
  run: ["log-format"],
  validate: [],
  schema: [],
  render: ["to", "out", "user", "prefix", "state-dir"],
  help: [],
};

const GLOBAL = ["config", "strict", "help", "version"];

/**
 * Parses the command line.
 *
 * @param argv Arguments after the program name.
 * @returns The parsed arguments.
 * @throws {UsageError} On unknown commands or options and bad option values.
 * @example
 * ```ts
 * parseCli(["--config", "x.json", "validate"]).command; // "validate"
 * ```
 */
export function parseCli(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (e) {
    throw new UsageError(`${describeParseError(e)}; see "nimi --help"`, { cause: e });
  }
  const { values, positionals, tokens } = parsed;
  if (positionals.length > 1) {
    throw new UsageError(
      `unexpected argument "${positionals[1]}"; give one command, see "nimi --help"`,
    );
  }
  const name = positionals[0];
  let command: Command | null = null;
  if (name !== undefined) {
    if (!(COMMANDS as readonly string[]).includes(name)) {
      throw new UsageError(
        `unknown command "${name}"; expected one of: ${COMMANDS.join(", ")}`,
      );
    }
    command = name as Command;
  }
  for (const t of tokens) {
    if (t.kind !== "option" || GLOBAL.includes(t.name)) continue;
    const allowedIn = (Object.keys(COMMAND_OPTIONS) as Command[]).filter((c) =>
      COMMAND_OPTIONS[c].includes(t.name)
    );
    if (command === null || !COMMAND_OPTIONS[command].includes(t.name)) {
      throw new UsageError(
        `option ${t.rawName} belongs to "nimi ${allowedIn.join("/")}"` +
          (command === null ? "" : `, not "nimi ${command}"`),
      );
    }
  }
  const logFormat = values["log-format"] ?? "text";
  if (logFormat !== "text" && logFormat !== "json") {
    throw new UsageError(`--log-format must be "text" or "json", got "${logFormat}"`);
  }
  if (values.config === "") throw new UsageError(`--config needs a file path, got ""`);
  return {
    command,
    config: values.config ?? null,
    strict: values.strict ?? false,
    help: values.help ?? false,
    version: values.version ?? false,
    logFormat,
    to: values.to ?? null,
    out: values.out ?? null,
    user: values.user ?? false,
    prefix: values.prefix ?? "",
    stateDir: values["state-dir"] ?? null,
  };
}

function describeParseError(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const unknown = message.match(/Unknown option '([^']+)'/);
  if (unknown) return `unknown option ${unknown[1]}`;
  const needs = message.match(/Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/);
  if (needs) return `option ${needs[1]} needs a value`;
  return message.split("\n")[0]!.replace(/\.$/, "");
}
