/**
 * Probes for targets without them: the `nimi probe ...` command line (src/cli/probe_args.ts)
 * that runs a service's readiness check with `nimi run`'s semantics, as argv or one line of
 * shell.
 *
 * @module
 */
import type { ProbeValue } from "../config/types.ts";
import { shJoin } from "./sh_quote.ts";

/** How the probe is run. */
export interface ProbeCommandOptions {
  /** The nimi program (`--nimi`, default `nimi`). */
  nimi: string;
  /** Repeat until it passes (a readiness wait) rather than one attempt (a manager's check). */
  wait: boolean;
  /** The file the service's output goes to, for log probes; none: log probes cannot run. */
  logFile?: string;
}

/**
 * Whether `nimi probe` can run a probe: tcp, http and exec always, log when the output goes to
 * a file; notify never (it needs the manager's socket).
 *
 * @param p The probe.
 * @param logFile Where the service's output goes, if to a file.
 * @returns true when {@link probeArgv} gives a command.
 */
export function probeRunnable(p: ProbeValue, logFile?: string): boolean {
  return p.type === "tcp" || p.type === "http" || p.type === "exec" ||
    (p.type === "log" && logFile !== undefined);
}

/**
 * Milliseconds a manager should allow one `nimi probe` run beyond the probe's own timeout,
 * which nimi probe enforces itself: the time to start the nimi process.
 */
export const PROBE_START_ALLOWANCE = 5000;

function timing(p: ProbeValue, wait: boolean): string[] {
  const out: string[] = [];
  if (wait) out.push("--wait");
  if (wait && p.initialDelay > 0) out.push("--initial-delay", String(p.initialDelay));
  if (wait && p.period !== 1000) out.push("--period", String(p.period));
  if (p.timeout !== 1000) out.push("--timeout", String(p.timeout));
  return out;
}

/**
 * The `nimi probe` argv for a probe.
 *
 * @param p The probe.
 * @param options Program, wait mode, log file.
 * @param offset For log probes: bytes of the file to skip (a number, or a shell expression when
 *   the caller writes shell itself).
 * @returns Argv, or null when the probe cannot run this way (see {@link probeRunnable}).
 * @example
 * ```ts
 * probeArgv({ type: "tcp", host: "127.0.0.1", port: 8080, ... }, { nimi: "nimi", wait: true });
 * // ["nimi", "probe", "--wait", "tcp", "127.0.0.1", "8080"]
 * ```
 */
export function probeArgv(
  p: ProbeValue,
  options: ProbeCommandOptions,
  offset?: string,
): string[] | null {
  const head = [options.nimi, "probe", ...timing(p, options.wait)];
  switch (p.type) {
    case "tcp":
      return [...head, "tcp", p.host, String(p.port ?? 0)];
    case "http":
      return [...head, "http", p.url ?? ""];
    case "exec":
      return [...head, "exec", ...(p.command ?? [])];
    case "log":
      if (options.logFile === undefined) return null;
      return [
        ...head,
        "log",
        "--file",
        options.logFile,
        ...(offset === undefined ? [] : ["--offset", offset]),
        "--",
        p.pattern ?? "",
      ];
    case "notify":
      return null;
  }
}

/**
 * The probe as one line of shell. A log probe skips what the file held when `offsetVar` was
 * set (`name=$(wc -c < file)` before the service started), so lines of earlier runs do not count.
 *
 * @param p The probe.
 * @param options Program, wait mode, log file.
 * @param offsetVar Shell variable holding the log offset, for log probes.
 * @returns The command, or null when the probe cannot run this way.
 */
export function probeShell(
  p: ProbeValue,
  options: ProbeCommandOptions,
  offsetVar?: string,
): string | null {
  const marker = "\u0000offset\u0000";
  const argv = probeArgv(p, options, offsetVar === undefined ? undefined : marker);
  if (argv === null) return null;
  return shJoin(argv).replace(shJoin([marker]), `"\${${offsetVar}:-0}"`);
}
