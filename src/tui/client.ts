/**
 * The terminal UI's view of a running nimi: its control API over the Unix socket
 * (docs/control.md), as a small interface so the app can be driven by a fake in tests.
 *
 * @module
 */
import type { ControlEvent, LogLine, ServiceState } from "./types.ts";

/** What the terminal UI needs from a running nimi. */
export interface TuiClient {
  /**
   * The state stream: a snapshot, then every change.
   *
   * @param signal Ends the stream.
   */
  events(signal: AbortSignal): AsyncIterable<ControlEvent>;
  /**
   * The last lines of every service, then each new line.
   *
   * @param lines How many past lines.
   * @param signal Ends the stream.
   */
  logs(lines: number, signal: AbortSignal): AsyncIterable<LogLine>;
  /**
   * Starts, stops or restarts a service.
   *
   * @param verb What to do.
   * @param service The service.
   * @returns Its state afterwards.
   */
  act(verb: "start" | "stop" | "restart", service: string): Promise<ServiceState>;
  /**
   * Sends a signal to a service's process group.
   *
   * @param service The service.
   * @param signal A signal name (`HUP`, `SIGUSR1`).
   * @returns Its state afterwards.
   */
  signal(service: string, signal: string): Promise<ServiceState>;
}

/** An answer of the control API that is not a success. */
export class ControlApiError extends Error {
  /**
   * @param message The API's error text.
   * @param status The HTTP status.
   * @param options Standard error options (cause).
   */
  constructor(message: string, readonly status: number, options?: ErrorOptions) {
    super(message, options);
    this.name = "ControlApiError";
  }
}

/**
 * Splits a byte stream into lines and parses each as JSON.
 *
 * @param body The response body.
 * @returns The parsed lines.
 */
export async function* ndjson<T>(body: ReadableStream<Uint8Array>): AsyncIterable<T> {
  const decoder = new TextDecoder();
  let rest = "";
  for await (const chunk of body) {
    rest += decoder.decode(chunk, { stream: true });
    let nl = rest.indexOf("\n");
    while (nl >= 0) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      if (line.trim() !== "") yield JSON.parse(line) as T;
      nl = rest.indexOf("\n");
    }
  }
  if (rest.trim() !== "") yield JSON.parse(rest) as T;
}

async function answer<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new ControlApiError(
      `unreadable answer (${response.status}): ${text.slice(0, 200)}`,
      response.status,
      { cause: e },
    );
  }
  if (!response.ok) {
    const message = (body as { error?: unknown }).error;
    throw new ControlApiError(String(message ?? `HTTP ${response.status}`), response.status);
  }
  return body as T;
}

/**
 * A client of the control socket at `path`.
 *
 * @param path The Unix socket.
 * @returns The client.
 * @example
 * ```ts
 * const client = socketClient("/run/nimi/default.sock");
 * await client.act("restart", "web");
 * ```
 */
export function socketClient(path: string): TuiClient {
  const http = Deno.createHttpClient({ proxy: { transport: "unix", path } });
  const url = (route: string) => `http://nimi/v1${route}`;
  const stream = async function* <T>(route: string, signal: AbortSignal): AsyncIterable<T> {
    const response = await fetch(url(route), { client: http, signal });
    if (!response.ok || response.body === null) await answer(response);
    for await (const value of ndjson<T | { error: string }>(response.body!)) {
      // nimi ends a stream it had to cut off (a reader that fell behind) with an error line.
      if (typeof value === "object" && value !== null && "error" in value) {
        throw new ControlApiError(String(value.error), response.status);
      }
      yield value as T;
    }
  };
  const post = async (route: string, body?: unknown) =>
    await answer<ServiceState>(
      await fetch(url(route), {
        client: http,
        method: "POST",
        headers: { "content-type": "application/json" },
        body: body === undefined ? "{}" : JSON.stringify(body),
      }),
    );
  const name = encodeURIComponent;
  return {
    events: (signal) => stream<ControlEvent>("/events", signal),
    logs: (lines, signal) => stream<LogLine>(`/logs?n=${lines}&follow=1`, signal),
    act: (verb, service) => post(`/services/${name(service)}/${verb}`),
    signal: (service, signal) => post(`/services/${name(service)}/signal`, { signal }),
  };
}
