import assert from "node:assert/strict";
import { createRunLogDir, nextLogsIndex } from "../../src/logs/log_dir.ts";

Deno.test("nextLogsIndex() is one past the highest logs-N", () => {
  assert.equal(nextLogsIndex([]), 0);
  assert.equal(nextLogsIndex(["logs-0"]), 1);
  assert.equal(nextLogsIndex(["logs-3", "logs-1", "logs-x", "other", "logs-07"]), 8);
});

Deno.test("createRunLogDir() creates logs-0, then logs-1, private", async () => {
  const base = await Deno.makeTempDir();
  try {
    const dir = `${base}/nested/logs`;
    assert.equal(await createRunLogDir(dir), `${dir}/logs-0`);
    assert.equal(await createRunLogDir(dir), `${dir}/logs-1`);
    assert.equal((await Deno.stat(`${dir}/logs-1`)).mode! & 0o777, 0o700);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("createRunLogDir() names the path when it cannot create it", async () => {
  await assert.rejects(
    () => createRunLogDir("/proc/nimi-cannot-be-here"),
    /Cannot create log directory under "\/proc\/nimi-cannot-be-here"/,
  );
});
