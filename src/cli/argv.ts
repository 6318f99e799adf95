/**
 * The command-line tokenizer behind args.ts and init_args.ts: long options (`--name`,
 * `--name=value`), short options and groups (`-c FILE`, `-cFILE`, `-fh`), `--`, positionals,
 * strict, with the same results and messages as `node:util` `parseArgs` (`strict: true`,
 * `tokens: true`). `nimi run` would otherwise load Deno's Node compatibility layer for it, about
 * 1 MB of private memory for the life of a PID 1 (bench/README.md, "Memory").
 * tests/cli/argv_test.ts checks it against `parseArgs` case by case.
 *
 * @module
 */

/** How an option is given. */
export interface ArgvOption {
  /** A flag (`boolean`) or an option with a value (`string`). */
  type: "string" | "boolean";
  /** Its one-letter form. */
  short?: string;
  /** Collect every occurrence into an array. */
  multiple?: boolean;
}

/** One element of the command line, in order. */
export type ArgvToken =
  | {
    kind: "option";
    name: string;
    rawName: string;
    index: number;
    value?: string;
    inlineValue?: boolean;
  }
  | { kind: "positional"; index: number; value: string }
  | { kind: "option-terminator"; index: number };

/** What {@link parseArgv} found. */
export interface ParsedArgv {
  /**
   * Option values by name: `true` for a flag, the string for the others, an array of them for
   * `multiple` (read them with {@link flagOf}, {@link stringOf} and {@link stringsOf}).
   */
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  /** Positional arguments, those after `--` included. */
  positionals: string[];
  /** Every token, in order. */
  tokens: ArgvToken[];
}

/** A command line that does not fit the options (the message is `parseArgs`'s). */
export class ArgvError extends Error {
  /** @param message What is wrong. */
  constructor(message: string) {
    super(message);
    this.name = "ArgvError";
  }
}

/**
 * Splits a command line into options and positionals.
 *
 * @param args The arguments.
 * @param options The known options by long name.
 * @param allowPositionals Whether positionals are allowed.
 * @returns Values, positionals and tokens.
 * @throws {ArgvError} On an unknown option, a missing or unexpected value, or a positional
 *   where none is allowed.
 * @example
 * ```ts
 * parseArgv(["-c", "x.json", "run"], { config: { type: "string", short: "c" } }, true)
 *   .values.config; // "x.json"
 * ```
 */
export function parseArgv(
  args: readonly string[],
  options: Readonly<Record<string, ArgvOption>>,
  allowPositionals: boolean,
): ParsedArgv {
  const values: ParsedArgv["values"] = {};
  const positionals: string[] = [];
  const tokens: ArgvToken[] = [];
  const byShort = new Map<string, string>();
  for (const [name, o] of Object.entries(options)) if (o.short) byShort.set(o.short, name);
  const store = (name: string, value: string | true) => {
    if (options[name]!.multiple) {
      const list = values[name];
      values[name] = [...(Array.isArray(list) ? list : []), value];
    } else values[name] = value;
  };
  /** Records an option: a flag without `value`, else its value and whether it was inline. */
  const found = (
    name: string,
    rawName: string,
    index: number,
    value?: string,
    inline?: boolean,
  ) => {
    store(name, value ?? true);
    tokens.push(
      value === undefined
        ? { kind: "option", name, rawName, index }
        : { kind: "option", name, rawName, index, value, inlineValue: inline! },
    );
  };
  const positional = (index: number, value: string) => {
    if (!allowPositionals) {
      throw new ArgvError(
        `Unexpected argument '${value}'. This command does not take positional arguments`,
      );
    }
    positionals.push(value);
    tokens.push({ kind: "positional", index, value });
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      tokens.push({ kind: "option-terminator", index: i });
      for (let j = i + 1; j < args.length; j++) positional(j, args[j]!);
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const option = Object.hasOwn(options, name) ? options[name]! : undefined;
      const rawName = `--${name}`;
      if (option === undefined) throw unknown(eq === -1 ? arg : rawName, allowPositionals);
      if (option.type === "boolean") {
        if (eq !== -1) {
          throw new ArgvError(`Option '${usage(name, option)}' does not take an argument`);
        }
        found(name, rawName, i);
        continue;
      }
      if (eq !== -1) {
        found(name, rawName, i, arg.slice(eq + 1), true);
        continue;
      }
      found(name, rawName, i, nextValue(args, i, name, option, rawName), false);
      i++;
      continue;
    }
    if (arg.length < 2 || !arg.startsWith("-")) {
      positional(i, arg);
      continue;
    }
    for (let k = 1; k < arg.length; k++) {
      const letter = arg[k]!;
      const rawName = `-${letter}`;
      const name = byShort.get(letter);
      if (name === undefined) throw unknown(rawName, allowPositionals);
      const option = options[name]!;
      if (option.type === "boolean") {
        found(name, rawName, i);
        continue;
      }
      if (k + 1 < arg.length) {
        found(name, rawName, i, arg.slice(k + 1), true);
        break;
      }
      found(name, rawName, i, nextValue(args, i, name, option, rawName), false);
      i++;
    }
  }
  return { values, positionals, tokens };
}

/**
 * Whether a flag was given (at least once).
 *
 * @param values What {@link parseArgv} found.
 * @param name The option.
 * @returns true when it was.
 */
export function flagOf(values: ParsedArgv["values"], name: string): boolean {
  const v = values[name];
  return v === true || (Array.isArray(v) && v.length > 0);
}

/**
 * A string option's value (the last one given).
 *
 * @param values What {@link parseArgv} found.
 * @param name The option.
 * @returns The value, or undefined when it was not given.
 */
export function stringOf(values: ParsedArgv["values"], name: string): string | undefined {
  const v = values[name];
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  return typeof last === "string" ? last : undefined;
}

/**
 * Every value of a repeatable string option, in order.
 *
 * @param values What {@link parseArgv} found.
 * @param name The option.
 * @returns The values (none when it was not given).
 */
export function stringsOf(values: ParsedArgv["values"], name: string): string[] {
  const v = values[name];
  const all = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return all.filter((x): x is string => typeof x === "string");
}

/** The value of a string option from the next argument. */
function nextValue(
  args: readonly string[],
  i: number,
  name: string,
  option: ArgvOption,
  rawName: string,
): string {
  const next = args[i + 1];
  if (next === undefined) {
    throw new ArgvError(`Option '${usage(name, option)} <value>' argument missing`);
  }
  if (next.length > 1 && next.startsWith("-")) {
    const dash = option.short && rawName === `-${option.short}`
      ? `'--${name}=-XYZ' or '-${option.short}-XYZ'`
      : `'--${name}=-XYZ'`;
    throw new ArgvError(
      `Option '${rawName}' argument is ambiguous.\n` +
        `Did you forget to specify the option argument for '${rawName}'?\n` +
        `To specify an option argument starting with a dash use ${dash}.`,
    );
  }
  return next;
}

function usage(name: string, option: ArgvOption): string {
  return option.short ? `-${option.short}, --${name}` : `--${name}`;
}

function unknown(rawName: string, allowPositionals: boolean): ArgvError {
  if (!allowPositionals) return new ArgvError(`Unknown option '${rawName}'`);
  return new ArgvError(
    `Unknown option '${rawName}'. To specify a positional argument starting with a '-', ` +
      `place it at the end of the command after '--', as in '-- "${rawName}"`,
  );
}
