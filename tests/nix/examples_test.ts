/**
 * Every examples/*.nix evaluates (nix-instantiate --eval --strict --json, nixpkgs' lib from
 * NIXPKGS_LIB, a minimal pkgs), passes `nimi --strict validate` without warnings, and runs with
 * `nimi run` when its services exit by themselves. Without NIXPKGS_LIB the tests print why they
 * are skipped.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REPO_ROOT, runCli } from "../helpers/cli.ts";
import { evalNimi, type NixSetup, nixSkipReason, printSkip, withNix } from "./nix_env.ts";

/** What running an example must show. */
interface RunExpectation {
  /** Lines (substrings) its output must contain. */
  lines: string[];
  /** Pairs [a, b]: the line containing a comes before the line containing b. */
  order: [string, string][];
}

/** Each example and what `nimi run` must show, or why it is not run here. */
const EXAMPLES: Record<string, RunExpectation | { notRun: string }> = {
  "hello.nix": { lines: ["hello from nimi"], order: [] },
  "reusable-service.nix": {
    lines: ["port 7001: hello", "port 7002: bonjour", "stack up", "warming"],
    order: [["cache up", "warming"]],
  },
  "web-stack.nix": {
    lines: ["db: accepting connections", "migrate: schema 42 applied", "web: serving on port 8080"],
    order: [
      ["db: accepting connections", "migrate: schema 42 applied"],
      ["migrate: schema 42 applied", "web: serving on port 8080"],
    ],
  },
};

const skip = nixSkipReason();
if (skip !== null) printSkip("tests/nix/examples_test.ts (evaluating examples/*.nix)", skip);

function exampleFiles(): string[] {
  return [...Deno.readDirSync(`${REPO_ROOT}/examples`)]
    .filter((e) => e.isFile && e.name.endsWith(".nix"))
    .map((e) => e.name)
    .sort();
}

Deno.test("every examples/*.nix has an entry saying how its check runs it", () => {
  assert.deepEqual(exampleFiles(), Object.keys(EXAMPLES).sort());
});

function lineIndex(lines: string[], needle: string): number {
  const i = lines.findIndex((l) => l.includes(needle));
  assert.notEqual(i, -1, `no output line contains ${JSON.stringify(needle)}`);
  return i;
}

async function runExample(
  setup: NixSetup,
  json: string,
  config: unknown,
  expect: RunExpectation,
): Promise<void> {
  const hasConfigData = JSON.stringify(config).includes('"configData":{"');
  if (hasConfigData && !setup.storeWritable) {
    printSkip(
      `nimi run ${json}`,
      "its configData files need a writable /nix/store (nix-instantiate --read-write-mode)",
    );
    return;
  }
  const cwd = await Deno.makeTempDir({ prefix: "nimi-example-run-" });
  try {
    const r = await runCli(["--config", json, "run"], { cwd });
    assert.equal(r.code, 0, `nimi run exited ${r.code}:\n${r.stdout}${r.stderr}`);
    const lines = r.stdout.split("\n");
    for (const line of expect.lines) lineIndex(lines, line);
    for (const [a, b] of expect.order) {
      assert.ok(lineIndex(lines, a) < lineIndex(lines, b), `"${a}" should come before "${b}"`);
    }
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
}

Deno.test({
  name: "toNimiConfig() of every example validates and the runnable ones run",
  ignore: skip !== null,
  fn: async (t) => {
    await withNix(async (setup) => {
      const dir = await Deno.makeTempDir({ prefix: "nimi-examples-" });
      try {
        for (const file of exampleFiles()) {
          await t.step(file, async () => {
            const evaluated = await evalNimi(setup, "config", `${REPO_ROOT}/examples/${file}`);
            assert.equal(evaluated.code, 0, `evaluating ${file} failed:\n${evaluated.stderr}`);
            const json = `${dir}/${file.replace(/\.nix$/, ".json")}`;
            await Deno.writeTextFile(json, evaluated.stdout);
            const config = JSON.parse(evaluated.stdout) as Record<string, unknown>;
            assert.deepEqual(Object.keys(config).sort(), ["services", "settings"]);

            const validated = await runCli(["--strict", "--config", json, "validate"]);
            assert.equal(validated.code, 0, `nimi validate failed:\n${validated.stderr}`);
            assert.match(validated.stdout, /: valid: /);
            assert.doesNotMatch(validated.stderr, /unknown key/);

            const expect = EXAMPLES[file];
            assert.ok(expect !== undefined, `${file} has no entry in EXAMPLES`);
            if ("notRun" in expect) printSkip(`nimi run examples/${file}`, expect.notRun);
            else await runExample(setup, json, config, expect);
          });
        }
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  },
});
