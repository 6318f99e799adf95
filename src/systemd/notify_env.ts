/**
 * What systemd's environment asks of nimi (`sd_notify(3)`, `sd_watchdog_enabled(3)`):
 * `NOTIFY_SOCKET` (where to send notifications), `WATCHDOG_USEC` (how often systemd expects
 * `WATCHDOG=1`) and `WATCHDOG_PID` (which process the watchdog is for). Pure.
 *
 * @module
 */

/** The variables systemd sets for a `Type=notify` service: nimi removes them for its services. */
export const NOTIFY_VARIABLES: readonly string[] = [
  "NOTIFY_SOCKET",
  "WATCHDOG_USEC",
  "WATCHDOG_PID",
];

/** What {@link readNotifyEnv} found. */
export interface NotifyEnv {
  /** The socket address (`/run/systemd/notify`, or `@name` for an abstract socket), or null. */
  socket: string | null;
  /** Interval at which to send `WATCHDOG=1` (half of `WATCHDOG_USEC`), or null for none. */
  watchdogMs: number | null;
  /** Values that were set but cannot be used, one message each. */
  problems: string[];
}

/**
 * Reads the notify variables.
 *
 * @param get Reads one environment variable (`Deno.env.get`).
 * @param pid This process's pid: the watchdog applies only when `WATCHDOG_PID` is unset or
 *   names it.
 * @returns The socket, the watchdog interval and problems to report.
 * @example
 * ```ts
 * const env = { NOTIFY_SOCKET: "/run/systemd/notify", WATCHDOG_USEC: "10000000" };
 * readNotifyEnv((k) => env[k as keyof typeof env], 42);
 * // { socket: "/run/systemd/notify", watchdogMs: 5000, problems: [] }
 * ```
 */
export function readNotifyEnv(get: (name: string) => string | undefined, pid: number): NotifyEnv {
  const problems: string[] = [];
  let socket: string | null = get("NOTIFY_SOCKET") ?? null;
  if (socket === "") socket = null;
  if (socket !== null && !socket.startsWith("/") && !socket.startsWith("@")) {
    problems.push(
      `NOTIFY_SOCKET "${socket}" is not supported: expected an absolute path or "@" and an ` +
        `abstract socket name; not notifying systemd`,
    );
    socket = null;
  }
  let watchdogMs: number | null = null;
  const usec = get("WATCHDOG_USEC");
  const watchdogPid = get("WATCHDOG_PID");
  const forUs = watchdogPid === undefined || watchdogPid === "" || watchdogPid === String(pid);
  if (usec !== undefined && usec !== "" && socket !== null && forUs) {
    if (/^[1-9][0-9]{0,15}$/.test(usec)) {
      watchdogMs = Math.max(1, Math.floor(Number(usec) / 2000));
    } else {
      problems.push(
        `WATCHDOG_USEC "${usec}" is not a positive number of microseconds: no watchdog pings`,
      );
    }
  }
  return { socket, watchdogMs, problems };
}
