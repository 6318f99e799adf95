/**
 * Normalisation: the parsed config turned into the flat shape the runtime and renderers use.
 * Pure: diagnostics are returned, never printed.
 *
 * @module
 */
import type { RawConfig, RawProbe, RawService, RestartSettingsValue } from "./schema.ts";
import type { Diagnostic } from "./diagnostics.ts";
import { jsonPath } from "./diagnostics.ts";
import { toSignal } from "./signals.ts";
import { findCycle } from "./graph.ts";
import type {
  ConfigDataFile,
  NimiSettings,
  ProbeValue,
  RestartPolicy,
  ServiceSpec,
} from "./types.ts";
import {
  credentialNameProblem,
  environmentNameProblem,
  nulProblem,
  relativePathProblem,
  serviceNameProblem,
  show,
} from "./names.ts";

/** Separator between a parent's and a child's name in flattened names. */
export const NAME_SEPARATOR = "-";

/** Result of normalisation: the services and settings, plus what was found on the way. */
export interface Normalized {
  /** Flattened services (empty when there are errors). */
  services: ServiceSpec[];
  /** Resolved settings. */
  settings: NimiSettings;
  /** Errors and warnings. */
  diagnostics: Diagnostic[];
}

/**
 * Flattens nested services, resolves defaults and checks what the schema cannot: name
 * collisions, configData paths, assertions, dependency names and cycles.
 *
 * @param config A config that passed schema validation.
 * @returns Services, settings and diagnostics.
 */
export function normalize(config: RawConfig): Normalized {
  const diagnostics: Diagnostic[] = [];
  const settings = resolveSettings(config);
  const services: ServiceSpec[] = [];
  const seen = new Map<string, string>();
  const reserved = settings.startup.runOnStartup === null ? [] : ["startup"];

  const visit = (
    name: string,
    raw: RawService,
    path: string[],
    parent: string | null,
    at: PropertyKey[],
  ) => {
    const where = jsonPath(at);
    const flat = parent === null ? name : `${parent}${NAME_SEPARATOR}${name}`;
    const nameProblem = serviceNameProblem(flat, reserved);
    if (nameProblem !== null) diagnostics.push(err(where, nameProblem));
    const other = seen.get(flat);
    if (other !== undefined) {
      diagnostics.push(err(
        where,
        `flattened name ${show(flat)} is also the name of ${other}; rename one of them`,
      ));
    } else seen.set(flat, where);

    for (const a of raw.assertions) {
      if (!a.assertion) diagnostics.push(err(where, `assertion failed: ${a.message}`));
    }
    for (const w of raw.warnings) {
      diagnostics.push({ severity: "warning", path: where, message: w });
    }

    const o = raw.nimi;
    services.push({
      name: flat,
      path,
      jsonPath: where,
      parent,
      argv: raw.process.argv,
      configData: configData(raw, at, diagnostics),
      type: o.type,
      dependsOn: Object.entries(o.dependsOn).map(([n, condition]) => ({ name: n, condition })),
      readiness: o.readiness === null ? null : toProbe(o.readiness),
      liveness: o.liveness === null ? null : toProbe(o.liveness),
      environment: o.environment,
      inheritEnvironment: o.inheritEnvironment,
      workingDirectory: o.workingDirectory,
      user: o.user,
      group: o.group,
      stopSignal: toSignal(o.stopSignal),
      stopTimeout: o.stopTimeout ?? settings.shutdown.timeout,
      restart: { ...settings.restart, ...definedOnly(o.restart ?? {}) },
      credentials: Object.entries(o.credentials).map(([n, p]) => ({ name: n, path: p })),
      forwardSignals: o.forwardSignals.map(toSignal),
      reloadSignal: o.reloadSignal === null ? null : toSignal(o.reloadSignal),
      successExitCodes: [...new Set(o.successExitCodes)],
      onEnd: o.onEnd,
      output: o.output,
      stdin: o.stdin,
    });
    for (const [childName, child] of Object.entries(raw.services)) {
      visit(childName, child, [...path, childName], flat, [...at, "services", childName]);
    }
  };
  for (const [name, raw] of Object.entries(config.services)) {
    visit(name, raw, [name], null, ["services", name]);
  }
  diagnostics.push(...checkDependencies(services));
  for (const d of checkCredentialNames(services)) diagnostics.push(d);
  for (const d of checkStdin(services)) diagnostics.push(d);
  for (const d of checkLogProbes(services)) diagnostics.push(d);
  for (const d of checkKernelStrings(services, settings)) diagnostics.push(d);
  return { services, settings, diagnostics };
}

