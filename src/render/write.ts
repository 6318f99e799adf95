/**
 * The I/O edge of `nimi render`: writes rendered files into the output directory and creates
 * the state directories a deployment needs.
 *
 * @module
 */
import type { RenderedFile } from "./types.ts";

/**
 * Writes files under a directory, creating parent directories; existing files are replaced.
 *
 * @param outDir The output directory (created when missing).
 * @param files Files with paths relative to it.
 * @returns The absolute-or-given paths written, in order.
 * @throws {Error} When a path escapes the directory or a write fails (the message names the path).
 */
export async function writeRendered(
  outDir: string,
  files: readonly RenderedFile[],
): Promise<string[]> {
  const written: string[] = [];
  await Deno.mkdir(outDir, { recursive: true });
  for (const f of files) {
    if (f.path.startsWith("/") || f.path.split("/").includes("..")) {
      throw new RangeError(`Cannot write "${f.path}": path leaves the output directory`);
    }
    const full = `${outDir.replace(/\/+$/, "")}/${f.path}`;
    const slash = full.lastIndexOf("/");
    try {
      if (slash > 0) await Deno.mkdir(full.slice(0, slash), { recursive: true });
      await Deno.writeTextFile(full, f.content, { mode: f.mode });
      await Deno.chmod(full, f.mode);
    } catch (e) {
      throw new Error(`Cannot write "${full}": ${(e as Error).message}`, { cause: e });
    }
    written.push(full);
  }
  return written;
}

/**
 * Creates directories (mode 0700) that must exist before a rendered deployment starts.
 *
 * @param dirs Absolute paths.
 * @throws {Error} When one cannot be created (the message names it).
 */
export async function createStateDirs(dirs: readonly string[]): Promise<void> {
  for (const d of dirs) {
    try {
      await Deno.mkdir(d, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new Error(`Cannot create state directory "${d}": ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
}
