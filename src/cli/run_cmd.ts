/**
 * `nimi run`: loads the config, opens the log sink (console and per-run log files), runs the
 * supervisor, and stops it on SIGINT/SIGTERM (a second signal kills at once).
 *
 * @module
 */
import { loadConfig, type NimiConfig } from "../config/mod.ts";
import { createRunLogDir, LogSink } from "../logs/mod.ts";
import { resolveIdentities, Supervisor, withDependencies } from "../supervisor/mod.ts";
import { UsageError } from "./usage_error.ts";
import { describeSystemError } from "./system_error.ts";
import { openControl } from "./run_control.ts";
import { socketPath } from "../control/socket_path.ts";
import { installSignalListeners, type Reaper, startReaper } from "../pid1/mod.ts";
import { HANDLED_SIGNAL_NUMBERS, type SignalEvent } from "../pid1/signal_table.ts";
import { closeInheritedOnExec } from "../pid1/close_on_exec.ts";
import { HeapCompactor, loadCollection, trimMalloc } from "../pid1/heap.ts";
import { pageOutCode } from "../pid1/code_pages.ts";
import { journalStreams } from "../systemd/journal.ts";
import { SystemdNotifier } from "../systemd/notifier.ts";
import type { CliArgs } from "./args.ts";
import type { Output } from "./output.ts";
import { printWarnings, requireConfig } from "./common.ts";
import {
  clearTimer,
  setTimer,
  settleWhileProgressing,
  settleWithin,
  type Timer,
} from "../timers.ts";

/** Quiet time after the last state change before nimi collects garbage. */
const HEAP_QUIET_MS = 2000;

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
  const [config, held] = await stoppableWhile(() => loadConfig(file, { strict: args.strict }));
  printWarnings(config.file, config.warnings, io);
  const only = args.args.length === 0 ? undefined : args.args;
  if (only !== undefined) subsetOrUsageError(config, only);
  // No service inherits what nimi itself inherited (fds of the shell or runner above it).
  closeInheritedOnExec();
  const identities = await resolveIdentities(config);
  // The control socket's log ring sees every chunk of output (src/control/log_ring.ts).
  const control = args.noControl ? null : openControl(args, file);
  // The UI is loaded only when asked for: a plain run holds none of its code.
  const tui = args.tui ? (await import("./run_tui.ts")).prepareRunTui(args) : null;
  const { logging } = config.settings;
  const logDir = logging.enable ? await openLogDir(logging.logsDir, io) : null;
  const names = config.services.map((s) => s.name);
  if (config.settings.startup.runOnStartup !== null) names.unshift("startup");
  // Under journald the console lines carry syslog priorities instead of colours.
  const journal = journalStreams().stdout;
  const sink = await LogSink.create({
    names,
    format: args.logFormat,
    color: useColor() && !journal,
    journal,
    console: tui?.console ?? Deno.stdout,
    errors: tui?.console ?? Deno.stderr,
    logDir,
    fileSuffix: logging.fileSuffix,
    maxBytes: logging.maxBytes,
    maxFiles: logging.maxFiles,
    onError: (what, e) => io.err(`nimi: cannot write ${what}: ${errorText(e)}\n`),
    ...(control === null ? {} : { tap: control.tap }),
  });
  const reaper = startReaper({
    subreaper: config.settings.pid1.subreaper,
    log: (line) => sink.message(null, line),
  });
  // Before any service starts: they must not inherit NOTIFY_SOCKET (docs/nixos-module.md).
  const notifier = SystemdNotifier.fromEnvironment((m) => sink.message(null, m, "warning"));
  // Once start-up (or a burst of restarts) has settled, give its garbage, the allocator's free
  // pages (heap.ts) and the runtime's cold code pages (code_pages.ts) back.
  // Loaded now, not in the quiet spell it is for (without --expose-gc it imports node:vm).
  const collection = loadCollection();
  collection.catch(() => {
    // Reported at the first collection, below.
  });
  const heap = new HeapCompactor(HEAP_QUIET_MS, () => {
    collection.then((collect) => {
      collect();
      trimMalloc();
      pageOutCode();
    }, (e) => sink.message(null, `cannot collect garbage: ${errorText(e)}`, "warning"));
  });
  const supervisor: Supervisor = new Supervisor(config, {
    sink,
    registry: reaper.managed,
    identities,
    ...(only === undefined ? {} : { only }),
    onChange: () => {
      heap.poke();
      notifier?.update(supervisor.phases(), supervisor.stopping);
    },
  });
  const removeListeners = installStopSignals(supervisor, reaper, held);
  const internal = stopOnInternalError(supervisor, io);
  await control?.listen(supervisor, sink);
  tui?.show(socketPath(args.socket, args.name), () => {
    void supervisor.stop();
    reaper.signalLeftovers("SIGTERM");
  });
  try {
    const code = internal.code(
      await supervisor.run().catch((e) => {
        // nimi cannot go on (no file descriptors left, say): take the services down with it.
        supervisor.kill();
        reaper.signalLeftovers("SIGKILL");
        throw e;
      }),
    );
    await stopLeftovers(reaper, config.settings.shutdown.timeout);
    sink.message(null, `exiting with code ${code}`, code === 0 ? "info" : "warning");
    return code;
  } finally {
    await tui?.close();
    await control?.close();
    notifier?.close();
    heap.stop();
    removeListeners();
    internal.remove();
    reaper.stop();
    await closeSink(sink);
  }
}

