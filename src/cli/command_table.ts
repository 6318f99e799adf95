/**
 * The one description of nimi's command line: every command, its arguments and its options.
 * The parser (args.ts), the help texts (help.ts), the shell completions (completions.ts) and the
 * man page (man_page.ts) are all generated from it, so they cannot drift apart.
 *
 * To add a command: add its options to {@link OPTIONS}, an entry to {@link COMMANDS}, a field to
 * `CliArgs` if it needs one, and a loader in main.ts.
 *
 * @module
 */

/** One command-line option. */
export interface OptionSpec {
  /** Long name, without the dashes. */
  readonly name: string;
  /** One-letter alias, without the dash. */
  readonly short?: string;
  /** Whether the option takes a value. */
  readonly type: "string" | "boolean";
  /** The value's placeholder in help texts (string options). */
  readonly value?: string;
  /** The values it accepts, when they are a fixed list (used by completions). */
  readonly choices?: readonly string[];
  /** What the value names, for completions. */
  readonly complete?: "file" | "directory";
  /** Whether the option may be given several times. */
  readonly multiple?: boolean;
  /** One line of help. */
  readonly help: string;
}

/** A positional argument of a command. */
export interface ArgSpec {
  /** Placeholder in help texts. */
  readonly name: string;
  /** Whether it may repeat. */
  readonly variadic?: boolean;
  /** Whether at least one must be given. */
  readonly required?: boolean;
  /** The values it accepts, when fixed (used by completions). */
  readonly choices?: readonly string[];
  /** What the argument names, for completions (`command`: a nimi command). */
  readonly complete?: "command" | "file";
  /** One line of help. */
  readonly help: string;
}

/** One subcommand. */
export interface CommandSpec {
  /** The word typed after `nimi`. */
  readonly name: string;
  /** One line: what it does. */
  readonly summary: string;
  /** Usage lines, without the leading `nimi `. */
  readonly usage: readonly string[];
  /** Command-specific options (names in {@link OPTIONS}); global ones are always allowed. */
  readonly options: readonly string[];
  /** Positional arguments after the command word; none when absent. */
  readonly args?: readonly ArgSpec[];
  /** A paragraph for the per-command help and the man page. */
  readonly description?: string;
}

/** The render targets, in the order `nimi render --help` lists them. */
export const RENDER_TARGETS: readonly string[] = [
  "systemd",
  "procfile",
  "compose",
  "kubernetes",
  "kubernetes-pod",
  "supervisord",
  "s6",
  "s6-rc",
  "runit",
  "launchd",
  "sysvinit",
  "openrc",
  "bsdrc",
  "cygrunsrv",
  "nixos",
];

/** The shells `nimi completions` writes a script for. */
export const SHELLS: readonly string[] = ["bash", "zsh", "fish"];

