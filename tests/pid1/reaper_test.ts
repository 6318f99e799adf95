import assert from "node:assert/strict";
import { reaperMode } from "../../src/pid1/reaper.ts";
import { REPO } from "./helpers.ts";

const PROBE = `${REPO}tests/pid1/fixtures/reaper_probe.ts`;

/** Runs one reaper scenario in its own process (the subreaper flag is process-wide). */
async function probe(...args: string[]): Promise<Record<string, unknown>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", PROBE, ...args],
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(
    out.code,
    0,
    `probe ${args.join(" ")} failed:\n${new TextDecoder().decode(out.stderr)}`,
  );
  return JSON.parse(text.trim().split("\n").at(-1)!);
}

Deno.test("reaperMode() reaps as PID 1, as a subreaper when allowed, else not", () => {
  assert.equal(reaperMode(1, true), "pid1");
  assert.equal(reaperMode(1, false), "pid1");
  assert.equal(reaperMode(4242, true), "subreaper");
  assert.equal(reaperMode(4242, false), "off");
});

Deno.test("startReaper() reaps 1,000 orphans and the service keeps its exit code", async () => {
  const r = await probe("storm", "1000");
  assert.equal(r.mode, "subreaper");
  assert.equal(r.subreaper, true, "prctl(PR_GET_CHILD_SUBREAPER) after start");
  assert.equal(r.code, 7);
  assert.equal(r.clean, true);
  assert.equal(r.zombies, 0);
  assert.equal(r.reaped, 1000);
  assert.deepEqual(r.log, []);
});

Deno.test("startReaper() never takes the exit status of a child Deno spawned", async () => {
  const r = await probe("deno-children", "100");
  assert.deepEqual(r.bad, []);
  assert.equal(r.codesOk, true);
  assert.equal(r.reaped, 300);
});

Deno.test("Reaper.cleanUp() ends daemons left outside the service's group", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await probe("cleanup", dir);
    assert.equal(r.code, 0);
    const [a, b] = [r.a as number, r.b as number];
    // a traps SIGTERM and records it; b ignores SIGTERM and needs SIGKILL.
    assert.ok((r.terminated as number[]).includes(a));
    assert.ok((r.terminated as number[]).includes(b));
    assert.ok((r.killed as number[]).includes(b));
    assert.ok(!(r.killed as number[]).includes(a));
    assert.equal(Deno.readTextFileSync(`${dir}/term-${a}`).trim(), String(a));
    assert.equal(r.remaining, 0);
    assert.deepEqual(r.descendantsAfter, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
