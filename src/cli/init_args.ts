/**
 * The command line of init mode, `nimi [OPTIONS] -- PROGRAM [ARGS...]`: the options of tini and
 * dumb-init under their own letters, and the environment variables both know.
 *
 * @module
 */
import { type ArgvOption, flagOf, parseArgv, stringOf, stringsOf } from "./argv.ts";
import { normalizeSignal, SIGNAL_NUMBERS } from "../config/signals.ts";
import { UsageError } from "./usage_error.ts";

/** Parsed init-mode command line. */
export interface InitArgs {
  /** The program and its arguments. */
  argv: string[];
  /** `-c`/`--single-child`: stay in nimi's session; signals go to the program alone. */
  singleChild: boolean;
  /** `-g`/`--process-group`: signals go to the program's process group. */
  processGroup: boolean;
  /** `-r`/`--rewrite S:R`: received signal number to the number sent (0: not sent). */
  rewrite: Map<number, number>;
  /** `-e`/`--remap-exit N`: exit codes reported as 0. */
  remapExit: Set<number>;
  /** `-p`/`--parent-death-signal SIG`: the signal number, or null. */
  parentDeathSignal: number | null;
  /** Become a child subreaper when not PID 1 (`--no-subreaper` turns it off). */
  subreaper: boolean;
  /** `-w`/`--warn-reaping`: one line on stderr for each orphan reaped. */
  warnReaping: boolean;
  /** `-v`/`--verbose`: nimi's own lines (start, signals, exit) on stderr. */
  verbose: boolean;
  /** `-h`/`--help`. */
  help: boolean;
}

const OPTIONS: Readonly<Record<string, ArgvOption>> = {
  "single-child": { type: "boolean", short: "c" },
  "process-group": { type: "boolean", short: "g" },
  rewrite: { type: "string", short: "r", multiple: true },
  "remap-exit": { type: "string", short: "e", multiple: true },
  "parent-death-signal": { type: "string", short: "p" },
  subreaper: { type: "boolean", short: "s" },
  "no-subreaper": { type: "boolean" },
  "warn-reaping": { type: "boolean", short: "w" },
  verbose: { type: "boolean", short: "v", multiple: true },
  help: { type: "boolean", short: "h" },
};

/** The usage text of init mode. */
export const INIT_HELP = `Usage: nimi [OPTIONS] -- PROGRAM [ARGS...]

Runs one program as a container's init (PID 1) or under a child subreaper: stdin, stdout,
stderr and the terminal pass straight through, every signal is forwarded, orphans are reaped,
and nimi exits with the program's status (128 + N when signal N ended it).

Options:
  -c, --single-child         keep the program in nimi's session and process group; signals go
                             to the program alone (dumb-init -c; NIMI_SINGLE_CHILD=1,
                             DUMB_INIT_SETSID=0)
  -g, --process-group        signals go to the program's process group (the default; with -c
                             the program gets a process group of its own; tini -g;
                             NIMI_PROCESS_GROUP=1, TINI_KILL_PROCESS_GROUP)
  -r, --rewrite S:R          send signal R when S arrives; R = 0 drops S (names or numbers,
                             repeatable; dumb-init -r)
  -e, --remap-exit N         report exit code N as 0 (repeatable; tini -e)
  -p, --parent-death-signal SIG
                             get SIG when nimi's parent dies, and pass it on (tini -p)
  -s, --subreaper            become a child subreaper when not PID 1 (the default; tini -s,
                             TINI_SUBREAPER)
      --no-subreaper         do not: orphans go to the system's init (NIMI_SUBREAPER=0)
  -w, --warn-reaping         print a line on stderr for each orphan reaped, and a warning
                             when nimi cannot reap (tini -w; NIMI_WARN_REAPING=1)
  -v, --verbose              print nimi's own lines on stderr (tini -v, dumb-init -v;
                             NIMI_VERBOSE=1, TINI_VERBOSITY=2, DUMB_INIT_DEBUG=1)
  -h, --help                 print this text

See docs/container.md for the signal table and a comparison with tini and dumb-init.
`;

const SIGNAL_SPEC =
  "names (TERM, SIGTERM) or numbers 1 to 31; the second may be 0 to drop the signal";

/**
 * Parses one signal of `--rewrite` or `--parent-death-signal`.
 *
 * @param text A name (`TERM`, `SIGTERM`) or a number.
 * @param allowZero Whether 0 is allowed.
 * @returns The number, or null when not a signal.
 */
function signalOf(text: string, allowZero: boolean): number | null {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n <= 31 && (n >= 1 || (allowZero && n === 0)) ? n : null;
  }
  return (SIGNAL_NUMBERS as Readonly<Record<string, number>>)[normalizeSignal(text)] ?? null;
}