/** Every option, by long name. Options shared by several commands are listed once. */
export const OPTIONS: Readonly<Record<string, OptionSpec>> = {
  config: {
    name: "config",
    short: "c",
    type: "string",
    value: "FILE",
    complete: "file",
    help: "the JSON or JSONC config (what Nix evaluated)",
  },
  strict: {
    name: "strict",
    type: "boolean",
    help: "unknown keys inside nimi's own structures are errors, not warnings",
  },
  help: { name: "help", short: "h", type: "boolean", help: "print help (of a command, after it)" },
  version: { name: "version", short: "V", type: "boolean", help: "print the version" },
  "log-format": {
    name: "log-format",
    type: "string",
    value: "F",
    choices: ["text", "json"],
    help: `"text" (service | line) or "json" (one object a line)`,
  },
  to: {
    name: "to",
    type: "string",
    value: "TARGET",
    choices: RENDER_TARGETS,
    help: "the service manager to render for (docs/render.md)",
  },
  out: {
    name: "out",
    short: "o",
    type: "string",
    value: "DIR",
    complete: "directory",
    help: "directory to write into",
  },
  user: { name: "user", type: "boolean", help: "user-level units, no root-only settings" },
  prefix: {
    name: "prefix",
    type: "string",
    value: "P",
    help: "prefix every name (several instances side by side)",
  },
  "state-dir": {
    name: "state-dir",
    type: "string",
    value: "D",
    complete: "directory",
    help: "keep all state under this directory",
  },
  image: {
    name: "image",
    type: "string",
    value: "IMAGE",
    help: "the image compose and kubernetes containers run",
  },
  nimi: {
    name: "nimi",
    type: "string",
    value: "PATH",
    complete: "file",
    help: "the nimi program rendered files call for probes (default: nimi)",
  },
  wait: { name: "wait", type: "boolean", help: "repeat the check until it passes" },
  "initial-delay": {
    name: "initial-delay",
    type: "string",
    value: "MS",
    help: "milliseconds before the first attempt",
  },
  period: { name: "period", type: "string", value: "MS", help: "milliseconds between attempts" },
  socket: {
    name: "socket",
    type: "string",
    value: "PATH",
    complete: "file",
    help: "the control socket (default: $XDG_RUNTIME_DIR/nimi/NAME.sock, /run/nimi as root)",
  },
  name: {
    name: "name",
    type: "string",
    value: "NAME",
    help: "the instance name, which picks the default socket (default: default)",
  },
  "no-control": { name: "no-control", type: "boolean", help: "run without a control socket" },
  tui: {
    name: "tui",
    type: "boolean",
    help: "show the services in the terminal UI; leaving it stops them (docs/tui.md)",
  },
  json: { name: "json", type: "boolean", help: "print JSON instead of a table" },
  follow: { name: "follow", short: "f", type: "boolean", help: "keep printing new lines" },
  lines: {
    name: "lines",
    short: "n",
    type: "string",
    value: "N",
    help: "how many past lines to print (default 100)",
  },
  timeout: {
    name: "timeout",
    type: "string",
    value: "MS",
    help: "milliseconds one attempt may take",
  },
};

/** Options every command accepts. */
export const GLOBAL_OPTIONS: readonly string[] = ["config", "strict", "help", "version"];

