/**
 * Orphan reaping. When nimi is PID 1, or a child subreaper (`prctl(PR_SET_CHILD_SUBREAPER)`,
 * the default when it is not PID 1), orphaned descendants of the services are reparented to it
 * and must be waited for, or they stay zombies. Deno waits only for the children it spawned, so
 * the reaper reads nimi's children from /proc, skips the managed ones and calls
 * `waitpid(pid, WNOHANG)` for each zombie left; never `waitpid(-1)`, which would steal the
 * services' statuses. SIGCHLD coalesces, so each one drains in a loop, and a periodic sweep
 * (an unref'd timer that never keeps nimi alive) catches anything missed.
 *
 * At shutdown {@linkcode Reaper.cleanUp} stops what the services left behind outside their
 * process groups (daemons that called `setsid`), so nothing outlives nimi.
 *
 * @module
 */
import { ECHILD, type Libc, openLibc, WNOHANG } from "./libc.ts";
import { ManagedPids } from "./managed_pids.ts";
import { type ChildState, planReap } from "./reap_plan.ts";
import { hasChildrenFiles, type ProcStat, readChildren, readStat, scanChildren } from "./proc.ts";
import { clearTimer, setTimer, sleep, type Timer, unrefTimer } from "../timers.ts";

/** How long after a SIGCHLD the backstop sweep runs on every tick, in milliseconds. */
const ACTIVE_MS = 5000;
/** While idle, the backstop sweeps once every this many periods. */
const IDLE_TICKS = 30;

/** How nimi reaps: as PID 1, as a child subreaper, or not at all. */
export type ReaperMode = "pid1" | "subreaper" | "off";

/**
 * Chooses the reaping mode.
 *
 * @param pid nimi's pid.
 * @param subreaper `settings.pid1.subreaper`.
 * @returns `pid1` when nimi is PID 1, else `subreaper` if allowed, else `off`.
 * @example
 * ```ts
 * reaperMode(1, false); // "pid1"
 * reaperMode(4242, true); // "subreaper"
 * ```
 */
export function reaperMode(pid: number, subreaper: boolean): ReaperMode {
  if (pid === 1) return "pid1";
  return subreaper ? "subreaper" : "off";
}

/** Options of {@linkcode startReaper}. */
export interface ReaperOptions {
  /** `settings.pid1.subreaper`: become a child subreaper when not PID 1. */
  subreaper: boolean;
  /** Writes one of nimi's own messages (a line without newline). */
  log: (line: string) => void;
  /**
   * Period of the backstop sweep while children come and go, in milliseconds (30 times longer
   * while idle).
   *
   * @default 1000
   */
  intervalMs?: number;
  /**
   * Grace before reaping a zombie that may be a child Deno spawned itself, in milliseconds.
   *
   * @default 250
   */
  graceMs?: number;
  /**
   * The managed pids (a new registry by default).
   */
  managed?: ManagedPids;
  /**
   * nimi's pid.
   *
   * @default Deno.pid
   */
  pid?: number;
  /**
   * The clock, in milliseconds.
   *
   * @default performance.now
   */
  now?: () => number;
  /**
   * The libc bindings (opened on start by default).
   */
  libc?: Libc;
  /**
   * Told about each orphan reaped (init mode's `--warn-reaping`).
   *
   * @param pid The orphan's pid.
   */
  onReap?: (pid: number) => void;
}

/** A process found at shutdown outside every managed group. */
export interface Leftover {
  /** Process id. */
  pid: number;
  /** Command name. */
  comm: string;
}

/** What {@linkcode Reaper.cleanUp} did. */
export interface CleanUpReport {
  /** Processes sent the stop signal. */
  terminated: Leftover[];
  /** Processes still there after the grace, sent SIGKILL. */
  killed: Leftover[];
  /** Processes still there at the end (should be empty). */
  remaining: Leftover[];
}

