/**
 * Init mode's exit status, from tini's and dumb-init's documented behaviour: the program's
 * own code for every code from 0 to 255, `128 + N` when signal N ended it, tini's `-e` remap,
 * and 127/126 with a message on stderr when it cannot be started. The full ranges run through
 * the real spawn and wait path in this process (`runInit`, one `posix_spawnp` each); a sample
 * runs through the real CLI.
 */
import assert from "node:assert/strict";
import { type InitOptions, runInit } from "../../src/pid1/init.ts";
import { decodeWaitStatus, initExitCode } from "../../src/pid1/wait_status.ts";
import { startInit } from "./helpers.ts";

function options(argv: string[], more: Partial<InitOptions> = {}): InitOptions {
  return {
    argv,
    placement: "session",
    rewrite: new Map(),
    remapExit: new Set(),
    parentDeathSignal: null,
    subreaper: false,
    warnReaping: false,
    verbose: false,
    log: (line) => {
      throw new Error(`unexpected message: ${line}`);
    },
    ...more,
  };
}

Deno.test("runInit() exits with the program's code, for every code from 0 to 255", async () => {
  const wrong: string[] = [];
  for (let code = 0; code <= 255; code++) {
    const got = await runInit(options(["sh", "-c", `exit ${code}`]));
    if (got !== code) wrong.push(`${code} -> ${got}`);
  }
  assert.deepEqual(wrong, []);
});

/** Signals whose default action ends a process (not ignore, not stop). */
const FATAL = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 24, 25, 26, 27, 29, 30, 31];

Deno.test("runInit() exits 128 + N when signal N ended the program", async () => {
  const wrong: string[] = [];
  for (const n of FATAL) {
    const got = await runInit(options(["sh", "-c", `kill -${n} $$`]));
    if (got !== 128 + n) wrong.push(`signal ${n} -> ${got}`);
  }
  assert.deepEqual(wrong, []);
});

Deno.test("runInit() reports remapped codes as 0 (tini -e), others unchanged", async () => {
  const remapExit = new Set([3, 143]);
  assert.equal(await runInit(options(["sh", "-c", "exit 3"], { remapExit })), 0);
  assert.equal(await runInit(options(["sh", "-c", "kill -TERM $$"], { remapExit })), 0);
  assert.equal(await runInit(options(["sh", "-c", "exit 4"], { remapExit })), 4);
});

Deno.test("decodeWaitStatus() and initExitCode() follow the wait status layout", () => {
  for (let code = 0; code <= 255; code++) {
    assert.deepEqual(decodeWaitStatus(code << 8), { code, signal: null });
  }
  assert.deepEqual(decodeWaitStatus(15), { code: null, signal: 15 });
  assert.deepEqual(decodeWaitStatus(0x80 | 11), { code: null, signal: 11 }, "core dumped");
  assert.equal(initExitCode({ code: null, signal: 9 }, new Set()), 137);
});

Deno.test("the CLI passes exit codes through, and explains a program it cannot start", async (t) => {
  for (const code of [0, 1, 2, 127, 128, 255]) {
    await t.step(`exit ${code}`, async () => {
      const init = await startInit(["sh", "-c", `exit ${code}`]);
      const status = await init.done;
      assert.equal(status.code, code, init.stderr());
      assert.equal(init.stdout(), "");
      assert.equal(init.stderr(), "");
    });
  }
  await t.step("killed by SIGTERM: 143, as PID 1 too", async () => {
    for (const pid1 of [false, true]) {
      const init = await startInit(["sh", "-c", "kill -TERM $$"], { pid1 });
      assert.equal((await init.done).code, 143, init.stderr());
    }
  });
  await t.step("-e 143 remaps it to 0", async () => {
    const init = await startInit(["sh", "-c", "kill -TERM $$"], { options: ["-e", "143"] });
    assert.equal((await init.done).code, 0, init.stderr());
  });
  await t.step("not found: 127 and one line on stderr", async () => {
    const init = await startInit(["nimi-test-init-no-such-program"]);
    assert.equal((await init.done).code, 127);
    assert.equal(
      init.stderr(),
      `nimi: cannot start: program "nimi-test-init-no-such-program" not found in PATH\n`,
    );
    assert.equal(init.stdout(), "");
  });
  await t.step("not executable: 126", async () => {
    const init = await startInit(["/etc/hostname"]);
    assert.equal((await init.done).code, 126);
    assert.match(init.stderr(), /^nimi: cannot start: program "\/etc\/hostname" is not executable/);
  });
});
