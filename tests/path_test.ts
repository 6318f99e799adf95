/**
 * src/path.ts gives what `node:path` (posix) gives, on a table of awkward paths and on every
 * combination of a set of segments.
 */
import assert from "node:assert/strict";
import * as node from "node:path";
import { dirname, join, normalize } from "../src/path.ts";

const PATHS = [
  "",
  ".",
  "..",
  "/",
  "//",
  "///a",
  "a",
  "a/",
  "a//",
  "/a",
  "/a/",
  "/a/b",
  "/a/b/",
  "a/b/c",
  "a/../..",
  "../a/./b/..",
  "/../a",
  "/a/./b/../../..",
  "./a",
  "a/.",
  "/a/b/../c/.",
  "x//y///z/",
  "/..",
  "../..",
  "a/b/../../..",
];

Deno.test("normalize() and dirname() match node:path", () => {
  for (const p of PATHS) {
    assert.equal(normalize(p), node.posix.normalize(p), `normalize(${JSON.stringify(p)})`);
    assert.equal(dirname(p), node.posix.dirname(p), `dirname(${JSON.stringify(p)})`);
  }
});

Deno.test("join() matches node:path for every pair and triple of segments", () => {
  const segments = ["", ".", "..", "/", "a", "/b", "c/", "d/../e", "//f//"];
  for (const a of segments) {
    for (const b of segments) {
      assert.equal(join(a, b), node.posix.join(a, b), `join(${a}, ${b})`);
      for (const c of segments) {
        assert.equal(join(a, b, c), node.posix.join(a, b, c), `join(${a}, ${b}, ${c})`);
      }
    }
  }
  assert.equal(join(), node.posix.join());
});
