/**
 * What nimi does with each signal it receives, as pure functions: the signal table of
 * `nimi run` ({@linkcode signalAction}) and the one of init mode, `nimi -- PROGRAM`
 * ({@linkcode initSignalPlan}). Both are documented in docs/container.md ("Signals"). It has no
 * imports so that the early listener module stays tiny.
 *
 * | Signal (`nimi run`)                       | Action                                           |
 * | ----------------------------------------- | ------------------------------------------------ |
 * | SIGINT, SIGTERM (first)                   | `stop`: graceful stop of every service           |
 * | SIGINT, SIGTERM (second), SIGQUIT         | `kill`: SIGKILL to every service's group now     |
 * | SIGTSTP, SIGTTIN, SIGTTOU                 | `suspend`: SIGSTOP to every group, then nimi     |
 * | SIGCONT                                   | `resume`: SIGCONT to every group                 |
 * | every other catchable signal              | `forward`: to the groups of the services that    |
 * |                                           | list it in `nimi.forwardSignals`, else ignored   |
 *
 * @module
 */

/**
 * Every signal nimi listens for, in the order the listeners are installed: every signal from 1
 * to 31 except SIGKILL and SIGSTOP (which cannot be caught), SIGILL, SIGFPE and SIGSEGV (which
 * Deno reserves for itself) and SIGCHLD (the reaper's). The first listener makes Deno catch
 * SIGTERM, SIGINT and SIGHUP all at once; one of them arriving before its own listener exists
 * is treated by Deno as unhandled, which kills a PID 1 with SIGSEGV. So those three come first,
 * the likeliest stop signal (SIGTERM) first of all: the window shrinks to the few microseconds
 * between three calls (docs/container.md, "The first microseconds"). SIGWINCH comes last: once
 * the kernel shows it as caught, every listener is in place (the tests rely on it).
 */
export const HANDLED_SIGNALS = [
  "SIGTERM",
  "SIGINT",
  "SIGHUP",
  "SIGQUIT",
  "SIGUSR1",
  "SIGUSR2",
  "SIGTRAP",
  "SIGABRT",
  "SIGBUS",
  "SIGPIPE",
  "SIGALRM",
  "SIGSTKFLT",
  "SIGCONT",
  "SIGTSTP",
  "SIGTTIN",
  "SIGTTOU",
  "SIGURG",
  "SIGXCPU",
  "SIGXFSZ",
  "SIGVTALRM",
  "SIGPROF",
  "SIGIO",
  "SIGPWR",
  "SIGSYS",
  "SIGWINCH",
] as const;

/**
 * The signals commands other than `run` and init mode listen for: the stop requests and the
 * three Deno catches together (so that a PID 1 never aborts), plus the ones nimi has always
 * handled. Job-control signals keep their default there (Ctrl-Z stops `nimi validate`).
 */
export const BASIC_SIGNALS: readonly HandledSignal[] = [
  "SIGTERM",
  "SIGINT",
  "SIGHUP",
  "SIGQUIT",
  "SIGUSR1",
  "SIGUSR2",
  "SIGWINCH",
];

/** A signal nimi listens for. */
export type HandledSignal = typeof HANDLED_SIGNALS[number];

/**
 * What `nimi run` does with a signal: `stop` everything gracefully, `kill` everything at once,
 * `forward` the signal to the services that ask for it, `suspend` the services and then nimi
 * (job control), or `resume` them.
 */
export type SignalAction = "stop" | "kill" | "forward" | "suspend" | "resume";

/** A received signal and the action the `nimi run` table chose for it. */
export interface SignalEvent {
  /** The signal nimi received. */
  signal: HandledSignal;
  /** What `nimi run` does about it. */
  action: SignalAction;
}

/** Linux numbers (x86_64 and aarch64) of the handled signals, and of SIGKILL, SIGSTOP, SIGCHLD. */
export const HANDLED_SIGNAL_NUMBERS: Readonly<Record<HandledSignal, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGUSR1: 10,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCONT: 18,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPWR: 30,
  SIGSYS: 31,
};

