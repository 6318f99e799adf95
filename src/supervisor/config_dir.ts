/**
 * A service's configData directory: private (0700), with an unpredictable name under
 * `$XDG_RUNTIME_DIR` (or the temp dir), holding a symlink to each entry's `source` at its
 * relative `path` (or a 0600 file with its `text`), removed when nimi exits. The service finds
 * it as `$XDG_CONFIG_HOME`.
 *
 * @module
 */
import { dirname, join } from "node:path";
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

/**
 * Creates a service's configData directory and fills it.
 *
 * @param spec The service (its `configData` must not be empty).
 * @param base Parent directory, or null for the system temp dir.
 * @returns The directory's path.
 * @throws {Error} When it cannot be created; the message names the service and file.
 */
export async function createConfigDir(spec: ServiceSpec, base: string | null): Promise<string> {
  // makeTempDir picks a random name and creates it with mode 0700.
  const dir = await Deno.makeTempDir({
    prefix: `nimi-${spec.name}-`,
    ...(base === null ? {} : { dir: base }),
  });
  await Deno.chmod(dir, 0o700);
  try {
    for (const f of spec.configData) {
      const target = join(dir, f.path);
      await Deno.mkdir(dirname(target), { recursive: true, mode: 0o700 });
      if (f.source !== null) await Deno.symlink(f.source, target);
      else await Deno.writeTextFile(target, f.text ?? "", { mode: 0o600, createNew: true });
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
