/**
 * The Nix options (nix/modules: per-service `nimi.*` and `settings.*`) and the runtime's JSON
 * Schema (`nimi schema`) declare the same options with the same types and defaults. The Nix side
 * is read by evaluating the module's options to JSON (nix/lib/options-contract.nix).
 *
 * @module
 */
import assert from "node:assert/strict";
import { runCli } from "../helpers/cli.ts";
import { evalNimi, nixSkipReason, printSkip, withNix } from "./nix_env.ts";
import { diffTrees, normalizeTree, type Tree, treeOfSchema } from "./schema_descriptor.ts";

type Schema = { [key: string]: unknown };

/** settings keys the runtime accepts only for files from the Rust Nimi's Nix side. */
const RUST_NIMI_ONLY = ["binName", "bubblewrap", "container"];

const skip = nixSkipReason();
if (skip !== null) printSkip("tests/nix/options_test.ts (Nix options vs JSON Schema)", skip);

async function schemaTrees(): Promise<{ nimi: Tree; settings: Tree }> {
  const r = await runCli(["schema"]);
  assert.equal(r.code, 0, r.stderr);
  const root = JSON.parse(r.stdout) as Schema;
  const props = root["properties"] as Record<string, Schema>;
  // Only the nimi object of a service: a service's own `services` refer back to it.
  const ref = (props["services"]!["additionalProperties"] as Schema)["$ref"] as string;
  const service = (root["$defs"] as Record<string, Schema>)[ref.replace("#/$defs/", "")];
  const nimiSchema = (service?.["properties"] as Record<string, Schema> | undefined)?.["nimi"];
  assert.ok(nimiSchema !== undefined, "the schema has no per-service nimi object");
  const nimi = { group: treeOfSchema(nimiSchema, root) };
  const settings = treeOfSchema(props["settings"]!, root);
  for (const key of RUST_NIMI_ONLY) {
    const node = settings[key];
    assert.ok(node !== undefined, `settings.${key} is gone from the schema: update RUST_NIMI_ONLY`);
    assert.deepEqual(node, { option: true, type: { nullable: { unknown: "any" } }, default: null });
    delete settings[key];
  }
  return { nimi: nimi.group, settings };
}

async function nixTrees(): Promise<{ nimi: Tree; settings: Tree }> {
  return await withNix(async (setup) => {
    const r = await evalNimi(setup, "options");
    assert.equal(r.code, 0, `evaluating the options contract failed:\n${r.stderr}`);
    const parsed = JSON.parse(r.stdout) as { nimi: Tree; settings: Tree };
    return { nimi: normalizeTree(parsed.nimi), settings: normalizeTree(parsed.settings) };
  });
}

Deno.test({
  name: "nix options and nimi schema declare the same nimi.* and settings.* options",
  ignore: skip !== null,
  fn: async (t) => {
    const [nix, schema] = await Promise.all([nixTrees(), schemaTrees()]);
    await t.step("per-service nimi.*", () => {
      assert.ok(Object.keys(nix.nimi).length >= 15, "too few nimi.* options found in Nix");
      assert.deepEqual(diffTrees(nix.nimi, schema.nimi, "nimi"), []);
    });
    await t.step("settings.*", () => {
      assert.deepEqual(Object.keys(nix.settings).sort(), [
        "logging",
        "pid1",
        "restart",
        "shutdown",
        "startup",
      ]);
      assert.deepEqual(diffTrees(nix.settings, schema.settings, "settings"), []);
    });
    await t.step("diffTrees() reports a changed default, type and a missing option", () => {
      const changed = structuredClone(nix.settings);
      const restart = changed["restart"] as { group: Tree };
      restart.group["count"] = { option: true, type: "boolean", default: 9 };
      delete restart.group["time"];
      assert.deepEqual(diffTrees(changed, schema.settings, "settings"), [
        `settings.restart.count: type: nix "boolean", schema {"integer":{"max":null,"min":0}}`,
        "settings.restart.count: default: nix 9, schema 5",
        "settings.restart.time: only in the JSON Schema",
      ]);
    });
  },
});
