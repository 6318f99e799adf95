/**
 * nimi as a `Type=notify` service: takes `NOTIFY_SOCKET` and the watchdog variables out of the
 * environment (so services do not inherit them; the `notify` probe gives a service its own),
 * sends what {@link nextNotify} decides as services change, and `WATCHDOG=1` at half of
 * `WATCHDOG_USEC`.
 *
 * @module
 */
import type { ServicePhaseView } from "../supervisor/service_phase.ts";
import { NOTIFY_VARIABLES, readNotifyEnv } from "./notify_env.ts";
import { INITIAL_NOTIFY_STATE, nextNotify, type NotifyState } from "./notify_status.ts";
import { type NotifySender, openNotifySender } from "./notify_socket.ts";
import { clearTimer, setRepeatingTimer, type Timer, unrefTimer } from "../timers.ts";

/** Where the notifier reports problems (nimi's log, as warnings). */
export type NotifyWarn = (message: string) => void;

/** Options for {@link SystemdNotifier}. */
export interface SystemdNotifierOptions {
  /** The socket to systemd. */
  sender: NotifySender;
  /** Interval of `WATCHDOG=1`, or null for none. */
  watchdogMs: number | null;
  /** Called when a message cannot be sent (once until a send succeeds again). */
  warn: NotifyWarn;
}

/** Tells systemd how nimi's start and stop go. */
export class SystemdNotifier {
  readonly #sender: NotifySender;
  readonly #warn: NotifyWarn;
  #state: NotifyState = INITIAL_NOTIFY_STATE;
  #timer: Timer | null = null;
  #failing = false;
  #closed = false;

  /**
   * Starts the watchdog pings, if any; nothing else is sent before {@link update}.
   *
   * @param options See {@link SystemdNotifierOptions}.
   */
  constructor(options: SystemdNotifierOptions) {
    this.#sender = options.sender;
    this.#warn = options.warn;
    if (options.watchdogMs !== null) {
      const timer = setRepeatingTimer(() => this.#send("WATCHDOG=1"), options.watchdogMs);
      // The pings must not keep nimi alive once everything else is done.
      unrefTimer(timer);
      this.#timer = timer;
    }
  }

  /**
   * Reads and removes the notify variables of this process's environment, and opens the
   * socket when `NOTIFY_SOCKET` is set.
   *
   * @param warn Where problems go (an unusable `NOTIFY_SOCKET` or `WATCHDOG_USEC`).
   * @returns The notifier, or null when systemd did not ask for notifications.
   */
  static fromEnvironment(warn: NotifyWarn): SystemdNotifier | null {
    const env = readNotifyEnv((name) => Deno.env.get(name), Deno.pid);
    for (const name of NOTIFY_VARIABLES) Deno.env.delete(name);
    for (const problem of env.problems) warn(problem);
    if (env.socket === null) return null;
    let sender: NotifySender;
    try {
      sender = openNotifySender(env.socket);
    } catch (e) {
      warn(`${e instanceof Error ? e.message : String(e)}; not notifying systemd`);
      return null;
    }
    return new SystemdNotifier({ sender, watchdogMs: env.watchdogMs, warn });
  }

  /** The address notifications go to. */
  get address(): string {
    return this.#sender.address;
  }

  /**
   * Sends what changed since the last call.
   *
   * @param phases Every service's phase.
   * @param stopping Whether nimi is stopping.
   */
  update(phases: readonly ServicePhaseView[], stopping: boolean): void {
    if (this.#closed) return;
    const step = nextNotify(this.#state, phases, stopping);
    this.#state = step.state;
    if (step.message !== null) this.#send(step.message);
  }

  /**
   * Sends `STOPPING=1` if it was not sent yet (nimi exits because its services are done),
   * stops the watchdog and closes the socket. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    if (!this.#state.stoppingSent) this.#send("STOPPING=1");
    this.#closed = true;
    if (this.#timer !== null) clearTimer(this.#timer);
    this.#sender.close();
  }

  #send(message: string): void {
    try {
      this.#sender.send(message);
      this.#failing = false;
    } catch (e) {
      if (!this.#failing) this.#warn(e instanceof Error ? e.message : String(e));
      this.#failing = true;
    }
  }
}
