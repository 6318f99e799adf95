/**
 * `nimi run`: loads the config, opens the log sink (console and per-run log files), runs the
 * supervisor, and stops it on SIGINT/SIGTERM (a second signal kills at once).
 *
 * @module
 */
import { loadConfig } from "../config/mod.ts";
import { createRunLogDir, LogSink } from "../logs/mod.ts";
import { Supervisor } from "../supervisor/mod.ts";
import { ServiceSetup } from "../supervisor/service_setup.ts";
import type { CliArgs } from "./args.ts";
import type { Output } from "./output.ts";
import { printWarnings, requireConfig } from "./common.ts";

/**
 * Runs the services of the config named by `--config`.
 *
 * @param args Parsed command line.
 * @param io Where nimi's own errors and config warnings go; service output goes to the real
 * standard output.
 * @returns nimi's exit code (docs/run.md, "Exit code").
 * @throws {ConfigError} When the config is invalid.
 */
export async function runCommand(args: CliArgs, io: Output): Promise<number> {
  const file = requireConfig(args);
  const config = await loadConfig(file, { strict: args.strict });
  printWarnings(config.file, config.warnings, io);
  const setup = await ServiceSetup.create(config);
  const { logging } = config.settings;
  const logDir = logging.enable ? await createRunLogDir(logging.logsDir) : null;
  const names = config.services.map((s) => s.name);
  if (config.settings.startup.runOnStartup !== null) names.unshift("startup");
  const sink = await LogSink.create({
    names,
    format: args.logFormat,
    color: useColor(),
    console: Deno.stdout,
    logDir,
    maxBytes: logging.maxBytes,
    maxFiles: logging.maxFiles,
    onError: (what, e) => io.err(`nimi: cannot write ${what}: ${errorText(e)}\n`),
  });
  const supervisor = new Supervisor(config, { sink, ...setup.hooks(sink) });
  const removeListeners = installStopSignals(supervisor);
  try {
    const code = await supervisor.run();
    sink.message(null, `exiting with code ${code}`);
    return code;
  } finally {
    removeListeners();
    await sink.close();
  }
}

/**
 * Installs nimi's SIGINT/SIGTERM handling: the first signal stops every service gracefully,
 * a second one sends SIGKILL to every group at once. Other forwarded signals (HUP, USR1, USR2,
 * WINCH) are passed on to the services that ask for them. The PID 1 layer replaces this
 * function with its own early listeners.
 *
 * @param supervisor The supervisor to stop.
 * @returns A function that removes the listeners.
 */
export function installStopSignals(supervisor: Supervisor): () => void {
  const stop = () => {
    if (supervisor.stopping) supervisor.kill();
    else void supervisor.stop();
  };
  const forwarded: Deno.Signal[] = ["SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH"];
  const forward = forwarded.map((s) => [s, () => supervisor.signalAll(s)] as const);
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  for (const [s, f] of forward) Deno.addSignalListener(s, f);
  return () => {
    Deno.removeSignalListener("SIGINT", stop);
    Deno.removeSignalListener("SIGTERM", stop);
    for (const [s, f] of forward) Deno.removeSignalListener(s, f);
  };
}

function useColor(): boolean {
  const noColor = Deno.env.get("NO_COLOR");
  return Deno.stdout.isTerminal() && (noColor === undefined || noColor === "");
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
