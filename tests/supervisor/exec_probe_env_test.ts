import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/mod.ts";
import { Supervisor } from "../../src/supervisor/supervisor.ts";
import { memorySink } from "../helpers/memory_sink.ts";

Deno.test("an exec readiness probe runs with exactly the service's environment", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-probe-env-" });
  try {
    await Deno.writeTextFile(`${dir}/secret`, "s3cret");
    const dump = (file: string) => `env | sort > ${dir}/${file}`;
    const config = validateConfig({
      services: {
        svc: {
          process: { argv: ["/bin/sh", "-c", `${dump("service.env")}; exec sleep 100`] },
          configData: { "app.conf": { text: "x = 1" } },
          nimi: {
            inheritEnvironment: false,
            environment: { MY_VAR: "from the config", PATH: "/usr/bin:/bin" },
            credentials: { token: `${dir}/secret` },
            workingDirectory: dir,
            // Ready once the service wrote its dump, so both are there to compare.
            readiness: {
              type: "exec",
              command: ["/bin/sh", "-c", `test -s ${dir}/service.env && ${dump("probe.env")}`],
              period: 20,
            },
            liveness: { type: "notify", period: 60000 },
          },
        },
      },
      settings: { restart: { mode: "never" } },
    }, "test.json");
    const { sink } = await memorySink(["svc"]);
    const supervisor = new Supervisor(config, { sink, configDirBase: dir, baseDir: dir });
    const run = supervisor.run();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("svc never became ready")), 20_000);
      const off = supervisor.subscribe((s) => {
        if (s.name === "svc" && s.phase === "ready") {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
    });
    await supervisor.stop();
    assert.equal(await run, 0);
    await sink.close();
    const service = await Deno.readTextFile(`${dir}/service.env`);
    const probe = await Deno.readTextFile(`${dir}/probe.env`);
    assert.equal(probe, service);
    // What nimi adds (configData, credentials, notify socket) is there for both.
    for (const name of ["MY_VAR", "XDG_CONFIG_HOME", "CREDENTIALS_DIRECTORY", "NOTIFY_SOCKET"]) {
      assert.match(probe, new RegExp(`^${name}=.+$`, "m"), `${name} missing:\n${probe}`);
    }
    assert.doesNotMatch(probe, /^HOME=/m, "nimi's own environment must not leak in");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
