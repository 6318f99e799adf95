import assert from "node:assert/strict";
import { parse } from "yaml";
import { kubernetesEscape, kubernetesName } from "../../src/render/kubernetes.ts";
import { fixture, renderTo } from "./helpers.ts";
import { validate } from "./k8s_validate.ts";

// deno-lint-ignore no-explicit-any
type Obj = any;

async function renderObjects(target: string, prefix: string): Promise<Map<string, Obj>> {
  const dir = await Deno.makeTempDir({ prefix: "nimi-render-k8s-" });
  try {
    const result = await renderTo(target, fixture("full.json"), dir, {
      prefix,
      stateDir: "/var/lib/nimi",
    });
    const objects = new Map<string, Obj>();
    for (const f of result.files) {
      objects.set(f.path, parse(await Deno.readTextFile(`${dir}/${f.path}`)));
    }
    return objects;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("kubernetesName() and kubernetesEscape() make valid names and literal $(", () => {
  assert.equal(kubernetesName("A_b.c-"), "a-b-c");
  assert.equal(kubernetesEscape("echo $(x) $HOME"), "echo $$(x) $HOME");
});

Deno.test("every rendered Kubernetes object validates with kubernetes-models", async (t) => {
  const objects = await renderObjects("kubernetes", "p-");
  await t.step("each object validates", () => {
    assert.ok(objects.size >= 6);
    for (const [path, obj] of objects) {
      assert.doesNotThrow(() => validate(obj), `${path} does not validate`);
    }
  });
  await t.step("a Deployment per long-running service, a Job per oneshot", () => {
    for (const n of ["p-db", "p-web", "p-stack", "p-stack-cache"]) {
      assert.equal(objects.get(`${n}.deployment.yaml`)?.kind, "Deployment", n);
    }
    assert.equal(objects.get("p-migrate.job.yaml")?.kind, "Job");
  });
  await t.step("configData becomes a ConfigMap mounted at XDG_CONFIG_HOME", () => {
    const cm = objects.get("p-web-config.configmap.yaml");
    assert.equal(cm.data["web.conf"], 'listen = 8080\n# 100% "quoted" it\'s\n');
    const pod = objects.get("p-web.deployment.yaml").spec.template.spec;
    const c = pod.containers[0];
    assert.deepEqual(c.volumeMounts[0], {
      name: "config",
      mountPath: "/var/lib/nimi/p-web/config",
      readOnly: true,
    });
    assert.ok(c.env.some((e: Obj) => e.name === "XDG_CONFIG_HOME"));
    assert.equal(c.securityContext.runAsGroup, 1);
    assert.deepEqual(c.livenessProbe.exec.command, ["/bin/true"]);
    assert.equal(c.readinessProbe.httpGet.path, "/health");
    assert.equal(c.readinessProbe.httpGet.port, 8080);
    const db = objects.get("p-db.deployment.yaml").spec.template.spec;
    assert.equal(db.terminationGracePeriodSeconds, 3);
    assert.deepEqual(db.containers[0].readinessProbe.exec.command, ["/bin/true"]);
  });
});

Deno.test("kubernetes-pod renders nimi as the entrypoint with its config in a ConfigMap", async () => {
  const objects = await renderObjects("kubernetes-pod", "a-");
  for (const [path, obj] of objects) {
    assert.doesNotThrow(() => validate(obj), `${path} does not validate`);
  }
  const dep = objects.get("a-nimi.deployment.yaml");
  assert.equal(dep.spec.replicas, 1);
  const c = dep.spec.template.spec.containers[0];
  assert.deepEqual(c.command, ["nimi", "--config", "/etc/nimi/config.json", "run"]);
  const cm = objects.get("a-nimi-config.configmap.yaml");
  const embedded = JSON.parse(cm.data["config.json"]);
  assert.deepEqual(
    embedded,
    JSON.parse(await Deno.readTextFile(fixture("full.json"))),
  );
});

Deno.test("kubernetes-models rejects a broken object (the check can fail)", () => {
  assert.throws(() =>
    validate({ apiVersion: "apps/v1", kind: "Deployment", spec: { replicas: "1" } })
  );
});