/**
 * How long nimi waits at exit for output that makes no progress: a console nobody reads (a
 * reader that stopped, a terminal held with Ctrl-S) must not keep a PID 1 from exiting.
 */
const EXIT_DRAIN_MS = 5000;
/** How long the warning that output was left behind may take to reach stderr. */
const EXIT_WARNING_MS = 1000;

/**
 * Writes what is queued and closes the log files, as long as the console and files take bytes;
 * gives up once they took none for {@link EXIT_DRAIN_MS} (docs/run.md, "Guarantees and limits
 * under faults").
 */
async function closeSink(sink: LogSink): Promise<void> {
  const closing = sink.close();
  if (await settleWhileProgressing(closing, () => sink.unwritten, EXIT_DRAIN_MS)) {
    return await closing;
  }
  // Given up: what the close still does, or fails with, happens as nimi exits.
  closing.catch(() => {});
  const message = `nimi: warning: ${sink.unwritten} bytes of output not written: nothing took ` +
    `any for ${EXIT_DRAIN_MS / 1000} s; exiting without them\n`;
  // Waited for a moment only: stderr may be the very pipe that takes nothing. A write that
  // fails has no one left to tell.
  const write = Deno.stderr.write(new TextEncoder().encode(message)).catch(() => 0);
  await settleWithin(write, EXIT_WARNING_MS);
}

/**
 * Hands nimi's signals to the supervisor, as the signal table says (docs/container.md,
 * "Signals"; src/pid1/signal_table.ts): the first SIGINT or SIGTERM stops every service
 * gracefully, a second one or SIGQUIT sends SIGKILL to every group at once; SIGTSTP, SIGTTIN
 * and SIGTTOU send SIGSTOP to every service's group and then stop nimi itself (not as PID 1),
 * SIGCONT continues every group; every other signal is passed on to the services that list it
 * in `nimi.forwardSignals` (SIGHUP becomes `reloadSignal`) and ignored by the others. The
 * listeners themselves were installed before anything else (src/pid1/early.ts); signals that
 * came while the config loaded are replayed here.
 *
 * @param supervisor The supervisor to stop.
 * @param reaper Stops processes the services left outside their groups.
 * @param held Stop requests that came while the config loaded, handled first.
 * @returns A function that detaches the handler (the listeners stay: see src/pid1/signals.ts).
 */