/** Narrows a validated probe to its kind (the schema checked the field each kind needs). */
function toProbe(p: RawProbe): ProbeValue {
  const timing = {
    initialDelay: p.initialDelay,
    period: p.period,
    timeout: p.timeout,
    failureThreshold: p.failureThreshold,
  };
  switch (p.type) {
    case "exec":
      return { type: "exec", command: p.command ?? [], ...timing };
    case "tcp":
      return { type: "tcp", host: p.host, port: p.port ?? 0, ...timing };
    case "http":
      return { type: "http", url: p.url ?? "", ...timing };
    case "log":
      return { type: "log", pattern: p.pattern ?? "", ...timing };
    case "notify":
      return { type: "notify", ...timing };
  }
}

function err(path: string, message: string): Diagnostic {
  return { severity: "error", path, message };
}

function definedOnly<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

function resolveSettings(config: RawConfig): NimiSettings {
  const s = config.settings;
  const restart: RestartPolicy = pickRestart(s.restart);
  return {
    restart,
    startup: { runOnStartup: s.startup.runOnStartup },
    logging: {
      enable: s.logging.enable || s.logging.enableLogFiles === true,
      logsDir: s.logging.logsDir,
      maxBytes: s.logging.maxBytes,
      maxFiles: s.logging.maxFiles,
      fileSuffix: ".log",
    },
    shutdown: { timeout: s.shutdown.timeout, stopOnFailure: s.shutdown.stopOnFailure },
    pid1: { subreaper: s.pid1.subreaper },
  };
}

function pickRestart(r: RestartSettingsValue): RestartPolicy {
  return {
    mode: r.mode,
    time: r.time,
    count: r.count,
    backoff: r.backoff,
    maxTime: r.maxTime,
    resetAfter: r.resetAfter,
  };
}

/**
 * Normalises a relative path and checks that it stays inside its directory.
 *
 * @param path A path such as `echo/greeting.txt` or `./a//b`.
 * @returns The clean path (`a/b`), or an error message.
 */
export function cleanRelativePath(path: string): { ok: string } | { error: string } {
  if (path.startsWith("/")) {
    return { error: `must be a relative path, got absolute path ${show(path)}` };
  }
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) {
        return {
          error: `must stay inside the service's config directory, got ${show(path)}`,
        };
      }
      parts.pop();
    } else parts.push(part);
  }
  if (parts.length === 0) return { error: `must name a file, got ${show(path)}` };
  return { ok: parts.join("/") };
}

function configData(raw: RawService, at: PropertyKey[], out: Diagnostic[]): ConfigDataFile[] {
  const files: ConfigDataFile[] = [];
  const byPath = new Map<string, string>();
  for (const [key, entry] of Object.entries(raw.configData)) {
    if (!entry.enable) continue;
    const where = [...at, "configData", key];
    const given = entry.path ?? entry.name ?? key;
    const clean = cleanRelativePath(given);
    if ("error" in clean) {
      out.push(err(jsonPath([...where, "path"]), clean.error));
      continue;
    }
    const pathProblem = relativePathProblem(clean.ok);
    if (pathProblem !== null) {
      out.push(err(jsonPath([...where, "path"]), pathProblem));
      continue;
    }
    const source = entry.source ?? null;
    const text = entry.text ?? null;
    if (source === null && text === null) {
      out.push(err(jsonPath(where), `needs a "source" file or a "text"`));
      continue;
    }
    const other = byPath.get(clean.ok);
    if (other !== undefined) {
      out.push(err(
        jsonPath([...where, "path"]),
        `path ${show(clean.ok)} is also used by configData.${show(other)}`,
      ));
      continue;
    }
    byPath.set(clean.ok, key);
    files.push({ key, path: clean.ok, source, text });
  }
  out.push(...checkNesting(files, at));
  return files;
}

/**
 * One entry's path cannot be a directory on the way to another's: its file or symlink would
 * stand where the other needs a directory (a symlink there would lead the other outside).
 */
function checkNesting(files: readonly ConfigDataFile[], at: PropertyKey[]): Diagnostic[] {
  const paths = new Map(files.map((f) => [f.path, f.key]));
  const out: Diagnostic[] = [];
  for (const f of files) {
    const parts = f.path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const other = paths.get(parts.slice(0, i).join("/"));
      if (other === undefined) continue;
      out.push(err(
        jsonPath([...at, "configData", f.key, "path"]),
        `path ${show(f.path)} is inside ${show(parts.slice(0, i).join("/"))}, which ` +
          `configData.${show(other)} makes a file; a path cannot be both`,
      ));
      break;
    }
  }
  return out;
}

