/**
 * The stop model: a {@link KillController} carries a stop request and the signals that go
 * with it, the way dax's KillController does. A unit's controller is linked to the
 * supervisor's, so one `kill("SIGKILL")` on the supervisor's reaches every unit's processes,
 * while a unit can still be stopped alone. Aborting is sticky: a stopped controller never runs
 * anything again (a new run gets a new controller).
 *
 * @module
 */
import type { Signal } from "../config/mod.ts";

/** Called with each signal a controller delivers. */
export type KillListener = (signal: Signal) => void;

/** Requests stops and delivers signals to whoever listens (a unit's process groups). */
export class KillController {
  readonly #abort = new AbortController();
  readonly #listeners = new Set<KillListener>();
  /** Created on first link: most controllers never have one. */
  #children: Set<KillController> | null = null;
  #parent: KillController | null = null;

  /** Aborted once a stop was requested: restart delays and probe loops end. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Whether a stop was requested. */
  get stopped(): boolean {
    return this.#abort.signal.aborted;
  }

  /**
   * Requests a stop and delivers `signal` to every listener here and in linked children.
   *
   * @param signal What the processes get (their stop signal, or SIGKILL).
   * @param reason Why, kept as the abort reason.
   */
  kill(signal: Signal, reason = "stopped"): void {
    if (!this.#abort.signal.aborted) this.#abort.abort(reason);
    for (const listener of [...this.#listeners]) listener(signal);
    for (const child of [...(this.#children ?? [])]) child.kill(signal, reason);
  }

  /**
   * Delivers a signal without requesting a stop (a forwarded SIGHUP, `nimi signal`).
   *
   * @param signal The signal.
   * @returns How many listeners received it.
   */
  send(signal: Signal): number {
    for (const listener of this.#listeners) listener(signal);
    return this.#listeners.size;
  }

  /**
   * Subscribes to delivered signals.
   *
   * @param listener Called with each signal.
   * @returns A function that unsubscribes.
   */
  listen(listener: KillListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Creates a controller that follows this one: this one's kills reach it, its own do not
   * reach this one. A child made after this one was killed starts out stopped.
   *
   * @returns The child; {@link KillController.unlink} detaches it.
   */
  linkChild(): KillController {
    const child = new KillController();
    child.#parent = this;
    if (this.stopped) child.#abort.abort(this.signal.reason);
    else (this.#children ??= new Set()).add(child);
    return child;
  }

  /** Detaches this controller from its parent (its run is over). */
  unlink(): void {
    if (this.#parent !== null) this.#parent.#children?.delete(this);
    this.#parent = null;
  }
}
