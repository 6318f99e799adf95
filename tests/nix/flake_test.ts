/**
 * flake.nix's outputs, evaluated with a nixpkgs input whose package sets are the minimal pkgs
 * (tests/nix/pkgs.nix): every output the issue names is there for the four systems, the library
 * works through `lib.<system>` and `lib.forPkgs`, and every example has a check.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/cli.ts";
import { evalNimi, nixSkipReason, printSkip, withNix } from "./nix_env.ts";

const skip = nixSkipReason();
if (skip !== null) printSkip("tests/nix/flake_test.ts (flake outputs)", skip);

const SYSTEMS = ["aarch64-darwin", "aarch64-linux", "x86_64-darwin", "x86_64-linux"];

interface FlakeResult {
  outputs: Record<string, string[]>;
  perSystem: Record<string, string[]>;
  formatter: string;
  package: string;
  config: { services: Record<string, unknown> };
  forPkgs: { services: Record<string, unknown> };
  nixosModule: string;
  homeModule: string;
  flakeModule: string[];
  overlay: boolean;
}

Deno.test({
  name: "flake.nix has every output for the four systems, with a check per example",
  ignore: skip !== null,
  fn: async () => {
    const f = await withNix(async (setup) => {
      const r = await evalNimi(setup, "flake", `${REPO_ROOT}/examples/hello.nix`);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as FlakeResult;
    });
    for (const output of ["packages", "checks", "devShells", "formatter"]) {
      assert.deepEqual(f.outputs[output], SYSTEMS, output);
    }
    assert.deepEqual(f.outputs["lib"], [...SYSTEMS, "forPkgs"].sort());
    for (const modules of ["nixosModules", "homeModules", "flakeModules"]) {
      assert.deepEqual(f.outputs[modules], ["default", "nimi"], modules);
    }
    assert.deepEqual(f.outputs["overlays"], ["default"]);
    assert.ok(f.overlay);
    assert.deepEqual(f.perSystem["packages"], ["default", "nimi"]);
    assert.equal(f.package, "nimi");
    assert.deepEqual(f.perSystem["devShells"], ["default"]);
    assert.equal(f.formatter, "nixfmt");
    assert.match(f.nixosModule, /\/nix\/modules\/nixos\.nix$/);
    assert.match(f.homeModule, /\/nix\/modules\/home-manager\.nix$/);
    assert.deepEqual(f.flakeModule, ["_file", "imports"]);
    for (
      const fn of ["evalNimiModule", "toNimiConfig", "toNimiJson", "mkNimiBin", "mkContainerImage"]
    ) {
      assert.ok(f.perSystem["lib"]!.includes(fn), `lib.x86_64-linux.${fn}`);
    }
    assert.deepEqual(Object.keys(f.config.services), ["hello"]);
    assert.deepEqual(f.forPkgs, f.config);

    const examples = [...Deno.readDirSync(`${REPO_ROOT}/examples`)]
      .filter((e) => e.isFile && e.name.endsWith(".nix"))
      .map((e) => `example-${e.name.replace(/\.nix$/, "")}`);
    const checks = f.perSystem["checks"]!;
    for (const check of [...examples, "package", "image-hello", "nixos-module-unit"]) {
      assert.ok(checks.includes(check), `checks.x86_64-linux.${check} is missing`);
    }
  },
});
