/**
 * Orphans under init mode, from tini's zombie-reaping tests: a program that leaves 300
 * orphans (each forked by a subshell that exits at once) leaves no zombie behind, as PID 1 and
 * as a child subreaper, and its own exit code still comes back. `-w` reports each orphan
 * reaped on stderr (tini's -w).
 */
import assert from "node:assert/strict";
import { readChildren } from "../../src/pid1/proc.ts";
import { startInit, stateOf, until } from "./helpers.ts";

const STORM = [
  "sh",
  "-c",
  "i=0; while [ $i -lt 300 ]; do (sleep 0 &); i=$((i+1)); done; echo spawned; read x; exit 5",
];

for (const pid1 of [false, true]) {
  Deno.test(`an orphan storm leaves no zombie${pid1 ? " (PID 1)" : " (subreaper)"}`, async () => {
    const init = await startInit(STORM, { pid1, stdin: "piped", options: ["-w"] });
    try {
      await init.waitFor(/^spawned$/m, 60_000);
      // Pids wrap around (pid_max is 32768 here and the suite starts many processes), so the
      // program is not told by its pid: wait until nimi has one child left, zombie or not,
      // and check that it is the program (its command line) and still running.
      await until("no orphan left under nimi, zombie or not", () => {
        return readChildren(init.pid).length === 1;
      }, 30_000);
      const [program] = readChildren(init.pid);
      assert.ok(program !== undefined);
      assert.match(
        Deno.readTextFileSync(`/proc/${program}/cmdline`),
        /read x; exit 5/,
        "the child left is the program",
      );
      assert.equal(stateOf(program), "S", "the program is still running");
      await init.child.stdin.close();
      assert.equal((await init.done).code, 5, init.stderr());
      const reaped = init.stderr().split("\n").filter((l) => /^nimi: reaped orphan \d+$/.test(l));
      // Each subshell exits at once, so its sleep is an orphan; most (all, unless one ended
      // before its parent) are reaped by nimi.
      assert.ok(reaped.length > 250, `only ${reaped.length} orphans reported reaped`);
    } finally {
      await init.kill();
    }
  });
}

Deno.test("-w warns when nimi cannot reap (not PID 1, --no-subreaper)", async () => {
  const init = await startInit(["true"], { options: ["-w", "--no-subreaper"] });
  assert.equal((await init.done).code, 0);
  assert.equal(
    init.stderr(),
    "nimi: not PID 1 and not a child subreaper: orphans go to the system's init, not to nimi\n",
  );
});
