/**
 * The normalised config: what the runtime and every renderer consume. Nested services are
 * flattened, defaults applied, disabled configData dropped, signal names in `SIG` form and each
 * service's restart policy merged with the global one.
 *
 * @module
 */
import type { DependencyCondition, RestartMode } from "./schema.ts";
import type { Diagnostic } from "./diagnostics.ts";
import type { Signal } from "./signals.ts";

export type { DependencyCondition, RestartMode } from "./schema.ts";
export type { Signal } from "./signals.ts";

/** When a probe runs: the fields every probe kind has. */
export interface ProbeTimingFields {
  /** Milliseconds before the first attempt. */
  initialDelay: number;
  /** Milliseconds between attempts. */
  period: number;
  /** Milliseconds an attempt may take. */
  timeout: number;
  /** Consecutive failures before a liveness probe gives up on the service. */
  failureThreshold: number;
}

/** `exec`: a command that exits 0 when the service is fine. */
export interface ExecProbe extends ProbeTimingFields {
  /** The probe kind. */
  type: "exec";
  /** Program and arguments, run with the service's environment and identity. */
  command: readonly string[];
}

/** `tcp`: a port that accepts a connection. */
export interface TcpProbe extends ProbeTimingFields {
  /** The probe kind. */
  type: "tcp";
  /** Host to connect to. */
  host: string;
  /** Port to connect to. */
  port: number;
}

/** `http`: a URL whose GET returns 2xx. */
export interface HttpProbe extends ProbeTimingFields {
  /** The probe kind. */
  type: "http";
  /** The URL. */
  url: string;
}

/** `log`: a line of output matching a pattern. */
export interface LogProbe extends ProbeTimingFields {
  /** The probe kind. */
  type: "log";
  /** Regular expression (validated). */
  pattern: string;
}

/** `notify`: `READY=1` (readiness) or `WATCHDOG=1` (liveness) on `$NOTIFY_SOCKET`. */
export interface NotifyProbe extends ProbeTimingFields {
  /** The probe kind. */
  type: "notify";
}

/** A readiness or liveness probe, one shape per kind. */
export type ProbeValue = ExecProbe | TcpProbe | HttpProbe | LogProbe | NotifyProbe;

/** What a service's final end does to the whole run (`nimi.onEnd`). */
export type EndAction = "nothing" | "stop-all" | "stop-all-on-failure";

/** A restart policy with every field resolved. */
export interface RestartPolicy {
  /** When to restart. */
  mode: RestartMode;
  /** Delay before the first restart, in milliseconds. */
  time: number;
  /** Most restarts in mode `up-to-count`. */
  count: number;
  /** Delay multiplier per consecutive restart (1: none). */
  backoff: number;
  /** Cap on the grown delay, in milliseconds. */
  maxTime: number;
  /** Run time after which the counter and delay reset, in milliseconds (0: never). */
  resetAfter: number;
}

/** One enabled configData file. */
export interface ConfigDataFile {
  /** The attribute name in `configData`. */
  key: string;
  /** Normalised relative path inside the service's config directory. */
  path: string;
  /** File to link to, if any. */
  source: string | null;
  /** Text to write when there is no source. */
  text: string | null;
}

/** A dependency on another service. */
export interface Dependency {
  /** The flattened name of the service depended on. */
  name: string;
  /** What must have happened to it. */
  condition: DependencyCondition;
}

/** A credential file to expose in `$CREDENTIALS_DIRECTORY`. */
export interface Credential {
  /** File name inside the credentials directory. */
  name: string;
  /** File to copy from. */
  path: string;
}

/** One service, flattened and resolved. */
export interface ServiceSpec {
  /** Unique flattened name: nested names joined with `-` (`stack-cache-warmer`). */
  name: string;
  /** Attribute names from the top (`["stack", "cache", "warmer"]`). */
  path: readonly string[];
  /** Where it sits in the JSON (`services.stack.services.cache`). */
  jsonPath: string;
  /** Flattened name of the service it is nested in, or null at top level. */
  parent: string | null;
  /** Program and arguments. */
  argv: readonly string[];
  /** Enabled configData files. */
  configData: readonly ConfigDataFile[];
  /** `simple` (long-running) or `oneshot` (runs to completion). */
  type: "simple" | "oneshot";
  /** Services this one waits for. */
  dependsOn: readonly Dependency[];
  /** Readiness probe, or null (ready once started). */
  readiness: ProbeValue | null;
  /** Liveness probe, or null. */
  liveness: ProbeValue | null;
  /** Variables added to the environment. */
  environment: Readonly<Record<string, string>>;
  /** Whether nimi's own environment is passed on. */
  inheritEnvironment: boolean;
  /** Working directory, or null for nimi's. */
  workingDirectory: string | null;
  /** User name or id to run as, or null. */
  user: string | number | null;
  /** Group name or id to run as, or null. */
  group: string | number | null;
  /** Signal sent to the process group to stop it (`SIGTERM`). */
  stopSignal: Signal;
  /** Milliseconds before SIGKILL after the stop signal. */
  stopTimeout: number;
  /** Resolved restart policy. */
  restart: RestartPolicy;
  /** Credential files. */
  credentials: readonly Credential[];
  /** Signals forwarded from nimi to the service's group. */
  forwardSignals: readonly Signal[];
  /** Signal sent instead of SIGHUP, or null. */
  reloadSignal: Signal | null;
  /** Exit codes that count as success (`nimi.successExitCodes`; 128 + N for signal N). */
  successExitCodes: readonly number[];
  /** What the service's final end does to the whole run (`nimi.onEnd`). */
  onEnd: EndAction;
  /**
   * `prefixed`: output goes through nimi's log sink (prefix, log files); `inherit`: the service
   * writes straight to nimi's stdout and stderr.
   */
  output: "prefixed" | "inherit";
  /** `null`: stdin is /dev/null; `inherit`: the service reads nimi's stdin (one at most). */
  stdin: "null" | "inherit";
}

/** Global settings, resolved. */
export interface NimiSettings {
  /** Global restart policy (each service has its resolved copy). */
  restart: RestartPolicy;
  /** Startup hook. */
  startup: { runOnStartup: string | null };
  /** Log files. */
  logging: {
    enable: boolean;
    logsDir: string;
    maxBytes: number | null;
    maxFiles: number;
    /** Log file name after the service's: `.log`, or `.txt` for a Rust Nimi file. */
    fileSuffix: ".log" | ".txt";
  };
  /** Shutdown behaviour. */
  shutdown: { timeout: number; stopOnFailure: boolean };
  /** PID 1 duties. */
  pid1: { subreaper: boolean };
}

/** A validated, normalised config. */
export interface NimiConfig {
  /** The file it was read from. */
  file: string;
  /** Every service, nested ones included, parents before children, in file order. */
  services: readonly ServiceSpec[];
  /** Resolved settings. */
  settings: NimiSettings;
  /** Warnings found while validating (unknown keys, service warnings). */
  warnings: readonly Diagnostic[];
}
