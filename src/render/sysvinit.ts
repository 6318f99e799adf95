/**
 * sysvinit: one LSB init script per service (`/etc/init.d`), with start, stop, status, restart
 * (and reload when a reload signal is set). The service leads its own process group (setsid),
 * so stop reaches its children; its pid file and output log live under the state directory.
 *
 * @module
 */
import type { NimiConfig, ServiceSpec } from "../config/types.ts";
import { launchLines, ownerOf, planLaunch } from "./launch.ts";
import { servicePaths } from "./layout.ts";
import { warnNoRestart } from "./no_restart.ts";
import { readinessWaitStep } from "./readiness_wait.ts";
import { shQuote } from "./sh_quote.ts";
import type { RenderOptions, RenderResult, Target } from "./types.ts";
import { WarningList } from "./warnings.ts";

function runAs(s: ServiceSpec, options: RenderOptions, warn: WarningList): string[] {
  if (s.user === null && s.group === null) return [];
  if (options.user) {
    warn.add(s.name, "user/group", "not switched with --user (init scripts run as the caller)");
    return [];
  }
  if (s.user === null) {
    return ["setpriv", `--regid=${s.group}`, "--clear-groups"];
  }
  if (s.group === null) {
    if (typeof s.user === "number") {
      warn.add(s.name, "user id without group", "runuser needs a name; group set to the same id");
      return ["setpriv", `--reuid=${s.user}`, `--regid=${s.user}`, "--clear-groups"];
    }
    return ["runuser", "-u", s.user, "--"];
  }
  return ["setpriv", `--reuid=${s.user}`, `--regid=${s.group}`, "--init-groups"];
}

