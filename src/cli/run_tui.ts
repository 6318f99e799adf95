/**
 * `nimi run --tui`: the terminal UI of this very run, attached to its own control socket. The
 * console output waits in a {@link DeferredWriter} while the UI owns the screen; leaving the UI
 * stops the services the way Ctrl-C does, and the run ends as usual.
 *
 * @module
 */
import { basename } from "node:path";
import { runTui } from "../tui/app.ts";
import { socketClient } from "../tui/client.ts";
import { DeferredWriter } from "../tui/deferred_writer.ts";
import { onWindowChange, processTerminal, terminalProblem } from "../tui/terminal.ts";
import type { CliArgs } from "./args.ts";
import { tuiColor } from "./tui_cmd.ts";
import { UsageError } from "./usage_error.ts";

/** The newest console bytes kept while the UI runs (all of it is in the log files). */
export const HELD_CONSOLE_BYTES = 256 * 1024;

/** The UI of one run. */
export interface RunTui {
  /** Where the run's console output goes meanwhile. */
  readonly console: DeferredWriter;
  /**
   * Shows the UI on the run's control socket; when the user leaves it, `stop` is called.
   *
   * @param socket The run's control socket.
   * @param stop Stops every service, as the first SIGINT does.
   */
  show(socket: string, stop: () => void): void;
  /** Ends the UI (the run is over) and gives the terminal and the console back. */
  close(): Promise<void>;
}

/**
 * Checks that `run --tui` can work and prepares it.
 *
 * @param args The command line.
 * @returns The UI, not shown yet.
 * @throws {UsageError} Without a terminal, or with `--no-control`.
 */
export function prepareRunTui(args: CliArgs): RunTui {
  if (args.noControl) {
    throw new UsageError(`--tui shows the run through its control socket: drop --no-control`);
  }
  const problem = terminalProblem();
  if (problem !== null) throw new UsageError(`"nimi run --tui" needs a terminal: ${problem}`);
  const console = new DeferredWriter(HELD_CONSOLE_BYTES);
  const abort = new AbortController();
  let ended: Promise<void> = Promise.resolve();
  return {
    console,
    show(socket, stop) {
      ended = runTui({
        client: socketClient(socket),
        terminal: processTerminal(),
        title: args.name ?? basename(socket, ".sock"),
        color: tuiColor(),
        signal: abort.signal,
        onResize: onWindowChange,
      }).then(async (end) => {
        await console.release(Deno.stdout);
        if (end !== "aborted") stop();
      });
    },
    async close() {
      abort.abort();
      await ended;
      await console.release(Deno.stdout);
    },
  };
}
