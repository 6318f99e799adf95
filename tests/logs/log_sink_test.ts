import assert from "node:assert/strict";
import { LogSink } from "../../src/logs/log_sink.ts";
import { kernelGeneration, loadKernel } from "../../src/logs/line_kernel.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function memory(): {
  chunks: Uint8Array[];
  text: () => string;
  write: (p: Uint8Array) => Promise<number>;
} {
  const chunks: Uint8Array[] = [];
  return {
    chunks,
    text: () => chunks.map((c) => dec.decode(c)).join(""),
    write: (p) => {
      chunks.push(p.slice());
      return Promise.resolve(p.length);
    },
  };
}

Deno.test("LogSink writes aligned prefixed lines and nimi messages to the console", async () => {
  const out = memory();
  const sink = await LogSink.create({
    names: ["web", "database"],
    format: "text",
    color: false,
    console: out,
    logDir: null,
  });
  const s = sink.stream("web", "stdout");
  s.push(enc.encode("hello\nwor"));
  sink.stream("web", "stderr").push(enc.encode("oops\n"));
  s.push(enc.encode("ld"));
  s.end();
  sink.message("web", "exited with code 1");
  sink.message(null, "bye");
  await sink.close();
  assert.equal(
    out.text(),
    "web      | hello\nweb      ! oops\nweb      | world\nnimi     | web: exited with code 1\n" +
      "nimi     | bye\n",
  );
});

Deno.test("LogSink writes JSON lines with a fixed clock", async () => {
  const out = memory();
  const sink = await LogSink.create({
    names: ["web"],
    format: "json",
    color: false,
    console: out,
    logDir: null,
    now: () => 0,
  });
  sink.stream("web", "stderr").push(enc.encode("x\n"));
  sink.message("web", "started (pid 1)");
  await sink.close();
  assert.deepEqual(out.text().trimEnd().split("\n").map((l) => JSON.parse(l)), [
    { time: "1970-01-01T00:00:00.000Z", service: "web", stream: "stderr", line: "x" },
    { time: "1970-01-01T00:00:00.000Z", service: "web", stream: "nimi", line: "started (pid 1)" },
  ]);
});

Deno.test("LogSink writes both streams and messages to the service's log file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = memory();
    const sink = await LogSink.create({
      names: ["web"],
      format: "text",
      color: false,
      console: out,
      logDir: dir,
      now: () => 0,
    });
    sink.stream("web", "stdout").push(enc.encode("a\n"));
    sink.stream("web", "stderr").push(enc.encode("b\n"));
    sink.message("web", "exited with code 0");
    await sink.close();
    assert.equal(
      await Deno.readTextFile(`${dir}/web.log`),
      "1970-01-01T00:00:00.000Z stdout a\n1970-01-01T00:00:00.000Z stderr b\n" +
        "1970-01-01T00:00:00.000Z nimi exited with code 0\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ServiceStream.pump() reads a stream to its end and flushes the partial line", async () => {
  const out = memory();
  const sink = await LogSink.create({
    names: ["w"],
    format: "text",
    color: false,
    console: out,
    logDir: null,
  });
  const seen: string[] = [];
  const long = "y".repeat(5000);
  const stream = new ReadableStream({
    type: "bytes",
    start(c) {
      c.enqueue(enc.encode("1\n2"));
      c.enqueue(enc.encode(`\n${long}\n3`));
      c.close();
    },
  });
  await sink.stream("w", "stdout", new Set([(l: Uint8Array) => seen.push(dec.decode(l))])).pump(
    stream,
  );
  await sink.close();
  assert.equal(out.text(), `w    | 1\nw    | 2\nw    | ${long}\nw    | 3\n`);
  assert.deepEqual(seen, ["1", "2", long, "3"]);
});

Deno.test("ServiceStream.pump() forwards a flood of 64 KiB reads through the kernel: every line once, in order, everywhere", async () => {
  await loadKernel();
  let tapped = 0;
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-logs-flood-" });
  try {
    // A console that is slow now and then, so output piles up behind writes in flight.
    const chunks: Uint8Array[] = [];
    let writes = 0;
    const console = {
      write: (p: Uint8Array) => {
        chunks.push(p.slice());
        const wait = ++writes % 7 === 0 ? 5 : 0;
        return new Promise<number>((r) => setTimeout(() => r(p.length), wait));
      },
    };
    const sink = await LogSink.create({
      names: ["gen"],
      format: "text",
      color: false,
      console,
      logDir: dir,
      maxBytes: 1 << 20,
      maxFiles: 100,
      now: () => 0,
      tap: (_service, _stream, chunk) => void (tapped += chunk.length),
    });
    const lines = Array.from({ length: 60_000 }, (_, i) => `${i} ${"z".repeat(i % 150)}`);
    const all = enc.encode(lines.join("\n") + "\n");
    let at = 0;
    const stream = new ReadableStream({
      type: "bytes",
      pull(c) {
        if (at >= all.length) {
          // A byte stream ends a pending BYOB read only once that read is answered.
          c.close();
          return c.byobRequest?.respond(0);
        }
        c.enqueue(all.slice(at, at + 65536));
        at += 65536;
      },
    });
    const seen: string[] = [];
    const listeners = new Set([(l: Uint8Array) => void seen.push(dec.decode(l))]);
    const before = kernelGeneration();
    const s = sink.stream("gen", "stdout", listeners);
    await s.pump(stream);
    await sink.close();
    assert.ok(kernelGeneration() - before > 10, "the kernel scanned the chunks");
    assert.equal(tapped, all.length);
    assert.deepEqual(seen, lines);
    const consoleText = chunks.map((c) => dec.decode(c)).join("");
    assert.equal(consoleText, lines.map((l) => `gen  | ${l}\n`).join(""));
    const files = [...Deno.readDirSync(dir)].map((e) => e.name)
      .sort((a, b) => Number(b.split(".")[2] ?? 0) - Number(a.split(".")[2] ?? 0));
    assert.ok(files.length > 3, `rotated into ${files.length} files`);
    let fileText = "";
    for (const f of files) {
      const text = await Deno.readTextFile(`${dir}/${f}`);
      assert.ok(text.length <= 1 << 20, `${f} holds ${text.length} bytes`);
      fileText += text;
    }
    assert.equal(fileText, lines.map((l) => `1970-01-01T00:00:00.000Z stdout ${l}\n`).join(""));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
