/**
 * Helpers for the dependency and probe end-to-end tests.
 *
 * @module
 */
import assert from "node:assert/strict";

/**
 * A TCP port nothing listens on right now.
 *
 * @returns The port number.
 */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = l.addr.port;
  l.close();
  return port;
}

/**
 * Asserts that each pattern occurs in `text`, in this order.
 *
 * @param text nimi's output.
 * @param patterns Strings or regular expressions, in the expected order.
 */
export function assertInOrder(text: string, patterns: readonly (string | RegExp)[]): void {
  let from = 0;
  for (const p of patterns) {
    const rest = text.slice(from);
    let index = -1;
    let length = 0;
    if (typeof p === "string") {
      index = rest.indexOf(p);
      length = p.length;
    } else {
      const m = rest.match(p);
      index = m?.index ?? -1;
      length = m?.[0].length ?? 0;
    }
    assert.ok(index >= 0, `expected ${p} after offset ${from} in:\n${text}`);
    from += index + length;
  }
}
