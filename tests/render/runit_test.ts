import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/mod.ts";
import { renderRunit } from "../../src/render/runit.ts";
import { fixture } from "./helpers.ts";
import { checkSupervision } from "./supervision.ts";

Deno.test("renderRunit() writes run, finish, check and control/d", async () => {
  const config = await loadConfig(fixture("restart.json"));
  const r = renderRunit(config, { prefix: "", user: false, stateDir: "/s", rawConfig: null });
  const file = (p: string) => r.files.find((f) => f.path === p)?.content;
  assert.match(file("base/check")!, /^exec \/bin\/sh -c /m);
  assert.match(file("base/control/d")!, /^kill -s INT "\$\(cat supervise\/pid\)"$/m);
  assert.match(file("steady/run")!, /^sv -w 600 start \.\.\/base >\/dev\/null \|\| exit 1$/m);
  assert.match(file("flaky/finish")!, /printf d > supervise\/control; exit 0/);
});

Deno.test("runsvdir runs the rendered directories: readiness order, restarts, stop", async () => {
  await checkSupervision({
    target: "runit",
    scanner: (scan) => ["runsvdir", scan],
    downForGood: async (svc) => {
      let status: Uint8Array;
      try {
        status = await Deno.readFile(`${svc}/supervise/status`);
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) return false;
        throw e;
      }
      // runit's 20-byte status: pid at 12..15 (0 when down), want ('u'/'d') at 17.
      const pid = new DataView(status.buffer).getUint32(12, true);
      return status.length >= 20 && pid === 0 && status[17] === "d".charCodeAt(0);
    },
    stop: async (_scan, child) => {
      // SIGHUP: runsvdir stops every runsv (and so every service), then exits.
      child.kill("SIGHUP");
      await child.status;
    },
  });
});
