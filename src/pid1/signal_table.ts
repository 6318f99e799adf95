/**
 * What nimi does with each signal it receives: the signal table of `nimi run`, as a pure
 * function. It has no imports so that the early listener module stays tiny.
 *
 * | Signal                           | Action                                          |
 * | -------------------------------- | ----------------------------------------------- |
 * | SIGINT, SIGTERM (first)          | `stop`: graceful stop of every service          |
 * | SIGINT, SIGTERM (second), SIGQUIT| `kill`: SIGKILL to every service's group now    |
 * | SIGHUP, SIGUSR1, SIGUSR2, SIGWINCH| `forward`: to each service's process group     |
 *
 * @module
 */

/**
 * Every signal nimi listens for, in the order the listeners are installed. The first listener
 * makes Deno catch SIGTERM, SIGINT and SIGHUP all at once; one of them arriving before its own
 * listener exists is treated by Deno as unhandled, which kills a PID 1 with SIGSEGV. So those
 * three come first, the likeliest stop signal (SIGTERM) first of all: the window shrinks to the
 * few microseconds between three calls (docs/container.md, "The first microseconds").
 */
export const HANDLED_SIGNALS = [
  "SIGTERM",
  "SIGINT",
  "SIGHUP",
  "SIGQUIT",
  "SIGUSR1",
  "SIGUSR2",
  "SIGWINCH",
] as const;

/** A signal nimi listens for. */
export type HandledSignal = typeof HANDLED_SIGNALS[number];

/**
 * What to do with a signal: `stop` everything gracefully, `kill` everything at once, or
 * `forward` the signal to the services.
 */
export type SignalAction = "stop" | "kill" | "forward";

/** A received signal and the action the table chose for it. */
export interface SignalEvent {
  /** The signal nimi received. */
  signal: HandledSignal;
  /** What nimi does about it. */
  action: SignalAction;
}

/** Linux numbers of the handled signals (for the `128 + N` exit code convention). */
export const HANDLED_SIGNAL_NUMBERS: Readonly<Record<HandledSignal, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGUSR1: 10,
  SIGUSR2: 12,
  SIGTERM: 15,
  SIGWINCH: 28,
};

/**
 * Chooses the action for a signal.
 *
 * @param signal The signal received.
 * @param stopsBefore How many SIGINT/SIGTERM were received before this one.
 * @returns `stop` for a first SIGINT/SIGTERM, `kill` for a later one and for SIGQUIT,
 *   `forward` for SIGHUP, SIGUSR1, SIGUSR2 and SIGWINCH.
 * @example
 * ```ts
 * signalAction("SIGTERM", 0); // "stop"
 * signalAction("SIGINT", 1); // "kill"
 * signalAction("SIGHUP", 0); // "forward"
 * ```
 */
export function signalAction(signal: HandledSignal, stopsBefore: number): SignalAction {
  switch (signal) {
    case "SIGINT":
    case "SIGTERM":
      return stopsBefore === 0 ? "stop" : "kill";
    case "SIGQUIT":
      return "kill";
    case "SIGHUP":
    case "SIGUSR1":
    case "SIGUSR2":
    case "SIGWINCH":
      return "forward";
  }
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
