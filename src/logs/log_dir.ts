/**
 * The per-run log directory: `<logsDir>/logs-N`, N the next number not used yet, so each run
 * keeps its own logs (the Rust Nimi documents this but always reuses `logs-0`).
 *
 * @module
 */
import { join } from "../path.ts";

/**
 * Highest N nimi counts to. A `logs-N` with a larger number (or one that is not a safe
 * integer, such as `logs-9007199254740992`) is not one of nimi's and is ignored, so it cannot
 * make the next number unreachable.
 */
export const MAX_LOGS_INDEX = 1_000_000_000;

/** How many numbers are tried when another process takes each one first. */
const ATTEMPTS = 1000;

/**
 * Picks the next N from the names already in the logs directory.
 *
 * @param existing Entry names in the logs directory.
 * @returns One more than the highest `logs-N` present (up to {@link MAX_LOGS_INDEX}), or 0.
 * @example
 * ```ts
 * nextLogsIndex(["logs-0", "logs-3", "other"]); // 4
 * ```
 */
export function nextLogsIndex(existing: Iterable<string>): number {
  let next = 0;
  for (const name of existing) {
    const m = /^logs-(\d{1,10})$/.exec(name);
    const n = m === null ? NaN : Number(m[1]);
    if (n < MAX_LOGS_INDEX) next = Math.max(next, n + 1);
  }
  return next;
}

/**
 * Creates the next `logs-N` directory (mode 0700) under `logsDir`, creating `logsDir` if needed.
 * Creation is exclusive, so two nimi processes sharing a logs directory get different numbers.
 * A `logsDir` that belongs to another user (not nimi's and not root), or is a symlink that
 * does, is refused: whoever owns it could swap `logs-N` for a symlink and lead nimi's writes
 * elsewhere.
 *
 * @param logsDir The configured logs directory.
 * @returns The path of the new directory.
 * @throws {Error} When the directory cannot be created; the message names the path.
 */
export async function createRunLogDir(logsDir: string): Promise<string> {
  try {
    await Deno.mkdir(logsDir, { recursive: true });
    await refuseForeign(logsDir);
    const names: string[] = [];
    for await (const e of Deno.readDir(logsDir)) names.push(e.name);
    const first = nextLogsIndex(names);
    for (let n = first; n < first + ATTEMPTS; n++) {
      const dir = join(logsDir, `logs-${n}`);
      try {
        await Deno.mkdir(dir, { mode: 0o700 });
        return dir;
      } catch (e) {
        if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
      }
    }
    throw new Error(`logs-${first} to logs-${first + ATTEMPTS - 1} all exist`);
  } catch (e) {
    throw new Error(
      `Cannot create log directory under "${logsDir}": ${e instanceof Error ? e.message : e}`,
      { cause: e },
    );
  }
}

async function refuseForeign(logsDir: string): Promise<void> {
  const me = Deno.uid();
  for (const info of [await Deno.lstat(logsDir), await Deno.stat(logsDir)]) {
    if (info.uid !== null && info.uid !== me && info.uid !== 0) {
      throw new Error(
        `it belongs to uid ${info.uid}${info.isSymlink ? " (a symlink)" : ""}, not to nimi ` +
          `(uid ${me}) or root; refusing to write logs where another user can swap them`,
      );
    }
  }
}
