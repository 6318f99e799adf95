/**
 * The control clients: `nimi status`, `start`, `stop`, `restart`, `signal`, `logs` and
 * `reload` talk to a running nimi over its control socket (docs/control.md), found by `--name`
 * or `--socket` the way `nimi run` chose it.
 *
 * @module
 */
import { resolve } from "node:path";
import { isSignal, normalizeSignal } from "../config/signals.ts";
import { instanceNameProblem, socketPath } from "../control/socket_path.ts";
import type { UnitState } from "../supervisor/unit_state.ts";
import type { CliArgs } from "./args.ts";
import type { Output } from "./output.ts";
import { UsageError } from "./usage_error.ts";

/** The running nimi could not be reached, or refused a request. */
class ControlClientError extends Error {
  /** Exit code: 1, or 2 for a refused (invalid) reload. */
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = "ControlClientError";
    this.exitCode = exitCode;
  }
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** A connection to the control socket. */
class Control {
  readonly path: string;
  readonly #client: Deno.HttpClient;

  constructor(args: CliArgs) {
    if (args.name !== null) {
      const problem = instanceNameProblem(args.name);
      if (problem !== null) throw new UsageError(problem);
    }
    this.path = socketPath(args.socket, args.name);
    this.#client = Deno.createHttpClient({ proxy: { transport: "unix", path: this.path } });
  }

  async request(method: "GET" | "POST", route: string, body?: unknown): Promise<Response> {
    await this.#reachable();
    try {
      return await fetch(`http://nimi${route}`, {
        method,
        client: this.#client,
        ...(body === undefined ? {} : {
          body: JSON.stringify(body),
          headers: { "content-type": "application/json" },
        }),
      });
    } catch (e) {
      throw new ControlClientError(
        `cannot reach nimi at "${this.path}": ${
          e instanceof Error ? e.message : e
        }; is it running?`,
      );
    }
  }

  async json(method: "GET" | "POST", route: string, body?: unknown): Promise<Reply> {
    const res = await this.request(method, route, body);
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) };
    } catch {
      throw new ControlClientError(`nimi answered ${res.status} with something not JSON: ${text}`);
    }
  }

  close(): void {
    this.#client.close();
  }

  async #reachable(): Promise<void> {
    try {
      const info = await Deno.stat(this.path);
      if (!info.isSocket) throw new ControlClientError(`"${this.path}" is not a control socket`);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new ControlClientError(
          `no nimi is running here: no control socket at "${this.path}" ` +
            `(start one with "nimi --config FILE run", or give --name or --socket)`,
        );
      }
      if (e instanceof Deno.errors.PermissionDenied) {
        throw new ControlClientError(`cannot reach "${this.path}": permission denied`);
      }
      throw e;
    }
  }
}

