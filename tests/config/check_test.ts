/**
 * The schema kit's validator (src/config/check.ts) on its own: the order and stopping rules of
 * its messages, defaults, and hostile keys. The config-level behaviour is covered by
 * validate_test.ts and the invalid fixtures (tests/cli/invalid_configs_test.ts).
 */
import assert from "node:assert/strict";
import { check } from "../../src/config/check.ts";
import * as s from "../../src/config/schema_kit.ts";
import { validateConfig } from "../../src/config/mod.ts";
import { configJsonSchema } from "../../src/config/json_schema.ts";

const period = s.int({ error: "must be a whole number" })
  .min(0, { error: "must not be negative" })
  .min(1, { error: "must be at least 1" });

Deno.test("check() reports every bound a value breaks, in order", () => {
  assert.deepEqual(check(period, -5), {
    ok: false,
    issues: [
      { path: [], message: "must not be negative", kind: "check" },
      { path: [], message: "must be at least 1", kind: "check" },
    ],
  });
  assert.deepEqual(check(period, 7), { ok: true, value: 7 });
});

Deno.test("check() stops at a type error: no bound is checked on a wrong type", () => {
  const argv = s.array(s.string({ error: "must be a string" }).min(1, { error: "empty" }), {
    error: "must be a list",
  }).min(1, { error: "must not be empty" });
  assert.deepEqual(check(argv, ""), {
    ok: false,
    issues: [{ path: [], message: "must be a list", kind: "type" }],
  });
  assert.deepEqual(check(argv, [[]]), {
    ok: false,
    issues: [{ path: [0], message: "must be a string", kind: "type" }],
  });
  assert.deepEqual(check(period, 1.5), {
    ok: false,
    issues: [{ path: [], message: "must be a whole number", kind: "type" }],
  });
});

Deno.test("check() runs a refinement only on a value without type errors", () => {
  const calls: unknown[] = [];
  const probe = s.object({ port: s.int({ error: "must be a port" }).optional() }, { owned: true })
    .refine((p) => {
      calls.push(p);
      return p.port === undefined ? [{ path: ["port"], message: "is required" }] : [];
    });
  assert.deepEqual(check(probe, { port: "x" }), {
    ok: false,
    issues: [{ path: ["port"], message: "must be a port", kind: "type" }],
  });
  assert.equal(calls.length, 0);
  assert.deepEqual(check(probe, {}), {
    ok: false,
    issues: [{ path: ["port"], message: "is required", kind: "check" }],
  });
});

Deno.test("check() gives each value its own copy of a default", () => {
  const list = s.object({
    signals: s.array(s.string({ error: "string" }), { error: "list" }).default(["SIGHUP"]),
  }, { owned: true });
  const a = check(list, {});
  const b = check(list, {});
  assert.ok(a.ok && b.ok);
  a.value.signals.push("SIGUSR1");
  assert.deepEqual(b.value.signals, ["SIGHUP"]);
});

Deno.test("check() keeps a __proto__ key as data, never as the prototype", () => {
  const env = s.record(s.string({ error: "must be a string" }), { error: "must be an object" });
  const result = check(env, JSON.parse(`{"__proto__": "x", "A": "1"}`));
  assert.ok(result.ok);
  assert.equal(Object.getPrototypeOf(result.value), Object.prototype);
  assert.deepEqual(Object.keys(result.value), ["__proto__", "A"]);
  assert.equal(Object.getOwnPropertyDescriptor(result.value, "__proto__")?.value, "x");
});

Deno.test("unknown keys in a readiness probe are reported like those of any owned object", () => {
  const config = validateConfig({
    services: {
      a: {
        process: { argv: ["/bin/true"] },
        nimi: { readiness: { type: "tcp", port: 80, portt: 2 } },
      },
    },
  }, "x.json");
  assert.deepEqual(config.warnings, [{
    severity: "warning",
    path: "services.a.nimi.readiness.portt",
    message: `unknown key "portt"; did you mean "port"?`,
  }]);
});

Deno.test("the JSON Schema export writes the recursive service once, under $defs", () => {
  const schema = configJsonSchema() as {
    properties: { services: { additionalProperties: unknown } };
    $defs: Record<string, { properties: { services: { additionalProperties: unknown } } }>;
  };
  const ref = { $ref: "#/$defs/__schema0" };
  assert.deepEqual(schema.properties.services.additionalProperties, ref);
  assert.deepEqual(Object.keys(schema.$defs), ["__schema0"]);
  assert.deepEqual(schema.$defs.__schema0!.properties.services.additionalProperties, ref);
});
