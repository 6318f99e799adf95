/**
 * src/cli/argv.ts gives what `node:util` `parseArgs` gives (strict, with tokens): the same
 * values, positionals and tokens, or the same error message, on hand-picked command lines and
 * on every short sequence of a set of awkward words.
 */
import assert from "node:assert/strict";
import { parseArgs } from "node:util";
import { type ArgvOption, parseArgv } from "../../src/cli/argv.ts";

const OPTIONS: Record<string, ArgvOption> = {
  config: { type: "string", short: "c" },
  strict: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  follow: { type: "boolean", short: "f" },
  lines: { type: "string", short: "n" },
  period: { type: "string" },
  "remap-exit": { type: "string", multiple: true, short: "e" },
  verbose: { type: "boolean", short: "v", multiple: true },
};

function viaNode(args: string[], allowPositionals: boolean): string {
  try {
    const r = parseArgs({ args, options: OPTIONS, allowPositionals, strict: true, tokens: true });
    return JSON.stringify({
      values: { ...r.values },
      positionals: r.positionals,
      tokens: r.tokens,
    });
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

function viaNimi(args: string[], allowPositionals: boolean): string {
  try {
    const r = parseArgv(args, OPTIONS, allowPositionals);
    return JSON.stringify({ values: r.values, positionals: r.positionals, tokens: r.tokens });
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

const CASES: string[][] = [
  [],
  ["--config"],
  ["--config", "--strict"],
  ["-c"],
  ["-cx.json"],
  ["-fh"],
  ["--strict=1"],
  ["--strict="],
  ["-x"],
  ["-", "a"],
  ["--follow="],
  ["-e", "1", "-e", "2"],
  ["--remap-exit=3", "-e4"],
  ["-5"],
  ["--config=", "x"],
  ["-fn", "3"],
  ["-fnx"],
  ["-c", "-f"],
  ["-c", "-"],
  ["--", "--config", "x"],
  ["a", "--config", "x", "b", "--", "-c"],
  ["--conf", "x"],
  ["--conf=x"],
  ["---x"],
  ["-hc"],
  ["--lines", "-3"],
  ["--period"],
  ["--period", "-1"],
  ["--period=-1"],
  ["-c", "a", "-c", "b"],
  ["-vv", "--verbose"],
  ["--toString"],
  ["--__proto__"],
  ["-n", "--", "x"],
  ["run", "--config", "x.json", "--strict", "-h"],
];

Deno.test("parseArgv() matches parseArgs on hand-picked command lines", () => {
  for (const args of CASES) {
    for (const allow of [true, false]) {
      assert.equal(viaNimi(args, allow), viaNode(args, allow), `${JSON.stringify(args)} ${allow}`);
    }
  }
});

Deno.test("parseArgv() matches parseArgs on every sequence of up to three awkward words", () => {
  const words = ["-c", "x", "--config", "--config=", "-fh", "-", "--", "-n5", "--strict", "-e"];
  let checked = 0;
  const visit = (args: string[]) => {
    assert.equal(viaNimi(args, true), viaNode(args, true), JSON.stringify(args));
    checked++;
    if (args.length < 3) { for (const w of words) visit([...args, w]); }
  };
  visit([]);
  assert.equal(checked, 1 + 10 + 100 + 1000);
});