/** Runs a client command, turning its errors into nimi's one-line messages. */
async function withControl(
  args: CliArgs,
  io: Output,
  run: (c: Control) => Promise<number>,
): Promise<number> {
  const control = new Control(args);
  try {
    return await run(control);
  } catch (e) {
    if (e instanceof ControlClientError) {
      io.err(`nimi: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  } finally {
    control.close();
  }
}

/**
 * `nimi status [--json]`: every service's state, as a table or as the API's JSON.
 *
 * @param args Parsed command line.
 * @param io Where to write.
 * @returns 0, or 1 when nimi cannot be reached.
 */
export function statusCommand(args: CliArgs, io: Output): Promise<number> {
  return withControl(args, io, async (c) => {
    const reply = await c.json("GET", "/v1/services");
    if (reply.status !== 200) throw new ControlClientError(String(reply.body.error));
    if (args.json) {
      io.out(`${JSON.stringify(reply.body)}\n`);
      return 0;
    }
    io.out(statusTable(reply.body.services as UnitState[], Date.now()));
    return 0;
  });
}

/**
 * The status table a person reads at a glance.
 *
 * @param states Every service's state.
 * @param now The current time (epoch ms).
 * @returns The table, one line per service.
 * @example
 * ```ts
 * statusTable([state], Date.now()); // "NAME  PHASE  PID ...\nweb   ready  1234 ...\n"
 * ```
 */
export function statusTable(states: readonly UnitState[], now: number): string {
  const rows = [["NAME", "PHASE", "PID", "RESTARTS", "LAST EXIT", "SINCE", "READY", "HEALTHY"]];
  for (const s of states) {
    const phase = s.phase === "restarting" && s.restartInMs !== null
      ? `restarting in ${seconds(Date.parse(s.since) + s.restartInMs - now)}`
      : s.phase === "stopped" && s.stopRequested
      ? "stopped (by request)"
      : s.phase;
    rows.push([
      s.name,
      phase,
      s.pid === null ? "-" : String(s.pid),
      String(s.restarts),
      s.lastExit === null ? "-" : s.lastExit.signal ?? `code ${s.lastExit.code}`,
      duration(now - Date.parse(s.since)),
      yesNo(s.ready),
      yesNo(s.healthy),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd())
    .join("\n") + "\n";
}

function yesNo(v: boolean | null): string {
  return v === null ? "-" : v ? "yes" : "no";
}

function seconds(ms: number): string {
  return `${Math.max(0, Math.ceil(ms / 1000))}s`;
}

/** `3s`, `4m05s`, `2h03m`. */
function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

function describe(s: UnitState): string {
  const pid = s.pid === null ? "" : ` (pid ${s.pid})`;
  return `${s.name}: ${s.phase}${pid}`;
}

/** Posts one action per service, in order; reports each and fails if any failed. */
function actOnEach(
  args: CliArgs,
  io: Output,
  names: readonly string[],
  action: string,
  body?: unknown,
): Promise<number> {
  return withControl(args, io, async (c) => {
    let code = 0;
    for (const name of names) {
      const reply = await c.json(
        "POST",
        `/v1/services/${encodeURIComponent(name)}/${action}`,
        body,
      );
      if (reply.status === 200) io.out(`${describe(reply.body as unknown as UnitState)}\n`);
      else {
        io.err(`nimi: ${action} ${name}: ${reply.body.error}\n`);
        code = 1;
      }
    }
    return code;
  });
}

/**
 * `nimi start SERVICE...`.
 *
 * @param args Parsed command line.
 * @param io Where to write.
 * @returns 0 when every service was started.
 */
export function startCommand(args: CliArgs, io: Output): Promise<number> {
  return actOnEach(args, io, args.args, "start");
}

/**
 * `nimi stop SERVICE...`: they stay stopped until `nimi start`.
 *
 * @param args Parsed command line.
 * @param io Where to write.
 * @returns 0 when every service was stopped.
 */
export function stopCommand(args: CliArgs, io: Output): Promise<number> {
  return actOnEach(args, io, args.args, "stop");
}

/**
 * `nimi restart SERVICE...`.
 *
 * @param args Parsed command line.
 * @param io Where to write.
 * @returns 0 when every service was restarted.
 */
export function restartCommand(args: CliArgs, io: Output): Promise<number> {
  return actOnEach(args, io, args.args, "restart");
}

/**
 * `nimi signal SIGNAL SERVICE...`.
 *
 * @param args Parsed command line.
 * @param io Where to write.
 * @returns 0 when every service got the signal.
 * @throws {UsageError} For an unknown signal name.
 */
export function signalCommand(args: CliArgs, io: Output): Promise<number> {
  const [given, ...names] = args.args;
  const signal = normalizeSignal(given ?? "");
  if (!isSignal(signal)) {
    throw new UsageError(
      `unknown signal ${JSON.stringify(given)}; give a name such as HUP or SIGUSR1`,
    );
  }
  return actOnEach(args, io, names, "signal", { signal });
}

/**
 * `nimi logs [-f] [-n N] [SERVICE...]`: the last lines, then (with -f) new ones as they come.
 *
 * @param args Parsed command line.
 * @param io Where to write.
 * @returns 0, or 1 when nimi cannot be reached or a service is unknown.
 * @throws {UsageError} When -n is not a whole number.
 */
export function logsCommand(args: CliArgs, io: Output): Promise<number> {
  const n = args.lines ?? "100";
  if (!/^\d+$/.test(n)) throw new UsageError(`-n must be a whole number of lines, got "${n}"`);
  const query = new URLSearchParams();
  for (const s of args.args) query.append("service", s);
  query.set("n", n);
  if (args.follow) query.set("follow", "1");
  return withControl(args, io, async (c) => {
    const res = await c.request("GET", `/v1/logs?${query}`);
    if (res.status !== 200) {
      const body = await res.json() as { error?: string };
      throw new ControlClientError(body.error ?? `nimi answered ${res.status}`);
    }
    const known = await c.json("GET", "/v1/services");
    const names = (known.body.services as UnitState[] | undefined ?? []).map((s) => s.name);
    const width = Math.max(4, ...names.map((s) => s.length));
    const decoder = new TextDecoderStream();
    let pending = "";
    for await (const text of res.body!.pipeThrough(decoder)) {
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop()!;
      const out = lines.filter((l) => l !== "").map((l) => {
        const entry = JSON.parse(l) as {
          service: string;
          stream: string;
          line: string;
          error?: string;
        };
        // nimi ends a stream it had to cut off (a reader that fell behind) with an error line.
        if (entry.error !== undefined) throw new ControlClientError(entry.error);
        // As nimi run prints them: `|` before stdout lines, `!` before stderr lines.
        const mark = entry.stream === "stderr" ? "!" : "|";
        return `${entry.service.padEnd(width)} ${mark} ${entry.line}\n`;
      });
      if (out.length > 0) io.out(out.join(""));
    }
    return 0;
  });
}

/**
 * `nimi reload [--config FILE]`: applies a changed config and prints what changed.
 *
 * @param args Parsed command line.
 * @param io Where to write.
 * @returns 0 when applied, 2 when the new config is invalid (nothing changed), 1 otherwise.
 */
export function reloadCommand(args: CliArgs, io: Output): Promise<number> {
  const body = args.config === null ? {} : { config: resolve(args.config) };
  return withControl(args, io, async (c) => {
    const reply = await c.json("POST", "/v1/reload", body);
    if (reply.status === 400 && Array.isArray(reply.body.errors)) {
      for (const line of reply.body.errors) io.err(`nimi: ${line}\n`);
      throw new ControlClientError(`${reply.body.error}`, 2);
    }
    if (reply.status !== 200) throw new ControlClientError(String(reply.body.error));
    for (const key of ["added", "removed", "changed", "unchanged"]) {
      const names = reply.body[key] as string[];
      io.out(`${key.padEnd(9)} ${names.length === 0 ? "-" : names.join(" ")}\n`);
    }
    return 0;
  });
}
