/**
 * Reads the output pipes of every service through one `epoll` instance and libc `read` calls
 * (FFI), instead of one pending `ReadableStream` read per pipe.
 *
 * Deno gives each piped child two byte streams; nimi keeps a read pending on each, so a quiet
 * service costs two read requests with their promises and closures, about 8.5 KB of private
 * memory per pipe (3.4 MiB for 200 services, bench/README.md "Memory"), and every chunk of a
 * flood costs an async op. Here a quiet pipe costs an entry in a map: one `epoll_wait` runs on
 * Deno's blocking pool while any pipe is watched, and when it reports a pipe readable the main
 * thread reads it with plain non-blocking `read(2)` calls into one shared buffer.
 *
 * Deno does not say which descriptor holds a child's pipe, so {@link PipePoller.find} looks for
 * it: right after the spawn it reads the pipe inode of the child's descriptor 1 or 2 from
 * `/proc/PID/fd` and compares it with nimi's new descriptors, from the lowest one that was free
 * before the spawn ({@link PipePoller.mark}). Only an exact match (device, inode, opened for
 * reading) is used; when there is none (no /proc, a child that already exited or moved its
 * output, no `--allow-ffi`, not Linux) the service's output goes through Deno's stream as
 * before. A match is duplicated (close-on-exec) and the duplicate is nimi's own: the caller
 * cancels Deno's stream at once, which closes Deno's descriptor and frees its stream state
 * (about 1 KB a pipe), and the poller closes the duplicate when the pipe ends.
 *
 * @module
 */
import { errnoAt } from "../pid1/libc.ts";

/** `epoll_create1` flag and `fcntl` duplicate: close on exec. */
const EPOLL_CLOEXEC = 0o2000000;
const F_DUPFD_CLOEXEC = 1030;
const F_GETFL = 3;
const F_SETFL = 4;
const O_ACCMODE = 3;
const O_RDONLY = 0;
const O_NONBLOCK = 0o4000;
const S_IFMT = 0o170000;
const S_IFIFO = 0o010000;
const EPOLL_CTL_ADD = 1;
const EPOLL_CTL_DEL = 2;
const EPOLLIN = 1;
const EAGAIN = 11;
const EINTR = 4;
/**
 * How many of the lowest free descriptors a mark holds: a spawn opens at most 8 (/dev/null,
 * two pipes of two ends, a pidfd, an error pipe), and takes the lowest free ones.
 */
const MARK_SIZE = 12;
/** The shared read buffer: a pipe's default capacity. */
const READ_SIZE = 64 * 1024;
const READ_SIZE_N = BigInt(READ_SIZE);
/** Reads per pipe and wake-up: a flood is read in rounds, so other pipes and timers get a turn. */
const READS_PER_WAKE = 4;
/** Events taken per `epoll_wait`. */
const MAX_EVENTS = 64;
/** `epoll_wait` failing this often in a row (not one interrupted wait) ends every pipe. */
const MAX_WAIT_FAILURES = 1000;
/** A pipe whose reads fail this often in a row (not EAGAIN) is ended with an error. */
const MAX_FAILURES = 3;