/** The running reaper. */
export interface Reaper {
  /** The mode it runs in. */
  readonly mode: ReaperMode;
  /** The registry the supervisor feeds. */
  readonly managed: ManagedPids;
  /** How many orphans it has reaped. */
  readonly reaped: number;
  /**
   * Reaps every unmanaged zombie child now, in a loop until a pass finds none.
   *
   * @returns How many were reaped.
   */
  sweep(): number;
  /**
   * Sends a signal to every descendant of nimi outside the managed process groups.
   *
   * @param signal The signal.
   * @returns The processes signalled.
   */
  signalLeftovers(signal: Deno.Signal): Leftover[];
  /**
   * After the services have stopped: sends SIGTERM to what is left, waits up to `graceMs` for
   * it to end, sends SIGKILL to the rest and reaps them all.
   *
   * @param graceMs How long to wait after SIGTERM, in milliseconds.
   * @returns What it found and did.
   */
  cleanUp(graceMs: number): Promise<CleanUpReport>;
  /** Removes the SIGCHLD listener and the timers. */
  stop(): void;
}

/**
 * Starts reaping: becomes a child subreaper if needed, listens for SIGCHLD and sweeps
 * periodically. In mode `off` (not PID 1 and `subreaper: false`) nothing is reaped, but
 * {@linkcode Reaper.cleanUp} still stops leftover descendants.
 *
 * @param options Mode setting, sink and injected pieces.
 * @returns The reaper.
 * @example
 * ```ts
 * const reaper = startReaper({ subreaper: true, log: (l) => sink(l) });
 * const supervisor = createSupervisor(config, { registry: reaper.managed });
 * ```
 */
