/**
 * `nimi tui`: the terminal UI attached to a running nimi through its control socket
 * (docs/tui.md). Leaving it leaves the services running.
 *
 * @module
 */
import { basename } from "node:path";
import { instanceNameProblem, socketPath } from "../control/socket_path.ts";
import { installSignalListeners } from "../pid1/mod.ts";
import { HANDLED_SIGNAL_NUMBERS, type HandledSignal } from "../pid1/signal_table.ts";
import { runTui } from "../tui/app.ts";
import { socketClient } from "../tui/client.ts";
import { onWindowChange, processTerminal, terminalProblem } from "../tui/terminal.ts";
import type { CliArgs } from "./args.ts";
import type { Output } from "./output.ts";
import { UsageError } from "./usage_error.ts";

/**
 * Whether the UI may use colour: a terminal and no `NO_COLOR`.
 *
 * @returns True for colour.
 */
export function tuiColor(): boolean {
  const noColor = Deno.env.get("NO_COLOR");
  return noColor === undefined || noColor === "";
}

/**
 * Checks that a control socket is there to attach to.
 *
 * @param path The socket.
 * @returns An error message, or null when it is a socket.
 */
async function socketProblem(path: string): Promise<string | null> {
  try {
    const info = await Deno.stat(path);
    return info.isSocket ? null : `"${path}" is not a control socket`;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      return `no nimi is running here: no control socket at "${path}" ` +
        `(start one with "nimi --config FILE run", or give --name or --socket)`;
    }
    if (e instanceof Deno.errors.PermissionDenied) {
      return `cannot reach "${path}": permission denied`;
    }
    throw e;
  }
}

/**
 * Attaches the terminal UI to the nimi named by `--name` or `--socket`.
 *
 * @param args Parsed command line.
 * @param io Where errors go.
 * @returns 0 after `q`, 1 when the nimi went away, 128+N after a signal.
 */
export async function tuiCommand(args: CliArgs, io: Output): Promise<number> {
  if (args.name !== null) {
    const problem = instanceNameProblem(args.name);
    if (problem !== null) throw new UsageError(problem);
  }
  const terminal = terminalProblem();
  if (terminal !== null) throw new UsageError(`"nimi tui" needs a terminal: ${terminal}`);
  const path = socketPath(args.socket, args.name);
  const problem = await socketProblem(path);
  if (problem !== null) {
    io.err(`nimi: ${problem}\n`);
    return 1;
  }
  const abort = new AbortController();
  let signalled: HandledSignal | null = null;
  const detach = installSignalListeners().attach(({ signal, action }) => {
    if (action !== "stop" && action !== "kill") return;
    signalled ??= signal;
    abort.abort();
  });
  try {
    const end = await runTui({
      client: socketClient(path),
      terminal: processTerminal(),
      title: args.name ?? basename(path, ".sock"),
      color: tuiColor(),
      signal: abort.signal,
      onResize: onWindowChange,
    });
    if (end === "disconnected") {
      io.err(`nimi: the nimi at "${path}" went away\n`);
      return 1;
    }
    return signalled === null ? 0 : 128 + HANDLED_SIGNAL_NUMBERS[signalled];
  } finally {
    detach();
  }
}
