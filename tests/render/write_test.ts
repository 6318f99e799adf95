import assert from "node:assert/strict";
import { main } from "../../src/cli/main.ts";
import { MemoryOutput } from "../../src/cli/output.ts";
import { MANIFEST, writeRendered } from "../../src/render/write.ts";
import { RenderError } from "../../src/render/mod.ts";
import { REPO_ROOT } from "./helpers.ts";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

Deno.test("writeRendered() replaces its own earlier output completely", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-render-write-" });
  try {
    await writeRendered(dir, [
      { path: "a.service", content: "a\n", mode: 0o644 },
      { path: "old/run", content: "old\n", mode: 0o755 },
    ], "systemd");
    await writeRendered(dir, [{ path: "a.service", content: "a2\n", mode: 0o644 }], "systemd");
    assert.equal(await Deno.readTextFile(`${dir}/a.service`), "a2\n");
    assert.equal(await exists(`${dir}/old/run`), false);
    assert.equal(await exists(`${dir}/old`), false, "directories it made and emptied go too");
    const manifest = JSON.parse(await Deno.readTextFile(`${dir}/${MANIFEST}`));
    assert.deepEqual(manifest, { target: "systemd", files: ["a.service"] });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeRendered() refuses a directory holding files it did not write", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-render-write-" });
  try {
    await Deno.writeTextFile(`${dir}/precious.txt`, "mine\n");
    await assert.rejects(
      () => writeRendered(dir, [{ path: "x", content: "", mode: 0o644 }]),
      (e: unknown) =>
        e instanceof RenderError &&
        /holds "precious\.txt" and files nimi did not write/.test(e.message),
    );
    assert.equal(await Deno.readTextFile(`${dir}/precious.txt`), "mine\n");
    assert.equal(await exists(`${dir}/x`), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeRendered() replaces a planted symbolic link instead of writing through it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-render-write-" });
  try {
    const out = `${dir}/out`;
    await writeRendered(out, [{ path: "a.service", content: "a\n", mode: 0o644 }]);
    await Deno.writeTextFile(`${dir}/victim`, "keep\n");
    await Deno.remove(`${out}/a.service`);
    await Deno.symlink(`${dir}/victim`, `${out}/a.service`);
    await writeRendered(out, [{ path: "a.service", content: "new\n", mode: 0o644 }]);
    assert.equal(await Deno.readTextFile(`${dir}/victim`), "keep\n");
    assert.equal((await Deno.lstat(`${out}/a.service`)).isSymlink, false);
    assert.equal(await Deno.readTextFile(`${out}/a.service`), "new\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("nimi render: twice with a service removed leaves no file of it; bad --out exits 2", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-render-write-" });
  try {
    const config = (names: string[]) =>
      JSON.stringify({
        services: Object.fromEntries(
          names.map((n) => [n, { process: { argv: ["/bin/sleep", "9"] } }]),
        ),
      });
    await Deno.writeTextFile(`${dir}/two.json`, config(["a", "b"]));
    await Deno.writeTextFile(`${dir}/one.json`, config(["a"]));
    for (const target of ["systemd", "s6", "runit"]) {
      const out = `${dir}/${target}`;
      assert.equal(
        await main(
          ["--config", `${dir}/two.json`, "render", "--to", target, "--out", out],
          new MemoryOutput(),
        ),
        0,
      );
      const io = new MemoryOutput();
      assert.equal(
        await main(["--config", `${dir}/one.json`, "render", "--to", target, "--out", out], io),
        0,
      );
      const left: string[] = [];
      for await (const e of Deno.readDir(out)) left.push(e.name);
      assert.ok(!left.some((n) => n.startsWith("b")), `${target}: ${left.join(" ")}`);
      if (target === "systemd") {
        assert.doesNotMatch(await Deno.readTextFile(`${out}/nimi.target`), /b\.service/);
      }
    }
    const io = new MemoryOutput();
    assert.equal(
      await main([
        "--config",
        `${dir}/one.json`,
        "render",
        "--to",
        "systemd",
        "--out",
        "/etc/passwd",
      ], io),
      2,
    );
    assert.equal(io.stderr, `nimi: Cannot render into "/etc/passwd" (--out): not a directory\n`);
    const foreign = new MemoryOutput();
    assert.equal(
      await main(
        ["--config", `${dir}/one.json`, "render", "--to", "systemd", "--out", REPO_ROOT],
        foreign,
      ),
      2,
    );
    assert.match(foreign.stderr, /files nimi did not write/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
