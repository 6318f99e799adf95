import assert from "node:assert/strict";
import { parse } from "yaml";
import { fixture, renderTo, run } from "./helpers.ts";
import { composeEscape } from "../../src/render/compose.ts";

Deno.test("composeEscape() doubles dollars", () => {
  assert.equal(composeEscape("echo $HOME ${X}"), "echo $$HOME $${X}");
});

Deno.test("docker-compose config accepts the rendered file with depends_on conditions", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-render-compose-" });
  try {
    const result = await renderTo("compose", fixture("full.json"), `${dir}/out`, {
      stateDir: "/var/lib/nimi",
      prefix: "a-",
    });
    assert.equal(
      await Deno.readTextFile(`${dir}/out/config/a-web/web.conf`),
      'listen = 8080\n# 100% "quoted" it\'s\n',
    );
    const r = await run("docker-compose", ["-f", `${dir}/out/compose.yaml`, "config"], {
      env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
    });
    assert.equal(r.code, 0, r.stderr);
    const doc = parse(r.stdout);
    const web = doc.services["a-web"];
    assert.deepEqual(web.depends_on, {
      "a-db": { condition: "service_healthy" },
      "a-migrate": { condition: "service_completed_successfully" },
    });
    assert.deepEqual(doc.services["a-stack-cache"].depends_on, {
      "a-stack": { condition: "service_started" },
    });
    // `config` prints the file back with "$" still escaped as "$$".
    assert.deepEqual(web.entrypoint, ["/bin/sh", "-c", "echo web on $$PORT; exec sleep 1000"]);
    assert.equal(web.environment.QUOTE, `it's "quoted" $$HOME 100% ; # x`);
    assert.equal(doc.services["a-stack"].entrypoint.at(-1), "tab\there");
    assert.equal(web.environment.XDG_CONFIG_HOME, "/var/lib/nimi/a-web/config");
    assert.equal(web.user, "daemon:1");
    assert.equal(web.restart, "on-failure:3");
    assert.equal(doc.services["a-stack"].restart, "no");
    assert.equal(doc.services["a-db"].stop_signal, "SIGINT");
    assert.deepEqual(doc.services["a-db"].healthcheck.test, ["CMD", "/bin/true"]);
    assert.equal(web.volumes.length, 2);
    assert.ok(
      result.warnings.some((w) => w.service === "web" && w.feature === "liveness probe (exec)"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
