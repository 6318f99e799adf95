/**
 * The post-start garbage collection (src/pid1/heap.ts): one collection after a quiet spell,
 * however many changes came before it, none after stop(), and V8's real collection callable.
 */
import assert from "node:assert/strict";
import { HeapCompactor, loadCollection, trimMalloc } from "../../src/pid1/heap.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("HeapCompactor collects once, after the last of a burst of changes", async () => {
  let runs = 0;
  const heap = new HeapCompactor(100, () => runs++);
  for (let i = 0; i < 10; i++) heap.poke();
  assert.equal(runs, 0, "collected before the quiet spell");
  for (let i = 0; i < 200 && runs === 0; i++) await sleep(10);
  assert.equal(runs, 1);
  await sleep(300);
  assert.equal(runs, 1, "collected again without a change");
  heap.poke();
  for (let i = 0; i < 200 && runs === 1; i++) await sleep(10);
  assert.equal(runs, 2);
  heap.stop();
});

Deno.test("HeapCompactor.stop() cancels a pending collection", async () => {
  let runs = 0;
  const heap = new HeapCompactor(30, () => runs++);
  heap.poke();
  heap.stop();
  await sleep(100);
  assert.equal(runs, 0);
});

Deno.test("loadCollection() gives V8's collection and frees unreachable objects", async () => {
  const gc = await loadCollection();
  let collected = false;
  const registry = new FinalizationRegistry(() => (collected = true));
  (() => registry.register({ big: new Array(1000).fill(0) }, "x"))();
  for (let i = 0; i < 20 && !collected; i++) {
    gc();
    await sleep(10);
  }
  assert.ok(collected, "the unreachable object was not collected");
});

Deno.test("trimMalloc() gives freed native memory back to the kernel", async () => {
  const anon = () =>
    Number(/RssAnon:\s+(\d+)/.exec(Deno.readTextFileSync("/proc/self/status"))![1]) * 1024;
  const gc = await loadCollection();
  // 64 MiB of buffers from the C allocator's arenas, then one small block after them, so that
  // freeing the buffers leaves free pages below a block in use, which free() cannot hand back.
  let buffers: Uint8Array[] = [];
  for (let i = 0; i < 2048; i++) buffers.push(new Uint8Array(32 * 1024).fill(1));
  const after = new Uint8Array(1024).fill(2);
  buffers = [];
  gc();
  gc();
  const before = anon();
  // V8 frees the buffers' memory on a background thread after the collection: trim until the
  // drop shows (at once on an idle machine), for at most 2 s.
  let trimmed = before;
  for (let i = 0; i < 40; i++) {
    trimMalloc();
    trimmed = anon();
    if (before - trimmed > 32 * 1024 * 1024) break;
    await sleep(50);
  }
  assert.equal(after[0], 2);
  assert.ok(before - trimmed > 32 * 1024 * 1024, `RssAnon ${before} -> ${trimmed}`);
});
