import assert from "node:assert/strict";
import { consolePrefix, jsonLines, prefixLines, utf8 } from "../../src/logs/format.ts";

const dec = new TextDecoder();

Deno.test("consolePrefix() pads the name and marks stderr", () => {
  assert.equal(consolePrefix("web", "stdout", 6, null), "web    | ");
  assert.equal(consolePrefix("web", "stderr", 6, null), "web    ! ");
  assert.equal(consolePrefix("database", "stdout", 3, null), "database | ");
});

Deno.test("consolePrefix() colours the name only when asked", () => {
  const p = consolePrefix("web", "stderr", 3, 0);
  assert.equal(p, "\x1b[36mweb\x1b[0m \x1b[31m!\x1b[0m ");
});

Deno.test("prefixLines() puts the prefix before each line and a newline after", () => {
  const out = prefixLines(utf8("a | "), [utf8("x"), utf8(""), new Uint8Array([0xff])]);
  assert.deepEqual([...out], [...utf8("a | x\na | \na | "), 0xff, 10]);
});

Deno.test("jsonLines() writes one object a line with time, service, stream and line", () => {
  const out = dec.decode(
    jsonLines("T", "web", "stderr", [utf8('say "hi"'), new Uint8Array([0xff])]),
  );
  const rows = out.trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(rows, [
    { time: "T", service: "web", stream: "stderr", line: 'say "hi"' },
    { time: "T", service: "web", stream: "stderr", line: "\ufffd" },
  ]);
});
