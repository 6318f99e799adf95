/**
 * The control API's routes (docs/control.md): HTTP/1.1 with JSON over the control socket.
 * {@link handleControl} maps one request to the supervisor and the log rings; streams
 * (`/v1/events`, `/v1/logs?follow=1`) are NDJSON and end when nimi closes the socket.
 *
 * @module
 */
import { isSignal, normalizeSignal } from "../config/signals.ts";
import { ControlError, type Supervisor } from "../supervisor/supervisor.ts";
import type { LogLine, LogRings } from "./log_ring.ts";

/** What a reload answers with. */
export interface ReloadAnswer {
  /** Services started. */
  added: string[];
  /** Services stopped. */
  removed: string[];
  /** Services restarted. */
  changed: string[];
  /** Services left alone. */
  unchanged: string[];
}

/** A reload whose new config is invalid: nothing changed. */
export class ReloadRefused extends Error {
  /** One line per problem (`file: path: message`). */
  readonly errors: readonly string[];

  /**
   * Creates the error.
   *
   * @param message The summary.
   * @param errors One line per problem.
   */
  constructor(message: string, errors: readonly string[]) {
    super(message);
    this.name = "ReloadRefused";
    this.errors = errors;
  }
}

/** What the routes act on. */
export interface ControlContext {
  /** The running supervisor. */
  supervisor: Supervisor;
  /** The services' recent output. */
  rings: LogRings;
  /**
   * Reloads the config.
   *
   * @param config Another file to read, or null for the one nimi runs.
   * @returns What changed.
   * @throws {ReloadRefused} When the new config is invalid.
   */
  reload(config: string | null): Promise<ReloadAnswer>;
  /** Registers an open stream, so closing the server ends it. */
  track(stream: { close(): void }): () => void;
}

/** Lines `GET /v1/logs` gives when `n` is not set. */
export const DEFAULT_LOG_LINES = 100;

const encoder = new TextEncoder();

/**
 * Answers one control request.
 *
 * @param req The request.
 * @param ctx The supervisor and friends.
 * @returns The response (JSON, NDJSON, or `{ "error" }` with 400/404/405/409/500).
 */
export async function handleControl(req: Request, ctx: ControlContext): Promise<Response> {
  const url = new URL(req.url);
  const parts = url.pathname.split("/").filter((p) => p !== "").map(decodeURIComponent);
  try {
    if (parts[0] !== "v1") return error(404, `no route ${url.pathname}; routes start with /v1`);
    const [, what, name, action] = parts;
    if (what === "services" && name === undefined) {
      if (req.method !== "GET") return notAllowed(req, "GET");
      return json(200, { services: ctx.supervisor.states() });
    }
    if (what === "services" && name !== undefined && action === undefined) {
      if (req.method !== "GET") return notAllowed(req, "GET");
      return json(200, ctx.supervisor.state(name));
    }
    if (what === "services" && name !== undefined && parts.length === 4) {
      if (req.method !== "POST") return notAllowed(req, "POST");
      switch (action) {
        case "start":
          return json(200, await ctx.supervisor.startService(name));
        case "stop":
          return json(200, await ctx.supervisor.stopService(name));
        case "restart":
          return json(200, await ctx.supervisor.restartService(name));
        case "signal": {
          const body = await readBody(req);
          const given = body?.signal;
          if (typeof given !== "string" || !isSignal(normalizeSignal(given))) {
            return error(
              400,
              `body must be {"signal": NAME} with a signal such as "HUP" or ` +
                `"SIGUSR1", got ${JSON.stringify(given ?? null)}`,
            );
          }
          const signal = normalizeSignal(given);
          if (!isSignal(signal)) return error(400, `unknown signal ${JSON.stringify(given)}`);
          return json(200, ctx.supervisor.signalService(name, signal));
        }
      }
      return error(404, `no action ${JSON.stringify(action)}; use start, stop, restart, signal`);
    }
    if (what === "logs" && parts.length === 2) {
      if (req.method !== "GET") return notAllowed(req, "GET");
      return logs(url, ctx);
    }
    if (what === "events" && parts.length === 2) {
      if (req.method !== "GET") return notAllowed(req, "GET");
      return events(ctx);
    }
    if (what === "reload" && parts.length === 2) {
      if (req.method !== "POST") return notAllowed(req, "POST");
      const body = await readBody(req);
      const config = body?.config;
      if (config !== undefined && config !== null && typeof config !== "string") {
        return error(400, `"config" must be a file path, got ${JSON.stringify(config)}`);
      }
      try {
        return json(200, await ctx.reload(config ?? null));
      } catch (e) {
        if (e instanceof ReloadRefused) {
          return json(400, { error: e.message, errors: e.errors });
        }
        throw e;
      }
    }
    return error(404, `no route ${req.method} ${url.pathname} (see docs/control.md)`);
  } catch (e) {
    if (e instanceof ControlError) return error(e.kind === "unknown" ? 404 : 409, e.message);
    if (e instanceof BadRequest) return error(400, e.message);
    return error(500, e instanceof Error ? e.message : String(e));
  }
}

