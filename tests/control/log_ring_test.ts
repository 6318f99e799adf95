import assert from "node:assert/strict";
import { LogRings, RING_BYTES } from "../../src/control/log_ring.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test("LogRings.tail() splits chunks into lines across chunk borders, per stream", () => {
  let t = 0;
  const rings = new LogRings(() => ++t);
  rings.push("web", "stdout", bytes("one\ntw"));
  rings.push("web", "stderr", bytes("oops\n"));
  rings.push("web", "stdout", bytes("o\nthree\npartial"));
  rings.push("db", "stdout", bytes("db line\n"));
  const lines = rings.tail(["web"], 10).map((l) => `${l.stream}:${l.line}`);
  assert.deepEqual(lines, ["stdout:one", "stderr:oops", "stdout:two", "stdout:three"]);
  assert.deepEqual(rings.tail(null, 2).map((l) => l.line), ["three", "db line"]);
  assert.deepEqual(rings.tail(["web"], 0), []);
});

Deno.test("LogRings keeps at most RING_BYTES per service and drops the cut line", () => {
  const rings = new LogRings();
  const line = "x".repeat(99) + "\n";
  for (let i = 0; i < 2 * RING_BYTES / 100; i++) rings.push("svc", "stdout", bytes(line));
  const lines = rings.tail(["svc"], 1_000_000);
  // Each kept chunk also counts its overhead (128 bytes) against the budget.
  const fit = Math.floor(RING_BYTES / (100 + 128));
  assert.ok(lines.length <= fit, String(lines.length));
  assert.ok(lines.length >= fit - 1, String(lines.length));
  for (const l of lines) assert.equal(l.line, "x".repeat(99));
});

Deno.test("LogRings.follow() gets new complete lines, also of services that print later", () => {
  const rings = new LogRings();
  rings.push("web", "stdout", bytes("old\n"));
  const seen: string[] = [];
  const off = rings.follow(null, (l) => seen.push(`${l.service}:${l.line}`));
  rings.push("web", "stdout", bytes("new "));
  rings.push("web", "stdout", bytes("line\n"));
  rings.push("late", "stderr", bytes("hello\n"));
  off();
  rings.push("web", "stdout", bytes("after\n"));
  assert.deepEqual(seen, ["web:new line", "late:hello"]);
});
