/**
 * cygrunsrv (Cygwin's Windows service starter, as nix-processmgmt deploys it): an `install.sh`
 * that registers each service with `cygrunsrv --install` (program, arguments, environment,
 * dependencies, stop signal, output files) in dependency order, and an `uninstall.sh` that
 * stops and removes them in reverse.
 *
 * @module
 */
import type { NimiConfig, ServiceSpec } from "../config/types.ts";
import { launchArgv, planLaunch } from "./launch.ts";
import { servicePaths } from "./layout.ts";
import { layerOf } from "./order.ts";
import { dependencyWaits } from "./readiness_wait.ts";
import { shJoin } from "./sh_quote.ts";
import type { RenderOptions, RenderResult, Target } from "./types.ts";
import { WarningList } from "./warnings.ts";

/**
 * The `cygrunsrv --install` arguments of one service.
 *
 * @param s The service.
 * @param config The config (for dependency waits).
 * @param options Render options.
 * @param warn Where warnings go.
 * @returns Argv after `cygrunsrv`.
 */
export function cygrunsrvArgs(
  s: ServiceSpec,
  config: NimiConfig,
  options: RenderOptions,
  warn: WarningList,
): string[] {
  const paths = servicePaths(options.stateDir, options.prefix, s.name);
  const launch = planLaunch(s, paths, {
    nativeEnv: true,
    nativeWorkdir: true,
    nativeCredentials: false,
  });
  // Windows starts what a service depends on first, but does not wait for readiness.
  launch.steps.unshift(...dependencyWaits(s, config.services, warn, "start order", options.nimi));
  const [program, ...args] = launchArgv(s, launch) as [string, ...string[]];
  const out = [
    "--install",
    paths.instance,
    "--path",
    program,
    "--disp",
    `${paths.instance} (nimi service)`,
  ];
  // cygrunsrv splits --args as a shell would: each word quoted.
  if (args.length > 0) out.push("--args", shJoin(args));
  for (const [k, v] of Object.entries(launch.env)) out.push("--env", `${k}=${v}`);
  if (s.workingDirectory !== null) out.push("--chdir", s.workingDirectory);
  for (const d of s.dependsOn) out.push("--dep", `${options.prefix}${d.name}`);
  if (s.stopSignal !== "SIGTERM") out.push("--termsig", s.stopSignal.slice(3));
  out.push("--stdout", paths.logFile, "--stderr", paths.logFile, "--shutdown");
  if (s.user !== null) {
    warn.add(
      s.name,
      "user",
      "add --user and --passwd to its cygrunsrv line (Windows needs the account's password)",
    );
  }
  if (s.restart.mode !== "never") {
    warn.add(
      s.name,
      `restart mode ${s.restart.mode}`,
      `cygrunsrv does not restart; set Windows recovery: sc failure ${paths.instance} ...`,
    );
  }
  if (s.type === "oneshot") {
    warn.add(s.name, "type oneshot", "a Windows service that exits counts as stopped");
  }
  if (s.readiness !== null) {
    warn.add(
      s.name,
      `readiness probe (${s.readiness.type})`,
      "Windows has no readiness; dependents poll exec, tcp and http probes themselves",
    );
  }
  if (s.liveness !== null) {
    warn.add(s.name, `liveness probe (${s.liveness.type})`, "cygrunsrv has no liveness probe");
  }
  if (s.reloadSignal !== null) warn.add(s.name, "reloadSignal", "send it with kill -s");
  return out;
}

/**
 * Renders cygrunsrv install and uninstall scripts.
 *
 * @param config The normalised config.
 * @param options Render options.
 * @returns `install.sh`, `uninstall.sh`, and warnings.
 */
export function renderCygrunsrv(config: NimiConfig, options: RenderOptions): RenderResult {
  const warn = new WarningList("cygrunsrv");
  const layer = layerOf(config.services);
  const ordered = [...config.services].sort((a, b) =>
    (layer.get(a.name) ?? 0) - (layer.get(b.name) ?? 0)
  );
  const install = [
    "#!/bin/sh",
    "# Rendered by nimi: registers the services with cygrunsrv (run as an administrator).",
    "set -e",
    // The output files' directory must exist before cygrunsrv opens them.
    ...ordered.flatMap((s) => [
      `mkdir -p ${shJoin([servicePaths(options.stateDir, options.prefix, s.name).dir])}`,
      `cygrunsrv ${shJoin(cygrunsrvArgs(s, config, options, warn))}`,
    ]),
    "",
  ].join("\n");
  const uninstall = [
    "#!/bin/sh",
    "# Rendered by nimi: stops and removes the services install.sh registered.",
    ...[...ordered].reverse().flatMap((s) => {
      const name = shJoin([`${options.prefix}${s.name}`]);
      return [`cygrunsrv --stop ${name} || true`, `cygrunsrv --remove ${name}`];
    }),
    "",
  ].join("\n");
  return {
    files: [
      { path: "install.sh", content: install, mode: 0o755 },
      { path: "uninstall.sh", content: uninstall, mode: 0o755 },
    ],
    warnings: warn.items,
    directories: [options.stateDir],
  };
}

/** The `cygrunsrv` target. */
export const cygrunsrvTarget: Target = {
  name: "cygrunsrv",
  summary: "cygrunsrv install/uninstall scripts (Cygwin Windows services)",
  container: false,
  render: renderCygrunsrv,
};
