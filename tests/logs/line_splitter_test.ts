import assert from "node:assert/strict";
import {
  CONTINUES_MARKER,
  linesOf,
  LineSplitter,
  MAX_LINE_BYTES,
  prefixScan,
} from "../../src/logs/line_splitter.ts";
import { prefixLines } from "../../src/logs/format.ts";

const enc = new TextEncoder();
const bytes = (s: string) => enc.encode(s);
const text = (lines: Uint8Array[]) => lines.map((l) => new TextDecoder().decode(l));

Deno.test("LineSplitter.push() returns complete lines and keeps the partial one", () => {
  const s = new LineSplitter();
  assert.deepEqual(text(s.push(bytes("a\nbb\ncc"))), ["a", "bb"]);
  assert.deepEqual(text(s.push(bytes("c"))), []);
  assert.deepEqual(text(s.push(bytes("c\n\nd"))), ["cccc", ""]);
  assert.deepEqual(text(s.end()), ["d"]);
  assert.deepEqual(s.end(), []);
});

Deno.test("LineSplitter.end() returns nothing after a final newline", () => {
  const s = new LineSplitter();
  assert.deepEqual(text(s.push(bytes("x\n"))), ["x"]);
  assert.deepEqual(s.end(), []);
});

Deno.test("LineSplitter.push() passes invalid UTF-8 through byte for byte", () => {
  const s = new LineSplitter();
  const raw = new Uint8Array([0xff, 0xfe, 0x00, 0xc3, 10, 0x80, 10]);
  const lines = s.push(raw);
  assert.deepEqual(lines.map((l) => [...l]), [[0xff, 0xfe, 0x00, 0xc3], [0x80]]);
});

Deno.test("LineSplitter.push() keeps a line of MAX_LINE_BYTES whole across many chunks", () => {
  const s = new LineSplitter();
  const line = new Uint8Array(MAX_LINE_BYTES - 1).fill(120);
  const out: Uint8Array[] = [];
  for (let off = 0; off < line.length; off += 4096) {
    out.push(...s.push(line.subarray(off, off + 4096)));
  }
  assert.equal(out.length, 0);
  out.push(...s.push(bytes("\nnext\n")));
  assert.equal(out.length, 2);
  assert.equal(out[0]!.length, line.length);
  assert.ok(out[0]!.every((b) => b === 120));
  assert.deepEqual(text([out[1]!]), ["next"]);
});

Deno.test("LineSplitter.push() cuts a run without newline at the maximum line length", () => {
  const s = new LineSplitter(4);
  assert.deepEqual(text(s.push(bytes("abcdefghij"))), [
    `abcd${CONTINUES_MARKER}`,
    `efgh${CONTINUES_MARKER}`,
  ]);
  assert.deepEqual(text(s.end()), ["ij"]);
});

Deno.test("LineSplitter.push() copies the partial line, so a reused buffer cannot corrupt it", () => {
  const s = new LineSplitter();
  const buf = bytes("one\ntw");
  s.push(buf);
  buf.fill(0);
  assert.deepEqual(text(s.push(bytes("o\n"))), ["two"]);
});

Deno.test("prefixScan() formats exactly like prefixLines() over linesOf()", async (t) => {
  const cases: [string, string[], number][] = [
    ["whole lines", ["a\nbb\n\nccc\n"], 1 << 20],
    ["partial lines across chunks", ["ab", "c\nd", "e\nf\n", "gh"], 1 << 20],
    ["no newline at all", ["abcdef"], 1 << 20],
    ["carry plus cut pieces", ["abc", "defghij\nxy", "zzzzzzzzz"], 4],
    ["empty lines only", ["\n\n\n"], 1 << 20],
  ];
  for (const [name, chunks, max] of cases) {
    await t.step(name, () => {
      for (const prefix of [bytes(""), bytes("svc | ")]) {
        const a = new LineSplitter(max);
        const b = new LineSplitter(max);
        for (const c of chunks) {
          const scan = a.scan(bytes(c));
          const expected = prefixLines(prefix, linesOf(scan));
          assert.deepEqual(prefixScan(prefix, scan), expected);
          assert.deepEqual(text(b.push(bytes(c))), text(linesOf(scan)));
        }
      }
    });
  }
});

Deno.test("LineSplitter.scan() grows its newline table for chunks with many lines", () => {
  const s = new LineSplitter();
  const scan = s.scan(bytes("x\n".repeat(5000)));
  assert.equal(scan.count, 5000);
  assert.equal(prefixScan(bytes("> "), scan).length, 5000 * 4);
});
