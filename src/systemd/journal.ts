/**
 * Whether nimi writes straight into systemd's journal: systemd sets `JOURNAL_STREAM` to the
 * device and inode (`DEV:INO`) of the stream it connected to journald, and a program whose
 * stdout or stderr is still that stream may put a syslog priority (`<3>`) before each line
 * (`sd-daemon(3)`). A stream redirected elsewhere has another inode, so the variable alone is
 * not enough.
 *
 * @module
 */

/** A file's identity, as `stat(2)` gives it. */
export interface FileId {
  /** `st_dev`. */
  dev: number;
  /** `st_ino`. */
  ino: number;
}

/**
 * Whether a stream is the one `JOURNAL_STREAM` names.
 *
 * @param value `JOURNAL_STREAM` (undefined when unset).
 * @param file The stream's device and inode, or null when unknown.
 * @returns true when both are known and equal.
 * @example
 * ```ts
 * isJournalStream("8:1234", { dev: 8, ino: 1234 }); // true
 * ```
 */
export function isJournalStream(value: string | undefined, file: FileId | null): boolean {
  if (value === undefined || file === null) return false;
  const m = /^([0-9]+):([0-9]+)$/.exec(value.trim());
  return m !== null && Number(m[1]) === file.dev && Number(m[2]) === file.ino;
}

/** Which of nimi's standard streams go to the journal. */
export interface JournalStreams {
  /** Standard output does. */
  stdout: boolean;
  /** Standard error does. */
  stderr: boolean;
}

/**
 * Checks nimi's stdout and stderr against `JOURNAL_STREAM`.
 *
 * @returns Which of them journald reads.
 */
export function journalStreams(): JournalStreams {
  const value = Deno.env.get("JOURNAL_STREAM");
  if (value === undefined) return { stdout: false, stderr: false };
  return {
    stdout: isJournalStream(value, fileId(1)),
    stderr: isJournalStream(value, fileId(2)),
  };
}

function fileId(fd: number): FileId | null {
  try {
    const st = Deno.statSync(`/proc/self/fd/${fd}`);
    return st.dev === null || st.ino === null ? null : { dev: st.dev, ino: st.ino };
  } catch (e) {
    // A closed descriptor or no /proc: the stream cannot be the journal's as far as nimi can
    // tell, so lines go out plain.
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotCapable) return null;
    throw e;
  }
}
