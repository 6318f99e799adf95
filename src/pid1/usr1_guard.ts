/**
 * Keeps Deno's inspector shut while nimi still hears SIGUSR1.
 *
 * The `deno` CLI 2.9.2 and later starts an inspector on 127.0.0.1:9229 when the process gets
 * SIGUSR1 (about 500 ms after start, even when JavaScript listens for SIGUSR1), with no flag to
 * turn it off; anyone allowed to signal nimi could attach a debugger. `deno compile` binaries
 * (denort) do not do this. Under an affected CLI nimi re-executes itself once with SIGUSR1
 * blocked in its signal mask, which every thread Deno then starts inherits: the signal stays
 * pending, Deno's handler never runs, and nimi reads it from a `signalfd` instead. A child
 * inherits the mask of the thread that forks it, so services are spawned through
 * {@linkcode withUsr1Unblocked}: for the few microseconds of the spawn, SIGUSR1 is unblocked on
 * that thread with a handler that does nothing (libc's `getpid`) in place of Deno's, so the child
 * starts with SIGUSR1 unblocked and at its default action, and a SIGUSR1 arriving just then opens
 * nothing (it is dropped).
 *
 * @module
 */

const SIGUSR1 = 10;
const SIG_BLOCK = 0;
const SIG_UNBLOCK = 1;
const SFD_CLOEXEC = 0o2000000;
const SFD_NONBLOCK = 0o4000;
const SA_RESTART = 0x10000000;
/** glibc's `struct sigaction`: handler, 128-byte mask, flags (and padding), restorer. */
const SIGACTION_SIZE = 152;
const SIGINFO_SIZE = 128;

/**
 * Whether this Deno opens an inspector on SIGUSR1: the CLI (not a compiled program) from 2.9.2.
 *
 * @param version Deno's version (`Deno.version.deno`).
 * @param standalone Whether this is a `deno compile` program (`Deno.build.standalone`).
 * @returns true when SIGUSR1 must be kept from Deno.
 * @example
 * ```ts
 * inspectorOnUsr1("2.9.6", false); // true
 * inspectorOnUsr1("2.9.1", false); // false
 * ```
 */
export function inspectorOnUsr1(version: string, standalone: boolean): boolean {
  if (standalone) return false;
  const [major = 0, minor = 0, patch = 0] = version.split(/[.-]/).map((n) => parseInt(n, 10));
  return major > 2 || (major === 2 && (minor > 9 || (minor === 9 && patch >= 2)));
}

/**
 * Whether SIGUSR1 is blocked, from the text of `/proc/self/status`.
 *
 * @param status The file's text.
 * @returns true when the `SigBlk` mask has SIGUSR1.
 * @example
 * ```ts
 * usr1Blocked("SigBlk:\t0000000000000200\n"); // true
 * ```
 */
export function usr1Blocked(status: string): boolean {
  const m = /^SigBlk:\s*([0-9a-f]+)$/m.exec(status);
  return m !== null && ((BigInt(`0x${m[1]}`) >> BigInt(SIGUSR1 - 1)) & 1n) === 1n;
}

const SYMBOLS = {
  pthread_sigmask: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  execve: { parameters: ["buffer", "buffer", "buffer"], result: "i32" },
  signalfd: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize", nonblocking: true },
  readNow: { name: "read", parameters: ["i32", "buffer", "usize"], result: "isize" },
  sigaction: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  dlsym: { parameters: ["pointer", "buffer"], result: "pointer" },
} as const;

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>;

/** What the guard holds once SIGUSR1 comes from a signalfd. */
interface Guard {
  libc: Libc;
  set: Uint8Array<ArrayBuffer>;
  /** A second, non-blocking signalfd, to drain what is pending before a spawn. */
  drainFd: number;
  /** `struct sigaction` with libc's `getpid` as the handler. */
  quiet: Uint8Array<ArrayBuffer>;
  listeners: Set<() => void>;
}

function usr1Set(): Uint8Array<ArrayBuffer> {
  const set = new Uint8Array(128);
  set[(SIGUSR1 - 1) >> 3]! |= 1 << ((SIGUSR1 - 1) & 7);
  return set;
}

const encoder = new TextEncoder();
const cString = (s: string): Uint8Array<ArrayBuffer> => encoder.encode(`${s}\0`);

/** A NULL-terminated array of pointers to `strings`, which must outlive the call. */
function pointerArray(strings: Uint8Array<ArrayBuffer>[]): Uint8Array<ArrayBuffer> {
  const array = new BigUint64Array(strings.length + 1);
  strings.forEach((s, i) => array[i] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(s))));
  return new Uint8Array(array.buffer);
}

let guard: Guard | null = null;

function warn(message: string): void {
  Deno.stderr.writeSync(encoder.encode(`nimi: warning: ${message}\n`));
}

