/**
 * OpenRC: one `openrc-run` script per service. Services that restart run under
 * `supervise-daemon` (respawn delay and limit); others under start-stop-daemon. Dependencies
 * become `need`/`use` and `after` in `depend()`.
 *
 * @module
 */
import type { NimiConfig, ServiceSpec } from "../config/types.ts";
import { seconds } from "./defaults.ts";
import { initScriptLaunch, ownerOf } from "./launch.ts";
import { servicePaths } from "./layout.ts";
import { initScriptWait, readinessWaitStep } from "./readiness_wait.ts";
import { controlSafeArgv, shJoin, shQuote } from "./sh_quote.ts";
import type { RenderOptions, RenderResult, Target } from "./types.ts";
import { WarningList } from "./warnings.ts";

function script(
  s: ServiceSpec,
  config: NimiConfig,
  options: RenderOptions,
  warn: WarningList,
): string {
  const paths = servicePaths(options.stateDir, options.prefix, s.name);
  const byName = new Map(config.services.map((x) => [x.name, x]));
  const switchUser = (s.user !== null || s.group !== null) && !options.user;
  if ((s.user !== null || s.group !== null) && options.user) {
    warn.add(s.name, "user/group", "not switched with --user (user services run as the caller)");
  }
  const owner = switchUser ? ownerOf(s) : undefined;
  const { pre, argv } = initScriptLaunch(s, paths, owner);
  const waits: string[] = [];
  const need: string[] = [];
  const after: string[] = [];
  for (const d of s.dependsOn) {
    const name = `${options.prefix}${d.name}`;
    after.push(name);
    if (d.condition === "completed") continue;
    need.push(name);
    const step = initScriptWait(
      s,
      d,
      byName.get(d.name)!,
      warn,
      "waits for its start",
      options.nimi,
    );
    if (step !== null) waits.push(step);
  }
  pre.unshift(...waits);
  const r = s.restart;
  const supervised = s.type !== "oneshot" && r.mode !== "never";
  if (supervised && r.mode === "on-failure") {
    warn.add(s.name, "restart mode on-failure", "supervise-daemon restarts after any exit");
  }
  if (r.backoff !== 1) {
    warn.add(s.name, "restart backoff", "supervise-daemon waits respawn_delay between runs");
  }
  const lines = [
    "#!/sbin/openrc-run",
    `# Rendered by nimi: service ${s.name}`,
    "",
    `name=${shQuote(paths.instance)}`,
    `description=${shQuote(`${s.name} (nimi service)`)}`,
    `pidfile=${shQuote(paths.pidFile)}`,
    // supervise-daemon writes these itself; Debian's start-stop-daemon (dpkg's) has no
    // --stdout, so unsupervised services redirect in their command instead.
    ...(supervised || s.type === "oneshot"
      ? [`output_log=${shQuote(paths.logFile)}`, `error_log=${shQuote(paths.logFile)}`]
      : []),
  ];
  if (s.workingDirectory !== null) lines.push(`directory=${shQuote(s.workingDirectory)}`);
  if (switchUser) {
    lines.push(
      `command_user=${shQuote(`${s.user ?? "root"}${s.group !== null ? `:${s.group}` : ""}`)}`,
    );
  }
  if (s.type === "oneshot") {
    lines.push(
      "",
      "start() {",
      `  ebegin "Running $name"`,
      ...(s.workingDirectory !== null ? [`  cd ${shQuote(s.workingDirectory)} || return 1`] : []),
      switchUser
        ? `  ${
          shJoin(["su", "-s", "/bin/sh", "-c", `exec ${shJoin(argv)}`, String(s.user ?? "root")])
        } >>"$output_log" 2>&1`
        : `  ${shJoin(argv)} >>"$output_log" 2>&1`,
      "  eend $?",
      "}",
    );
  } else {
    // openrc-run splits command_args on white space, line breaks included: such words go
    // through sh and printf.
    const plain = supervised ? argv : [
      "/bin/sh",
      "-c",
      `exec "$0" "$@" >>${shQuote(paths.logFile)} 2>&1`,
      ...argv,
    ];
    // deno-lint-ignore no-control-regex
    const safe = controlSafeArgv(plain, /[\x00-\x1f\x7f]/);
    lines.push(
      `command=${shQuote(safe[0]!)}`,
      `command_args=${shQuote(shJoin(safe.slice(1)))}`,
      `retry=${shQuote(`${s.stopSignal.slice(3)}/${seconds(s.stopTimeout)}/KILL/5`)}`,
    );
    if (supervised) {
      lines.push("supervisor=supervise-daemon", `respawn_delay=${seconds(r.time)}`);
      lines.push(`respawn_max=${r.mode === "up-to-count" ? r.count : 0}`);
      if (r.mode === "up-to-count") {
        lines.push(`respawn_period=${Math.max(1, seconds(r.resetAfter))}`);
      }
    } else lines.push("command_background=true");
  }
  lines.push("", "depend() {");
  if (need.length > 0) lines.push(`  need ${need.join(" ")}`);
  if (after.length > 0) lines.push(`  after ${after.join(" ")}`);
  lines.push("  :", "}", "", "start_pre() {", ...pre.map((l) => `  ${l}`), "}");
  const ready = readinessWaitStep(s, options.nimi);
  if (s.readiness !== null && ready === null) {
    warn.add(
      s.name,
      `readiness probe (${s.readiness.type})`,
      "OpenRC scripts run exec, tcp and http probes only",
    );
  }
  if (ready !== null && s.type !== "oneshot") {
    lines.push("", "start_post() {", `  ${ready}`, "}");
  }
  if (!supervised && s.type !== "oneshot") {
    // By pid file alone: the program the command execs is not the command's name, which
    // openrc-run's own stop would match.
    lines.push(
      "",
      "stop() {",
      `  ebegin "Stopping $name"`,
      `  start-stop-daemon --stop --pidfile "$pidfile" --retry "$retry"`,
      "  eend $?",
      "}",
    );
  }
  if (s.liveness !== null) {
    warn.add(s.name, `liveness probe (${s.liveness.type})`, "OpenRC has no liveness probe");
  }
  if (s.reloadSignal !== null && s.type !== "oneshot") {
    lines.push(
      "",
      `extra_started_commands="reload"`,
      "reload() {",
      `  ebegin "Reloading $name"`,
      `  ${
        supervised
          ? `supervise-daemon "$RC_SVCNAME" --signal ${s.reloadSignal.slice(3)}`
          : `start-stop-daemon --signal ${s.reloadSignal.slice(3)} --pidfile "$pidfile"`
      }`,
      "  eend $?",
      "}",
    );
  }
  return lines.join("\n") + "\n";
}

/**
 * Renders OpenRC scripts under `init.d/`.
 *
 * @param config The normalised config.
 * @param options Render options.
 * @returns One script per service, and warnings.
 */
export function renderOpenrc(config: NimiConfig, options: RenderOptions): RenderResult {
  const warn = new WarningList("openrc");
  const files = config.services.map((s) => ({
    path: `init.d/${options.prefix}${s.name}`,
    content: script(s, config, options, warn),
    mode: 0o755,
  }));
  return { files, warnings: warn.items, directories: [] };
}

/** The `openrc` target. */
export const openrcTarget: Target = {
  name: "openrc",
  summary: "OpenRC scripts (supervise-daemon for restarts)",
  container: false,
  render: renderOpenrc,
};
