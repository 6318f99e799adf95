import assert from "node:assert/strict";
import { printfFormat, shJoin, shQuote } from "../../src/render/sh_quote.ts";
import { createStateDirs } from "../../src/render/mod.ts";
import {
  fixture,
  QUOTING_ARGS_OUTPUT,
  QUOTING_ENV_OUTPUT,
  readOrEmpty,
  renderTo,
  run,
  waitFor,
} from "./helpers.ts";

const WORDS = ["plain", "a b", "it's", "$HOME", "`id`", "100%", "a\nb", "\\", '"', "", "*", "~"];

Deno.test("shJoin() words reach the program unchanged through a real sh", async () => {
  const r = await run("sh", ["-c", `printf '%s\\0' ${shJoin(WORDS)}`]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.split("\0").slice(0, -1), WORDS);
  assert.equal(shQuote("/bin/sh"), "/bin/sh");
});

Deno.test("printfFormat() prints the text exactly through a real sh and printf", async () => {
  const text = "100% \\n 'q' \"dq\"\n\ttab\x01\n";
  const r = await run("sh", ["-c", `printf ${shQuote(printfFormat(text))}`]);
  assert.equal(r.stdout, text);
  assert.doesNotMatch(printfFormat(text), /\n/);
});

Deno.test("supervisord passes tricky argv, environment and configData through unchanged", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-render-quoting-sup-" });
  let child: Deno.ChildProcess | undefined;
  try {
    const result = await renderTo("supervisord", fixture("quoting.json"), `${dir}/out`, {
      stateDir: `${dir}/state`,
    });
    await createStateDirs(result.directories);
    child = new Deno.Command("supervisord", {
      args: ["-n", "-c", `${dir}/out/supervisord.conf`],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const log = (n: string) => readOrEmpty(`${dir}/state/logs/${n}.log`);
    await waitFor(
      "args output",
      async () => (await log("args")) === QUOTING_ARGS_OUTPUT ? true : undefined,
    ).catch(async (e) => {
      throw new Error(`${e.message}: got ${JSON.stringify(await log("args"))}`);
    });
    await waitFor(
      "env output",
      async () => (await log("env")) === QUOTING_ENV_OUTPUT ? true : undefined,
    ).catch(async (e) => {
      throw new Error(`${e.message}: got ${JSON.stringify(await log("env"))}`);
    });
  } finally {
    if (child) {
      child.kill("SIGTERM");
      await child.status;
    }
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sysvinit scripts pass tricky argv, environment and configData through unchanged", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-render-quoting-sysv-" });
  try {
    await renderTo("sysvinit", fixture("quoting.json"), `${dir}/out`, { stateDir: `${dir}/state` });
    for (const name of ["args", "env"]) {
      const r = await run(`${dir}/out/init.d/${name}`, ["start"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${name} completed\n`);
    }
    assert.equal(await Deno.readTextFile(`${dir}/state/args/output.log`), QUOTING_ARGS_OUTPUT);
    assert.equal(await Deno.readTextFile(`${dir}/state/env/output.log`), QUOTING_ENV_OUTPUT);
    // A oneshot that completed reports so.
    const st = await run(`${dir}/out/init.d/args`, ["status"]);
    assert.equal(st.code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
