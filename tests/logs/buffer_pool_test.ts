import assert from "node:assert/strict";
import { BufferPool, IDLE_BYTES, IDLE_MS } from "../../src/logs/buffer_pool.ts";

Deno.test("BufferPool.take() gives exactly the size asked, in a buffer at most twice as large", () => {
  const pool = new BufferPool();
  for (const size of [1, 1000, 1025, 65536, 70000, 1 << 20]) {
    const b = pool.take(size);
    assert.equal(b.length, size);
    assert.equal(b.byteOffset, 0);
    assert.ok(b.buffer.byteLength >= size && b.buffer.byteLength <= Math.max(1024, 2 * size));
  }
});

Deno.test("BufferPool reuses a given-back buffer of the same size class, not a smaller one", () => {
  const pool = new BufferPool();
  const a = pool.take(70_000);
  pool.give(a);
  assert.equal(pool.take(100_000).buffer, a.buffer, "same 128 KiB class");
  pool.give(a);
  assert.notEqual(pool.take(200_000).buffer, a.buffer, "too small for 200,000 bytes");
  assert.notEqual(pool.take(1000).buffer, a.buffer, "a 1 KiB request gets no 128 KiB buffer");
  pool.clear();
});

Deno.test("BufferPool keeps at most IDLE_BYTES unused and refuses foreign buffers", () => {
  const pool = new BufferPool();
  const taken = Array.from({ length: 40 }, () => pool.take(100_000));
  for (const b of taken) pool.give(b);
  assert.ok(pool.idleBytes <= IDLE_BYTES, `${pool.idleBytes} idle`);
  assert.equal(pool.idleBytes, Math.floor(IDLE_BYTES / (128 * 1024)) * 128 * 1024);
  pool.clear();
  pool.give(new Uint8Array(3000)); // not a size class
  pool.give(new Uint8Array(new ArrayBuffer(4096), 1024)); // a view into the middle
  assert.equal(pool.idleBytes, 0);
  pool.give(pool.take(20 * 1024 * 1024)); // above the largest pooled size
  assert.equal(pool.idleBytes, 0);
});

Deno.test("BufferPool drops its unused buffers once idle", async () => {
  const pool = new BufferPool();
  pool.give(pool.take(5000));
  assert.equal(pool.idleBytes, 8192);
  // The first tick sees the take above and keeps them; the second finds the pool idle.
  await new Promise((r) => setTimeout(r, 2 * IDLE_MS + 200));
  assert.equal(pool.idleBytes, 0);
});
