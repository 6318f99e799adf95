/**
 * Process groups: signalling a service's whole group, and knowing when it is empty. Each
 * service leads its own group (spawned with `detached: true`), so a signal to `-pgid` reaches
 * the grandchildren its shell started in the background.
 *
 * A group counts as gone when `kill(-pgid, 0)` fails with ESRCH, or when every member left is
 * a zombie (already dead, waiting for whoever reaps orphans: nimi as PID 1, or the system's
 * init, which may take its time).
 *
 * @module
 */
import type { Signal } from "../config/mod.ts";
import { isProcessGone, parseStat } from "../pid1/proc.ts";
import { setTimer, type Timer } from "../timers.ts";

/**
 * Sends a signal to every process of a group.
 *
 * @param pgid The group id (the leader's pid).
 * @param signal Signal name (`SIGTERM`).
 * @returns false when the group no longer exists, true when the signal was sent.
 * @throws {Error} On other errors (EPERM).
 */
export function signalGroup(pgid: number, signal: Signal): boolean {
  try {
    // Every Signal name is one Deno knows on Linux.
    Deno.kill(-pgid, signal as Deno.Signal);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

function groupExists(pgid: number): boolean {
  try {
    // Signal 0 checks existence only; Deno's type does not list it.
    Deno.kill(-pgid, 0 as unknown as Deno.Signal);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    if (e instanceof Deno.errors.PermissionDenied) return true;
    throw e;
  }
}

/**
 * The process groups that have at least one live (non-zombie) member, read from /proc.
 *
 * @returns Group ids.
 */
export function liveGroups(): Set<number> {
  const groups = new Set<number>();
  for (const e of Deno.readDirSync("/proc")) {
    const c = e.name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    let text: string;
    try {
      text = Deno.readTextFileSync(`/proc/${e.name}/stat`);
    } catch (err) {
      // The process ended between listing and reading: not a member of anything.
      if (isProcessGone(err)) continue;
      throw err;
    }
    const s = parseStat(text);
    if (s && s.state !== "Z" && s.state !== "X") groups.add(s.pgrp);
  }
  return groups;
}

interface Waiter {
  pgid: number;
  deadline: number;
  resolve: (gone: boolean) => void;
}

/**
 * Waits for groups to empty, with one shared poller for any number of groups, so stopping
 * 200 services polls once per tick, not 200 times.
 */
export class GroupWatcher {
  #waiters: Waiter[] = [];
  #timer: Timer | null = null;
  readonly #interval: number;

  /**
   * Creates a watcher; it polls only while someone waits.
   *
   * @param interval Poll period in milliseconds.
   */
  constructor(interval = 10) {
    this.#interval = interval;
  }

  /**
   * Whether a group still has a live member.
   *
   * @param pgid Group id.
   * @returns true while any member is alive (zombies excluded).
   */
  alive(pgid: number): boolean {
    return groupExists(pgid) && liveGroups().has(pgid);
  }

  /**
   * Waits until a group is empty or the time is up.
   *
   * @param pgid Group id.
   * @param timeout Milliseconds to wait at most.
   * @returns true when the group is gone, false on timeout.
   */
  waitGone(pgid: number, timeout: number): Promise<boolean> {
    if (!groupExists(pgid)) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.#waiters.push({ pgid, deadline: performance.now() + timeout, resolve });
      this.#schedule(1);
    });
  }

  #schedule(delay: number): void {
    if (this.#timer !== null) return;
    this.#timer = setTimer(() => {
      this.#timer = null;
      this.#tick();
    }, delay);
  }

  #tick(): void {
    const now = performance.now();
    let live: Set<number> | null = null;
    const still: Waiter[] = [];
    for (const w of this.#waiters) {
      let gone = !groupExists(w.pgid);
      if (!gone) {
        live ??= liveGroups();
        gone = !live.has(w.pgid);
      }
      if (gone) w.resolve(true);
      else if (now >= w.deadline) w.resolve(false);
      else still.push(w);
    }
    this.#waiters = still;
    if (still.length > 0) this.#schedule(this.#interval);
  }
}
