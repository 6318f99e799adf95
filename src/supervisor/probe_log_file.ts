/**
 * The `log` probe over a file: for managers that write a service's output to a file (init
 * scripts, s6-log, svlogd), the lines appended since a byte offset are fed to a
 * {@link LogLineProbe}. `nimi probe log --file` uses it.
 *
 * @module
 */
import { eventCheck } from "./probe_event.ts";
import { LogLineProbe } from "./probe_log.ts";
import { errorText, type ProbeAttempt, type ProbeCheck } from "./probe_loop.ts";

const CHUNK = 64 * 1024;

/**
 * Builds a check that passes once a line written to `path` after `offset` matches `pattern`.
 * Each attempt reads what was appended since the previous one; a file that shrank (rotated or
 * truncated) is read again from its start. A missing file is a failed attempt, not an error.
 *
 * @param path The log file.
 * @param pattern A JavaScript regular expression.
 * @param offset Bytes at the start of the file to skip (what an earlier run wrote).
 * @returns The check.
 * @example
 * ```ts
 * const check = logFileCheck("/var/lib/nimi/web/output.log", "listening", 0);
 * await check(AbortSignal.timeout(1000));
 * ```
 */
export function logFileCheck(path: string, pattern: string, offset = 0): ProbeCheck {
  const log = new LogLineProbe(pattern);
  const matched = eventCheck(log.matches, "ever", `a line matching /${log.pattern.source}/`);
  let position = offset;
  let partial: Uint8Array = new Uint8Array(0);
  return async (signal: AbortSignal): Promise<ProbeAttempt> => {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true });
    } catch (e) {
      signal.throwIfAborted();
      return { ok: false, detail: `cannot read ${JSON.stringify(path)}: ${errorText(e)}` };
    }
    try {
      const { size } = await file.stat();
      if (size < position) {
        position = 0;
        partial = new Uint8Array(0);
      }
      await file.seek(position, Deno.SeekMode.Start);
      const buf = new Uint8Array(CHUNK);
      while (!signal.aborted) {
        const n = await file.read(buf);
        if (n === null || n === 0) break;
        position += n;
        partial = feedLines(log, concat(partial, buf.subarray(0, n)));
      }
    } finally {
      file.close();
    }
    return await matched(signal);
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b.slice();
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Feeds every complete line; returns the unfinished rest. */
function feedLines(log: LogLineProbe, bytes: Uint8Array): Uint8Array {
  let start = 0;
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, start)) {
    log.feed(bytes.subarray(start, i));
    start = i + 1;
  }
  return bytes.slice(start);
}
