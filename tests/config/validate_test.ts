import assert from "node:assert/strict";
import { loadConfig, validateConfig } from "../../src/config/mod.ts";
import { REPO_ROOT } from "../helpers/cli.ts";

const VALID = `${REPO_ROOT}/tests/fixtures/valid`;
const LIB_SERVICES = `${REPO_ROOT}/tests/fixtures/modular-services.json`;

Deno.test("loadConfig() accepts the real lib/services fixture with only its service warning", async () => {
  const config = await loadConfig(LIB_SERVICES);
  assert.deepEqual(config.services.map((s) => s.name), [
    "echo-a",
    "echo-b",
    "stack",
    "stack-cache",
    "stack-cache-warmer",
  ]);
  assert.deepEqual(config.warnings, [{
    severity: "warning",
    path: "services.echo-a",
    message: "echoServer.greeting is the default",
  }]);
  const echo = config.services[0]!;
  assert.deepEqual(echo.configData, [{
    key: "echo/greeting.txt",
    path: "echo/greeting.txt",
    source: "/nix/store/ar163gcxhwa93nss491xqlwg37j7bh1l-service-configdata-echo-greeting.txt",
    text: "hello\n",
  }]);
  assert.equal(config.services[4]!.parent, "stack-cache");
  assert.equal(config.services[4]!.jsonPath, "services.stack.services.cache.services.warmer");
  assert.deepEqual(config.services[4]!.path, ["stack", "cache", "warmer"]);
  assert.equal(echo.restart.mode, "up-to-count");
  assert.equal(echo.restart.count, 3);
  assert.equal(echo.restart.time, 500);
});

Deno.test("loadConfig() accepts every valid fixture without warnings", async (t) => {
  for await (const entry of Deno.readDir(VALID)) {
    await t.step(entry.name, async () => {
      const config = await loadConfig(`${VALID}/${entry.name}`, { strict: true });
      // A file from the Rust Nimi's Nix side gets one line saying how nimi runs it.
      const rust = config.warnings.filter((w) => w.message.startsWith("a Rust Nimi config:"));
      assert.equal(rust.length, entry.name.startsWith("rust-nimi") ? 1 : 0);
      assert.deepEqual(config.warnings.filter((w) => !rust.includes(w)), []);
    });
  }
});

Deno.test("validateConfig() applies the defaults", () => {
  const config = validateConfig({ services: { web: { process: { argv: ["/bin/true"] } } } }, "x");
  const web = config.services[0]!;
  assert.deepEqual(web.restart, {
    mode: "on-failure",
    time: 1000,
    count: 5,
    backoff: 1,
    maxTime: 60000,
    resetAfter: 10000,
  });
  assert.equal(web.type, "simple");
  assert.equal(web.stopSignal, "SIGTERM");
  assert.equal(web.stopTimeout, 5000);
  assert.equal(web.inheritEnvironment, true);
  assert.deepEqual(web.forwardSignals, ["SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH"]);
  assert.deepEqual(config.settings.logging, {
    enable: false,
    logsDir: "nimi_logs",
    maxBytes: null,
    maxFiles: 5,
    fileSuffix: ".log",
  });
  assert.deepEqual(config.settings.shutdown, { timeout: 5000, stopOnFailure: false });
  assert.deepEqual(config.settings.startup, { runOnStartup: null });
  assert.deepEqual(config.settings.pid1, { subreaper: true });
});

Deno.test("validateConfig() merges a per-service restart override over settings.restart", async () => {
  const config = await loadConfig(`${VALID}/restart-per-service.json`);
  const [a, b] = config.services;
  assert.equal(a!.restart.mode, "never");
  assert.equal(a!.restart.count, 2);
  assert.deepEqual(b!.restart, {
    mode: "always",
    time: 50,
    count: 2,
    backoff: 2,
    maxTime: 1000,
    resetAfter: 5000,
  });
});

Deno.test("validateConfig() drops disabled configData and cleans paths", async () => {
  const config = await loadConfig(`${VALID}/configdata.json`);
  assert.deepEqual(config.services[0]!.configData, [
    { key: "app.conf", path: "app.conf", source: "/etc/hostname", text: null },
    {
      key: "nested/dir/greeting.txt",
      path: "nested/dir/greeting.txt",
      source: null,
      text: "hello\n",
    },
    { key: "named", path: "other-name.ini", source: null, text: "[x]\n" },
    { key: "nulls", path: "a/b.txt", source: null, text: "b" },
  ]);
});

Deno.test("validateConfig() normalises signal names and resolves the stop timeout", async () => {
  const config = await loadConfig(`${VALID}/all-nimi-options.json`);
  const db = config.services.find((s) => s.name === "db")!;
  const web = config.services.find((s) => s.name === "web")!;
  assert.equal(db.stopSignal, "SIGINT");
  assert.equal(db.stopTimeout, 3000);
  assert.equal(web.stopTimeout, 2000);
  assert.equal(web.reloadSignal, "SIGUSR2");
  assert.deepEqual(web.dependsOn, [
    { name: "db", condition: "ready" },
    { name: "migrate", condition: "completed-successfully" },
  ]);
  assert.deepEqual(web.credentials, [{ name: "cert", path: "/etc/hostname" }]);
  assert.equal(web.readiness?.type, "http");
  assert.equal(db.readiness?.type === "tcp" ? db.readiness.host : null, "127.0.0.1");
});

Deno.test("validateConfig() reads the Rust Nimi's enableLogFiles as logging.enable", async () => {
  const config = await loadConfig(`${VALID}/rust-nimi-extras.json`);
  assert.equal(config.settings.logging.enable, true);
  assert.equal(config.services[0]!.restart.time, 10);
});
