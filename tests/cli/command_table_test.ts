import assert from "node:assert/strict";
import { main } from "../../src/cli/main.ts";
import { HANDLERS } from "../../src/cli/main.ts";
import { MemoryOutput } from "../../src/cli/output.ts";
import { COMMANDS, GLOBAL_OPTIONS, OPTIONS, RENDER_TARGETS } from "../../src/cli/command_table.ts";
import { editDistance, suggest } from "../../src/cli/suggest.ts";
import { TARGETS } from "../../src/render/targets.ts";

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = new MemoryOutput();
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

Deno.test("COMMANDS: every command but help has a handler, every handler a command", () => {
  const names = COMMANDS.map((c) => c.name).filter((n) => n !== "help").sort();
  assert.deepEqual(Object.keys(HANDLERS).sort(), names);
});

Deno.test("COMMANDS: every option is known, and every known option is used somewhere", () => {
  const used = new Set([...GLOBAL_OPTIONS, ...COMMANDS.flatMap((c) => c.options)]);
  for (const name of used) assert.ok(OPTIONS[name], `option ${name} is not in OPTIONS`);
  for (const name of Object.keys(OPTIONS)) assert.ok(used.has(name), `option ${name} is unused`);
});

Deno.test("RENDER_TARGETS lists exactly the renderers' targets, in their order", () => {
  assert.deepEqual(RENDER_TARGETS, TARGETS.map((t) => t.name));
});

Deno.test("nimi help COMMAND and nimi COMMAND --help print the same per-command help", async () => {
  for (const c of COMMANDS) {
    const viaHelp = await cli(["help", c.name]);
    const viaFlag = await cli([c.name, "--help"]);
    assert.equal(viaHelp.code, 0);
    assert.equal(viaFlag.code, 0);
    assert.equal(viaHelp.out, viaFlag.out);
    assert.match(viaHelp.out, new RegExp(`^nimi ${c.name}: `));
    for (const u of c.usage) assert.ok(viaHelp.out.includes(`nimi ${u}`), u);
    for (const o of c.options) assert.ok(viaHelp.out.includes(`--${o}`), `${c.name} --${o}`);
  }
});

Deno.test("nimi --help lists every command with its summary and usage", async () => {
  const { code, out } = await cli(["--help"]);
  assert.equal(code, 0);
  for (const c of COMMANDS) {
    assert.ok(out.includes(c.summary), c.name);
    for (const u of c.usage) assert.ok(out.includes(`nimi ${u}`), u);
  }
});

Deno.test("a mistyped command, option or argument gets a did-you-mean, exit 2", async (t) => {
  const cases: [string[], string][] = [
    [["rnu"], `nimi: unknown command "rnu"; did you mean "run"? (see "nimi --help")\n`],
    [
      ["valdiate"],
      `nimi: unknown command "valdiate"; did you mean "validate"? (see "nimi --help")\n`,
    ],
    [["validate", "--stirct"], `nimi: unknown option --stirct; did you mean --strict?\n`],
    [["-c", "x", "render", "--ot", "s6"], `nimi: unknown option --ot; did you mean --to?\n`],
    [
      ["completions", "bsh"],
      `nimi: SHELL must be one of bash, zsh, fish, got "bsh"; did you mean "bash"?\n`,
    ],
    [
      ["help", "rnder"],
      `nimi: COMMAND must be one of ${
        COMMANDS.map((c) => c.name).join(", ")
      }, got "rnder"; did you mean "render"?\n`,
    ],
    [
      ["completions"],
      `nimi: "nimi completions" needs SHELL; usage: nimi completions bash|zsh|fish\n`,
    ],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" "), async () => {
      const r = await cli(args);
      assert.equal(r.code, 2);
      assert.equal(r.err, message);
      assert.equal(r.out, "");
    });
  }
});

Deno.test("suggest() picks the closest word within a third of its length, or a unique prefix", () => {
  assert.equal(editDistance("stauts", "status"), 1);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(suggest("rnu", ["run", "render"]), "run");
  assert.equal(suggest("comp", ["completions", "compose"]), undefined);
  assert.equal(suggest("compl", ["completions", "compose"]), "completions");
  assert.equal(suggest("xyz", ["run", "render"]), undefined);
});
