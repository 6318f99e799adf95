import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/mod.ts";
import { RenderError, renderWithSettings } from "../../src/render/mod.ts";
import { restartSteps, systemdTarget } from "../../src/render/systemd.ts";
import { nimiLauncher, renderTo, REPO_ROOT, run } from "./helpers.ts";

const DEMO = `${REPO_ROOT}/examples/demo.json`;

async function demoUnits(baseDir?: string): Promise<Map<string, string>> {
  const config = await loadConfig(DEMO);
  const result = renderWithSettings(systemdTarget, config, {
    prefix: "",
    user: false,
    stateDir: "/var/lib/nimi",
    rawConfig: null,
    nimi: "/usr/local/bin/nimi",
    ...(baseDir === undefined ? {} : { baseDir }),
  });
  return new Map(result.files.map((f) => [f.path, f.content]));
}

Deno.test("systemd: the demo's units have absolute programs, PartOf= and real readiness", async () => {
  const units = await demoUnits("/srv/demo");
  const startup = units.get("startup.service")!;
  assert.match(startup, /^ExecStart=\/srv\/demo\/examples\/demo\/startup\.sh$/m);
  const web = units.get("web.service")!;
  assert.match(web, /^ExecStart=python3 -u examples\/demo\/web\.py$/m);
  assert.match(web, /^WorkingDirectory=\/srv\/demo$/m, "relative arguments resolve as nimi run's");
  assert.match(
    web,
    /^ExecStartPost=\/usr\/local\/bin\/nimi probe --wait --period 100 tcp 127\.0\.0\.1 8765$/m,
  );
  for (const [name, text] of units) {
    if (name.endsWith(".service")) assert.match(text, /^PartOf=nimi\.target$/m, name);
    // systemd's own defaults are not spelled out.
    assert.doesNotMatch(text, /^(KillSignal=SIGTERM|TimeoutStartSec=|Restart=no)/m, name);
  }
  const client = units.get("client.service")!;
  assert.match(client, /^After=web\.service$/m);
  assert.match(client, /^Requires=web\.service$/m);
  const worker = units.get("worker.service")!;
  assert.match(worker, /^RestartSec=500ms$/m);
  assert.match(worker, /^RestartSteps=7$/m);
  assert.match(worker, /^RestartMaxDelaySec=60s$/m);
  assert.match(worker, /^# RestartSteps= and RestartMaxDelaySec= need systemd 254/m);
  assert.doesNotMatch(units.get("startup.service")!, /^Restart/m, "never: no Restart= lines");
});

Deno.test("systemd: a relative program with no directory to resolve it against is refused", async () => {
  await assert.rejects(
    () => demoUnits(),
    (e: unknown) =>
      e instanceof RenderError &&
      /services\.startup\.process\.argv|runOnStartup|startup/.test(e.message) &&
      /"examples\/demo\/startup\.sh" is a relative path/.test(e.message),
  );
});

Deno.test("restartSteps() makes systemd's growing delay reach nimi's cap like its backoff", () => {
  assert.equal(restartSteps(500, 2, 60000), 7); // 500 * 2^7 = 64000 >= 60000
  assert.equal(restartSteps(1000, 1, 60000), 0);
  assert.equal(restartSteps(1000, 3, 1000), 0);
  assert.equal(restartSteps(100, 10, 100000), 3);
});

Deno.test("systemd-analyze verify accepts the demo's units (only systemd 254 keys unknown)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-render-systemd-demo-" });
  try {
    const result = await renderTo("systemd", DEMO, `${dir}/out`, {
      stateDir: "/var/lib/nimi-test-render",
      nimi: await nimiLauncher(dir),
    });
    const r = await run(
      "systemd-analyze",
      ["verify", ...result.files.map((f) => `${dir}/out/${f.path}`)],
      { env: { SYSTEMD_LOG_LEVEL: "notice" } },
    );
    const version = Number((await run("systemd-analyze", ["--version"])).stdout.match(/\d+/)?.[0]);
    const lines = r.stderr.split("\n").filter((l) => l !== "");
    const allowed = version < 254 ? /Unknown key '(RestartSteps|RestartMaxDelaySec)'/ : /^$/;
    assert.deepEqual(lines.filter((l) => !allowed.test(l)), [], r.stderr);
    assert.equal(r.code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
