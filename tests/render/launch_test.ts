import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/mod.ts";
import type { ServiceSpec } from "../../src/config/mod.ts";
import { launchArgv, launchLines, planLaunch } from "../../src/render/launch.ts";
import { defaultStateDir, servicePaths } from "../../src/render/layout.ts";
import { finishLines } from "../../src/render/finish_script.ts";
import { formatWarning, formatWarnings } from "../../src/render/warnings.ts";
import { layerOf } from "../../src/render/order.ts";
import { fixture, run } from "./helpers.ts";

async function service(name: string, file = "full.json"): Promise<ServiceSpec> {
  const config = await loadConfig(fixture(file));
  return config.services.find((s) => s.name === name)!;
}

Deno.test("defaultStateDir() picks /var/lib, XDG_STATE_HOME or ~/.local/state", () => {
  const env = { HOME: "/home/u", XDG_STATE_HOME: "/x/state" };
  assert.equal(
    defaultStateDir({ prefix: "a-", user: false, container: false, env }),
    "/var/lib/a-nimi",
  );
  assert.equal(
    defaultStateDir({ prefix: "a-", user: true, container: false, env }),
    "/x/state/a-nimi",
  );
  assert.equal(
    defaultStateDir({ prefix: "", user: true, container: false, env: { HOME: "/home/u" } }),
    "/home/u/.local/state/nimi",
  );
  assert.equal(defaultStateDir({ prefix: "", user: true, container: true, env }), "/var/lib/nimi");
  assert.throws(
    () => defaultStateDir({ prefix: "", user: true, container: false, env: {} }),
    /HOME/,
  );
});

Deno.test("servicePaths() keeps each instance in its own directory", () => {
  const p = servicePaths("/s/", "b-", "web");
  assert.deepEqual(p, {
    instance: "b-web",
    dir: "/s/b-web",
    configDir: "/s/b-web/config",
    credentialsDir: "/s/b-web/credentials",
    pidFile: "/s/b-web/pid",
    logFile: "/s/b-web/output.log",
  });
});

Deno.test("planLaunch() materialises configData and credentials before the program", async () => {
  const web = await service("web");
  const dir = await Deno.makeTempDir({ prefix: "nimi-render-launch-" });
  try {
    const paths = servicePaths(dir, "", "web");
    const launch = planLaunch({ ...web, workingDirectory: dir }, paths, {
      nativeEnv: false,
      nativeWorkdir: false,
      nativeCredentials: false,
    });
    const argv = launchArgv({
      ...web,
      argv: [
        "/bin/sh",
        "-c",
        'cat "$XDG_CONFIG_HOME/web.conf"; ls "$XDG_CONFIG_HOME/sub"; cat "$CREDENTIALS_DIRECTORY/cert"; pwd; echo "$PORT"',
      ],
    }, launch);
    assert.equal(argv[0], "/bin/sh");
    const r = await run(argv[0]!, argv.slice(1));
    assert.equal(r.code, 0, r.stderr);
    const hostname = await Deno.readTextFile("/etc/hostname");
    assert.equal(
      r.stdout,
      `listen = 8080\n# 100% "quoted" it's\nextra.conf\n${hostname}${dir}\n8080\n`,
    );
    assert.equal((await Deno.stat(paths.configDir)).mode! & 0o777, 0o700);
    assert.equal((await Deno.stat(`${paths.credentialsDir}/cert`)).mode! & 0o777, 0o400);
    assert.equal(await Deno.readLink(`${paths.configDir}/sub/extra.conf`), "/etc/hostname");
    // The disabled entry is not written.
    await assert.rejects(Deno.stat(`${paths.configDir}/off.conf`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("planLaunch() with inheritEnvironment false runs the program under env -i", async () => {
  const stack = await service("stack");
  const launch = planLaunch(stack, servicePaths("/s", "", "stack"), {
    nativeEnv: true,
    nativeWorkdir: true,
    nativeCredentials: true,
  });
  assert.deepEqual(launch.execPrefix, ["/usr/bin/env", "-i", "ONLY=this"]);
  assert.deepEqual(launch.env, {});
  assert.equal(
    launchLines(stack, launch).at(-1)!.startsWith("exec /usr/bin/env -i ONLY=this /bin/echo"),
    true,
  );
});

Deno.test("finishLines() decides like nimi's restart policy", async (t) => {
  const flaky = await service("flaky", "restart.json");
  const dir = await Deno.makeTempDir({ prefix: "nimi-render-finish-" });
  try {
    const paths = servicePaths(dir, "", "flaky");
    await Deno.mkdir(paths.dir);
    const { lines } = finishLines(flaky, paths, {
      succeeded: `[ "$1" = 0 ]`,
      stopForGood: "exit 125",
    });
    const finish = `${dir}/finish`;
    await Deno.writeTextFile(finish, ["#!/bin/sh", ...lines, "exit 0", ""].join("\n"));
    await Deno.chmod(finish, 0o755);
    await t.step("failures restart up to count, then stop for good", async () => {
      const codes = [];
      for (let i = 0; i < 4; i++) {
        // What the run script records at each start.
        await Deno.writeTextFile(`${paths.dir}/started`, `${Math.floor(Date.now() / 1000)}\n`);
        codes.push((await run(finish, ["3"])).code);
      }
      assert.deepEqual(codes, [0, 0, 125, 125]);
    });
    await t.step("a success stops for good", async () => {
      assert.equal((await run(finish, ["0"])).code, 125);
    });
    await t.step("a run longer than resetAfter resets the counter", async () => {
      await Deno.writeTextFile(`${paths.dir}/started`, "0\n");
      assert.equal((await run(finish, ["3"])).code, 0);
      assert.equal((await Deno.readTextFile(`${paths.dir}/restarts`)).trim(), "1");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("layerOf() numbers start layers; formatWarning() names target, service, feature", async () => {
  const config = await loadConfig(fixture("full.json"));
  const layers = layerOf(config.services);
  assert.deepEqual(
    ["db", "migrate", "web", "stack", "stack-cache"].map((n) => layers.get(n)),
    [0, 1, 2, 0, 1],
  );
  assert.equal(
    formatWarning({
      target: "launchd",
      service: "web",
      feature: "readiness probe (http)",
      detail: "x",
    }),
    'launchd: service "web": readiness probe (http): x',
  );
});

Deno.test("formatWarnings() reports a warning shared by several services once", () => {
  const w = (service: string | null, feature: string) => ({
    target: "supervisord",
    service,
    feature,
    detail: "d",
  });
  assert.deepEqual(formatWarnings([w("a", "f"), w("b", "f"), w("a", "g"), w(null, "f")]), [
    'supervisord: services "a", "b": f: d',
    'supervisord: service "a": g: d',
    "supervisord: f: d",
  ]);
});
