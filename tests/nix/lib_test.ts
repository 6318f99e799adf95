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

interface Image {
  args: {
    name: string;
    tag: string;
    config: { Entrypoint: string[]; WorkingDir?: string; Env?: string[] };
    extraCommands?: string;
    perms?: { regex: string; mode: string }[];
  };
  passwd: string;
  group: string;
  directories: { path: string; mode: string }[];
  bin: string;
}

interface LibResult {
  bin: { name: string; text: string; path: string; mainProgram: string };
  bwrap: { name: string; text: string; path: string };
  dockerImage: Image;
  nix2containerImage: Image;
  json: string;
  jsonCheck: string;
  evaluated: { binName: string; viaConfig: string };
}

/** Writes what writeShellApplication would build: `<outPath>/bin/<name>`. */
async function materialize(app: { name: string; text: string; path: string }): Promise<void> {
  await Deno.mkdir(`${app.path}/bin`, { recursive: true });
  await Deno.writeTextFile(`${app.path}/bin/${app.name}`, `#!/bin/sh\n${app.text}`);
  await Deno.chmod(`${app.path}/bin/${app.name}`, 0o755);
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
        const hostDirs = ["/usr", "/bin", "/lib", "/lib64"].filter(exists);
        const same = (p: string) => ({ src: p, dest: p });
        const extraModule = {
          settings: {
            binName: "hello-app",
            bubblewrap: {
              roBinds: [...hostDirs, "/nix/store", REPO_ROOT, nimiDir, Deno.execPath()].map(
                same,
              ),
              appendFlags: ["--bind", denoDir(), denoDir()],
            },
            container: { name: "demo", caCertificates: true },
          },
        };
        const r = await evalNimi(setup, "lib", `${REPO_ROOT}/examples/hello.nix`, {
          nimiDir,
          extraModule: JSON.stringify(extraModule),
        });
        assert.equal(r.code, 0, r.stderr);
        const lib = JSON.parse(r.stdout) as LibResult;
        const configFile = /--config (\S+) run/.exec(lib.bin.text)?.[1] ?? "";
        assert.match(configFile, /^\/nix\/store\/[a-z0-9]{32}-nimi-config\.json$/);

        await t.step("toNimiJson() writes toNimiConfig() and checks it with nimi validate", () => {
          const json = JSON.parse(lib.json);
          assert.equal(json.services.hello.process.argv[0], "/bin/sh");
          // What shapes the build stays out of the JSON nimi reads.
          for (const key of ["binName", "container", "bubblewrap"]) {
            assert.equal(json.settings[key], undefined, `settings.${key} in the JSON`);
          }
          assert.match(lib.jsonCheck, /nimi --strict --config "\$out" validate/);
        });

        await t.step("evalNimiModule() returns config, which mkNimiBinWithConfig() takes", () => {
          assert.equal(lib.evaluated.binName, "hello-app");
          assert.equal(lib.evaluated.viaConfig, "hello-app");
          assert.equal(lib.bin.name, "hello-app");
          assert.equal(lib.bin.mainProgram, "hello-app");
        });

        await t.step("mkNimiBin() runs nimi run on the config file", async () => {
          assert.ok(lib.bin.text.includes(`${nimiDir}/bin/nimi --config ${configFile} run "$@"`));
          if (!setup.storeWritable) {
            printSkip("running mkNimiBin's script", "the config file needs a writable /nix/store");
            return;
          }
          await materialize(lib.bin);
          const run = await runScript(lib.bin.text, dir);
          assert.equal(run.code, 0, run.out);
          assert.match(run.out, /hello from nimi/);
        });

        await t.step("mkBwrap() runs the wrapper inside a bubblewrap sandbox", async () => {
          assert.equal(lib.bwrap.name, "hello-app-sandbox");
          const flags = lib.bwrap.text.replaceAll("'", "");
          assert.match(flags, /bwrap .*--tmpfs \/etc.*--ro-bind-try \/etc\/resolv.conf/);
          assert.match(flags, /--ro-bind-try \/etc\/hosts \/etc\/hosts/);
          assert.match(flags, /--unshare-pid.*--die-with-parent.* -- .*hello-app "\$@"/s);
          if (!setup.storeWritable) {
            printSkip("running mkBwrap's script", "the config file needs a writable /nix/store");
            return;
          }
          await materialize(lib.bin);
          const run = await runScript(lib.bwrap.text, dir);
          assert.equal(run.code, 0, run.out);
          assert.match(run.out, /hello from nimi/);
          // A new PID namespace: the service's pid is small, unlike the host's.
          assert.match(run.out, /hello: started \(pid \d{1,2}\)/);
        });

        await t.step(
          "mkContainerImage() runs the wrapper as entrypoint, with either builder",
          () => {
            for (const image of [lib.dockerImage, lib.nix2containerImage]) {
              assert.equal(image.args.name, "demo");
              assert.equal(image.args.tag, "latest");
              assert.deepEqual(image.args.config.Entrypoint, [`${lib.bin.path}/bin/hello-app`]);
              assert.equal(image.args.config.WorkingDir, "/root");
              assert.ok(
                image.args.config.Env?.includes("SSL_CERT_FILE=/etc/ssl/certs/ca-bundle.crt"),
              );
              assert.deepEqual(image.directories.find((d) => d.path === "/tmp"), {
                path: "/tmp",
                mode: "1777",
              });
              assert.match(image.passwd, /^root:x:0:0::\/root:/m);
              assert.match(image.group, /^nobody:x:65534:$/m);
            }
            assert.match(
              lib.dockerImage.args.extraCommands ?? "",
              /mkdir -p \.\/tmp\nchmod 1777 \.\/tmp/,
            );
            assert.deepEqual(
              lib.nix2containerImage.args.perms?.find((p) => p.mode === "1777")?.regex,
              "/tmp$",
            );
          },
        );
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  },
});
