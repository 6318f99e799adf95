/**
 * The startup hook (`settings.startup.runOnStartup`) as a service: a oneshot that runs once,
 * before every other service. The runtime runs it this way and the renderers write it this way.
 *
 * @module
 */
import type { NimiSettings, ServiceSpec } from "./types.ts";

/** The name the startup hook runs under. */
export const STARTUP_SERVICE = "startup";

/**
 * The startup hook as a oneshot service that is never restarted.
 *
 * @param settings Resolved settings.
 * @returns The service, or null when no hook is configured.
 * @example
 * ```ts
 * startupService({ ...settings, startup: { runOnStartup: "/bin/init" } })?.type; // "oneshot"
 * ```
 */
export function startupService(settings: NimiSettings): ServiceSpec | null {
  const hook = settings.startup.runOnStartup;
  if (hook === null) return null;
  return {
    name: STARTUP_SERVICE,
    path: [STARTUP_SERVICE],
    jsonPath: "settings.startup.runOnStartup",
    parent: null,
    argv: [hook],
    configData: [],
    type: "oneshot",
    dependsOn: [],
    readiness: null,
    liveness: null,
    environment: {},
    inheritEnvironment: true,
    workingDirectory: null,
    user: null,
    group: null,
    stopSignal: "SIGTERM",
    stopTimeout: settings.shutdown.timeout,
    restart: { ...settings.restart, mode: "never" },
    credentials: [],
    forwardSignals: [],
    reloadSignal: null,
    output: "prefixed",
    stdin: "null",
    successExitCodes: [0],
    onEnd: "nothing",
  };
}
