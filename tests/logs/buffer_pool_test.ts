import assert from "node:assert/strict";
import { BufferPool, IDLE_BYTES, IDLE_MS } from "../../src/logs/buffer_pool.ts";

Deno.test("BufferPool.take() gives exactly the size asked, in a buffer at most a quarter larger", () => {
  const pool = new BufferPool();
  for (const size of [1, 1000, 1025, 65536, 65537, 70000, 86000, 1 << 20]) {
    const b = pool.take(size);
    assert.equal(b.length, size);
    assert.equal(b.byteOffset, 0);
    const cap = b.buffer.byteLength;
    assert.ok(cap >= size && cap <= Math.max(1024, 1.25 * size), `${cap} bytes for ${size}`);
  }
});

Deno.test("BufferPool reuses a given-back buffer of the same size class, not another", () => {
  const pool = new BufferPool();
  const a = pool.take(70_000);
  assert.equal(a.buffer.byteLength, 80 * 1024);
  pool.give(a);
  assert.equal(pool.take(80 * 1024).buffer, a.buffer, "same 80 KiB class");
  pool.give(a);
  assert.notEqual(pool.take(90_000).buffer, a.buffer, "too small for 90,000 bytes");
  assert.notEqual(pool.take(60_000).buffer, a.buffer, "a smaller class gets a smaller buffer");
  pool.clear();
});

Deno.test("BufferPool keeps at most IDLE_BYTES unused and refuses foreign buffers", () => {
  const pool = new BufferPool();
  const taken = Array.from({ length: 200 }, () => pool.take(100_000));
  for (const b of taken) pool.give(b);
  assert.ok(pool.idleBytes <= IDLE_BYTES, `${pool.idleBytes} idle`);
  const cap = taken[0]!.buffer.byteLength;
  assert.equal(pool.idleBytes, Math.floor(IDLE_BYTES / cap) * cap);
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
  assert.equal(pool.idleBytes, 5120);
  // The first tick sees the take above and keeps them; the second finds the pool idle.
  await new Promise((r) => setTimeout(r, 2 * IDLE_MS + 200));
  assert.equal(pool.idleBytes, 0);
});
