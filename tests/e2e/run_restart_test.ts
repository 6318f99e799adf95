import assert from "node:assert/strict";
import { count, runNimi, sh, startNimi } from "./run_helpers.ts";

const starts = (out: string, name: string) =>
  count(out, new RegExp(`nimi +\\| ${name}: started`, "g"));

Deno.test("nimi run restarts services as each restart mode says", async (t) => {
  await t.step("never runs a failing service once", async () => {
    const r = await runNimi({
      services: { fail: sh("echo run; exit 1") },
      settings: { restart: { mode: "never", time: 0 } },
    });
    assert.equal(starts(r.stdout, "fail"), 1, r.stdout);
    assert.equal(count(r.stdout, /fail +\| run/g), 1);
    // An error message: on stderr.
    assert.match(r.stderr, /fail: not restarted: restart mode is "never"/);
    assert.equal(r.code, 1);
  });

  await t.step("up-to-count with count 3 runs a failing service 4 times", async () => {
    const r = await runNimi({
      services: { fail: sh("echo run; exit 2") },
      settings: { restart: { mode: "up-to-count", count: 3, time: 10 } },
    });
    assert.equal(starts(r.stdout, "fail"), 4, r.stdout);
    assert.equal(count(r.stdout, /fail +\| run/g), 4);
    assert.match(r.stdout, /restarting in 0\.01s \(restart 3 of 3\)/);
    assert.equal(r.code, 2);
  });

  await t.step(
    "always restarts after exit 0 and after failures until nimi is stopped",
    async () => {
      // Each run exits 0, then 1, then 0, ...: the counter file holds the run number.
      const p = await startNimi({
        services: {
          flip: sh(
            `n=$(cat count 2>/dev/null || echo 0); echo $((n+1)) > count; echo "run $n"; exit $((n % 2))`,
          ),
        },
        settings: { restart: { mode: "always", time: 0 } },
      });
      try {
        await p.waitFor(/flip +\| run 6\n/);
      } finally {
        p.kill("SIGTERM");
      }
      const r = await p.done();
      assert.match(
        r.stdout,
        /flip: exited with code 0\nnimi +\| flip: restarting in 0s \(restart 1\)/,
      );
      assert.match(
        r.stdout,
        /flip: exited with code 1\nnimi +\| flip: restarting in 0s \(restart 2\)/,
      );
      assert.ok(starts(r.stdout, "flip") >= 7);
      assert.equal(r.code, 0, "stopped by SIGTERM with no failure for good");
    },
  );

  await t.step("on-failure restarts failures and stops after a success", async () => {
    const r = await runNimi({
      services: {
        flaky: sh(
          `n=$(cat count 2>/dev/null || echo 0); echo $((n+1)) > count; echo "run $n"; [ $n -ge 2 ]`,
        ),
      },
      settings: { restart: { mode: "on-failure", time: 0 } },
    });
    assert.equal(starts(r.stdout, "flaky"), 3, r.stdout);
    assert.match(r.stdout, /flaky +\| run 2\n/);
    assert.doesNotMatch(r.stdout, /run 3/);
    assert.equal(r.code, 0);
  });

  await t.step("a per-service override wins over settings.restart", async () => {
    const r = await runNimi({
      services: {
        a: sh("exit 1", { restart: { mode: "up-to-count", count: 1 } }),
        b: sh("exit 1"),
      },
      settings: { restart: { mode: "never", time: 0 } },
    });
    assert.equal(starts(r.stdout, "a"), 2, r.stdout);
    assert.equal(starts(r.stdout, "b"), 1, r.stdout);
  });

  await t.step("a oneshot that succeeds is not restarted in mode always", async () => {
    const r = await runNimi({
      services: { once: sh("echo done", { type: "oneshot" }) },
      settings: { restart: { mode: "always", time: 0 } },
    });
    assert.equal(starts(r.stdout, "once"), 1, r.stdout);
    assert.equal(r.code, 0);
  });
});
