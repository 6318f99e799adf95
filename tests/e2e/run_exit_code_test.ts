import assert from "node:assert/strict";
import { count, runNimi, sh } from "./run_helpers.ts";

const never = { restart: { mode: "never", time: 0 } };

Deno.test("nimi run exit code policy", async (t) => {
  await t.step("0 when every service ended successfully", async () => {
    const r = await runNimi({ services: { a: sh("exit 0"), b: sh("sleep 0.1") }, settings: never });
    assert.equal(r.code, 0, r.stdout);
  });

  await t.step("by default: waits for all, exits with the first failure's code", async () => {
    const r = await runNimi({
      services: {
        first: sh("exit 3"),
        second: sh("sleep 0.2; exit 5"),
        ok: sh("sleep 0.3; echo finished"),
      },
      settings: never,
    });
    assert.equal(r.code, 3, r.stdout);
    assert.match(r.stdout, /second: exited with code 5/);
    assert.match(r.stdout, /ok +\| finished/, "the others ran to their end");
  });

  await t.step("128 + N when a signal ended the failing service", async () => {
    const r = await runNimi({ services: { sig: sh("kill -USR1 $$") }, settings: never });
    assert.match(r.stdout, /sig: killed by SIGUSR1/);
    assert.equal(r.code, 138);
  });

  await t.step("stopOnFailure stops everything at the first failure for good", async () => {
    const r = await runNimi({
      services: { bad: sh("sleep 0.1; exit 4"), long: sh("echo up; exec sleep 100") },
      settings: { ...never, shutdown: { stopOnFailure: true, timeout: 2000 } },
    });
    assert.equal(r.code, 4, r.stdout);
    assert.match(r.stdout, /bad failed for good: stopping everything/);
    assert.match(r.stdout, /long: stopping \(SIGTERM\)/);
    assert.match(r.stdout, /long: killed by SIGTERM/);
  });

  await t.step("a restarted failure is not a failure for good", async () => {
    const r = await runNimi({
      services: {
        flaky: sh(`[ -e marker ] && exit 0; touch marker; exit 9`),
      },
      settings: { restart: { mode: "on-failure", time: 0 }, shutdown: { stopOnFailure: true } },
    });
    assert.equal(r.code, 0, r.stdout);
  });
});

Deno.test("nimi run reports a program that cannot start and runs the others", async (t) => {
  await t.step("missing: message names service and path, counts as a failure", async () => {
    const r = await runNimi({
      services: {
        ghost: { process: { argv: ["/nonexistent/bin/ghost", "--flag"] } },
        fine: sh("sleep 0.2; echo fine ran"),
      },
      settings: { restart: { mode: "up-to-count", count: 1, time: 0 } },
    });
    // Errors go to stderr (issue 13), the rest of nimi's lines to stdout.
    assert.equal(
      count(
        r.stderr,
        /nimi +\| ghost: cannot start: program "\/nonexistent\/bin\/ghost" not found\n/g,
      ),
      2,
      `tried twice (once plus one restart):\n${r.stderr}`,
    );
    assert.doesNotMatch(r.stdout, /cannot start/);
    assert.match(r.stdout, /fine +\| fine ran/);
    assert.equal(r.code, 127);
  });

  await t.step("not in PATH: says so", async () => {
    const r = await runNimi({
      services: { ghost: { process: { argv: ["nimi-no-such-program"] } } },
      settings: never,
    });
    assert.match(r.stderr, /ghost: cannot start: program "nimi-no-such-program" not found in PATH/);
    assert.equal(r.code, 127);
  });

  await t.step("not executable: says so, code 126", async () => {
    const file = await Deno.makeTempFile();
    try {
      const r = await runNimi({
        services: { noexec: { process: { argv: [file] } } },
        settings: never,
      });
      assert.match(
        r.stderr,
        new RegExp(`noexec: cannot start: program "${file}" is not executable`),
      );
      assert.equal(r.code, 126);
    } finally {
      await Deno.remove(file);
    }
  });

  await t.step("with stopOnFailure the others are stopped", async () => {
    const r = await runNimi({
      services: {
        ghost: { process: { argv: ["/nonexistent/ghost"] } },
        long: sh("exec sleep 100"),
      },
      settings: { ...never, shutdown: { stopOnFailure: true } },
    });
    assert.equal(r.code, 127, r.stdout);
    assert.match(r.stdout, /long: killed by SIGTERM/);
  });
});
