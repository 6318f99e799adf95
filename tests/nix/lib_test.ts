/**
 * The library's builders, evaluated with the minimal pkgs (tests/nix/pkgs.nix): the scripts
 * mkNimiBin and mkBwrap write really run nimi (mkBwrap inside a real bubblewrap sandbox), and
 * mkContainerImage gives nimi as the entrypoint to dockerTools or nix2container.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/cli.ts";
import {
  evalNimi,
  exists,
  nixSkipReason,
  printSkip,
  withNix,
  writeNimiStandIn,
} from "./nix_env.ts";

const skip = nixSkipReason();
if (skip !== null) printSkip("tests/nix/lib_test.ts (mkNimiBin, mkBwrap, mkContainerImage)", skip);

interface LibResult {
  bin: string;
  bwrap: string;
  dockerImage: { name: string; config: { Entrypoint: string[] } };
  nix2containerImage: { name: string; config: { Entrypoint: string[] } };
  json: string;
  jsonCheck: string;
}

const decoder = new TextDecoder();

async function runScript(script: string, dir: string): Promise<{ code: number; out: string }> {
  const file = `${dir}/script.sh`;
  await Deno.writeTextFile(file, script);
  const r = await new Deno.Command("sh", {
    args: [file],
    cwd: dir,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  return { code: r.code, out: decoder.decode(r.stdout) + decoder.decode(r.stderr) };
}

function denoDir(): string {
  const out = new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" })
    .outputSync();
  return (JSON.parse(decoder.decode(out.stdout)) as { denoDir: string }).denoDir;
}

Deno.test({
  name: "mkNimiBin(), mkBwrap() and mkContainerImage() run nimi with the configuration",
  ignore: skip !== null,
  fn: async (t) => {
    await withNix(async (setup) => {
      const dir = await Deno.makeTempDir({ prefix: "nimi-lib-" });
      try {
        const nimiDir = await writeNimiStandIn(`${dir}/nimi`);
        const hostDirs = ["/usr", "/bin", "/lib", "/lib64", "/etc"].filter(exists);
        const bwrapArgs = {
          roBind: [...hostDirs, REPO_ROOT, nimiDir, Deno.execPath()],
          bind: [denoDir()],
        };
        const r = await evalNimi(setup, "lib", `${REPO_ROOT}/examples/hello.nix`, {
          nimiDir,
          bwrapArgs: JSON.stringify(bwrapArgs),
        });
        assert.equal(r.code, 0, r.stderr);
        const lib = JSON.parse(r.stdout) as LibResult;
        const configFile = lib.dockerImage.config.Entrypoint[2]!;

        await t.step("toNimiJson() writes toNimiConfig() and checks it with nimi validate", () => {
          assert.equal(JSON.parse(lib.json).services.hello.process.argv[0], "/bin/sh");
          assert.match(lib.jsonCheck, /nimi --strict --config "\$out" validate/);
        });

        await t.step("mkNimiBin() runs nimi run on the config file", async () => {
          assert.ok(lib.bin.includes(`${nimiDir}/bin/nimi --config ${configFile} run "$@"`));
          if (!setup.storeWritable) {
            printSkip("running mkNimiBin's script", "the config file needs a writable /nix/store");
            return;
          }
          const run = await runScript(lib.bin, dir);
          assert.equal(run.code, 0, run.out);
          assert.match(run.out, /hello from nimi/);
        });

        await t.step("mkBwrap() runs nimi inside a bubblewrap sandbox", async () => {
          assert.match(lib.bwrap, /bwrap .*--unshare-all .*--die-with-parent/);
          if (!setup.storeWritable) {
            printSkip("running mkBwrap's script", "the config file needs a writable /nix/store");
            return;
          }
          const run = await runScript(lib.bwrap, dir);
          assert.equal(run.code, 0, run.out);
          assert.match(run.out, /hello from nimi/);
          // A new PID namespace: the service's pid is small, unlike the host's.
          assert.match(run.out, /hello: started \(pid \d{1,2}\)/);
        });

        await t.step("mkContainerImage() makes nimi the entrypoint, with either builder", () => {
          for (const image of [lib.dockerImage, lib.nix2containerImage]) {
            assert.equal(image.name, "demo");
            assert.deepEqual(image.config.Entrypoint, [
              `${nimiDir}/bin/nimi`,
              "--config",
              configFile,
              "run",
            ]);
          }
          assert.match(configFile, /^\/nix\/store\/[a-z0-9]{32}-nimi-config\.json$/);
        });
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  },
});