class BadRequest extends Error {}

async function readBody(req: Request): Promise<Record<string, unknown> | null> {
  const text = await req.text();
  if (text.trim() === "") return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new BadRequest(`body is not JSON: ${e instanceof Error ? e.message : e}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new BadRequest("body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

function logs(url: URL, ctx: ControlContext): Response {
  const services = url.searchParams.getAll("service");
  for (const s of services) ctx.supervisor.state(s); // 404 for an unknown name
  const nText = url.searchParams.get("n");
  const n = nText === null ? DEFAULT_LOG_LINES : Number(nText);
  if (!Number.isInteger(n) || n < 0) {
    return error(400, `n must be a whole number of lines, got ${JSON.stringify(nText)}`);
  }
  const names = services.length === 0 ? null : services;
  const follow = ["1", "true", "yes"].includes(url.searchParams.get("follow") ?? "");
  const past = ctx.rings.tail(names, n);
  if (!follow) return ndjson(past.map(ndjsonLine).join(""));
  return stream(ctx, (send) => {
    for (const line of past) send(line);
    return ctx.rings.follow(names, send);
  });
}

function events(ctx: ControlContext): Response {
  return stream(ctx, (send) => {
    send({ type: "snapshot", services: ctx.supervisor.states() });
    return ctx.supervisor.subscribe((state) => send({ type: "state", service: state }));
  });
}

/** How many unread bytes a stream may hold for a client before nimi cuts it off. */
export const STREAM_BACKLOG_BYTES = 4 * 1024 * 1024;

/** The last line a client that fell behind gets. */
export const FELL_BEHIND = `the client fell behind: more than ${
  STREAM_BACKLOG_BYTES / 1048576
} MiB unread; reconnect`;

/**
 * An NDJSON stream fed by a subscription; it ends when the client goes away, nimi closes the
 * socket, or the client leaves more than {@link STREAM_BACKLOG_BYTES} unread.
 */
function stream(
  ctx: ControlContext,
  subscribe: (send: (value: unknown) => void) => () => void,
): Response {
  let open = true;
  let off = () => {};
  let untrack = () => {};
  const end = () => {
    if (!open) return;
    open = false;
    off();
    untrack();
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (v: unknown) => {
        if (!open) return;
        // A client that stops reading must not make nimi (often PID 1) hold its backlog
        // without end: past the cap it is told so and cut off.
        if ((controller.desiredSize ?? 0) < -STREAM_BACKLOG_BYTES) {
          const text = `${JSON.stringify({ error: FELL_BEHIND })}\n`;
          end();
          controller.enqueue(encoder.encode(text));
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(`${JSON.stringify(v)}\n`));
      };
      off = subscribe(send);
      untrack = ctx.track({
        close: () => {
          if (!open) return;
          end();
          controller.close();
        },
      });
    },
    cancel: end,
  }, new ByteLengthQueuingStrategy({ highWaterMark: 64 * 1024 }));
  return new Response(body, { headers: { "content-type": "application/x-ndjson" } });
}

function ndjsonLine(line: LogLine): string {
  return `${JSON.stringify(line)}\n`;
}

function ndjson(text: string): Response {
  return new Response(text, { headers: { "content-type": "application/x-ndjson" } });
}

function json(status: number, value: unknown): Response {
  return new Response(`${JSON.stringify(value)}\n`, {
    status,
    headers: { "content-type": "application/json" },
  });
}

function error(status: number, message: string): Response {
  return json(status, { error: message });
}

function notAllowed(req: Request, allowed: string): Response {
  return new Response(
    `${JSON.stringify({ error: `${req.method} is not allowed here; use ${allowed}` })}\n`,
    { status: 405, headers: { "content-type": "application/json", allow: allowed } },
  );
}
