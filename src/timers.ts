/**
 * Timers for everything nimi runs, without Deno's Node layer.
 *
 * In Deno 2.9, `setTimeout` and `setInterval` are `node:timers`: the first call loads that part
 * of Deno's Node compatibility layer, 1.2 MiB of private memory for the whole life of a PID 1
 * (bench/README.md, "Round 4, memory"). Underneath, Deno's core keeps its own timer lists
 * (`createTimer`, `cancelTimer`, `unrefTimer`: what `AbortSignal.timeout` uses), with the same
 * ordering and the same event-loop reference counting. nimi uses those where they are there
 * with exactly that shape (tests/timers_test.ts pins it for the Deno nimi is tested on), and the web
 * timers everywhere else (another Deno, another runtime): the behaviour is the same, only the
 * memory differs. docs/run.md ("Memory when idle") records the choice.
 *
 * @module
 */

/** A pending timer, from {@link setTimer} or {@link setRepeatingTimer}. */
export type Timer = { readonly __timer: unique symbol };

/** The three calls nimi needs from a timer implementation. */
interface Backend {
  start(callback: () => void, ms: number, repeat: boolean): unknown;
  cancel(timer: unknown): void;
  unref(timer: unknown): void;
}

/** Deno's core timers, as Deno 2.9 has them (see the module comment). */
interface CoreTimers {
  createTimer(
    callback: () => void,
    after: number,
    args: undefined,
    repeat: boolean,
    refed: boolean,
    system: boolean,
  ): unknown;
  cancelTimer(timer: unknown): void;
  unrefTimer(timer: unknown): void;
}

const webTimers: Backend = {
  start: (callback, ms, repeat) => repeat ? setInterval(callback, ms) : setTimeout(callback, ms),
  // clearTimeout and clearInterval share one list of ids.
  cancel: (timer) => clearTimeout(timer as number),
  unref: (timer) => Deno.unrefTimer(timer as number),
};

/**
 * Deno's core timers, where they have the shape this module was written against.
 *
 * @param deno The `Deno` namespace (a parameter so the choice can be tested).
 * @returns The core timers, or null (then the web timers are used).
 */
export function coreTimersOf(deno: object): Backend | null {
  const internalKey = Reflect.get(deno, "internal");
  if (typeof internalKey !== "symbol") return null;
  const internal: unknown = Reflect.get(deno, internalKey);
  if (typeof internal !== "object" || internal === null) return null;
  const core: unknown = Reflect.get(internal, "core");
  if (typeof core !== "object" || core === null) return null;
  const c = core as Partial<Record<keyof CoreTimers, unknown>>;
  if (
    typeof c.createTimer !== "function" || c.createTimer.length !== 6 ||
    typeof c.cancelTimer !== "function" || c.cancelTimer.length !== 1 ||
    typeof c.unrefTimer !== "function" || c.unrefTimer.length !== 1
  ) return null;
  const t = core as CoreTimers;
  return {
    start: (callback, ms, repeat) => t.createTimer(callback, ms, undefined, repeat, true, false),
    cancel: (timer) => t.cancelTimer(timer),
    unref: (timer) => t.unrefTimer(timer),
  };
}

let backend: Backend | undefined;

function timers(): Backend {
  return backend ??= coreTimersOf(Deno) ?? webTimers;
}

/**
 * Whether nimi's timers are Deno's core timers (not `setTimeout`).
 *
 * @returns true where {@link coreTimersOf} found them.
 */
export function usesCoreTimers(): boolean {
  return timers() !== webTimers;
}

/**
 * Calls `callback` once after `ms` milliseconds, like `setTimeout`.
 *
 * @param callback What to call.
 * @param ms Milliseconds (less than 1 means 1).
 * @returns The timer, for {@link clearTimer} and {@link unrefTimer}.
 */
export function setTimer(callback: () => void, ms: number): Timer {
  return timers().start(callback, ms, false) as Timer;
}

/**
 * Calls `callback` every `ms` milliseconds, like `setInterval`.
 *
 * @param callback What to call.
 * @param ms Milliseconds (less than 1 means 1).
 * @returns The timer, for {@link clearTimer} and {@link unrefTimer}.
 */
export function setRepeatingTimer(callback: () => void, ms: number): Timer {
  return timers().start(callback, ms, true) as Timer;
}

/**
 * Stops a timer. A timer that already fired, was cleared, or is null does nothing.
 *
 * @param timer The timer.
 */
export function clearTimer(timer: Timer | null | undefined): void {
  if (timer !== null && timer !== undefined) timers().cancel(timer);
}

/**
 * Lets the process end while this timer is pending, like `Deno.unrefTimer`.
 *
 * @param timer The timer.
 */
export function unrefTimer(timer: Timer): void {
  timers().unref(timer);
}

/**
 * Waits.
 *
 * @param ms Milliseconds.
 * @returns A promise that resolves after the time.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimer(resolve, ms));
}

/**
 * Waits for a promise, at most `ms` milliseconds. Its rejection counts as settling.
 *
 * @param p The promise.
 * @param ms Milliseconds.
 * @returns true when it settled in time.
 */
export async function settleWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: Timer | undefined;
  const late = Symbol("late");
  const timeout = new Promise<typeof late>((
    resolve,
  ) => (timer = setTimer(() => resolve(late), ms)));
  try {
    const settled = p.then(() => true, () => true);
    return (await Promise.race([settled, timeout])) !== late;
  } finally {
    clearTimer(timer);
  }
}

/**
 * Waits for a promise as long as `progress` keeps changing: gives up once it stayed the same
 * for `ms` milliseconds (output that still flows is waited for, output that stopped is not).
 *
 * @param p The promise (its rejection counts as settling).
 * @param progress A number that changes while the work behind `p` goes on.
 * @param ms Milliseconds without a change before giving up.
 * @returns true when it settled, false when it gave up.
 */
export async function settleWhileProgressing(
  p: Promise<unknown>,
  progress: () => number,
  ms: number,
): Promise<boolean> {
  let seen = progress();
  while (true) {
    if (await settleWithin(p, ms)) return true;
    const now = progress();
    if (now === seen) return false;
    seen = now;
  }
}
