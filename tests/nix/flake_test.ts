/**
 * flake.nix's outputs, evaluated with a nixpkgs input whose package sets are the minimal pkgs
 * (tests/nix/pkgs.nix): every output the issue names is there for the four systems, the library
 * works through `lib.<system>` and `lib.forPkgs`, and every example has a check.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/cli.ts";
import { evalNimi, nixInstantiate, nixSkipReason, printSkip, withNix } from "./nix_env.ts";

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
  apps: Record<string, string[]>;
  vmApp: string;
  vmTest: { name: string; testScript: string; nodes: string[] };
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
    for (const output of ["packages", "checks", "devShells", "formatter", "apps"]) {
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
    const images = examples.map((e) => e.replace(/^example-/, "image-"));
    for (
      const check of [...examples, ...images, "package", "nixos-module-unit", "nixos-module-vm"]
    ) {
      assert.ok(checks.includes(check), `checks.x86_64-linux.${check} is missing`);
    }

    // nix run .#vm boots nix/vm.nix's machine; the nixosTest checks that both services answer.
    assert.deepEqual(f.apps["x86_64-linux"], ["vm"]);
    assert.deepEqual(f.apps["x86_64-darwin"], []);
    assert.match(f.vmApp, /\/bin\/run-nimi-vm-vm$/);
    assert.deepEqual(f.vmTest.nodes, ["machine"]);
    assert.match(f.vmTest.testScript, /wait_for_unit\("web\.service"\)/);
    for (const port of [8001, 8002]) {
      assert.ok(f.vmTest.testScript.includes(`curl -sf http://127.0.0.1:${port}/`), `port ${port}`);
    }
  },
});

Deno.test("flake.lock locks each input of flake.nix with a revision and a NAR hash", async () => {
  const r = await nixInstantiate([
    "--eval",
    "--strict",
    "--json",
    "-E",
    `builtins.attrNames (import ${REPO_ROOT}/flake.nix).inputs`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const inputs = JSON.parse(r.stdout) as string[];
  const lock = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}/flake.lock`)) as {
    version: number;
    root: string;
    nodes: Record<string, { inputs?: Record<string, string>; locked?: Record<string, unknown> }>;
  };
  assert.equal(lock.version, 7);
  assert.deepEqual(Object.keys(lock.nodes[lock.root]!.inputs ?? {}).sort(), inputs.sort());
  for (const input of inputs) {
    const node = lock.nodes[lock.nodes[lock.root]!.inputs![input]!]!;
    const locked = node.locked as { rev: string; narHash: string; lastModified: number };
    assert.match(locked.rev, /^[0-9a-f]{40}$/, input);
    assert.match(locked.narHash, /^sha256-[A-Za-z0-9+/]{43}=$/, input);
    assert.ok(locked.lastModified > 1.7e9, input);
  }
});
