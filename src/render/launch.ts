/**
 * What a service needs done right before its program starts, as shell steps: its configData
 * directory (`XDG_CONFIG_HOME`), credential copies (`CREDENTIALS_DIRECTORY`), working directory
 * and environment. Targets without these features run the steps in their start script or wrap
 * argv in `/bin/sh -c`; targets with native support take the parts they can express.
 *
 * @module
 */
import type { ServiceSpec } from "../config/types.ts";
import type { ServicePaths } from "./layout.ts";
import { printfFormat, shJoin, shQuote } from "./sh_quote.ts";

/** Which parts the target expresses itself. */
export interface LaunchOptions {
  /** The target sets environment variables itself (used when inheritEnvironment is true). */
  nativeEnv: boolean;
  /** The target sets the working directory itself. */
  nativeWorkdir: boolean;
  /** The target provides credentials itself (CREDENTIALS_DIRECTORY is then not set here). */
  nativeCredentials: boolean;
  /** Argv prefix that switches user (`chpst -u u:g`), put before the program. */
  runAs?: readonly string[];
  /** `user[:group]` to own the config and credential directories (steps run as root). */
  owner?: string;
}

/** How to start a service. */
export interface Launch {
  /** Shell commands, each on one line, run in order before the program (stop on failure). */
  steps: string[];
  /** Argv put before the program (`env -i K=V`, user switch). */
  execPrefix: string[];
  /** Variables the target must set itself (empty unless nativeEnv). */
  env: Record<string, string>;
}

/**
 * The commands that materialise a service's configData directory: removed and rebuilt at each
 * start so deleted entries disappear; private (umask 077). Text is written out; an entry with
 * only a source becomes a symlink to it.
 *
 * @param spec The service.
 * @param paths Its paths.
 * @param owner `user[:group]` to hand the directory to, when the step runs as root.
 * @returns One shell command (single line), or null when it has no configData.
 */
export function configDataStep(
  spec: ServiceSpec,
  paths: ServicePaths,
  owner?: string,
): string | null {
  if (spec.configData.length === 0) return null;
  const dir = paths.configDir;
  const parts = [`umask 077`, `rm -rf ${shQuote(dir)}`, `mkdir -p ${shQuote(dir)}`];
  for (const f of spec.configData) {
    const target = `${dir}/${f.path}`;
    const slash = f.path.lastIndexOf("/");
    if (slash > 0) parts.push(`mkdir -p ${shQuote(`${dir}/${f.path.slice(0, slash)}`)}`);
    if (f.text !== null) {
      parts.push(`printf ${shQuote(printfFormat(f.text))} > ${shQuote(target)}`);
    } else parts.push(`ln -s ${shQuote(f.source ?? "")} ${shQuote(target)}`);
  }
  if (owner !== undefined) parts.push(`chown -R ${shQuote(owner)} ${shQuote(dir)}`);
  return `(${parts.join(" && ")})`;
}

/**
 * The commands that copy credentials into a private directory (files 0400).
 *
 * @param spec The service.
 * @param paths Its paths.
 * @param owner `user[:group]` to hand the directory to, when the step runs as root.
 * @returns One shell command (single line), or null when it has no credentials.
 */
export function credentialsStep(
  spec: ServiceSpec,
  paths: ServicePaths,
  owner?: string,
): string | null {
  if (spec.credentials.length === 0) return null;
  const dir = paths.credentialsDir;
  const parts = [`umask 077`, `rm -rf ${shQuote(dir)}`, `mkdir -p ${shQuote(dir)}`];
  for (const c of spec.credentials) {
    const target = `${dir}/${c.name}`;
    parts.push(`cp ${shQuote(c.path)} ${shQuote(target)}`, `chmod 0400 ${shQuote(target)}`);
  }
  if (owner !== undefined) parts.push(`chown -R ${shQuote(owner)} ${shQuote(dir)}`);
  return `(${parts.join(" && ")})`;
}

/**
 * Plans the start of a service whose `run` script does everything itself (s6, runit):
 * environment, working directory and credentials in shell, then the user switch.
 *
 * @param spec The service.
 * @param paths Its paths.
 * @param runAs The target's user-switch command (empty: none).
 * @returns The plan.
 */
export function planScriptLaunch(spec: ServiceSpec, paths: ServicePaths, runAs: string[]): Launch {
  const owner = runAs.length > 0 ? ownerOf(spec) : undefined;
  return planLaunch(spec, paths, {
    nativeEnv: false,
    nativeWorkdir: false,
    nativeCredentials: false,
    runAs,
    ...(owner !== undefined ? { owner } : {}),
  });
}

