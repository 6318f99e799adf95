/**
 * Helpers for the control tests: a real `nimi run` with its socket in a temp dir, the API
 * called straight over the socket (fast), and the real CLI clients (what users run).
 *
 * @module
 */
import type { UnitState } from "../../src/supervisor/unit_state.ts";
import { runCli } from "../helpers/cli.ts";
import { type NimiProcess, startNimi } from "./run_helpers.ts";

/** A running nimi and its socket. */
export interface Controlled {
  /** The nimi process. */
  nimi: NimiProcess;
  /** Its control socket. */
  socket: string;
  /**
   * Calls the API.
   *
   * @param method GET or POST.
   * @param route `/v1/...`.
   * @param body A JSON body.
   * @returns Status and parsed body.
   */
  // deno-lint-ignore no-explicit-any
  api(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Every state, by name. */
  states(): Promise<Record<string, UnitState>>;
  /** Waits until a service's state matches (fails after 20 s). */
  until(name: string, match: (s: UnitState) => boolean): Promise<UnitState>;
  /** Runs the real CLI with `--socket`. */
  cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Stops nimi and waits for it. */
  stop(): Promise<{ code: number; stdout: string; stderr: string }>;
}

/**
 * Starts `nimi run --socket <tmp>/nimi.sock` on a config.
 *
 * @param config The config object.
 * @param args More arguments after `run`.
 * @returns The handle.
 */
export async function startControlled(config: unknown, args: string[] = []): Promise<Controlled> {
  const sockDir = await Deno.makeTempDir({ prefix: "nimi-control-" });
  const socket = `${sockDir}/nimi.sock`;
  const nimi = await startNimi(config, { args: ["--socket", socket, ...args] });
  const client = Deno.createHttpClient({ proxy: { transport: "unix", path: socket } });
  const api = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`http://nimi${route}`, {
      method,
      client,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text.trim() === "" ? null : JSON.parse(text) };
  };
  const deadline = Date.now() + 20_000;
  while (true) {
    try {
      if ((await Deno.stat(socket)).isSocket) break;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    if (Date.now() > deadline) throw new Error(`no socket after 20 s:\n${nimi.stdout()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const states = async () => {
    const { body } = await api("GET", "/v1/services");
    return Object.fromEntries((body.services as UnitState[]).map((s) => [s.name, s]));
  };
  return {
    nimi,
    socket,
    api,
    states,
    async until(name, match) {
      const end = Date.now() + 20_000;
      while (true) {
        const s = (await states())[name];
        if (s !== undefined && match(s)) return s;
        if (Date.now() > end) throw new Error(`${name} never matched: ${JSON.stringify(s)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    cli: (...a) => runCli([...a, "--socket", socket]),
    async stop() {
      nimi.kill("SIGTERM");
      const done = await nimi.done();
      client.close();
      await Deno.remove(sockDir, { recursive: true });
      return done;
    },
  };
}

/** A service running a shell script. */
export function sh(script: string, nimi: Record<string, unknown> = {}): Record<string, unknown> {
  return { process: { argv: ["/bin/sh", "-c", script] }, nimi };
}
