/**
 * The command line of `nimi probe`, the readiness helper rendered files call:
 *
 * ```
 * nimi probe [--wait] [--initial-delay MS] [--period MS] [--timeout MS] tcp HOST PORT
 * nimi probe [...] http URL
 * nimi probe [...] exec PROGRAM [ARG...]
 * nimi probe [...] log --file FILE [--offset BYTES] PATTERN
 * ```
 *
 * Options come before the kind; everything after `exec` is the command, untouched.
 *
 * @module
 */
import { UsageError } from "./usage_error.ts";

/** The probe kinds `nimi probe` runs (notify needs the manager's own socket). */
export const PROBE_KINDS = ["tcp", "http", "exec", "log"] as const;

/** What to probe and how. */
export type ProbeTarget =
  | { kind: "tcp"; host: string; port: number }
  | { kind: "http"; url: string }
  | { kind: "exec"; command: string[] }
  | { kind: "log"; file: string; offset: number; pattern: string };

/** A parsed `nimi probe` command line. */
export interface ProbeRequest {
  /** What to probe. */
  target: ProbeTarget;
  /** Repeat until it passes (readiness wait) instead of one attempt. */
  wait: boolean;
  /** Milliseconds before the first attempt. */
  initialDelay: number;
  /** Milliseconds between attempts (with --wait). */
  period: number;
  /** Milliseconds one attempt may take. */
  timeout: number;
}

const USAGE = `usage: nimi probe [--wait] [--initial-delay MS] [--period MS] [--timeout MS] ` +
  `tcp HOST PORT | http URL | exec PROGRAM [ARG...] | log --file FILE [--offset BYTES] PATTERN`;

function whole(
  flag: string,
  value: string | undefined,
  min: number,
  unit = "milliseconds",
): number {
  if (value === undefined) throw new UsageError(`option ${flag} needs a value; ${USAGE}`);
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw new UsageError(`${flag} must be a whole number of ${unit} >= ${min}, got "${value}"`);
  }
  return Number(value);
}

/**
 * Parses the arguments after `nimi probe`.
 *
 * @param argv The arguments.
 * @returns The request.
 * @throws {UsageError} On a missing kind, unknown option, or bad value.
 * @example
 * ```ts
 * parseProbeArgs(["--wait", "tcp", "127.0.0.1", "8080"]).target; // { kind: "tcp", ... }
 * ```
 */
export function parseProbeArgs(argv: readonly string[]): ProbeRequest {
  const request: Omit<ProbeRequest, "target"> = {
    wait: false,
    initialDelay: 0,
    period: 1000,
    timeout: 1000,
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("-")) break;
    if (a === "--wait") request.wait = true;
    else if (a === "--initial-delay") request.initialDelay = whole(a, argv[++i], 0);
    else if (a === "--period") request.period = whole(a, argv[++i], 1);
    else if (a === "--timeout") request.timeout = whole(a, argv[++i], 1);
    else throw new UsageError(`unknown option ${a} for "nimi probe"; ${USAGE}`);
  }
  const kind = argv[i];
  const rest = argv.slice(i + 1);
  if (kind === undefined) throw new UsageError(`"nimi probe" needs a kind; ${USAGE}`);
  switch (kind) {
    case "tcp": {
      if (rest.length !== 2) throw new UsageError(`"nimi probe tcp" needs HOST PORT; ${USAGE}`);
      const [host, port] = rest as [string, string];
      if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
        throw new UsageError(`"nimi probe tcp": PORT must be 1-65535, got "${port}"`);
      }
      return { ...request, target: { kind, host, port: Number(port) } };
    }
    case "http": {
      if (rest.length !== 1) throw new UsageError(`"nimi probe http" needs one URL; ${USAGE}`);
      const url = rest[0]!;
      if (!/^https?:\/\//.test(url) || !URL.canParse(url)) {
        throw new UsageError(`"nimi probe http": expected an http(s) URL, got "${url}"`);
      }
      return { ...request, target: { kind, url } };
    }
    case "exec":
      if (rest.length === 0) throw new UsageError(`"nimi probe exec" needs a PROGRAM; ${USAGE}`);
      return { ...request, target: { kind, command: [...rest] } };
    case "log":
      return { ...request, target: parseLog(rest) };
    default:
      throw new UsageError(
        `unknown probe kind "${kind}"; expected one of: ${PROBE_KINDS.join(", ")}`,
      );
  }
}

function parseLog(rest: readonly string[]): ProbeTarget {
  let file: string | null = null;
  let offset = 0;
  const words: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === "--file") {
      file = rest[++i] ?? "";
      if (file === "") throw new UsageError(`"nimi probe log": --file needs a path`);
    } else if (a === "--offset") offset = whole("--offset", rest[++i], 0, "bytes");
    else if (a === "--") words.push(...rest.slice(i + 1)), i = rest.length;
    else words.push(a);
  }
  if (file === null) throw new UsageError(`"nimi probe log" needs --file FILE; ${USAGE}`);
  if (words.length !== 1) throw new UsageError(`"nimi probe log" needs one PATTERN; ${USAGE}`);
  const pattern = words[0]!;
  try {
    new RegExp(pattern);
  } catch (e) {
    throw new UsageError(
      `"nimi probe log": PATTERN ${JSON.stringify(pattern)} is not a valid regular expression: ${
        (e as Error).message
      }`,
    );
  }
  return { kind: "log", file, offset, pattern };
}
