import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../src/config/mod.ts";
import { REPO_ROOT, runCli } from "../helpers/cli.ts";

const STRICT = `${REPO_ROOT}/tests/fixtures/strict`;

const TYPOS: Record<string, string> = {
  "process-typo.json":
    `services.web.process.argvv: warning: unknown key "argvv"; did you mean "argv"?`,
  "settings-typo.json": `settings.restart.mod: warning: unknown key "mod"; did you mean "mode"?`,
  "nimi-typo.json":
    `services.web.nimi.dependOn: warning: unknown key "dependOn"; did you mean "dependsOn"?`,
  "configdata-typo.json":
    `services.web.configData.a.sorce: warning: unknown key "sorce"; did you mean "source"?`,
  "top-level-typo.json": `setings: warning: unknown key "setings"; did you mean "settings"?`,
};

Deno.test("loadConfig() warns about a typo inside a structure nimi owns", async (t) => {
  for (const [file, expected] of Object.entries(TYPOS)) {
    await t.step(file, async () => {
      const config = await loadConfig(`${STRICT}/${file}`);
      assert.equal(config.warnings.length, 1);
      const d = config.warnings[0]!;
      assert.equal(`${d.path}: warning: ${d.message}`, expected);
    });
  }
});

Deno.test("loadConfig() with strict turns each typo into an error", async (t) => {
  for (const file of Object.keys(TYPOS)) {
    await t.step(file, async () => {
      await assert.rejects(() => loadConfig(`${STRICT}/${file}`, { strict: true }), ConfigError);
    });
  }
});

Deno.test("nimi validate prints typo warnings and exits 0; --strict exits 2", async () => {
  const file = `${STRICT}/process-typo.json`;
  const loose = await runCli(["--config", file, "validate"]);
  assert.equal(loose.code, 0);
  assert.match(loose.stderr, /process\.argvv: warning: unknown key "argvv"/);
  assert.match(loose.stdout, /valid: 1 service: web/);
  const strict = await runCli(["--config", file, "--strict", "validate"]);
  assert.equal(strict.code, 2);
  assert.equal(
    strict.stderr,
    `nimi: ${file}: services.web.process.argvv: unknown key "argvv"; did you mean "argv"? (--strict)\n`,
  );
});

Deno.test("loadConfig() is quiet about a service module's own options, meta and Nix-side extras", async () => {
  for (const file of ["module-options.json", "rust-nimi-extras.json"]) {
    const config = await loadConfig(`${REPO_ROOT}/tests/fixtures/valid/${file}`, { strict: true });
    // Only the one line a Rust Nimi file gets (src/config/rust_nimi.ts).
    assert.deepEqual(
      config.warnings.filter((w) => !w.message.startsWith("a Rust Nimi config:")),
      [],
    );
  }
});
