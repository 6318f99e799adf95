/**
 * The I/O edge of `nimi render`: writes rendered files into the output directory, which render
 * owns (a manifest lists what it wrote, so a later render replaces all of it and nothing else),
 * and creates the state directories a deployment needs.
 *
 * @module
 */
import { RenderError } from "./render_error.ts";
import type { RenderedFile } from "./types.ts";

/** The manifest's file name inside the output directory. */
export const MANIFEST = ".nimi-render.json";

/** What the manifest says. */
interface Manifest {
  /** Which target wrote the files. */
  target: string;
  /** Relative paths written. */
  files: string[];
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isNotFound(e: unknown): boolean {
  return e instanceof Deno.errors.NotFound;
}

function relativeSafe(path: string): boolean {
  return path !== "" && !path.startsWith("/") &&
    !path.split("/").some((p) => p === ".." || p === "");
}

async function readManifest(outDir: string): Promise<Manifest | null> {
  let text: string;
  try {
    const info = await Deno.lstat(`${outDir}/${MANIFEST}`);
    if (!info.isFile) return null;
    text = await Deno.readTextFile(`${outDir}/${MANIFEST}`);
  } catch (e) {
    if (isNotFound(e)) return null;
    throw new RenderError(`Cannot read "${outDir}/${MANIFEST}": ${message(e)}`, { cause: e });
  }
  try {
    const m = JSON.parse(text) as Manifest;
    if (typeof m.target === "string" && Array.isArray(m.files)) {
      return { target: m.target, files: m.files.filter((f) => typeof f === "string") };
    }
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
  }
  throw new RenderError(
    `Cannot render into "${outDir}": its ${MANIFEST} is not one nimi wrote; remove it or give ` +
      `another --out`,
  );
}

/**
 * Makes sure the output directory may be written: created when missing, refused when it is not
 * a directory or holds files an earlier render did not write.
 *
 * @param outDir The output directory.
 * @returns The earlier render's manifest, or null for a new or empty directory.
 * @throws {RenderError} When the directory cannot be used (exit code 2).
 */
export async function claimOutDir(outDir: string): Promise<Manifest | null> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(outDir);
  } catch (e) {
    if (!isNotFound(e)) {
      throw new RenderError(`Cannot render into "${outDir}": ${message(e)}`, { cause: e });
    }
    try {
      await Deno.mkdir(outDir, { recursive: true });
    } catch (e2) {
      throw new RenderError(`Cannot create --out "${outDir}": ${message(e2)}`, { cause: e2 });
    }
    return null;
  }
  if (!info.isDirectory) {
    throw new RenderError(`Cannot render into "${outDir}" (--out): not a directory`);
  }
  const manifest = await readManifest(outDir);
  if (manifest !== null) return manifest;
  try {
    for await (const entry of Deno.readDir(outDir)) {
      throw new RenderError(
        `Cannot render into "${outDir}" (--out): it holds "${entry.name}" and files nimi did not ` +
          `write (no ${MANIFEST}); give a new or empty directory`,
      );
    }
  } catch (e) {
    if (e instanceof RenderError) throw e;
    throw new RenderError(`Cannot read --out "${outDir}": ${message(e)}`, { cause: e });
  }
  return null;
}

/** Removes an earlier render's files (never following links), then directories left empty. */
async function removeEarlier(outDir: string, manifest: Manifest): Promise<void> {
  const dirs = new Set<string>();
  for (const f of manifest.files) {
    if (!relativeSafe(f) || f === MANIFEST) continue;
    try {
      await Deno.remove(`${outDir}/${f}`);
    } catch (e) {
      if (!isNotFound(e)) {
        throw new RenderError(`Cannot remove "${outDir}/${f}": ${message(e)}`, { cause: e });
      }
    }
    const parts = f.split("/");
    for (let i = parts.length - 1; i > 0; i--) dirs.add(parts.slice(0, i).join("/"));
  }
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) {
    try {
      await Deno.remove(`${outDir}/${d}`);
    } catch (e) {
      // A directory still holding someone else's files stays.
      const notEmpty = (e as { code?: string }).code === "ENOTEMPTY";
      if (!isNotFound(e) && !notEmpty) {
        throw new RenderError(`Cannot remove "${outDir}/${d}": ${message(e)}`, { cause: e });
      }
    }
  }
}

/**
 * Writes files under the output directory. An earlier render's files there are removed first
 * (the manifest lists them), so a removed service leaves nothing behind; a directory holding
 * other files is refused. Each file is written beside its name and renamed into place, so a
 * planted symbolic link is replaced rather than followed.
 *
 * @param outDir The output directory (created when missing).
 * @param files Files with paths relative to it.
 * @param target The target's name, recorded in the manifest.
 * @returns The paths written, in order.
 * @throws {RenderError} When the directory cannot be used or a write fails (the message names
 *   the path; exit code 2).
 */
export async function writeRendered(
  outDir: string,
  files: readonly RenderedFile[],
  target = "render",
): Promise<string[]> {
  const dir = outDir.replace(/(.)\/+$/, "$1");
  for (const f of files) {
    if (!relativeSafe(f.path) || f.path === MANIFEST) {
      throw new RangeError(`Cannot write "${f.path}": path leaves the output directory`);
    }
  }
  const earlier = await claimOutDir(dir);
  if (earlier !== null) await removeEarlier(dir, earlier);
  const manifest: Manifest = { target, files: files.map((f) => f.path) };
  await writeOne(dir, {
    path: MANIFEST,
    content: JSON.stringify(manifest, null, 2) + "\n",
    mode: 0o644,
  });
  const written: string[] = [];
  for (const f of files) written.push(await writeOne(dir, f));
  return written;
}

async function writeOne(dir: string, f: RenderedFile): Promise<string> {
  const full = `${dir}/${f.path}`;
  const slash = full.lastIndexOf("/");
  const temp = `${full.slice(0, slash)}/.${full.slice(slash + 1)}.nimi-tmp`;
  try {
    if (slash > 0) await Deno.mkdir(full.slice(0, slash), { recursive: true });
    await Deno.remove(temp).catch((e2) => {
      if (!isNotFound(e2)) throw e2;
    });
    await Deno.writeTextFile(temp, f.content, { mode: f.mode, createNew: true });
    await Deno.chmod(temp, f.mode);
    await Deno.rename(temp, full);
  } catch (e) {
    await Deno.remove(temp).catch((e2) => {
      if (!isNotFound(e2)) throw e2;
    });
    throw new RenderError(`Cannot write "${full}": ${message(e)}`, { cause: e });
  }
  return full;
}

/**
 * Creates directories (mode 0700) that must exist before a rendered deployment starts.
 *
 * @param dirs Absolute paths.
 * @throws {RenderError} When one cannot be created (the message names it; exit code 2).
 */
export async function createStateDirs(dirs: readonly string[]): Promise<void> {
  for (const d of dirs) {
    try {
      await Deno.mkdir(d, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new RenderError(`Cannot create state directory "${d}": ${message(e)}`, { cause: e });
    }
  }
}
