import assert from "node:assert/strict";
import { main } from "../../src/cli/main.ts";
import { MemoryOutput } from "../../src/cli/output.ts";
import { VERSION } from "../../src/version.ts";
import { COMMANDS } from "../../src/cli/command_table.ts";
import { REPO_ROOT, runCli } from "../helpers/cli.ts";

Deno.test("VERSION matches deno.json", async () => {
  const denoJson = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}/deno.json`));
  assert.equal(VERSION, denoJson.version);
});

Deno.test("nimi --version and -V print the version", async () => {
  for (const flag of ["--version", "-V"]) {
    const io = new MemoryOutput();
    assert.equal(await main([flag], io), 0);
    assert.equal(io.stdout, `nimi ${VERSION}\n`);
  }
});

Deno.test("nimi --help lists every command", async () => {
  const io = new MemoryOutput();
  assert.equal(await main(["--help"], io), 0);
  for (const c of ["run", "validate", "render", "schema"]) assert.match(io.stdout, new RegExp(c));
});

Deno.test("nimi validate prints the number and names of services, nested ones included", async () => {
  const file = `${REPO_ROOT}/tests/fixtures/valid/nested-two-levels.json`;
  for (
    const args of [["--config", file, "validate"], ["-c", file, "validate"], [
      "validate",
      "-c",
      file,
    ]]
  ) {
    const io = new MemoryOutput();
    assert.equal(await main(args, io), 0);
    assert.equal(
      io.stdout,
      `${file}: valid: 4 services: stack, stack-cache, stack-cache-warmer, solo\n`,
    );
    assert.equal(io.stderr, "");
  }
});

Deno.test("usage errors exit 2 with one line saying how to fix the call", async (t) => {
  const cases: [string[], string][] = [
    [[], `nimi: no command given; try "nimi --config FILE validate" or "nimi --help"\n`],
    [["validate"], `nimi: "nimi validate" needs a config: nimi --config FILE validate\n`],
    [
      ["frobnicate"],
      `nimi: unknown command "frobnicate"; expected one of: ${
        COMMANDS.map((c) => c.name).join(", ")
      }\n`,
    ],
    [["--bogus", "validate"], `nimi: unknown option --bogus; see "nimi --help"\n`],
    [["validate", "--config"], `nimi: option --config needs a value; see "nimi --help"\n`],
    [
      ["-c", "x.json", "validate", "--to", "s6"],
      `nimi: option --to belongs to "nimi render", not "nimi validate"\n`,
    ],
    [
      ["-c", "x.json", "run", "--log-format", "xml"],
      `nimi: --log-format must be "text" or "json", got "xml"\n`,
    ],
    [["validate", "run"], `nimi: unexpected argument "run"; give one command, see "nimi --help"\n`],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" ") || "(no arguments)", async () => {
      const io = new MemoryOutput();
      assert.equal(await main(args, io), 2);
      assert.equal(io.stderr, message);
      assert.equal(io.stdout, "");
    });
  }
});

Deno.test("deno run mod.ts and deno task nimi run the same CLI", async () => {
  const direct = await runCli(["--version"]);
  assert.equal(direct.code, 0);
  assert.equal(direct.stdout, `nimi ${VERSION}\n`);
  const task = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "nimi", "--version"],
    cwd: REPO_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(task.code, 0, new TextDecoder().decode(task.stderr));
  assert.equal(new TextDecoder().decode(task.stdout), `nimi ${VERSION}\n`);
});
