/**
 * `nimi run` end to end: a oneshot "migrate" gates "app" through `completed-successfully`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { sh, startNimi } from "./run_helpers.ts";
import { assertInOrder } from "./deps_helpers.ts";

Deno.test("nimi run starts app only after the oneshot migrate succeeded", async () => {
  const p = await startNimi({
    services: {
      app: sh("echo app up; exec sleep 1000", {
        dependsOn: { migrate: "completed-successfully" },
      }),
      migrate: sh("echo migrating; sleep 0.2; echo migrated", { type: "oneshot" }),
    },
  });
  try {
    await p.waitFor(/app +\| app up\n/);
  } finally {
    p.kill("SIGTERM");
  }
  const r = await p.done();
  assertInOrder(r.stdout, [
    /nimi +\| migrate: started/,
    "migrate | migrated\n",
    /nimi +\| migrate: exited with code 0\n/,
    /nimi +\| app: started/,
    "app     | app up\n",
  ]);
  // A oneshot that succeeded is done: never restarted, never stopped.
  assert.equal([...r.stdout.matchAll(/migrate: started/g)].length, 1);
  assert.doesNotMatch(r.stdout, /migrate: (restarting|stopping)/);
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

Deno.test("nimi run never starts app when migrate fails, and exits with migrate's code under stopOnFailure", async () => {
  const r = await (await startNimi({
    services: {
      app: sh("echo app up; exec sleep 1000", {
        dependsOn: { migrate: "completed-successfully" },
      }),
      migrate: sh("echo migration failed >&2; exit 7", {
        type: "oneshot",
        restart: { mode: "never" },
      }),
      other: sh("echo other up; exec sleep 1000"),
    },
    settings: { shutdown: { stopOnFailure: true } },
  })).done();
  assert.equal(r.code, 7, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /app: started|app +\| app up/);
  assertInOrder(r.stdout, [
    /migrate +! migration failed\n/,
    /nimi +\| migrate: exited with code 7\n/,
    /nimi +\| migrate failed for good: stopping everything \(settings\.shutdown\.stopOnFailure\)\n/,
    /nimi +\| exiting with code 7\n/,
  ]);
  assert.match(r.stdout, /nimi +\| app: not started: nimi is stopping\n/);
  assert.match(r.stdout, /nimi +\| other: stopping \(SIGTERM\)\n/);
});

Deno.test("nimi run without stopOnFailure still never starts app and ends with migrate's code", async () => {
  const r = await (await startNimi({
    services: {
      app: sh("echo app up", { dependsOn: { migrate: "completed-successfully" } }),
      report: sh("echo report ran", { dependsOn: { migrate: "completed" }, type: "oneshot" }),
      migrate: sh("exit 3", { type: "oneshot", restart: { mode: "never" } }),
    },
  })).done();
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /app +\| app up/);
  assert.match(r.stdout, /app: not started: dependency "migrate" can no longer be/);
  // `completed` holds whatever the exit status.
  assertInOrder(r.stdout, [/migrate: exited with code 3\n/, /report +\| report ran\n/]);
});
