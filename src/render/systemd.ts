/**
 * systemd units: one `.service` per service and a `<prefix>nimi.target` that pulls them in.
 * System units by default; with --user, user units without root-only settings.
 *
 * @module
 */
import type { NimiConfig, ServiceSpec } from "../config/types.ts";
import { DEFAULT_RESTART } from "./defaults.ts";
import { configDataStep } from "./launch.ts";
import { servicePaths } from "./layout.ts";
import { shJoin } from "./sh_quote.ts";
import type { RenderOptions, RenderResult, Target } from "./types.ts";
import { WarningList } from "./warnings.ts";

const SAFE = /^[A-Za-z0-9_@+=:,./-]+$/;

/**
 * Quotes one word for a systemd command line or assignment: double quotes with C escapes,
 * `%` doubled (specifiers) and, in command lines, `$` doubled (variable expansion).
 *
 * @param word Any string.
 * @param command Whether the word is part of an Exec*= command line.
 * @returns The quoted word.
 * @example
 * ```ts
 * systemdQuote("echo $HOME 100%", true); // '"echo $$HOME 100%%"'
 * ```
 */
export function systemdQuote(word: string, command: boolean): string {
  let out = "";
  for (const ch of word) {
    const code = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "%") out += "%%";
    else if (ch === "$" && command) out += "$$";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out === word && SAFE.test(word) ? word : `"${out}"`;
}

function command(argv: readonly string[]): string {
  return argv.map((w) => systemdQuote(w, true)).join(" ");
}

function unitName(prefix: string, name: string): string {
  return `${prefix}${name}.service`;
}

