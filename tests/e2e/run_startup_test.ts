import assert from "node:assert/strict";
import { count, runNimi, sh } from "./run_helpers.ts";

async function hookScript(body: string): Promise<string> {
  const path = await Deno.makeTempFile({ prefix: "nimi-hook-", suffix: ".sh" });
  await Deno.writeTextFile(path, `#!/bin/sh\n${body}\n`);
  await Deno.chmod(path, 0o755);
  return path;
}

Deno.test("nimi run runs the startup hook before any service", async (t) => {
  await t.step("success: the hook's output comes first, then services start", async () => {
    const hook = await hookScript(`echo "hook ran"; echo "hook err" >&2; sleep 0.1`);
    try {
      const r = await runNimi({
        services: { svc: sh("echo svc ran") },
        settings: { startup: { runOnStartup: hook } },
      });
      assert.equal(r.code, 0, r.stdout);
      const hookAt = r.stdout.indexOf("startup | hook ran");
      assert.ok(hookAt >= 0, r.stdout);
      assert.match(r.stdout, /startup ! hook err\n/);
      assert.ok(r.stdout.indexOf("svc:") > hookAt, "the service starts after the hook's output");
      assert.ok(
        r.stdout.indexOf("svc: started") > r.stdout.indexOf("startup: exited with code 0"),
        "the service starts after the hook exited",
      );
      assert.match(r.stdout, /svc +\| svc ran/);
    } finally {
      await Deno.remove(hook);
    }
  });

  await t.step("failure: non-zero exit and no service started", async () => {
    const hook = await hookScript(`echo "hook failing"; exit 3`);
    try {
      const r = await runNimi({
        services: { svc: sh("echo svc ran"), other: sh("echo other ran") },
        settings: { startup: { runOnStartup: hook } },
      });
      assert.equal(r.code, 3, r.stdout);
      assert.match(r.stdout, /startup +\| hook failing/);
      assert.match(r.stderr, /startup hook failed \(code 3\): no service started/);
      assert.equal(count(r.stdout, /(svc|other) ran/g), 0, r.stdout);
    } finally {
      await Deno.remove(hook);
    }
  });

  await t.step("a missing hook program fails with its path named", async () => {
    const r = await runNimi({
      services: { svc: sh("echo svc ran") },
      settings: { startup: { runOnStartup: "/nonexistent/hook" } },
    });
    assert.equal(r.code, 127);
    assert.match(r.stderr, /startup: cannot start: program "\/nonexistent\/hook" not found/);
    assert.doesNotMatch(r.stdout, /svc ran/);
  });
});
