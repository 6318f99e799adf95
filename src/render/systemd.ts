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
import { probeArgv } from "./probe_command.ts";
import { RenderError } from "./render_error.ts";
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

/** A duration as systemd reads it, in seconds when whole (`5s`, `500ms`). */
function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** systemd's own default for `RestartSec=`, left unwritten. */
const SYSTEMD_RESTART_SEC = 100;
/** systemd's own default for `TimeoutStopSec=`, left unwritten. */
const SYSTEMD_STOP_TIMEOUT = 90_000;

/** One unit as ordered key/value pairs per section; repeated keys stay repeated. */
export interface UnitModel {
  /** The unit's file name (`web.service`). */
  name: string;
  /** A comment put at the top of the file. */
  comment: string;
  /** `[Unit]` entries. */
  unit: [string, string][];
  /** `[Service]` entries. */
  service: [string, string][];
  /** `[Install]` entries. */
  install: [string, string][];
}

/** Whether a word reads as a relative path (`examples/demo/web.py`), not an option or URL. */
function relativePath(word: string): boolean {
  return word.includes("/") && !word.startsWith("/") && !word.startsWith("-") &&
    !word.includes("://") && !word.includes("=") && !word.startsWith("~");
}

/**
 * A service's program as an absolute path: systemd refuses a relative one with a slash. It is
 * resolved where `nimi run` would run it: the service's working directory, else `baseDir`.
 */
function absoluteArgv(s: ServiceSpec, options: RenderOptions): string[] {
  const [program, ...args] = s.argv as [string, ...string[]];
  if (program.startsWith("/") || !program.includes("/")) return [program, ...args];
  const base = s.workingDirectory ?? options.baseDir;
  if (base === undefined || !base.startsWith("/")) {
    throw new RenderError(
      `Cannot render ${s.jsonPath}.process.argv for systemd: program "${program}" is a relative ` +
        `path; give an absolute path or a program name on PATH`,
    );
  }
  const joined = `${base.replace(/\/+$/, "")}/${program}`.split("/");
  const parts: string[] = [];
  for (const p of joined) {
    if (p === "" || p === ".") continue;
    if (p === "..") parts.pop();
    else parts.push(p);
  }
  return [`/${parts.join("/")}`, ...args];
}

/**
 * The restart steps that make systemd's growing delay follow nimi's backoff: systemd grows the
 * delay geometrically from `RestartSec=` to `RestartMaxDelaySec=` in `RestartSteps=` steps.
 *
 * @param time First delay in milliseconds.
 * @param backoff Multiplier per restart (> 1).
 * @param maxTime Cap in milliseconds.
 * @returns The number of steps, or 0 when the delay cannot grow.
 */
export function restartSteps(time: number, backoff: number, maxTime: number): number {
  if (backoff <= 1 || maxTime <= time || time <= 0) return 0;
  return Math.ceil(Math.log(maxTime / time) / Math.log(backoff));
}

