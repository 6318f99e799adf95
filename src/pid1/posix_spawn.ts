/**
 * Starting the one program of init mode (`nimi -- PROGRAM`) with `posix_spawnp` through libc
 * FFI, because `Deno.Command` cannot do three things an init must: give the program the
 * controlling terminal of its new session (the child opens its terminal device again after
 * `setsid`, which makes it the session's controlling terminal when no other session holds it), start it
 * with exactly the signal dispositions an init should pass on (every signal default except those
 * nimi's parent ignored, SIGPIPE included: the Rust runtime under Deno ignores SIGPIPE), and
 * leave its exit status to a targeted `waitpid` so it is never collected twice.
 *
 * Needs unscoped `--allow-ffi`. glibc 2.26 or later (`POSIX_SPAWN_SETSID`).
 *
 * @module
 */

/** `posix_spawnattr` flag: put the child in the process group set (0: a new one it leads). */
const POSIX_SPAWN_SETPGROUP = 0x02;
/** `posix_spawnattr` flag: reset the listed signals to their default action. */
const POSIX_SPAWN_SETSIGDEF = 0x04;
/** `posix_spawnattr` flag: set the signal mask. */
const POSIX_SPAWN_SETSIGMASK = 0x08;
/** `posix_spawnattr` flag: call `setsid` in the child. */
const POSIX_SPAWN_SETSID = 0x80;
/** `open` flag: read and write. */
const O_RDWR = 2;
/** `ioctl` request: give up the controlling terminal. */
const TIOCNOTTY = 0x5422;

