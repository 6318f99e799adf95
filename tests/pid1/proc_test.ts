import assert from "node:assert/strict";
import { parseChildren, parseStat, readChildren, readStat } from "../../src/pid1/proc.ts";

Deno.test("parseStat() reads pid, comm, state, ppid, pgrp and session", async (t) => {
  await t.step("a plain line", () => {
    assert.deepEqual(parseStat("42 (sh) Z 1 40 39 0 -1 4194304 0 0"), {
      pid: 42,
      comm: "sh",
      state: "Z",
      ppid: 1,
      pgrp: 40,
      session: 39,
    });
  });
  await t.step("a command name with spaces and parentheses", () => {
    const stat = parseStat("7 (a (b) c) S 2 7 7 0 -1");
    assert.equal(stat?.comm, "a (b) c");
    assert.equal(stat?.state, "S");
    assert.equal(stat?.session, 7);
  });
  await t.step("not a stat line", () => {
    assert.equal(parseStat(""), null);
    assert.equal(parseStat("garbage"), null);
  });
});

Deno.test("parseChildren() splits the children file", () => {
  assert.deepEqual(parseChildren("12 13 200 \n"), [12, 13, 200]);
  assert.deepEqual(parseChildren(""), []);
});

Deno.test("readChildren() and readStat() see a real child", async () => {
  const child = new Deno.Command("sleep", { args: ["5"] }).spawn();
  try {
    assert.ok(readChildren("self").includes(child.pid));
    const stat = readStat(child.pid);
    assert.equal(stat?.ppid, Deno.pid);
    assert.equal(stat?.comm, "sleep");
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
  assert.equal(readStat(child.pid), null);
  assert.deepEqual(readChildren(child.pid), []);
});
