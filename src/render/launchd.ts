/**
 * launchd (macOS): one property list per service, for /Library/LaunchDaemons or, with --user,
 * ~/Library/LaunchAgents.
 *
 * @module
 */
import type { NimiConfig, ServiceSpec } from "../config/types.ts";
import { DEFAULT_RESTART, seconds } from "./defaults.ts";
import { launchArgv, planLaunch } from "./launch.ts";
import { servicePaths } from "./layout.ts";
import { dependencyWaits } from "./readiness_wait.ts";
import { RenderError } from "./render_error.ts";
import { printfFormat, shQuote } from "./sh_quote.ts";
import type { RenderOptions, RenderResult, Target } from "./types.ts";
import { WarningList } from "./warnings.ts";

/** A property list value. */
export type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

// deno-lint-ignore no-control-regex
const NOT_XML = /[\x00-\x08\x0b\x0c\x0e-\x1f]/;

/**
 * Escapes text for XML. A carriage return is written as `&#13;`, since XML readers turn a
 * literal one into a newline.
 *
 * @param text Any string without control characters other than tab, newline and return.
 * @returns The escaped text.
 * @throws {RenderError} On a control character XML 1.0 cannot hold (see {@link xmlSafeJob}).
 */
export function xmlEscape(text: string): string {
  if (NOT_XML.test(text)) {
    throw new RenderError(`Cannot write ${JSON.stringify(text)} in a plist: control character`);
  }
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll("\r", "&#13;");
}

/**
 * Carries words XML 1.0 cannot hold (control characters other than tab, newline and return)
 * through `/bin/sh -c`: the script rebuilds each such word with printf from escapes, so the
 * program still gets every byte.
 *
 * @param argv ProgramArguments.
 * @param env EnvironmentVariables.
 * @returns The same job when nothing needs it, else argv through sh and the affected
 *   variables moved into the script.
 */
export function xmlSafeJob(
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
): { argv: string[]; env: Record<string, string> } {
  const badEnv = Object.entries(env).filter(([, v]) => NOT_XML.test(v));
  if (!argv.some((w) => NOT_XML.test(w)) && badEnv.length === 0) {
    return { argv: [...argv], env: { ...env } };
  }
  const lines: string[] = [];
  const decode = (name: string, word: string) =>
    lines.push(`${name}=$(printf ${shQuote(`${printfFormat(word)}_`)}); ${name}=\${${name}%_}`);
  for (const [k, v] of badEnv) {
    decode(k, v);
    lines.push(`export ${k}`);
  }
  const words = argv.map((w, i) => {
    if (!NOT_XML.test(w)) return shQuote(w);
    decode(`nimi_arg${i}`, w);
    return `"$nimi_arg${i}"`;
  });
  lines.push(`exec ${words.join(" ")}`);
  const rest = Object.fromEntries(Object.entries(env).filter(([, v]) => !NOT_XML.test(v)));
  return { argv: ["/bin/sh", "-c", lines.join("; ")], env: rest };
}

function plistValue(v: PlistValue, indent: string): string {
  if (typeof v === "string") return `${indent}<string>${xmlEscape(v)}</string>`;
  if (typeof v === "number") return `${indent}<integer>${Math.trunc(v)}</integer>`;
  if (typeof v === "boolean") return `${indent}<${v}/>`;
  if (Array.isArray(v)) {
    return [`${indent}<array>`, ...v.map((x) => plistValue(x, `${indent}  `)), `${indent}</array>`]
      .join("\n");
  }
  return [
    `${indent}<dict>`,
    ...Object.entries(v).flatMap(([k, x]) => [
      `${indent}  <key>${xmlEscape(k)}</key>`,
      plistValue(x, `${indent}  `),
    ]),
    `${indent}</dict>`,
  ].join("\n");
}

/**
 * Writes a property list document.
 *
 * @param root The top-level dictionary.
 * @returns XML text.
 */
export function plist(root: { [key: string]: PlistValue }): string {
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">`,
    `<plist version="1.0">`,
    plistValue(root, ""),
    `</plist>`,
    "",
  ].join("\n");
}

/**
 * The launchd label of a service.
 *
 * @param instance The prefixed service name.
 * @returns `org.nimi.<instance>`.
 */
