/**
 * docker compose: one `compose.yaml` with a service per service, configData bind-mounted from
 * files written beside it, credentials as compose secrets, readiness as healthchecks.
 *
 * @module
 */
import { Scalar, stringify } from "yaml";
import type { NimiConfig, ProbeValue, ServiceSpec } from "../config/types.ts";
import { DEFAULT_RESTART } from "./defaults.ts";
import { type LocalhostPlan, planLocalhost } from "./localhost.ts";
import { PROBE_START_ALLOWANCE, probeArgv } from "./probe_command.ts";
import { assertUniqueNames, cleanName, servicePaths } from "./layout.ts";
import type { RenderedFile, RenderOptions, RenderResult, Target } from "./types.ts";
import { WarningList } from "./warnings.ts";

/**
 * Escapes compose's variable interpolation (`$` becomes `$$`).
 *
 * @param text Any string.
 * @returns The escaped string.
 */
export function composeEscape(text: string): string {
  return text.replaceAll("$", "$$$$");
}

/**
 * Marks strings with control characters for double quoting: YAML 1.1 readers (PyYAML in
 * docker-compose) reject a tab in a plain scalar.
 *
 * @param value A document.
 * @returns The same document with such strings wrapped in double-quoted scalars.
 */
export function quoteControls(value: unknown): unknown {
  if (typeof value === "string") {
    // deno-lint-ignore no-control-regex
    if (!/[\x00-\x1f\x7f]/.test(value)) return value;
    const s = new Scalar(value);
    s.type = "QUOTE_DOUBLE";
    return s;
  }
  if (Array.isArray(value)) return value.map(quoteControls);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, quoteControls(v)]));
  }
  return value;
}

/** How long a compose healthcheck may fail before the service counts as unhealthy. */
export const READINESS_GRACE = 300_000;

function duration(ms: number): string {
  return `${ms}ms`;
}

/**
 * A stop timeout in whole seconds, rounded up: the engine's StopTimeout is an integer number
 * of seconds, and docker-compose 1.29 sends "5000ms" as 5.0, which the engine (podman's Docker
 * API, tests/container/compose_test.ts) rejects.
 */
function graceSeconds(ms: number): string {
  return `${Math.ceil(ms / 1000)}s`;
}

/**
 * A compose healthcheck for a probe: an exec probe's command, or `nimi probe` for tcp and http
 * (the image must hold nimi; `--nimi` names it). docker repeats it every `interval`.
 */
function healthcheck(p: ProbeValue, nimi: string): Record<string, unknown> | null {
  const argv = p.type === "exec"
    ? p.command ?? null
    : p.type === "tcp" || p.type === "http"
    ? probeArgv(p, { nimi, wait: false })
    : null;
  if (argv === null) return null;
  return {
    test: ["CMD", ...argv.map(composeEscape)],
    interval: duration(p.period),
    // nimi probe keeps the probe's own timeout; docker's also covers starting nimi.
    timeout: duration(p.type === "exec" ? p.timeout : p.timeout + PROBE_START_ALLOWANCE),
    retries: p.failureThreshold,
    // nimi run waits for readiness without a limit; docker counts failures only after the
    // start period, so a slow start is not "unhealthy" (which fails service_healthy at once).
    start_period: duration(p.initialDelay + READINESS_GRACE),
  };
}

const CONDITIONS = {
  started: "service_started",
  ready: "service_healthy",
  completed: "service_completed_successfully",
  "completed-successfully": "service_completed_successfully",
} as const;

