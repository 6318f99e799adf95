/**
 * The generated completion scripts loaded into the real shells, and the man page rendered by
 * the real man. zsh's completion system needs a line editor to run a completion, so its test
 * checks that the script parses and registers `_nimi` for `nimi` under compinit; bash and fish
 * are asked for real completions.
 *
 * @module
 */
import assert from "node:assert/strict";
import { bashCompletion, fishCompletion, zshCompletion } from "../../src/cli/completions.ts";
import { manPage } from "../../src/cli/man_page.ts";
import { COMMANDS } from "../../src/cli/command_table.ts";

async function sh(program: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(program, {
    args,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function scratch(name: string, text: string): Promise<{ dir: string; file: string }> {
  const dir = await Deno.makeTempDir({ prefix: "nimi-completions-" });
  const file = `${dir}/${name}`;
  await Deno.writeTextFile(file, text);
  return { dir, file };
}

function have(program: string): boolean {
  try {
    return Deno.statSync(`/usr/bin/${program}`).isFile;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

Deno.test("bash: complete -p nimi shows the completion, and _nimi completes words", async () => {
  const { dir, file } = await scratch("nimi.bash", bashCompletion());
  await Deno.writeTextFile(`${dir}/demo.json`, "{}");
  try {
    const complete = (words: string[]) =>
      [
        `source ${file}`,
        `COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")})`,
        `COMP_CWORD=${words.length - 1}`,
        `_nimi`,
        `printf '%s\\n' "\${COMPREPLY[@]}"`,
      ].join("; ");
    const p = await sh("bash", ["--norc", "-c", `source ${file}; complete -p nimi`]);
    assert.equal(p.code, 0, p.stderr);
    assert.equal(p.stdout, "complete -F _nimi nimi\n");
    const cases: [string[], string[]][] = [
      [["nimi", "ru"], ["run"]],
      [["nimi", "ren"], ["render"]],
      [["nimi", "re"], ["render", "restart", "reload"]],
      [["nimi", "-c", "x.json", "run", "--log"], ["--log-format"]],
      [["nimi", "run", "--log-format", ""], ["text", "json"]],
      [["nimi", "render", "--to", "s"], ["systemd", "supervisord", "s6", "s6-rc", "sysvinit"]],
      [["nimi", "completions", ""], ["bash", "zsh", "fish"]],
      [["nimi", "help", "va"], ["validate"]],
      [["nimi", "--config", `${dir}/de`], [`${dir}/demo.json`]],
    ];
    for (const [words, expected] of cases) {
      const r = await sh("bash", ["--norc", "-c", complete(words)]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split("\n"), expected, words.join(" "));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "fish: complete -C completes commands, option values and arguments",
  ignore: !have("fish"),
  async fn() {
    const { dir, file } = await scratch("nimi.fish", fishCompletion());
    try {
      const ask = async (line: string) => {
        const r = await sh("fish", ["--no-config", "-c", `source ${file}; complete -C '${line}'`]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stderr, "");
        return r.stdout.trim().split("\n").map((l) => l.split("\t")[0]);
      };
      assert.deepEqual(await ask("nimi ru"), ["run"]);
      assert.deepEqual((await ask("nimi render --to s")).sort(), [
        "s6",
        "s6-rc",
        "supervisord",
        "systemd",
        "sysvinit",
      ]);
      assert.deepEqual((await ask("nimi run --log-format ")).sort(), ["json", "text"]);
      assert.deepEqual((await ask("nimi completions ")).sort(), ["bash", "fish", "zsh"]);
      assert.ok((await ask("nimi --st")).includes("--strict"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
if (!have("fish")) {
  Deno.stderr.writeSync(
    new TextEncoder().encode(
      "completions_test: fish is not installed (tests/tools.sh installs it)" + "\n",
    ),
  );
}

Deno.test({
  name: "zsh: the script parses and compinit registers _nimi for nimi",
  ignore: !have("zsh"),
  async fn() {
    const { dir, file } = await scratch("_nimi", zshCompletion());
    try {
      const parse = await sh("zsh", ["-n", file]);
      assert.equal(parse.code, 0, parse.stderr);
      const r = await sh("zsh", [
        "-f",
        "-c",
        `fpath=(${dir} $fpath); autoload -U compinit; compinit -u -D; print -r -- $_comps[nimi]`,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "_nimi\n");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
if (!have("zsh")) {
  Deno.stderr.writeSync(
    new TextEncoder().encode(
      "completions_test: zsh is not installed (tests/tools.sh installs it)" + "\n",
    ),
  );
}

Deno.test("man -l renders the man page without warnings, with every command", async () => {
  const { dir, file } = await scratch("nimi.1", manPage());
  try {
    const r = await sh("man", ["--warnings", "-P", "cat", "-l", file], {
      MANWIDTH: "100",
      LANG: "C.UTF-8",
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.match(r.stdout, /^NIMI\(1\)/);
    for (const section of ["NAME", "SYNOPSIS", "COMMANDS", "OPTIONS", "EXIT STATUS"]) {
      assert.match(r.stdout, new RegExp(`^${section}$`, "m"));
    }
    for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`^ {7}${c.name}\\b`, "m"), c.name);
    assert.match(r.stdout, /--config FILE/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
