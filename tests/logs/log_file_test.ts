import assert from "node:assert/strict";
import { LogFile } from "../../src/logs/log_file.ts";

const enc = new TextEncoder();

Deno.test("LogFile rotates before a write would pass maxBytes and keeps maxFiles", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/web.log`;
    const f = await LogFile.open(path, {
      maxBytes: 10,
      maxFiles: 2,
      onError: (e) => {
        throw e;
      },
    });
    for (const l of ["aaaa\n", "bbbb\n", "cccc\n", "dddd\n", "eeee\n", "ffff\n", "gggg\n"]) {
      f.write(enc.encode(l));
      await f.writer.flush();
    }
    await f.close();
    assert.equal(await Deno.readTextFile(path), "gggg\n");
    assert.equal(await Deno.readTextFile(`${path}.1`), "eeee\nffff\n");
    assert.equal(await Deno.readTextFile(`${path}.2`), "cccc\ndddd\n");
    await assert.rejects(() => Deno.stat(`${path}.3`), Deno.errors.NotFound);
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LogFile without maxBytes appends to one file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/web.log`;
    const f = await LogFile.open(path, {
      maxBytes: null,
      maxFiles: 5,
      onError: (e) => {
        throw e;
      },
    });
    for (let i = 0; i < 100; i++) f.write(enc.encode(`line ${i}\n`));
    await f.close();
    assert.equal((await Deno.readTextFile(path)).split("\n").length, 101);
    await assert.rejects(() => Deno.stat(`${path}.1`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
