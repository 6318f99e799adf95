/**
 * The restart policy as shell, for supervisors that run a `finish` script after each exit and
 * restart unless told otherwise (s6, runit): count, stable-run reset, delay with backoff.
 *
 * @module
 */
import type { ServiceSpec } from "../config/types.ts";
import { seconds } from "./defaults.ts";
import type { ServicePaths } from "./layout.ts";
import { shQuote } from "./sh_quote.ts";

/** How a supervisor's finish script learns the exit and stops for good. */
export interface FinishDialect {
  /** Shell test true when the run succeeded (`[ "$1" = 0 ]`). */
  succeeded: string;
  /** Shell commands that leave the service down for good (ends the script). */
  stopForGood: string;
}

/**
 * The line a run script starts with so the finish script can tell a stable run.
 *
 * @param paths The service's paths.
 * @returns Shell lines.
 */
export function recordStartLines(paths: ServicePaths): string[] {
  return [
    `mkdir -p ${shQuote(paths.dir)} || exit 1`,
    `date +%s > ${shQuote(`${paths.dir}/started`)}`,
  ];
}

/**
 * The body of a finish script implementing a service's restart policy.
 *
 * @param s The service.
 * @param paths Its paths (the counter lives in its state directory).
 * @param dialect The supervisor's conventions.
 * @returns Shell lines, and the longest delay it may sleep in milliseconds.
 */
export function finishLines(
  s: ServiceSpec,
  paths: ServicePaths,
  dialect: FinishDialect,
): { lines: string[]; maxDelay: number } {
  const r = s.restart;
  const counter = shQuote(`${paths.dir}/restarts`);
  const stop = `{ ${dialect.stopForGood}; }`;
  const lines: string[] = [];
  if (r.mode === "never") return { lines: [dialect.stopForGood], maxDelay: 0 };
  if (s.type === "oneshot" || r.mode !== "always") {
    lines.push(`if ${dialect.succeeded}; then ${stop}; fi`);
  }
  lines.push(`n=$(cat ${counter} 2>/dev/null) || n=0`, `[ -n "$n" ] || n=0`);
  if (r.resetAfter > 0) {
    const started = shQuote(`${paths.dir}/started`);
    lines.push(
      `s=$(cat ${started} 2>/dev/null) || s=""`,
      `if [ -n "$s" ] && [ $(( $(date +%s) - s )) -ge ${seconds(r.resetAfter)} ]; then n=0; fi`,
    );
  }
  if (r.mode === "up-to-count") lines.push(`if [ "$n" -ge ${r.count} ]; then ${stop}; fi`);
  lines.push(`echo $((n + 1)) > ${counter}`);
  let maxDelay = r.time;
  if (r.backoff !== 1) {
    maxDelay = Math.max(r.time, r.maxTime);
    lines.push(
      `d=$(awk -v t=${r.time} -v b=${r.backoff} -v n="$n" -v m=${r.maxTime} ` +
        `'BEGIN { d = t * b ^ n; if (d > m) d = m; print d / 1000 }')`,
      `sleep "$d"`,
    );
  } else if (r.time > 0) lines.push(`sleep ${r.time / 1000}`);
  return { lines, maxDelay };
}
