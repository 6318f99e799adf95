/**
 * nix/package.nix and nix/overlay.nix, evaluated with a stdenv.mkDerivation stand-in that
 * returns its arguments: the build is `deno compile --cached-only --frozen` of mod.ts from the
 * npm cache of nix/npm-deps.nix (no dependency hash of its own) with the ELF left alone, its
 * source holds only what compiling reads, its install check (SIGUSR1 reaching a service and no
 * inspector on 9229 included) passes when run against this checkout, and `pkgs.nimi.lib` is the
 * library. The real build needs nixpkgs and network (docs/nix.md).
 *
 * @module
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/cli.ts";
import {
  denoFromNpm,
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
    env: Record<string, string>;
    configurePhase: string;
    npmCache: string;
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
  direct: string;
  functions: string[];
}

Deno.test({
  name: "overlay's pkgs.nimi compiles mod.ts with deno and checks itself on an example",
  ignore: skip !== null,
  fn: async (t) => {
    await withNix(async (setup) => {
      const r = await evalNimi(setup, "overlay", `${REPO_ROOT}/examples/hello.nix`);
      assert.equal(r.code, 0, r.stderr);
      const { package: pkg, config, direct, functions } = JSON.parse(r.stdout) as OverlayResult;
      const denoJson = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}/deno.json`));

      await t.step("mkDerivation arguments", () => {
        assert.equal(pkg.pname, "nimi");
        assert.equal(pkg.version, denoJson.version);
        assert.match(
          pkg.buildPhase,
          /deno compile --cached-only --frozen --allow-all --no-code-cache --v8-flags=--expose-gc \\\n\s+--output nimi mod\.ts/,
        );
        assert.match(pkg.configurePhase, /export DENO_DIR="\$TMPDIR\/deno"/);
        assert.match(pkg.npmCache, /deno-npm-cache\.sh "\$out" .*'?jsonc-parser'? '?\d/);
        assert.equal(pkg.env.DENORT_BIN, "/usr/bin/denort");
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

      const installCheck = (deno: string) => async () => {
        if (!setup.storeWritable) {
          printSkip("running the install check", "its example file needs a writable /nix/store");
          return;
        }
        const out = await Deno.makeTempDir({ prefix: "nimi-pkg-" });
        try {
          await writeNimiStandIn(out, deno);
          // In a network namespace of its own with loopback up, as in the Nix sandbox: another
          // program on this machine listening on 9229 must not fail it.
          const script =
            `set -e\nip link set lo up\nrunHook() { :; }\nout=${out}\n${pkg.installCheckPhase}`;
          const run = await new Deno.Command("unshare", {
            args: ["--net", "--map-root-user", "sh", "-c", script],
            cwd: out,
            stdout: "piped",
            stderr: "piped",
          }).output();
          const text = new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr);
          assert.equal(run.code, 0, text);
          assert.match(text, /hello from nimi/);
          assert.doesNotMatch(text, /did not receive SIGUSR1|opened an inspector/);
        } finally {
          await Deno.remove(out, { recursive: true });
        }
      };
      await t.step(
        "the install check passes with this checkout as $out/bin/nimi",
        installCheck(Deno.execPath()),
      );
      // Deno 2.9.6's CLI opens an inspector on SIGUSR1 unless nimi keeps it shut.
      await t.step(
        "the install check passes with Deno 2.9.6 running this checkout",
        installCheck(await denoFromNpm("2.9.6")),
      );

      await t.step("pkgs.nimi and pkgs.nimi.lib are the nimi library", () => {
        assert.deepEqual(Object.keys(config.services), ["hello"]);
        assert.equal(direct, "nimi");
        assert.equal(functions.length, 8);
      });
    });
  },
});
