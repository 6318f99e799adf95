/**
 * Signal names and their Linux numbers: names validate config values, numbers give the
 * `128 + N` exit code convention.
 *
 * @module
 */

/** Linux (x86_64 and aarch64) signal numbers by name. */
export const SIGNAL_NUMBERS = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
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
} as const;

/** A signal name in its `SIG` form (`SIGTERM`). */
export type Signal = keyof typeof SIGNAL_NUMBERS;

/** Every signal name nimi accepts in a config. */
export const SIGNAL_NAMES: readonly Signal[] = Object.keys(SIGNAL_NUMBERS) as Signal[];

/**
 * Whether a name is a known signal in its `SIG` form.
 *
 * @param name A name.
 * @returns true for `SIGTERM`, false for `TERM` or `SIGNOPE`.
 */
export function isSignal(name: string): name is Signal {
  return Object.hasOwn(SIGNAL_NUMBERS, name);
}

/**
 * Normalises a signal name that must be known (a config value that passed validation).
 *
 * @param name `TERM`, `sigterm` or `SIGTERM`.
 * @returns The {@link Signal}.
 * @throws {RangeError} When it names no signal.
 * @example
 * ```ts
 * toSignal("hup"); // "SIGHUP"
 * ```
 */
export function toSignal(name: string): Signal {
  const signal = normalizeSignal(name);
  if (!isSignal(signal)) throw new RangeError(`Unknown signal ${JSON.stringify(name)}`);
  return signal;
}

/**
 * Normalises `TERM` or `SIGTERM` to `SIGTERM`.
 *
 * @param name A signal name with or without the `SIG` prefix.
 * @returns The name with the prefix.
 * @example
 * ```ts
 * normalizeSignal("hup"); // "SIGHUP"
 * ```
 */
export function normalizeSignal(name: string): string {
  const upper = name.toUpperCase();
  return upper.startsWith("SIG") ? upper : `SIG${upper}`;
}

/**
 * The number of a signal, for the `128 + N` exit code convention.
 *
 * @param name A signal name (`SIGTERM` or `TERM`).
 * @returns Its Linux number, or undefined when unknown.
 */
export function signalNumber(name: string): number | undefined {
  const signal = normalizeSignal(name);
  return isSignal(signal) ? SIGNAL_NUMBERS[signal] : undefined;
}