function buildUnit(
  s: ServiceSpec,
  config: NimiConfig,
  options: RenderOptions,
  warn: WarningList,
): UnitModel {
  const paths = servicePaths(options.stateDir, options.prefix, s.name);
  const byName = new Map(config.services.map((x) => [x.name, x]));
  const targetName = `${options.prefix}nimi.target`;
  const unit: [string, string][] = [
    ["Description", `${s.name} (nimi service${s.parent ? ` in ${s.parent}` : ""})`],
    ["PartOf", targetName],
  ];
  const service: [string, string][] = [];

  for (const d of s.dependsOn) {
    const dep = unitName(options.prefix, d.name);
    const target = byName.get(d.name);
    unit.push(["After", dep]);
    unit.push([d.condition === "completed" ? "Wants" : "Requires", dep]);
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
  const post: string[][] = [];
  if (s.readiness !== null) {
    const r = s.readiness;
    if (s.type === "oneshot") {
      warn.add(s.name, `readiness probe (${r.type})`, "a oneshot is ready when it exits");
    } else if (r.type === "notify") type = "notify";
    else {
      // ExecStartPost= runs before the unit counts as started, so After= waits for it.
      const argv = probeArgv(r, { nimi: options.nimi ?? "nimi", wait: true });
      if (argv !== null) post.push(argv);
      else {
        warn.add(
          s.name,
          `readiness probe (${r.type})`,
          "its output goes to the journal, which nimi probe cannot read; ready once started",
        );
      }
    }
  }
  if (s.liveness !== null) {
    warn.add(s.name, `liveness probe (${s.liveness.type})`, "systemd has no liveness probe");
  }
  service.push(["Type", type]);
  if (type === "notify") service.push(["NotifyAccess", "all"]);
  if (s.type === "oneshot") service.push(["RemainAfterExit", "yes"]);

  const env: Record<string, string> = { ...s.environment };
  const config_ = configDataStep(s, paths);
  if (config_ !== null) {
    service.push(["ExecStartPre", command(["/bin/sh", "-c", config_])]);
    env["XDG_CONFIG_HOME"] = paths.configDir;
  }
  const argv = absoluteArgv(s, options);
  service.push(["ExecStart", command(argv)]);
  for (const p of post) service.push(["ExecStartPost", command(p)]);
  if (s.reloadSignal !== null) {
    service.push(["ExecReload", `/bin/kill -s ${s.reloadSignal.slice(3)} $MAINPID`]);
  }
  for (const [k, v] of Object.entries(env)) {
    service.push(["Environment", systemdQuote(`${k}=${v}`, false)]);
  }
  const workdir = s.workingDirectory ??
    (options.baseDir !== undefined && s.argv.slice(1).some(relativePath) ? options.baseDir : null);
  if (workdir !== null) service.push(["WorkingDirectory", systemdQuote(workdir, false)]);
  if (s.user !== null || s.group !== null) {
    if (options.user) {
      warn.add(s.name, "user/group", "user units cannot switch user; runs as the session's user");
    } else {
      if (s.user !== null) service.push(["User", String(s.user)]);
      if (s.group !== null) service.push(["Group", String(s.group)]);
    }
  }
  if (!options.user && options.stateDir.startsWith("/var/lib/")) {
    service.push([
      "StateDirectory",
      `${options.stateDir.slice("/var/lib/".length)}/${paths.instance}`,
    ]);
  }
  for (const c of s.credentials) {
    service.push(["LoadCredential", systemdQuote(`${c.name}:${c.path}`, false)]);
  }

  let mode: string | null;
  switch (restart.mode) {
    case "never":
      mode = null;
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
      unit.push(["StartLimitIntervalSec", "infinity"], [
        "StartLimitBurst",
        String(restart.count + 1),
      ]);
      break;
  }
  if (mode !== null) {
    service.push(["Restart", mode]);
    if (restart.time !== SYSTEMD_RESTART_SEC) {
      service.push(["RestartSec", duration(restart.time)]);
    }
    const steps = restartSteps(restart.time, restart.backoff, restart.maxTime);
    if (steps > 0) {
      service.push(["RestartSteps", String(steps)], [
        "RestartMaxDelaySec",
        duration(restart.maxTime),
      ]);
    }
    if (restart.resetAfter !== DEFAULT_RESTART.resetAfter) {
      warn.add(s.name, "restart resetAfter", "systemd never resets the restart count itself");
    }
  }
  if (s.stopSignal !== "SIGTERM") service.push(["KillSignal", s.stopSignal]);
  if (s.stopTimeout !== SYSTEMD_STOP_TIMEOUT) {
    service.push(["TimeoutStopSec", duration(s.stopTimeout)]);
  }
  return {
    name: unitName(options.prefix, s.name),
    comment: "Rendered by nimi from " + config.file.replace(/\n/g, " "),
    unit,
    service,
    install: [["WantedBy", targetName]],
  };
}

/**
 * The units of a config as key/value models (the systemd and nixos targets print them).
 *
 * @param config The normalised config.
 * @param options Render options.
 * @param warn Where warnings go.
 * @returns One model per service, then the target's.
 * @throws {RenderError} On a relative program path with no directory to resolve it against.
 */
export function systemdUnits(
  config: NimiConfig,
  options: RenderOptions,
  warn: WarningList,
): UnitModel[] {
  const units = config.services.map((s) => buildUnit(s, config, options, warn));
  units.push({
    name: `${options.prefix}nimi.target`,
    comment: "",
    unit: [
      ["Description", `nimi services${options.prefix ? ` (${options.prefix})` : ""}`],
      ...config.services.map((s): [string, string] => ["Wants", unitName(options.prefix, s.name)]),
    ],
    service: [],
    install: [["WantedBy", options.user ? "default.target" : "multi-user.target"]],
  });
  return units;
}

function ini(u: UnitModel): string {
  const section = (name: string, entries: [string, string][]) =>
    entries.length === 0 ? [] : [`[${name}]`, ...entries.map(([k, v]) => `${k}=${v}`), ""];
  const steps = u.service.some(([k]) => k === "RestartSteps")
    ? ["# RestartSteps= and RestartMaxDelaySec= need systemd 254 or later; older versions log"]
      .concat(['# "Unknown key name" and keep the fixed RestartSec= delay.'])
    : [];
  return [
    ...(u.comment ? [`# ${u.comment}`] : []),
    ...steps,
    ...section("Unit", u.unit),
    ...section("Service", u.service),
    ...section("Install", u.install),
  ].join("\n");
}

/**
 * Renders systemd units.
 *
 * @param config The normalised config.
 * @param options Render options (--user for user units).
 * @returns One unit per service and the grouping target.
 * @throws {RenderError} On a relative program path with no directory to resolve it against.
 */
export function renderSystemd(config: NimiConfig, options: RenderOptions): RenderResult {
  const warn = new WarningList("systemd");
  const files = systemdUnits(config, options, warn).map((u) => ({
    path: u.name,
    content: ini(u),
    mode: 0o644,
  }));
  return { files, warnings: warn.items, directories: [] };
}

/** The `systemd` target. */
export const systemdTarget: Target = {
  name: "systemd",
  summary: "systemd units (--user: user units)",
  container: false,
  render: renderSystemd,
};