function service(
  s: ServiceSpec,
  config: NimiConfig,
  options: RenderOptions,
  names: Map<string, string>,
  files: RenderedFile[],
  secrets: Record<string, { file: string }>,
  warn: WarningList,
  localhost: LocalhostPlan,
): Record<string, unknown> {
  const paths = servicePaths(options.stateDir, options.prefix, s.name);
  const nimi = options.nimi ?? "nimi";
  const out: Record<string, unknown> = {
    image: options.image === undefined ? "${NIMI_IMAGE:-nimi}" : composeEscape(options.image),
    entrypoint: s.argv.map(composeEscape),
  };
  const join = localhost.joins.get(s.name);
  // It talks to a dependency at 127.0.0.1: share that service's network namespace, as under
  // nimi run.
  if (join !== undefined) out["network_mode"] = `service:${names.get(join)}`;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.environment)) env[k] = composeEscape(v);
  if (!s.inheritEnvironment) {
    warn.add(s.name, "inheritEnvironment false", "a container starts with its image's environment");
  }
  const volumes: Record<string, unknown>[] = [];
  if (s.configData.length > 0) {
    env["XDG_CONFIG_HOME"] = composeEscape(paths.configDir);
    for (const f of s.configData) {
      let source: string;
      if (f.text !== null) {
        const rel = `config/${paths.instance}/${f.path}`;
        files.push({ path: rel, content: f.text, mode: 0o644 });
        source = `./${rel}`;
      } else source = f.source ?? "";
      volumes.push({
        type: "bind",
        source: composeEscape(source),
        target: composeEscape(`${paths.configDir}/${f.path}`),
        read_only: true,
      });
    }
  }
  if (s.credentials.length > 0) {
    env["CREDENTIALS_DIRECTORY"] = "/run/secrets";
    out["secrets"] = s.credentials.map((c) => {
      const id = `${names.get(s.name)}-${c.name}`.replace(/[^A-Za-z0-9_.-]/g, "_");
      secrets[id] = { file: composeEscape(c.path) };
      return { source: id, target: c.name };
    });
  }
  if (Object.keys(env).length > 0) out["environment"] = env;
  if (volumes.length > 0) out["volumes"] = volumes;
  if (s.workingDirectory !== null) out["working_dir"] = composeEscape(s.workingDirectory);
  if (s.user !== null || s.group !== null) {
    out["user"] = composeEscape(`${s.user ?? ""}${s.group !== null ? `:${s.group}` : ""}`);
    if (s.user === null) {
      warn.add(s.name, "group without user", "docker runs it as the image's user in that group");
    }
  }
  const r = s.restart;
  if (s.type === "oneshot" && r.mode === "always") {
    out["restart"] = "on-failure";
    warn.add(s.name, "restart mode always", "a oneshot is restarted only on failure");
  } else {
    out["restart"] = {
      never: "no",
      always: "always",
      "on-failure": "on-failure",
      "up-to-count": `on-failure:${r.count}`,
    }[r.mode];
  }
  if (r.time !== DEFAULT_RESTART.time || r.backoff !== 1) {
    warn.add(s.name, "restart delay", "docker uses its own growing delay");
  }
  out["stop_signal"] = s.stopSignal;
  out["stop_grace_period"] = graceSeconds(s.stopTimeout);
  if (s.readiness !== null) {
    const hc = healthcheck(s.readiness, nimi);
    if (hc !== null) out["healthcheck"] = hc;
    else {
      warn.add(
        s.name,
        `readiness probe (${s.readiness.type})`,
        "only exec, tcp and http probes become a compose healthcheck",
      );
    }
  }
  if (s.liveness !== null) {
    warn.add(
      s.name,
      `liveness probe (${s.liveness.type})`,
      "docker does not restart unhealthy containers",
    );
  }
  if (s.reloadSignal !== null) {
    warn.add(s.name, "reloadSignal", "send it with docker compose kill -s");
  }
  const byName = new Map(config.services.map((x) => [x.name, x]));
  if (s.dependsOn.length > 0) {
    const deps: Record<string, { condition: string }> = {};
    for (const d of s.dependsOn) {
      let condition: string = CONDITIONS[d.condition];
      const dep = byName.get(d.name);
      if (
        d.condition === "ready" &&
        (dep?.readiness === null || healthcheck(dep!.readiness!, nimi) === null)
      ) {
        condition = "service_started";
        if (dep?.readiness !== null) {
          warn.add(
            s.name,
            `dependsOn "${d.name}": ready`,
            "it has no healthcheck; waits for its start",
          );
        }
      }
      if (d.condition === "completed") {
        warn.add(s.name, `dependsOn "${d.name}": completed`, "compose waits for a successful exit");
      }
      deps[names.get(d.name) ?? d.name] = { condition };
    }
    out["depends_on"] = deps;
  }
  return out;
}

/**
 * Renders a docker compose file.
 *
 * @param config The normalised config.
 * @param options Render options (the state directory is inside the containers).
 * @returns `compose.yaml`, configData files beside it, and warnings.
 */
export function renderCompose(config: NimiConfig, options: RenderOptions): RenderResult {
  const warn = new WarningList("compose");
  const names = new Map<string, string>();
  for (const s of config.services) {
    const instance = `${options.prefix}${s.name}`;
    const clean = cleanName(instance.toLowerCase(), /[a-z0-9_.-]/, "-");
    if (clean !== instance) warn.add(s.name, "name", `compose service named "${clean}"`);
    names.set(s.name, clean);
  }
  assertUniqueNames(names, "compose");
  const files: RenderedFile[] = [];
  const secrets: Record<string, { file: string }> = {};
  const services: Record<string, unknown> = {};
  const localhost = planLocalhost(config.services);
  for (const { service: name, mentions } of localhost.alone) {
    warn.add(
      name,
      `localhost (${mentions.join(", ")})`,
      "each compose service has its own network namespace; no long-running dependency to share " +
        "one with: use service names",
    );
  }
  for (const s of config.services) {
    services[names.get(s.name)!] = service(
      s,
      config,
      options,
      names,
      files,
      secrets,
      warn,
      localhost,
    );
  }
  const doc: Record<string, unknown> = { services };
  if (Object.keys(secrets).length > 0) doc["secrets"] = secrets;
  const text = "# Rendered by nimi: docker compose -f compose.yaml up\n" +
    (options.image === undefined
      ? "# NIMI_IMAGE names an image holding the services' programs (default: nimi)\n"
      : "") +
    stringify(quoteControls(doc), { lineWidth: 0, version: "1.1", aliasDuplicateObjects: false });
  files.unshift({ path: "compose.yaml", content: text, mode: 0o644 });
  return { files, warnings: warn.items, directories: [] };
}

/** The `compose` target. */
export const composeTarget: Target = {
  name: "compose",
  summary: "docker compose file",
  container: true,
  render: renderCompose,
};
