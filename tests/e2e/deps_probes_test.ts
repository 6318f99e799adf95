/**
 * `nimi run` end to end: each readiness probe kind against a real command, listener, output
 * line or notify datagram, and a liveness probe restarting a service that stops answering.
 *
 * @module
 */
import assert from "node:assert/strict";
import { sh, startNimi } from "./run_helpers.ts";
import { assertInOrder, freePort } from "./deps_helpers.ts";

const HTTP_SERVER = `
import http.server, sys, time
port, runs_file, hang_after = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
with open(runs_file, "a+") as f:
    f.write("run\\n")
    f.seek(0)
    run = len(f.read().splitlines())
served = 0
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        global served
        served += 1
        if run == 1 and hang_after and served > hang_after:
            print("hanging", flush=True)
            time.sleep(1000)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a):
        pass
class S(http.server.HTTPServer):
    allow_reuse_address = True
print(f"run {run} serving", flush=True)
S(("127.0.0.1", port), H).serve_forever()
`;

/** Shell that waits until the test creates "$DIR/go". */
const GATE = 'until [ -e "$DIR/go" ]; do sleep 0.02; done; ';

Deno.test("nimi run gates dependents on exec, http, log and notify readiness probes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-probes-" });
  const port = freePort();
  await Deno.writeTextFile(`${dir}/server.py`, HTTP_SERVER);
  const app = (kind: string) =>
    sh(`echo ${kind} app up; exec sleep 1000`, { dependsOn: { [`${kind}-db`]: "ready" } });
  const p = await startNimi({
    services: {
      "exec-db": sh(`${GATE}touch "$DIR/exec-ready"; exec sleep 1000`, {
        environment: { DIR: dir },
        // The probe runs with the service's environment: $DIR is set for it too.
        readiness: {
          type: "exec",
          command: ["/bin/sh", "-c", `test -e "$DIR/exec-ready"`],
          period: 50,
        },
      }),
      "exec-app": app("exec"),
      "http-db": sh(`${GATE}exec python3 "${dir}/server.py" ${port} "${dir}/runs" 0`, {
        environment: { DIR: dir },
        readiness: { type: "http", url: `http://127.0.0.1:${port}/health`, period: 50 },
      }),
      "http-app": app("http"),
      "log-db": sh(`echo booting; ${GATE}echo "listening on 8080"; exec sleep 1000`, {
        environment: { DIR: dir },
        readiness: { type: "log", pattern: "^listening on \\d+$" },
      }),
      "log-app": app("log"),
      "notify-db": sh(
        `${GATE}systemd-notify --no-block --ready --status=serving; exec sleep 1000`,
        { environment: { DIR: dir }, readiness: { type: "notify" } },
      ),
      "notify-app": app("notify"),
    },
  });
  try {
    // Each db waits for this gate, so every probe is seen failing first, however loaded the
    // machine is.
    await p.waitFor(/exec-db: not ready yet/);
    await p.waitFor(/http-db: not ready yet/);
    await p.waitFor(/notify-db: not ready yet/);
    await p.waitFor(/log-db +\| booting\n/);
    await Deno.writeTextFile(`${dir}/go`, "");
    for (const kind of ["exec", "http", "log", "notify"]) {
      await p.waitFor(new RegExp(`${kind}-app +\\| ${kind} app up\\n`));
    }
  } finally {
    p.kill("SIGTERM");
  }
  const r = await p.done();
  await Deno.remove(dir, { recursive: true });
  assertInOrder(r.stdout, [
    /exec-db: not ready yet \(exit code 1\)\n/,
    /exec-db: ready \(exit code 0\)\n/,
    /exec-app: started/,
  ]);
  assertInOrder(r.stdout, [
    new RegExp(`http-db: not ready yet \\(GET http://127\\.0\\.0\\.1:${port}/health: `),
    new RegExp(`http-db: ready \\(GET http://127\\.0\\.0\\.1:${port}/health: HTTP 200\\)\\n`),
    /http-app: started/,
  ]);
  assertInOrder(r.stdout, [
    /log-db +\| booting\n/,
    /log-db: ready \(saw a line matching \/\^listening on \\d\+\$\/\)\n/,
    /log-app: started/,
  ]);
  assertInOrder(r.stdout, [
    /notify-db: not ready yet \(no READY=1 yet\)\n/,
    /notify-db: status: serving\n/,
    /notify-db: ready \(saw READY=1\)\n/,
    /notify-app: started/,
  ]);
  for (const kind of ["exec", "http", "log", "notify"]) {
    assert.doesNotMatch(r.stdout, new RegExp(`${kind}-app: started[\\s\\S]*${kind}-db: ready`));
  }
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

