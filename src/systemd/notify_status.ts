/**
 * What nimi tells systemd about its services (`sd_notify(3)`): `READY=1` once the start is
 * complete, `STATUS=` whenever the summary of the services' phases changes, `STOPPING=1` when a
 * stop begins. Pure: the notifier feeds it phases and sends what it returns.
 *
 * @module
 */
import type { ServicePhase, ServicePhaseView } from "../supervisor/service_phase.ts";

/** What has been sent so far. */
export interface NotifyState {
  /** `READY=1` was sent. */
  readySent: boolean;
  /** `STOPPING=1` was sent. */
  stoppingSent: boolean;
  /** The last `STATUS=` text sent, or null. */
  status: string | null;
}

/** Nothing sent yet. */
export const INITIAL_NOTIFY_STATE: NotifyState = {
  readySent: false,
  stoppingSent: false,
  status: null,
};

/** Phases in which a service needs nothing more for nimi's start to be complete. */
const SETTLED: ReadonlySet<ServicePhase> = new Set(["ready", "exited", "failed", "stopped"]);

/** Phases in which a service still has (or is about to have) a process. */
const ACTIVE: ReadonlySet<ServicePhase> = new Set([
  "starting",
  "running",
  "ready",
  "restarting",
  "stopping",
]);

/**
 * Whether nimi's start is complete: every service is ready or has ended for good (a service
 * that failed for good, or was never started because its dependency failed, will not become
 * ready; waiting longer would only make systemd time the unit out).
 *
 * @param phases Every service's phase.
 * @returns true when none is waiting, starting, not yet ready or about to restart.
 * @example
 * ```ts
 * startComplete([{ name: "web", phase: "ready" }, { name: "job", phase: "exited" }]); // true
 * ```
 */
export function startComplete(phases: readonly ServicePhaseView[]): boolean {
  return phases.every((p) => SETTLED.has(p.phase));
}

/** Labels of the phases other than `ready`, in the order the status line lists them. */
const LABELS: readonly [string, readonly ServicePhase[]][] = [
  ["starting", ["starting", "running"]],
  ["waiting", ["waiting"]],
  ["restarting", ["restarting"]],
  ["stopping", ["stopping"]],
  ["failed", ["failed"]],
  ["exited", ["exited"]],
  ["stopped", ["stopped"]],
];

/** The label each phase other than `ready` is listed under. */
const LABEL_OF = Object.fromEntries(
  LABELS.flatMap(([label, members]) => members.map((m) => [m, label])),
) as Record<ServicePhase, string>;

/** Names listed per phase before the rest is only counted. */
const MAX_NAMES = 3;

/**
 * The one-line summary sent as `STATUS=` (shown by `systemctl status`).
 *
 * @param phases Every service's phase.
 * @param stopping Whether nimi is stopping.
 * @returns For example `2/3 ready; restarting: worker`, or `stopping: 1 of 3 still running`.
 * @example
 * ```ts
 * statusText([{ name: "web", phase: "ready" }, { name: "db", phase: "running" }], false);
 * // "1/2 ready; starting: db"
 * ```
 */
export function statusText(phases: readonly ServicePhaseView[], stopping: boolean): string {
  if (stopping) {
    const active = phases.filter((p) => ACTIVE.has(p.phase)).length;
    return `stopping: ${active} of ${phases.length} still running`;
  }
  if (phases.length === 0) return "no services";
  // One pass: a status is computed on every change, for every service.
  let ready = 0;
  const byLabel = new Map<string, { names: string[]; count: number }>();
  for (const p of phases) {
    if (p.phase === "ready") {
      ready++;
      continue;
    }
    const label = LABEL_OF[p.phase];
    let group = byLabel.get(label);
    if (!group) byLabel.set(label, group = { names: [], count: 0 });
    if (group.count++ < MAX_NAMES) group.names.push(printable(p.name));
  }
  const parts = [`${ready}/${phases.length} ready`];
  for (const [label] of LABELS) {
    const group = byLabel.get(label);
    if (!group) continue;
    const more = group.count > MAX_NAMES ? ` and ${group.count - MAX_NAMES} more` : "";
    parts.push(`${label}: ${group.names.join(", ")}${more}`);
  }
  return parts.join("; ");
}

/** A name with control characters replaced, so it cannot add a line to the datagram. */
function printable(name: string): string {
  // deno-lint-ignore no-control-regex
  return name.replace(/[\x00-\x1f\x7f]/g, "?");
}

/** What {@link nextNotify} decided. */
export interface NotifyStep {
  /** The datagram to send (`KEY=VALUE` lines), or null when nothing changed. */
  message: string | null;
  /** The state after sending it. */
  state: NotifyState;
}

/**
 * Decides what to send after a change: `STATUS=` when the summary changed, `READY=1` the first
 * time the start is complete (never after a stop began), `STOPPING=1` the first time a stop is
 * seen.
 *
 * @param state What was sent so far.
 * @param phases Every service's phase now.
 * @param stopping Whether nimi is stopping now.
 * @returns The message (or null) and the new state.
 * @example
 * ```ts
 * nextNotify(INITIAL_NOTIFY_STATE, [{ name: "web", phase: "ready" }], false).message;
 * // "READY=1\nSTATUS=1/1 ready"
 * ```
 */
export function nextNotify(
  state: NotifyState,
  phases: readonly ServicePhaseView[],
  stopping: boolean,
): NotifyStep {
  const lines: string[] = [];
  const next = { ...state };
  if (stopping && !state.stoppingSent) {
    lines.push("STOPPING=1");
    next.stoppingSent = true;
  }
  if (!stopping && !state.readySent && startComplete(phases)) {
    lines.push("READY=1");
    next.readySent = true;
  }
  const status = statusText(phases, stopping);
  if (status !== state.status) {
    lines.push(`STATUS=${status}`);
    next.status = status;
  }
  return { message: lines.length === 0 ? null : lines.join("\n"), state: next };
}
