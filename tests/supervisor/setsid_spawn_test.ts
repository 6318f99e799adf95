/**
 * The setsid fast path (src/supervisor/setsid_spawn.ts): when it applies, and that a service
 * started through it is its own session and group leader with its own argv and exit status,
 * exactly as a `detached` spawn makes it.
 */
import assert from "node:assert/strict";
import {
  setsidHelper,
  startable,
  startProcess,
  viaSetsid,
} from "../../src/supervisor/setsid_spawn.ts";

const helper = setsidHelper();
const noHelper = helper === null ? "no setsid program on this machine (util-linux)" : false;
if (noHelper) {
  Deno.stderr.writeSync(
    new TextEncoder().encode(`setsid_spawn_test: ${noHelper}; the spawn tests are ignored\n`),
  );
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-perf-setsid-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("startable() accepts what the kernel runs and nothing it would refuse", async () => {
  await withDir(async (dir) => {
    assert.equal(startable("/bin/sh"), true);
    assert.equal(startable("/nonexistent/program"), false);
    assert.equal(startable(dir), false, "a directory");
    assert.equal(startable("/etc/hostname"), false, "not executable");
    const script = `${dir}/ok.sh`;
    await Deno.writeTextFile(script, "#!/bin/sh\nexit 0\n");
    await Deno.chmod(script, 0o755);
    assert.equal(startable(script), true);
    const orphan = `${dir}/orphan.sh`;
    await Deno.writeTextFile(orphan, "#!/nonexistent/interpreter\nexit 0\n");
    await Deno.chmod(orphan, 0o755);
    assert.equal(startable(orphan), false, "interpreter missing");
    // An ELF program whose loader is missing: /bin/true with its PT_INTERP path renamed.
    const elf = await Deno.readFile("/bin/true");
    const text = new TextDecoder("latin1").decode(elf);
    const at = text.indexOf("/lib64/ld-linux");
    assert.ok(at > 0, "no loader path in /bin/true");
    elf.set(new TextEncoder().encode("/nix64"), at);
    const broken = `${dir}/broken`;
    await Deno.writeFile(broken, elf, { mode: 0o755 });
    assert.equal(startable(broken), false, "loader missing");
    assert.equal(startable("relative/program"), false);
  });
});

Deno.test("viaSetsid() applies only to detached, absolute, startable programs without a user switch", () => {
  const h = "/usr/bin/setsid";
  assert.deepEqual(viaSetsid("/bin/sh", { args: ["-c", "x"], detached: true }, h), {
    program: h,
    options: { args: ["/bin/sh", "-c", "x"], detached: false },
  });
  assert.equal(viaSetsid("/bin/sh", { detached: false }, h), null);
  assert.equal(viaSetsid("sh", { detached: true }, h), null);
  assert.equal(viaSetsid("/bin/sh", { detached: true, uid: 1000 }, h), null);
  assert.equal(viaSetsid("/bin/sh", { detached: true, gid: 1000 }, h), null);
  assert.equal(viaSetsid("/nonexistent", { detached: true }, h), null);
  assert.equal(viaSetsid("/bin/sh", { detached: true }, null), null);
});

function statOf(pid: number): { pgid: number; sid: number } {
  const text = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { pgid: Number(f[2]), sid: Number(f[3]) };
}

Deno.test({
  name: "a service spawned through setsid leads its own session and group, with its own argv",
  ignore: noHelper !== false,
  fn: async () => {
    const started = startProcess("/bin/sleep", {
      args: ["30"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      detached: true,
    });
    const child = started.process;
    try {
      // leading() returns once the child leads its group: a stop can signal it from then on.
      started.leading();
      assert.deepEqual(statOf(child.pid), { pgid: child.pid, sid: child.pid });
      // Until the helper has exec'd, /proc shows setsid: wait for the program itself.
      let cmdline = "";
      for (let i = 0; i < 500; i++) {
        cmdline = Deno.readTextFileSync(`/proc/${child.pid}/cmdline`);
        if (cmdline.startsWith("/bin/sleep")) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal(cmdline, "/bin/sleep\x0030\x00");
      assert.deepEqual(statOf(child.pid), { pgid: child.pid, sid: child.pid });
    } finally {
      child.kill("SIGKILL");
      await child.status;
      await child.stdout.cancel();
      await child.stderr.cancel();
    }
  },
});

Deno.test({
  name: "a service spawned through setsid reports its own exit code and output",
  ignore: noHelper !== false,
  fn: async () => {
    const child = startProcess("/bin/sh", {
      args: ["-c", "echo out; echo err >&2; exit 7"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      detached: true,
    }).process;
    const [status, out, err] = await Promise.all([
      child.status,
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
    ]);
    assert.equal(status.code, 7);
    assert.equal(out, "out\n");
    assert.equal(err, "err\n");
  },
});