/**
 * Plans a service's start: steps, argv prefix and the environment the target sets.
 *
 * @param spec The service.
 * @param paths Its paths.
 * @param options What the target does natively.
 * @returns The plan.
 */
export function planLaunch(spec: ServiceSpec, paths: ServicePaths, options: LaunchOptions): Launch {
  const steps: string[] = [];
  const env: Record<string, string> = { ...spec.environment };
  const config = configDataStep(spec, paths, options.owner);
  if (config !== null) {
    steps.push(config);
    env["XDG_CONFIG_HOME"] = paths.configDir;
  }
  if (!options.nativeCredentials) {
    const creds = credentialsStep(spec, paths, options.owner);
    if (creds !== null) {
      steps.push(creds);
      env["CREDENTIALS_DIRECTORY"] = paths.credentialsDir;
    }
  }
  if (spec.workingDirectory !== null && !options.nativeWorkdir) {
    steps.push(`cd ${shQuote(spec.workingDirectory)}`);
  }
  const execPrefix: string[] = [...(options.runAs ?? [])];
  if (!spec.inheritEnvironment) {
    execPrefix.push("/usr/bin/env", "-i", ...Object.entries(env).map(([k, v]) => `${k}=${v}`));
    return { steps, execPrefix, env: {} };
  }
  if (options.nativeEnv) return { steps, execPrefix, env };
  for (const [k, v] of Object.entries(env)) steps.push(`export ${k}=${shQuote(v)}`);
  return { steps, execPrefix, env: {} };
}

/**
 * The argv that performs a launch plan: the service's own argv when there are no steps, else
 * `/bin/sh -c '<steps> && exec "$0" "$@"' argv...`, one line of shell.
 *
 * @param spec The service.
 * @param launch The plan.
 * @returns Argv for targets that take a program and arguments.
 */
export function launchArgv(spec: ServiceSpec, launch: Launch): string[] {
  const argv = [...launch.execPrefix, ...spec.argv];
  if (launch.steps.length === 0) return argv;
  const prefix = launch.execPrefix.length === 0 ? "" : `${shJoin(launch.execPrefix)} `;
  return [
    "/bin/sh",
    "-c",
    `${launch.steps.join(" && ")} && exec ${prefix}"$0" "$@"`,
    ...spec.argv,
  ];
}

/**
 * The lines of a start script that performs a launch plan and execs the program.
 *
 * @param spec The service.
 * @param launch The plan.
 * @returns Shell lines; the last one is `exec ...`.
 */
export function launchLines(spec: ServiceSpec, launch: Launch): string[] {
  return [
    ...launch.steps.map((s) => (s.startsWith("export ") ? s : `${s} || exit 1`)),
    `exec ${shJoin([...launch.execPrefix, ...spec.argv])}`,
  ];
}

/**
 * How an init script (rc.subr, openrc-run) starts a service: its pre-start function, run as
 * root, makes the state directory, the configData directory and the credential copies (each
 * step returns on failure); the program then starts through `/usr/bin/env` with its
 * environment. The script sets the working directory and the user itself.
 *
 * @param spec The service.
 * @param paths Its paths.
 * @param owner `user[:group]` to hand the directories to, when the service switches user.
 * @returns The pre-start steps, and the argv that starts the program.
 */
export function initScriptLaunch(
  spec: ServiceSpec,
  paths: ServicePaths,
  owner: string | undefined,
): { pre: string[]; argv: string[] } {
  const pre = [`mkdir -p ${shQuote(paths.dir)} || return 1`];
  const env: Record<string, string> = { ...spec.environment };
  const config = configDataStep(spec, paths, owner);
  if (config !== null) {
    pre.push(`${config} || return 1`);
    env["XDG_CONFIG_HOME"] = paths.configDir;
  }
  const creds = credentialsStep(spec, paths, owner);
  if (creds !== null) {
    pre.push(`${creds} || return 1`);
    env["CREDENTIALS_DIRECTORY"] = paths.credentialsDir;
  }
  const argv = [
    "/usr/bin/env",
    ...(spec.inheritEnvironment ? [] : ["-i"]),
    ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
    ...spec.argv,
  ];
  return { pre, argv };
}

/**
 * The owner for {@link LaunchOptions.owner}: `user`, `user:group`, or undefined.
 *
 * @param spec The service.
 * @returns The chown argument, or undefined when the service keeps the caller's identity.
 */
export function ownerOf(spec: ServiceSpec): string | undefined {
  if (spec.user === null) return undefined;
  return spec.group === null ? String(spec.user) : `${spec.user}:${spec.group}`;
}
