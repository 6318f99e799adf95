/**
 * Init mode, `nimi -- PROGRAM`: nimi as the init of one program, the way tini and dumb-init
 * are. It uses the PID 1 machinery of `nimi run` (the signal gate installed first, the orphan
 * reaper, libc through FFI) and adds what one program needs: it is started by `posix_spawnp`
 * with nimi's standard input, output, error and terminal, in its own session by default; every
 * signal nimi receives is passed on ({@linkcode initSignalPlan}); nimi exits with the
 * program's status.
 *
 * @module
 */
import { ECHILD, type Libc, openLibc, WNOHANG } from "./libc.ts";
import { EACCES, ENOENT, ENOEXEC, openSpawner, type Spawner, SpawnError } from "./posix_spawn.ts";
import { startReaper } from "./reaper.ts";
import { HANDLED_SIGNAL_NUMBERS, type HandledSignal, initSignalPlan } from "./signal_table.ts";
import { installSignalListeners } from "./signals.ts";
import { decodeWaitStatus, initExitCode, type WaitOutcome } from "./wait_status.ts";
import { clearTimer, setRepeatingTimer } from "../timers.ts";

/** How to run the program. */
export interface InitOptions {
  /** The program and its arguments. */
  argv: readonly string[];
  /**
   * Where the program runs: `session` (its own session and process group, the default),
   * `group` (its own process group in nimi's session), `inherit` (nimi's group).
   */
  placement: "session" | "group" | "inherit";
  /** `--rewrite`: received signal number to the number sent (0: not sent). */
  rewrite: ReadonlyMap<number, number>;
  /** Exit codes reported as 0. */
  remapExit: ReadonlySet<number>;
  /** The parent-death signal number, or null. */
  parentDeathSignal: number | null;
  /** Become a child subreaper when not PID 1. */
  subreaper: boolean;
  /** Report each orphan reaped. */
  warnReaping: boolean;
  /** Report what nimi does. */
  verbose: boolean;
  /** Writes one of nimi's lines (no newline) to standard error. */
  log: (line: string) => void;
}

/** How often the program's status is polled besides SIGCHLD, in milliseconds. */
const POLL_MS = 1000;

const SIGNAL_NAMES = new Map<number, Deno.Signal>(
  Object.entries(HANDLED_SIGNAL_NUMBERS).map(([name, n]) => [n, name as Deno.Signal]),
);
SIGNAL_NAMES.set(9, "SIGKILL");
SIGNAL_NAMES.set(19, "SIGSTOP");
SIGNAL_NAMES.set(17, "SIGCHLD");
SIGNAL_NAMES.set(4, "SIGILL");
SIGNAL_NAMES.set(8, "SIGFPE");
SIGNAL_NAMES.set(11, "SIGSEGV");

/**
 * The name of a signal number.
 *
 * @param n A number from 1 to 31.
 * @returns Its name (`SIGTERM`).
 */
export function signalName(n: number): Deno.Signal {
  const name = SIGNAL_NAMES.get(n);
  if (name === undefined) throw new RangeError(`Unknown signal number ${n}`);
  return name;
}

/** The terminal device on standard input, or null (not a terminal, or no device path). */
function terminalPath(): string | null {
  if (!Deno.stdin.isTerminal()) return null;
  try {
    const path = Deno.readLinkSync("/proc/self/fd/0");
    return path.startsWith("/dev/") && Deno.statSync(path).isCharDevice ? path : null;
  } catch (e) {
    // No /proc, or the device is not visible in this mount namespace: no terminal to hand on.
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotCapable) return null;
    throw e;
  }
}

