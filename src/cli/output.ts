/**
 * Where the CLI writes: an injectable pair of text sinks, so commands are testable and nothing
 * else in nimi writes to the console directly.
 *
 * @module
 */
import { LEVEL_PREFIX, prefixEachLine } from "../logs/priority.ts";
import { type JournalStreams, journalStreams } from "../systemd/journal.ts";

/** Text sinks for the CLI. */
export interface Output {
  /** Writes to standard output. */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** Writes a warning to standard error (when absent, {@link Output.err} is used). */
  warn?(text: string): void;
}

const encoder = new TextEncoder();

function writeAll(file: { writeSync(p: Uint8Array): number }, text: string): void {
  const bytes = encoder.encode(text);
  let off = 0;
  while (off < bytes.length) off += file.writeSync(bytes.subarray(off));
}

let journal: JournalStreams | null = null;

/** Whether stderr is systemd's journal (checked once, at the first message). */
function stderrIsJournal(): boolean {
  journal ??= journalStreams();
  return journal.stderr;
}

/**
 * The process's real standard output and error. Under journald (src/systemd/journal.ts) each
 * line on stderr starts with its priority: `<3>` for errors, `<4>` for warnings.
 */
export const processOutput: Output = {
  out: (text) => writeAll(Deno.stdout, text),
  err: (text) =>
    writeAll(Deno.stderr, stderrIsJournal() ? prefixEachLine(text, LEVEL_PREFIX.error) : text),
  warn: (text) =>
    writeAll(Deno.stderr, stderrIsJournal() ? prefixEachLine(text, LEVEL_PREFIX.warning) : text),
};

/** An output that keeps everything written, for tests. */
export class MemoryOutput implements Output {
  /** Everything written to standard output. */
  stdout = "";
  /** Everything written to standard error. */
  stderr = "";
  /** @param text Text for standard output. */
  out(text: string): void {
    this.stdout += text;
  }
  /** @param text Text for standard error. */
  err(text: string): void {
    this.stderr += text;
  }
}