const SYMBOLS = {
  posix_spawnp: {
    parameters: ["buffer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  posix_spawnattr_init: { parameters: ["buffer"], result: "i32" },
  posix_spawnattr_destroy: { parameters: ["buffer"], result: "i32" },
  posix_spawnattr_setflags: { parameters: ["buffer", "i16"], result: "i32" },
  posix_spawnattr_setsigmask: { parameters: ["buffer", "buffer"], result: "i32" },
  posix_spawnattr_setsigdefault: { parameters: ["buffer", "buffer"], result: "i32" },
  posix_spawn_file_actions_init: { parameters: ["buffer"], result: "i32" },
  posix_spawn_file_actions_destroy: { parameters: ["buffer"], result: "i32" },
  posix_spawn_file_actions_addopen: {
    parameters: ["buffer", "i32", "buffer", "i32", "u32"],
    result: "i32",
  },
  sigemptyset: { parameters: ["buffer"], result: "i32" },
  sigaddset: { parameters: ["buffer", "i32"], result: "i32" },
  ioctl: { parameters: ["i32", "u64", "u64"], result: "i32" },
  getsid: { parameters: ["i32"], result: "i32" },
} as const;

// Larger than glibc's structures on every 64-bit target (posix_spawnattr_t is 336 bytes,
// posix_spawn_file_actions_t 80, sigset_t 128).
const ATTR_BYTES = 512;
const ACTIONS_BYTES = 256;
const SIGSET_BYTES = 128;

/** How to start the program. */
export interface SpawnRequest {
  /** The program, looked up in PATH when it has no slash. */
  program: string;
  /** Its arguments (after `argv[0]`). */
  args: readonly string[];
  /** Its environment. */
  env: Readonly<Record<string, string>>;
  /**
   * `session`: its own session and process group; `group`: its own process group in nimi's
   * session; `inherit`: nimi's group.
   */
  placement: "session" | "group" | "inherit";
  /**
   * A terminal device (`/dev/pts/0`) the child opens as its standard input after `setsid`,
   * which makes it the controlling terminal of its session when no other session holds it; null
   * to leave standard input as it is.
   */
  terminal: string | null;
  /** Signals (numbers 1..31) that stay ignored in the program; every other one is default. */
  keepIgnored: ReadonlySet<number>;
}

/** Why a program could not be started. */
export class SpawnError extends Error {
  /** The errno `posix_spawnp` returned. */
  readonly errno: number;

  /**
   * Creates the error.
   *
   * @param message What failed.
   * @param errno The errno.
   */
  constructor(message: string, errno: number) {
    super(message);
    this.name = "SpawnError";
    this.errno = errno;
  }
}

/** errno: no such file. */
export const ENOENT = 2;
/** errno: not an executable format. */
export const ENOEXEC = 8;
/** errno: permission denied. */
export const EACCES = 13;

/** The spawn-side libc calls. */
export interface Spawner {
  /**
   * Starts a program.
   *
   * @param request What to start and how.
   * @returns Its pid.
   * @throws {SpawnError} When `posix_spawnp` fails.
   */
  spawn(request: SpawnRequest): number;
  /**
   * Gives up the controlling terminal of standard input (`ioctl(0, TIOCNOTTY)`), so that a
   * child's new session can take it. Done only by a session leader: for it the kernel then sends
   * SIGHUP and SIGCONT to its foreground process group (nimi itself).
   *
   * @returns Whether nimi was the session leader and let go of the terminal.
   */
  releaseTerminal(): boolean;
  /** Unloads the library. */
  close(): void;
}

function cString(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new TextEncoder().encode(text);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

/** A NULL-terminated array of C strings; the strings must stay referenced while it is used. */
function cStringArray(items: readonly string[]): {
  array: BigUint64Array<ArrayBuffer>;
  keep: Uint8Array[];
} {
  const keep = items.map(cString);
  const array = new BigUint64Array(keep.length + 1);
  keep.forEach((s, i) => {
    array[i] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(s)));
  });
  return { array, keep };
}

/**
 * Opens libc for spawning.
 *
 * @param path The library.
 * @returns The calls.
 * @throws {Deno.errors.NotCapable} Without `--allow-ffi`.
 * @example
 * ```ts
 * const libc = openSpawner();
 * const pid = libc.spawn({
 *   program: "sleep", args: ["1"], env: Deno.env.toObject(), placement: "session",
 *   terminal: null, keepIgnored: new Set(),
 * });
 * ```
 */
export function openSpawner(path = "libc.so.6"): Spawner {
  const lib = Deno.dlopen(path, SYMBOLS);
  const s = lib.symbols;
  const check = (what: string, r: number): void => {
    if (r !== 0) throw new SpawnError(`Cannot start the program: ${what} failed (errno ${r})`, r);
  };
  return {
    spawn(request: SpawnRequest): number {
      const attr = new Uint8Array(ATTR_BYTES);
      const actions = new Uint8Array(ACTIONS_BYTES);
      const mask = new Uint8Array(SIGSET_BYTES);
      const defaults = new Uint8Array(SIGSET_BYTES);
      const terminal = cString(request.terminal ?? "");
      const file = cString(request.program);
      const argv = cStringArray([request.program, ...request.args]);
      const envp = cStringArray(Object.entries(request.env).map(([k, v]) => `${k}=${v}`));
      const pid = new Int32Array(1);
      check("posix_spawnattr_init", s.posix_spawnattr_init(attr));
      check("posix_spawn_file_actions_init", s.posix_spawn_file_actions_init(actions));
      try {
        s.sigemptyset(mask);
        s.sigemptyset(defaults);
        for (let n = 1; n <= 31; n++) {
          // SIGKILL and SIGSTOP cannot be set; sigaddset accepts them and the kernel skips them.
          if (!request.keepIgnored.has(n)) s.sigaddset(defaults, n);
        }
        let flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
        if (request.placement === "session") flags |= POSIX_SPAWN_SETSID;
        if (request.placement === "group") flags |= POSIX_SPAWN_SETPGROUP;
        check("posix_spawnattr_setflags", s.posix_spawnattr_setflags(attr, flags));
        check("posix_spawnattr_setsigmask", s.posix_spawnattr_setsigmask(attr, mask));
        check("posix_spawnattr_setsigdefault", s.posix_spawnattr_setsigdefault(attr, defaults));
        if (request.terminal !== null) {
          check(
            "posix_spawn_file_actions_addopen",
            s.posix_spawn_file_actions_addopen(actions, 0, terminal, O_RDWR, 0),
          );
        }
        const r = s.posix_spawnp(pid, file, actions, attr, argv.array, envp.array);
        if (r !== 0) throw new SpawnError(`posix_spawnp failed (errno ${r})`, r);
        return pid[0]!;
      } finally {
        s.posix_spawn_file_actions_destroy(actions);
        s.posix_spawnattr_destroy(attr);
        // Referenced until here so the collector keeps the strings the arrays point to.
        void argv.keep.length;
        void envp.keep.length;
      }
    },
    releaseTerminal(): boolean {
      if (s.getsid(0) !== Deno.pid) return false;
      return s.ioctl(0, BigInt(TIOCNOTTY), 0n) === 0;
    },
    close: () => lib.close(),
  };
}
