/**
 * Service states and log lines for the terminal UI's unit tests.
 *
 * @module
 */
import type { LogLine, ServiceState } from "../../src/tui/types.ts";

/**
 * A service state with defaults.
 *
 * @param name The service.
 * @param fields What differs from a running service with pid 100.
 * @returns The state.
 */
export function state(name: string, fields: Partial<ServiceState> = {}): ServiceState {
  return {
    name,
    phase: "running",
    pid: 100,
    restarts: 0,
    lastExit: null,
    since: "2026-12-01T10:00:00.000Z",
    ready: null,
    healthy: null,
    restartInMs: null,
    stopRequested: false,
    oneshot: false,
    detail: null,
    ...fields,
  };
}

/**
 * A log line.
 *
 * @param service The service.
 * @param line The text.
 * @param stream The stream.
 * @returns The line.
 */
export function log(
  service: string,
  line: string,
  stream: "stdout" | "stderr" = "stdout",
): LogLine {
  return { service, stream, line, time: "2026-12-01T10:00:01.000Z" };
}
