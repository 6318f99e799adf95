/**
 * FreeBSD rc.d: one script per service using rc.subr and daemon(8) (restart with a delay,
 * pid file, output log, user), ordered by rcorder `REQUIRE`.
 *
 * @module
 */
import type { NimiConfig, ServiceSpec } from "../config/types.ts";
import { DEFAULT_STOP_TIMEOUT, seconds } from "./defaults.ts";
import { initScriptLaunch, ownerOf } from "./launch.ts";
import { assertUniqueNames, cleanName, servicePaths } from "./layout.ts";
import { initScriptWait, readinessWaitStep } from "./readiness_wait.ts";
import { shJoin, shQuote } from "./sh_quote.ts";
import type { RenderOptions, RenderResult, Target } from "./types.ts";
import { WarningList } from "./warnings.ts";

/**
 * The rc.conf variable stem of a service: rc.subr names must be shell identifiers.
 *
 * @param instance The prefixed service name.
 * @returns `a_web` for `a-web`.
 */
export function rcName(instance: string): string {
  const clean = cleanName(instance, /[A-Za-z0-9_]/, "_");
  return /^[0-9]/.test(clean) ? `_${clean}` : clean;
}

function script(
  s: ServiceSpec,
  config: NimiConfig,
  options: RenderOptions,
  warn: WarningList,
): string {
  const paths = servicePaths(options.stateDir, options.prefix, s.name);
  const name = rcName(paths.instance);
  const byName = new Map(config.services.map((x) => [x.name, x]));
  const switchUser = s.user !== null && !options.user;
  if ((s.user !== null || s.group !== null) && options.user) {
    warn.add(s.name, "user/group", "not switched with --user");
  } else if (s.group !== null) {
    warn.add(s.name, "group", "daemon -u uses the user's login group");
  }
  const owner = switchUser ? ownerOf(s) : undefined;
  const { pre, argv } = initScriptLaunch(s, paths, owner);
  for (const d of s.dependsOn) {
    const step = initScriptWait(
      s,
      d,
      byName.get(d.name)!,
      warn,
      "ordered by REQUIRE",
      options.nimi,
    );
    if (step !== null) pre.unshift(step);
  }
  const r = s.restart;
  const lines = [
    "#!/bin/sh",
    `# Rendered by nimi: service ${s.name}`,
    "#",
    `# PROVIDE: ${paths.instance}`,
    `# REQUIRE: ${["LOGIN", ...s.dependsOn.map((d) => `${options.prefix}${d.name}`)].join(" ")}`,
    "# KEYWORD: shutdown",
    "",
    ". /etc/rc.subr",
    "",
    `name=${name}`,
    `rcvar=${name}_enable`,
    `desc=${shQuote(`${s.name} (nimi service)`)}`,
    "",
    "load_rc_config $name",
    `: \${${name}_enable:="NO"}`,
    "",
  ];
  if (s.workingDirectory !== null) lines.push(`${name}_chdir=${shQuote(s.workingDirectory)}`);
  lines.push(`start_precmd="${name}_prestart"`);
  if (s.type === "oneshot") {
    lines.push(
      `start_cmd="${name}_start"`,
      `stop_cmd=":"`,
      "",
      `${name}_start() {`,
      ...(s.workingDirectory !== null ? [`  cd ${shQuote(s.workingDirectory)} || return 1`] : []),
      switchUser
        ? `  ${shJoin(["su", "-m", String(s.user), "-c", shJoin(argv)])} >>${
          shQuote(paths.logFile)
        } 2>&1`
        : `  ${shJoin(argv)} >>${shQuote(paths.logFile)} 2>&1`,
      "}",
    );
    if (r.mode !== "never" && r.mode !== "on-failure" && r.mode !== "up-to-count") {
      warn.add(s.name, `restart mode ${r.mode}`, "a oneshot rc script runs once");
    }
  } else {
    const daemonArgs = ["-f", "-P", paths.pidFile, "-o", paths.logFile];
    if (r.mode !== "never") daemonArgs.push("-r", "-R", String(Math.max(1, seconds(r.time))));
    if (switchUser) daemonArgs.push("-u", String(s.user));
    lines.push(
      `pidfile=${shQuote(paths.pidFile)}`,
      `procname="/usr/sbin/daemon"`,
      `command="/usr/sbin/daemon"`,
      `command_args=${shQuote(shJoin([...daemonArgs, "--", ...argv]))}`,
      `sig_stop=${s.stopSignal.slice(3)}`,
    );
    if (r.mode === "on-failure" || r.mode === "up-to-count") {
      warn.add(
        s.name,
        `restart mode ${r.mode}`,
        "daemon -r restarts after any exit, without a limit",
      );
    }
    if (r.backoff !== 1) warn.add(s.name, "restart backoff", "daemon -R waits a fixed delay");
    if (s.stopSignal !== "SIGTERM") {
      warn.add(
        s.name,
        `stopSignal ${s.stopSignal}`,
        "daemon(8) passes only SIGTERM on to the service",
      );
    }
    if (s.reloadSignal !== null) {
      warn.add(s.name, "reloadSignal", "daemon(8) does not pass it on to the service");
    }
  }
  if (s.stopTimeout !== DEFAULT_STOP_TIMEOUT) {
    warn.add(s.name, "stopTimeout", "rc.subr waits for the process without a time limit");
  }
  if (s.readiness !== null) {
    const ready = readinessWaitStep(s, options.nimi);
    if (ready !== null && s.type !== "oneshot") {
      lines.push(`start_postcmd="${name}_poststart"`, `${name}_poststart() {`, `  ${ready}`, "}");
    } else {
      warn.add(
        s.name,
        `readiness probe (${s.readiness.type})`,
        "rc scripts run exec, tcp and http probes only",
      );
    }
  }
  if (s.liveness !== null) {
    warn.add(s.name, `liveness probe (${s.liveness.type})`, "rc.d has no liveness probe");
  }
  lines.push(
    "",
    `${name}_prestart() {`,
    ...pre.map((l) => `  ${l}`),
    "}",
    "",
    `run_rc_command "$1"`,
    "",
  );
  return lines.join("\n");
}

/**
 * Renders FreeBSD rc.d scripts under `rc.d/`.
 *
 * @param config The normalised config.
 * @param options Render options.
 * @returns One script per service, and warnings.
 */
export function renderBsdrc(config: NimiConfig, options: RenderOptions): RenderResult {
  const warn = new WarningList("bsdrc");
  assertUniqueNames(
    new Map(config.services.map((s) => [s.name, rcName(`${options.prefix}${s.name}`)])),
    "bsdrc",
  );
  const files = config.services.map((s) => ({
    path: `rc.d/${rcName(`${options.prefix}${s.name}`)}`,
    content: script(s, config, options, warn),
    mode: 0o755,
  }));
  return { files, warnings: warn.items, directories: [] };
}

/** The `bsdrc` target. */
export const bsdrcTarget: Target = {
  name: "bsdrc",
  summary: "FreeBSD rc.d scripts (daemon(8) for restarts)",
  container: false,
  render: renderBsdrc,
};