/**
 * Parses the rewrite list.
 *
 * @param specs The `S:R` texts.
 * @returns The map from received to sent.
 * @throws {UsageError} On a malformed spec.
 */
export function parseRewrites(specs: readonly string[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const spec of specs) {
    const [from, to, ...rest] = spec.split(":");
    const a = from === undefined ? null : signalOf(from, false);
    const b = to === undefined ? null : signalOf(to, true);
    if (a === null || b === null || rest.length > 0) {
      throw new UsageError(`--rewrite "${spec}": expected SIGNAL:SIGNAL with ${SIGNAL_SPEC}`);
    }
    out.set(a, b);
  }
  return out;
}

/**
 * Whether an argument list is init mode: a `--` with no command before it.
 *
 * @param argv Arguments after the program name.
 * @param commands The command names.
 * @returns The index of `--`, or -1.
 */
export function initSeparator(argv: readonly string[], commands: readonly string[]): number {
  const at = argv.indexOf("--");
  if (at < 0) return -1;
  return argv.slice(0, at).some((a) => commands.includes(a)) ? -1 : at;
}

/**
 * Parses `nimi [OPTIONS] -- PROGRAM [ARGS...]`.
 *
 * @param argv Arguments after the program name; `--` at `separator`.
 * @param separator The index of `--`.
 * @param env The environment (tini's and dumb-init's variables).
 * @returns The parsed options.
 * @throws {UsageError} On unknown options, bad values or no program.
 * @example
 * ```ts
 * parseInitArgs(["-r", "TERM:QUIT", "--", "app"], 2, {}).rewrite; // Map {15 => 3}
 * ```
 */
export function parseInitArgs(
  argv: readonly string[],
  separator: number,
  env: Readonly<Record<string, string>>,
): InitArgs {
  let parsed;
  try {
    parsed = parseArgv(argv.slice(0, separator), OPTIONS, false);
  } catch (e) {
    const message = e instanceof Error ? e.message.split("\n")[0]!.replace(/\.$/, "") : String(e);
    throw new UsageError(`${message}; see "nimi -h --"`, { cause: e });
  }
  const flag = (name: string) => flagOf(parsed.values, name);
  const program = argv.slice(separator + 1);
  if (flag("help")) return { ...defaults(program), help: true };
  if (program.length === 0) {
    throw new UsageError(`nothing to run after "--"; usage: nimi [OPTIONS] -- PROGRAM [ARGS...]`);
  }
  const remapExit = new Set<number>();
  for (const text of stringsOf(parsed.values, "remap-exit")) {
    if (!/^\d+$/.test(text) || Number(text) > 255) {
      throw new UsageError(`--remap-exit "${text}": expected an exit code from 0 to 255`);
    }
    remapExit.add(Number(text));
  }
  let parentDeathSignal: number | null = null;
  const pdeath = stringOf(parsed.values, "parent-death-signal");
  if (pdeath !== undefined) {
    parentDeathSignal = signalOf(pdeath, false);
    if (parentDeathSignal === null) {
      throw new UsageError(
        `--parent-death-signal "${pdeath}": expected a signal name (TERM) or number 1 to 31`,
      );
    }
  }
  if (flag("subreaper") && flag("no-subreaper")) {
    throw new UsageError(`--subreaper and --no-subreaper contradict each other; give one`);
  }
  const verbosity = Number(env.TINI_VERBOSITY ?? "1");
  const on = (name: string) => env[name] === "1";
  return {
    argv: program,
    singleChild: flag("single-child") || on("NIMI_SINGLE_CHILD") ||
      env.DUMB_INIT_SETSID === "0",
    processGroup: flag("process-group") || on("NIMI_PROCESS_GROUP") ||
      env.TINI_KILL_PROCESS_GROUP !== undefined,
    rewrite: parseRewrites(stringsOf(parsed.values, "rewrite")),
    remapExit,
    parentDeathSignal,
    subreaper: !flag("no-subreaper") && env.NIMI_SUBREAPER !== "0",
    warnReaping: flag("warn-reaping") || on("NIMI_WARN_REAPING"),
    verbose: flag("verbose") || on("NIMI_VERBOSE") || verbosity >= 2 ||
      env.DUMB_INIT_DEBUG === "1",
    help: false,
  };
}

function defaults(argv: string[]): InitArgs {
  return {
    argv,
    singleChild: false,
    processGroup: false,
    rewrite: new Map(),
    remapExit: new Set(),
    parentDeathSignal: null,
    subreaper: true,
    warnReaping: false,
    verbose: false,
    help: false,
  };
}
