/**
 * The committed image fixtures (tests/fixtures/images, which tests/container/image_layout_test.ts
 * builds podman images from) are what the Nix evaluation of the examples gives today:
 * regenerating each with the real nixpkgs lib gives the same bytes, and there is one per example.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  exampleNames,
  generateImageFixture,
  IMAGE_FIXTURES_DIR,
  imageFixturePath,
} from "./image_fixtures.ts";
import { nixSkipReason, printSkip } from "./nix_env.ts";

const skip = nixSkipReason();
if (skip !== null) printSkip("tests/nix/image_fixtures_test.ts", skip);

Deno.test({
  name: "tests/fixtures/images/*.json are what the examples' images evaluate to",
  ignore: skip !== null,
  fn: async (t) => {
    const committed = [...Deno.readDirSync(IMAGE_FIXTURES_DIR)].map((e) => e.name).sort();
    assert.deepEqual(
      committed,
      exampleNames().map((e) => imageFixturePath(e).slice(IMAGE_FIXTURES_DIR.length + 1)),
      "one fixture per example: NIXPKGS_LIB=... deno run -A tests/nix/image_fixtures.ts",
    );
    for (const example of exampleNames()) {
      await t.step(example, async () => {
        assert.equal(
          await generateImageFixture(example),
          await Deno.readTextFile(imageFixturePath(example)),
          "regenerate it: NIXPKGS_LIB=... deno run -A tests/nix/image_fixtures.ts",
        );
      });
    }
  },
});
