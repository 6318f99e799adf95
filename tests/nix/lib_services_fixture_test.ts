/**
 * The committed lib/services fixture is what the real nixpkgs lib produces today: regenerating
 * it with the project's Nix harness gives the same bytes.
 *
 * @module
 */
import assert from "node:assert/strict";
import { generateLibServicesFixture, LIB_SERVICES_FIXTURE } from "./lib_services_fixture.ts";
import { nixSkipReason, printSkip } from "./nix_env.ts";

const skip = nixSkipReason();
if (skip !== null) printSkip("tests/nix/lib_services_fixture_test.ts", skip);

Deno.test({
  name: "tests/fixtures/modular-services.json is what nixpkgs' lib/services evaluates to",
  ignore: skip !== null,
  fn: async () => {
    const committed = await Deno.readTextFile(LIB_SERVICES_FIXTURE);
    assert.equal(
      await generateLibServicesFixture(),
      committed,
      "regenerate it: NIXPKGS_LIB=... deno run -A tests/nix/lib_services_fixture.ts",
    );
  },
});
