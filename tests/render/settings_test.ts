import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/mod.ts";
import { findTarget, renderWithSettings, withStartupService } from "../../src/render/mod.ts";
import { fixture, run } from "./helpers.ts";

Deno.test("withStartupService() turns runOnStartup into a oneshot every top-level service needs", async () => {
  const config = withStartupService(await loadConfig(fixture("startup.json")));
  const startup = config.services[0]!;
  assert.equal(startup.name, "startup");
  assert.deepEqual(startup.argv, ["/bin/true"]);
  assert.equal(startup.type, "oneshot");
  for (const name of ["app", "app2"]) {
    assert.deepEqual(config.services.find((s) => s.name === name)!.dependsOn, [
      { name: "startup", condition: "completed-successfully" },
    ]);
  }
  assert.deepEqual(config.services.find((s) => s.name === "app2-child")!.dependsOn, []);
});

Deno.test("renderWithSettings() renders the hook for systemd and names nimi-only settings", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-render-settings-" });
  try {
    const config = await loadConfig(fixture("startup.json"));
    const result = renderWithSettings(findTarget("systemd")!, config, {
      prefix: "",
      user: false,
      stateDir: "/var/lib/nimi",
      rawConfig: null,
    });
    const app = result.files.find((f) => f.path === "app.service")!.content;
    assert.match(app, /^Requires=startup\.service$/m);
    const startup = result.files.find((f) => f.path === "startup.service")!.content;
    assert.match(startup, /^Type=oneshot$/m);
    const features = result.warnings.map((w) => w.feature);
    assert.ok(features.includes("settings.logging"));
    assert.ok(features.includes("settings.shutdown.stopOnFailure"));
    for (const f of result.files) await Deno.writeTextFile(`${dir}/${f.path}`, f.content);
    const r = await run("systemd-analyze", [
      "verify",
      ...result.files.map((f) => `${dir}/${f.path}`),
    ]);
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    // kubernetes-pod: nimi runs the hook itself.
    const pod = renderWithSettings(findTarget("kubernetes-pod")!, config, {
      prefix: "",
      user: false,
      stateDir: "/var/lib/nimi",
      rawConfig: {},
    });
    assert.deepEqual(pod.warnings, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
