/**
 * The JSON Schema printed by `nimi schema`, checked by an independent validator (ajv).
 */
import assert from "node:assert/strict";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parseConfigText } from "../../src/config/mod.ts";
import { REPO_ROOT, runCli } from "../helpers/cli.ts";

const printed = await runCli(["schema"]);
const schema = JSON.parse(printed.stdout);
const ajv = new Ajv2020({
  strict: false,
  allErrors: true,
  formats: { uri: (s: string) => URL.canParse(s) },
});
const check = ajv.compile(schema);

async function read(file: string): Promise<unknown> {
  return parseConfigText(file, await Deno.readTextFile(file));
}

Deno.test("nimi schema prints a draft 2020-12 JSON Schema", () => {
  assert.equal(printed.code, 0);
  assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.ok(schema.properties.services);
});

Deno.test("the JSON Schema accepts every valid fixture, the lib/services fixture and the examples", async (t) => {
  const files = [`${REPO_ROOT}/tests/fixtures/modular-services.json`];
  for (const dir of ["tests/fixtures/valid", "tests/fixtures/strict", "examples"]) {
    for await (const e of Deno.readDir(`${REPO_ROOT}/${dir}`)) {
      if (/\.jsonc?$/.test(e.name)) files.push(`${REPO_ROOT}/${dir}/${e.name}`);
    }
  }
  assert.ok(files.length > 10);
  for (const file of files) {
    await t.step(file.slice(REPO_ROOT.length + 1), async () => {
      const ok = check(await read(file));
      assert.ok(ok, JSON.stringify(check.errors));
    });
  }
});

Deno.test("the JSON Schema rejects the invalid fixtures that are schema errors", async (t) => {
  const dir = `${REPO_ROOT}/tests/fixtures/invalid`;
  const expected: Record<string, { schemaError: boolean }> = JSON.parse(
    await Deno.readTextFile(`${dir}/expected.json`),
  );
  const schemaErrors = Object.entries(expected).filter(([, e]) => e.schemaError);
  assert.ok(schemaErrors.length >= 20);
  for (const [name] of schemaErrors) {
    await t.step(name, async () => {
      assert.equal(check(await read(`${dir}/${name}`)), false);
    });
  }
});
