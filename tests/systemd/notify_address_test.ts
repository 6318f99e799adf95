import assert from "node:assert/strict";
import { sockaddrUn } from "../../src/systemd/notify_address.ts";

Deno.test("sockaddrUn() encodes a path with its NUL after the family", () => {
  assert.deepEqual([...sockaddrUn("/a")], [1, 0, 47, 97, 0]);
});

Deno.test("sockaddrUn() encodes @name as a leading NUL with no terminator", () => {
  assert.deepEqual([...sockaddrUn("@ab")], [1, 0, 0, 97, 98]);
});

Deno.test("sockaddrUn() refuses relative, too long and NUL-carrying paths", () => {
  assert.throws(() => sockaddrUn("run/notify"), /not an absolute path or @name/);
  assert.throws(() => sockaddrUn("/" + "x".repeat(107)), /longer than 107 bytes/);
  assert.equal(sockaddrUn("/" + "x".repeat(106)).length, 2 + 108);
  assert.throws(() => sockaddrUn("/a\0b"), /contains a NUL byte/);
});
