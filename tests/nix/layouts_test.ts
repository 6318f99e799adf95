/**
 * nix/lib/services-lib.nix finds nixpkgs' modular services in each layout nixpkgs has had:
 * `lib/services/lib.nix` (26.05 and later), `nixos/modules/system/service/portable/lib.nix`
 * (25.11), and `service.nix` alone (its `configure`, `getAssertions`, `getWarnings` rebuilt).
 * Each layout is made from NIXPKGS_LIB's files in a temporary tree, and must give the same JSON
 * and the same assertion failures.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/cli.ts";
import { evalNimi, nixSkipReason, printSkip, withNix } from "./nix_env.ts";

const skip = nixSkipReason();
if (skip !== null) printSkip("tests/nix/layouts_test.ts (older nixpkgs layouts)", skip);

const STUBS = `${REPO_ROOT}/tests/nix/stubs`;
const PORTABLE = "nixos/modules/system/service/portable";

/** lib/ without services/: a directory of links to every other entry of the real lib/. */
async function libWithoutServices(realLib: string, root: string): Promise<void> {
  await Deno.mkdir(`${root}/lib`);
  for (const entry of Deno.readDirSync(realLib)) {
    if (entry.name !== "services") {
      await Deno.symlink(`${realLib}/${entry.name}`, `${root}/lib/${entry.name}`);
    }
  }
}

/**
 * An older layout: upstream's files copied (not linked: Nix resolves a linked file's relative
 * imports from the link's target) under portable/, and the stand-ins where service.nix's
 * relative imports land from there.
 */
async function portableLayout(realLib: string, root: string, withLib: boolean): Promise<void> {
  await libWithoutServices(realLib, root);
  await Deno.mkdir(`${root}/${PORTABLE}`, { recursive: true });
  const files = ["service.nix", "config-data.nix", "config-data-item.nix"];
  if (withLib) files.push("lib.nix");
  for (const f of files) {
    await Deno.copyFile(`${realLib}/services/${f}`, `${root}/${PORTABLE}/${f}`);
  }
  const generic = `${root}/nixos/modules/system/modules/generic`;
  const misc = `${root}/nixos/modules/system/nixos/modules/misc`;
  await Deno.mkdir(generic, { recursive: true });
  await Deno.mkdir(misc, { recursive: true });
  await Deno.copyFile(
    `${STUBS}/modules/generic/meta-maintainers.nix`,
    `${generic}/meta-maintainers.nix`,
  );
  await Deno.copyFile(`${STUBS}/nixos/modules/misc/assertions.nix`, `${misc}/assertions.nix`);
}

Deno.test({
  name: "services-lib.nix gives the same services in every nixpkgs layout",
  ignore: skip !== null,
  fn: async (t) => {
    await withNix(async (setup) => {
      const example = `${REPO_ROOT}/examples/reusable-service.nix`;
      const failing = `${REPO_ROOT}/tests/nix/fixtures/failing-assertion.nix`;
      const reference = await evalNimi(setup, "config", example);
      assert.equal(reference.code, 0, reference.stderr);
      const realLib = `${setup.root}/lib`;

      for (
        const [name, withLib] of [["25.11 portable/lib.nix", true], [
          "service.nix only",
          false,
        ]] as const
      ) {
        await t.step(name, async () => {
          const root = await Deno.makeTempDir({ prefix: "nimi-layout-" });
          try {
            await portableLayout(await Deno.realPath(realLib), root, withLib);
            const layout = { ...setup, root };
            const r = await evalNimi(layout, "config", example);
            assert.equal(r.code, 0, r.stderr);
            assert.deepEqual(JSON.parse(r.stdout), JSON.parse(reference.stdout));
            assert.match(
              r.stderr,
              /warning: in services\.greeter-a: greeter\.greeting is the default/,
            );

            const f = await evalNimi(layout, "config", failing);
            assert.notEqual(f.code, 0);
            assert.ok(
              f.stderr.includes(
                "- in services.app.services.worker.services.helper: helper needs arithmetic to be broken",
              ),
              f.stderr,
            );
          } finally {
            await Deno.remove(root, { recursive: true });
          }
        });
      }

      await t.step(
        "a tree without modular services is an error naming what is missing",
        async () => {
          const root = await Deno.makeTempDir({ prefix: "nimi-layout-" });
          try {
            await libWithoutServices(await Deno.realPath(realLib), root);
            const r = await evalNimi({ ...setup, root }, "config", example);
            assert.notEqual(r.code, 0);
            assert.match(
              r.stderr,
              /nimi: cannot find nixpkgs' modular services under .*: nixpkgs 25\.11 or later is needed/,
            );
          } finally {
            await Deno.remove(root, { recursive: true });
          }
        },
      );
    });
  },
});