/** SIGSTOP's number: what job-control signals become for a program in its own session. */
export const SIGSTOP_NUMBER = 19;

/** The job-control signals a terminal sends: forwarded, then nimi stops itself. */
const JOB_CONTROL: readonly HandledSignal[] = ["SIGTSTP", "SIGTTIN", "SIGTTOU"];

/**
 * Whether a signal is one of the job-control stop signals (SIGTSTP, SIGTTIN, SIGTTOU).
 *
 * @param signal The signal.
 * @returns True for the three.
 */
export function isJobControl(signal: HandledSignal): boolean {
  return JOB_CONTROL.includes(signal);
}

/**
 * Chooses what `nimi run` does with a signal.
 *
 * @param signal The signal received.
 * @param stopsBefore How many SIGINT/SIGTERM were received before this one.
 * @returns `stop` for a first SIGINT/SIGTERM, `kill` for a later one and for SIGQUIT,
 *   `suspend` for SIGTSTP/SIGTTIN/SIGTTOU, `resume` for SIGCONT, `forward` for the rest.
 * @example
 * ```ts
 * signalAction("SIGTERM", 0); // "stop"
 * signalAction("SIGINT", 1); // "kill"
 * signalAction("SIGHUP", 0); // "forward"
 * signalAction("SIGTSTP", 0); // "suspend"
 * ```
 */
export function signalAction(signal: HandledSignal, stopsBefore: number): SignalAction {
  if (isStopRequest(signal)) return stopsBefore === 0 ? "stop" : "kill";
  if (signal === "SIGQUIT") return "kill";
  if (isJobControl(signal)) return "suspend";
  if (signal === "SIGCONT") return "resume";
  return "forward";
}

/**
 * Whether a signal counts as a stop request (for {@linkcode signalAction}'s `stopsBefore`).
 *
 * @param signal The signal received.
 * @returns True for SIGINT and SIGTERM.
 */
export function isStopRequest(signal: HandledSignal): boolean {
  return signal === "SIGINT" || signal === "SIGTERM";
}

/** How init mode passes signals on. */
export interface InitSignalOptions {
  /** Whether the program runs in its own session (then signals go to its process group). */
  setsid: boolean;
  /** `--rewrite S:R` by received signal number: the number to send instead, 0 to drop it. */
  rewrite: ReadonlyMap<number, number>;
}

/** What init mode does with one signal. */
export interface InitSignalPlan {
  /** The signal number to send to the program (or its group), or null to send nothing. */
  send: number | null;
  /** Whether nimi then stops itself (job control). */
  suspend: boolean;
}

/**
 * Chooses what init mode (`nimi -- PROGRAM`) does with a signal: every one is passed on, after
 * `--rewrite`. A job-control signal is passed on and then nimi stops itself, as dumb-init does;
 * when the program has its own session it gets SIGSTOP instead (unless rewritten), because the
 * kernel discards SIGTSTP, SIGTTIN and SIGTTOU sent to a process group with no parent in its
 * session.
 *
 * @param signal The signal nimi received.
 * @param options The mode and the rewrites.
 * @returns What to send and whether to stop nimi.
 * @example
 * ```ts
 * initSignalPlan("SIGTERM", { setsid: true, rewrite: new Map([[15, 3]]) }); // send 3
 * initSignalPlan("SIGTSTP", { setsid: true, rewrite: new Map() }); // send 19, suspend
 * ```
 */
export function initSignalPlan(signal: HandledSignal, options: InitSignalOptions): InitSignalPlan {
  const received = HANDLED_SIGNAL_NUMBERS[signal];
  const suspend = isJobControl(signal);
  let send = options.rewrite.get(received) ?? null;
  if (send === null) send = suspend && options.setsid ? SIGSTOP_NUMBER : received;
  return { send: send === 0 ? null : send, suspend };
}
