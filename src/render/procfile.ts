/**
 * Procfile (foreman, honcho, overmind): one line per service, a shell command line.
 *
 * @module
 */
import type { NimiConfig } from "../config/types.ts";
import { DEFAULT_STOP_TIMEOUT } from "./defaults.ts";
import { launchArgv, planLaunch } from "./launch.ts";
import { assertUniqueNames, cleanName, servicePaths } from "./layout.ts";
import { dependencyWaits, readinessWaitStep } from "./readiness_wait.ts";
import { warnNoRestart } from "./no_restart.ts";
import { RenderError } from "./render_error.ts";
import { shJoin } from "./sh_quote.ts";
import type { RenderOptions, RenderResult, Target } from "./types.ts";
import { WarningList } from "./warnings.ts";

/**
 * Renders a Procfile.
 *
 * @param config The normalised config.
 * @param options Render options.
 * @returns `Procfile` and warnings (Procfile runners neither restart nor order processes).
 * @throws {RenderError} When an argument contains a line break.
 */
export function renderProcfile(config: NimiConfig, options: RenderOptions): RenderResult {
  const warn = new WarningList("procfile");
  const lines = ["# Rendered by nimi: foreman start -f Procfile"];
  const byName = new Map(config.services.map((x) => [x.name, x]));
  assertUniqueNames(
    new Map(config.services.map((x) => [
      x.name,
      cleanName(`${options.prefix}${x.name}`, /[A-Za-z0-9_-]/, "_"),
    ])),
    "procfile",
  );
  for (const s of config.services) {
    const paths = servicePaths(options.stateDir, options.prefix, s.name);
    const name = cleanName(paths.instance, /[A-Za-z0-9_-]/, "_");
    if (name !== paths.instance) {
      warn.add(
        s.name,
        "name",
        `Procfile names allow letters, digits, "_" and "-": named "${name}"`,
      );
    }
    const launch = planLaunch(s, paths, {
      nativeEnv: false,
      nativeWorkdir: false,
      nativeCredentials: false,
    });
    launch.steps.unshift(
      ...dependencyWaits(s, config.services, warn, "nothing", options.nimi),
    );
    for (const d of s.dependsOn) {
      const waited = d.condition === "ready" && readinessWaitStep(byName.get(d.name)!) !== null;
      if (d.condition === "started" || (d.condition === "ready" && !waited)) {
        warn.add(
          s.name,
          `dependsOn "${d.name}": ${d.condition}`,
          "Procfile processes all start at once",
        );
      }
    }
    const argv = launchArgv(s, launch);
    // foreman replaces "$NAME" for each variable it knows, even inside quotes: keep every "$"
    // out of its sight by writing it as a separate double-quoted word piece.
    const line = shJoin(argv).replaceAll("$", `'"$"'`);
    if (/[\r\n]/.test(line)) {
      throw new RenderError(
        `Cannot render service "${s.name}" as a Procfile line: an argument contains a line break`,
      );
    }
    lines.push(`${name}: exec ${line}`);
    if (s.type === "oneshot") {
      warn.add(s.name, "type oneshot", "foreman stops every process when one exits");
    }
    if (s.user !== null || s.group !== null) {
      warn.add(s.name, "user/group", "Procfile runners run everything as the caller");
    }
    if (s.readiness !== null) {
      warn.add(s.name, `readiness probe (${s.readiness.type})`, "Procfile has no readiness");
    }
    if (s.liveness !== null) {
      warn.add(s.name, `liveness probe (${s.liveness.type})`, "Procfile has no liveness probe");
    }
    if (s.stopSignal !== "SIGTERM") {
      warn.add(s.name, `stopSignal ${s.stopSignal}`, "foreman always sends SIGTERM");
    }
    if (s.stopTimeout !== DEFAULT_STOP_TIMEOUT) {
      warn.add(s.name, "stopTimeout", "foreman has one timeout for all (foreman start -t)");
    }
    if (s.reloadSignal !== null) {
      warn.add(s.name, "reloadSignal", "Procfile runners do not forward reload signals");
    }
  }
  warnNoRestart(config.services, warn, "Procfile runners never restart");
  return {
    files: [{ path: "Procfile", content: lines.join("\n") + "\n", mode: 0o644 }],
    warnings: warn.items,
    directories: [],
  };
}

/** The `procfile` target. */
export const procfileTarget: Target = {
  name: "procfile",
  summary: "a Procfile for foreman and its kin",
  container: false,
  render: renderProcfile,
};
