/**
 * The config contract: one set of zod definitions from which both the runtime validator and the
 * published JSON Schema (`nimi schema`) are derived, so the two cannot drift.
 *
 * Structures nimi owns are declared with {@link owned}: they accept unknown keys (upstream adds
 * options over time) but {@link findUnknownKeys} reports them as likely typos. Service modules
 * are open: an imported module's own options sit beside `process` and are accepted quietly.
 *
 * @module
 */
import { z } from "zod";
import { SIGNAL_NAMES } from "./signals.ts";

const ownedSchemas = new WeakSet<z.ZodType>();

/** Declares an object nimi owns: unknown keys pass validation but are reported as warnings. */
function owned<T extends z.core.$ZodLooseShape>(
  shape: T,
  meta?: { title?: string; description?: string },
): z.ZodObject<T, z.core.$loose> {
  const schema = meta ? z.looseObject(shape).meta(meta) : z.looseObject(shape);
  ownedSchemas.add(schema);
  return schema;
}

/**
 * Whether a schema is an object nimi owns (unknown keys in it are reported).
 *
 * @param schema A zod schema from this module.
 * @returns true for objects declared as owned.
 */
export function isOwned(schema: z.ZodType): boolean {
  return ownedSchemas.has(schema);
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
export const SignalName = z.enum(SIGNAL_CHOICES, {
  error: `must be a signal name such as "SIGTERM" or "TERM"`,
});

/** The restart modes nimi understands; the first three are the Rust Nimi's. */
export const RESTART_MODES = ["never", "up-to-count", "always", "on-failure"] as const;

/** Global restart policy (`settings.restart`), Nimi's names plus backoff and reset. */
export const RestartSettings = owned({
  mode: z.enum(RESTART_MODES, {
    error: `must be one of "never", "up-to-count", "always", "on-failure"`,
  }).default("on-failure").meta({
    description: "When to restart a service that exited: never, up-to-count (at most `count` " +
      "restarts), always (whatever the exit status), on-failure (only after a failure)",
  }),
  time: millis("restart delay").default(1000).meta({
    description: "Delay before a restart, in milliseconds",
  }),
  count: z.int({ error: "must be a whole number" }).min(0, { error: "must not be negative" })
    .default(5).meta({ description: "Most restarts in mode up-to-count" }),
  backoff: z.number({ error: "must be a number" }).min(1, { error: "must be at least 1" })
    .default(1).meta({
      description:
        "Factor the delay is multiplied by after each consecutive restart (1: no backoff)",
    }),
  maxTime: millis("restart delay cap").default(60000).meta({
    description: "Cap on the restart delay when backoff grows it, in milliseconds",
  }),
  resetAfter: millis("stable run time").default(10000).meta({
    description: "A service that ran this long counts as stable: its restart counter and delay " +
      "reset (0: never reset)",
  }),
});

/** A per-service restart override: every field optional, absent fields inherit settings. */
export const RestartOverride = owned({
  mode: z.enum(RESTART_MODES, {
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
  timeout: millis("stop timeout").default(5000).meta({
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

/** The readiness and liveness probe kinds. */
export const PROBE_TYPES = ["exec", "tcp", "http", "log", "notify"] as const;

/** A readiness or liveness probe (`nimi.readiness`, `nimi.liveness`). */
export const Probe = owned({
  type: z.enum(PROBE_TYPES, {
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
}).superRefine((p, ctx) => {
  const need: Record<string, keyof typeof p> = {
    exec: "command",
    tcp: "port",
    http: "url",
    log: "pattern",
  };
  const field = need[p.type];
  if (field !== undefined && p[field] === undefined) {
    ctx.addIssue({
      code: "custom",
      path: [field],
      message: `is required for a "${p.type}" probe`,
    });
  }
  if (p.type === "log" && p.pattern !== undefined) {
    try {
      new RegExp(p.pattern);
    } catch (e) {
      ctx.addIssue({
        code: "custom",
        path: ["pattern"],
        message: `is not a valid regular expression: ${(e as Error).message}`,
      });
    }
  }
});

const idOrName = z.union([nonEmptyString, z.int().min(0)], {
  error: "must be a name or a numeric id",
});

/** nimi's own per-service options, in the service's `nimi` attribute. */
export const ServiceOptions = owned({
  type: z.enum(["simple", "oneshot"], { error: `must be "simple" or "oneshot"` }).default(
    "simple",
  ),
  dependsOn: z.record(
    z.string(),
    z.enum(DEPENDENCY_CONDITIONS, {
      error: `must be one of "started", "ready", "completed", "completed-successfully"`,
    }),
    { error: "must be an object mapping service names to conditions" },
  ).default({}),
  readiness: Probe.nullable().default(null),
  liveness: Probe.nullable().default(null),
  environment: z.record(z.string(), z.string({ error: "must be a string" }), {
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
  credentials: z.record(z.string(), nonEmptyString, {
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
});

const Assertion = z.looseObject({
  assertion: z.boolean({ error: "must be true or false" }),
  message: z.string({ error: "must be a string" }),
});

/** One modular service, as `lib/services` evaluates it, plus nimi's `nimi` attribute. */
export const Service = z.looseObject({
  process: Process,
  configData: z.record(z.string(), ConfigDataEntry, {
    error: "must be an object of configData entries",
  }).default({}),
  get services(): z.ZodDefault<z.ZodRecord<z.ZodString, typeof Service>> {
    return z.record(z.string(), Service, { error: "must be an object of services" }).default({});
  },
  assertions: z.array(Assertion, { error: "must be a list of assertions" }).default([]),
  warnings: z.array(z.string({ error: "must be a string" }), {
    error: "must be a list of strings",
  }).default([]),
  meta: z.unknown().optional(),
  nimi: ServiceOptions.prefault({}),
});

/** The whole file nimi reads. */
export const Config = owned({
  services: z.record(z.string(), Service, { error: "must be an object of services" }),
  settings: Settings.prefault({}),
  assertions: z.unknown().optional(),
  warnings: z.unknown().optional(),
  passthru: z.unknown().optional(),
  meta: z.unknown().optional(),
}, {
  title: "nimi config",
  description: "NixOS modular services evaluated to JSON, as nimi runs and renders them",
});

/** The parsed (defaults applied) config, before flattening. */
export type RawConfig = z.output<typeof Config>;
/** One parsed service, before flattening. */
export type RawService = z.output<typeof Service>;
/** Parsed `settings`. */
export type SettingsValue = z.output<typeof Settings>;
/** Parsed global restart settings. */
export type RestartSettingsValue = z.output<typeof RestartSettings>;
/** A parsed probe. */
export type ProbeValue = z.output<typeof Probe>;
/** A dependency condition. */
export type DependencyCondition = typeof DEPENDENCY_CONDITIONS[number];
/** A restart mode. */
export type RestartMode = typeof RESTART_MODES[number];

/**
 * The JSON Schema of the config file, generated from the same definitions the validator uses.
 *
 * @returns A JSON Schema (draft 2020-12) object.
 */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(Config, {
    target: "draft-2020-12",
    io: "input",
    unrepresentable: "any",
  }) as Record<string, unknown>;
}
