/**
 * configData safety: nothing is created outside the service's directory even when a config
 * bypassing validation puts a symlink where a directory is needed, a missing source is named,
 * and a service running as another user owns (and can read) its own configData.
 */
import assert from "node:assert/strict";
import { createConfigDir, removeConfigDir } from "../../src/supervisor/config_dir.ts";
import type { ServiceSpec } from "../../src/config/mod.ts";
import { validateConfig } from "../../src/config/mod.ts";
import { IS_ROOT, listTree, note, sandbox } from "./helpers.ts";

function spec(configData: ServiceSpec["configData"]): ServiceSpec {
  const config = validateConfig({ services: { web: { process: { argv: ["/bin/true"] } } } }, "x");
  return { ...config.services[0]!, configData };
}

Deno.test("createConfigDir() does not follow a symlinked prefix out of its directory", async () => {
  const box = await sandbox("cfgdir");
  try {
    const outside = `${box.root}/outside`;
    await Deno.mkdir(outside);
    const hostile = spec([
      { key: "d", path: "d", source: outside, text: null },
      { key: "e", path: "d/evil", source: null, text: "pwned" },
    ]);
    await assert.rejects(
      createConfigDir(hostile, box.tmp),
      /exists and is not a directory; refusing/,
    );
    assert.deepEqual(await listTree(outside), []);
    assert.deepEqual(await listTree(box.tmp), [], "the half-made directory was not removed");
  } finally {
    await box.remove();
  }
});

Deno.test("createConfigDir() names a missing source and leaves nothing", async () => {
  const box = await sandbox("cfgsrc");
  try {
    const missing = spec([{ key: "c", path: "c.conf", source: `${box.root}/nope`, text: null }]);
    await assert.rejects(
      createConfigDir(missing, box.tmp),
      /configData of service "web".*source ".*\/nope" of configData "c": no such file/,
    );
    assert.deepEqual(await listTree(box.tmp), []);
  } finally {
    await box.remove();
  }
});

Deno.test({
  name:
    "createConfigDir() gives the directory, subdirectories and text files to the service's user",
  ignore: !IS_ROOT,
  fn: async () => {
    const box = await sandbox("cfgown");
    try {
      // nobody must reach the directory: only nimi's own directory is private.
      await Deno.chmod(box.root, 0o755);
      await Deno.chmod(box.tmp, 0o755);
      const dir = await createConfigDir(
        spec([
          { key: "a", path: "sub/a.conf", source: null, text: "a" },
          { key: "b", path: "b.conf", source: "/etc/hostname", text: null },
        ]),
        box.tmp,
        { uid: 65534, gid: 65534 },
      );
      for (const p of ["", "/sub", "/sub/a.conf"]) {
        const info = await Deno.lstat(dir + p);
        assert.equal(info.uid, 65534, p);
        assert.equal(info.gid, 65534, p);
        assert.equal(info.mode! & 0o077, 0, `${p} is readable by others`);
      }
      const read = await new Deno.Command("setpriv", {
        args: ["--reuid=65534", "--regid=65534", "--clear-groups", "cat", `${dir}/sub/a.conf`],
      }).output();
      assert.equal(
        new TextDecoder().decode(read.stdout),
        "a",
        new TextDecoder().decode(read.stderr),
      );
      await removeConfigDir(dir);
    } finally {
      await box.remove();
    }
  },
});
if (!IS_ROOT) note("config_data_test: not root, the ownership test is skipped (needs chown)");
