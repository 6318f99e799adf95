/**
 * Where a running nimi's control socket lives: `$XDG_RUNTIME_DIR/nimi/<name>.sock`, else
 * `/run/nimi/<name>.sock` as root, else `<tmp>/nimi-<uid>/<name>.sock`; the directory is
 * private (0700, owned by nimi's user), the socket 0600. `--socket PATH` overrides the path,
 * `--name NAME` picks the instance (default `default`). The clients find nimi the same way.
 *
 * @module
 */
import { dirname, join } from "../path.ts";

/** The instance name when `--name` is not given. */
export const DEFAULT_INSTANCE = "default";

const VALID_INSTANCE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * Why an instance name cannot be used, or null.
 *
 * @param name The `--name` value.
 * @returns A message, or null when it is fine.
 * @example
 * ```ts
 * instanceNameProblem("web/1"); // 'must be letters, digits, "_", "." and "-" ...'
 * ```
 */
export function instanceNameProblem(name: string): string | null {
  if (VALID_INSTANCE.test(name)) return null;
  return `--name must be letters, digits, "_", "." and "-" (at most 64, starting with a letter ` +
    `or digit), got ${JSON.stringify(name)}`;
}

/** What the default path depends on. */
export interface SocketEnvironment {
  /** `$XDG_RUNTIME_DIR`, when set and non-empty. */
  runtimeDir: string | null;
  /** nimi's uid. */
  uid: number;
  /** The system temporary directory. */
  tmpDir: string;
}

/**
 * The default socket path of an instance. Pure.
 *
 * @param name The instance name.
 * @param env The runtime directory, uid and temp dir.
 * @returns The path.
 * @example
 * ```ts
 * defaultSocketPath("default", { runtimeDir: null, uid: 0, tmpDir: "/tmp" }); // "/run/nimi/default.sock"
 * ```
 */
export function defaultSocketPath(name: string, env: SocketEnvironment): string {
  const file = `${name}.sock`;
  if (env.runtimeDir !== null) return join(env.runtimeDir, "nimi", file);
  if (env.uid === 0) return join("/run/nimi", file);
  return join(env.tmpDir, `nimi-${env.uid}`, file);
}

/**
 * The environment of this process, for {@link defaultSocketPath}.
 *
 * @returns Runtime dir, uid and temp dir.
 */
export function currentSocketEnvironment(): SocketEnvironment {
  const runtime = Deno.env.get("XDG_RUNTIME_DIR");
  return {
    runtimeDir: runtime === undefined || runtime === "" ? null : runtime,
    uid: Deno.uid() ?? 0,
    tmpDir: Deno.env.get("TMPDIR") || "/tmp",
  };
}

/**
 * The socket path the command line asks for.
 *
 * @param socket `--socket`, or null.
 * @param name `--name`, or null for the default instance.
 * @returns The path.
 */
export function socketPath(socket: string | null, name: string | null): string {
  return socket ?? defaultSocketPath(name ?? DEFAULT_INSTANCE, currentSocketEnvironment());
}

/**
 * Creates the default socket directory (0700), or checks that an existing one is nimi's own:
 * a real directory (not a symlink), owned by nimi's user, with no access for others.
 *
 * @param socket The socket path (its directory is checked).
 * @returns The directory.
 * @throws {Error} Naming the directory and what is wrong with it.
 */
export async function ensurePrivateDir(socket: string): Promise<string> {
  const dir = dirname(socket);
  try {
    // A scratch container may have no /run yet: make it as an ordinary root directory.
    if (dirname(dir) === "/run") await Deno.mkdir("/run", { recursive: true, mode: 0o755 });
    await Deno.mkdir(dir, { mode: 0o700 });
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) {
      throw new Error(`cannot create control directory "${dir}": ${errorText(e)}`, { cause: e });
    }
  }
  const info = await Deno.lstat(dir);
  const uid = Deno.uid();
  if (info.isSymlink || !info.isDirectory) {
    throw new Error(`control directory "${dir}" is not a directory (a symlink or a file)`);
  }
  if (uid !== null && info.uid !== uid) {
    throw new Error(`control directory "${dir}" belongs to uid ${info.uid}, not to nimi (${uid})`);
  }
  if (((info.mode ?? 0) & 0o077) !== 0) {
    const mode = ((info.mode ?? 0) & 0o777).toString(8).padStart(4, "0");
    throw new Error(`control directory "${dir}" is open to others (mode ${mode}, want 0700)`);
  }
  return dir;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