export function launchdLabel(instance: string): string {
  return `org.nimi.${instance}`;
}

function job(
  s: ServiceSpec,
  config: NimiConfig,
  options: RenderOptions,
  warn: WarningList,
): { [key: string]: PlistValue } {
  const paths = servicePaths(options.stateDir, options.prefix, s.name);
  const launch = planLaunch(s, paths, {
    nativeEnv: true,
    nativeWorkdir: true,
    nativeCredentials: false,
  });
  launch.steps.unshift(...dependencyWaits(s, config.services, warn, "nothing", options.nimi));
  for (const d of s.dependsOn) {
    if (d.condition === "started") {
      warn.add(s.name, `dependsOn "${d.name}": started`, "launchd starts jobs in no set order");
    }
  }
  const log = `${options.stateDir}/logs/${paths.instance}.log`;
  const safe = xmlSafeJob(launchArgv(s, launch), launch.env);
  const out: { [key: string]: PlistValue } = {
    Label: launchdLabel(paths.instance),
    ProgramArguments: safe.argv,
    RunAtLoad: true,
    StandardOutPath: log,
    StandardErrorPath: log,
    ExitTimeOut: seconds(s.stopTimeout),
  };
  if (Object.keys(safe.env).length > 0) out["EnvironmentVariables"] = safe.env;
  if (s.workingDirectory !== null) out["WorkingDirectory"] = s.workingDirectory;
  if (s.user !== null || s.group !== null) {
    if (options.user) {
      warn.add(s.name, "user/group", "agents (--user) run as the logged-in user");
    } else {
      for (const [key, v] of [["UserName", s.user], ["GroupName", s.group]] as const) {
        if (v === null) continue;
        if (typeof v === "number") warn.add(s.name, key, `launchd needs a name, got id ${v}`);
        else out[key] = v;
      }
    }
  }
  const r = s.restart;
  if (r.mode === "never") out["KeepAlive"] = false;
  else if (r.mode === "always" && s.type !== "oneshot") out["KeepAlive"] = true;
  else out["KeepAlive"] = { SuccessfulExit: false };
  if (r.mode !== "never") out["ThrottleInterval"] = Math.max(1, seconds(r.time));
  if (r.mode === "up-to-count") {
    warn.add(s.name, "restart mode up-to-count", "launchd restarts without a limit");
  }
  if (
    r.backoff !== 1 || (r.mode === "up-to-count" && r.resetAfter !== DEFAULT_RESTART.resetAfter)
  ) {
    warn.add(s.name, "restart backoff", "launchd waits ThrottleInterval between runs");
  }
  if (s.stopSignal !== "SIGTERM") {
    warn.add(s.name, `stopSignal ${s.stopSignal}`, "launchd sends SIGTERM");
  }
  if (s.readiness !== null) {
    warn.add(
      s.name,
      `readiness probe (${s.readiness.type})`,
      "launchd has no readiness; dependents poll exec, tcp and http probes themselves",
    );
  }
  if (s.liveness !== null) {
    warn.add(s.name, `liveness probe (${s.liveness.type})`, "launchd has no liveness probe");
  }
  if (s.reloadSignal !== null) {
    warn.add(s.name, "reloadSignal", "send it with launchctl kill");
  }
  return out;
}

/**
 * Renders launchd property lists.
 *
 * @param config The normalised config.
 * @param options Render options (--user: agents).
 * @returns One plist per service, warnings, and the log directory it needs.
 */
export function renderLaunchd(config: NimiConfig, options: RenderOptions): RenderResult {
  const warn = new WarningList("launchd");
  const files = config.services.map((s) => {
    const paths = servicePaths(options.stateDir, options.prefix, s.name);
    return {
      path: `${launchdLabel(paths.instance)}.plist`,
      content: plist(job(s, config, options, warn)),
      mode: 0o644,
    };
  });
  return {
    files,
    warnings: warn.items,
    directories: [options.stateDir, `${options.stateDir}/logs`],
  };
}

/** The `launchd` target. */
export const launchdTarget: Target = {
  name: "launchd",
  summary: "launchd property lists (--user: agents)",
  container: false,
  render: renderLaunchd,
};
