/**
 * The nixos target: the module parses (`nix-instantiate --parse`), evaluates on its own to the
 * units the systemd target writes, and, with the real nixpkgs lib (NIXPKGS_LIB, as tests/nix
 * use it), type-checks through `lib.evalModules` against a stand-in of NixOS's systemd options
 * (tests/render/nix/nixos_stub.nix). Without NIXPKGS_LIB that last check is skipped with a
 * printed reason.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/mod.ts";
import { nixosUnit, nixString } from "../../src/render/nixos.ts";
import { systemdUnits } from "../../src/render/systemd.ts";
import { WarningList } from "../../src/render/warnings.ts";
import { nixInstantiate, nixSkipReason } from "../nix/nix_env.ts";
import { fixture, renderTo, REPO_ROOT } from "./helpers.ts";

const libReason = nixSkipReason();
if (libReason !== null) {
  Deno.stderr.writeSync(
    new TextEncoder().encode(`nixos_test: skipping the nixpkgs lib evaluation: ${libReason}\n`),
  );
}

Deno.test("nixString() escapes quotes, backslashes, interpolation and control characters", async () => {
  const tricky = 'a "b" \\ ${c} $d\n\t\r100%';
  assert.equal(nixString(tricky), '"a \\"b\\" \\\\ \\${c} $d\\n\\t\\r100%"');
  const r = await nixInstantiate(["--eval", "--json", "-E", nixString(tricky)]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), tricky);
});

async function expected(file: string, stateDir: string): Promise<unknown> {
  const config = await loadConfig(file);
  const units = systemdUnits(config, {
    prefix: "",
    user: false,
    stateDir,
    rawConfig: null,
    baseDir: REPO_ROOT,
  }, new WarningList("nixos"));
  const json = (u: (typeof units)[number]) => JSON.parse(JSON.stringify(nixosUnit(u)));
  return {
    services: Object.fromEntries(
      units.filter((u) => u.name.endsWith(".service")).map((u) => [u.name.slice(0, -8), json(u)]),
    ),
    targets: Object.fromEntries(
      units.filter((u) => u.name.endsWith(".target")).map((u) => [u.name.slice(0, -7), json(u)]),
    ),
  };
}

for (const name of ["demo", "full"]) {
  const file = name === "demo" ? `${REPO_ROOT}/examples/demo.json` : fixture("full.json");
  Deno.test(`nixos: the ${name} module parses and evaluates to the systemd target's units`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "nimi-test-render-nixos-" });
    try {
      await renderTo("nixos", file, dir, { stateDir: "/var/lib/nimi" });
      const module = `${dir}/nimi-services.nix`;
      const parsed = await nixInstantiate(["--parse", module]);
      assert.equal(parsed.code, 0, parsed.stderr);
      const alone = await nixInstantiate([
        "--eval",
        "--strict",
        "--json",
        "-E",
        `(import ${module} { }).systemd`,
      ]);
      assert.equal(alone.code, 0, alone.stderr);
      assert.deepEqual(JSON.parse(alone.stdout), await expected(file, "/var/lib/nimi"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test({
  name: "nixos: the module type-checks with the real nixpkgs lib's evalModules",
  ignore: libReason !== null,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "nimi-test-render-nixos-" });
    try {
      await renderTo("nixos", fixture("full.json"), dir, { stateDir: "/var/lib/nimi" });
      const lib = `${Deno.env.get("NIXPKGS_LIB")!.replace(/\/lib\/?$/, "")}/lib`;
      const expr = `let lib = import ${lib}; in (lib.evalModules { modules = [ ` +
        `${REPO_ROOT}/tests/render/nix/nixos_stub.nix ${dir}/nimi-services.nix ]; }).config.systemd`;
      const r = await nixInstantiate(["--eval", "--strict", "--json", "-E", expr]);
      assert.equal(r.code, 0, r.stderr);
      const systemd = JSON.parse(r.stdout);
      assert.deepEqual(systemd.services.web.after, ["db.service", "migrate.service"]);
      assert.deepEqual(systemd.services.web.partOf, ["nimi.target"]);
      assert.equal(systemd.services.db.serviceConfig.KillSignal, "SIGINT");
      assert.match(systemd.services.db.serviceConfig.ExecStartPost, /^nimi probe --wait/);
      assert.ok(systemd.targets.nimi.wants.includes("web.service"));
      // Defaults the stub fills in show the module went through the option types.
      assert.deepEqual(systemd.services.db.requires, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
