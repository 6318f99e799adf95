/**
 * Which of nimi's children to reap, as a pure function. A child is reaped only when it is a
 * zombie and not managed: managed children (the services nimi spawned) are waited for by Deno,
 * and reaping one would steal its exit status.
 *
 * Orphans adopted from a service carry that service's session id, which differs from their
 * own pid and from nimi's session: they are reaped at once. A zombie that looks like a process
 * Deno spawned itself (session equal to its own pid, as with `detached: true`, or equal to
 * nimi's session) and that nobody registered is given a grace period first, so that a child of
 * nimi spawned outside the supervisor keeps its status when Deno collects it promptly; an
 * orphan that called `setsid` also looks like this and is reaped after the grace.
 *
 * @module
 */

/** What the plan needs to know about one child. */
export interface ChildState {
  /** Process id. */
  pid: number;
  /** State letter from /proc (`Z` for a zombie). */
  state: string;
  /** Session id. */
  session: number;
}

/** Inputs of {@linkcode planReap}. */
export interface ReapInput {
  /** nimi's children now. */
  children: readonly ChildState[];
  /** Pids nimi manages (never reaped here). */
  managed: { has(pid: number): boolean };
  /** nimi's own session id. */
  ownSession: number;
  /** When each zombie that waits for its grace was first seen (milliseconds). */
  firstSeen: ReadonlyMap<number, number>;
  /** The time now (milliseconds). */
  now: number;
  /** How long a zombie that may be Deno's own waits before it is reaped (milliseconds). */
  graceMs: number;
}

/** Output of {@linkcode planReap}. */
export interface ReapPlan {
  /** Pids to `waitpid` now. */
  reap: number[];
  /** Zombies still in their grace period, with when they were first seen. */
  firstSeen: Map<number, number>;
  /** Earliest time a zombie's grace ends, or null when none waits. */
  nextDue: number | null;
}

/**
 * Chooses the children to reap.
 *
 * @param input The children, the managed set, the clock and the grace.
 * @returns The pids to reap now and the zombies left waiting.
 * @example
 * ```ts
 * planReap({
 *   children: [{ pid: 7, state: "Z", session: 5 }],
 *   managed: new Set([5]),
 *   ownSession: 1,
 *   firstSeen: new Map(),
 *   now: 0,
 *   graceMs: 250,
 * }).reap; // [7]
 * ```
 */
export function planReap(input: ReapInput): ReapPlan {
  const reap: number[] = [];
  const firstSeen = new Map<number, number>();
  let nextDue: number | null = null;
  for (const child of input.children) {
    if (child.state !== "Z" || input.managed.has(child.pid)) continue;
    const adopted = child.session !== child.pid && child.session !== input.ownSession;
    const seen = input.firstSeen.get(child.pid) ?? input.now;
    const due = seen + input.graceMs;
    if (adopted || due <= input.now) {
      reap.push(child.pid);
      continue;
    }
    firstSeen.set(child.pid, seen);
    nextDue = nextDue === null ? due : Math.min(nextDue, due);
  }
  return { reap, firstSeen, nextDue };
}
