/**
 * Waiting for a dependency's readiness inside the dependent's start, for targets that order
 * starts but cannot wait for readiness: an `exec` probe is polled until it succeeds.
 *
 * @module
 */
import type { Dependency, ServiceSpec } from "../config/types.ts";
import { probeShell } from "./probe_command.ts";
import { shJoin } from "./sh_quote.ts";
import type { WarningList } from "./warnings.ts";

/**
 * A shell step that waits until `dep`'s readiness probe passes: an exec probe is polled in
 * shell, tcp and http probes by `nimi probe --wait` (the same checks as `nimi run`).
 *
 * @param dep The service depended on.
 * @param nimi The nimi program for `nimi probe`.
 * @returns One line of shell, or null when its probe cannot run outside nimi (log, notify).
 */
export function readinessWaitStep(dep: ServiceSpec, nimi = "nimi"): string | null {
  const r = dep.readiness;
  if (r === null) return null;
  if (r.type === "exec" && r.command !== undefined) {
    return `until ${shJoin(r.command)} >/dev/null 2>&1; do sleep ${r.period / 1000}; done`;
  }
  if (r.type !== "tcp" && r.type !== "http") return null;
  return probeShell(r, { nimi, wait: true });
}

/**
 * Wait steps for a service's `ready` dependencies, and warnings for the conditions a target that
 * only orders starts cannot honour.
 *
 * @param s The dependent service.
 * @param services Every service.
 * @param warn Where warnings go.
 * @param how How the target orders starts, for the warning text (`priority`).
 * @returns Shell steps to run before the program.
 */
export function dependencyWaits(
  s: ServiceSpec,
  services: readonly ServiceSpec[],
  warn: WarningList,
  how: string,
  nimi = "nimi",
): string[] {
  const steps: string[] = [];
  const byName = new Map(services.map((x) => [x.name, x]));
  for (const d of s.dependsOn) {
    const dep = byName.get(d.name);
    if (dep === undefined) continue;
    if (d.condition === "ready" && dep.readiness !== null) {
      const step = readinessWaitStep(dep, nimi);
      if (step !== null) steps.push(step);
      else warnCondition(s, d, warn, how, `its ${dep.readiness.type} probe cannot be polled here`);
    } else if (d.condition === "completed" || d.condition === "completed-successfully") {
      warnCondition(s, d, warn, how, "the target cannot wait for it to finish");
    }
  }
  return steps;
}

function warnCondition(
  s: ServiceSpec,
  d: Dependency,
  warn: WarningList,
  how: string,
  why: string,
): void {
  warn.add(s.name, `dependsOn "${d.name}": ${d.condition}`, `${why}; ordered by ${how} only`);
}

/**
 * For an init-script target (openrc, bsdrc), which starts a oneshot to completion before its
 * dependents: the step that waits for a dependency's readiness, and warnings for what the
 * script cannot wait for.
 *
 * @param s The dependent service.
 * @param d One of its dependencies.
 * @param dep The service depended on.
 * @param warn Where warnings go.
 * @param fallback What the target does instead when the probe cannot run (for the warning).
 * @returns A shell step to run before the program, or null.
 */
export function initScriptWait(
  s: ServiceSpec,
  d: Dependency,
  dep: ServiceSpec,
  warn: WarningList,
  fallback: string,
  nimi = "nimi",
): string | null {
  let step: string | null = null;
  if (d.condition === "ready" && dep.readiness !== null) {
    step = readinessWaitStep(dep, nimi);
    if (step === null) {
      warn.add(s.name, `dependsOn "${d.name}": ready`, `its probe cannot run here; ${fallback}`);
    }
  }
  if (d.condition.startsWith("completed") && dep.type !== "oneshot") {
    warn.add(s.name, `dependsOn "${d.name}": ${d.condition}`, "ordered after its start only");
  }
  return step;
}