function script(
  s: ServiceSpec,
  config: NimiConfig,
  options: RenderOptions,
  warn: WarningList,
): string {
  const paths = servicePaths(options.stateDir, options.prefix, s.name);
  const byName = new Map(config.services.map((x) => [x.name, x]));
  const switchTo = runAs(s, options, warn);
  const owner = switchTo.length > 0 ? ownerOf(s) : undefined;
  const launch = planLaunch(s, paths, {
    nativeEnv: false,
    nativeWorkdir: false,
    nativeCredentials: false,
    runAs: ["setsid", ...switchTo],
    ...(owner !== undefined ? { owner } : {}),
  });
  const body = launchLines(s, launch);
  const deps = s.dependsOn.map((d) => `${options.prefix}${d.name}`);
  const facilities = ["$remote_fs", "$syslog", ...deps].join(" ");
  for (const d of s.dependsOn) {
    const dep = byName.get(d.name);
    if (
      d.condition === "ready" && dep?.readiness !== null &&
      readinessWaitStep(dep!, options.nimi) === null
    ) {
      warn.add(s.name, `dependsOn "${d.name}": ready`, "its probe cannot run in an init script");
    }
    if (d.condition.startsWith("completed") && dep?.type !== "oneshot") {
      warn.add(s.name, `dependsOn "${d.name}": ${d.condition}`, "ordered after its start only");
    }
  }
  const ready = readinessWaitStep(s, options.nimi);
  if (s.readiness !== null && ready === null) {
    warn.add(
      s.name,
      `readiness probe (${s.readiness.type})`,
      "init scripts run exec, tcp and http probes only",
    );
  }
  if (s.liveness !== null) {
    warn.add(s.name, `liveness probe (${s.liveness.type})`, "init scripts have no liveness probe");
  }
  const tenths = Math.max(1, Math.ceil(s.stopTimeout / 100));
  const oneshot = s.type === "oneshot";
  const start = oneshot
    ? [
      `    start_service`,
      `    wait "$(cat "$PIDFILE")"; code=$?`,
      `    rm -f "$PIDFILE"`,
      `    if [ "$code" = 0 ]; then touch "$DONEFILE"; echo "$NAME completed"; else echo "$NAME failed with exit code $code" >&2; fi`,
      `    exit "$code"`,
    ]
    : [
      `    start_service`,
      ...(ready === null ? [] : [`    ${ready}`]),
      `    echo "Started $NAME (pid $(cat "$PIDFILE"))"`,
    ];
  return [
    "#!/bin/sh",
    "### BEGIN INIT INFO",
    `# Provides:          ${paths.instance}`,
    `# Required-Start:    ${facilities}`,
    `# Required-Stop:     ${facilities}`,
    "# Default-Start:     2 3 4 5",
    "# Default-Stop:      0 1 6",
    `# Short-Description: ${s.name} (nimi service)`,
    "### END INIT INFO",
    "# Rendered by nimi",
    "",
    `NAME=${shQuote(paths.instance)}`,
    `STATE=${shQuote(paths.dir)}`,
    `PIDFILE=${shQuote(paths.pidFile)}`,
    `DONEFILE=${shQuote(`${paths.dir}/completed`)}`,
    `LOGFILE=${shQuote(paths.logFile)}`,
    "",
    "running() {",
    `  [ -f "$PIDFILE" ] || return 1`,
    `  pid=$(cat "$PIDFILE" 2>/dev/null) || return 1`,
    `  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null`,
    "}",
    "",
    "start_service() {",
    "  (",
    ...body.map((l) => `    ${l}`),
    `  ) </dev/null >>"$LOGFILE" 2>&1 &`,
    `  echo $! > "$PIDFILE"`,
    "}",
    "",
    "stop_service() {",
    `  pid=$(cat "$PIDFILE")`,
    `  kill -s ${s.stopSignal.slice(3)} -- "-$pid" 2>/dev/null || kill -s ${
      s.stopSignal.slice(3)
    } "$pid" 2>/dev/null`,
    "  i=0",
    `  while running && [ "$i" -lt ${tenths} ]; do sleep 0.1; i=$((i + 1)); done`,
    `  if running; then kill -s KILL -- "-$pid" 2>/dev/null || kill -s KILL "$pid" 2>/dev/null; fi`,
    `  while running; do sleep 0.1; done`,
    `  rm -f "$PIDFILE"`,
    "}",
    "",
    `case "$1" in`,
    "  start)",
    `    if running; then echo "$NAME is already running"; exit 0; fi`,
    `    mkdir -p "$STATE" || exit 1`,
    `    rm -f "$DONEFILE"`,
    ...start,
    "    ;;",
    "  stop)",
    `    if ! running; then echo "$NAME is not running"; rm -f "$PIDFILE"; exit 0; fi`,
    "    stop_service",
    `    echo "Stopped $NAME"`,
    "    ;;",
    "  status)",
    `    if running; then echo "$NAME is running (pid $(cat "$PIDFILE"))"; exit 0; fi`,
    ...(oneshot ? [`    if [ -f "$DONEFILE" ]; then echo "$NAME has completed"; exit 0; fi`] : []),
    `    if [ -f "$PIDFILE" ]; then echo "$NAME is dead but its pid file exists"; exit 1; fi`,
    `    echo "$NAME is not running"; exit 3`,
    "    ;;",
    "  restart|force-reload)",
    `    "$0" stop && exec "$0" start`,
    "    ;;",
    ...(s.reloadSignal === null ? [] : [
      "  reload)",
      `    running || { echo "$NAME is not running" >&2; exit 7; }`,
      `    kill -s ${s.reloadSignal.slice(3)} "$(cat "$PIDFILE")"`,
      "    ;;",
    ]),
    "  *)",
    `    echo "Usage: $0 {start|stop|status|restart${
      s.reloadSignal === null ? "" : "|reload"
    }|force-reload}" >&2`,
    "    exit 2",
    "    ;;",
    "esac",
    "",
  ].join("\n");
}

/**
 * Renders LSB init scripts under `init.d/`.
 *
 * @param config The normalised config.
 * @param options Render options.
 * @returns One script per service, and warnings.
 */
export function renderSysvinit(config: NimiConfig, options: RenderOptions): RenderResult {
  const warn = new WarningList("sysvinit");
  const files = config.services.map((s) => ({
    path: `init.d/${options.prefix}${s.name}`,
    content: script(s, config, options, warn),
    mode: 0o755,
  }));
  warnNoRestart(config.services, warn, "init scripts do not restart services");
  return { files, warnings: warn.items, directories: [] };
}

/** The `sysvinit` target. */
export const sysvinitTarget: Target = {
  name: "sysvinit",
  summary: "LSB init scripts",
  container: false,
  render: renderSysvinit,
};
