/**
 * A service's probes: builds the readiness and liveness checks from its config, opens what they
 * need before the first spawn (a notify socket, kept across restarts), and gives each spawned
 * process a {@link ProbeRun}: a line feed for the log pipeline, `waitReady` and `watchLiveness`.
 *
 * @module
 */
import type { ProbeValue, ServiceSpec } from "../config/mod.ts";
import { eventCheck, EventCounter } from "./probe_event.ts";
import { execCheck, type ExecProbeOptions } from "./probe_exec.ts";
import { httpCheck } from "./probe_http.ts";
import { LogLineProbe } from "./probe_log.ts";
import {
  type LivenessFailure,
  type ProbeAttempt,
  type ProbeCheck,
  type ProbeClock,
  realProbeClock,
  waitUntilReady,
  watchLiveness,
} from "./probe_loop.ts";
import { type NotifyMessage, NotifySocket } from "./probe_notify.ts";
import { tcpCheck } from "./probe_tcp.ts";

/** Which probe an attempt belongs to. */
export type ProbeRole = "readiness" | "liveness";

/** Options for {@link openProbes}. */
export interface OpenProbesOptions {
  /**
   * Spawn options exec probes share with the service (environment, directory, identity), read
   * when a run's probes are built, so they can include what opening the probes added.
   * @default () => ({})
   */
  exec?: () => ExecProbeOptions;
  /** Owner for the notify socket when the service runs as another user. */
  uid?: number;
  /** Group for the notify socket. */
  gid?: number;
  /**
   * Where the notify socket's private directory is created.
   * @default the system temporary directory
   */
  baseDir?: string;
  /**
   * Time source for the loops.
   * @default realProbeClock
   */
  clock?: ProbeClock;
  /** Called after each attempt, for the log. */
  onAttempt?: (role: ProbeRole, attempt: ProbeAttempt, n: number) => void;
  /** Called with each notify message (for `STATUS=` lines in the log). */
  onNotify?: (message: NotifyMessage) => void;
}

/** A service's probes: opened once before its first start, closed when it ends for good. */
export interface ServiceProbes {
  /** Variables to add to the service's environment (`NOTIFY_SOCKET`, `WATCHDOG_USEC`). */
  readonly environment: Readonly<Record<string, string>>;
  /** Whether a readiness probe is configured. */
  readonly hasReadiness: boolean;
  /** Whether a liveness probe is configured. */
  readonly hasLiveness: boolean;
  /**
   * Starts probing one run (one spawned process): fresh log matchers, and notify messages
   * counted from now on only.
   *
   * @returns The run's probes.
   */
  run(): ProbeRun;
  /** Releases the notify socket and its directory. */
  close(): Promise<void>;
}

/** The probes of one run of a service. */
export interface ProbeRun {
  /**
   * Feeds one line of the process's output (stdout or stderr) to the log probes.
   *
   * @param line The line, text or bytes.
   */
  feedLine(line: string | Uint8Array): void;
  /**
   * Waits until the readiness probe passes; at once when there is none.
   *
   * @param signal Aborted when the process exits or nimi stops.
   * @throws The signal's reason when it aborts first.
   */
  waitReady(signal: AbortSignal): Promise<void>;
  /**
   * Watches the liveness probe for as long as the process runs.
   *
   * @param signal Aborted when the process exits or nimi stops.
   * @returns The failure once `failureThreshold` attempts in a row failed; null when aborted or
   *   when there is no liveness probe.
   */
  watchLiveness(signal: AbortSignal): Promise<LivenessFailure | null>;
}

interface Built {
  check: ProbeCheck;
  wake?: (signal: AbortSignal) => Promise<void>;
}

