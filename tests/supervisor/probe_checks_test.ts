/**
 * The exec, tcp and http probe checks against real commands and listeners.
 *
 * @module
 */
import assert from "node:assert/strict";
import { execCheck } from "../../src/supervisor/probe_exec.ts";
import { tcpCheck } from "../../src/supervisor/probe_tcp.ts";
import { httpCheck } from "../../src/supervisor/probe_http.ts";
import { attemptProbe } from "../../src/supervisor/probe_loop.ts";

const live = () => new AbortController().signal;

Deno.test("execCheck() passes on exit 0 and fails with the exit code otherwise", async () => {
  assert.deepEqual(await execCheck(["/bin/sh", "-c", "exit 0"])(live()), {
    ok: true,
    detail: "exit code 0",
  });
  assert.deepEqual(await execCheck(["/bin/sh", "-c", "exit 3"])(live()), {
    ok: false,
    detail: "exit code 3",
  });
});

Deno.test("execCheck() runs with the service's environment and working directory", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const check = execCheck(
      ["/bin/sh", "-c", `test "$PROBE_VAR" = yes && test "$PWD" = "${dir}"`],
      {
        env: { PROBE_VAR: "yes" },
        cwd: dir,
      },
    );
    assert.equal((await check(live())).ok, true);
    const wrong = execCheck(["/bin/sh", "-c", `test "$PROBE_VAR" = yes`], { env: { X: "1" } });
    assert.equal((await wrong(live())).ok, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("execCheck() reports a program that cannot run", async () => {
  const a = await execCheck(["/nonexistent/probe"])(live());
  assert.equal(a.ok, false);
  assert.match(a.detail, /^cannot run "\/nonexistent\/probe": /);
});

Deno.test("execCheck() under attemptProbe() kills a hung command and its children at the timeout", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const pidFile = `${dir}/pid`;
    // The grandchild records its pid; the timeout must take it down with the command.
    const check = execCheck([
      "/bin/sh",
      "-c",
      `sleep 30 & echo $! > ${pidFile}; wait`,
    ]);
    const attempt = await attemptProbe(check, 300, live());
    assert.deepEqual(attempt, { ok: false, detail: "timed out after 300 ms" });
    const pid = Number((await Deno.readTextFile(pidFile)).trim());
    let gone = false;
    for (let i = 0; i < 50 && !gone; i++) {
      const stat = await Deno.readTextFile(`/proc/${pid}/stat`).catch(() => "");
      gone = stat === "" || stat.split(") ")[1]?.startsWith("Z") === true;
      if (!gone) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(gone, `sleep ${pid} survived the probe timeout`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tcpCheck() passes when the port accepts and fails when nothing listens", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  const accepted = (async () => {
    const conn = await listener.accept();
    conn.close();
  })();
  try {
    assert.deepEqual(await tcpCheck("127.0.0.1", port)(live()), {
      ok: true,
      detail: `connected to 127.0.0.1:${port}`,
    });
    await accepted;
  } finally {
    listener.close();
  }
  const closed = await tcpCheck("127.0.0.1", port)(live());
  assert.equal(closed.ok, false);
  assert.match(closed.detail, new RegExp(`^cannot connect to 127\\.0\\.0\\.1:${port}: `));
});

Deno.test("httpCheck() passes on 2xx and fails on other statuses and on no server", async () => {
  let status = 204;
  const paths: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    paths.push(new URL(req.url).pathname);
    return new Response(status === 204 ? null : "body", { status });
  });
  const url = `http://127.0.0.1:${server.addr.port}/health`;
  try {
    assert.deepEqual(await httpCheck(url)(live()), { ok: true, detail: `GET ${url}: HTTP 204` });
    status = 503;
    assert.deepEqual(await httpCheck(url)(live()), {
      ok: false,
      detail: `GET ${url}: HTTP 503`,
    });
    status = 302;
    assert.equal((await httpCheck(`${url}?redirect`)(live())).ok, false);
  } finally {
    await server.shutdown();
  }
  assert.deepEqual(paths, ["/health", "/health", "/health"]);
  const down = await httpCheck(url)(live());
  assert.equal(down.ok, false);
  assert.ok(down.detail.startsWith(`GET ${url}: `), down.detail);
});
