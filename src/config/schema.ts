/**
 * The config contract: one set of definitions (see schema_kit.ts) from which the run-time
 * validator (check.ts), the unknown-key warnings (unknown_keys.ts) and the published JSON Schema
 * (json_schema.ts, `nimi schema`) are all derived, so they cannot drift. Every message a user
 * reads about a bad value is written here, beside the rule it explains.
 *
 * Structures nimi owns are declared with {@link owned}: they accept unknown keys (upstream adds
 * options over time) but findUnknownKeys reports them as likely typos. Service modules
 * are open: an imported module's own options sit beside `process` and are accepted quietly.
 *
 * @module
 */
import * as z from "./schema_kit.ts";
import { SIGNAL_NAMES } from "./signals.ts";
import { RESTART_DEFAULTS, STOP_TIMEOUT_DEFAULT } from "./defaults.ts";

type Shape = Record<string, z.Schema<unknown, boolean>>;

/** Declares an object nimi owns: unknown keys pass validation but are reported as warnings. */
function owned<T extends Shape>(shape: T, meta?: z.SchemaMeta) {
  const schema = z.object(shape, { owned: true });
  return meta ? schema.meta(meta) : schema;
}

const millis = (what: string) =>
  z.int({ error: `must be a whole number of milliseconds (${what})` }).min(0, {
    error: "must not be negative",
  });

const nonEmptyString = z.string({ error: "must be a string" }).min(1, {
  error: "must not be empty",
});

const SIGNAL_CHOICES = [...SIGNAL_NAMES, ...SIGNAL_NAMES.map((n) => n.slice(3))] as [
  string,
  ...string[],
];

/** A signal name, `SIGTERM` or `TERM`; normalised later to the `SIG` form. */
export const SignalName = z.oneOf(SIGNAL_CHOICES, {
  error: `must be a signal name such as "SIGTERM" or "TERM"`,
});

/** The restart modes nimi understands; the first three are the Rust Nimi's. */
export const RESTART_MODES = ["never", "up-to-count", "always", "on-failure"] as const;

/** Global restart policy (`settings.restart`), Nimi's names plus backoff and reset. */
export const RestartSettings = owned({
  mode: z.oneOf(RESTART_MODES, {
    error: `must be one of "never", "up-to-count", "always", "on-failure"`,
  }).default(RESTART_DEFAULTS.mode).meta({
    description: "When to restart a service that exited: never, up-to-count (at most `count` " +
      "restarts), always (whatever the exit status), on-failure (only after a failure)",
  }),
  time: millis("restart delay").default(RESTART_DEFAULTS.time).meta({
    description: "Delay before a restart, in milliseconds",
  }),
  count: z.int({ error: "must be a whole number" }).min(0, { error: "must not be negative" })
    .default(RESTART_DEFAULTS.count).meta({ description: "Most restarts in mode up-to-count" }),
  backoff: z.number({ error: "must be a number" }).min(1, { error: "must be at least 1" })
    .default(RESTART_DEFAULTS.backoff).meta({
      description:
        "Factor the delay is multiplied by after each consecutive restart (1: no backoff)",
    }),
  maxTime: millis("restart delay cap").default(RESTART_DEFAULTS.maxTime).meta({
    description: "Cap on the restart delay when backoff grows it, in milliseconds",
  }),
  resetAfter: millis("stable run time").default(RESTART_DEFAULTS.resetAfter).meta({
    description: "A service that ran this long counts as stable: its restart counter and delay " +
      "reset (0: never reset)",
  }),
});

/** A per-service restart override: every field optional, absent fields inherit settings. */
export const RestartOverride = owned({
  mode: z.oneOf(RESTART_MODES, {
    error: `must be one of "never", "up-to-count", "always", "on-failure"`,
  }).optional(),
  time: millis("restart delay").optional(),
  count: z.int({ error: "must be a whole number" }).min(0, { error: "must not be negative" })
    .optional(),
  backoff: z.number({ error: "must be a number" }).min(1, { error: "must be at least 1" })
    .optional(),
  maxTime: millis("restart delay cap").optional(),
  resetAfter: millis("stable run time").optional(),
});

const Startup = owned({
  runOnStartup: z.string({ error: "must be a path to a program or null" }).min(1, {
    error: "must not be empty",
  }).nullable().default(null).meta({
    description: "Program run to completion before any service starts; a failure stops nimi",
  }),
});

const Logging = owned({
  enable: z.boolean({ error: "must be true or false" }).default(false).meta({
    description: "Write one log file per service under logsDir/logs-N",
  }),
  enableLogFiles: z.boolean({ error: "must be true or false" }).optional().meta({
    description: "Older Rust Nimi name for `enable`",
  }),
  logsDir: nonEmptyString.default("nimi_logs").meta({
    description: "Directory holding the logs-N directories, relative to the working directory",
  }),
  maxBytes: z.int({ error: "must be a whole number of bytes" }).positive({
    error: "must be positive",
  }).nullable().default(null).meta({
    description: "Rotate a service's log file when it reaches this size (null: no rotation)",
  }),
  maxFiles: z.int({ error: "must be a whole number" }).min(1, { error: "must be at least 1" })
    .default(5).meta({ description: "Rotated files kept per service" }),
});

