/**
 * toNimiConfig() writes what nixpkgs' lib/services really produces: evaluating the configuration
 * behind tests/fixtures/modular-services.json gives that file, plus each service's `nimi`
 * attribute (nimi's per-service options with their defaults) and the full `settings`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/cli.ts";
import { evalNimi, nixSkipReason, printSkip, withNix } from "./nix_env.ts";

const skip = nixSkipReason();
if (skip !== null) printSkip("tests/nix/contract_test.ts (shape of toNimiConfig)", skip);

type Json = { [key: string]: unknown };

/** Removes each service's `nimi` attribute (recursively) and hides store paths of sources. */
function upstreamPart(services: Json): Json {
  return Object.fromEntries(
    Object.entries(services).map(([name, value]) => {
      const { nimi: _nimi, ...service } = value as Json;
      const configData = Object.fromEntries(
        Object.entries((service["configData"] ?? {}) as Json).map(([k, v]) => [
          k,
          { ...(v as Json), source: "<store path>" },
        ]),
      );
      return [name, {
        ...service,
        configData,
        services: upstreamPart(service["services"] as Json),
      }];
    }),
  );
}

Deno.test({
  name: "toNimiConfig() gives the real lib/services output plus nimi and settings",
  ignore: skip !== null,
  fn: async () => {
    const fixture = JSON.parse(
      await Deno.readTextFile(`${REPO_ROOT}/tests/fixtures/modular-services.json`),
    ) as { services: Json; settings: { restart: Json } };
    const r = await withNix((setup) =>
      evalNimi(setup, "config", `${REPO_ROOT}/tests/nix/fixtures/modular-services.nix`)
    );
    assert.equal(r.code, 0, r.stderr);
    const ours = JSON.parse(r.stdout) as { services: Json; settings: { restart: Json } };

    assert.deepEqual(upstreamPart(ours.services), upstreamPart(fixture.services));
    const echoA = ours.services["echo-a"] as { nimi: Json };
    assert.equal(echoA.nimi["type"], "simple");
    assert.deepEqual(Object.keys(ours.settings).sort(), [
      "logging",
      "pid1",
      "restart",
      "shutdown",
      "startup",
    ]);
    for (const [k, v] of Object.entries(fixture.settings.restart)) {
      assert.equal(ours.settings.restart[k], v, `settings.restart.${k}`);
    }
  },
});
