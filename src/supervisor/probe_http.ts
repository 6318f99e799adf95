/**
 * The `http` probe: the service is fine when a GET of its URL returns a 2xx status.
 *
 * @module
 */
import { errorText, type ProbeAttempt, type ProbeCheck } from "./probe_loop.ts";

/**
 * Builds an HTTP probe check. Redirects are followed; the body is discarded.
 *
 * @param url The URL to GET.
 * @returns A check that passes on a 2xx response.
 * @example
 * ```ts
 * await httpCheck("http://127.0.0.1:8080/health")(AbortSignal.timeout(1000));
 * ```
 */
export function httpCheck(url: string): ProbeCheck {
  return async (signal: AbortSignal): Promise<ProbeAttempt> => {
    let response: Response;
    try {
      response = await fetch(url, { signal, headers: { "user-agent": "nimi-probe" } });
    } catch (e) {
      signal.throwIfAborted();
      return { ok: false, detail: `GET ${url}: ${errorText(e)}` };
    }
    await response.body?.cancel();
    const ok = response.status >= 200 && response.status < 300;
    return { ok, detail: `GET ${url}: HTTP ${response.status}` };
  };
}
