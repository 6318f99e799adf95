/**
 * The post-start garbage collection (src/pid1/heap.ts): one collection after a quiet spell,
 * however many changes came before it, none after stop(), and V8's real collection callable.
 */
import assert from "node:assert/strict";
import { fullCollection, HeapCompactor } from "../../src/pid1/heap.ts";

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

Deno.test("fullCollection() runs V8's collection and frees unreachable objects", async () => {
  const gc = fullCollection();
  let collected = false;
  const registry = new FinalizationRegistry(() => (collected = true));
  (() => registry.register({ big: new Array(1000).fill(0) }, "x"))();
  for (let i = 0; i < 20 && !collected; i++) {
    gc();
    await sleep(10);
  }
  assert.ok(collected, "the unreachable object was not collected");
});