function send(target: number, signum: number): void {
  try {
    Deno.kill(target, signalName(signum));
  } catch (e) {
    // The program (or its whole group) is gone already: its exit is being collected.
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

/**
 * Starts the program, handing it the terminal when possible (a failure there is retried
 * without); tells whether nimi let go of the terminal as its session leader.
 */
function spawnProgram(
  spawner: Spawner,
  options: InitOptions,
  keepIgnored: ReadonlySet<number>,
): { pid: number; released: boolean } {
  const setsid = options.placement === "session";
  const terminal = setsid ? terminalPath() : null;
  const released = terminal !== null && spawner.releaseTerminal();
  const request = {
    program: options.argv[0]!,
    args: options.argv.slice(1),
    env: Deno.env.toObject(),
    placement: options.placement,
    terminal,
    keepIgnored,
  };
  if (options.verbose && released) options.log(`handing the terminal ${terminal} on`);
  try {
    return { pid: spawner.spawn(request), released };
  } catch (e) {
    if (terminal === null) throw e;
    if (options.verbose) options.log(`cannot open ${terminal} for the program: starting without`);
    return { pid: spawner.spawn({ ...request, terminal: null }), released };
  }
}

/**
 * Runs the program until it exits, passing signals on and reaping orphans.
 *
 * @param options What to run and how.
 * @returns The exit code: the program's, `128 + N` when signal N ended it, 0 when remapped,
 *   127 or 126 when it could not be started.
 * @example
 * ```ts
 * const code = await runInit({
 *   argv: ["sh", "-c", "exit 3"], placement: "session", rewrite: new Map(), remapExit: new Set(),
 *   parentDeathSignal: null, subreaper: true, warnReaping: false, verbose: false,
 *   log: (line) => console.error(line),
 * }); // 3
 * ```
 */
export async function runInit(options: InitOptions): Promise<number> {
  const { log, verbose } = options;
  const gate = installSignalListeners();
  if (gate.ignoreError !== null) {
    log(`cannot keep the ignored signals ignored: ${gate.ignoreError}`);
  }
  let libc: Libc;
  let spawner: Spawner;
  try {
    libc = openLibc();
    spawner = openSpawner();
  } catch (e) {
    const hint = e instanceof Deno.errors.NotCapable ? "; run with --allow-ffi" : "";
    log(`cannot start "${options.argv[0]}": libc is needed: ${describe(e)}${hint}`);
    return 126;
  }
  if (options.parentDeathSignal !== null) libc.setParentDeathSignal(options.parentDeathSignal);
  const reaper = startReaper({
    subreaper: options.subreaper,
    log,
    ...(options.warnReaping ? { onReap: (pid: number) => log(`reaped orphan ${pid}`) } : {}),
  });
  if (reaper.mode === "off" && options.warnReaping) {
    log("not PID 1 and not a child subreaper: orphans go to the system's init, not to nimi");
  }
  // A session leader letting go of its terminal gets SIGHUP and SIGCONT from the kernel: they
  // are not for the program (dumb-init ignores them too).
  const handoff = new Set<HandledSignal>();
  let pid: number;
  try {
    const started = spawnProgram(spawner, options, gate.ignored);
    pid = started.pid;
    if (started.released) handoff.add("SIGHUP").add("SIGCONT");
  } catch (e) {
    reaper.stop();
    return reportSpawnError(options.argv[0]!, e, log);
  }
  reaper.managed.add(pid);
  if (verbose) log(`started ${options.argv[0]} (pid ${pid})`);
  const target = options.placement === "inherit" ? pid : -pid;
  const setsid = options.placement === "session";
  const detach = gate.attach(({ signal }) => {
    if (handoff.delete(signal)) {
      if (verbose) log(`ignoring ${signal} from handing the terminal on`);
      return;
    }
    const plan = initSignalPlan(signal, { setsid, rewrite: options.rewrite });
    if (plan.send !== null) {
      send(target, plan.send);
      if (verbose) log(`${signal}: sent ${signalName(plan.send)} to ${target}`);
    } else if (verbose) log(`${signal}: not passed on (rewritten to 0)`);
    if (plan.suspend && Deno.pid !== 1) Deno.kill(Deno.pid, "SIGSTOP");
  });
  const outcome = await waitFor(libc, pid);
  detach();
  reaper.managed.delete(pid);
  // What the program left in its group gets SIGTERM, as with dumb-init.
  if (target < 0) send(target, 15);
  reaper.sweep();
  reaper.stop();
  libc.close();
  spawner.close();
  const code = initExitCode(outcome, options.remapExit);
  if (verbose) {
    const how = outcome.signal === null
      ? `exited with code ${outcome.code}`
      : `was killed by ${signalName(outcome.signal)}`;
    log(`${options.argv[0]} ${how}: exiting with code ${code}`);
  }
  return code;
}

/** Waits for the program with `waitpid(pid)` on every SIGCHLD (and a slow poll as backstop). */
function waitFor(libc: Libc, pid: number): Promise<WaitOutcome> {
  return new Promise((resolve) => {
    const check = (): void => {
      const r = libc.waitpid(pid, WNOHANG);
      if (r.pid !== pid && !(r.pid === -1 && r.errno === ECHILD)) return;
      Deno.removeSignalListener("SIGCHLD", check);
      clearTimer(timer);
      // ECHILD: collected elsewhere (it cannot be, the reaper skips it): report a failure.
      resolve(r.pid === pid ? decodeWaitStatus(r.status) : { code: 1, signal: null });
    };
    Deno.addSignalListener("SIGCHLD", check);
    const timer = setRepeatingTimer(check, POLL_MS);
    check();
  });
}

function reportSpawnError(program: string, e: unknown, log: (line: string) => void): number {
  if (!(e instanceof SpawnError)) throw e;
  if (e.errno === ENOENT) {
    const where = program.includes("/") ? "" : " in PATH";
    log(`cannot start: program "${program}" not found${where}`);
    return 127;
  }
  if (e.errno === EACCES || e.errno === ENOEXEC) {
    const why = e.errno === EACCES ? "permission denied" : "exec format error";
    log(`cannot start: program "${program}" is not executable (${why})`);
    return 126;
  }
  log(`cannot start "${program}": ${e.message}`);
  return 126;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