/**
 * Prepares a service's probes before it is first spawned.
 *
 * @param spec The service.
 * @param options Exec spawn options, socket owner, clock and log callbacks.
 * @returns The probes; call {@link ServiceProbes.close} when the service has ended for good.
 * @throws {NotifyUnavailableError} When a notify probe is configured and Deno cannot receive
 *   datagrams.
 * @example
 * ```ts
 * const probes = await openProbes(spec, { exec: () => commandOptions });
 * const child = spawn({ ...commandOptions, env: { ...env, ...probes.environment } });
 * const run = probes.run();
 * await run.waitReady(exited);
 * ```
 */
export async function openProbes(
  spec: ServiceSpec,
  options: OpenProbesOptions = {},
): Promise<ServiceProbes> {
  const clock = options.clock ?? realProbeClock;
  const environment: Record<string, string> = {};
  let notify: NotifySocket | null = null;
  if (spec.readiness?.type === "notify" || spec.liveness?.type === "notify") {
    notify = await NotifySocket.open({
      ...(options.baseDir === undefined ? {} : { baseDir: options.baseDir }),
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
      ...(options.onNotify === undefined ? {} : { onMessage: options.onNotify }),
    });
    environment.NOTIFY_SOCKET = notify.path;
    if (spec.liveness?.type === "notify") {
      environment.WATCHDOG_USEC = String(spec.liveness.period * 1000);
    }
  }

  const build = (probe: ProbeValue, role: ProbeRole, logs: LogLineProbe[]): Built => {
    const mode = role === "readiness" ? "ever" : "since-last";
    switch (probe.type) {
      case "exec":
        return { check: execCheck(probe.command, options.exec?.() ?? {}) };
      case "tcp":
        return { check: tcpCheck(probe.host, probe.port) };
      case "http":
        return { check: httpCheck(probe.url) };
      case "log": {
        const log = new LogLineProbe(probe.pattern);
        logs.push(log);
        const what = `a line matching /${log.pattern.source}/`;
        return { check: eventCheck(log.matches, mode, what), wake: (s) => log.matches.next(s) };
      }
      case "notify": {
        const counter: EventCounter = role === "readiness" ? notify!.ready : notify!.watchdog;
        const what = role === "readiness" ? "READY=1" : "WATCHDOG=1";
        return {
          check: eventCheck(counter, mode, what, counter.count),
          wake: (s) => counter.next(s),
        };
      }
    }
  };

  const loopOptions = (role: ProbeRole, signal: AbortSignal) => ({
    signal,
    clock,
    ...(options.onAttempt === undefined
      ? {}
      : { onAttempt: (a: ProbeAttempt, n: number) => options.onAttempt?.(role, a, n) }),
  });

  return {
    environment,
    hasReadiness: spec.readiness !== null,
    hasLiveness: spec.liveness !== null,
    run(): ProbeRun {
      const logs: LogLineProbe[] = [];
      const readiness = spec.readiness === null ? null : build(spec.readiness, "readiness", logs);
      const liveness = spec.liveness === null ? null : build(spec.liveness, "liveness", logs);
      return {
        feedLine(line: string | Uint8Array): void {
          for (const log of logs) log.feed(line);
        },
        async waitReady(signal: AbortSignal): Promise<void> {
          if (readiness === null || spec.readiness === null) return signal.throwIfAborted();
          await waitUntilReady(readiness.check, spec.readiness, {
            ...loopOptions("readiness", signal),
            ...(readiness.wake === undefined ? {} : { wake: readiness.wake }),
          });
        },
        async watchLiveness(signal: AbortSignal): Promise<LivenessFailure | null> {
          if (liveness === null || spec.liveness === null) return null;
          // A heartbeat (log line, WATCHDOG=1) needs one period to arrive before it is missed.
          const heartbeat = spec.liveness.type === "log" || spec.liveness.type === "notify";
          const timing = heartbeat
            ? { ...spec.liveness, initialDelay: spec.liveness.initialDelay + spec.liveness.period }
            : spec.liveness;
          return await watchLiveness(liveness.check, timing, loopOptions("liveness", signal));
        },
      };
    },
    async close(): Promise<void> {
      await notify?.close();
    },
  };
}
