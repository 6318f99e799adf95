/**
 * One service's log file, written in batches, with optional size-based rotation
 * (`<name>.log` -> `<name>.log.1` -> ... -> `<name>.log.<maxFiles>`, the oldest dropped).
 * A rotation renames only the files that exist (its cost does not grow with `maxFiles`), and
 * only inside the directory the file was opened in: if that directory was swapped (for a
 * symlink elsewhere), the file is given up instead of renaming files wherever it points.
 *
 * @module
 */
import { dirname } from "../path.ts";
import { BatchWriter } from "./batch_writer.ts";
import type { BufferPool } from "./buffer_pool.ts";

/** Options for {@link LogFile.open}. */
export interface LogFileOptions {
  /** Rotate before a write would take the file past this size (null: never rotate). */
  maxBytes: number | null;
  /** Rotated files kept. */
  maxFiles: number;
  /** Called once when writing fails (the file is then given up). */
  onError: (error: unknown) => void;
  /** Where pooled chunks go back once written (see `BatchWriterOptions.pool`). */
  pool?: BufferPool;
}

/** A log file receiving whole formatted lines. */
export class LogFile {
  readonly #path: string;
  readonly #options: LogFileOptions;
  #file: Deno.FsFile;
  #size: number;
  /** Rotated files that exist: `<name>.log.1` to `<name>.log.<rotated>`. */
  #rotated: number;
  readonly #dir: DirIdentity;
  readonly #writer: BatchWriter;

  private constructor(
    path: string,
    file: Deno.FsFile,
    size: number,
    options: LogFileOptions,
    state: { rotated: number; dir: DirIdentity },
  ) {
    this.#path = path;
    this.#rotated = state.rotated;
    this.#dir = state.dir;
    this.#file = file;
    this.#size = size;
    this.#options = options;
    const maxWrite = options.maxBytes === null ? undefined : Math.min(options.maxBytes, 1 << 20);
    this.#writer = new BatchWriter(file, {
      onError: options.onError,
      beforeWrite: (n) => this.#beforeWrite(n),
      ...(maxWrite === undefined ? {} : { maxWrite }),
      ...(options.pool === undefined ? {} : { pool: options.pool }),
    });
  }

  /**
   * Opens (appending, mode 0600) a log file.
   *
   * @param path File path.
   * @param options See {@link LogFileOptions}.
   * @returns The open log file.
   */
  static async open(path: string, options: LogFileOptions): Promise<LogFile> {
    const dir = await dirIdentity(dirname(path));
    const file = await Deno.open(path, { append: true, create: true, mode: 0o600 });
    const { size } = await file.stat();
    let rotated = 0;
    while (rotated < options.maxFiles && await exists(`${path}.${rotated + 1}`)) rotated++;
    return new LogFile(path, file, size, options, { rotated, dir });
  }

  /** The writer lines are queued on (for back-pressure). */
  get writer(): BatchWriter {
    return this.#writer;
  }

  /**
   * Queues whole formatted lines.
   *
   * @param bytes One or more lines, each ending with a newline.
   * @param pooled The bytes come from the file's pool and go back to it once written.
   */
  write(bytes: Uint8Array, pooled = false): void {
    this.#writer.write(bytes, pooled);
  }

  /**
   * Writes what is queued and closes the file.
   *
   * @returns A promise that resolves once closed.
   */
  async close(): Promise<void> {
    await this.#writer.flush();
    try {
      this.#file.close();
    } catch (e) {
      // A failed rotation already closed it; that failure was reported through onError.
      if (!(e instanceof Deno.errors.BadResource)) throw e;
    }
  }

  async #beforeWrite(n: number): Promise<void> {
    const max = this.#options.maxBytes;
    if (max !== null && this.#size > 0 && this.#size + n > max) await this.#rotate();
    this.#size += n;
  }

  async #rotate(): Promise<void> {
    this.#file.close();
    const dir = dirname(this.#path);
    const now = await Deno.lstat(dir);
    if (!now.isDirectory || now.dev !== this.#dir.dev || now.ino !== this.#dir.ino) {
      throw new Error(
        `log directory "${dir}" was replaced while nimi wrote to it; log file given up`,
      );
    }
    const keep = this.#options.maxFiles;
    if (this.#rotated >= keep) {
      await Deno.remove(`${this.#path}.${keep}`).catch((e) => {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      });
    }
    for (let i = Math.min(this.#rotated, keep - 1); i >= 1; i--) {
      // A rotated file someone removed is a gap, not a failure.
      await Deno.rename(`${this.#path}.${i}`, `${this.#path}.${i + 1}`).catch((e) => {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      });
    }
    await Deno.rename(this.#path, `${this.#path}.1`);
    this.#rotated = Math.min(this.#rotated + 1, keep);
    this.#file = await Deno.open(this.#path, {
      append: true,
      create: true,
      createNew: true,
      mode: 0o600,
    });
    this.#writer.target = this.#file;
    this.#size = 0;
  }
}

/** Which directory a path names (to notice it being swapped). */
interface DirIdentity {
  dev: number;
  ino: number | null;
}

async function dirIdentity(dir: string): Promise<DirIdentity> {
  const info = await Deno.lstat(dir);
  if (!info.isDirectory) throw new Error(`log directory "${dir}" is not a directory`);
  return { dev: info.dev, ino: info.ino };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
