/**
 * A control client that stops reading a followed stream cannot make nimi hold the backlog:
 * past STREAM_BACKLOG_BYTES the stream ends with one error line instead of nimi queueing
 * the whole flood for it.
 *
 * @module
 */
import { exists } from "../helpers/files.ts";
import assert from "node:assert/strict";
import { FELL_BEHIND } from "../../src/control/routes.ts";
import { sh, startControlled } from "./control_helpers.ts";

Deno.test("a follower that stops reading is cut off past the backlog cap instead of queueing the flood", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-control-backlog-" });
  const go = `${dir}/go`;
  // 160,000 lines of 100 bytes once the test says go: about 23 MB as NDJSON, five times the cap.
  const flood = sh(
    `until [ -e ${go} ]; do sleep 0.02; done; ` +
      `head -c 16000000 /dev/zero | tr '\\0' x | fold -w 100; touch ${dir}/done; exec sleep 600`,
  );
  const c = await startControlled({ services: { flood } });
  try {
    await c.until("flood", (s) => s.phase === "ready");
    const conn = await Deno.connect({ transport: "unix", path: c.socket });
    await conn.write(
      new TextEncoder().encode("GET /v1/logs?follow=1&n=0 HTTP/1.1\r\nHost: nimi\r\n\r\n"),
    );
    await Deno.writeTextFile(go, "");
    while (!exists(`${dir}/done`)) await new Promise((r) => setTimeout(r, 50));
    // The last lines are still on their way through nimi: let them reach the stalled stream.
    await c.until("flood", (s) => s.phase === "ready");
    await new Promise((r) => setTimeout(r, 500));
    // Now read what the stalled client was sent: it ends with the error line.
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(1 << 16);
    let total = 0;
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
      total += n;
      const tail = new TextDecoder().decode(chunks.at(-1)!);
      if (tail.includes(FELL_BEHIND) || total > 12_000_000) break;
    }
    conn.close();
    const tail = new TextDecoder().decode(
      chunks.slice(-4).reduce((a, b) => {
        const out = new Uint8Array(a.length + b.length);
        out.set(a);
        out.set(b, a.length);
        return out;
      }, new Uint8Array()),
    );
    assert.ok(tail.includes(JSON.stringify({ error: FELL_BEHIND })), tail.slice(-300));
    assert.ok(total < 12_000_000, `the client got ${total} bytes: it was not cut off`);
    // nimi still serves others.
    assert.equal((await c.api("GET", "/v1/services/flood")).status, 200);
  } finally {
    await c.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