/**
 * Called first thing by the CLI. Under an affected Deno CLI on Linux: when SIGUSR1 is not yet
 * blocked, blocks it and re-executes this same command line (it does not return); when it is,
 * starts reading SIGUSR1 from a signalfd for {@linkcode listenUsr1}. Elsewhere it does nothing.
 *
 * @returns Whether SIGUSR1 now comes from the signalfd.
 */
export function guardUsr1(): boolean {
  if (Deno.build.os !== "linux" || !inspectorOnUsr1(Deno.version.deno, Deno.build.standalone)) {
    return false;
  }
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    warn(
      `Deno ${Deno.version.deno} opens an inspector on 127.0.0.1:9229 on SIGUSR1; ` +
        "nimi needs --allow-ffi to prevent it",
    );
    return false;
  }
  const libc = Deno.dlopen("libc.so.6", SYMBOLS);
  const set = usr1Set();
  if (!usr1Blocked(Deno.readTextFileSync("/proc/self/status"))) {
    const argv = Deno.readTextFileSync("/proc/self/cmdline").split("\0").slice(0, -1).map(cString);
    const env = Object.entries(Deno.env.toObject()).map(([k, v]) => cString(`${k}=${v}`));
    if (libc.symbols.pthread_sigmask(SIG_BLOCK, set, null) === 0) {
      libc.symbols.execve(cString(Deno.execPath()), pointerArray(argv), pointerArray(env));
    }
    // Still here: the re-execution failed, and Deno's other threads still take SIGUSR1.
    warn("could not re-execute with SIGUSR1 blocked: SIGUSR1 may open Deno's inspector");
    libc.close();
    return false;
  }
  const fd = libc.symbols.signalfd(-1, set, SFD_CLOEXEC);
  const drainFd = libc.symbols.signalfd(-1, set, SFD_CLOEXEC | SFD_NONBLOCK);
  const getpid = libc.symbols.dlsym(null, cString("getpid"));
  if (fd < 0 || drainFd < 0 || getpid === null) {
    warn("signalfd() failed: SIGUSR1 stays blocked and is not forwarded");
    libc.close();
    return false;
  }
  const quiet = new Uint8Array(SIGACTION_SIZE);
  const view = new DataView(quiet.buffer);
  view.setBigUint64(0, BigInt(Deno.UnsafePointer.value(getpid)), true);
  view.setInt32(136, SA_RESTART, true);
  const listeners = new Set<() => void>();
  guard = { libc, set, drainFd, quiet, listeners };
  const info = new Uint8Array(SIGINFO_SIZE);
  // One read at a time on a thread of Deno's pool; each signal is one siginfo record. The
  // pending read does not keep nimi alive: the CLI ends through Deno.exit.
  (async () => {
    while ((await libc.symbols.read(fd, info, BigInt(SIGINFO_SIZE))) === BigInt(SIGINFO_SIZE)) {
      for (const listener of [...listeners]) listener();
    }
    warn("reading SIGUSR1 from its signalfd failed: SIGUSR1 is no longer forwarded");
  })();
  return true;
}

/**
 * Runs `spawn` so that the child starts with SIGUSR1 unblocked (see the module comment). Without
 * the guard it just runs `spawn`.
 *
 * @param spawn Creates the child process (synchronously, on this thread).
 * @returns What `spawn` returns.
 * @example
 * ```ts
 * const child = withUsr1Unblocked(() => new Deno.Command("sleep", { args: ["1"] }).spawn());
 * ```
 */
export function withUsr1Unblocked<T>(spawn: () => T): T {
  const g = guard;
  if (g === null) return spawn();
  const { symbols } = g.libc;
  // What is pending would reach the quiet handler: take it first and pass it on afterwards.
  const info = new Uint8Array(SIGINFO_SIZE);
  let drained = 0;
  while (symbols.readNow(g.drainFd, info, BigInt(SIGINFO_SIZE)) === BigInt(SIGINFO_SIZE)) {
    drained++;
  }
  const previous = new Uint8Array(SIGACTION_SIZE);
  symbols.sigaction(SIGUSR1, g.quiet, previous);
  symbols.pthread_sigmask(SIG_UNBLOCK, g.set, null);
  try {
    return spawn();
  } finally {
    symbols.pthread_sigmask(SIG_BLOCK, g.set, null);
    symbols.sigaction(SIGUSR1, previous, null);
    for (let i = 0; i < drained; i++) {
      for (const listener of [...g.listeners]) listener();
    }
  }
}

/**
 * Subscribes to SIGUSR1 from the signalfd, when {@linkcode guardUsr1} set one up.
 *
 * @param onSignal Called for each SIGUSR1.
 * @returns A function that unsubscribes, or null when SIGUSR1 reaches Deno's listeners as usual.
 */
export function listenUsr1(onSignal: () => void): (() => void) | null {
  if (guard === null) return null;
  const { listeners } = guard;
  listeners.add(onSignal);
  return () => listeners.delete(onSignal);
}
