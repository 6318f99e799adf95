/**
 * Start failures name their real cause (a missing interpreter, a working directory that is a
 * file, a program that is a directory or not executable); credentials that are a FIFO or a
 * device are refused, not read forever; running out of file descriptors is named as such, and
 * nothing is left running; a service running as another user reads its own configData.
 */
import assert from "node:assert/strict";
import { IS_ROOT, listTree, note, sandbox } from "./helpers.ts";
import { REPO_ROOT } from "../helpers/cli.ts";

Deno.test("nimi run names each start failure's real cause", async () => {
  const box = await sandbox("start");
  try {
    const script = `${box.root}/script`;
    await Deno.writeTextFile(script, "#!/nonexistent/interpreter\necho hi\n");
    await Deno.chmod(script, 0o755);
    const plain = `${box.root}/plain`;
    await Deno.writeTextFile(plain, "echo hi\n");
    const never = { restart: { mode: "never" } };
    const file = await box.config({
      services: {
        shebang: { process: { argv: [script] }, nimi: never },
        cwdfile: { process: { argv: ["/bin/true"] }, nimi: { ...never, workingDirectory: plain } },
        dir: { process: { argv: [box.root] }, nimi: never },
        noexec: { process: { argv: [plain] }, nimi: never },
      },
    });
    const r = await box.nimi(file, "run");
    assert.equal(r.code, 127, r.stdout + r.stderr);
    for (
      const re of [
        new RegExp(
          `shebang: cannot start: interpreter "/nonexistent/interpreter" of program "${script}" not found`,
        ),
        new RegExp(`cwdfile: cannot start: working directory "${plain}" is not a directory`),
        new RegExp(`dir: cannot start: program "${box.root}" is a directory`),
        new RegExp(
          `noexec: cannot start: program "${plain}" is not executable \\(permission denied\\)`,
        ),
      ]
    ) assert.match(r.stdout + r.stderr, re);
  } finally {
    await box.remove();
  }
});

Deno.test("nimi run refuses credentials that are a FIFO, a device or over 1 MiB, at once, with exit 2", async () => {
  const box = await sandbox("creds");
  try {
    const fifo = `${box.root}/fifo`;
    assert.ok((await new Deno.Command("mkfifo", { args: [fifo] }).output()).success);
    const huge = `${box.root}/huge`;
    await Deno.writeFile(huge, new Uint8Array(2 * 1024 * 1024));
    const file = await box.config({
      services: {
        a: { process: { argv: ["/bin/true"] }, nimi: { credentials: { key: fifo } } },
        b: { process: { argv: ["/bin/true"] }, nimi: { credentials: { key: "/dev/zero" } } },
        c: { process: { argv: ["/bin/true"] }, nimi: { credentials: { key: huge } } },
      },
    });
    const r = await box.nimi(file, "run");
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(
      r.stdout + r.stderr,
      /Cannot read credential "key" of service "a" from ".*fifo": is a FIFO, not a regular file/,
    );
    assert.match(
      r.stdout + r.stderr,
      /Cannot read credential "key" of service "b" from "\/dev\/zero": is a character device, not a regular file/,
    );
    assert.match(
      r.stdout + r.stderr,
      /Cannot read credential "key" of service "c" from ".*huge": is too large: 2097152 bytes, at most 1048576 are read/,
    );
    assert.deepEqual(await listTree(box.tmp), []);
  } finally {
    await box.remove();
  }
});

Deno.test("out of file descriptors: nimi says so, not 'internal error', and leaves nothing running", async () => {
  const box = await sandbox("emfile");
  try {
    const marker = `nimi-emfile-${crypto.randomUUID()}`;
    const services: Record<string, unknown> = {};
    for (let i = 0; i < 60; i++) {
      services[`s${i}`] = { process: { argv: ["/bin/sh", "-c", `exec sleep 30 # ${marker}`] } };
    }
    const file = await box.config({ services, settings: { logging: { enable: true } } });
    const child = new Deno.Command("prlimit", {
      args: [
        "--nofile=64:64",
        Deno.execPath(),
        "run",
        "-A",
        `${REPO_ROOT}/mod.ts`,
        "--config",
        file,
        "run",
      ],
      cwd: box.work,
      env: { NO_COLOR: "1", TMPDIR: box.tmp },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // It may get as far as running some services: then a stop must end it.
    const timer = setTimeout(() => child.kill("SIGTERM"), 3000);
    const out = await child.output();
    clearTimeout(timer);
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.notEqual(out.code, 134);
    assert.notEqual(out.code, 139);
    assert.match(text, /Too many open files/);
    assert.doesNotMatch(text, /internal error|\n\s+at /);
    const left = [...Deno.readDirSync("/proc")].filter((e) => /^\d+$/.test(e.name)).filter((e) => {
      try {
        return Deno.readTextFileSync(`/proc/${e.name}/cmdline`).includes(marker);
      } catch {
        return false; // exited while listing
      }
    });
    assert.deepEqual(left.map((e) => e.name), [], "services left running");
  } finally {
    await box.remove();
  }
});

Deno.test({
  name: "a service running as nobody reads its own configData",
  ignore: !IS_ROOT,
  fn: async () => {
    const box = await sandbox("nobodycfg");
    try {
      // Only nimi's own directories are private: nobody must reach TMPDIR.
      await Deno.chmod(box.root, 0o755);
      await Deno.chmod(box.tmp, 0o755);
      const file = await box.config({
        services: {
          reader: {
            process: { argv: ["/bin/sh", "-c", 'id -u; cat "$XDG_CONFIG_HOME/app/app.conf"'] },
            configData: { app: { path: "app/app.conf", text: "setting = 1\n" } },
            nimi: { user: "nobody", workingDirectory: "/", restart: { mode: "never" } },
          },
        },
      });
      const r = await box.nimi(file, "run");
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /reader \| 65534\n/);
      assert.match(r.stdout, /reader \| setting = 1\n/);
      assert.deepEqual(await listTree(box.tmp), []);
    } finally {
      await box.remove();
    }
  },
});
if (!IS_ROOT) note("start_failures_test: not root, the run as nobody is skipped");
