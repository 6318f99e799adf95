/**
 * The few libc calls Deno does not offer, through FFI: `waitpid` for one pid (orphan reaping),
 * `prctl(PR_SET_CHILD_SUBREAPER)` and `prctl(PR_SET_PDEATHSIG)`, and `signal(SIG_IGN)` (keeping
 * the signals nimi's parent ignored ignored). Needs unscoped `--allow-ffi`. glibc's `libc.so.6` is
 * already loaded in every Deno process, so `dlopen` finds it without a search path.
 *
 * @module
 */

/** `waitpid` option: return at once if the child has not changed state. */
export const WNOHANG = 1;
/** `prctl` option: make this process a child subreaper. */
export const PR_SET_CHILD_SUBREAPER = 36;
/** `prctl` option: read the child subreaper flag. */
export const PR_GET_CHILD_SUBREAPER = 37;
/** `prctl` option: the signal this process gets when its parent dies. */
export const PR_SET_PDEATHSIG = 1;
/** `signal()` handler value: ignore the signal. */
const SIG_IGN = 1n;
/** `signal()` result on failure. */
const SIG_ERR = 0xffffffffffffffffn;
/** errno: no such child (already reaped by someone else). */
export const ECHILD = 10;

const SYMBOLS = {
  waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  prctl: { parameters: ["i32", "u64", "u64", "u64", "u64"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
  signal: { parameters: ["i32", "usize"], result: "usize" },
} as const;

/**
 * The calling thread's errno, read where libc's `__errno_location()` says it is (each library
 * that binds libc binds that call too).
 *
 * @param location What `__errno_location()` returned.
 * @returns errno, or 0 for no location.
 */
export function errnoAt(location: Deno.PointerValue): number {
  return location === null ? 0 : new Deno.UnsafePointerView(location).getInt32();
}

/** Result of one `waitpid` call. */
export interface WaitResult {
  /** What `waitpid` returned: the pid reaped, 0 if it has not exited, -1 on error. */
  pid: number;
  /** The raw wait status (meaningful when `pid > 0`). */
  status: number;
  /** errno when `pid === -1`, else 0. */
  errno: number;
}

/** The libc calls nimi uses. */
export interface Libc {
  /**
   * `waitpid(pid, &status, flags)` for one pid.
   *
   * @param pid The child to wait for (never -1: that would steal managed children's statuses).
   * @param flags Options such as {@linkcode WNOHANG}.
   * @returns What the call returned.
   */
  waitpid(pid: number, flags: number): WaitResult;
  /**
   * Makes this process a child subreaper: orphaned descendants are reparented to it.
   *
   * @throws {Error} When `prctl` fails (message names errno).
   */
  setChildSubreaper(): void;
  /**
   * Reads the child subreaper flag.
   *
   * @returns Whether this process is a child subreaper.
   */
  isChildSubreaper(): boolean;
  /**
   * Sets a signal's disposition to ignored (`signal(signum, SIG_IGN)`): the kernel then drops
   * it, whatever handler Deno had installed, and programs started later inherit it ignored.
   *
   * @param signum The signal number.
   * @throws {Error} When `signal` fails.
   */
  ignoreSignal(signum: number): void;
  /**
   * Asks the kernel to send a signal to this process when its parent dies
   * (`prctl(PR_SET_PDEATHSIG)`).
   *
   * @param signum The signal number.
   * @throws {Error} When `prctl` fails.
   */
  setParentDeathSignal(signum: number): void;
  /** Unloads the library. */
  close(): void;
}

/**
 * Opens libc.
 *
 * @param path The library to open.
 * @returns The bindings.
 * @throws {Deno.errors.NotCapable} Without `--allow-ffi`.
 * @example
 * ```ts
 * const libc = openLibc();
 * libc.setChildSubreaper();
 * ```
 */
export function openLibc(path = "libc.so.6"): Libc {
  const lib = Deno.dlopen(path, SYMBOLS);
  const errno = (): number => errnoAt(lib.symbols.__errno_location());
  const status = new Int32Array(1);
  return {
    waitpid(pid: number, flags: number): WaitResult {
      if (!Number.isInteger(pid) || pid <= 0) {
        throw new RangeError(`Cannot wait for pid ${pid}: only one positive pid at a time`);
      }
      status[0] = 0;
      const r = lib.symbols.waitpid(pid, status, flags);
      return { pid: r, status: status[0] ?? 0, errno: r === -1 ? errno() : 0 };
    },
    setChildSubreaper(): void {
      if (lib.symbols.prctl(PR_SET_CHILD_SUBREAPER, 1n, 0n, 0n, 0n) !== 0) {
        throw new Error(`Cannot become a child subreaper: prctl failed with errno ${errno()}`);
      }
    },
    isChildSubreaper(): boolean {
      const flag = new Int32Array(1);
      const ptr = Deno.UnsafePointer.value(Deno.UnsafePointer.of(flag));
      if (lib.symbols.prctl(PR_GET_CHILD_SUBREAPER, BigInt(ptr), 0n, 0n, 0n) !== 0) {
        throw new Error(`Cannot read the child subreaper flag: prctl failed with errno ${errno()}`);
      }
      return flag[0] !== 0;
    },
    ignoreSignal(signum: number): void {
      if (BigInt(lib.symbols.signal(signum, SIG_IGN)) === SIG_ERR) {
        throw new Error(`Cannot ignore signal ${signum}: signal failed with errno ${errno()}`);
      }
    },
    setParentDeathSignal(signum: number): void {
      if (lib.symbols.prctl(PR_SET_PDEATHSIG, BigInt(signum), 0n, 0n, 0n) !== 0) {
        throw new Error(
          `Cannot set the parent-death signal ${signum}: prctl failed with errno ${errno()}`,
        );
      }
    },
    close: () => lib.close(),
  };
}
