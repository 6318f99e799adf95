/**
 * The WebAssembly kernel of log forwarding (src/logs/line_kernel.wat): the committed .wasm is
 * what wat2wasm makes of the .wat, and the kernel finds the same newlines as indexOf and
 * formats the same bytes as the JavaScript code, for random input of every byte value and
 * every length around its 16-byte blocks.
 */
import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import {
  KERNEL_CHUNK,
  KERNEL_LINES,
  KERNEL_PREFIX,
  kernelEnds,
  kernelScan,
  loadKernel,
} from "../../src/logs/line_kernel.ts";
import { linesOf, LineSplitter, prefixScan } from "../../src/logs/line_splitter.ts";
import { prefixLines } from "../../src/logs/format.ts";

await loadKernel();

const wat = fromFileUrl(new URL("../../src/logs/line_kernel.wat", import.meta.url));
const wasm = fromFileUrl(new URL("../../src/logs/line_kernel.wasm", import.meta.url));

/** A small deterministic generator (xorshift32), so a failure can be replayed. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** Random bytes of every value, with newlines about once in `every` bytes. */
function chunk(next: () => number, length: number, every: number): Uint8Array {
  const b = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    b[i] = next() < 1 / every ? 10 : Math.floor(next() * 256);
  }
  return b;
}

function newlines(b: Uint8Array): number[] {
  const at: number[] = [];
  for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) at.push(i);
  return at;
}

Deno.test("line_kernel.wasm is what wat2wasm assembles from line_kernel.wat", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-logs-kernel-" });
  try {
    const out = `${dir}/line_kernel.wasm`;
    let result: Deno.CommandOutput;
    try {
      result = await new Deno.Command("wat2wasm", { args: [wat, "-o", out] }).output();
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new Error("wat2wasm not found: install Debian's wabt (tests/tools.sh does)");
      }
      throw e;
    }
    assert.equal(result.code, 0, new TextDecoder().decode(result.stderr));
    assert.deepEqual(
      await Deno.readFile(out),
      await Deno.readFile(wasm),
      "src/logs/line_kernel.wasm is stale: run wat2wasm src/logs/line_kernel.wat -o src/logs/line_kernel.wasm",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("kernelScan() finds exactly the newlines indexOf finds, at every length and density", () => {
  const next = random(0x9e3779b9);
  const lengths = [...Array.from({ length: 70 }, (_, i) => i), 1000, 4095, 4096, KERNEL_CHUNK];
  for (const length of lengths) {
    for (const every of [1, 2, 7, 100, 1e9]) {
      const b = chunk(next, length, every);
      const want = newlines(b);
      if (want.length > KERNEL_LINES) {
        assert.equal(kernelScan(b), -1, "more newlines than it records: left to JavaScript");
        continue;
      }
      const n = kernelScan(b);
      assert.deepEqual([...kernelEnds.subarray(0, n)], want, `length ${length}, 1/${every}`);
    }
  }
  assert.equal(kernelScan(new Uint8Array(KERNEL_CHUNK + 1)), -1, "too large: left to JavaScript");
});

Deno.test("kernelScan() ignores newlines left in its memory past the chunk", () => {
  kernelScan(new Uint8Array(64).fill(10));
  assert.equal(kernelScan(new Uint8Array(20)), 0);
  assert.equal(kernelScan(new Uint8Array(0)), 0);
});

Deno.test("prefixScan() through the kernel formats exactly like prefixLines() over linesOf()", () => {
  const next = random(12345);
  const long = new Uint8Array(KERNEL_PREFIX + 1).fill(0x3e);
  const prefixes = [0, 1, 15, 16, 17, 31, 100].map((n) => new Uint8Array(n).fill(0x3e));
  for (const prefix of [...prefixes, long]) {
    for (const max of [1 << 20, 40]) {
      const s = new LineSplitter(max);
      for (let i = 0; i < 300; i++) {
        const length = i % 50 === 0 ? KERNEL_CHUNK : Math.floor(next() * 300);
        const scan = s.scan(chunk(next, length, 1 + Math.floor(next() * 60)));
        const want = prefixLines(prefix, linesOf(scan));
        assert.deepEqual(prefixScan(prefix, scan), want, `prefix ${prefix.length}, chunk ${i}`);
        // Twice, as console and log file are formatted from one scan.
        assert.deepEqual(prefixScan(prefix, scan), want);
      }
    }
  }
});

Deno.test("a scan formatted after another splitter's scan still comes out right", () => {
  const a = new LineSplitter();
  const b = new LineSplitter();
  const first = a.scan(new TextEncoder().encode("one\ntwo\nthr"));
  b.scan(new TextEncoder().encode("xxxxxxxxxx\nyyyyyyyyyyyyyyy\n"));
  const want = "> one\n> two\n";
  assert.equal(new TextDecoder().decode(prefixScan(new TextEncoder().encode("> "), first)), want);
  const second = a.scan(new TextEncoder().encode("ee\nfour\n"));
  assert.equal(
    new TextDecoder().decode(prefixScan(new TextEncoder().encode("> "), second)),
    "> three\n> four\n",
  );
});
