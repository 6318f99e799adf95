/**
 * What a service needs around its process for `nimi run`, beyond argv and environment: its user
 * and group, its credentials directory and its probes. {@link ServiceSetup} resolves every
 * identity up front (a user that cannot be used is a config error before anything starts) and
 * plugs the rest into the supervisor's `prepare` and `waitReady` hooks.
 *
 * @module
 */
import { ConfigError, type NimiConfig, type ServiceSpec } from "../config/mod.ts";
import { prepareCredentials } from "./credentials.ts";
import { type Identity, IdentityError, type IdentityFiles, loadIdentity } from "./identity.ts";
import { openProbes, type ProbeRole, type ServiceProbes } from "./probe.ts";
import type { ProbeAttempt } from "./probe_loop.ts";
import { errorText } from "./probe_loop.ts";
import type { ServiceChild } from "./service.ts";
import { spawnPlan } from "./spawn_options.ts";
import type { PreparedService } from "./supervisor.ts";

/** Where setup messages go (the run's log sink). */
export interface SetupMessages {
  /**
   * Writes one nimi message about a service.
   *
   * @param name The service, or null for nimi itself.
   * @param text The message.
   * @param level How serious it is (its journal priority). @default "info"
   */
  message(name: string | null, text: string, level?: "info" | "warning" | "error"): void;
}

/** Options for {@link ServiceSetup.create}. */
export interface ServiceSetupOptions {
  /** Alternative passwd and group files (tests). */
  identityFiles?: IdentityFiles;
  /**
   * Parent of the credentials and notify directories.
   * @default the system temporary directory
   */
  baseDir?: string;
}

/** The supervisor hooks a {@link ServiceSetup} provides. */
export interface SetupHooks {
  /** Identity, credentials and probes before a service's first start. */
  prepare: (spec: ServiceSpec) => Promise<PreparedService>;
  /** Readiness for each spawned process, then its liveness watch. */
  waitReady: (spec: ServiceSpec, child: ServiceChild) => Promise<void>;
}

/** Per-service identity, credentials and probes for one `nimi run`. */
export class ServiceSetup {
  readonly #identities: Map<string, Identity | null>;
  readonly #options: ServiceSetupOptions;
  readonly #probes = new Map<string, ServiceProbes>();

  private constructor(identities: Map<string, Identity | null>, options: ServiceSetupOptions) {
    this.#identities = identities;
    this.#options = options;
  }

  /**
   * Resolves every service's user and group.
   *
   * @param config The normalised config.
   * @param options Alternative files and directories.
   * @returns The setup.
   * @throws {ConfigError} Listing every service whose user or group cannot be used (not root,
   *   unknown name), so nimi exits with code 2 before starting anything.
   */
  static async create(
    config: NimiConfig,
    options: ServiceSetupOptions = {},
  ): Promise<ServiceSetup> {
    const identities = new Map<string, Identity | null>();
    const errors: { severity: "error"; path: string; message: string }[] = [];
    for (const spec of config.services) {
      try {
        identities.set(spec.name, await loadIdentity(spec, options.identityFiles));
      } catch (e) {
        if (!(e instanceof IdentityError)) throw e;
        errors.push({ severity: "error", path: "", message: e.message });
      }
    }
    if (errors.length > 0) throw new ConfigError(config.file, errors);
    return new ServiceSetup(identities, options);
  }

  /**
   * The hooks to give the supervisor.
   *
   * @param log Where to write probe and setup messages.
   * @returns `prepare` and `waitReady`.
   */
  hooks(log: SetupMessages): SetupHooks {
    return {
      prepare: (spec) => this.#prepare(spec, log),
      waitReady: (spec, child) => this.#waitReady(spec, child, log),
    };
  }

