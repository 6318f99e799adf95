import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/mod.ts";
import { spawnPlan } from "../../src/supervisor/spawn_options.ts";
import { describeSpawnError } from "../../src/supervisor/spawner.ts";

Deno.test("spawnPlan() builds detached, piped, stdin-less options from a service", () => {
  const spec = validateConfig({
    services: {
      web: {
        process: { argv: ["/bin/web", "--port", "8080"] },
        nimi: {
          environment: { A: "1", XDG_CONFIG_HOME: "mine" },
          inheritEnvironment: false,
          workingDirectory: "/srv",
        },
      },
    },
  }, "t.json").services[0]!;
  const plan = spawnPlan(spec, { env: { XDG_CONFIG_HOME: "/run/x" }, uid: 5, gid: 6 });
  assert.equal(plan.program, "/bin/web");
  assert.deepEqual(plan.options, {
    args: ["--port", "8080"],
    env: { A: "1", XDG_CONFIG_HOME: "/run/x" },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    detached: true,
    cwd: "/srv",
    uid: 5,
    gid: 6,
  });
});

Deno.test("describeSpawnError() names the path and picks 127 or 126", () => {
  assert.deepEqual(describeSpawnError("/x/y", null, new Deno.errors.NotFound("no")), {
    message: `cannot start: program "/x/y" not found`,
    code: 127,
  });
  assert.match(
    describeSpawnError("tool", null, new Deno.errors.NotFound("no")).message,
    /"tool" not found in PATH/,
  );
  assert.deepEqual(describeSpawnError("/x/y", null, new Deno.errors.PermissionDenied("no")), {
    message: `cannot start: program "/x/y" is not executable (permission denied)`,
    code: 126,
  });
  assert.match(
    describeSpawnError("/bin/true", "/nonexistent", new Deno.errors.NotFound("no")).message,
    /working directory "\/nonexistent" not found/,
  );
});
