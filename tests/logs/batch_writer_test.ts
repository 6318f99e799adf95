import assert from "node:assert/strict";
import { BatchWriter, type ByteWriter } from "../../src/logs/batch_writer.ts";
import { BufferPool } from "../../src/logs/buffer_pool.ts";

class SlowWriter implements ByteWriter {
  writes: number[] = [];
  data: number[] = [];
  release: (() => void) | null = null;
  gate = true;
  write(p: Uint8Array): Promise<number> {
    this.writes.push(p.length);
    const n = Math.min(p.length, 7);
    this.data.push(...p.subarray(0, n));
    if (!this.gate) return Promise.resolve(n);
    return new Promise((resolve) => (this.release = () => resolve(n)));
  }
}

Deno.test("BatchWriter.write() keeps order across partial writes and joins queued chunks", async () => {
  const target = new SlowWriter();
  target.gate = false;
  const w = new BatchWriter(target);
  for (let i = 0; i < 10; i++) w.write(new Uint8Array([i, i]));
  await w.flush();
  assert.deepEqual(target.data, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
  // The first chunk goes out alone; the nine queued behind it are joined.
  assert.equal(target.writes[0], 2);
  assert.equal(target.writes[1], 18);
});

Deno.test("BatchWriter writes a large chunk as it is and joins only the small ones around it", async () => {
  const written: Uint8Array[] = [];
  const w = new BatchWriter({
    write: (p) => (written.push(p), Promise.resolve(p.length)),
  });
  const big = new Uint8Array(64 * 1024).fill(7);
  const small = () => new Uint8Array(10).fill(1);
  // The first write starts at once; everything after it is queued while it is in flight.
  w.write(small());
  w.write(small());
  w.write(small());
  w.write(big);
  w.write(small());
  await w.flush();
  assert.deepEqual(written.map((p) => p.length), [10, 20, 64 * 1024, 10]);
  assert.equal(written[2]!.buffer, big.buffer, "the large chunk is passed on, not copied");
});

Deno.test("BatchWriter.ready() makes producers wait above the high-water mark", async () => {
  const target = new SlowWriter();
  const w = new BatchWriter(target, { highWater: 10 });
  w.write(new Uint8Array(5));
  assert.equal(w.ready(), null);
  w.write(new Uint8Array(20));
  const wait = w.ready();
  assert.ok(wait instanceof Promise);
  let released = false;
  void wait.then(() => (released = true));
  await Promise.resolve();
  assert.equal(released, false);
  target.gate = false;
  target.release!();
  await w.flush();
  await wait;
  assert.equal(released, true);
});

Deno.test("BatchWriter reports a failed write once and drops the rest", async () => {
  const errors: unknown[] = [];
  const w = new BatchWriter({ write: () => Promise.reject(new Error("EPIPE")) }, {
    onError: (e) => errors.push(e),
  });
  w.write(new Uint8Array(3));
  w.write(new Uint8Array(3));
  await w.flush();
  w.write(new Uint8Array(3));
  await w.flush();
  assert.equal(errors.length, 1);
  assert.equal(w.queued, 0);
});

Deno.test("BatchWriter survives an error reporter that throws", async () => {
  const w = new BatchWriter({ write: () => Promise.reject(new Deno.errors.BrokenPipe("out")) }, {
    onError: () => {
      throw new Deno.errors.BrokenPipe("err");
    },
  });
  w.write(new Uint8Array(3));
  await w.flush();
  assert.equal(w.queued, 0);
});

Deno.test("BatchWriter gives a pooled chunk back only after it was written in full", async () => {
  const pool = new BufferPool();
  const target = new SlowWriter();
  const w = new BatchWriter(target, { pool });
  const chunk = pool.take(40 * 1024).fill(3);
  const buffer = chunk.buffer;
  w.write(chunk, true);
  // In flight (7 bytes a write, each held until released): not back in the pool yet.
  await Promise.resolve();
  assert.equal(pool.idleBytes, 0);
  target.gate = false;
  target.release!();
  await w.flush();
  assert.equal(target.data.length, 40 * 1024, "every byte written before the give-back");
  assert.equal(pool.idleBytes, buffer.byteLength);
  assert.equal(pool.take(40 * 1024).buffer, buffer, "the next take of that size reuses it");
  pool.clear();
});

Deno.test("BatchWriter joins pooled small chunks into a pooled batch and gives them all back", async () => {
  const pool = new BufferPool();
  const written: number[][] = [];
  let release: () => void = () => {};
  const w = new BatchWriter({
    write: (p) => {
      written.push([...p]);
      return new Promise((resolve) => (release = () => resolve(p.length)));
    },
  }, { pool });
  const small = (v: number) => {
    const b = pool.take(3).fill(v);
    w.write(b, true);
  };
  small(1);
  small(2);
  small(3);
  w.write(new Uint8Array([4]));
  await Promise.resolve();
  release();
  await new Promise((r) => setTimeout(r, 0));
  release();
  await w.flush();
  assert.deepEqual(written, [[1, 1, 1], [2, 2, 2, 3, 3, 3, 4]]);
  // The first chunk came back after its write and the batch reused its buffer; the two joined
  // chunks and the batch are back; the unpooled chunk never goes in.
  assert.equal(pool.idleBytes, 3 * 1024);
  pool.clear();
});

Deno.test("BatchWriter.reserve(): chunks committed while a write is in flight go out as one write, in order with write()", async () => {
  const pool = new BufferPool();
  const written: number[][] = [];
  const releases: (() => void)[] = [];
  const w = new BatchWriter({
    write: (p) => {
      written.push([...p]);
      return new Promise((resolve) => releases.push(() => resolve(p.length)));
    },
  }, { pool });
  const put = (...bytes: number[]) => {
    const room = w.reserve(bytes.length);
    room.set(bytes);
    w.commit(room);
  };
  put(1); // written at once
  put(2, 2);
  put(3);
  w.write(new Uint8Array([4])); // not reserved: after the open batch, not inside it
  put(5);
  assert.equal(w.queued, 5, "all but the first, which is in flight");
  // Each write is held until released; a bounded number of rounds, so a bug fails, not hangs.
  for (let round = 0; round < 10 && (releases.length > 0 || w.queued > 0); round++) {
    releases.shift()?.();
    await new Promise((r) => setTimeout(r, 0));
  }
  await w.flush();
  // The sealed batch and the small unreserved chunk after it are joined (as small queued
  // chunks are); the chunk reserved after that comes last.
  assert.deepEqual(written, [[1], [2, 2, 3, 4], [5]]);
  assert.equal(w.queued, 0);
  pool.clear();
});

Deno.test("BatchWriter.reserve(): a batch never passes maxWrite, a large chunk goes alone, all come back", async () => {
  const pool = new BufferPool();
  const sizes: number[] = [];
  let gate: (() => void) | null = null;
  const w = new BatchWriter({
    write: (p) => {
      sizes.push(p.length);
      if (sizes.length > 1) return Promise.resolve(p.length);
      return new Promise((resolve) => (gate = () => resolve(p.length)));
    },
  }, { pool, maxWrite: 1000 });
  const put = (n: number) => {
    const room = w.reserve(n);
    room.fill(n & 0xff);
    w.commit(room);
  };
  put(10); // in flight until the gate opens
  for (let i = 0; i < 9; i++) put(300);
  put(800); // more than half a batch: written as it is
  put(5);
  await new Promise((r) => setTimeout(r, 0));
  gate!();
  await w.flush();
  assert.deepEqual(sizes, [10, 900, 900, 900, 800, 5]);
  assert.ok(sizes.every((n) => n <= 1000));
  assert.ok(pool.idleBytes > 0, "the batches went back to the pool");
  pool.clear();
});

Deno.test("BatchWriter.reserve() after a failed write drops what is committed", async () => {
  const pool = new BufferPool();
  const errors: unknown[] = [];
  const w = new BatchWriter({ write: () => Promise.reject(new Error("ENOSPC")) }, {
    pool,
    onError: (e) => errors.push(e),
  });
  const room = w.reserve(5);
  w.commit(room);
  await w.flush();
  const again = w.reserve(5);
  w.commit(again);
  await w.flush();
  assert.equal(errors.length, 1);
  assert.equal(w.queued, 0);
  pool.clear();
});
