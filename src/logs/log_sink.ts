/**
 * Where every line of service output and every nimi message goes: the console (text with
 * aligned prefixes, or JSON) and, when enabled, one log file per service. Service lines pass
 * through {@link ServiceStream}, which splits bytes into lines and applies back-pressure.
 *
 * @module
 */
import { join } from "../path.ts";
import { BatchWriter, type ByteWriter } from "./batch_writer.ts";
import {
  consolePrefix,
  jsonLines,
  type LogFormat,
  prefixLines,
  type StreamName,
  utf8,
} from "./format.ts";
import { type LineScan, linesOf, LineSplitter, prefixScan } from "./line_splitter.ts";
import { LogFile } from "./log_file.ts";
import { allocated } from "./gc_pacer.ts";
import { BufferPool } from "./buffer_pool.ts";
import { loadKernel } from "./line_kernel.ts";
import type { PipePoller } from "./pipe_poller.ts";
import { LEVEL_PREFIX, type MessageLevel, streamPriority } from "./priority.ts";

/** Options for {@link LogSink.create}. */
export interface LogSinkOptions {
  /** Every name lines will be written under (services, `startup`); sets the prefix width. */
  names: readonly string[];
  /** Console format. */
  format: LogFormat;
  /** Colour the console prefixes (text format only). */
  color: boolean;
  /** The console (nimi's stdout). */
  console: ByteWriter;
  /**
   * Where nimi's error messages go (nimi's stderr): a program that cannot start, a failed
   * clean-up. @default the console
   */
  errors?: ByteWriter;
  /** The run's log directory (`.../logs-N`), or null for no log files. */
  logDir: string | null;
  /** Log file name after the service's. @default ".log" */
  fileSuffix?: string;
  /** Rotation size of log files (null: no rotation). @default null */
  maxBytes?: number | null;
  /** Rotated log files kept per service. @default 5 */
  maxFiles?: number;
  /** Called when the console or a log file cannot be written. */
  onError?: (what: string, error: unknown) => void;
  /**
   * Sees every chunk a service writes, before it is split into lines (the control API's
   * in-memory log ring). The bytes are only valid during the call.
   */
  tap?: (service: string, stream: "stdout" | "stderr", chunk: Uint8Array) => void;
  /** Clock for timestamps, in epoch milliseconds. @default Date.now */
  now?: () => number;
  /**
   * The console is systemd's journal: each console line starts with its syslog priority
   * (`<3>` stderr and errors, `<4>` warnings, `<6>` the rest; src/logs/priority.ts).
   * @default false
   */
  journal?: boolean;
}

/** Smallest and largest read buffer of {@link ServiceStream.pump}. */
const MIN_READ = 256;
const MAX_READ = 64 * 1024;

/**
 * Called with each complete line of a stream (for readiness probes matching output). The
 * bytes are only valid during the call: the read buffer is reused.
 */
export type LineListener = (line: Uint8Array, stream: "stdout" | "stderr") => void;

const NO_LISTENERS: ReadonlySet<LineListener> = new Set();

/** Where one service's lines go: its prefixes and its log file. */
export interface Channel {
  /** The service's name. */
  name: string;
  /** Encoded console prefixes per stream. */
  prefixes: Record<StreamName, Uint8Array>;
  /** Its log file, or null. */
  file: LogFile | null;
}

const FILE_TAGS: Record<StreamName, string> = {
  stdout: "stdout",
  stderr: "stderr",
  nimi: "nimi",
};

/** The sink for all output of a run. */
export class LogSink {
  readonly #options: LogSinkOptions;
  readonly #console: BatchWriter;
  readonly #channels = new Map<string, Channel>();
  readonly #width: number;
  readonly #now: () => number;
  readonly #nimiPrefix: Uint8Array;
  readonly #levelPrefixes: Record<MessageLevel, Uint8Array>;
  readonly #errors: BatchWriter;
  readonly #pool: BufferPool;
  #kernelAsked = false;

