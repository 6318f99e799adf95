/**
 * Validation of `nimi.dependsOn` through {@link validateConfig}: normalised dependencies,
 * unknown names, self dependencies, cycles and conditions.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ConfigError, type Diagnostic, validateConfig } from "../../src/config/mod.ts";

type Deps = Record<string, string>;

function service(dependsOn: Deps = {}, extra: Record<string, unknown> = {}): unknown {
  return { process: { argv: ["/bin/true"] }, nimi: { dependsOn, ...extra } };
}

function errorsOf(value: unknown): Diagnostic[] {
  try {
    validateConfig(value, "deps.json");
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
    return e.diagnostics.filter((d) => d.severity === "error");
  }
  assert.fail("expected the config to be rejected");
}

Deno.test("validateConfig() normalises dependsOn into name and condition pairs", () => {
  const config = validateConfig({
    services: {
      db: service(),
      migrate: service({ db: "ready" }, { type: "oneshot" }),
      web: service({ db: "started", migrate: "completed-successfully" }),
      report: service({ migrate: "completed" }),
    },
  }, "deps.json");
  const byName = new Map(config.services.map((s) => [s.name, s]));
  assert.deepEqual(byName.get("db")!.dependsOn, []);
  assert.deepEqual(byName.get("migrate")!.dependsOn, [{ name: "db", condition: "ready" }]);
  assert.equal(byName.get("migrate")!.type, "oneshot");
  assert.deepEqual(byName.get("web")!.dependsOn, [
    { name: "db", condition: "started" },
    { name: "migrate", condition: "completed-successfully" },
  ]);
  assert.deepEqual(byName.get("report")!.dependsOn, [{ name: "migrate", condition: "completed" }]);
});

Deno.test("validateConfig() accepts a dependency on a nested service by its flattened name", () => {
  const config = validateConfig({
    services: {
      stack: { process: { argv: ["/bin/true"] }, services: { cache: service() } },
      web: service({ "stack-cache": "ready" }),
    },
  }, "deps.json");
  const web = config.services.find((s) => s.name === "web")!;
  assert.deepEqual(web.dependsOn, [{ name: "stack-cache", condition: "ready" }]);
});

Deno.test("validateConfig() rejects an unknown dependency, naming it and the known services", () => {
  const errors = errorsOf({ services: { web: service({ db: "ready" }), cache: service() } });
  assert.deepEqual(errors, [{
    severity: "error",
    path: `services.web.nimi.dependsOn."db"`,
    message: `unknown service "db"; known services: web, cache`,
  }]);
});

Deno.test("validateConfig() rejects a nested service's unflattened name", () => {
  const errors = errorsOf({
    services: {
      stack: { process: { argv: ["/bin/true"] }, services: { cache: service() } },
      web: service({ cache: "started" }),
    },
  });
  assert.equal(errors.length, 1);
  assert.match(errors[0]!.message, /^unknown service "cache"; known services: .*stack-cache/);
});

Deno.test("validateConfig() reports every unknown dependency, not just the first", () => {
  const errors = errorsOf({
    services: { web: service({ db: "ready", queue: "started" }), worker: service({ db: "ready" }) },
  });
  assert.deepEqual(errors.map((e) => e.path), [
    `services.web.nimi.dependsOn."db"`,
    `services.web.nimi.dependsOn."queue"`,
    `services.worker.nimi.dependsOn."db"`,
  ]);
});

Deno.test("validateConfig() rejects a service depending on itself", () => {
  const errors = errorsOf({ services: { web: service({ web: "started" }) } });
  assert.deepEqual(errors, [{
    severity: "error",
    path: `services.web.nimi.dependsOn."web"`,
    message: "a service cannot depend on itself",
  }]);
});

Deno.test("validateConfig() rejects a cycle and lists it", () => {
  const errors = errorsOf({
    services: {
      a: service({ b: "started" }),
      b: service({ c: "ready" }),
      c: service({ a: "completed" }),
      d: service({ a: "started" }),
    },
  });
  assert.deepEqual(errors, [{
    severity: "error",
    path: "services.a.nimi.dependsOn",
    message: "dependency cycle: a -> b -> c -> a",
  }]);
});

Deno.test("validateConfig() rejects a two-service cycle through nested services", () => {
  const errors = errorsOf({
    services: {
      stack: {
        process: { argv: ["/bin/true"] },
        services: { cache: service({ web: "started" }) },
      },
      web: service({ "stack-cache": "ready" }),
    },
  });
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.path, "services.stack.services.cache.nimi.dependsOn");
  assert.equal(errors[0]!.message, "dependency cycle: stack-cache -> web -> stack-cache");
});

Deno.test("validateConfig() rejects an unknown condition, listing the valid ones", () => {
  const errors = errorsOf({ services: { db: service(), web: service({ db: "healthy" }) } });
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.path, "services.web.nimi.dependsOn.db");
  assert.equal(
    errors[0]!.message,
    `must be one of "started", "ready", "completed", "completed-successfully", got "healthy"`,
  );
});

Deno.test("validateConfig() rejects dependsOn given as a list", () => {
  const errors = errorsOf({
    services: {
      db: service(),
      web: { process: { argv: ["/bin/true"] }, nimi: { dependsOn: ["db"] } },
    },
  });
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.path, "services.web.nimi.dependsOn");
  assert.match(errors[0]!.message, /^must be an object mapping service names to conditions/);
});
