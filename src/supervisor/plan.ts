/**
 * The run plan: what `nimi run` will do, decided before anything happens. {@link planRun} is
 * pure: from the normalised config (and the identities resolved for it) it gives one
 * {@link UnitPlan} per service (the startup hook included) with its identity and environment
 * layers, and the start and stop order. {@link launchPlan} then builds the one spawn plan a
 * unit's process and its exec probes share, from the plan and what preparation added (the
 * configData directory, credentials, the notify socket).
 *
 * @module
 */
import { ConfigError, type NimiConfig, type ServiceSpec, stopLayers } from "../config/mod.ts";
import { startupService } from "../config/startup.ts";
import { type Identity, IdentityError, type IdentityFiles, loadIdentity } from "./identity.ts";
import { type SpawnPlan, spawnPlan } from "./spawn_options.ts";

/** The environment of a unit, layer by layer (later layers win). */
export interface EnvLayers {
  /** Whether nimi's own environment is the base (`nimi.inheritEnvironment`). */
  inherit: boolean;
  /** `USER`, `LOGNAME`, `HOME` of its user, minus what the service sets itself. */
  identity: Readonly<Record<string, string>>;
  /** `nimi.environment`. */
  service: Readonly<Record<string, string>>;
}

/** One unit: a service (or the startup hook) and how it is started. */
export interface UnitPlan {
  /** The service. */
  spec: ServiceSpec;
  /** Its user and group, or null to run as nimi. */
  identity: Identity | null;
  /** Its environment layers. */
  env: EnvLayers;
  /** Whether it is the startup hook (runs before everything else). */
  startup: boolean;
}

/** The whole run. */
export interface RunPlan {
  /** The config it came from. */
  config: NimiConfig;
  /** The startup hook, or null. */
  hook: UnitPlan | null;
  /** The services to run, in config order (the start order follows their dependencies). */
  units: readonly UnitPlan[];
  /** Stop order: layers of names, dependents first; each layer stops in parallel. */
  stopOrder: readonly (readonly string[])[];
}

/** Options for {@link planRun}. */
export interface PlanOptions {
  /**
   * Identities by service name (from {@link resolveIdentities}); a service missing here runs
   * as nimi.
   * @default no identities
   */
  identities?: ReadonlyMap<string, Identity | null>;
  /**
   * Run only these services and what they depend on (`nimi run web worker`).
   * @default every service
   */
  only?: readonly string[];
}

/**
 * Plans a run.
 *
 * @param config The normalised config.
 * @param options Identities, and the subset to run.
 * @returns The units and their order.
 * @throws {RangeError} When `only` names a service the config does not have.
 * @example
 * ```ts
 * const plan = planRun(config, { only: ["web"] });
 * plan.units.map((u) => u.spec.name); // ["db", "web"]: web and what it depends on
 * ```
 */
export function planRun(config: NimiConfig, options: PlanOptions = {}): RunPlan {
  const identities: ReadonlyMap<string, Identity | null> = options.identities ?? new Map();
  const unit = (spec: ServiceSpec, startup: boolean): UnitPlan => {
    const identity = identities.get(spec.name) ?? null;
    const own: Record<string, string> = {};
    for (const [k, v] of Object.entries(identity?.environment ?? {})) {
      if (!(k in spec.environment)) own[k] = v;
    }
    return {
      spec,
      identity,
      env: { inherit: spec.inheritEnvironment, identity: own, service: spec.environment },
      startup,
    };
  };
  const selected = options.only === undefined ? null : withDependencies(config, options.only);
  const specs = config.services.filter((s) => selected === null || selected.has(s.name));
  const hook = startupService(config.settings);
  return {
    config,
    hook: hook === null ? null : unit(hook, true),
    units: specs.map((s) => unit(s, false)),
    stopOrder: stopLayers(
      specs.map((s) => ({ name: s.name, after: s.dependsOn.map((d) => d.name) })),
    ),
  };
}

/**
 * The named services and, transitively, every service they depend on.
 *
 * @param config The config.
 * @param names Service names.
 * @returns The set of names to run.
 * @throws {RangeError} For an unknown name.
 */
export function withDependencies(config: NimiConfig, names: readonly string[]): Set<string> {
  const byName = new Map(config.services.map((s) => [s.name, s]));
  const out = new Set<string>();
  const visit = (name: string) => {
    if (out.has(name)) return;
    const spec = byName.get(name);
    if (spec === undefined) {
      throw new RangeError(
        `no service ${JSON.stringify(name)} in ${config.file}; known services: ${
          [...byName.keys()].join(", ")
        }`,
      );
    }
    out.add(name);
    for (const d of spec.dependsOn) visit(d.name);
  };
  for (const n of names) visit(n);
  return out;
}

/**
 * The spawn plan of a unit's process, shared by its exec probes: the service's environment
 * layers plus what preparation added (which wins over the service's own variables).
 *
 * @param unit The unit.
 * @param runtime Variables from preparation (`XDG_CONFIG_HOME`, `CREDENTIALS_DIRECTORY`,
 *   `NOTIFY_SOCKET`).
 * @returns Program and options.
 */
export function launchPlan(
  unit: UnitPlan,
  runtime: Readonly<Record<string, string>> = {},
): SpawnPlan {
  const ids = unit.identity === null ? {} : { uid: unit.identity.uid, gid: unit.identity.gid };
  return spawnPlan(unit.spec, { env: { ...unit.env.identity, ...runtime }, ...ids });
}

/**
 * Resolves every service's user and group up front, so a user that cannot be used is a config
 * error before anything starts.
 *
 * @param config The normalised config.
 * @param files Alternative passwd and group files (tests).
 * @returns Identities by service name.
 * @throws {ConfigError} Listing every service whose user or group cannot be used.
 */
export async function resolveIdentities(
  config: NimiConfig,
  files?: IdentityFiles,
): Promise<Map<string, Identity | null>> {
  const identities = new Map<string, Identity | null>();
  const errors: { severity: "error"; path: string; message: string }[] = [];
  for (const spec of config.services) {
    try {
      identities.set(spec.name, await loadIdentity(spec, files));
    } catch (e) {
      if (!(e instanceof IdentityError)) throw e;
      errors.push({ severity: "error", path: "", message: e.message });
    }
  }
  if (errors.length > 0) throw new ConfigError(config.file, errors);
  return identities;
}
