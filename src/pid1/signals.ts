/**
 * The first thing nimi does: listen for every signal it handles, so that no signal arriving at
 * any moment ends nimi by its default action. Deno installs its own handlers for SIGINT,
 * SIGTERM and SIGHUP once any listener exists; a process that is PID 1 and gets one of them with
 * no JavaScript listener aborts and dies with SIGSEGV (exit 139).
 *
 * Signals that arrive before a handler is attached (while the config loads and the supervisor is
 * built) are buffered and replayed, in order, to the first handler attached. A second stop
 * request, or SIGQUIT, while nothing is attached ends nimi at once with `128 + N`: nothing has
 * been started that would need stopping.
 *
 * Signals nimi's parent ignored stay ignored (src/pid1/ignored.ts): nimi reads them before
 * its first listener and sets them back to ignored once the listeners exist, through libc
 * (loaded only when there is such a signal).
 *
 * This module imports only the pure signal table and small helpers, so loading it costs almost
 * nothing.
 *
 * @module
 */
import { readIgnored } from "./ignored.ts";
import { openLibc } from "./libc.ts";
import {
  HANDLED_SIGNAL_NUMBERS,
  HANDLED_SIGNALS,
  type HandledSignal,
  isStopRequest,
  signalAction,
  type SignalEvent,
} from "./signal_table.ts";
import { listenUsr1 } from "./usr1_guard.ts";

/** Receives each signal with its action. */
export type SignalHandler = (event: SignalEvent) => void;

/** Subscribes to one OS signal; returns a function that unsubscribes. */
export type ListenFn = (signal: HandledSignal, onSignal: () => void) => () => void;

/** Listens for nimi's signals and hands them to whoever runs the services. */
export interface SignalGate {
  /**
   * Attaches the handler that acts on signals. Buffered signals are replayed to it first.
   *
   * @param handler Receives each signal and its action.
   * @returns A function that detaches the handler (signals are buffered again).
   */
  attach(handler: SignalHandler): () => void;
  /**
   * Signals received while no handler was attached and not yet replayed.
   *
   * @returns The buffered events, oldest first.
   */
  pending(): readonly SignalEvent[];
  /** Signal numbers nimi's parent had ignored: nimi and its programs keep them ignored. */
  readonly ignored: ReadonlySet<number>;
  /**
   * Why the ignored signals could not be kept ignored (no `--allow-ffi`), or null.
   */
  readonly ignoreError: string | null;
  /**
   * Removes the OS listeners. Only for library and test use: a PID 1 that removes its SIGINT,
   * SIGTERM or SIGHUP listener dies with SIGSEGV on the next one.
   */
  close(): void;
}

/** Options of {@linkcode createSignalGate}. */
export interface SignalGateOptions {
  /**
   * How to subscribe to an OS signal.
   *
   * @default Deno.addSignalListener
   */
  listen?: ListenFn;
  /**
   * Ends the process when stopping at once with no handler attached.
   *
   * @default Deno.exit
   */
  exit?: (code: number) => void;
  /**
   * Whether a first SIGINT/SIGTERM with no handler attached is kept for the handler to come
   * (`nimi run`: the supervisor is being built). When false it ends the process at once with
   * `128 + N`, as a command that will never attach a handler should.
   *
   * @default true
   */
  holdStops?: boolean;
  /**
   * Which signals to listen for.
   *
   * @default HANDLED_SIGNALS
   */
  signals?: readonly HandledSignal[];
  /**
   * The signals the parent ignored (read before any listener exists).
   *
   * @default readIgnored()
   */
  ignored?: ReadonlySet<number>;
  /**
   * Sets one signal back to ignored after the listeners exist.
   *
   * @default `signal(signum, SIG_IGN)` through libc
   */
  ignore?: (signum: number) => void;
}

function denoListen(signal: HandledSignal, onSignal: () => void): () => void {
  // Where SIGUSR1 is blocked to keep Deno's inspector shut, it comes from a signalfd.
  const fromSignalfd = signal === "SIGUSR1" ? listenUsr1(onSignal) : null;
  if (fromSignalfd !== null) return fromSignalfd;
  Deno.addSignalListener(signal, onSignal);
  return () => Deno.removeSignalListener(signal, onSignal);
}

/**
 * Listens for every signal in the table and returns the gate that dispatches them.
 *
 * @param options Injected listener and exit (for tests).
 * @returns The gate.
 * @example
 * ```ts
 * const gate = createSignalGate();
 * const detach = gate.attach(({ signal, action }) => {
 *   if (action === "stop") supervisor.stop();
 * });
 * ```
 */
export function createSignalGate(options: SignalGateOptions = {}): SignalGate {
  const listen = options.listen ?? denoListen;
  const exit = options.exit ?? ((code: number) => Deno.exit(code));
  const holdStops = options.holdStops ?? true;
  const ignored = options.ignored ?? readIgnored();
  const buffered: SignalEvent[] = [];
  let handler: SignalHandler | null = null;
  let stops = 0;

  const receive = (signal: HandledSignal): void => {
    // Only reached when the disposition could not be set back to ignored.
    if (ignored.has(HANDLED_SIGNAL_NUMBERS[signal])) return;
    const event: SignalEvent = { signal, action: signalAction(signal, stops) };
    if (isStopRequest(signal)) stops++;
    if (handler !== null) {
      handler(event);
      return;
    }
    if (event.action === "kill" || (event.action === "stop" && !holdStops)) {
      exit(128 + HANDLED_SIGNAL_NUMBERS[signal]);
      return;
    }
    buffered.push(event);
  };

  const unlisten = (options.signals ?? HANDLED_SIGNALS).map((signal) =>
    listen(signal, () => receive(signal))
  );
  let ignoreError: string | null = null;
  if (ignored.size > 0) {
    try {
      // libc is opened only when there is such a signal, and stays open (it is tiny).
      const libc = options.ignore === undefined ? openLibc() : null;
      const ignore = options.ignore ?? ((signum: number) => libc!.ignoreSignal(signum));
      for (const signum of ignored) ignore(signum);
    } catch (e) {
      ignoreError = e instanceof Error ? e.message : String(e);
    }
  }

  return {
    attach(next: SignalHandler): () => void {
      handler = next;
      while (buffered.length > 0 && handler === next) next(buffered.shift()!);
      return () => {
        if (handler === next) handler = null;
      };
    },
    pending: () => [...buffered],
    ignored,
    ignoreError,
    close(): void {
      for (const off of unlisten.splice(0)) off();
    },
  };
}

let processGate: SignalGate | null = null;

/**
 * The process-wide gate: installs the listeners on the first call, returns the same gate
 * afterwards. `mod.ts` calls it before loading anything else; `nimi run` calls it again to
 * attach its handler.
 *
 * @param options Used by the first call only.
 * @returns The process's signal gate.
 * @example
 * ```ts
 * installSignalListeners().attach((event) => handle(event));
 * ```
 */
export function installSignalListeners(options: SignalGateOptions = {}): SignalGate {
  if (processGate === null) {
    const gate = createSignalGate(options);
    processGate = {
      ...gate,
      close(): void {
        gate.close();
        processGate = null;
      },
    };
  }
  return processGate;
}
