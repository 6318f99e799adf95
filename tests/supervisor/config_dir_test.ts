import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/mod.ts";
import { createConfigDir, removeConfigDir } from "../../src/supervisor/config_dir.ts";

Deno.test("createConfigDir() links sources, writes texts, private, and removeConfigDir() cleans up", async () => {
  const base = await Deno.makeTempDir();
  const source = await Deno.makeTempFile();
  try {
    const spec = validateConfig({
      services: {
        web: {
          process: { argv: ["/bin/true"] },
          configData: {
            a: { path: "deep/er/a.conf", text: "A" },
            b: { path: "b.conf", source },
          },
        },
      },
    }, "t.json").services[0]!;
    const dir = await createConfigDir(spec, base);
    assert.match(dir, new RegExp(`^${base}/nimi-web-`));
    assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o700);
    assert.equal(await Deno.readTextFile(`${dir}/deep/er/a.conf`), "A");
    assert.equal((await Deno.stat(`${dir}/deep/er/a.conf`)).mode! & 0o777, 0o600);
    assert.equal(await Deno.readLink(`${dir}/b.conf`), source);
    await removeConfigDir(dir);
    await assert.rejects(() => Deno.stat(dir), Deno.errors.NotFound);
    await Deno.stat(source);
    await removeConfigDir(dir); // idempotent
  } finally {
    await Deno.remove(base, { recursive: true });
    await Deno.remove(source);
  }
});

Deno.test("createConfigDir() names the service and removes its directory when it fails", async () => {
  const base = await Deno.makeTempDir();
  try {
    const valid = validateConfig({
      services: {
        web: {
          process: { argv: ["/bin/true"] },
          configData: { a: { path: "same", text: "1" } },
        },
      },
    }, "t.json").services[0]!;
    // validate refuses a path inside another entry's file; the runtime must fail cleanly too.
    const spec = {
      ...valid,
      configData: [...valid.configData, { key: "b", path: "same/child", source: null, text: "2" }],
    };
    await assert.rejects(
      () => createConfigDir(spec, base),
      /Cannot prepare configData of service "web"/,
    );
    assert.deepEqual([...Deno.readDirSync(base)], [], "nothing left behind");
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
