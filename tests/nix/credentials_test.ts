/**
 * A modular service written for NixOS runs unchanged under nimi: tests/nix/fixtures/tls-tunnel
 * (a module of the same shape as nixpkgs' ghostunnel module: its own options, a
 * `load-credentials` wrapper reading `$CREDENTIALS_DIRECTORY`, and behind `options ? systemd`
 * a unit with LoadCredential) evaluates, its systemd credentials become `nimi.credentials`, and
 * run with nimi the program reads them from `$CREDENTIALS_DIRECTORY`.
 *
 * With NIMI_GHOSTUNNEL_SERVICE set to a copy of nixpkgs' pkgs/by-name/gh/ghostunnel/service.nix,
 * the same is checked with the real module (ghostunnel's own option names); without it that
 * step prints why it is skipped.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/cli.ts";
import {
  evalNimi,
  exists,
  installScripts,
  nixSkipReason,
  printSkip,
  withNix,
  writeNimiStandIn,
} from "./nix_env.ts";

const skip = nixSkipReason();
if (skip !== null) printSkip("tests/nix/credentials_test.ts (systemd credentials)", skip);

const FIXTURE = `${REPO_ROOT}/tests/nix/fixtures/tls-tunnel`;
const decoder = new TextDecoder();

/** A nimi configuration with one service importing `module`, its options under `option`. */
function configNix(module: string, option: string, dir: string): string {
  return `{ pkgs, lib, ... }:
{
  services.tunnel = {
    imports = [ (lib.modules.importApply ${module} { inherit (pkgs) writeScript runtimeShell; }) ];
    ${option} = {
      package = {
        type = "derivation";
        name = "tls-tunnel";
        outPath = "\${${FIXTURE}/pkg}";
        meta.mainProgram = "tls-tunnel";
      };
      listen = "127.0.0.1:8443";
      target = "127.0.0.1:8080";
      cert = "${dir}/cert.pem";
      key = "${dir}/key.pem";
      disableAuthentication = true;
    };
  };
  settings.restart.mode = "never";
}
`;
}

