/**
 * Assertions and warnings of services at every nesting level are enforced when the
 * configuration is evaluated: a failing one stops evaluation with its message and location.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/cli.ts";
import { evalNimi, nixSkipReason, printSkip, withNix } from "./nix_env.ts";

const skip = nixSkipReason();
if (skip !== null) printSkip("tests/nix/assertions_test.ts (evaluation-time checks)", skip);

const fixture = (name: string) => `${REPO_ROOT}/tests/nix/fixtures/${name}`;

Deno.test({
  name: "toNimiConfig() enforces assertions and prints warnings of every service",
  ignore: skip !== null,
  fn: async (t) => {
    await withNix(async (setup) => {
      await t.step(
        "a failing sub-sub-service assertion stops evaluation with message and location",
        async () => {
          const file = fixture("failing-assertion.nix");
          const r = await evalNimi(setup, "config", file);
          assert.notEqual(r.code, 0);
          assert.match(r.stderr, /Failed assertions:/);
          assert.ok(
            r.stderr.includes(
              `- in services.app.services.worker.services.helper: helper needs arithmetic to be broken (services.app is defined in ${file})`,
            ),
            r.stderr,
          );
        },
      );

      await t.step("nimi's own assertion on a probe names the option", async () => {
        const file = fixture("probe-without-command.nix");
        const r = await evalNimi(setup, "config", file);
        assert.notEqual(r.code, 0);
        assert.ok(
          r.stderr.includes(
            `- in services.web: nimi.readiness.command is required when nimi.readiness.type is "exec"`,
          ),
          r.stderr,
        );
      });

      await t.step("a dependency on an unknown service names the flattened names", async () => {
        const r = await evalNimi(setup, "config", fixture("unknown-dependency.nix"));
        assert.notEqual(r.code, 0);
        assert.ok(
          r.stderr.includes(
            `- in services.stack.services.warmer: nimi.dependsOn.cache: no service is named "cache" (sub-services are named parent-child); services: stack, stack-cache, stack-warmer`,
          ),
          r.stderr,
        );
      });

      await t.step("a configData name leaving the config directory is refused", async () => {
        const r = await evalNimi(setup, "config", fixture("escaping-config-data.nix"));
        assert.notEqual(r.code, 0);
        assert.ok(
          r.stderr.includes(
            `- in services.web: configData.secret.name must be a relative path inside the service's config directory, got "../secret"`,
          ),
          r.stderr,
        );
      });

      await t.step("configData.<n>.path outside the config directory is refused", async () => {
        const r = await evalNimi(setup, "config", fixture("user-sets-path.nix"));
        assert.notEqual(r.code, 0);
        assert.match(
          r.stderr,
          /configData\."web\.conf"\.path must be a relative path inside the service's config directory, got "\/etc\/web\.conf"/,
        );
      });

      await t.step("a service-level warning is printed with its location", async () => {
        const r = await evalNimi(setup, "config", `${REPO_ROOT}/examples/reusable-service.nix`);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /warning: in services\.greeter-a: greeter\.greeting is the default/);
        assert.doesNotMatch(r.stderr, /greeter-b/);
      });
    });
  },
});
