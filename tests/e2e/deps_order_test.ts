/**
 * `nimi run` end to end: a dependent waits for its dependency's readiness (a TCP port opened
 * late), and services stop in reverse dependency order. Shown by the order of lines in nimi's
 * log, never by timing.
 *
 * @module
 */
import assert from "node:assert/strict";
import { sh, startNimi } from "./run_helpers.ts";
import { assertInOrder, freePort } from "./deps_helpers.ts";

const PY_LISTEN = (port: number) =>
  `python3 -c "import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', ${port})); s.listen(16); print('db listening', flush=True); time.sleep(1000)"`;

const PY_CONNECT = (port: number) =>
  `python3 -c "import socket
try:
    socket.create_connection(('127.0.0.1', ${port}), 2).close(); print('web sees db port open')
except OSError as e:
    print('web sees db port closed', e)"`;

Deno.test("nimi run starts a ready-dependent only after its dependency's TCP port accepts", async () => {
  const port = freePort();
  const p = await startNimi({
    services: {
      web: sh(`${PY_CONNECT(port)}; echo web up; exec sleep 1000`, {
        dependsOn: { db: "ready" },
      }),
      // Opens its port only after a few failed probe attempts.
      db: sh(`echo db booting; sleep 0.4; exec ${PY_LISTEN(port)}`, {
        readiness: { type: "tcp", port, period: 50 },
      }),
    },
  });
  try {
    await p.waitFor(/web +\| web up\n/);
  } finally {
    p.kill("SIGTERM");
  }
  const r = await p.done();
  assertInOrder(r.stdout, [
    /nimi +\| db: started \(pid \d+\)\n/,
    `nimi | db: not ready yet (cannot connect to 127.0.0.1:${port}: `,
    `nimi | db: ready (connected to 127.0.0.1:${port})\n`,
    /nimi +\| web: started \(pid \d+\)\n/,
    "web  | web sees db port open\n",
  ]);
  assert.doesNotMatch(r.stdout, /web: started[\s\S]*db: ready/);
  assert.doesNotMatch(r.stdout, /port closed/);
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

Deno.test("nimi run stops services in reverse dependency order, each after its dependents are gone", async () => {
  const events = await Deno.makeTempFile({ prefix: "nimi-stop-order-" });
  // Each service takes a moment to exit after SIGTERM, so a wrong order would show. Services
  // append to one file (O_APPEND), whose order is the real order of events; nimi's log shows
  // when it sent each stop signal.
  const svc = (name: string) =>
    sh(
      `trap 'echo "${name} got TERM" >> "$EVENTS"; sleep 0.2; echo "${name} exiting" >> "$EVENTS"; exit 0' TERM
echo ${name} up
while :; do sleep 0.05; done`,
    );
  const withDeps = (name: string, deps: Record<string, string>) => {
    const s = svc(name);
    return { ...s, nimi: { dependsOn: deps } };
  };
  const p = await startNimi({
    services: {
      db: svc("db"),
      api: withDeps("api", { db: "started" }),
      web: withDeps("web", { api: "started" }),
      cache: svc("cache"),
    },
  }, { env: { EVENTS: events } });
  try {
    for (const n of ["db", "api", "web", "cache"]) {
      await p.waitFor(new RegExp(`${n} +\\| ${n} up\\n`));
    }
  } finally {
    p.kill("SIGTERM");
  }
  const r = await p.done();
  const log = (await Deno.readTextFile(events)).trim().split("\n");
  await Deno.remove(events);
  const at = (line: string) => {
    const i = log.indexOf(line);
    assert.ok(i >= 0, `missing "${line}" in ${JSON.stringify(log)}`);
    return i;
  };
  assert.ok(at("web exiting") < at("api got TERM"), JSON.stringify(log));
  assert.ok(at("api exiting") < at("db got TERM"), JSON.stringify(log));
  // cache: nothing depends on it, so it stops with the first layer, not after db's chain.
  assert.ok(at("cache got TERM") < at("api got TERM"), JSON.stringify(log));
  assertInOrder(r.stdout, [
    /nimi +\| web: stopping \(SIGTERM\)\n/,
    /nimi +\| api: stopping \(SIGTERM\)\n/,
    /nimi +\| db: stopping \(SIGTERM\)\n/,
  ]);
  assertInOrder(r.stdout, [
    /nimi +\| cache: stopping \(SIGTERM\)\n/,
    /nimi +\| api: stopping \(SIGTERM\)\n/,
  ]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
});
