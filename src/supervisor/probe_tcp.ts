/**
 * The `tcp` probe: the service is fine when its port accepts a connection.
 *
 * @module
 */
import { errorText, type ProbeAttempt, type ProbeCheck } from "./probe_loop.ts";

/**
 * Builds a TCP probe check. The connection is closed as soon as it is made.
 *
 * @param host Host name or address.
 * @param port Port number.
 * @returns A check that passes when a connection is accepted.
 * @example
 * ```ts
 * await tcpCheck("127.0.0.1", 5432)(AbortSignal.timeout(1000));
 * ```
 */
export function tcpCheck(host: string, port: number): ProbeCheck {
  return async (signal: AbortSignal): Promise<ProbeAttempt> => {
    try {
      const conn = await Deno.connect({ hostname: host, port, signal });
      conn.close();
      return { ok: true, detail: `connected to ${host}:${port}` };
    } catch (e) {
      signal.throwIfAborted();
      return { ok: false, detail: `cannot connect to ${host}:${port}: ${errorText(e)}` };
    }
  };
}
