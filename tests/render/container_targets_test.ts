import assert from "node:assert/strict";
import { parse } from "yaml";
import { loadConfig } from "../../src/config/mod.ts";
import { planLocalhost } from "../../src/render/localhost.ts";
import { renderTo, REPO_ROOT, run } from "./helpers.ts";
import { validate } from "./k8s_validate.ts";

const DEMO = `${REPO_ROOT}/examples/demo.json`;

Deno.test("planLocalhost() puts a client that talks to 127.0.0.1 into its server's namespace", async () => {
  const config = await loadConfig(DEMO);
  const plan = planLocalhost(config.services);
  assert.deepEqual([...plan.joins], [["client", "web"]]);
  assert.deepEqual(plan.alone, []);
});

Deno.test("compose: the demo renders with --image, healthchecks through nimi probe, shared namespace", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-render-compose-demo-" });
  try {
    const result = await renderTo("compose", DEMO, dir, {
      stateDir: "/var/lib/nimi",
      image: "localhost/nimi-test-render:demo",
      nimi: "/usr/local/bin/nimi",
    });
    const text = await Deno.readTextFile(`${dir}/compose.yaml`);
    assert.doesNotMatch(text, /[&*]a\d/, "no YAML anchors");
    const doc = parse(text);
    for (const s of Object.values(doc.services) as { image: string }[]) {
      assert.equal(s.image, "localhost/nimi-test-render:demo");
    }
    assert.deepEqual(doc.services.web.healthcheck.test, [
      "CMD",
      "/usr/local/bin/nimi",
      "probe",
      "tcp",
      "127.0.0.1",
      "8765",
    ]);
    assert.equal(doc.services.client.network_mode, "service:web");
    assert.deepEqual(doc.services.client.depends_on.web, { condition: "service_healthy" });
    assert.ok(!result.warnings.some((w) => w.feature.startsWith("localhost")));
    const check = await run("docker-compose", ["-f", `${dir}/compose.yaml`, "config", "-q"]);
    assert.equal(check.code, 0, check.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("kubernetes: the demo's objects validate, carry --image, no anchors, a Service for web", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-render-k8s-demo-" });
  try {
    const result = await renderTo("kubernetes", DEMO, dir, {
      stateDir: "/var/lib/nimi",
      image: "registry.example/demo:1",
    });
    for (const f of result.files) {
      const text = await Deno.readTextFile(`${dir}/${f.path}`);
      assert.doesNotMatch(text, /(^|\s)[&*]\w+/m, `${f.path} has a YAML anchor or alias`);
      const obj = parse(text);
      validate(obj);
      const pod = obj.spec?.template?.spec;
      for (const c of pod?.containers ?? []) assert.equal(c.image, "registry.example/demo:1");
    }
    const svc = parse(await Deno.readTextFile(`${dir}/web.service.yaml`));
    assert.equal(svc.kind, "Service");
    assert.deepEqual(svc.spec.ports.map((p: { port: number }) => p.port), [8765]);
    const w = result.warnings.find((x) =>
      x.service === "client" && x.feature.startsWith("localhost")
    );
    assert.ok(w, "the client's localhost talk is named");
    assert.match(w.detail, /"web"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
