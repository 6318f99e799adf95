/**
 * The registry of processes nimi spawned itself. The supervisor adds each pid synchronously
 * right after `spawn()` and deletes it once Deno has collected its exit status; the reaper
 * never waits for a registered pid, so services keep their exit statuses.
 *
 * @module
 */

/** What the supervisor is given: it adds and deletes the pids it spawns. */
export interface PidRegistry {
  /**
   * Registers a pid nimi spawned.
   *
   * @param pid The new child.
   */
  add(pid: number): void;
  /**
   * Forgets a pid once its exit status has been collected.
   *
   * @param pid The child that ended.
   */
  delete(pid: number): void;
}

/** The set of managed pids. */
export class ManagedPids implements PidRegistry {
  #pids = new Set<number>();

  /** @param pid The new child. */
  add(pid: number): void {
    this.#pids.add(pid);
  }

  /** @param pid The child that ended. */
  delete(pid: number): void {
    this.#pids.delete(pid);
  }

  /**
   * Whether a pid is managed.
   *
   * @param pid A pid.
   * @returns True if nimi spawned it and it has not been collected yet.
   */
  has(pid: number): boolean {
    return this.#pids.has(pid);
  }

  /** @returns How many pids are managed. */
  get size(): number {
    return this.#pids.size;
  }
}
