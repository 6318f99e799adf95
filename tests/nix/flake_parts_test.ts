/**
 * nimi's flake-parts module under the real flake-parts (`mkFlake` of a checkout of
 * hercules-ci/flake-parts in NIMI_FLAKE_PARTS, with nixpkgs.lib in NIXPKGS_LIB): a
 * `perSystem.nimi.demo` becomes `packages` and `checks` `demo-service` and `demo-container`, the
 * service running nimi on its validated config. Without the checkouts it prints why it skips.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/cli.ts";
import { exists, nixInstantiate, nixSkipReason, printSkip, withNix } from "./nix_env.ts";

const flakeParts = Deno.env.get("NIMI_FLAKE_PARTS");
const skip = nixSkipReason() ??
  (flakeParts === undefined || !exists(`${flakeParts}/flake.nix`)
    ? "NIMI_FLAKE_PARTS is not set to a checkout of https://github.com/hercules-ci/flake-parts"
    : null);
if (skip !== null) printSkip("tests/nix/flake_parts_test.ts (the real flake-parts)", skip);

Deno.test({
  name: "flake-parts' mkFlake with nimi's module gives <name>-service and <name>-container",
  ignore: skip !== null,
  fn: async () => {
    await withNix(async (setup) => {
      const r = await nixInstantiate([
        ...(setup.storeWritable ? ["--read-write-mode"] : []),
        "--eval",
        "--strict",
        "--json",
        `${REPO_ROOT}/tests/nix/flake_parts.nix`,
        ...["--argstr", "root", setup.root, "--argstr", "flakeParts", flakeParts!],
        ...["--argstr", "module", `${REPO_ROOT}/examples/hello.nix`],
        ...["--argstr", "nimiDir", "/nonexistent/nimi"],
      ]);
      assert.equal(r.code, 0, r.stderr);
      const f = JSON.parse(r.stdout) as {
        packages: string[];
        checks: string[];
        service: string;
        image: string;
      };
      assert.deepEqual(f.packages, ["demo-container", "demo-service"]);
      assert.deepEqual(f.checks, ["demo-container", "demo-service"]);
      assert.match(
        f.service,
        /^exec \/nonexistent\/nimi\/bin\/nimi --config \/nix\/store\/\S+-nimi-config\.json run "\$@"/,
      );
      assert.equal(f.image, "dockerTools.buildLayeredImage");
    });
  },
});