/** Strings the kernel receives (programs, arguments, paths, environment) must not hold NUL. */
function checkKernelStrings(
  services: readonly ServiceSpec[],
  settings: NimiSettings,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const check = (where: string, text: string | null) => {
    const problem = text === null ? null : nulProblem(text);
    if (problem !== null) out.push(err(where, problem));
  };
  check("settings.startup.runOnStartup", settings.startup.runOnStartup);
  check("settings.logging.logsDir", settings.logging.logsDir);
  for (const s of services) {
    s.argv.forEach((a, i) => check(`${s.jsonPath}.process.argv[${i}]`, a));
    check(`${s.jsonPath}.nimi.workingDirectory`, s.workingDirectory);
    for (const [k, v] of Object.entries(s.environment)) {
      const where = `${s.jsonPath}.nimi.environment.${show(k)}`;
      const problem = environmentNameProblem(k);
      if (problem !== null) out.push(err(where, problem));
      else check(where, v);
    }
    for (const c of s.credentials) {
      check(`${s.jsonPath}.nimi.credentials.${show(c.name)}`, c.path);
    }
    for (const f of s.configData) {
      check(`${s.jsonPath}.configData.${show(f.key)}.source`, f.source);
    }
    for (const [role, p] of [["readiness", s.readiness], ["liveness", s.liveness]] as const) {
      if (p?.type !== "exec") continue;
      p.command.forEach((a, i) => check(`${s.jsonPath}.nimi.${role}.command[${i}]`, a));
    }
  }
  return out;
}

/** A list for a message: the first ten, then how many more. */
function listSome(items: readonly string[]): string {
  const shown = items.slice(0, 10).join(", ");
  return items.length > 10 ? `${shown} (and ${items.length - 10} more)` : shown;
}

function checkDependencies(services: readonly ServiceSpec[]): Diagnostic[] {
  const names = new Set(services.map((s) => s.name));
  const out: Diagnostic[] = [];
  for (const s of services) {
    for (const d of s.dependsOn) {
      const where = `${s.jsonPath}.nimi.dependsOn.${show(d.name)}`;
      if (d.name === s.name) out.push(err(where, "a service cannot depend on itself"));
      else if (!names.has(d.name)) {
        out.push(err(
          where,
          `unknown service ${show(d.name)}; known services: ${listSome([...names])}`,
        ));
      }
    }
  }
  if (out.length > 0) return out;
  const cycle = findCycle(services.map((s) => ({
    name: s.name,
    after: s.dependsOn.map((d) => d.name),
  })));
  if (cycle !== null) {
    const first = services.find((s) => s.name === cycle[0]);
    out.push(err(
      `${first?.jsonPath ?? "services"}.nimi.dependsOn`,
      `dependency cycle: ${cycle.join(" -> ")}`,
    ));
  }
  return out;
}

function checkCredentialNames(services: readonly ServiceSpec[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const s of services) {
    for (const c of s.credentials) {
      const problem = credentialNameProblem(c.name);
      if (problem !== null) {
        out.push(err(`${s.jsonPath}.nimi.credentials.${show(c.name)}`, problem));
      }
    }
  }
  return out;
}

/** A log probe reads the service's output through nimi, which `output: "inherit"` bypasses. */
function checkLogProbes(services: readonly ServiceSpec[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const s of services) {
    if (s.output !== "inherit") continue;
    for (const [key, probe] of [["readiness", s.readiness], ["liveness", s.liveness]] as const) {
      if (probe?.type === "log") {
        out.push(err(
          `${s.jsonPath}.nimi.${key}`,
          `a "log" probe reads the service's output, which "output": "inherit" sends past nimi; ` +
            `use "prefixed" or another probe`,
        ));
      }
    }
  }
  return out;
}

/** nimi has one stdin: at most one service may read it. */
function checkStdin(services: readonly ServiceSpec[]): Diagnostic[] {
  const readers = services.filter((s) => s.stdin === "inherit");
  return readers.slice(1).map((s) =>
    err(
      `${s.jsonPath}.nimi.stdin`,
      `only one service can read nimi's stdin, and "${readers[0]!.name}" already does; ` +
        `set "null" here`,
    )
  );
}
