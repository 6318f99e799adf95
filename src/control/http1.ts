/**
 * A small HTTP/1.1 server for the control socket: one request per connection, answered with
 * `Connection: close` and a body that ends when the connection does (RFC 9112, section 6.3),
 * so NDJSON streams need no chunked framing. Requests are turned into standard `Request`
 * objects and answered by a standard `Response` handler (routes.ts).
 *
 * nimi does not use `Deno.serve` here: with 200 idle services it held 0.25 MiB more private
 * memory (medians of interleaved runs, bench/README.md "Memory") for the life of a PID 1, for a
 * socket that answers a few local clients. Limits keep a
 * client from holding nimi: a request head of at most 16 KiB that must arrive within 10 s, a
 * body of at most 1 MiB given by `Content-Length`, and at most 64 connections at once (more are
 * refused with 503).
 *
 * @module
 */
import { clearTimer, setTimer } from "../timers.ts";

/** Answers one request. */
export type Handler = (request: Request) => Response | Promise<Response>;

/** Largest request head (request line and headers). */
const MAX_HEAD = 16 * 1024;
/** Largest request body. */
const MAX_BODY = 1024 * 1024;
/** Time a client has to send its request head and body. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Connections served at once. */
const MAX_CONNECTIONS = 64;

const encoder = new TextEncoder();

/** A parsed request head. */
export interface RequestHead {
  /** The method. */
  method: string;
  /** The request target (path and query). */
  target: string;
  /** Header fields, in order. */
  headers: [string, string][];
}

/**
 * Parses a request head (without the blank line that ends it).
 *
 * @param text The head.
 * @returns The head, or a status code and reason when it is malformed.
 * @example
 * ```ts
 * parseHead("GET /v1/services HTTP/1.1\r\nHost: nimi").target; // "/v1/services"
 * parseHead("GET http://nimi/v1/services HTTP/1.1").target; // "/v1/services"
 * ```
 */
export function parseHead(text: string): RequestHead | { status: number; reason: string } {
  const lines = text.split("\r\n");
  const m = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(lines[0] ?? "");
  if (m === null) return { status: 400, reason: "malformed request line" };
  // Origin form (`/path`), or absolute form (`http://host/path`), which clients that treat the
  // socket as a proxy send (Deno's fetch does).
  const absolute = /^https?:\/\/[^/?#]*(\/[^#]*)?$/.exec(m[2]!);
  const target = m[2]!.startsWith("/") ? m[2]! : absolute === null ? null : absolute[1] ?? "/";
  if (target === null) return { status: 400, reason: "malformed request target" };
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0 || /[\s]/.test(line.slice(0, colon))) {
      return { status: 400, reason: "malformed header line" };
    }
    headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  return { method: m[1]!, target, headers };
}

/** A listening server. */
export class Http1Server {
  readonly #listener: Deno.Listener;
  readonly #handler: Handler;
  readonly #onError: (e: unknown) => Response;
  readonly #onFailure: (e: unknown) => void;
  readonly #connections = new Set<Deno.Conn>();
  readonly #accepting: Promise<void>;
  readonly #served = new Set<Promise<void>>();
  readonly #bodies = new Set<ReadableStreamDefaultReader<Uint8Array>>();

  /**
   * Serves connections from a listener until {@link shutdown}.
   *
   * @param listener A listening socket.
   * @param handler Answers each request.
   * @param onError Turns a handler's exception into a response.
   * @param onFailure Hears what went wrong with a connection or the listener (the connection
   *   is dropped, nimi goes on).
   */
  constructor(
    listener: Deno.Listener,
    handler: Handler,
    onError: (e: unknown) => Response,
    onFailure: (e: unknown) => void,
  ) {
    this.#listener = listener;
    this.#handler = handler;
    this.#onError = onError;
    this.#onFailure = onFailure;
    this.#accepting = this.#accept().catch(onFailure);
  }

