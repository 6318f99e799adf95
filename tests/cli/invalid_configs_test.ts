/**
 * Every invalid config in tests/fixtures/invalid, run through the real CLI: exit code 2, one
 * message naming the file, the JSON path and what was expected, and no stack trace.
 */
import assert from "node:assert/strict";
import { mapLimit, REPO_ROOT, runCli } from "../helpers/cli.ts";

const DIR = `${REPO_ROOT}/tests/fixtures/invalid`;
const expected: Record<string, { message: string; schemaError: boolean }> = JSON.parse(
  await Deno.readTextFile(`${DIR}/expected.json`),
);

function assertNoStackTrace(stderr: string): void {
  assert.doesNotMatch(stderr, /\n\s+at |Error:|Stack backtrace|file:\/\//);
}

Deno.test("nimi validate rejects every invalid fixture with exit 2 and a clear message", async (t) => {
  const names = Object.keys(expected).sort();
  assert.ok(names.length >= 30, `only ${names.length} invalid fixtures`);
  const results = await mapLimit(
    names,
    4,
    (name) => runCli(["--config", `${DIR}/${name}`, "validate"]),
  );
  for (const [i, name] of names.entries()) {
    await t.step(name, () => {
      const r = results[i]!;
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, "");
      assert.ok(
        r.stderr.includes(`nimi: ${DIR}/${name}: `),
        `message does not name the file:\n${r.stderr}`,
      );
      assert.ok(
        r.stderr.includes(expected[name]!.message),
        `expected ${JSON.stringify(expected[name]!.message)} in:\n${r.stderr}`,
      );
      assertNoStackTrace(r.stderr);
    });
  }
});

Deno.test("every invalid fixture has an expectation and vice versa", async () => {
  const files: string[] = [];
  for await (const e of Deno.readDir(DIR)) if (e.name !== "expected.json") files.push(e.name);
  assert.deepEqual(files.sort(), Object.keys(expected).sort());
});

Deno.test("nimi validate names a missing config file", async () => {
  const r = await runCli(["--config", "/nonexistent/nimi.json", "validate"]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "nimi: /nonexistent/nimi.json: cannot read config: no such file\n");
});

Deno.test("nimi validate names a directory given as config", async () => {
  const r = await runCli(["--config", DIR, "validate"]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `nimi: ${DIR}: cannot read config: is a directory\n`);
});

Deno.test("nimi validate names an unreadable config file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/locked.json`;
    await Deno.writeTextFile(file, `{"services": {}}`);
    await Deno.chmod(file, 0o000);
    // Root reads any file; drop the capabilities that allow it so the mode applies.
    const wrapper = Deno.uid() === 0
      ? ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
      : [];
    const r = await runCli(["--config", file, "validate"], { wrapper });
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `nimi: ${file}: cannot read config: permission denied\n`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
