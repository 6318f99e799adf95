/**
 * `nimi probe`: runs one of `nimi run`'s probe checks for another service manager (a systemd
 * `ExecStartPost=`, a compose healthcheck, an s6 or runit check, an init script's wait), with
 * the same checks and loop as `nimi run` (src/supervisor/probe_*.ts).
 *
 * @module
 */
import { execCheck } from "../supervisor/probe_exec.ts";
import { httpCheck } from "../supervisor/probe_http.ts";
import { logFileCheck } from "../supervisor/probe_log_file.ts";
import { attemptProbe, type ProbeCheck, waitUntilReady } from "../supervisor/probe_loop.ts";
import { tcpCheck } from "../supervisor/probe_tcp.ts";
import type { Output } from "./output.ts";
import { parseProbeArgs, type ProbeTarget } from "./probe_args.ts";
import { sleep } from "../timers.ts";

/**
 * The check for a probe target.
 *
 * @param target What to probe.
 * @returns The check `nimi run` would use.
 */
export function checkFor(target: ProbeTarget): ProbeCheck {
  switch (target.kind) {
    case "tcp":
      return tcpCheck(target.host, target.port);
    case "http":
      return httpCheck(target.url);
    case "exec":
      return execCheck(target.command);
    case "log":
      return logFileCheck(target.file, target.pattern, target.offset);
  }
}

/**
 * Runs `nimi probe`: one attempt (exit 0 when it passes, 1 when not, with the reason on
 * stderr), or with `--wait` attempts every period until one passes (exit 0; the manager's own
 * start timeout bounds the wait).
 *
 * @param argv Arguments after `probe`.
 * @param io Where to write.
 * @param signal Ends a `--wait` early (tests).
 * @returns Exit code 0 or 1.
 * @throws {UsageError} On a bad command line.
 */
export async function probeCommand(
  argv: readonly string[],
  io: Output,
  signal: AbortSignal = new AbortController().signal,
): Promise<number> {
  const request = parseProbeArgs(argv);
  const check = checkFor(request.target);
  if (request.wait) {
    await waitUntilReady(check, { ...request, failureThreshold: 1 }, { signal });
    return 0;
  }
  if (request.initialDelay > 0) {
    await sleep(request.initialDelay);
  }
  const attempt = await attemptProbe(check, request.timeout, signal);
  if (attempt.ok) return 0;
  io.err(`nimi: probe ${request.target.kind}: ${attempt.detail}\n`);
  return 1;
}