export function installStopSignals(
  supervisor: Supervisor,
  reaper: Reaper,
  held: readonly SignalEvent[] = [],
): () => void {
  const handle = ({ signal, action }: SignalEvent): void => {
    switch (action) {
      case "forward":
        supervisor.signalAll(signal);
        break;
      case "stop":
        void supervisor.stop();
        reaper.signalLeftovers("SIGTERM");
        break;
      case "kill":
        supervisor.kill();
        reaper.signalLeftovers("SIGKILL");
        break;
      case "suspend":
        // Each service leads a session of its own, where the kernel drops SIGTSTP: SIGSTOP.
        supervisor.signalAll("SIGSTOP", true);
        if (Deno.pid !== 1) Deno.kill(Deno.pid, "SIGSTOP");
        break;
      case "resume":
        supervisor.signalAll("SIGCONT", true);
        break;
    }
  };
  for (const event of held) handle(event);
  return installSignalListeners().attach(handle);
}

/** How long a stop waits for the config to finish loading before nimi ends without it. */
const LOAD_GRACE_MS = 250;

/**
 * Runs a step before anything is started (reading the config, which may be a pipe that waits
 * for a writer). A first SIGINT or SIGTERM meanwhile is held for the supervisor, as any signal
 * before it exists is (so it stops what it has and reports it); if the step has not finished
 * within {@link LOAD_GRACE_MS}, nimi ends at once with 0 (nothing needed stopping). A second
 * one, or SIGQUIT, ends it with `128 + N`. Other signals are dropped: no service exists yet.
 *
 * @param step The step.
 * @returns What the step returned, and the stop requests held for the supervisor.
 */
async function stoppableWhile<T>(step: () => Promise<T>): Promise<[T, SignalEvent[]]> {
  const held: SignalEvent[] = [];
  let timer: Timer | undefined;
  const detach = installSignalListeners().attach((event) => {
    if (event.action === "kill") Deno.exit(128 + HANDLED_SIGNAL_NUMBERS[event.signal]);
    if (event.action !== "stop") return;
    held.push(event);
    timer ??= setTimer(() => Deno.exit(0), LOAD_GRACE_MS);
  });
  try {
    return [await step(), held];
  } finally {
    clearTimer(timer);
    detach();
  }
}

/**
 * Once the services are gone, stops what they left outside their groups (daemons that called
 * `setsid`): SIGTERM, then SIGKILL after at most 2 s (or the shutdown timeout if shorter). The
 * reaper reports what it signals.
 */
async function stopLeftovers(reaper: Reaper, timeout: number): Promise<void> {
  await reaper.cleanUp(Math.min(timeout, 2000));
}

/**
 * A bug in nimi (an unhandled promise rejection) must not end nimi and orphan the services:
 * it is reported, every service is stopped gracefully, and nimi then exits 1 (or the code the
 * run already had).
 *
 * @param supervisor The supervisor to stop.
 * @param io Where the report goes.
 * @returns `code` maps the run's exit code; `remove` detaches the handler.
 */
function stopOnInternalError(
  supervisor: Supervisor,
  io: Output,
): { code: (code: number) => number; remove: () => void } {
  let failed = false;
  const onUnhandled = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    failed = true;
    try {
      // An error of the environment (no file descriptors left, say) is named as one.
      const system = describeSystemError(event.reason);
      const what = system ?? `internal error: ${errorText(event.reason)}`;
      io.err(`nimi: ${what}; stopping all services\n`);
    } finally {
      void supervisor.stop();
    }
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  return {
    code: (code) => (failed && code === 0 ? 1 : code),
    remove: () => globalThis.removeEventListener("unhandledrejection", onUnhandled),
  };
}

/**
 * The run's log directory, or null when it cannot be made (read-only, a file, another user's):
 * that is said once, and the services still run with their output on the console.
 */
async function openLogDir(logsDir: string, io: Output): Promise<string | null> {
  try {
    return await createRunLogDir(logsDir);
  } catch (e) {
    io.err(`nimi: ${errorText(e)}; no log files, output goes to the console only\n`);
    return null;
  }
}

/** `nimi run web worker`: the names must exist (exit 2 otherwise). */
function subsetOrUsageError(config: NimiConfig, only: readonly string[]): void {
  try {
    withDependencies(config, only);
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
}

function useColor(): boolean {
  const noColor = Deno.env.get("NO_COLOR");
  return Deno.stdout.isTerminal() && (noColor === undefined || noColor === "");
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
