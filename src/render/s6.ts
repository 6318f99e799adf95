/**
 * s6: one service directory per service for `s6-svscan`: `run`, a `finish` script carrying the
 * restart policy, `down-signal`, `timeout-kill`, and readiness through `s6-notifyoncheck`.
 *
 * @module
 */
import type { NimiConfig, ServiceSpec } from "../config/types.ts";
import { finishLines } from "./finish_script.ts";
import { launchLines, planScriptLaunch } from "./launch.ts";
import { servicePaths } from "./layout.ts";
import { PROBE_START_ALLOWANCE } from "./probe_command.ts";
import {
  checkScript,
  finishScript,
  loggerRunScript,
  runScript,
  waitsForCheck,
} from "./service_dir.ts";
import { shJoin } from "./sh_quote.ts";
import type { RenderedFile, RenderOptions, RenderResult, Target } from "./types.ts";
import { WarningList } from "./warnings.ts";

/**
 * The user switch for a service's run script (`s6-setuidgid`, `s6-applyuidgid`).
 *
 * @param s The service.
 * @param options Render options.
 * @param warn Where warnings go.
 * @returns Argv prefix, empty when the service keeps the supervisor's identity.
 */
export function s6RunAs(s: ServiceSpec, options: RenderOptions, warn: WarningList): string[] {
  if (s.user === null && s.group === null) return [];
  if (options.user) {
    warn.add(s.name, "user/group", "not switched with --user (needs s6-svscan running as root)");
    return [];
  }
  if (typeof s.user === "number" && typeof s.group === "number") {
    return ["s6-applyuidgid", "-u", String(s.user), "-g", String(s.group)];
  }
  if (s.user === null) {
    warn.add(s.name, "group without user", "s6 switches user and group together; not switched");
    return [];
  }
  if (s.group !== null) {
    warn.add(s.name, "group", "s6-setuidgid uses the user's primary group");
  }
  return ["s6-setuidgid", String(s.user)];
}

/**
 * The `log/run` of a service's logger: s6-log writes its lines, with ISO 8601 time stamps, to
 * `<dir>/log` (`current`, rotated at 1 MB, 10 kept).
 *
 * @param path The run script's path in the output.
 * @param dir The service's state directory.
 * @returns The file.
 */
export function s6LogRun(path: string, dir: string): RenderedFile {
  return {
    path,
    content: loggerRunScript(dir, ["s6-log", "-b", "n10", "s1000000", "T"]),
    mode: 0o755,
  };
}

/** Where a longrun's directory goes and who orders it. */
export interface S6Layout {
  /** Directory of the service inside the output (`web`, `s6-rc.d/web`). */
  base: string;
  /** s6-rc orders starts itself (dependencies.d); plain s6 waits in the run script. */
  rc: boolean;
}

/**
 * The files of one long-running service directory: `run`, `finish`, readiness through
 * `s6-notifyoncheck`, stop signal and timeout; with plain s6 also its dependency waits and its
 * `log/` logger.
 *
 * @param s The service.
 * @param config The config.
 * @param options Render options.
 * @param warn Where warnings go.
 * @param layout Where the directory goes and who orders starts.
 * @returns The files.
 */
export function s6ServiceDir(
  s: ServiceSpec,
  config: NimiConfig,
  options: RenderOptions,
  warn: WarningList,
  layout: S6Layout = {
    base: servicePaths(options.stateDir, options.prefix, s.name).instance,
    rc: false,
  },
): RenderedFile[] {
  const paths = servicePaths(options.stateDir, options.prefix, s.name);
  const base = layout.base;
  const byName = new Map(config.services.map((x) => [x.name, x]));
  const files: RenderedFile[] = [];
  const switchTo = s6RunAs(s, options, warn);
  const launch = planScriptLaunch(s, paths, switchTo);
  const waits: string[] = [];
  for (const d of layout.rc ? [] : s.dependsOn) {
    const dep = byName.get(d.name);
    const depDir = `../${options.prefix}${d.name}`;
    if (dep?.type === "oneshot") {
      // A finished oneshot stays down: waiting for it to be up could block for ever.
      warn.add(
        s.name,
        `dependsOn "${d.name}": ${d.condition}`,
        "s6-svscan cannot wait for a oneshot; both start at once",
      );
      continue;
    }
    const ready = waitsForCheck(s, d, dep, options, warn, "s6", "waits for up");
    if (d.condition.startsWith("completed")) {
      warn.add(
        s.name,
        `dependsOn "${d.name}": ${d.condition}`,
        "s6-svscan waits for it to be up only",
      );
    }
    waits.push(`s6-svwait ${ready ? "-U" : "-u"} ${shJoin([depDir])} || exit 1`);
  }
  const lines = launchLines(s, launch);
  const r = s.readiness;
  const check = r === null ? null : checkScript(r, options);
  if (r !== null && check !== null) {
    files.push({ path: `${base}/notification-fd`, content: "3\n", mode: 0o644 });
    files.push({ path: `${base}/data/check`, content: check, mode: 0o755 });
    const notify = shJoin([
      "s6-notifyoncheck",
      "-d",
      "-s",
      String(r.initialDelay),
      "-w",
      String(r.period),
      "-t",
      String(r.type === "exec" ? r.timeout : r.timeout + PROBE_START_ALLOWANCE),
      "-n",
      "0",
    ]);
    lines[lines.length - 1] = lines[lines.length - 1]!.replace(/^exec /, `exec ${notify} `);
  } else if (r !== null) {
    warn.add(
      s.name,
      `readiness probe (${r.type})`,
      "s6 runs exec, tcp and http probes; ready once up",
    );
  }
  if (s.liveness !== null) {
    warn.add(s.name, `liveness probe (${s.liveness.type})`, "s6 has no liveness probe");
  }
  if (s.reloadSignal !== null) {
    warn.add(s.name, "reloadSignal", `send it with s6-svc -s ${s.reloadSignal} (s6 2.12+)`);
  }
  files.push({ path: `${base}/run`, content: runScript(s, paths, waits, lines), mode: 0o755 });
  const finish = finishLines(s, paths, { succeeded: `[ "$1" = 0 ]`, stopForGood: "exit 125" });
  files.push({
    path: `${base}/finish`,
    content: finishScript(
      "$1: exit code (256 when killed by a signal); exit 125: stay down",
      finish.lines,
    ),
    mode: 0o755,
  });
  files.push({
    path: `${base}/timeout-finish`,
    content: `${finish.maxDelay + 5000}\n`,
    mode: 0o644,
  });
  if (!layout.rc) files.push(s6LogRun(`${base}/log/run`, paths.dir));
  files.push({ path: `${base}/down-signal`, content: `${s.stopSignal}\n`, mode: 0o644 });
  files.push({ path: `${base}/timeout-kill`, content: `${s.stopTimeout}\n`, mode: 0o644 });
  return files;
}

/**
 * Renders s6 service directories; the output directory is the scan directory.
 *
 * @param config The normalised config.
 * @param options Render options.
 * @returns One directory per service, and warnings.
 */
export function renderS6(config: NimiConfig, options: RenderOptions): RenderResult {
  const warn = new WarningList("s6");
  const files = config.services.flatMap((s) => s6ServiceDir(s, config, options, warn));
  return { files, warnings: warn.items, directories: [] };
}

/** The `s6` target. */
export const s6Target: Target = {
  name: "s6",
  summary: "s6-svscan service directories",
  container: false,
  render: renderS6,
};