Deno.test("nimi run restarts a service whose liveness probe stops passing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-liveness-" });
  const port = freePort();
  await Deno.writeTextFile(`${dir}/server.py`, HTTP_SERVER);
  const p = await startNimi({
    services: {
      // First run: answers 3 requests, then hangs (alive but not answering). Second run: fine.
      flaky: {
        process: { argv: ["python3", `${dir}/server.py`, String(port), `${dir}/runs`, "3"] },
        nimi: {
          // Liveness starts once this passes, so a slow start is not taken for a hang.
          readiness: { type: "http", url: `http://127.0.0.1:${port}/`, period: 50 },
          liveness: {
            type: "http",
            url: `http://127.0.0.1:${port}/`,
            period: 100,
            timeout: 300,
            failureThreshold: 2,
          },
          restart: { mode: "on-failure", time: 100 },
          stopTimeout: 1000,
        },
      },
    },
  });
  try {
    await p.waitFor(/flaky +\| run 2 serving\n/);
    // Run 2 passes its probe again after the restart.
    await p.waitFor(/flaky: liveness probe passes again \(GET [^)]*: HTTP 200\)\n/);
  } finally {
    p.kill("SIGTERM");
  }
  const r = await p.done();
  await Deno.remove(dir, { recursive: true });
  assertInOrder(r.stdout, [
    /flaky: ready \(GET [^)]*: HTTP 200\)\n/,
    /flaky +\| hanging\n/,
    /flaky: liveness probe failed \(timed out after 300 ms\)\n/,
    /flaky: liveness probe failed \(timed out after 300 ms\)\n/,
    /flaky: stopping: liveness probe failed 2 times in a row \(timed out after 300 ms\)\n/,
    /flaky: killed by SIGTERM\n/,
    /flaky: restarting in 0\.1s \(restart 1\)\n/,
    /flaky: started/,
    /flaky +\| run 2 serving\n/,
    /flaky: liveness probe passes again \(GET [^)]*: HTTP 200\)\n/,
  ]);
  assert.equal([...r.stdout.matchAll(/flaky: stopping: liveness/g)].length, 1, r.stdout);
});

Deno.test("nimi run restarts a notify service that stops sending WATCHDOG=1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-watchdog-" });
  // Run 1 pets the watchdog three times, then stops; run 2 keeps petting.
  const script = `n=$(cat "$DIR/n" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > "$DIR/n"
echo "run $n WATCHDOG_USEC=$WATCHDOG_USEC"
systemd-notify --no-block --ready
i=0
while :; do
  i=$((i + 1))
  if [ $n -gt 1 ] || [ $i -le 3 ]; then systemd-notify --no-block WATCHDOG=1; fi
  if [ $n -eq 1 ] && [ $i -eq 4 ]; then echo "stopped petting"; fi
  sleep 0.05
done`;
  const p = await startNimi({
    services: {
      dog: sh(script, {
        environment: { DIR: dir },
        readiness: { type: "notify" },
        liveness: { type: "notify", period: 300, failureThreshold: 2 },
        restart: { mode: "on-failure", time: 100 },
      }),
    },
  });
  try {
    await p.waitFor(/dog +\| run 2 [\s\S]*dog: liveness probe passes again \(saw WATCHDOG=1\)\n/);
  } finally {
    p.kill("SIGTERM");
  }
  const r = await p.done();
  await Deno.remove(dir, { recursive: true });
  assertInOrder(r.stdout, [
    /dog +\| run 1 WATCHDOG_USEC=300000\n/,
    /dog: ready \(saw READY=1\)\n/,
    /dog: liveness probe failed \(no WATCHDOG=1 since the last check\)\n/,
    /dog: liveness probe failed \(no WATCHDOG=1 since the last check\)\n/,
    /dog: stopping: liveness probe failed 2 times in a row/,
    /dog: restarting in 0\.1s \(restart 1\)\n/,
    /dog +\| run 2 WATCHDOG_USEC=300000\n/,
    /dog: liveness probe passes again \(saw WATCHDOG=1\)\n/,
  ]);
  assert.match(r.stdout, /dog +\| stopped petting\n/);
});
