/**
 * supervisord: one self-contained `supervisord.conf` (socket, pid file and logs under the state
 * directory), a `[program:x]` per service, dependencies as start priorities.
 *
 * @module
 */
import type { NimiConfig, ServiceSpec } from "../config/types.ts";
import { DEFAULT_RESTART, seconds } from "./defaults.ts";
import { launchArgv, planLaunch } from "./launch.ts";
import { servicePaths } from "./layout.ts";
import { layerOf } from "./order.ts";
import { dependencyWaits } from "./readiness_wait.ts";
import { shQuote } from "./sh_quote.ts";
import { RenderError } from "./render_error.ts";
import type { RenderOptions, RenderResult, Target } from "./types.ts";
import { WarningList } from "./warnings.ts";

/**
 * Quotes a word for a supervisord value: shell-style quoting (supervisord splits with shlex),
 * `%` doubled (its `%(name)s` expansion) and no whitespace directly before `;` or `#` (which
 * would start an inline comment).
 *
 * @param word Any string without a newline.
 * @returns The quoted word.
 */
export function supervisordQuote(word: string): string {
  return shQuote(word).replaceAll("%", "%%").replace(/(\s)([;#])/g, "$1''$2");
}

/**
 * Whether supervisord's `environment=` can hold every variable of a service: it splits values
 * with a non-POSIX shlex (no escapes, no quote concatenation) after inline comments are cut.
 *
 * @param s The service.
 * @param dirs Paths that become variables too.
 * @returns false when the variables must travel through `/usr/bin/env` in the command.
 */
export function envSafe(s: ServiceSpec, ...dirs: string[]): boolean {
  return [...Object.values(s.environment), ...dirs].every((v) => !/['"\r\n]|\s[;#]/.test(v));
}

function value(text: string, what: string, service: string): string {
  if (/[\r\n]/.test(text)) {
    throw new RenderError(
      `Cannot render service "${service}" for supervisord: ${what} contains a line break`,
    );
  }
  return text;
}

function program(
  s: ServiceSpec,
  config: NimiConfig,
  options: RenderOptions,
  priority: number,
  warn: WarningList,
): string[] {
  const paths = servicePaths(options.stateDir, options.prefix, s.name);
  const launch = planLaunch(s, paths, {
    nativeEnv: envSafe(s, paths.configDir, paths.credentialsDir),
    nativeWorkdir: true,
    nativeCredentials: false,
  });
  launch.steps.unshift(...dependencyWaits(s, config.services, warn, "priority", options.nimi));
  const argv = launchArgv(s, launch).map((w) => value(w, "argv", s.name));
  const lines = [
    `[program:${paths.instance}]`,
    `command=${argv.map(supervisordQuote).join(" ")}`,
    `priority=${priority}`,
    "autostart=true",
  ];
  const r = s.restart;
  if (s.type === "oneshot") {
    lines.push("startsecs=0");
    lines.push(`autorestart=${r.mode === "never" ? "false" : "unexpected"}`, "exitcodes=0");
  } else {
    const auto = {
      never: "false",
      always: "true",
      "on-failure": "unexpected",
      "up-to-count": "unexpected",
    }[r.mode];
    lines.push(`autorestart=${auto}`, "exitcodes=0");
  }
  if (r.mode === "up-to-count") {
    lines.push(`startretries=${r.count}`);
    warn.add(
      s.name,
      "restart mode up-to-count",
      "supervisord counts only failed starts (startretries), not restarts of a running service",
    );
  }
  if (r.time !== DEFAULT_RESTART.time || r.backoff !== 1) {
    warn.add(
      s.name,
      "restart delay",
      "supervisord restarts at once (its own 1 s steps for failed starts)",
    );
  }
  lines.push(
    `stopsignal=${s.stopSignal.slice(3)}`,
    `stopwaitsecs=${Math.max(1, seconds(s.stopTimeout))}`,
    "stopasgroup=true",
    "killasgroup=true",
  );
  const env = Object.entries(launch.env);
  if (env.length > 0) {
    lines.push(
      `environment=${
        env.map(([k, v]) => `${k}='${value(v, `environment ${k}`, s.name).replaceAll("%", "%%")}'`)
          .join(",")
      }`,
    );
  }
  if (s.workingDirectory !== null) {
    lines.push(
      `directory=${value(s.workingDirectory, "workingDirectory", s.name).replaceAll("%", "%%")}`,
    );
  }
  if (s.user !== null) {
    if (options.user) {
      warn.add(s.name, "user", "not switched with --user (needs supervisord running as root)");
    } else lines.push(`user=${s.user}`);
  }
  if (s.group !== null) {
    warn.add(s.name, "group", "supervisord uses the user's primary group");
  }
  if (s.readiness !== null) {
    warn.add(
      s.name,
      `readiness probe (${s.readiness.type})`,
      "supervisord has none; dependents poll exec probes before starting, others start at once",
    );
  }
  if (s.liveness !== null) {
    warn.add(s.name, `liveness probe (${s.liveness.type})`, "supervisord has no liveness probe");
  }
  if (s.reloadSignal !== null) {
    warn.add(
      s.name,
      "reloadSignal",
      `send it with "supervisorctl signal ${s.reloadSignal.slice(3)} ${paths.instance}"`,
    );
  }
  lines.push(
    "redirect_stderr=true",
    `stdout_logfile=${`${options.stateDir}/logs/${paths.instance}.log`.replaceAll("%", "%%")}`,
    "",
  );
  return lines;
}

/**
 * Renders a supervisord configuration.
 *
 * @param config The normalised config.
 * @param options Render options.
 * @returns `supervisord.conf`, warnings and the directories it needs (state and logs).
 * @throws {RenderError} When a value contains a line break (supervisord's format has none).
 */
export function renderSupervisord(config: NimiConfig, options: RenderOptions): RenderResult {
  const warn = new WarningList("supervisord");
  const state = options.stateDir.replaceAll("%", "%%");
  const layers = layerOf(config.services);
  const head = [
    "; Rendered by nimi: supervisord -n -c supervisord.conf (the state directory must exist)",
    "[unix_http_server]",
    `file=${state}/supervisor.sock`,
    "chmod=0700",
    "",
    "[supervisord]",
    `logfile=${state}/supervisord.log`,
    `pidfile=${state}/supervisord.pid`,
    `childlogdir=${state}/logs`,
    `identifier=${options.prefix}nimi`,
    "",
    "[rpcinterface:supervisor]",
    "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
    "",
    "[supervisorctl]",
    `serverurl=unix://${state}/supervisor.sock`,
    "",
  ];
  const body = config.services.flatMap((s) =>
    program(s, config, options, 100 + 10 * (layers.get(s.name) ?? 0), warn)
  );
  return {
    files: [{ path: "supervisord.conf", content: [...head, ...body].join("\n"), mode: 0o644 }],
    warnings: warn.items,
    directories: [options.stateDir, `${options.stateDir}/logs`],
  };
}

/** The `supervisord` target. */
export const supervisordTarget: Target = {
  name: "supervisord",
  summary: "one supervisord.conf, dependencies as priorities",
  container: false,
  render: renderSupervisord,
};
