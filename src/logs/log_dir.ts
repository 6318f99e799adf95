/**
 * The per-run log directory: `<logsDir>/logs-N`, N the next number not used yet, so each run
 * keeps its own logs (the Rust Nimi documents this but always reuses `logs-0`).
 *
 * @module
 */
import { join } from "node:path";

/**
 * Picks the next N from the names already in the logs directory.
 *
 * @param existing Entry names in the logs directory.
 * @returns One more than the highest `logs-N` present, or 0.
 * @example
 * ```ts
 * nextLogsIndex(["logs-0", "logs-3", "other"]); // 4
 * ```
 */
export function nextLogsIndex(existing: Iterable<string>): number {
  let next = 0;
  for (const name of existing) {
    const m = /^logs-(\d+)$/.exec(name);
    if (m) next = Math.max(next, Number(m[1]) + 1);
  }
  return next;
}

/**
 * Creates the next `logs-N` directory (mode 0700) under `logsDir`, creating `logsDir` if needed.
 * Creation is exclusive, so two nimi processes sharing a logs directory get different numbers.
 *
 * @param logsDir The configured logs directory.
 * @returns The path of the new directory.
 * @throws {Error} When the directory cannot be created; the message names the path.
 */
export async function createRunLogDir(logsDir: string): Promise<string> {
  try {
    await Deno.mkdir(logsDir, { recursive: true });
    const names: string[] = [];
    for await (const e of Deno.readDir(logsDir)) names.push(e.name);
    for (let n = nextLogsIndex(names);; n++) {
      const dir = join(logsDir, `logs-${n}`);
      try {
        await Deno.mkdir(dir, { mode: 0o700 });
        return dir;
      } catch (e) {
        if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
      }
    }
  } catch (e) {
    throw new Error(
      `Cannot create log directory under "${logsDir}": ${e instanceof Error ? e.message : e}`,
      { cause: e },
    );
  }
}
