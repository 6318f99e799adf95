/**
 * nix/package.nix and nix/overlay.nix, evaluated with a buildDenoPackage stand-in that returns
 * its arguments: the build is `deno compile` of mod.ts with the ELF left alone, its source holds
 * only what compiling reads, its install check passes when run against this checkout, and
 * `pkgs.nimi.lib` is the library. The real build needs nixpkgs and network (docs/nix.md).
 *
 * @module
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/cli.ts";
import {
  evalNimi,
  exists,
  nixSkipReason,
  printSkip,
  withNix,
  writeNimiStandIn,
} from "./nix_env.ts";

const skip = nixSkipReason();
if (skip !== null) printSkip("tests/nix/package_test.ts (package.nix, overlay.nix)", skip);

interface OverlayResult {
  package: {
    pname: string;
    version: string;
    binaryEntrypointPath: string;
    denoCompileFlags: string[];
    dontStrip: boolean;
    dontPatchELF: boolean;
    doInstallCheck: boolean;
    installCheckPhase: string;
    buildPhase: string;
    installPhase: string;
    src: string;
    meta: { mainProgram: string; platforms: string[] };
  };
  config: { services: Record<string, unknown> };
}

Deno.test({
  name: "overlay's pkgs.nimi compiles mod.ts with deno and checks itself on an example",
  ignore: skip !== null,
  fn: async (t) => {
    await withNix(async (setup) => {
      const r = await evalNimi(setup, "overlay", `${REPO_ROOT}/examples/hello.nix`);
      assert.equal(r.code, 0, r.stderr);
      const { package: pkg, config } = JSON.parse(r.stdout) as OverlayResult;
      const denoJson = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}/deno.json`));

      await t.step("buildDenoPackage arguments", () => {
        assert.equal(pkg.pname, "nimi");
        assert.equal(pkg.version, denoJson.version);
        assert.equal(pkg.binaryEntrypointPath, "mod.ts");
        assert.match(pkg.buildPhase, /deno compile --output nimi .*\$denoCompileFlags_ .* mod\.ts/);
        assert.deepEqual(pkg.denoCompileFlags, ["--allow-all"]);
        assert.match(pkg.installPhase, /install -Dm755 nimi "\$out\/bin\/nimi"/);
        assert.ok(pkg.dontStrip && pkg.dontPatchELF && pkg.doInstallCheck);
        assert.equal(pkg.meta.mainProgram, "nimi");
        assert.deepEqual(pkg.meta.platforms.sort(), [
          "aarch64-darwin",
          "aarch64-linux",
          "x86_64-darwin",
          "x86_64-linux",
        ]);
      });

      await t.step("the source holds deno.json, deno.lock, mod.ts and src/ only", async () => {
        if (!setup.storeWritable) {
          printSkip("listing the package source", "it needs a writable /nix/store");
          return;
        }
        const names = [...Deno.readDirSync(pkg.src)].map((e) => e.name).sort();
        assert.deepEqual(names, ["deno.json", "deno.lock", "mod.ts", "src"]);
        assert.ok(exists(`${pkg.src}/src/cli/main.ts`));
        assert.equal(
          await Deno.readTextFile(`${pkg.src}/mod.ts`),
          await Deno.readTextFile(`${REPO_ROOT}/mod.ts`),
        );
      });

      await t.step("the install check passes with this checkout as $out/bin/nimi", async () => {
        if (!setup.storeWritable) {
          printSkip("running the install check", "its example file needs a writable /nix/store");
          return;
        }
        const out = await Deno.makeTempDir({ prefix: "nimi-pkg-" });
        try {
          await writeNimiStandIn(out);
          const script = `set -e\nrunHook() { :; }\nout=${out}\n${pkg.installCheckPhase}`;
          const run = await new Deno.Command("sh", {
            args: ["-c", script],
            cwd: out,
            stdout: "piped",
            stderr: "piped",
          }).output();
          const text = new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr);
          assert.equal(run.code, 0, text);
          assert.match(text, /hello from nimi/);
        } finally {
          await Deno.remove(out, { recursive: true });
        }
      });

      await t.step("pkgs.nimi.lib is the nimi library", () => {
        assert.deepEqual(Object.keys(config.services), ["hello"]);
      });
    });
  },
});