const SYMBOLS = {
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  epoll_create1: { parameters: ["i32"], result: "i32" },
  epoll_ctl: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  epoll_wait: {
    parameters: ["i32", "buffer", "i32", "i32"],
    result: "i32",
    nonblocking: true,
  },
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  fstat: { parameters: ["i32", "buffer"], result: "i32" },
  stat: { parameters: ["buffer", "buffer"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

/**
 * Called with each chunk read from a pipe. The bytes are only valid during the call (the
 * buffer is shared by every pipe).
 *
 * @returns A promise to wait for before the pipe is read again (back-pressure), or null.
 */
export type ChunkHandler = (chunk: Uint8Array) => Promise<void> | null;

/** One watched pipe. */
interface Watch {
  onChunk: ChunkHandler;
  resolve: () => void;
  reject: (e: Error) => void;
  /** Registered with epoll (false while its consumer applies back-pressure). */
  armed: boolean;
  failures: number;
}

/** The pipes of every service, read through one epoll instance. */
export class PipePoller {
  readonly #lib: Deno.DynamicLibrary<typeof SYMBOLS>;
  readonly #epoll: number;
  readonly #watches = new Map<number, Watch>();
  readonly #event = new Uint8Array(16);
  readonly #events: Uint8Array;
  readonly #stride: number;
  readonly #dataOffset: number;
  readonly #stat = new BigUint64Array(32);
  #buffer: Uint8Array | null = null;
  #armed = 0;
  #running = false;

  private constructor(lib: Deno.DynamicLibrary<typeof SYMBOLS>, epoll: number) {
    this.#lib = lib;
    this.#epoll = epoll;
    // struct epoll_event is packed on x86-64 (12 bytes), naturally aligned elsewhere (16).
    const packed = Deno.build.arch === "x86_64";
    this.#stride = packed ? 12 : 16;
    this.#dataOffset = packed ? 4 : 8;
    this.#events = new Uint8Array(this.#stride * MAX_EVENTS);
  }

  /**
   * Opens a poller: Linux with `--allow-ffi` only.
   *
   * @returns The poller, or null where it cannot work (the caller reads Deno's streams).
   */
  static open(): PipePoller | null {
    if (Deno.build.os !== "linux") return null;
    if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return null;
    const lib = Deno.dlopen("libc.so.6", SYMBOLS);
    const epoll = lib.symbols.epoll_create1(EPOLL_CLOEXEC);
    if (epoll < 0) {
      lib.close();
      return null;
    }
    return new PipePoller(lib, epoll);
  }

  /** How many pipes are being read. */
  get watching(): number {
    return this.#watches.size;
  }

  /**
   * The lowest descriptors free now, where the kernel will put the pipes of a spawn: call it
   * just before the spawn, and pass it to {@link find} just after.
   *
   * @returns The descriptor numbers (found by taking them, then giving them back).
   */
  mark(): Int32Array {
    const s = this.#lib.symbols;
    const free = new Int32Array(MARK_SIZE).fill(-1);
    for (let i = 0; i < MARK_SIZE; i++) {
      free[i] = s.fcntl(this.#epoll, F_DUPFD_CLOEXEC, 0);
      if (free[i]! < 0) break;
    }
    for (const fd of free) if (fd >= 0) s.close(fd);
    return free;
  }

  /**
   * Finds nimi's read end of the pipe a child holds as one of its descriptors, and takes a
   * duplicate of it that the poller owns: pass it to {@link read} (which closes it at the
   * end) or to {@link release}. Deno's descriptor is left as it was, for its stream to close.
   *
   * @param pid The child, just spawned.
   * @param target Its descriptor (1 for stdout, 2 for stderr).
   * @param mark What {@link mark} returned before the spawn.
   * @returns The duplicate, or null when there is no exact match.
   */
  find(pid: number, target: number, mark: Int32Array): number | null {
    const st = this.#stat;
    const path = new TextEncoder().encode(`/proc/${pid}/fd/${target}\0`);
    if (this.#lib.symbols.stat(path, st) !== 0) return null;
    const dev = st[0];
    const ino = st[1];
    if (!this.#isFifo()) return null;
    const s = this.#lib.symbols;
    for (const fd of mark) {
      if (fd < 0 || this.#watches.has(fd)) continue;
      if (s.fstat(fd, st) !== 0 || st[0] !== dev || st[1] !== ino) continue;
      const flags = s.fcntl(fd, F_GETFL, 0);
      if (flags < 0 || (flags & O_ACCMODE) !== O_RDONLY) continue;
      if ((flags & O_NONBLOCK) === 0 && s.fcntl(fd, F_SETFL, flags | O_NONBLOCK) !== 0) {
        return null;
      }
      const own = s.fcntl(fd, F_DUPFD_CLOEXEC, 0);
      return own < 0 ? null : own;
    }
    return null;
  }

  /**
   * Closes a descriptor {@link find} returned that will not be read.
   *
   * @param fd The descriptor.
   */
  release(fd: number): void {
    if (!this.#watches.has(fd)) this.#lib.symbols.close(fd);
  }

  /**
   * Reads a pipe until its end, then closes the descriptor.
   *
   * @param fd A descriptor {@link find} returned.
   * @param onChunk Called with each chunk.
   * @returns A promise that resolves at end of file, or rejects when reading fails.
   */
  read(fd: number, onChunk: ChunkHandler): Promise<void> {
    if (this.#watches.has(fd)) return Promise.reject(new Error(`pipe ${fd} is already read`));
    return new Promise<void>((resolve, reject) => {
      this.#watches.set(fd, { onChunk, resolve, reject, armed: false, failures: 0 });
      this.#arm(fd);
    });
  }

  #arm(fd: number): void {
    const w = this.#watches.get(fd);
    if (w === undefined || w.armed) return;
    const ev = new DataView(this.#event.buffer);
    ev.setUint32(0, EPOLLIN, true);
    ev.setInt32(this.#dataOffset, fd, true);
    ev.setInt32(this.#dataOffset + 4, 0, true);
    if (this.#lib.symbols.epoll_ctl(this.#epoll, EPOLL_CTL_ADD, fd, this.#event) !== 0) {
      this.#finish(fd, new Error(`cannot watch pipe ${fd}: epoll_ctl errno ${this.#errno()}`));
      return;
    }
    w.armed = true;
    this.#armed++;
    if (!this.#running) this.#run();
  }

  #disarm(fd: number, w: Watch): void {
    if (!w.armed) return;
    w.armed = false;
    this.#armed--;
    this.#lib.symbols.epoll_ctl(this.#epoll, EPOLL_CTL_DEL, fd, this.#event);
  }

  async #run(): Promise<void> {
    this.#running = true;
    const view = new DataView(this.#events.buffer);
    let failures = 0;
    try {
      // Waits only while a pipe is armed: an idle nimi with nothing to read holds no thread.
      while (this.#armed > 0) {
        const n = await this.#lib.symbols.epoll_wait(this.#epoll, this.#events, MAX_EVENTS, -1);
        // -1 is EINTR (a signal reached the waiting thread; its errno is that thread's).
        // Anything else cannot happen with nimi's own epoll descriptor: rather than spin,
        // a long run of failures ends every pipe with an error.
        failures = n < 0 ? failures + 1 : 0;
        if (failures >= MAX_WAIT_FAILURES) {
          const error = new Error(`epoll_wait failed ${failures} times in a row`);
          for (const fd of [...this.#watches.keys()]) this.#finish(fd, error);
        }
        for (let i = 0; i < n; i++) {
          this.#drain(view.getInt32(i * this.#stride + this.#dataOffset, true));
        }
      }
    } finally {
      this.#running = false;
    }
  }

  #drain(fd: number): void {
    const w = this.#watches.get(fd);
    if (w === undefined || !w.armed) return;
    const buffer = this.#buffer ??= new Uint8Array(READ_SIZE);
    for (let round = 0; round < READS_PER_WAKE; round++) {
      const n = Number(this.#lib.symbols.read(fd, buffer, READ_SIZE_N));
      if (n === 0) return this.#finish(fd, null);
      if (n < 0) {
        const errno = this.#errno();
        if (errno === EAGAIN || errno === EINTR) return;
        if (++w.failures >= MAX_FAILURES) {
          return this.#finish(fd, new Error(`reading pipe ${fd} failed: errno ${errno}`));
        }
        return;
      }
      w.failures = 0;
      let wait: Promise<void> | null;
      try {
        wait = w.onChunk(buffer.subarray(0, n));
      } catch (e) {
        return this.#finish(fd, e instanceof Error ? e : new Error(String(e)));
      }
      if (wait !== null) {
        this.#disarm(fd, w);
        wait.then(
          () => this.#arm(fd),
          (e) => this.#finish(fd, e instanceof Error ? e : new Error(String(e))),
        );
        return;
      }
      if (n < READ_SIZE) return;
    }
  }

  #finish(fd: number, error: Error | null): void {
    const w = this.#watches.get(fd);
    if (w === undefined) return;
    this.#disarm(fd, w);
    this.#watches.delete(fd);
    this.#lib.symbols.close(fd);
    if (this.#watches.size === 0) this.#buffer = null;
    if (error === null) w.resolve();
    else w.reject(error);
  }

  /** Whether the last `stat`/`fstat` result is a pipe (`st_mode`'s place depends on the ABI). */
  #isFifo(): boolean {
    const offset = Deno.build.arch === "x86_64" ? 24 : 16;
    const mode = new DataView(this.#stat.buffer).getUint32(offset, true);
    return (mode & S_IFMT) === S_IFIFO;
  }

  #errno(): number {
    return errnoAt(this.#lib.symbols.__errno_location());
  }
}

let shared: PipePoller | null | undefined;

/**
 * The one poller of this process, opened on first use.
 *
 * @returns It, or null where pipes are read through Deno's streams.
 */
export function sharedPoller(): PipePoller | null {
  if (shared === undefined) {
    try {
      shared = PipePoller.open();
    } catch (e) {
      // No libc.so.6 (musl) or FFI refused: Deno's streams do the reading.
      if (!(e instanceof Error)) throw e;
      shared = null;
    }
  }
  return shared;
}
