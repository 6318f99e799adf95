/**
 * Every `.nix` file of the repository parses with `nix-instantiate --parse` (needs only nix-bin,
 * so it runs everywhere, with or without NIXPKGS_LIB).
 *
 * @module
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/cli.ts";
import { nixInstantiate } from "./nix_env.ts";

async function nixFiles(): Promise<string[]> {
  // Tracked files plus new ones not yet committed (ignored files excluded).
  const out = await new Deno.Command("git", {
    args: ["ls-files", "--cached", "--others", "--exclude-standard", "--", "*.nix"],
    cwd: REPO_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `git ls-files failed: ${stderr}`);
  return new TextDecoder().decode(out.stdout).split("\n").filter((f) => f !== "")
    .filter((f) => {
      try {
        return Deno.statSync(`${REPO_ROOT}/${f}`).isFile;
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) return false; // deleted in the work tree
        throw e;
      }
    });
}

Deno.test("nix-instantiate --parse accepts every .nix file of the repository", async (t) => {
  const files = await nixFiles();
  for (const expected of ["flake.nix", "nix/modules/nimi.nix", "nix/lib/default.nix"]) {
    assert.ok(files.includes(expected), `${expected} is missing from the .nix files found`);
  }
  for (const file of files) {
    await t.step(file, async () => {
      const r = await nixInstantiate(["--parse", `${REPO_ROOT}/${file}`]);
      assert.equal(r.code, 0, `${file} does not parse:\n${r.stderr}`);
    });
  }
});

Deno.test("nix-instantiate --parse rejects a file with a syntax error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-parse-" });
  try {
    await Deno.writeTextFile(`${dir}/bad.nix`, "{ a = 1; b = ; }\n");
    const r = await nixInstantiate(["--parse", `${dir}/bad.nix`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /syntax error/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
