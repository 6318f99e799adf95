/**
 * The scripts of a daemontools-style service directory, as runsv (runit) and s6-supervise (s6,
 * s6-rc) run them: `run`, `finish`, a one-attempt readiness `check`, and the logger's
 * `log/run`. Each supervisor fills in its own commands; the shape is the same.
 *
 * @module
 */
import type { Dependency, ProbeValue, ServiceSpec } from "../config/types.ts";
import { recordStartLines } from "./finish_script.ts";
import type { ServicePaths } from "./layout.ts";
import { probeShell } from "./probe_command.ts";
import { shJoin, shQuote } from "./sh_quote.ts";
import type { RenderOptions } from "./types.ts";
import type { WarningList } from "./warnings.ts";

/**
 * A readiness check script the supervisor repeats until it exits 0 (one attempt each time): an
 * exec probe's command, or `nimi probe` for tcp and http. Its output is discarded: it would
 * land in the service's log at every attempt.
 *
 * @param r The readiness probe.
 * @param options Render options (`--nimi`).
 * @returns The script, or null when the probe cannot run outside nimi (log, notify).
 */
export function checkScript(r: ProbeValue, options: RenderOptions): string | null {
  const command = r.type === "exec" && r.command !== undefined
    ? shJoin(r.command)
    : r.type === "tcp" || r.type === "http"
    ? probeShell(r, { nimi: options.nimi ?? "nimi", wait: false })
    : null;
  return command === null ? null : `#!/bin/sh\nexec ${command} >/dev/null 2>&1\n`;
}

/**
 * Whether the supervisor can hold a dependent back until a dependency is ready: the condition
 * is `ready` and the dependency's probe runs as its check script. A `ready` condition whose
 * probe cannot run (log, notify) gets a warning saying what the supervisor waits for instead.
 *
 * @param s The dependent service.
 * @param d The dependency.
 * @param dep The service depended on.
 * @param options Render options (`--nimi`).
 * @param warn Where warnings go.
 * @param under The supervisor, for the warning (`runit`).
 * @param instead What it waits for instead, for the warning (`waits for its start`).
 * @returns true when it waits for the dependency's check script.
 */
export function waitsForCheck(
  s: ServiceSpec,
  d: Dependency,
  dep: ServiceSpec | undefined,
  options: RenderOptions,
  warn: WarningList,
  under: string,
  instead: string,
): boolean {
  if (d.condition !== "ready" || dep?.readiness == null) return false;
  if (checkScript(dep.readiness, options) !== null) return true;
  warn.add(
    s.name,
    `dependsOn "${d.name}": ready`,
    `its probe cannot run under ${under}; ${instead}`,
  );
  return false;
}

/**
 * The `run` script: output to the log, the waits for dependencies, the start time for the
 * finish script, then the launch steps and the `exec` of the program.
 *
 * @param s The service.
 * @param paths Its paths.
 * @param waits Shell lines that wait for its dependencies (each exits on failure).
 * @param launch The launch lines (the last one is `exec ...`).
 * @returns The script's text.
 */
export function runScript(
  s: ServiceSpec,
  paths: ServicePaths,
  waits: readonly string[],
  launch: readonly string[],
): string {
  return [
    "#!/bin/sh",
    `# Rendered by nimi: service ${s.name}`,
    "exec 2>&1",
    ...waits,
    ...recordStartLines(paths),
    ...launch,
    "",
  ].join("\n");
}

/**
 * The `finish` script around the restart policy's lines.
 *
 * @param about A comment line on the supervisor's arguments and exit codes.
 * @param lines The body (from `finishLines`).
 * @returns The script's text.
 */
export function finishScript(about: string, lines: readonly string[]): string {
  return ["#!/bin/sh", `# ${about}`, ...lines, ""].join("\n");
}

/**
 * The logger's `run` script: creates `<dir>/log` and execs the logger program on it.
 *
 * @param dir The service's state directory.
 * @param logger The logger's argv before its directory (`svlogd -tt`).
 * @returns The script's text.
 */
export function loggerRunScript(dir: string, logger: readonly string[]): string {
  const logDir = shQuote(`${dir}/log`);
  return `#!/bin/sh\nmkdir -p ${logDir} || exit 1\nexec ${shJoin(logger)} ${logDir}\n`;
}
