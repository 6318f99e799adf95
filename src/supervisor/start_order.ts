/**
 * Which waiting services may start now, from what has happened to their dependencies. Pure:
 * the supervisor calls it whenever a service starts, becomes ready or ends for good.
 *
 * Conditions (`nimi.dependsOn`):
 * - `started`: the dependency has been spawned;
 * - `ready`: its readiness hook resolved (by default: at spawn);
 * - `completed`: it ended for good, whatever its status;
 * - `completed-successfully`: it ended for good with success.
 *
 * A condition that can no longer hold (a dependency that failed for good before it was ready,
 * or that was itself never started) makes the waiting service impossible to start.
 *
 * @module
 */
import type { DependencyCondition, ServiceSpec } from "../config/mod.ts";

/** How a service has ended for good, if it has. */
export type Ending = "success" | "failure" | "skipped";

/** What has happened to a service so far. */
export interface ServiceProgress {
  /** It has been spawned at least once. */
  started: boolean;
  /** Its readiness hook resolved at least once. */
  ready: boolean;
  /** How it ended for good, or null while it may still run. */
  ended: Ending | null;
}

/** The state of one dependency condition. */
export type ConditionState = "met" | "waiting" | "impossible";

/**
 * Evaluates one dependency condition.
 *
 * @param condition What must have happened.
 * @param dep What has happened to the dependency (undefined: unknown service).
 * @returns Whether it holds, may still hold, or never will.
 * @example
 * ```ts
 * conditionState("completed-successfully", { started: true, ready: true, ended: "failure" }); // "impossible"
 * ```
 */
export function conditionState(
  condition: DependencyCondition,
  dep: ServiceProgress | undefined,
): ConditionState {
  if (dep === undefined) return "impossible";
  const ended = dep.ended;
  switch (condition) {
    case "started":
      if (dep.started) return "met";
      return ended === null ? "waiting" : "impossible";
    case "ready":
      if (dep.ready) return "met";
      return ended === null ? "waiting" : "impossible";
    case "completed":
      if (ended === "success" || ended === "failure") return "met";
      return ended === null ? "waiting" : "impossible";
    case "completed-successfully":
      if (ended === "success") return "met";
      return ended === null ? "waiting" : "impossible";
  }
}

/** The result of {@link nextToStart}. */
export interface StartPlan {
  /** Services to start now, in config order. */
  start: string[];
  /** Services that can never start, with the reason. */
  blocked: { name: string; reason: string }[];
}

/**
 * Picks the waiting services whose dependencies all hold, and those that can never start.
 *
 * @param specs Every service.
 * @param waiting Names of services not started yet.
 * @param progress What has happened to each service (by name).
 * @returns What to start and what to give up on.
 */
export function nextToStart(
  specs: readonly ServiceSpec[],
  waiting: ReadonlySet<string>,
  progress: ReadonlyMap<string, ServiceProgress>,
): StartPlan {
  const plan: StartPlan = { start: [], blocked: [] };
  for (const spec of specs) {
    if (!waiting.has(spec.name)) continue;
    let ready = true;
    let reason: string | null = null;
    for (const d of spec.dependsOn) {
      const state = conditionState(d.condition, progress.get(d.name));
      if (state === "impossible") {
        reason = `dependency "${d.name}" can no longer be ${d.condition}`;
        break;
      }
      if (state === "waiting") ready = false;
    }
    if (reason !== null) plan.blocked.push({ name: spec.name, reason });
    else if (ready) plan.start.push(spec.name);
  }
  return plan;
}
