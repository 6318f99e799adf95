import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/mod.ts";
import { renderS6 } from "../../src/render/s6.ts";
import { fixture, run } from "./helpers.ts";
import { checkSupervision } from "./supervision.ts";

Deno.test("renderS6() writes run, finish, down-signal, timeout-kill and readiness files", async () => {
  const config = await loadConfig(fixture("restart.json"));
  const r = renderS6(config, { prefix: "x-", user: false, stateDir: "/s", rawConfig: null });
  const file = (p: string) => r.files.find((f) => f.path === p)?.content;
  assert.equal(file("x-base/down-signal"), "SIGINT\n");
  assert.equal(file("x-base/timeout-kill"), "5000\n");
  assert.equal(file("x-base/notification-fd"), "3\n");
  assert.match(file("x-base/run")!, /^exec s6-notifyoncheck -d /m);
  assert.match(file("x-steady/run")!, /^s6-svwait -U \.\.\/x-base \|\| exit 1$/m);
  assert.match(file("x-flaky/finish")!, /if \[ "\$n" -ge 2 \]; then \{ exit 125; \}; fi/);
  assert.equal(file("x-once/finish")!.split("\n")[2], `if [ "$1" = 0 ]; then { exit 125; }; fi`);
});

Deno.test("s6-svscan runs the rendered directories: readiness order, restarts, stop", async () => {
  await checkSupervision({
    target: "s6",
    scanner: (scan) => ["s6-svscan", scan],
    downForGood: async (svc) => {
      const r = await run("s6-svstat", ["-o", "up,wantedup", svc]);
      return r.code === 0 && r.stdout.trim() === "false false";
    },
    stop: async (scan, child) => {
      const r = await run("s6-svscanctl", ["-t", scan]);
      assert.equal(r.code, 0, r.stderr);
      await child.status;
    },
  });
});

Deno.test("renderS6() does not wait for a oneshot dependency (it stays down once done)", async () => {
  const config = await loadConfig(fixture("full.json"));
  const r = renderS6(config, { prefix: "", user: false, stateDir: "/s", rawConfig: null });
  const run = r.files.find((f) => f.path === "web/run")!.content;
  assert.match(run, /^s6-svwait -U \.\.\/db \|\| exit 1$/m);
  assert.doesNotMatch(run, /migrate/);
  assert.ok(
    r.warnings.some((w) => w.service === "web" && w.feature.startsWith(`dependsOn "migrate"`)),
  );
});
