/**
 * Command-line parsing (argv.ts, with the results and messages of `node:util` parseArgs)
 * driven by the command table (command_table.ts), compatible with the Rust Nimi's `nimi --config FILE <command>`: options
 * may stand before or after the command. Mistyped commands and options get a "did you mean".
 *
 * @module
 */
import { type ArgvToken, parseArgv } from "./argv.ts";
import {
  COMMANDS,
  type CommandSpec,
  findCommand,
  GLOBAL_OPTIONS,
  OPTIONS,
} from "./command_table.ts";
import { suggest } from "./suggest.ts";
import { UsageError } from "./usage_error.ts";

/** A subcommand name. */
export type Command = string;

/** Parsed command line. */
export interface CliArgs {
  /** The subcommand, or null when only --help/--version was given. */
  command: Command | null;
  /** Positional arguments after the command word. */
  args: string[];
  /** The words after a `--`, or null when there is none. */
  rest: string[] | null;
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
  /** `--image` (render: compose, kubernetes). */
  image: string | null;
  /** `--socket` (run and the control clients). */
  socket: string | null;
  /** `--name` (run and the control clients). */
  name: string | null;
  /** `--no-control` (run). */
  noControl: boolean;
  /** `--tui` (run). */
  tui: boolean;
  /** `--json` (status). */
  json: boolean;
  /** `--follow`/`-f` (logs). */
  follow: boolean;
  /** `--lines`/`-n` (logs). */
  lines: string | null;
  /** `--nimi` (render): the nimi program rendered files call for probes. */
  nimi: string;
}

type ParseOptions = Record<
  string,
  { type: "string" | "boolean"; short?: string; multiple?: boolean }
>;

function parseOptions(): ParseOptions {
  const out: ParseOptions = {};
  for (const o of Object.values(OPTIONS)) {
    out[o.name] = {
      type: o.type,
      ...(o.short ? { short: o.short } : {}),
      ...(o.multiple ? { multiple: true } : {}),
    };
  }
  return out;
}

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
  // `nimi probe` has its own command line (src/cli/probe_args.ts): an exec probe's command keeps
  // its options, so nothing after the command word is parsed here.
  const kind = argv.findIndex((a, i) => i > 0 && !a.startsWith("-"));
  const probeOptions = argv.slice(1, kind === -1 ? undefined : kind);
  if (argv[0] === "probe" && !probeOptions.some((a) => a === "--help" || a === "-h")) {
    return { ...parseCli([]), command: "probe", args: argv.slice(1) };
  }
  let parsed;
  try {
    parsed = parseArgv(argv, parseOptions(), true);
  } catch (e) {
    throw new UsageError(describeParseError(e), { cause: e });
  }
  const { values, tokens } = parsed;
  const terminator = tokens.findIndex((t) => t.kind === "option-terminator");
  const positionals: string[] = [];
  const rest: string[] = [];
  tokens.forEach((t, i) => {
    if (t.kind !== "positional") return;
    (terminator >= 0 && i > terminator ? rest : positionals).push(t.value);
  });
  const name = positionals[0];
  const spec = name === undefined ? undefined : findCommand(name);
  if (name !== undefined && spec === undefined) throw unknownCommand(name);
  checkOptionPlaces(tokens, spec);
  const args = positionals.slice(1);
  if (spec !== undefined && values.help !== true) checkArgs(spec, args);
  const logFormat = values["log-format"] ?? "text";
  if (logFormat !== "text" && logFormat !== "json") {
    throw new UsageError(`--log-format must be "text" or "json", got "${logFormat}"`);
  }
  if (values.config === "") throw new UsageError(`--config needs a file path, got ""`);
  const str = (key: string): string | null => {
    const v = values[key];
    return typeof v === "string" ? v : null;
  };
  const bool = (key: string): boolean => values[key] === true;
  return {
    command: spec?.name ?? null,
    args,
    rest: terminator >= 0 ? rest : null,
    config: str("config"),
    strict: bool("strict"),
    help: bool("help"),
    version: bool("version"),
    logFormat,
    to: str("to"),
    out: str("out"),
    user: bool("user"),
    prefix: str("prefix") ?? "",
    stateDir: str("state-dir"),
    image: str("image"),
    socket: str("socket"),
    name: str("name"),
    noControl: bool("no-control"),
    tui: bool("tui"),
    json: bool("json"),
    follow: bool("follow"),
    lines: str("lines"),
    nimi: str("nimi") ?? "nimi",
  };
}

function unknownCommand(name: string): UsageError {
  const names = COMMANDS.map((c) => c.name);
  const close = suggest(name, names);
  return new UsageError(
    close
      ? `unknown command "${name}"; did you mean "${close}"? (see "nimi --help")`
      : `unknown command "${name}"; expected one of: ${names.join(", ")}`,
  );
}

function checkOptionPlaces(tokens: readonly ArgvToken[], spec: CommandSpec | undefined): void {
  for (const t of tokens) {
    if (t.kind !== "option" || GLOBAL_OPTIONS.includes(t.name)) continue;
    if (spec?.options.includes(t.name)) continue;
    const allowedIn = COMMANDS.filter((c) => c.options.includes(t.name)).map((c) => c.name);
    throw new UsageError(
      `option ${t.rawName} belongs to "nimi ${allowedIn.join("/")}"` +
        (spec === undefined ? "" : `, not "nimi ${spec.name}"`),
    );
  }
}

function checkArgs(spec: CommandSpec, args: readonly string[]): void {
  const specs = spec.args ?? [];
  const variadic = specs.some((a) => a.variadic);
  if (args.length > specs.length && !variadic) {
    const extra = args[specs.length]!;
    throw new UsageError(
      specs.length === 0
        ? `unexpected argument "${extra}"; give one command, see "nimi --help"`
        : `unexpected argument "${extra}"; see "nimi help ${spec.name}"`,
    );
  }
  specs.forEach((a, i) => {
    const value = args[i];
    if (value === undefined) {
      if (a.required) {
        throw new UsageError(
          `"nimi ${spec.name}" needs ${a.name}; usage: nimi ${spec.usage[0]}`,
        );
      }
      return;
    }
    const given = a.variadic ? args.slice(i) : [value];
    const choices = a.complete === "command" ? COMMANDS.map((c) => c.name) : a.choices;
    for (const v of given) {
      if (choices && !choices.includes(v)) {
        const close = suggest(v, choices);
        throw new UsageError(
          `${a.name} must be one of ${choices.join(", ")}, got "${v}"` +
            (close ? `; did you mean "${close}"?` : ""),
        );
      }
    }
  });
}

function describeParseError(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const unknown = message.match(/Unknown option '([^']+)'/);
  if (unknown) {
    const flag = unknown[1]!;
    const close = flag.startsWith("--") ? suggest(flag.slice(2), Object.keys(OPTIONS)) : undefined;
    return close
      ? `unknown option ${flag}; did you mean --${close}?`
      : `unknown option ${flag}; see "nimi --help"`;
  }
  const needs = message.match(/Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/);
  if (needs) return `option ${needs[1]} needs a value; see "nimi --help"`;
  return `${message.split("\n")[0]!.replace(/\.$/, "")}; see "nimi --help"`;
}
