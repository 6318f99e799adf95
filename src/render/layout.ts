/**
 * Names and paths of a rendered deployment: the instance name of each service (`--prefix`) and
 * where its state lives under the state directory (`--state-dir`).
 *
 * @module
 */

import { RenderError } from "./render_error.ts";

/** Where one service's run-time files live. */
export interface ServicePaths {
  /** Prefixed name (`a-web`). */
  instance: string;
  /** The service's own directory under the state directory. */
  dir: string;
  /** Its configData directory, given to it as `XDG_CONFIG_HOME`. */
  configDir: string;
  /** Its credentials directory, given to it as `CREDENTIALS_DIRECTORY`. */
  credentialsDir: string;
  /** Pid file, for targets that track the process by file. */
  pidFile: string;
  /** Output log, for targets that write output to a file. */
  logFile: string;
}

/**
 * The paths of one service.
 *
 * @param stateDir Absolute state directory.
 * @param prefix The instance prefix.
 * @param name Flattened service name.
 * @returns Instance name and paths (instance-named, so instances may share a state directory).
 */
export function servicePaths(stateDir: string, prefix: string, name: string): ServicePaths {
  const instance = `${prefix}${name}`;
  const dir = `${stateDir.replace(/\/+$/, "") || "/"}/${instance}`.replace(/^\/\//, "/");
  return {
    instance,
    dir,
    configDir: `${dir}/config`,
    credentialsDir: `${dir}/credentials`,
    pidFile: `${dir}/pid`,
    logFile: `${dir}/output.log`,
  };
}

/** What {@link defaultStateDir} needs to know. */
export interface StateDirContext {
  /** The instance prefix. */
  prefix: string;
  /** `--user`. */
  user: boolean;
  /** Whether the target runs services in containers. */
  container: boolean;
  /** Environment (HOME, XDG_STATE_HOME). */
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * The state directory when `--state-dir` is not given: `/var/lib/<prefix>nimi` for system
 * services and containers, `$XDG_STATE_HOME/<prefix>nimi` (or `~/.local/state/...`) with --user.
 *
 * @param ctx Prefix, mode and environment.
 * @returns An absolute path.
 * @throws {RangeError} With --user when neither XDG_STATE_HOME nor HOME is set.
 */
export function defaultStateDir(ctx: StateDirContext): string {
  const leaf = `${ctx.prefix}nimi`;
  if (ctx.container || !ctx.user) return `/var/lib/${leaf}`;
  const xdg = ctx.env["XDG_STATE_HOME"];
  if (xdg !== undefined && xdg.startsWith("/")) return `${xdg}/${leaf}`;
  const home = ctx.env["HOME"];
  if (home === undefined || !home.startsWith("/")) {
    throw new RangeError("--user needs HOME or XDG_STATE_HOME set, or give --state-dir");
  }
  return `${home}/.local/state/${leaf}`;
}

/**
 * A name reduced to what strict targets accept (Kubernetes, Procfile, shell variables).
 *
 * @param name A prefixed service name.
 * @param allowed Characters kept; others become `replacement`.
 * @param replacement What replaces the others.
 * @returns The cleaned name.
 */
export function cleanName(name: string, allowed: RegExp, replacement: string): string {
  return [...name].map((c) => (allowed.test(c) ? c : replacement)).join("");
}

/**
 * Checks that cleaned names stay distinct.
 *
 * @param names Target name by flattened service name.
 * @param target The target, for the message.
 * @throws {RenderError} When two services get the same name.
 */
export function assertUniqueNames(names: ReadonlyMap<string, string>, target: string): void {
  const seen = new Map<string, string>();
  for (const [service, name] of names) {
    const other = seen.get(name);
    if (other !== undefined) {
      throw new RenderError(
        `Cannot render for ${target}: services "${other}" and "${service}" both become "${name}"`,
      );
    }
    seen.set(name, service);
  }
}