  private constructor(options: LogSinkOptions, files: Map<string, LogFile>, pool: BufferPool) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#pool = pool;
    this.#console = new BatchWriter(options.console, {
      onError: (e) => options.onError?.("console", e),
      pool,
    });
    this.#errors = options.errors === undefined ? this.#console : new BatchWriter(options.errors, {
      onError: (e) => options.onError?.("stderr", e),
    });
    this.#width = Math.max(4, ...options.names.map((n) => n.length));
    const journal = options.journal ?? false;
    const color = options.color && options.format === "text" && !journal;
    const nimi = consolePrefix("nimi", "stdout", this.#width, color ? 0 : null);
    const level = (l: MessageLevel) => utf8(`${journal ? LEVEL_PREFIX[l] : ""}${nimi}`);
    this.#levelPrefixes = { info: level("info"), warning: level("warning"), error: level("error") };
    this.#nimiPrefix = this.#levelPrefixes.info;
    const tag = (stream: "stdout" | "stderr") => (journal ? streamPriority(stream) : "");
    options.names.forEach((name, i) => {
      const c = color ? i : null;
      this.#channels.set(name, {
        name,
        prefixes: {
          stdout: utf8(tag("stdout") + consolePrefix(name, "stdout", this.#width, c)),
          stderr: utf8(tag("stderr") + consolePrefix(name, "stderr", this.#width, c)),
          nimi: this.#nimiPrefix,
        },
        file: files.get(name) ?? null,
      });
    });
  }

  /**
   * Creates the sink, opening one log file per name when a log directory is given. A file
   * that cannot be opened is reported through `onError` and left out; its lines still reach
   * the console.
   *
   * @param options See {@link LogSinkOptions}.
   * @returns The sink.
   */
  static async create(options: LogSinkOptions): Promise<LogSink> {
    const files = new Map<string, LogFile>();
    const pool = new BufferPool();
    const logDir = options.logDir;
    if (logDir !== null) {
      await Promise.all(options.names.map(async (name) => {
        const file = await openServiceFile(options, logDir, name, pool);
        if (file !== null) files.set(name, file);
      }));
    }
    return new LogSink(options, files, pool);
  }

  /**
   * Makes names known that were not given at creation (services a reload added): each gets
   * its log file, when the run has a log directory, before its first line. Names known already
   * are left as they are.
   *
   * @param names The new names.
   * @returns A promise that resolves once their files are open (or reported as not).
   */
  async announce(names: readonly string[]): Promise<void> {
    const logDir = this.#options.logDir;
    await Promise.all(
      names.filter((n) => !this.#channels.has(n)).map(async (name) => {
        const file = logDir === null
          ? null
          : await openServiceFile(this.#options, logDir, name, this.#pool);
        this.#channel(name).file = file;
      }),
    );
  }

  /**
   * Opens one stream of one process: a fresh line splitter, so a restarted process never
   * continues its predecessor's partial line.
   *
   * @param service A name given in {@link LogSinkOptions.names}.
   * @param stream `stdout` or `stderr`.
   * @param listeners Called with each complete line. The set is read at every chunk, so
   *   listeners may come and go; while it is empty, lines are not even split out one by one.
   * @returns The stream to push the process's bytes into.
   */
  stream(
    service: string,
    stream: "stdout" | "stderr",
    listeners: ReadonlySet<LineListener> = NO_LISTENERS,
  ): ServiceStream {
    return new ServiceStream(this, this.#channel(service), stream, listeners);
  }

  /**
   * Passes a chunk to the {@link LogSinkOptions.tap}, if any (used by {@link ServiceStream}).
   *
   * @param service The service.
   * @param stream Which stream.
   * @param chunk The bytes as read.
   */
  tap(service: string, stream: "stdout" | "stderr", chunk: Uint8Array): void {
    this.#options.tap?.(service, stream, chunk);
  }

  /**
   * Loads the WebAssembly kernel (src/logs/line_kernel.ts) for a stream that turned out
   * chatty; once only. If it cannot load, lines go on through the JavaScript code and nimi
   * says so once.
   */
  wantKernel(): void {
    if (this.#kernelAsked) return;
    this.#kernelAsked = true;
    loadKernel().catch((e) => {
      const why = e instanceof Error ? e.message : String(e);
      this.message(
        null,
        `log forwarding goes on without its WebAssembly kernel: ${why}`,
        "warning",
      );
    });
  }

  /**
   * Writes one of nimi's own messages: on the console as `nimi | <service>: <text>` (JSON:
   * `stream: "nimi"`), and into the service's log file.
   *
   * @param service The service it is about, or null for nimi in general.
   * @param text The message, one line.
   * @param level How serious it is (the journal priority). @default "info"
   */
  message(service: string | null, text: string, level: MessageLevel = "info"): void {
    const time = this.#needsTime() ? new Date(this.#now()).toISOString() : "";
    const line = utf8(text);
    const out = level === "error" ? this.#errors : this.#console;
    if (this.#options.format === "json") {
      const priority = this.#options.journal ? LEVEL_PREFIX[level] : "";
      out.write(jsonLines(time, service ?? "nimi", "nimi", [line], priority));
    } else {
      const full = service === null ? line : utf8(`${service}: ${text}`);
      out.write(prefixLines(this.#levelPrefixes[level], [full]));
    }
    const file = service === null ? null : this.#channels.get(service)?.file;
    if (file) file.write(prefixLines(utf8(`${time} nimi `), [line]));
  }

  /**
   * Writes lines of a stream (used by {@link ServiceStream}).
   *
   * @param channel The service's channel.
   * @param stream Which stream.
   * @param lines Complete lines without newlines, or a scan of them (no per-line copies).
   * @returns A promise to await before reading more when output is backed up, else null.
   */
  writeLines(
    channel: Channel,
    stream: "stdout" | "stderr",
    lines: LineScan | readonly Uint8Array[],
  ): Promise<void> | null {
    const scan = isScan(lines) ? lines : null;
    const list = isScan(lines) ? null : lines;
    const n = scan ? scan.count + (scan.first ? 1 : 0) + scan.rest.length : list!.length;
    if (n === 0) return null;
    // A scan is formatted straight into the writer's open batch (src/logs/batch_writer.ts); a
    // list (the rare final line of a stream) into a fresh buffer.
    const put = (writer: BatchWriter, prefix: Uint8Array) => {
      if (scan === null) writer.write(prefixLines(prefix, list!));
      else writer.commit(prefixScan(prefix, scan, (size) => writer.reserve(size)));
    };
    const time = this.#needsTime() ? new Date(this.#now()).toISOString() : "";
    if (this.#options.format === "json") {
      const priority = this.#options.journal ? streamPriority(stream) : "";
      const out = jsonLines(time, channel.name, stream, scan ? linesOf(scan) : list!, priority);
      allocated(out.length);
      this.#console.write(out);
    } else {
      put(this.#console, channel.prefixes[stream]);
    }
    const file = channel.file;
    if (file) put(file.writer, utf8(`${time} ${FILE_TAGS[stream]} `));
    const a = this.#console.ready();
    const b = file?.writer.ready() ?? null;
    if (a === null) return b;
    if (b === null) return a;
    return Promise.all([a, b]).then(() => {});
  }

  /**
   * Bytes queued for the console, stderr and the log files and not yet written.
   *
   * @returns The count (it goes down while they take output).
   */
  get unwritten(): number {
    let n = this.#console.queued;
    if (this.#errors !== this.#console) n += this.#errors.queued;
    for (const c of this.#channels.values()) n += c.file?.writer.queued ?? 0;
    return n;
  }

  /**
   * Writes everything queued and closes the log files.
   *
   * @returns A promise that resolves when all is written.
   */
  async close(): Promise<void> {
    await Promise.all([...this.#channels.values()].map((c) => c.file?.close()));
    await this.#console.flush();
    if (this.#errors !== this.#console) await this.#errors.flush();
    this.#pool.clear();
  }

  /**
   * Waits until everything queued so far reached the console and files.
   *
   * @returns A promise that resolves when written.
   */
  async flush(): Promise<void> {
    await Promise.all([
      this.#console.flush(),
      this.#errors.flush(),
      ...[...this.#channels.values()].map((c) => c.file?.writer.flush()),
    ]);
  }

  #needsTime(): boolean {
    return this.#options.format === "json" || this.#options.logDir !== null;
  }

  #channel(service: string): Channel {
    let c = this.#channels.get(service);
    if (!c) {
      // A name not given at creation: no log file unless announce() opened one, no colour.
      const tag = (s: "stdout" | "stderr") => (this.#options.journal ? streamPriority(s) : "");
      c = {
        name: service,
        prefixes: {
          stdout: utf8(tag("stdout") + consolePrefix(service, "stdout", this.#width, null)),
          stderr: utf8(tag("stderr") + consolePrefix(service, "stderr", this.#width, null)),
          nimi: this.#nimiPrefix,
        },
        file: null,
      };
      this.#channels.set(service, c);
    }
    return c;
  }
}

/**
 * Opens one service's log file in the run's log directory.
 *
 * @returns The file, or null when it cannot be opened (reported through `onError`: the
 *   console still gets the service's lines, and losing a file must not stop a run).
 */
async function openServiceFile(
  options: LogSinkOptions,
  logDir: string,
  name: string,
  pool: BufferPool,
): Promise<LogFile | null> {
  const path = join(logDir, `${name}${options.fileSuffix ?? ".log"}`);
  try {
    return await LogFile.open(path, {
      maxBytes: options.maxBytes ?? null,
      maxFiles: options.maxFiles ?? 5,
      onError: (e) => options.onError?.(path, e),
      pool,
    });
  } catch (e) {
    options.onError?.(path, e);
    return null;
  }
}

/** One stream of one process, turned into lines. */
export class ServiceStream {
  readonly #sink: LogSink;
  readonly #channel: Channel;
  readonly #stream: "stdout" | "stderr";
  readonly #splitter = new LineSplitter();
  #bytes = 0;
  readonly #listeners: ReadonlySet<LineListener>;

  /**
   * Creates a stream; use {@link LogSink.stream} instead.
   *
   * @param sink The sink.
   * @param channel The service's channel.
   * @param stream Which stream.
   * @param listeners Called with each complete line (see {@link LogSink.stream}).
   */
  constructor(
    sink: LogSink,
    channel: Channel,
    stream: "stdout" | "stderr",
    listeners: ReadonlySet<LineListener>,
  ) {
    this.#sink = sink;
    this.#channel = channel;
    this.#stream = stream;
    this.#listeners = listeners;
  }

  /** Bytes read so far (to tell a backlog still draining from output that stopped). */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Adds bytes read from the process.
   *
   * @param chunk The bytes.
   * @returns A promise to await before reading more, or null.
   */
  push(chunk: Uint8Array): Promise<void> | null {
    this.#sink.tap(this.#channel.name, this.#stream, chunk);
    this.#bytes += chunk.length;
    const splitter = this.#splitter;
    const copied = splitter.copied;
    const scan = splitter.scan(chunk);
    // Partial and cut lines are copied outside the pool: the pacer counts them.
    if (splitter.copied !== copied) allocated(splitter.copied - copied);
    return this.#emit(scan);
  }

  /**
   * Ends the stream, writing a final line that had no newline.
   *
   * @returns A promise to await, or null.
   */
  end(): Promise<void> | null {
    return this.#emit(this.#splitter.end());
  }

  /**
   * Reads a whole byte stream into the sink, honouring back-pressure. Reads go into one
   * reused buffer that starts small (an idle service holds only 256 bytes while its read is
   * pending) and doubles, up to 64 KiB, whenever a read fills it; a stream that gets there
   * loads the WebAssembly kernel ({@link LogSink.wantKernel}).
   *
   * @param readable The process's stdout or stderr (a byte stream).
   * @returns A promise that resolves at end of stream.
   */
  async pump(readable: ReadableStream<Uint8Array>): Promise<void> {
    const reader = readable.getReader({ mode: "byob" });
    let buffer = new ArrayBuffer(MIN_READ);
    try {
      while (true) {
        const { done, value } = await reader.read(new Uint8Array(buffer));
        if (done || value === undefined) break;
        const wait = this.push(value);
        buffer = value.buffer as ArrayBuffer;
        if (value.length === buffer.byteLength && buffer.byteLength < MAX_READ) {
          buffer = new ArrayBuffer(buffer.byteLength * 2);
          if (buffer.byteLength === MAX_READ) this.#sink.wantKernel();
        }
        if (wait) await wait;
      }
    } finally {
      reader.releaseLock();
      const wait = this.end();
      if (wait) await wait;
    }
  }

  /**
   * Reads a process's pipe through the shared poller ({@link PipePoller}), honouring
   * back-pressure like {@link pump}. The poller closes the descriptor at the end.
   *
   * @param poller The poller.
   * @param fd nimi's descriptor of the pipe, from {@link PipePoller.find}.
   * @returns A promise that resolves at end of stream.
   */
  pumpFd(poller: PipePoller, fd: number): Promise<void> {
    // A promise chain, not an async function: a quiet pipe then holds no suspended frame.
    const end = () => this.end() ?? undefined;
    return poller.read(fd, (chunk) => {
      if (chunk.length === MAX_READ) this.#sink.wantKernel();
      return this.push(chunk);
    }).then(end, (e) => {
      const wait = end();
      if (wait === undefined) throw e;
      return wait.then(() => Promise.reject(e));
    });
  }

  #emit(lines: LineScan | Uint8Array[]): Promise<void> | null {
    const listeners = this.#listeners;
    if (listeners.size > 0) {
      for (const line of isScan(lines) ? linesOf(lines) : lines) {
        for (const listener of listeners) listener(line, this.#stream);
      }
    }
    return this.#sink.writeLines(this.#channel, this.#stream, lines);
  }
}

function isScan(lines: LineScan | readonly Uint8Array[]): lines is LineScan {
  return !Array.isArray(lines);
}
