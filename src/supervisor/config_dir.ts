/**
 * A service's configData directory: private (0700), with an unpredictable name under
 * `$XDG_RUNTIME_DIR` (or the temp dir), holding a symlink to each entry's `source` at its
 * relative `path` (or a 0600 file with its `text`), removed when nimi exits. The service finds
 * it as `$XDG_CONFIG_HOME`.
 *
 * @module
 */
import { dirname, join } from "../path.ts";
import type { ServiceSpec } from "../config/mod.ts";

/**
 * Where configData directories go: `$XDG_RUNTIME_DIR` when it is set and a directory, else
 * null (the system temp dir).
 *
 * @returns A base directory or null.
 */
export function configDirBase(): string | null {
  const runtime = Deno.env.get("XDG_RUNTIME_DIR");
  if (!runtime) return null;
  try {
    return Deno.statSync(runtime).isDirectory ? runtime : null;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.PermissionDenied) {
      return null;
    }
    throw e;
  }
}

/** Who owns a configData directory: the service's user, when it runs as another one. */
export interface ConfigDirOwner {
  /** The service's uid. */
  uid?: number;
  /** The service's gid. */
  gid?: number;
}

/**
 * Creates a service's configData directory and fills it. Nothing in it is followed: each
 * directory on an entry's way is created by nimi (an existing one must be a real directory,
 * not a symlink), text files are created exclusively, and a source must exist.
 *
 * @param spec The service (its `configData` must not be empty).
 * @param base Parent directory, or null for the system temp dir.
 * @param owner The service's user and group: the directory, its subdirectories and text
 *   files are theirs, so a service running as another user can read its own configData.
 * @returns The directory's path.
 * @throws {Error} When it cannot be created; the message names the service and file.
 */
export async function createConfigDir(
  spec: ServiceSpec,
  base: string | null,
  owner: ConfigDirOwner = {},
): Promise<string> {
  // makeTempDir picks a random name and creates it with mode 0700.
  const dir = await Deno.makeTempDir({
    prefix: `nimi-${spec.name}-`,
    ...(base === null ? {} : { dir: base }),
  });
  await Deno.chmod(dir, 0o700);
  const chown = owner.uid === undefined && owner.gid === undefined
    ? async (_: string) => {}
    : (path: string) => Deno.chown(path, owner.uid ?? null, owner.gid ?? null);
  try {
    await chown(dir);
    for (const f of spec.configData) {
      const target = join(dir, f.path);
      await makeDirectories(dir, dirname(f.path), chown);
      if (f.source !== null) {
        await Deno.stat(f.source).catch((e) => {
          throw new Error(
            `source ${JSON.stringify(f.source)} of configData ${JSON.stringify(f.key)}: ${
              e instanceof Deno.errors.NotFound ? "no such file" : errorText(e)
            }`,
            { cause: e },
          );
        });
        await Deno.symlink(f.source, target);
      } else {
        await Deno.writeTextFile(target, f.text ?? "", { mode: 0o600, createNew: true });
        await chown(target);
      }
    }
  } catch (e) {
    await removeConfigDir(dir);
    throw new Error(
      `Cannot prepare configData of service "${spec.name}" in "${dir}": ${
        e instanceof Error ? e.message : e
      }`,
      { cause: e },
    );
  }
  return dir;
}

/**
 * Creates each directory of `relative` under `root`, one component at a time, refusing a
 * component that exists as anything but a real directory (a symlink would lead outside).
 */
async function makeDirectories(
  root: string,
  relative: string,
  chown: (path: string) => Promise<void>,
): Promise<void> {
  if (relative === "." || relative === "") return;
  let path = root;
  for (const part of relative.split("/")) {
    path = join(path, part);
    try {
      await Deno.mkdir(path, { mode: 0o700 });
      await chown(path);
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
      const info = await Deno.lstat(path);
      if (!info.isDirectory || info.isSymlink) {
        throw new Error(`"${path}" exists and is not a directory; refusing to follow it`);
      }
    }
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Removes a configData directory (symlinks only, never their targets).
 *
 * @param dir The directory.
 * @returns A promise that resolves once it is gone.
 */
export async function removeConfigDir(dir: string): Promise<void> {
  try {
    await Deno.remove(dir, { recursive: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}
