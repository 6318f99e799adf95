/**
 * `nimi run`'s control socket: the log ring fed by the sink, the server opened once the
 * supervisor exists, and reload (re-read the config, refuse an invalid one). A socket that
 * cannot be opened (another nimi with the same name, a directory that is not private) is said
 * once; the services run anyway.
 *
 * @module
 */
import { ConfigError, formatDiagnostic, loadConfig } from "../config/mod.ts";
import { LogRings } from "../control/log_ring.ts";
import { ReloadRefused } from "../control/routes.ts";
import { ControlServer, ControlUnavailable } from "../control/server.ts";
import { instanceNameProblem, socketPath } from "../control/socket_path.ts";
import type { LogSink } from "../logs/mod.ts";
import { resolveIdentities, type Supervisor } from "../supervisor/mod.ts";
import type { CliArgs } from "./args.ts";
import { UsageError } from "./usage_error.ts";

/** The control socket of one run. */
export interface RunControl {
  /** Gives the log ring each chunk of output (the sink's `tap`). */
  tap: (service: string, stream: "stdout" | "stderr", chunk: Uint8Array) => void;
  /**
   * Opens the socket.
   *
   * @param supervisor The run's supervisor.
   * @param sink Where to say that control is off, if it is.
   */
  listen(supervisor: Supervisor, sink: LogSink): Promise<void>;
  /** Closes the socket and removes it. */
  close(): Promise<void>;
}

/**
 * Prepares the control socket of a run.
 *
 * @param args The command line (`--socket`, `--name`, `--strict`).
 * @param file The config file nimi runs (what a reload re-reads).
 * @returns The control.
 * @throws {UsageError} For a bad `--name`.
 */
export function openControl(args: CliArgs, file: string): RunControl {
  if (args.name !== null) {
    const problem = instanceNameProblem(args.name);
    if (problem !== null) throw new UsageError(problem);
  }
  const path = socketPath(args.socket, args.name);
  const rings = new LogRings();
  let server: ControlServer | null = null;
  return {
    tap: (service, stream, chunk) => rings.push(service, stream, chunk),
    async listen(supervisor, sink) {
      try {
        server = await ControlServer.open({
          path,
          defaultDir: args.socket === null,
          onFailure: (e) =>
            sink.message(
              null,
              `control connection failed: ${e instanceof Error ? e.message : String(e)}`,
              "warning",
            ),
          context: {
            supervisor,
            rings,
            reload: async (other) => {
              const target = other ?? file;
              let config;
              let identities;
              try {
                config = await loadConfig(target, { strict: args.strict });
                identities = await resolveIdentities(config);
              } catch (e) {
                if (!(e instanceof ConfigError)) throw e;
                const lines = e.diagnostics.filter((d) => d.severity === "error")
                  .map((d) => formatDiagnostic(e.file, d));
                throw new ReloadRefused(`${target}: invalid config, nothing changed`, lines);
              }
              try {
                return await supervisor.reload(config, identities);
              } catch (e) {
                if (e instanceof RangeError) {
                  throw new ReloadRefused(`${target}: nothing changed`, [e.message]);
                }
                throw e;
              }
            },
          },
        });
      } catch (e) {
        if (!(e instanceof ControlUnavailable)) throw e;
        sink.message(null, `control is off for this run: ${e.message}`, "warning");
      }
    },
    async close() {
      await server?.close();
    },
  };
}
