/**
 * Every Nix snippet of the Rust Nimi's documentation (weyl-ai/nimi docs/*.md) evaluates with
 * nimi, taken as it is written and given what it takes from its surroundings
 * (tests/nix/rust_nimi_docs.nix), and where it builds a wrapper its config passes `nimi --strict
 * validate` and it runs (stand-in programs). Needs NIMI_RUST_NIMI and NIXPKGS_LIB; without them
 * it prints why it is skipped.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/cli.ts";
import {
  nixInstantiate,
  nixSkipReason,
  printSkip,
  rustNimiSkipReason,
  withNix,
  writeNimiStandIn,
} from "./nix_env.ts";
import { runUntil } from "./run_until.ts";

const rustNimi = Deno.env.get("NIMI_RUST_NIMI");
const skip = nixSkipReason() ?? rustNimiSkipReason(rustNimi, "docs");
if (skip !== null) printSkip("tests/nix/rust_nimi_docs_test.ts (the Rust Nimi's docs)", skip);

/** The expression that evaluates a snippet, by the form it has in the documentation. */
function expressionOf(block: string): string {
  // As printed: an expression may end with `;`, a binding may lack it.
  const text = block.trim().replace(/;$/, "");
  if (/^pkgs\.nimi\./.test(text)) return text;
  if (/^packages\./.test(text)) return `({ ${text}; }).packages.\${system}.myNimiWrapper`;
  if (/^settings\.container\b/.test(text)) {
    return `pkgs.nimi.mkContainerImage { services.my-app.process.argv = [ (lib.getExe pkgs.my-app) ]; ${text}; }`;
  }
  if (/^settings\./.test(text)) {
    return `pkgs.nimi.mkNimiBin { services.my-app.process.argv = [ (lib.getExe pkgs.my-app) ]; ${text}; }`;
  }
  if (/\boutputs\s*=/.test(text)) return `(flakeOutputs (${text})).packages.\${system}.default`;
  if (/\bperSystem\b/.test(text)) return `(flakeParts (${text})).packages."web-service"`;
  if (/homeModules/.test(text)) return `home (${text})`;
  if (/nixosModules/.test(text)) return `nixos (${text})`;
  throw new Error(`no way to evaluate this snippet:\n${text}`);
}

Deno.test({
  name: "every Nix snippet of the Rust Nimi's docs evaluates with nimi, and its wrapper runs",
  ignore: skip !== null,
  fn: async (t) => {
    const blocks: { doc: string; text: string }[] = [];
    for (
      const e of [...Deno.readDirSync(`${rustNimi}/docs`)].sort((a, b) => a.name < b.name ? -1 : 1)
    ) {
      if (!e.name.endsWith(".md")) continue;
      const text = await Deno.readTextFile(`${rustNimi}/docs/${e.name}`);
      for (const m of text.matchAll(/```nix\n([^]*?)```/g)) {
        blocks.push({ doc: e.name, text: m[1]! });
      }
    }
    assert.ok(blocks.length >= 10, `only ${blocks.length} snippets found`);
    const dir = await Deno.makeTempDir({ prefix: "nimi-rust-docs-" });
    try {
      const nimiDir = await writeNimiStandIn(`${dir}/nimi`);
      await withNix(async (setup) => {
        if (!setup.storeWritable) {
          printSkip(
            "the Rust Nimi's docs",
            "their configData and stand-ins need a writable /nix/store",
          );
          return;
        }
        for (const [i, block] of blocks.entries()) {
          await t.step(`${block.doc} #${i}`, async () => {
            const file = `${dir}/snippet-${i}.nix`;
            await Deno.writeTextFile(
              file,
              `prelude: with prelude;\n${expressionOf(block.text)}\n`,
            );
            const r = await nixInstantiate([
              "--read-write-mode",
              "--eval",
              "--strict",
              "--json",
              `${REPO_ROOT}/tests/nix/rust_nimi_docs.nix`,
              ...["--argstr", "root", setup.root, "--argstr", "nimiDir", nimiDir],
              ...["--argstr", "snippet", file],
            ], { NIMI_TEST_NIXPKGS_ROOT: setup.root, NIMI_TEST_NIMI_DIR: nimiDir });
            assert.equal(r.code, 0, `${block.text}\n${r.stderr}`);
            const d = JSON.parse(r.stdout) as {
              kind: string;
              bin?: string;
              pname?: string;
              library?: boolean;
            };
            if (d.kind === "package") {
              assert.equal(d.pname, "nimi");
              assert.ok(d.library, "pkgs.nimi has no mkNimiBin");
              return;
            }
            const config = /--config (\S+) run/.exec(d.bin ?? "")?.[1];
            assert.ok(config !== undefined, `no config file in ${d.bin}`);
            const strict = await runUntil(`${nimiDir}/bin/nimi`, [
              "--strict",
              "--config",
              config,
              "validate",
            ], null);
            assert.match(strict.out, /valid:/, strict.out);
            // Each snippet's first service is one of the stand-ins, which says how it was started.
            const ran = await runUntil(
              `${nimiDir}/bin/nimi`,
              ["--config", config, "run"],
              /(my-app|nginx|some-application): /,
            );
            assert.match(ran.out, /(my-app|nginx|some-application): /, ran.out);
          });
        }
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
