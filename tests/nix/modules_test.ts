/**
 * The NixOS, home-manager and flake-parts modules, evaluated against stand-ins
 * (tests/nix/stubs/nixos-system.nix, a flake-parts-lib in tests/nix/eval.nix): each
 * `nimi.<name>` becomes a unit running its program, with systemd restart settings from
 * `settings.restart`, and the services' assertions and warnings become the system's, prefixed
 * with the instance; under flake-parts it becomes a package and a check. Against full NixOS,
 * home-manager and flake-parts they are checked elsewhere (docs/nix.md lists the commands).
 *
 * @module
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/cli.ts";
import { evalNimi, nixSkipReason, printSkip, withNix } from "./nix_env.ts";
import { serviceDirectives, startLimitBurst } from "../systemd/module_unit.ts";

const skip = nixSkipReason();
if (skip !== null) printSkip("tests/nix/modules_test.ts (NixOS and home-manager modules)", skip);

interface SystemResult {
  assertions: { assertion: boolean; message: string }[];
  warnings: string[];
  units: Record<string, Record<string, unknown>>;
  programs: string[];
  stderr: string;
}

const CONFIG = `${REPO_ROOT}/tests/nix/fixtures/nixos-config.nix`;

/** The settings of the two instances of CONFIG that decide their units. */
const HELLO_SETTINGS = {
  restart: { mode: "never", time: 1000, count: 5 },
  shutdown: { timeout: 5000 },
} as const;
const STACK_SETTINGS = {
  restart: { mode: "up-to-count", time: 250, count: 3 },
  shutdown: { timeout: 5000 },
} as const;

async function evalSystem(what: "nixos" | "home"): Promise<SystemResult> {
  return await withNix(async (setup) => {
    const r = await evalNimi(setup, what, CONFIG);
    assert.equal(r.code, 0, r.stderr);
    return { ...JSON.parse(r.stdout), stderr: r.stderr } as SystemResult;
  });
}

function checkShared(result: SystemResult): void {
  assert.deepEqual(Object.keys(result.units).sort(), ["hello", "stack"]);
  assert.deepEqual(result.warnings, [
    "nimi.stack: in services.greeter-a: greeter.greeting is the default",
  ]);
  // Printed once, as the system prints its warnings (the wrappers' JSON printed it again).
  assert.equal(result.stderr.split("greeter.greeting is the default").length - 1, 1, result.stderr);
  // Each instance's wrapper is on PATH, named after the instance.
  assert.equal(result.programs.length, 2);
  assert.ok(result.programs.every((p) => /^exec \S+\/bin\/nimi --config \S+ run "\$@"/.test(p)));
  assert.ok(result.assertions.every((a) => a.assertion));
  const messages = result.assertions.map((a) => a.message);
  // The services' own (greeter.port) and nimi's (configData paths, dependencies), all passing.
  assert.equal(messages.filter((m) => m.includes("greeter.port must be unprivileged")).length, 2);
  assert.equal(messages.filter((m) => m.includes(".name must be a relative path")).length, 2);
  assert.match(
    messages.find((m) => m.includes("nimi.dependsOn"))!,
    /^nimi\.stack: in services\.stack\.services\.cache\.services\.warmer: nimi\.dependsOn\.stack-cache: /,
  );
  assert.match(
    messages.find((m) => m.includes("greeter-a: greeter.port"))!,
    /^nimi\.stack: in services\.greeter-a: greeter\.port must be unprivileged, got 7001 \(services\.greeter-a is defined in .*examples\/reusable-service\.nix\)$/,
  );
}

Deno.test({
  name: "nixos module makes each nimi.<name> a system unit with its restart settings",
  ignore: skip !== null,
  fn: async () => {
    const result = await evalSystem("nixos");
    checkShared(result);
    const hello = result.units["hello"]!;
    const stack = result.units["stack"]!;
    assert.deepEqual(hello["wantedBy"], ["multi-user.target"]);
    assert.deepEqual(hello["serviceConfig"], {
      ExecStart: "/nonexistent/nimi/apps/hello/bin/hello",
      KillMode: "mixed",
      NotifyAccess: "main",
      Restart: "no",
      RestartSec: "1000ms",
      TimeoutStopSec: "10000ms",
      Type: "notify",
    });
    assert.equal(hello["startLimitBurst"], undefined);
    assert.deepEqual(stack["serviceConfig"], {
      ExecStart: "/nonexistent/nimi/apps/stack/bin/stack",
      KillMode: "mixed",
      NotifyAccess: "main",
      Restart: "on-failure",
      RestartSec: "250ms",
      TimeoutStopSec: "10000ms",
      Type: "notify",
    });
    assert.equal(stack["startLimitBurst"], 4);
    // The unit files tests/systemd runs under real systemd say the same.
    assert.deepEqual(
      hello["serviceConfig"],
      serviceDirectives("/nonexistent/nimi/apps/hello/bin/hello", HELLO_SETTINGS),
    );
    assert.deepEqual(
      stack["serviceConfig"],
      serviceDirectives("/nonexistent/nimi/apps/stack/bin/stack", STACK_SETTINGS),
    );
    assert.equal(stack["startLimitBurst"], startLimitBurst(STACK_SETTINGS));
  },
});

Deno.test({
  name: "home-manager module makes each nimi.<name> a user unit with its restart settings",
  ignore: skip !== null,
  fn: async () => {
    const result = await evalSystem("home");
    checkShared(result);
    const stack = result.units["stack"]!;
    assert.deepEqual(stack["Install"], { WantedBy: ["default.target"] });
    assert.deepEqual(stack["Unit"], { Description: "nimi: stack", StartLimitBurst: 4 });
    assert.deepEqual(stack["Service"], {
      ExecStart: "/nonexistent/nimi/apps/stack/bin/stack",
      KillMode: "mixed",
      NotifyAccess: "main",
      Restart: "on-failure",
      RestartSec: "250ms",
      TimeoutStopSec: "10000ms",
      Type: "notify",
    });
    assert.deepEqual(
      stack["Service"],
      serviceDirectives("/nonexistent/nimi/apps/stack/bin/stack", STACK_SETTINGS),
    );
    assert.deepEqual(result.units["hello"]!["Unit"], { Description: "nimi: hello" });
  },
});

Deno.test({
  name: "flake-parts module makes perSystem.nimi.<name> <name>-service and <name>-container",
  ignore: skip !== null,
  fn: async () => {
    const result = await withNix(async (setup) => {
      const r = await evalNimi(setup, "flake-parts", `${REPO_ROOT}/examples/hello.nix`);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as {
        packages: Record<string, string>;
        checks: Record<string, string>;
      };
    });
    // The Rust Nimi's output names.
    assert.deepEqual(Object.keys(result.packages).sort(), ["demo-container", "demo-service"]);
    assert.match(
      result.packages["demo-service"]!,
      /^exec \/nonexistent\/nimi\/bin\/nimi --config \/nix\/store\/\S+-nimi-config\.json run "\$@"\n$/,
    );
    assert.equal(result.packages["demo-container"], "image: dockerTools.buildLayeredImage");
    assert.deepEqual(result.checks, result.packages);
  },
});