  async #accept(): Promise<void> {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await this.#listener.accept();
      } catch (e) {
        // Closed by shutdown(): the normal end.
        if (e instanceof Deno.errors.BadResource || e instanceof Deno.errors.Interrupted) return;
        throw e;
      }
      if (this.#connections.size >= MAX_CONNECTIONS) {
        const busy = status(503, "too many control connections");
        write(conn, head(busy.status, busy.headers)).then(() => body(conn, busy, this.#bodies))
          .catch(
            this.#onFailure,
          ).finally(() => closeQuietly(conn));
        continue;
      }
      this.#connections.add(conn);
      const served = this.#serve(conn).catch(this.#onFailure).finally(() => {
        this.#connections.delete(conn);
        this.#served.delete(served);
        closeQuietly(conn);
      });
      this.#served.add(served);
    }
  }

  async #serve(conn: Deno.Conn): Promise<void> {
    const timer = setTimer(() => closeQuietly(conn), REQUEST_TIMEOUT_MS);
    let request: Request | Response;
    try {
      request = await readRequest(conn);
    } finally {
      clearTimer(timer);
    }
    let response: Response;
    if (request instanceof Response) {
      response = request;
    } else {
      try {
        response = await this.#handler(request);
      } catch (e) {
        response = this.#onError(e);
      }
    }
    const headOnly = request instanceof Request && request.method === "HEAD";
    if (!(await write(conn, head(response.status, response.headers)))) {
      await response.body?.cancel();
      return;
    }
    if (!headOnly) await body(conn, response, this.#bodies);
    else await response.body?.cancel();
  }

  /**
   * Stops accepting, ends every body being sent (a stream that waits for more is cancelled),
   * closes every connection, and waits until their handlers are done.
   */
  async shutdown(): Promise<void> {
    closeQuietly(this.#listener);
    await this.#accepting;
    await Promise.all([...this.#bodies].map((r) => r.cancel()));
    for (const conn of this.#connections) closeQuietly(conn);
    await Promise.all([...this.#served]);
  }
}

/** Reads one request (head and `Content-Length` body), or an error response to send. */
async function readRequest(conn: Deno.Conn): Promise<Request | Response> {
  let buffer = new Uint8Array(4096);
  let filled = 0;
  let end = -1;
  while (end === -1) {
    if (filled === buffer.length) {
      if (buffer.length >= MAX_HEAD + 4) return status(431, "request head too large");
      const bigger = new Uint8Array(Math.min(buffer.length * 2, MAX_HEAD + 4));
      bigger.set(buffer);
      buffer = bigger;
    }
    const n = await readSome(conn, buffer.subarray(filled));
    if (n === null) return status(400, "connection closed before the request was complete");
    filled += n;
    end = headEnd(buffer, filled);
  }
  const parsed = parseHead(new TextDecoder().decode(buffer.subarray(0, end)));
  if ("status" in parsed) return status(parsed.status, parsed.reason);
  const headers = new Headers();
  for (const [k, v] of parsed.headers) headers.append(k, v);
  if (headers.has("transfer-encoding")) return status(501, "chunked requests are not supported");
  const lengthText = headers.get("content-length") ?? "0";
  if (!/^\d+$/.test(lengthText)) return status(400, "malformed Content-Length");
  const length = Number(lengthText);
  if (length > MAX_BODY) return status(413, "request body too large");
  const body = new Uint8Array(length);
  const already = Math.min(filled - (end + 4), length);
  body.set(buffer.subarray(end + 4, end + 4 + already));
  let got = already;
  while (got < length) {
    const n = await readSome(conn, body.subarray(got));
    if (n === null) return status(400, "connection closed before the request body was complete");
    got += n;
  }
  const method = parsed.method;
  return new Request(`http://localhost${parsed.target}`, {
    method,
    headers,
    ...(method === "GET" || method === "HEAD" ? {} : { body }),
  });
}

/** Index of the blank line ending the head, or -1. */
function headEnd(buffer: Uint8Array, filled: number): number {
  for (let i = 0; i + 3 < filled; i++) {
    if (buffer[i] === 13 && buffer[i + 1] === 10 && buffer[i + 2] === 13 && buffer[i + 3] === 10) {
      return i;
    }
  }
  return -1;
}

/** One read; null at end of stream or when the connection was closed under it. */
async function readSome(conn: Deno.Conn, into: Uint8Array): Promise<number | null> {
  try {
    return await conn.read(into);
  } catch (e) {
    if (isGone(e)) return null;
    throw e;
  }
}

function head(code: number, headers: Headers): Uint8Array {
  let text = `HTTP/1.1 ${code} ${REASONS[code] ?? "Status"}\r\n`;
  for (const [k, v] of headers) {
    if (k === "connection" || k === "content-length" || k === "transfer-encoding") continue;
    text += `${k}: ${v}\r\n`;
  }
  return encoder.encode(`${text}connection: close\r\n\r\n`);
}

/** Writes a response's body until it ends or the client goes away; `open` lists it meanwhile. */
async function body(
  conn: Deno.Conn,
  response: Response,
  open: Set<ReadableStreamDefaultReader<Uint8Array>>,
): Promise<void> {
  if (response.body === null) return;
  const reader = response.body.getReader();
  open.add(reader);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      if (!(await write(conn, value))) {
        await reader.cancel();
        return;
      }
    }
  } finally {
    open.delete(reader);
    reader.releaseLock();
  }
}

/** Writes all bytes; false when the client went away. */
async function write(conn: Deno.Conn, bytes: Uint8Array): Promise<boolean> {
  let off = 0;
  try {
    while (off < bytes.length) off += await conn.write(bytes.subarray(off));
    return true;
  } catch (e) {
    if (isGone(e)) return false;
    throw e;
  }
}

/** An error that means the client went away (or shutdown closed its connection). */
function isGone(e: unknown): boolean {
  return e instanceof Deno.errors.BrokenPipe || e instanceof Deno.errors.ConnectionReset ||
    e instanceof Deno.errors.ConnectionAborted || e instanceof Deno.errors.BadResource ||
    e instanceof Deno.errors.Interrupted || e instanceof Deno.errors.NotConnected ||
    e instanceof Deno.errors.UnexpectedEof || e instanceof Deno.errors.TimedOut;
}

function closeQuietly(closer: { close(): void }): void {
  try {
    closer.close();
  } catch (e) {
    // Already closed (by the client's end or by shutdown): nothing left to release.
    if (!(e instanceof Deno.errors.BadResource)) throw e;
  }
}

function status(code: number, reason: string): Response {
  return new Response(`${JSON.stringify({ error: reason })}\n`, {
    status: code,
    headers: { "content-type": "application/json" },
  });
}

const REASONS: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  422: "Unprocessable Content",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
};