/** Every command, in the order help texts list them. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "run",
    summary: "start, supervise and stop the services; stream their logs",
    usage: [
      "--config FILE run [--log-format text|json] [--name NAME | --socket PATH | --no-control] " +
      "[--tui] [SERVICE...]",
    ],
    options: ["log-format", "socket", "name", "no-control", "tui"],
    args: [{ name: "SERVICE", variadic: true, help: "run only these and what they depend on" }],
    description:
      "Starts every service in dependency order, restarts them by their policy, prefixes and " +
      "forwards their output, and stops them all on SIGTERM or SIGINT. As PID 1 it also reaps " +
      "orphans. The exit code follows docs/run.md.",
  },
  {
    name: "validate",
    summary: "check a config and list its services (nested ones included)",
    usage: ["--config FILE validate [--strict]"],
    options: [],
    description: "Prints the number and names of the services, and every warning on stderr. " +
      "Exits 2 with one line per error when the config is invalid.",
  },
  {
    name: "render",
    summary: "write the services as files for another service manager",
    usage: ["--config FILE render --to TARGET --out DIR [--user] [--prefix P] [--state-dir D]"],
    options: ["to", "out", "user", "prefix", "state-dir", "image", "nimi"],
    description: "Writes one file set per target: systemd units, a Procfile, a compose file, " +
      "Kubernetes objects, supervisord, s6, runit, launchd, sysvinit, OpenRC or rc.d scripts.",
  },
  {
    name: "probe",
    summary: "run one readiness check (or --wait for it) as nimi run would; for rendered files",
    usage: [
      "probe [--wait] [--initial-delay MS] [--period MS] [--timeout MS] tcp HOST PORT",
      "probe [...] http URL | exec PROGRAM [ARG...] | log --file FILE [--offset BYTES] PATTERN",
    ],
    options: ["wait", "initial-delay", "period", "timeout"],
    args: [
      { name: "KIND", required: true, choices: ["tcp", "http", "exec", "log"], help: "the check" },
      { name: "ARG", variadic: true, help: "what to check (options before KIND)" },
    ],
    description: "Exits 0 when the check passes, 1 when it fails (the reason on stderr). With " +
      "--wait it tries every period until one attempt passes, as nimi run waits for readiness. " +
      "Rendered systemd, compose, s6, runit and init-script files call it (docs/render.md).",
  },
  {
    name: "schema",
    summary: "print the JSON Schema of the config file",
    usage: ["schema"],
    options: [],
  },
  {
    name: "completions",
    summary: "print a shell completion script",
    usage: ["completions bash|zsh|fish"],
    options: [],
    args: [{ name: "SHELL", required: true, choices: SHELLS, help: "bash, zsh or fish" }],
    description: `Load it with "source <(nimi completions bash)", ` +
      `"nimi completions zsh > ~/.zfunc/_nimi" or ` +
      `"nimi completions fish > ~/.config/fish/completions/nimi.fish".`,
  },
  {
    name: "tui",
    summary: "watch and steer a running nimi in a terminal UI",
    usage: ["tui [--name NAME | --socket PATH]"],
    options: ["socket", "name"],
    description: "A live table of the services, a log pane with search, and keys to start, " +
      "stop, restart and signal the selected service (docs/tui.md). Leaving it (q) leaves " +
      "the services running.",
  },
  {
    name: "status",
    summary: "show each service of a running nimi: phase, pid, restarts, last exit",
    usage: ["status [--json] [--name NAME | --socket PATH]"],
    options: ["json", "socket", "name"],
    description: "Asks the running nimi (found by --name or --socket, docs/control.md).",
  },
  {
    name: "start",
    summary: "start services of a running nimi that are stopped or ended",
    usage: ["start SERVICE... [--name NAME | --socket PATH]"],
    options: ["socket", "name"],
    args: [{ name: "SERVICE", variadic: true, required: true, help: "the services" }],
  },
  {
    name: "stop",
    summary: "stop services of a running nimi; they stay stopped until started",
    usage: ["stop SERVICE... [--name NAME | --socket PATH]"],
    options: ["socket", "name"],
    args: [{ name: "SERVICE", variadic: true, required: true, help: "the services" }],
  },
  {
    name: "restart",
    summary: "restart services of a running nimi (stop signal, then a new process)",
    usage: ["restart SERVICE... [--name NAME | --socket PATH]"],
    options: ["socket", "name"],
    args: [{ name: "SERVICE", variadic: true, required: true, help: "the services" }],
  },
  {
    name: "signal",
    summary: "send a signal to services' process groups in a running nimi",
    usage: ["signal SIGNAL SERVICE... [--name NAME | --socket PATH]"],
    options: ["socket", "name"],
    args: [
      { name: "SIGNAL", required: true, help: "HUP, SIGUSR1, TERM, ..." },
      { name: "SERVICE", variadic: true, required: true, help: "the services" },
    ],
  },
  {
    name: "logs",
    summary: "print the last lines services of a running nimi wrote, or follow them",
    usage: ["logs [-f] [-n N] [SERVICE...] [--name NAME | --socket PATH]"],
    options: ["follow", "lines", "socket", "name"],
    args: [{ name: "SERVICE", variadic: true, help: "the services (default: all)" }],
    description: "Lines come from an in-memory ring of the last 64 KiB of each service.",
  },
  {
    name: "reload",
    summary: "re-read the config: stop removed, restart changed, start added services",
    usage: ["reload [--config FILE] [--name NAME | --socket PATH]"],
    options: ["socket", "name"],
    description: "Prints what changed. An invalid config changes nothing and exits 2.",
  },
  {
    name: "man",
    summary: "print the manual page (roff)",
    usage: ["man"],
    options: [],
    description: `Read it with "nimi man | man -l -".`,
  },
  {
    name: "help",
    summary: "print help, of one command when named",
    usage: ["help [COMMAND]"],
    options: [],
    args: [{ name: "COMMAND", complete: "command", help: "the command to describe" }],
  },
];

/**
 * Finds a command by name.
 *
 * @param name The word after `nimi`.
 * @returns Its description, or undefined.
 * @example
 * ```ts
 * findCommand("run")?.summary;
 * ```
 */
export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/**
 * The option's spelling in help texts: `-c, --config FILE`.
 *
 * @param o The option.
 * @returns Its flags and placeholder.
 */
export function optionFlags(o: OptionSpec): string {
  const long = `--${o.name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`;
  return o.short ? `-${o.short}, ${long}` : `    ${long}`;
}