  async #prepare(spec: ServiceSpec, log: SetupMessages): Promise<PreparedService> {
    const identity = this.#identities.get(spec.name) ?? null;
    const ids = identity === null ? {} : { uid: identity.uid, gid: identity.gid };
    const base = this.#options.baseDir === undefined ? {} : { baseDir: this.#options.baseDir };
    const env: Record<string, string> = {};
    // USER, LOGNAME and HOME follow the user unless the service sets them itself.
    for (const [k, v] of Object.entries(identity?.environment ?? {})) {
      if (!(k in spec.environment)) env[k] = v;
    }
    if (identity !== null && spec.workingDirectory === null) {
      const cwd = Deno.cwd();
      const blocked = await firstBlockedDirectory(cwd, identity);
      if (blocked !== null) {
        log.message(
          spec.name,
          `warning: runs as uid ${identity.uid} but cannot enter ${JSON.stringify(blocked)} on ` +
            `the way to nimi's working directory; set nimi.workingDirectory (for example "/")`,
          "warning",
        );
      }
    }
    const credentials = await prepareCredentials(spec, { ...ids, ...base });
    Object.assign(env, credentials?.environment);
    let probes: ServiceProbes;
    try {
      probes = await openProbes(spec, {
        ...ids,
        ...base,
        exec: execOptions(spec, env, ids),
        onAttempt: attemptLogger(spec.name, log),
        onNotify: (m) => {
          const status = m.get("STATUS");
          if (status !== undefined) log.message(spec.name, `status: ${status}`);
        },
      });
    } catch (e) {
      await credentials?.remove();
      throw new Error(`${spec.name}: cannot set up probes: ${errorText(e)}`, { cause: e });
    }
    Object.assign(env, probes.environment);
    this.#probes.set(spec.name, probes);
    let released: Promise<void> | null = null;
    const release = () =>
      released ??= (async () => {
        try {
          await probes.close();
        } finally {
          await credentials?.remove();
        }
      })();
    return { env, ...ids, cleanup: release, release };
  }

  async #waitReady(spec: ServiceSpec, child: ServiceChild, log: SetupMessages): Promise<void> {
    const probes = this.#probes.get(spec.name);
    if (probes === undefined) return;
    const run = probes.run();
    if (spec.readiness?.type === "log" || spec.liveness?.type === "log") {
      const off = child.onLine((line) => run.feedLine(line));
      child.exited.addEventListener("abort", off, { once: true });
    }
    const watchLiveness = () => {
      if (!probes.hasLiveness || child.exited.aborted) return;
      run.watchLiveness(child.exited).then(async (failure) => {
        if (failure === null || child.exited.aborted) return;
        await child.stop(
          `liveness probe failed ${failure.failures} times in a row (${failure.detail})`,
        );
      }).catch((e) => log.message(spec.name, `liveness probe error: ${errorText(e)}`, "error"));
    };
    // Liveness watches a service that is up: it starts once the readiness probe passed, so a
    // slow start is not mistaken for a hang.
    if (!probes.hasReadiness) return watchLiveness();
    try {
      await run.waitReady(child.exited);
    } catch (e) {
      // The process exited before it was ready: the restart policy handles that, not us.
      if (child.exited.aborted) return;
      throw e;
    }
    watchLiveness();
  }
}

/**
 * The first directory on the way to `path` that `identity` cannot search (no `x` bit for it),
 * or null; uid 0 can enter anything.
 */
async function firstBlockedDirectory(path: string, identity: Identity): Promise<string | null> {
  if (identity.uid === 0) return null;
  const parts = path.split("/").filter((p) => p !== "");
  for (let i = 0; i <= parts.length; i++) {
    const dir = "/" + parts.slice(0, i).join("/");
    const info = await Deno.stat(dir);
    const mode = info.mode ?? 0o755;
    const bit = info.uid === identity.uid
      ? mode & 0o100
      : info.gid === identity.gid
      ? mode & 0o010
      : mode & 0o001;
    if (bit === 0) return dir;
  }
  return null;
}

/** The spawn options an exec probe shares with its service. */
function execOptions(
  spec: ServiceSpec,
  env: Record<string, string>,
  ids: { uid?: number; gid?: number },
): Pick<Deno.CommandOptions, "env" | "clearEnv" | "cwd" | "uid" | "gid"> {
  const { options } = spawnPlan(spec, { env, ...ids });
  const out: Pick<Deno.CommandOptions, "env" | "clearEnv" | "cwd" | "uid" | "gid"> = {};
  if (options.env !== undefined) out.env = options.env;
  if (options.clearEnv !== undefined) out.clearEnv = options.clearEnv;
  if (options.cwd !== undefined) out.cwd = options.cwd;
  if (options.uid !== undefined) out.uid = options.uid;
  if (options.gid !== undefined) out.gid = options.gid;
  return out;
}

/**
 * Logs probe attempts without flooding: readiness says when it starts waiting, when the reason
 * changes and when it passes; liveness says each failure and the recovery after one.
 */
function attemptLogger(
  name: string,
  log: SetupMessages,
): (role: ProbeRole, attempt: ProbeAttempt, n: number) => void {
  let lastReadiness = "";
  let livenessFailing = false;
  return (role, attempt, n) => {
    if (role === "readiness") {
      if (n === 1) lastReadiness = "";
      if (attempt.ok) log.message(name, `ready (${attempt.detail})`);
      else if (attempt.detail !== lastReadiness) {
        log.message(name, `not ready yet (${attempt.detail})`);
      }
      lastReadiness = attempt.detail;
    } else if (!attempt.ok) {
      livenessFailing = true;
      log.message(name, `liveness probe failed (${attempt.detail})`, "warning");
    } else if (livenessFailing) {
      livenessFailing = false;
      log.message(name, `liveness probe passes again (${attempt.detail})`);
    }
  };
}