const Shutdown = owned({
  timeout: millis("stop timeout").default(STOP_TIMEOUT_DEFAULT).meta({
    description: "How long a service may take to stop before its group gets SIGKILL",
  }),
  stopOnFailure: z.boolean({ error: "must be true or false" }).default(false).meta({
    description: "Stop every service when one fails for good (what a container usually wants)",
  }),
});

const Pid1 = owned({
  subreaper: z.boolean({ error: "must be true or false" }).default(true).meta({
    description: "Become a child subreaper when not PID 1, so orphans are reaped by nimi",
  }),
});

/** `settings`: the Rust Nimi's names, plus nimi's own beside them. */
export const Settings = owned({
  restart: RestartSettings.prefault({}),
  startup: Startup.prefault({}),
  logging: Logging.prefault({}),
  shutdown: Shutdown.prefault({}),
  pid1: Pid1.prefault({}),
  binName: z.unknown().optional().meta({ description: "Rust Nimi Nix side; ignored" }),
  container: z.unknown().optional().meta({ description: "Rust Nimi Nix side; ignored" }),
  bubblewrap: z.unknown().optional().meta({ description: "Rust Nimi Nix side; ignored" }),
});

const Process = owned({
  argv: z.array(nonEmptyString, { error: "must be a list of strings (program and arguments)" })
    .min(1, { error: "must not be empty: give at least the program to run" }).meta({
      description: "Program and arguments, run without a shell",
    }),
});

const ConfigDataEntry = owned({
  enable: z.boolean({ error: "must be true or false" }).default(true),
  name: z.string({ error: "must be a string" }).optional(),
  path: nonEmptyString.optional().meta({
    description: "Where the file appears, relative to the service's config directory",
  }),
  source: nonEmptyString.nullable().optional().meta({ description: "File to expose" }),
  text: z.string({ error: "must be a string or null" }).nullable().optional().meta({
    description: "Content, used when there is no source",
  }),
});

/** The conditions a dependency can wait for. */
export const DEPENDENCY_CONDITIONS = [
  "started",
  "ready",
  "completed",
  "completed-successfully",
] as const;

/** What a service's final end may do to the whole run (`nimi.onEnd`). */
export const END_ACTIONS = ["nothing", "stop-all", "stop-all-on-failure"] as const;

/** The readiness and liveness probe kinds. */
export const PROBE_TYPES = ["exec", "tcp", "http", "log", "notify"] as const;

/** A readiness or liveness probe (`nimi.readiness`, `nimi.liveness`). */
export const Probe = owned({
  type: z.oneOf(PROBE_TYPES, {
    error: `must be one of "exec", "tcp", "http", "log", "notify"`,
  }),
  command: z.array(nonEmptyString, { error: "must be a list of strings" }).min(1, {
    error: "must not be empty",
  }).optional().meta({ description: "exec: program and arguments; ready when it exits 0" }),
  host: nonEmptyString.default("127.0.0.1").meta({ description: "tcp: host to connect to" }),
  port: z.int({ error: "must be a port number" }).min(1, { error: "must be 1-65535" }).max(
    65535,
    { error: "must be 1-65535" },
  ).optional().meta({ description: "tcp: port that must accept a connection" }),
  url: z.url({ error: "must be an http(s) URL" }).optional().meta({
    description: "http: URL whose GET must return 2xx",
  }),
  pattern: nonEmptyString.optional().meta({
    description: "log: regular expression a line of output must match",
  }),
  initialDelay: millis("initial delay").default(0),
  period: millis("probe period").min(1, { error: "must be at least 1" }).default(1000),
  timeout: millis("probe timeout").min(1, { error: "must be at least 1" }).default(1000),
  failureThreshold: z.int({ error: "must be a whole number" }).min(1, {
    error: "must be at least 1",
  }).default(3).meta({ description: "Consecutive failures before a liveness probe restarts" }),
}).refine((p) => {
  const issues: z.RefineIssue[] = [];
  const need: Record<string, keyof typeof p> = {
    exec: "command",
    tcp: "port",
    http: "url",
    log: "pattern",
  };
  const field = need[p.type];
  if (field !== undefined && p[field] === undefined) {
    issues.push({ path: [field], message: `is required for a "${p.type}" probe` });
  }
  if (p.type === "log" && p.pattern !== undefined) {
    try {
      new RegExp(p.pattern);
    } catch (e) {
      issues.push({
        path: ["pattern"],
        message: `is not a valid regular expression: ${(e as Error).message}`,
      });
    }
  }
  return issues;
});

const idOrName = z.union([
  nonEmptyString,
  z.int({ error: "must be a numeric id" }).min(0, { error: "must not be negative" }),
], {
  error: "must be a name or a numeric id",
});

