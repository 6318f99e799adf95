import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/mod.ts";
import { renderSystemd, systemdQuote } from "../../src/render/systemd.ts";
import { fixture, nimiLauncher, renderTo, run } from "./helpers.ts";

Deno.test("systemdQuote() escapes specifiers, variables, quotes and control characters", () => {
  assert.equal(systemdQuote("/bin/sh", true), "/bin/sh");
  assert.equal(systemdQuote("echo $HOME 100%", true), '"echo $$HOME 100%%"');
  assert.equal(systemdQuote("A=$HOME", false), '"A=$HOME"');
  assert.equal(systemdQuote('say "hi"\n\\', true), '"say \\"hi\\"\\n\\\\"');
  assert.equal(systemdQuote("a\x01", true), '"a\\x01"');
});

Deno.test("renderSystemd() writes units with dependencies, restart, stop and credentials", async (t) => {
  const config = await loadConfig(fixture("full.json"));
  const result = renderSystemd(config, {
    prefix: "p-",
    user: false,
    stateDir: "/var/lib/p-nimi",
    rawConfig: null,
  });
  const unit = (name: string) => result.files.find((f) => f.path === name)!.content;
  await t.step("dependencies become After= with Requires= or Wants=", () => {
    const web = unit("p-web.service");
    assert.match(web, /^After=p-db\.service$/m);
    assert.match(web, /^Requires=p-migrate\.service$/m);
    assert.match(unit("p-migrate.service"), /^Type=oneshot$/m);
    assert.match(unit("p-migrate.service"), /^RemainAfterExit=yes$/m);
  });
  await t.step("an exec readiness probe gates dependents through ExecStartPost", () => {
    assert.match(
      unit("p-db.service"),
      /^ExecStartPost=nimi probe --wait (--\S+ \d+ )*exec \/bin\/true$/m,
    );
  });
  await t.step("restart, stop signal and timeout, credentials, state directory", () => {
    const web = unit("p-web.service");
    assert.match(web, /^StartLimitBurst=4$/m);
    assert.match(web, /^Restart=on-failure$/m);
    assert.match(web, /^LoadCredential=cert:\/etc\/hostname$/m);
    assert.match(web, /^Environment=XDG_CONFIG_HOME=\/var\/lib\/p-nimi\/p-web\/config$/m);
    assert.match(web, /^StateDirectory=p-nimi\/p-web$/m);
    assert.match(web, /^User=daemon$/m);
    const db = unit("p-db.service");
    assert.match(db, /^KillSignal=SIGINT$/m);
    assert.match(db, /^TimeoutStopSec=3s$/m);
    assert.match(db, /^Restart=always$/m);
    assert.match(db, /^RestartSec=500ms$/m);
  });
  await t.step("the target wants every unit", () => {
    const target = unit("p-nimi.target");
    for (const n of ["p-db", "p-migrate", "p-web", "p-stack", "p-stack-cache"]) {
      assert.match(target, new RegExp(`^Wants=${n}\\.service$`, "m"));
    }
  });
  await t.step("probes systemd cannot run are named in warnings", () => {
    const w = result.warnings.map((x) => `${x.service}: ${x.feature}`);
    assert.ok(!w.includes("web: readiness probe (http)"), w.join("\n"));
    assert.match(unit("p-web.service"), /^ExecStartPost=nimi probe --wait .*http http:/m);
    assert.ok(w.includes("web: liveness probe (exec)"));
    assert.ok(w.includes("stack-cache: readiness probe (log)"));
  });
});

Deno.test("renderSystemd() --user drops User=/Group= with a warning", async () => {
  const config = await loadConfig(fixture("full.json"));
  const result = renderSystemd(config, {
    prefix: "",
    user: true,
    stateDir: "/home/u/.local/state/nimi",
    rawConfig: null,
  });
  const web = result.files.find((f) => f.path === "web.service")!.content;
  assert.doesNotMatch(web, /^(User|Group|StateDirectory)=/m);
  assert.match(result.files.find((f) => f.path === "nimi.target")!.content, /default\.target/);
  assert.ok(result.warnings.some((w) => w.service === "web" && w.feature === "user/group"));
});

for (const user of [false, true]) {
  Deno.test(`systemd-analyze ${user ? "--user " : ""}verify accepts every rendered unit`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "nimi-render-systemd-" });
    try {
      const state = user ? `${dir}/state` : "/var/lib/nimi-test";
      const result = await renderTo("systemd", fixture("full.json"), `${dir}/out`, {
        stateDir: state,
        user,
        nimi: await nimiLauncher(dir),
      });
      await Deno.mkdir(`${dir}/runtime`, { mode: 0o700 });
      const units = result.files.map((f) => `${dir}/out/${f.path}`);
      assert.equal(units.length, 6);
      const r = await run("systemd-analyze", [...(user ? ["--user"] : []), "verify", ...units], {
        env: { XDG_RUNTIME_DIR: `${dir}/runtime`, SYSTEMD_LOG_LEVEL: "notice" },
      });
      assert.equal(r.stderr, "", r.stderr);
      assert.equal(r.code, 0);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
