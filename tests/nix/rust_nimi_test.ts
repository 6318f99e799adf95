/**
 * The Rust Nimi's own examples (weyl-ai/nimi's examples/*.nix) evaluate unchanged with nimi's
 * library on the nimi package, as the Rust Nimi's flake `callPackage`s them, and run: each
 * wrapper's config passes `nimi --strict validate`, the wrapper runs its services (stand-in
 * programs from tests/nix/fixtures/rust-nimi), and the JSON the Rust Nimi's own module makes of
 * the same configuration passes `nimi validate` with the one line about Rust Nimi files.
 *
 * Needs a checkout of weyl-ai/nimi in NIMI_RUST_NIMI and nixpkgs.lib in NIXPKGS_LIB; the two
 * ghostunnel examples also need NIMI_GHOSTUNNEL_SERVICE (nixpkgs' ghostunnel service.nix).
 * Without them each part prints why it is skipped. Nothing of the Rust Nimi is in this
 * repository.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/cli.ts";
import {
  exists,
  nixInstantiate,
  nixSkipReason,
  printSkip,
  rustNimiSkipReason,
  withNix,
  writeNimiStandIn,
} from "./nix_env.ts";
import { runUntil } from "./run_until.ts";

const rustNimi = Deno.env.get("NIMI_RUST_NIMI");
const ghostunnel = Deno.env.get("NIMI_GHOSTUNNEL_SERVICE");
const skip = nixSkipReason() ?? rustNimiSkipReason(rustNimi, "examples");
if (skip !== null) printSkip("tests/nix/rust_nimi_test.ts (the Rust Nimi's examples)", skip);

/** What each example's services print once they run (the stand-ins'), or how nimi refuses it. */
const EXPECTED: Record<string, RegExp> = {
  "config-data.nix": /http-server: my-config-file\.txt: hello world/,
  "sandboxed.nix": /redis-server: ready to accept connections/,
  "startup-script.nix": /hello world/,
  // Their certificates are files under /root that do not exist here: nimi refuses to start.
  "ghostunnel.nix": /credential.*\/root\/service-cert\.pem/,
  "container.nix": /credential.*\/root\/service-cert\.pem/,
};

interface Described {
  ours: { kind: string; text?: string; bin?: string };
  theirs: string | null;
}

/** Copies each `<nimiDir>/apps/<store name>/bin/<name>` path named in `text` from the store. */
async function installApps(text: string, nimiDir: string): Promise<void> {
  const re = new RegExp(`${nimiDir}/apps/([^/\\s"]+)/bin/([^\\s"]+)`, "g");
  for (const m of text.matchAll(re)) {
    await Deno.mkdir(`${nimiDir}/apps/${m[1]}/bin`, { recursive: true });
    await Deno.copyFile(`/nix/store/${m[1]}`, m[0]);
    await Deno.chmod(m[0], 0o755);
  }
}

Deno.test({
  name: "the Rust Nimi's examples evaluate with nimi's library and run",
  ignore: skip !== null,
  fn: async (t) => {
    const examples = [...Deno.readDirSync(`${rustNimi}/examples`)]
      .filter((e) => e.isFile && e.name.endsWith(".nix")).map((e) => e.name).sort();
    assert.deepEqual(examples, Object.keys(EXPECTED).sort(), "examples changed: update EXPECTED");
    for (const example of examples) {
      await t.step(example, async () => {
        const usesGhostunnel = (await Deno.readTextFile(`${rustNimi}/examples/${example}`))
          .includes("ghostunnel.services.default");
        if (usesGhostunnel && (ghostunnel === undefined || !exists(ghostunnel))) {
          printSkip(example, "set NIMI_GHOSTUNNEL_SERVICE to nixpkgs' ghostunnel service.nix");
          return;
        }
        const dir = await Deno.makeTempDir({ prefix: "nimi-rust-example-" });
        try {
          const nimiDir = await writeNimiStandIn(`${dir}/nimi`);
          await withNix(async (setup) => {
            if (!setup.storeWritable) {
              printSkip(example, "the examples' files need a writable /nix/store");
              return;
            }
            const args = [
              "--read-write-mode",
              "--eval",
              "--strict",
              "--json",
              `${REPO_ROOT}/tests/nix/rust_nimi.nix`,
              ...["--argstr", "root", setup.root, "--argstr", "rustNimi", rustNimi!],
              ...["--argstr", "example", example, "--argstr", "nimiDir", nimiDir],
              ...(usesGhostunnel ? ["--argstr", "ghostunnelService", ghostunnel!] : []),
            ];
            const r = await nixInstantiate(args);
            assert.equal(r.code, 0, r.stderr);
            const d = JSON.parse(r.stdout) as Described;
            const wrapper = d.ours.kind === "bin" ? d.ours.text! : d.ours.bin!;
            const config = /--config (\S+) run/.exec(wrapper)?.[1];
            assert.ok(config !== undefined, `no config file in ${wrapper}`);

            const strict = await runUntil(
              `${nimiDir}/bin/nimi`,
              ["--strict", "--config", config, "validate"],
              null,
              { cwd: dir },
            );
            assert.equal(strict.code, 0, strict.out);

            if (d.theirs !== null) {
              await Deno.writeTextFile(`${dir}/theirs.json`, d.theirs);
              const v = await runUntil(
                `${nimiDir}/bin/nimi`,
                ["--config", `${dir}/theirs.json`, "validate"],
                null,
                { cwd: dir },
              );
              assert.equal(v.code, 0, v.out);
              assert.match(v.out, /a Rust Nimi config/);
            }

            await installApps(await Deno.readTextFile(config), nimiDir);
            await Deno.writeTextFile(`${dir}/wrapper.sh`, wrapper);
            const ran = await runUntil("sh", [`${dir}/wrapper.sh`], EXPECTED[example]!, {
              cwd: dir,
            });
            assert.match(ran.out, EXPECTED[example]!);
          });
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
      });
    }
  },
});
