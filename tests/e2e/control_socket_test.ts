import assert from "node:assert/strict";
import { startNimi } from "./run_helpers.ts";

const IS_ROOT = Deno.uid() === 0;
const service = { process: { argv: ["/bin/sh", "-c", "echo up; exec sleep 1000"] } };

async function waitForSocket(path: string, out: () => string): Promise<void> {
  const end = Date.now() + 20_000;
  while (true) {
    try {
      if ((await Deno.lstat(path)).isSocket) return;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    if (Date.now() > end) throw new Error(`no socket at ${path}:\n${out()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Connects to a Unix socket as `nobody` with python3 (no Deno: it may live under /root). */
async function connectAsNobody(path: string): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command("setpriv", {
    args: [
      "--reuid=nobody",
      "--regid=nogroup",
      "--clear-groups",
      "python3",
      "-c",
      "import socket, sys\ns = socket.socket(socket.AF_UNIX)\ns.connect(sys.argv[1])\nprint('connected')",
      path,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test({
  name: "the default control socket is 0600 in a 0700 directory, closed to others, gone after exit",
  async fn(t) {
    const runtime = await Deno.makeTempDir({ prefix: "nimi-xdg-" });
    // An ordinary shared runtime dir: only nimi's own directory inside keeps others out.
    await Deno.chmod(runtime, 0o755);
    const name = `perm-${crypto.randomUUID().slice(0, 8)}`;
    const dir = `${runtime}/nimi`;
    const socket = `${dir}/${name}.sock`;
    const nimi = await startNimi({ services: { svc: service } }, {
      args: ["--name", name],
      env: { XDG_RUNTIME_DIR: runtime },
    });
    try {
      await waitForSocket(socket, nimi.stdout);
      const d = await Deno.lstat(dir);
      const s = await Deno.lstat(socket);
      assert.equal((d.mode ?? 0) & 0o777, 0o700);
      assert.equal((s.mode ?? 0) & 0o777, 0o600);
      assert.equal(d.uid, Deno.uid());
      assert.equal(s.uid, Deno.uid());
      // nimi's own user reaches it through the same default path.
      const own = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          new URL("../../mod.ts", import.meta.url).pathname,
          "status",
          "--name",
          name,
        ],
        env: { XDG_RUNTIME_DIR: runtime, NO_COLOR: "1" },
      }).output();
      assert.equal(own.code, 0, new TextDecoder().decode(own.stderr));
      assert.match(new TextDecoder().decode(own.stdout), /^svc +ready /m);
      await t.step({
        name: "nobody cannot connect",
        ignore: !IS_ROOT,
        fn: async () => {
          const r = await connectAsNobody(socket);
          assert.notEqual(r.code, 0, "nobody connected to nimi's control socket");
          assert.match(r.stderr, /PermissionError|Permission denied/);
        },
      });
      if (!IS_ROOT) {
        const why = "  the nobody step is ignored: switching to nobody needs root\n";
        Deno.stderr.writeSync(new TextEncoder().encode(why));
      }
      nimi.kill("SIGTERM");
      const done = await nimi.done();
      assert.equal(done.code, 0, done.stdout);
      await assert.rejects(Deno.lstat(socket), Deno.errors.NotFound, "the socket is left behind");
      await assert.rejects(Deno.lstat(dir), Deno.errors.NotFound, "its directory is left behind");
    } finally {
      await Deno.remove(runtime, { recursive: true });
    }
  },
});

Deno.test("a control directory open to others, or a socket in use, turns control off and nothing else", async () => {
  const runtime = await Deno.makeTempDir({ prefix: "nimi-xdg-" });
  try {
    await Deno.mkdir(`${runtime}/nimi`, { mode: 0o755 });
    await Deno.chmod(`${runtime}/nimi`, 0o755);
    const planted = await startNimi({ services: { svc: service } }, {
      env: { XDG_RUNTIME_DIR: runtime },
    });
    await planted.waitFor(/svc +\| up/);
    planted.kill("SIGTERM");
    const a = await planted.done();
    assert.equal(a.code, 0);
    assert.match(
      a.stdout,
      /control is off for this run: control directory ".*\/nimi" is open to others \(mode 0755, want 0700\)/,
    );
    await Deno.chmod(`${runtime}/nimi`, 0o700);
    const first = await startNimi({ services: { svc: service } }, {
      env: { XDG_RUNTIME_DIR: runtime },
    });
    await waitForSocket(`${runtime}/nimi/default.sock`, first.stdout);
    const second = await startNimi({ services: { svc: service } }, {
      env: { XDG_RUNTIME_DIR: runtime },
    });
    await second.waitFor(/svc +\| up/);
    second.kill("SIGTERM");
    const b = await second.done();
    assert.equal(b.code, 0);
    assert.match(
      b.stdout,
      /control is off for this run: control socket ".*default\.sock" is in use by another nimi/,
    );
    // The second one left the first one's socket alone.
    assert.ok((await Deno.lstat(`${runtime}/nimi/default.sock`)).isSocket);
    first.kill("SIGTERM");
    assert.equal((await first.done()).code, 0);
  } finally {
    await Deno.remove(runtime, { recursive: true });
  }
});
