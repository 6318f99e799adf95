/**
 * runit: one service directory per service for `runsvdir`: `run`, a `finish` script carrying the
 * restart policy, a `check` script for readiness, and `control/d` for a custom stop signal.
 *
 * @module
 */
import type { NimiConfig, ServiceSpec } from "../config/types.ts";
import { DEFAULT_STOP_TIMEOUT, seconds } from "./defaults.ts";
import { finishLines } from "./finish_script.ts";
import { launchLines, planScriptLaunch } from "./launch.ts";
import { servicePaths } from "./layout.ts";
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

function runAs(s: ServiceSpec, options: RenderOptions, warn: WarningList): string[] {
  if (s.user === null && s.group === null) return [];
  if (options.user) {
    warn.add(s.name, "user/group", "not switched with --user (needs runsvdir running as root)");
    return [];
  }
  if (s.user === null) {
    warn.add(s.name, "group without user", "chpst switches user and group together; not switched");
    return [];
  }
  const numeric = typeof s.user === "number" || typeof s.group === "number";
  if (numeric) {
    if (typeof s.user !== "number" || (s.group !== null && typeof s.group !== "number")) {
      warn.add(s.name, "user/group", "chpst takes names or ids, not both mixed; group dropped");
      return ["chpst", "-u", String(s.user)];
    }
    return ["chpst", "-u", `:${s.user}:${s.group ?? s.user}`];
  }
  return ["chpst", "-u", s.group === null ? String(s.user) : `${s.user}:${s.group}`];
}

function serviceDir(
  s: ServiceSpec,
  config: NimiConfig,
  options: RenderOptions,
  warn: WarningList,
): RenderedFile[] {
  const paths = servicePaths(options.stateDir, options.prefix, s.name);
  const base = paths.instance;
  const byName = new Map(config.services.map((x) => [x.name, x]));
  const files: RenderedFile[] = [];
  const switchTo = runAs(s, options, warn);
  const launch = planScriptLaunch(s, paths, switchTo);
  const waits: string[] = [];
  for (const d of s.dependsOn) {
    const dep = byName.get(d.name);
    if (dep?.type === "oneshot") {
      // `sv start` would run a finished oneshot again.
      warn.add(
        s.name,
        `dependsOn "${d.name}": ${d.condition}`,
        "runit cannot wait for a oneshot; both start at once",
      );
      continue;
    }
    // `sv start` waits for the dependency's ./check script whenever it has one.
    waitsForCheck(s, d, dep, options, warn, "runit", "waits for its start");
    if (d.condition.startsWith("completed")) {
      warn.add(s.name, `dependsOn "${d.name}": ${d.condition}`, "runit waits for its start only");
    }
    waits.push(`sv -w 600 start ${shJoin([`../${options.prefix}${d.name}`])} >/dev/null || exit 1`);
  }
  const r = s.readiness;
  const check = r === null ? null : checkScript(r, options);
  if (check !== null) files.push({ path: `${base}/check`, content: check, mode: 0o755 });
  else if (r !== null) {
    warn.add(
      s.name,
      `readiness probe (${r.type})`,
      "runit runs exec, tcp and http probes (./check)",
    );
  }
  if (s.liveness !== null) {
    warn.add(s.name, `liveness probe (${s.liveness.type})`, "runit has no liveness probe");
  }
  if (s.reloadSignal !== null) {
    warn.add(s.name, "reloadSignal", "send it with sv (sv hup/1/2 name)");
  }
  if (s.stopTimeout !== DEFAULT_STOP_TIMEOUT) {
    warn.add(
      s.name,
      "stopTimeout",
      `runsv never sends SIGKILL itself; stop with sv -w ${seconds(s.stopTimeout)} force-stop`,
    );
  }
  files.push({
    path: `${base}/run`,
    content: runScript(s, paths, waits, launchLines(s, launch)),
    mode: 0o755,
  });
  const finish = finishLines(s, paths, {
    succeeded: `[ "$1" = 0 ]`,
    stopForGood: "printf d > supervise/control; exit 0",
  });
  files.push({
    path: `${base}/finish`,
    content: finishScript("$1: exit code (-1 when killed by a signal)", finish.lines),
    mode: 0o755,
  });
  files.push({
    path: `${base}/log/run`,
    content: loggerRunScript(paths.dir, ["svlogd", "-tt"]),
    mode: 0o755,
  });
  if (s.stopSignal !== "SIGTERM") {
    const kill = [
      "#!/bin/sh",
      `# Stop with ${s.stopSignal} instead of SIGTERM (exit 0: runsv sends nothing itself)`,
      `kill -s ${s.stopSignal.slice(3)} "$(cat supervise/pid)"`,
      "",
    ].join("\n");
    files.push({ path: `${base}/control/d`, content: kill, mode: 0o755 });
    files.push({ path: `${base}/control/t`, content: kill, mode: 0o755 });
  }
  return files;
}

/**
 * Renders runit service directories; the output directory is the one `runsvdir` watches.
 *
 * @param config The normalised config.
 * @param options Render options.
 * @returns One directory per service, and warnings.
 */
export function renderRunit(config: NimiConfig, options: RenderOptions): RenderResult {
  const warn = new WarningList("runit");
  const files = config.services.flatMap((s) => serviceDir(s, config, options, warn));
  return { files, warnings: warn.items, directories: [] };
}

/** The `runit` target. */
export const runitTarget: Target = {
  name: "runit",
  summary: "runsvdir service directories",
  container: false,
  render: renderRunit,
};
