/**
 * Reading a file nimi was told about (the config, a credential) with a bound: never more
 * than a limit, and only a regular file (or, when asked, a FIFO such as `--config /dev/stdin`).
 * A device such as `/dev/zero` never ends and is refused before it is opened; a FIFO is read
 * up to the limit (opening one waits for a writer: callers keep signals working meanwhile).
 *
 * @module
 */

/** A file refused before or while reading it: not a regular file, or too large. */
export class UnreadableFileError extends Error {
  /**
   * @param message The reason, such as "is a FIFO, not a regular file".
   * @param options Standard error options.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UnreadableFileError";
  }
}

function kind(info: Deno.FileInfo): string {
  if (info.isDirectory) return "a directory";
  if (info.isFifo) return "a FIFO";
  if (info.isCharDevice) return "a character device";
  if (info.isBlockDevice) return "a block device";
  if (info.isSocket) return "a socket";
  return "not a regular file";
}

function check(info: Deno.FileInfo, maxBytes: number, allowFifo: boolean): void {
  if (allowFifo && info.isFifo) return;
  if (!info.isFile) {
    const what = kind(info);
    throw new UnreadableFileError(
      what === "a directory" ? "is a directory" : `is ${what}, not a regular file`,
    );
  }
  if (info.size > maxBytes) {
    throw new UnreadableFileError(
      `is too large: ${info.size} bytes, at most ${maxBytes} are read`,
    );
  }
}

/**
 * Reads a whole regular file of at most `maxBytes`.
 *
 * @param path The file (symlinks are followed).
 * @param maxBytes The most bytes read.
 * @param options `allowFifo`: read a FIFO (a pipe) too, up to `maxBytes`.
 * @returns The content.
 * @throws {UnreadableFileError} When it is not a regular file or is larger than `maxBytes`
 *   (checked before reading, and again while reading a file that grows).
 * @throws {Deno.errors.NotFound} And the other file system errors, as they are.
 * @example
 * ```ts
 * const bytes = await readBoundedFile("/etc/hostname", 4096);
 * ```
 */
export async function readBoundedFile(
  path: string,
  maxBytes: number,
  options: { allowFifo?: boolean } = {},
): Promise<Uint8Array> {
  const allowFifo = options.allowFifo ?? false;
  // stat first: opening a FIFO blocks until someone writes to it.
  check(await Deno.stat(path), maxBytes, allowFifo);
  using file = await Deno.open(path, { read: true });
  const info = await file.stat();
  check(info, maxBytes, allowFifo);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const buffer = new Uint8Array(Math.min(Math.max(info.size + 1, 4096), maxBytes + 1));
  while (true) {
    const n = await file.read(buffer);
    if (n === null) break;
    total += n;
    if (total > maxBytes) {
      throw new UnreadableFileError(`is too large: more than ${maxBytes} bytes`);
    }
    chunks.push(buffer.slice(0, n));
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}
