/**
 * How a service's process is started: the one place that turns a {@link ServiceSpec} into
 * `Deno.Command` options. Others extend it through {@link SpawnExtras} (credentials, user and
 * group) instead of building their own options.
 *
 * @module
 */
import type { ServiceSpec } from "../config/mod.ts";

/** What the supervisor adds to a service's own settings. */
export interface SpawnExtras {
  /** Variables set on top of the service's `nimi.environment` (XDG_CONFIG_HOME, ...). */
  env?: Readonly<Record<string, string>>;
  /** Numeric user id to run as (needs privileges). */
  uid?: number;
  /** Numeric group id to run as (needs privileges). */
  gid?: number;
}

/** A program and the options to start it with. */
export interface SpawnPlan {
  /** The program (`argv[0]`), looked up in PATH when it has no slash. */
  program: string;
  /** Options for `new Deno.Command(program, options)`. */
  options: Deno.CommandOptions;
}

/**
 * Builds the spawn plan: no shell, own process group and session (`detached`), stdin from
 * /dev/null (nimi's with `nimi.stdin: "inherit"`), stdout and stderr piped to nimi (nimi's own
 * with `nimi.output: "inherit"`), environment inherited (unless
 * `nimi.inheritEnvironment` is false) plus `nimi.environment` plus the extras.
 *
 * @param spec The service.
 * @param extras What the supervisor adds.
 * @returns Program and options.
 * @example
 * ```ts
 * const { program, options } = spawnPlan(spec, { env: { XDG_CONFIG_HOME: "/run/x" } });
 * new Deno.Command(program, options).spawn();
 * ```
 */
export function spawnPlan(spec: ServiceSpec, extras: SpawnExtras = {}): SpawnPlan {
  const [program, ...args] = spec.argv;
  if (program === undefined) throw new TypeError(`Service "${spec.name}" has an empty argv`);
  const options: Deno.CommandOptions = {
    args,
    env: { ...spec.environment, ...extras.env },
    clearEnv: !spec.inheritEnvironment,
    stdin: spec.stdin === "inherit" ? "inherit" : "null",
    stdout: spec.output === "inherit" ? "inherit" : "piped",
    stderr: spec.output === "inherit" ? "inherit" : "piped",
    detached: true,
  };
  if (spec.workingDirectory !== null) options.cwd = spec.workingDirectory;
  if (extras.uid !== undefined) options.uid = extras.uid;
  if (extras.gid !== undefined) options.gid = extras.gid;
  return { program, options };
}
