/**
 * Preparing a unit before it starts, in one place and one order: its configData directory
 * (`XDG_CONFIG_HOME`), its credentials (`CREDENTIALS_DIRECTORY`), its probes (`NOTIFY_SOCKET`),
 * and then the one spawn plan its process and its exec probes share, so a probe sees exactly
 * the service's environment. Everything is undone by {@link PreparedUnit.release} when the unit
 * has ended for good.
 *
 * @module
 */
import { createConfigDir, removeConfigDir } from "./config_dir.ts";
import { prepareCredentials } from "./credentials.ts";
import type { Identity } from "./identity.ts";
import { launchPlan, type UnitPlan } from "./plan.ts";
import { openProbes, type ProbeRole, type ServiceProbes } from "./probe.ts";
import type { ExecProbeOptions } from "./probe_exec.ts";
import { errorText, type ProbeAttempt } from "./probe_loop.ts";
import type { SpawnPlan } from "./spawn_options.ts";

/** Where preparation puts things and reports. */
export interface PrepareOptions {
  /** Parent of the configData directory (null: the temp dir). */
  configDirBase: string | null;
  /** Parent of the credentials and notify directories. @default the temp dir */
  baseDir?: string;
  /**
   * Writes one nimi message about the unit.
   *
   * @param text The message.
   * @param level How serious it is (its journal priority). @default "info"
   */
  message(text: string, level?: "info" | "warning" | "error"): void;
  /**
   * Called after each probe attempt (liveness results give the unit's health).
   *
   * @param role Which probe.
   * @param ok Whether it passed.
   */
  onProbe?(role: ProbeRole, ok: boolean): void;
}

/** A prepared unit. */
export interface PreparedUnit {
  /** How to spawn its process (also what exec probes run with). */
  readonly launch: SpawnPlan;
  /** Its probes, or null when it has none. */
  readonly probes: ServiceProbes | null;
  /** Removes what preparation created. Idempotent. */
  release(): Promise<void>;
}

/**
 * Prepares a unit.
 *
 * @param unit The unit's plan.
 * @param options Directories and callbacks.
 * @returns The spawn plan, probes and the release function.
 * @throws {Error} Naming the service when a part cannot be prepared; what was created is
 *   removed first.
 */
export async function prepareUnit(unit: UnitPlan, options: PrepareOptions): Promise<PreparedUnit> {
  const { spec, identity } = unit;
  const ids = identity === null ? {} : { uid: identity.uid, gid: identity.gid };
  const base = options.baseDir === undefined ? {} : { baseDir: options.baseDir };
  const undo: (() => Promise<void>)[] = [];
  const release = async () => {
    const steps = undo.splice(0).reverse();
    for (const step of steps) await step();
  };
  try {
    const runtime: Record<string, string> = {};
    if (spec.configData.length > 0) {
      // Owned by the service's user, so it can read its configData (docs/run.md).
      const dir = await createConfigDir(spec, options.configDirBase, ids);
      undo.push(() => removeConfigDir(dir));
      runtime.XDG_CONFIG_HOME = dir;
    }
    if (identity !== null && spec.workingDirectory === null) {
      const blocked = await firstBlockedDirectory(Deno.cwd(), identity);
      if (blocked !== null) {
        options.message(
          `warning: runs as uid ${identity.uid} but cannot enter ${JSON.stringify(blocked)} on ` +
            `the way to nimi's working directory; set nimi.workingDirectory (for example "/")`,
          "warning",
        );
      }
    }
    const credentials = await prepareCredentials(spec, { ...ids, ...base });
    if (credentials !== null) {
      undo.push(() => credentials.remove());
      Object.assign(runtime, credentials.environment);
    }
    let launch: SpawnPlan | null = null;
    let probes: ServiceProbes | null = null;
    if (spec.readiness !== null || spec.liveness !== null) {
      try {
        probes = await openProbes(spec, {
          ...ids,
          ...base,
          exec: () => execOptions(launch!),
          onAttempt: attemptLogger(options),
          onNotify: (m) => {
            const status = m.get("STATUS");
            if (status !== undefined) options.message(`status: ${status}`);
          },
        });
      } catch (e) {
        throw new Error(`${spec.name}: cannot set up probes: ${errorText(e)}`, { cause: e });
      }
      const opened = probes;
      undo.push(() => opened.close());
      Object.assign(runtime, probes.environment);
    }
    launch = launchPlan(unit, runtime);
    let released: Promise<void> | null = null;
    return { launch, probes, release: () => released ??= release() };
  } catch (e) {
    await release();
    throw e;
  }
}

/** The spawn options an exec probe shares with its service. */
function execOptions(launch: SpawnPlan): ExecProbeOptions {
  const { options } = launch;
  const out: ExecProbeOptions = {};
  if (options.env !== undefined) out.env = options.env;
  if (options.clearEnv !== undefined) out.clearEnv = options.clearEnv;
  if (options.cwd !== undefined) out.cwd = options.cwd;
  if (options.uid !== undefined) out.uid = options.uid;
  if (options.gid !== undefined) out.gid = options.gid;
  return out;
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

/**
 * Logs probe attempts without flooding: readiness says when it starts waiting, when the reason
 * changes and when it passes; liveness says each failure and the recovery after one.
 */
function attemptLogger(
  options: PrepareOptions,
): (role: ProbeRole, attempt: ProbeAttempt, n: number) => void {
  let lastReadiness = "";
  let livenessFailing = false;
  return (role, attempt, n) => {
    options.onProbe?.(role, attempt.ok);
    if (role === "readiness") {
      if (n === 1) lastReadiness = "";
      if (attempt.ok) options.message(`ready (${attempt.detail})`);
      else if (attempt.detail !== lastReadiness) {
        options.message(`not ready yet (${attempt.detail})`);
      }
      lastReadiness = attempt.detail;
    } else if (!attempt.ok) {
      livenessFailing = true;
      options.message(`liveness probe failed (${attempt.detail})`, "warning");
    } else if (livenessFailing) {
      livenessFailing = false;
      options.message(`liveness probe passes again (${attempt.detail})`);
    }
  };
}