function renderUnit(
  s: ServiceSpec,
  config: NimiConfig,
  options: RenderOptions,
  warn: WarningList,
): string {
  const paths = servicePaths(options.stateDir, options.prefix, s.name);
  const byName = new Map(config.services.map((x) => [x.name, x]));
  const unit: string[] = [
    `Description=${s.name} (nimi service${s.parent ? ` in ${s.parent}` : ""})`,
  ];
  const service: string[] = [];

  for (const d of s.dependsOn) {
    const dep = unitName(options.prefix, d.name);
    const target = byName.get(d.name);
    unit.push(`After=${dep}`);
    if (d.condition === "completed") unit.push(`Wants=${dep}`);
    else unit.push(`Requires=${dep}`);
    if (d.condition.startsWith("completed") && target?.type !== "oneshot") {
      warn.add(
        s.name,
        `dependsOn "${d.name}": ${d.condition}`,
        `"${d.name}" is not a oneshot; systemd orders after its start only`,
      );
    }
  }

  const restart = s.restart;
  let type = s.type === "oneshot" ? "oneshot" : "simple";
  if (s.readiness !== null) {
    const r = s.readiness;
    if (r.type === "notify") {
      if (s.type === "oneshot") {
        warn.add(s.name, "readiness probe (notify)", "a oneshot is ready when it exits");
      } else type = "notify";
    } else if (r.type === "exec" && r.command !== undefined && s.type !== "oneshot") {
      const wait = r.initialDelay > 0 ? `sleep ${r.initialDelay / 1000}; ` : "";
      const loop = `${wait}until ${shJoin(r.command)}; do sleep ${r.period / 1000}; done`;
      service.push(`ExecStartPost=${command(["/bin/sh", "-c", loop])}`);
    } else {
      warn.add(
        s.name,
        `readiness probe (${r.type})`,
        "systemd cannot run it; the unit counts as ready once started",
      );
    }
  }
  if (s.liveness !== null) {
    warn.add(s.name, `liveness probe (${s.liveness.type})`, "systemd has no liveness probe");
  }
  service.push(`Type=${type}`);
  if (type === "notify") service.push("NotifyAccess=all");
  if (s.type === "oneshot") service.push("RemainAfterExit=yes");

  const env: Record<string, string> = { ...s.environment };
  const config_ = configDataStep(s, paths);
  if (config_ !== null) {
    service.push(`ExecStartPre=${command(["/bin/sh", "-c", config_])}`);
    env["XDG_CONFIG_HOME"] = paths.configDir;
  }
  service.push(`ExecStart=${command(s.argv)}`);
  if (s.reloadSignal !== null) {
    service.push(`ExecReload=/bin/kill -s ${s.reloadSignal.slice(3)} $MAINPID`);
  }
  for (const [k, v] of Object.entries(env)) {
    service.push(`Environment=${systemdQuote(`${k}=${v}`, false)}`);
  }
  if (s.workingDirectory !== null) {
    service.push(`WorkingDirectory=${systemdQuote(s.workingDirectory, false)}`);
  }
  if (s.user !== null || s.group !== null) {
    if (options.user) {
      warn.add(s.name, "user/group", "user units cannot switch user; runs as the session's user");
    } else {
      if (s.user !== null) service.push(`User=${s.user}`);
      if (s.group !== null) service.push(`Group=${s.group}`);
    }
  }
  if (!options.user && options.stateDir.startsWith("/var/lib/")) {
    service.push(`StateDirectory=${options.stateDir.slice("/var/lib/".length)}/${paths.instance}`);
  }
  for (const c of s.credentials) {
    service.push(`LoadCredential=${systemdQuote(`${c.name}:${c.path}`, false)}`);
  }

  let mode: string;
  switch (restart.mode) {
    case "never":
      mode = "no";
      break;
    case "always":
      mode = s.type === "oneshot" ? "on-failure" : "always";
      if (s.type === "oneshot") {
        warn.add(s.name, "restart mode always", "systemd restarts a oneshot only on failure");
      }
      break;
    case "on-failure":
      mode = "on-failure";
      break;
    case "up-to-count":
      mode = "on-failure";
      unit.push("StartLimitIntervalSec=infinity", `StartLimitBurst=${restart.count + 1}`);
      break;
  }
  service.push(`Restart=${mode}`, `RestartSec=${restart.time}ms`);
  if (restart.backoff !== 1) {
    warn.add(
      s.name,
      "restart backoff",
      "needs systemd 254 (RestartSteps=); the delay stays fixed",
    );
  }
  if (restart.mode === "up-to-count" && restart.resetAfter !== DEFAULT_RESTART.resetAfter) {
    warn.add(s.name, "restart resetAfter", "systemd never resets the restart count");
  }
  service.push(`KillSignal=${s.stopSignal}`, `TimeoutStopSec=${s.stopTimeout}ms`);
  if (s.type === "oneshot") service.push("TimeoutStartSec=infinity");

  return [
    "# Rendered by nimi from " + config.file.replace(/\n/g, " "),
    "[Unit]",
    ...unit,
    "",
    "[Service]",
    ...service,
    "",
    "[Install]",
    `WantedBy=${options.prefix}nimi.target`,
    "",
  ].join("\n");
}

/**
 * Renders systemd units.
 *
 * @param config The normalised config.
 * @param options Render options (--user for user units).
 * @returns One unit per service and the grouping target.
 */
export function renderSystemd(config: NimiConfig, options: RenderOptions): RenderResult {
  const warn = new WarningList("systemd");
  const files = config.services.map((s) => ({
    path: unitName(options.prefix, s.name),
    content: renderUnit(s, config, options, warn),
    mode: 0o644,
  }));
  const wants = config.services.map((s) => unitName(options.prefix, s.name));
  files.push({
    path: `${options.prefix}nimi.target`,
    content: [
      "[Unit]",
      `Description=nimi services${options.prefix ? ` (${options.prefix})` : ""}`,
      ...wants.map((w) => `Wants=${w}`),
      "",
      "[Install]",
      `WantedBy=${options.user ? "default.target" : "multi-user.target"}`,
      "",
    ].join("\n"),
    mode: 0o644,
  });
  return { files, warnings: warn.items, directories: [] };
}

/** The `systemd` target. */
export const systemdTarget: Target = {
  name: "systemd",
  summary: "systemd units (--user: user units)",
  container: false,
  render: renderSystemd,
};