export function startReaper(options: ReaperOptions): Reaper {
  const pid = options.pid ?? Deno.pid;
  const now = options.now ?? (() => performance.now());
  const graceMs = options.graceMs ?? 250;
  const managed = options.managed ?? new ManagedPids();
  const log = options.log;
  let mode = reaperMode(pid, options.subreaper);
  let libc: Libc | null = null;
  const ownSession = readStat(pid)?.session ?? pid;
  const children = hasChildrenFiles() ? () => readChildren(pid) : () => scanChildren(pid);
  let firstSeen = new Map<number, number>();
  let reaped = 0;
  let interval: Timer | null = null;
  let graceTimer: Timer | null = null;
  let reportedError = false;

  if (mode !== "off") {
    try {
      libc = options.libc ?? openLibc();
      if (mode === "subreaper") libc.setChildSubreaper();
    } catch (e) {
      const hint = e instanceof Deno.errors.NotCapable ? "; run with --allow-ffi" : "";
      log(`cannot reap orphans: ${describe(e)}${hint}`);
      libc = null;
      mode = "off";
    }
  }

  const reportOnce = (what: string, e: unknown): void => {
    if (reportedError) return;
    reportedError = true;
    log(`orphan reaping: ${what}: ${describe(e)}`);
  };

  const pass = (): number => {
    if (libc === null) return 0;
    const states: ChildState[] = [];
    for (const child of children()) {
      // Managed children are never reaped here; skipping their /proc reads keeps idle cost flat.
      if (managed.has(child)) continue;
      const stat = readStat(child);
      if (stat !== null) states.push(stat);
    }
    const plan = planReap({
      children: states,
      managed,
      ownSession,
      firstSeen,
      now: now(),
      graceMs,
    });
    firstSeen = plan.firstSeen;
    scheduleGrace(plan.nextDue);
    let count = 0;
    for (const child of plan.reap) {
      const r = libc.waitpid(child, WNOHANG);
      if (r.pid === child) {
        count++;
        options.onReap?.(child);
      } else if (r.pid === -1 && r.errno !== ECHILD) {
        reportOnce(`waitpid(${child})`, new Error(`errno ${r.errno}`));
      }
    }
    reaped += count;
    return count;
  };

  const sweep = (): number => {
    let total = 0;
    try {
      for (let i = 0; i < 1000; i++) {
        const n = pass();
        total += n;
        if (n === 0) break;
      }
    } catch (e) {
      reportOnce("cannot read /proc", e);
    }
    return total;
  };

  const scheduleGrace = (due: number | null): void => {
    if (due === null || graceTimer !== null) return;
    const timer = setTimer(() => {
      graceTimer = null;
      sweep();
    }, Math.max(0, due - now()));
    unrefTimer(timer);
    graceTimer = timer;
  };

  // The backstop sweep runs every intervalMs while children come and go (for a few seconds
  // after each SIGCHLD) and every IDLE_TICKS intervals otherwise: each timer wake-up costs the
  // runtime CPU, and nimi should use none while its services sit idle.
  let activeUntil = 0;
  let stopped = false;
  const period = options.intervalMs ?? 1000;
  const schedule = (delay: number): void => {
    if (interval !== null) clearTimer(interval);
    const timer = setTimer(tick, delay);
    unrefTimer(timer);
    interval = timer;
  };
  const tick = (): void => {
    interval = null;
    if (stopped) return;
    sweep();
    schedule(now() < activeUntil ? period : period * IDLE_TICKS);
  };
  const onChild = (): void => {
    const wasIdle = now() >= activeUntil;
    activeUntil = now() + ACTIVE_MS;
    sweep();
    if (wasIdle) schedule(period);
  };

  if (mode !== "off") {
    Deno.addSignalListener("SIGCHLD", onChild);
    activeUntil = now() + ACTIVE_MS;
    schedule(period);
  }

  const leftovers = (): ProcStat[] => {
    const out: ProcStat[] = [];
    const queue = children();
    const seen = new Set<number>();
    while (queue.length > 0) {
      const next = queue.shift()!;
      if (seen.has(next)) continue;
      seen.add(next);
      const stat = readStat(next);
      if (stat === null) continue;
      queue.push(...readChildren(next));
      if (stat.state === "Z" || managed.has(stat.pid) || managed.has(stat.pgrp)) continue;
      out.push(stat);
    }
    return out;
  };

  const signalLeftovers = (signal: Deno.Signal): Leftover[] => {
    const hit: Leftover[] = [];
    for (const stat of leftovers()) {
      try {
        Deno.kill(stat.pid, signal);
        hit.push({ pid: stat.pid, comm: stat.comm });
      } catch (e) {
        // It ended between the read and the kill: nothing to stop.
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
    }
    if (hit.length > 0) log(`${signal} to processes left outside services: ${names(hit)}`);
    return hit;
  };

  const unreaped = (): boolean =>
    libc !== null && children().some((c) => !managed.has(c) && readStat(c)?.state === "Z");

  // Waits until no leftover runs and (when reaping) every unmanaged zombie has been collected;
  // a zombie inside its grace is collected by the sweep once the grace ends.
  const settle = async (until: number): Promise<ProcStat[]> => {
    let left = leftovers();
    while ((left.length > 0 || unreaped()) && now() < until) {
      await sleep(10);
      sweep();
      left = leftovers();
    }
    return left;
  };

  return {
    get mode() {
      return mode;
    },
    managed,
    get reaped() {
      return reaped;
    },
    sweep,
    signalLeftovers,
    async cleanUp(grace: number): Promise<CleanUpReport> {
      const terminated = signalLeftovers("SIGTERM");
      const left = terminated.length > 0 ? await settle(now() + grace) : [];
      const killed = left.length > 0 ? signalLeftovers("SIGKILL") : [];
      const remaining = killed.length > 0 || unreaped() ? await settle(now() + graceMs + 2000) : [];
      if (remaining.length > 0) log(`still running at exit: ${names(remaining)}`);
      return {
        terminated,
        killed,
        remaining: remaining.map((s) => ({ pid: s.pid, comm: s.comm })),
      };
    },
    stop(): void {
      stopped = true;
      if (interval !== null) clearTimer(interval);
      if (graceTimer !== null) clearTimer(graceTimer);
      interval = null;
      graceTimer = null;
      if (mode !== "off") Deno.removeSignalListener("SIGCHLD", onChild);
      if (libc !== null && options.libc === undefined) libc.close();
      libc = null;
    },
  };
}

function names(list: readonly { pid: number; comm: string }[]): string {
  return list.map((p) => `${p.pid} (${p.comm})`).join(", ");
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