/** nimi's own per-service options, in the service's `nimi` attribute. */
export const ServiceOptions = owned({
  type: z.oneOf(["simple", "oneshot"], { error: `must be "simple" or "oneshot"` }).default(
    "simple",
  ),
  dependsOn: z.record(
    z.oneOf(DEPENDENCY_CONDITIONS, {
      error: `must be one of "started", "ready", "completed", "completed-successfully"`,
    }),
    { error: "must be an object mapping service names to conditions" },
  ).default({}),
  readiness: Probe.nullable().default(null),
  liveness: Probe.nullable().default(null),
  environment: z.record(z.string({ error: "must be a string" }), {
    error: "must be an object of strings",
  }).default({}),
  inheritEnvironment: z.boolean({ error: "must be true or false" }).default(true),
  workingDirectory: nonEmptyString.nullable().default(null),
  user: idOrName.nullable().default(null),
  group: idOrName.nullable().default(null),
  stopSignal: SignalName.default("SIGTERM"),
  stopTimeout: millis("stop timeout").nullable().default(null).meta({
    description: "null: settings.shutdown.timeout",
  }),
  restart: RestartOverride.nullable().default(null),
  credentials: z.record(nonEmptyString, {
    error: "must be an object mapping credential names to file paths",
  }).default({}),
  forwardSignals: z.array(SignalName, { error: "must be a list of signal names" }).default([
    "SIGHUP",
    "SIGUSR1",
    "SIGUSR2",
    "SIGWINCH",
  ]),
  reloadSignal: SignalName.nullable().default(null).meta({
    description: "Signal sent instead of SIGHUP when nimi receives SIGHUP",
  }),
  output: z.oneOf(["prefixed", "inherit"], {
    error: `must be "prefixed" or "inherit"`,
  }).default("prefixed").meta({
    description: "prefixed: through nimi's log sink; inherit: straight to nimi's stdout and stderr",
  }),
  stdin: z.oneOf(["null", "inherit"], { error: `must be "null" or "inherit"` }).default("null")
    .meta({ description: "inherit: the service reads nimi's stdin (one service at most)" }),
  successExitCodes: z.array(
    z.int({ error: "must be a whole number" }).min(0, { error: "must be 0-255" }).max(255, {
      error: "must be 0-255",
    }),
    { error: "must be a list of exit codes" },
  ).min(1, { error: "must not be empty" }).default([0]).meta({
    description: "Exit codes that count as success (128 + N for signal N)",
  }),
  onEnd: z.oneOf(END_ACTIONS, {
    error: `must be one of "nothing", "stop-all", "stop-all-on-failure"`,
  }).default("nothing").meta({
    description: "What the service ending for good does to the whole run: nothing, stop-all, " +
      "or stop-all-on-failure",
  }),
});

const Assertion = z.object({
  assertion: z.boolean({ error: "must be true or false" }),
  message: z.string({ error: "must be a string" }),
}, { owned: false });

/** The fields of a service other than its nested `services`. */
const serviceFields = {
  process: Process,
  configData: z.record(ConfigDataEntry, {
    error: "must be an object of configData entries",
  }).default({}),
  assertions: z.array(Assertion, { error: "must be a list of assertions" }).default([]),
  warnings: z.array(z.string({ error: "must be a string" }), {
    error: "must be a list of strings",
  }).default([]),
  meta: z.unknown().optional(),
  nimi: ServiceOptions.prefault({}),
};

/** One parsed service, before flattening. */
export type RawService = z.Infer<ReturnType<typeof serviceObject>> & {
  services: Record<string, RawService>;
};

function serviceObject() {
  return z.object(serviceFields, { owned: false });
}

/** One modular service, as `lib/services` evaluates it, plus nimi's `nimi` attribute. */
export const Service: z.Schema<RawService> = z.object({
  ...serviceFields,
  services: z.record(z.lazy(() => Service), { error: "must be an object of services" })
    .default({}),
}, { owned: false });

/** The whole file nimi reads. */
export const Config = z.object({
  services: z.record(Service, { error: "must be an object of services" }),
  settings: Settings.prefault({}),
  assertions: z.unknown().optional(),
  warnings: z.unknown().optional(),
  passthru: z.unknown().optional(),
  meta: z.unknown().optional(),
}, { owned: true, error: `the config must be an object with a "services" attribute` }).meta({
  title: "nimi config",
  description: "NixOS modular services evaluated to JSON, as nimi runs and renders them",
});

/** The parsed (defaults applied) config, before flattening. */
export type RawConfig = z.Infer<typeof Config>;
/** Parsed `settings`. */
export type SettingsValue = z.Infer<typeof Settings>;
/** Parsed global restart settings. */
export type RestartSettingsValue = z.Infer<typeof RestartSettings>;
/** A parsed probe, before it is narrowed to its kind. */
export type RawProbe = z.Infer<typeof Probe>;
/** A dependency condition. */
export type DependencyCondition = typeof DEPENDENCY_CONDITIONS[number];
/** A restart mode. */
export type RestartMode = typeof RESTART_MODES[number];