async function check(module: string, option: string): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "nimi-credentials-" });
  try {
    await Deno.writeTextFile(`${dir}/cert.pem`, "CERTIFICATE-CONTENT\n");
    await Deno.writeTextFile(`${dir}/key.pem`, "KEY-CONTENT\n");
    await Deno.writeTextFile(`${dir}/config.nix`, configNix(module, option, dir));
    const nimiDir = await writeNimiStandIn(`${dir}/nimi`);
    await withNix(async (setup) => {
      const r = await evalNimi(setup, "config", `${dir}/config.nix`, { nimiDir });
      assert.equal(r.code, 0, r.stderr);
      const json = JSON.parse(r.stdout) as {
        services: { tunnel: { process: { argv: string[] }; nimi: { credentials: unknown } } };
      };
      const tunnel = json.services.tunnel;
      // LoadCredential of the systemd branch, as nimi.credentials.
      assert.deepEqual(tunnel.nimi.credentials, {
        cert: `${dir}/cert.pem`,
        key: `${dir}/key.pem`,
      });
      assert.match(tunnel.process.argv[0]!, /load-credentials$/);
      assert.ok(tunnel.process.argv.includes("--disable-authentication"));
      if (!setup.storeWritable) {
        printSkip(`running the ${option} service`, "its scripts need a writable /nix/store");
        return;
      }
      await installScripts(tunnel.process.argv, nimiDir);
      await Deno.writeTextFile(`${dir}/config.json`, r.stdout);
      const run = await new Deno.Command(`${nimiDir}/bin/nimi`, {
        args: ["--config", `${dir}/config.json`, "run"],
        cwd: dir,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const out = decoder.decode(run.stdout) + decoder.decode(run.stderr);
      assert.equal(run.code, 0, out);
      assert.match(out, /tls-tunnel: server --listen 127\.0\.0\.1:8443 --target 127\.0\.0\.1:8080/);
      assert.match(out, /--cert \/\S+\/cert: CERTIFICATE-CONTENT/);
      assert.match(out, /--key \/\S+\/key: KEY-CONTENT/);
      // From the service's private credentials directory, not the original files.
      assert.doesNotMatch(out, new RegExp(`--cert ${dir}/cert.pem`));
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The first nix block under "A nimi configuration" in docs/nix.md. */
async function docsExample(): Promise<string> {
  const text = await Deno.readTextFile(`${REPO_ROOT}/docs/nix.md`);
  const section = text.slice(text.indexOf("## A nimi configuration"));
  const m = /```nix\n([^]*?)```/.exec(section);
  assert.ok(m !== null, "docs/nix.md has no example under 'A nimi configuration'");
  return m[1]!;
}

async function checkDocsExample(ghostunnel: string): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "nimi-docs-example-" });
  try {
    await Deno.writeTextFile(`${dir}/example.nix`, await docsExample());
    // The example's packages: stand-ins, and nixpkgs' ghostunnel module with its package.
    await Deno.writeTextFile(
      `${dir}/config.nix`,
      `{ pkgs, lib, ... }@args:
let
  standIn = name: exe: { type = "derivation"; inherit name; outPath = "/usr"; meta.mainProgram = exe; };
  ghostunnel = standIn "ghostunnel" "true" // {
    services.default = {
      imports = [ (lib.modules.importApply ${ghostunnel} { inherit (pkgs) writeScript runtimeShell; }) ];
      ghostunnel.package = lib.mkDefault (standIn "ghostunnel" "true");
    };
  };
in
import ${dir}/example.nix (args // {
  pkgs = pkgs // {
    inherit ghostunnel;
    my-web = standIn "my-web" "true";
    my-worker = standIn "my-worker" "true";
    my-db = standIn "my-db" "true";
  };
})
`,
    );
    const nimiDir = await writeNimiStandIn(`${dir}/nimi`);
    await withNix(async (setup) => {
      const r = await evalNimi(setup, "config", `${dir}/config.nix`, { nimiDir });
      assert.equal(r.code, 0, r.stderr);
      const json = JSON.parse(r.stdout) as {
        services: Record<string, { nimi: { credentials: Record<string, string> } }>;
      };
      assert.deepEqual(Object.keys(json.services).sort(), ["db", "tunnel", "web"]);
      assert.deepEqual(json.services["tunnel"]!.nimi.credentials, {
        cacert: "/run/secrets/clients-ca.pem",
        cert: "/run/secrets/tunnel-cert.pem",
        key: "/run/secrets/tunnel-key.pem",
      });
      if (!setup.storeWritable) return;
      await Deno.writeTextFile(`${dir}/config.json`, r.stdout);
      const v = await new Deno.Command(`${nimiDir}/bin/nimi`, {
        args: ["--strict", "--config", `${dir}/config.json`, "validate"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(v.code, 0, decoder.decode(v.stdout) + decoder.decode(v.stderr));
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "a NixOS-style service module's systemd credentials reach it as $CREDENTIALS_DIRECTORY",
  ignore: skip !== null,
  fn: async (t) => {
    await t.step(
      "tests/nix/fixtures/tls-tunnel (ghostunnel's shape)",
      () => check(`${FIXTURE}/service.nix`, "tlsTunnel"),
    );
    await t.step("nixpkgs' ghostunnel module (NIMI_GHOSTUNNEL_SERVICE)", async () => {
      const real = Deno.env.get("NIMI_GHOSTUNNEL_SERVICE");
      if (real === undefined || !exists(real)) {
        printSkip(
          "the real ghostunnel module",
          "set NIMI_GHOSTUNNEL_SERVICE to a copy of nixpkgs' pkgs/by-name/gh/ghostunnel/service.nix",
        );
        return;
      }
      await check(real, "ghostunnel");
    });
    await t.step("the example of docs/nix.md, with nixpkgs' ghostunnel module", async () => {
      const real = Deno.env.get("NIMI_GHOSTUNNEL_SERVICE");
      if (real === undefined || !exists(real)) {
        printSkip(
          "the example of docs/nix.md",
          "set NIMI_GHOSTUNNEL_SERVICE to a copy of nixpkgs' pkgs/by-name/gh/ghostunnel/service.nix",
        );
        return;
      }
      await checkDocsExample(real);
    });
  },
});
