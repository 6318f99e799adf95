/**
 * Output faults: nimi's stdout (or both streams) a broken pipe (`nimi run | head -n 5`), its
 * stdout on a full disk, a log directory that fills up, is read-only, is a file or is removed
 * while nimi writes to it. In each, nimi keeps supervising (a crashing service is restarted,
 * the other sink gets every line), says what happened once on the stream that still works,
 * and exits with the code it would have had otherwise (3, from the crashing service).
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/cli.ts";
import { IS_ROOT, note, sandbox } from "./helpers.ts";

const LINES = 3000;

/** steady prints LINES numbered lines; crasher runs 3 times then fails for good (code 3). */
function config(logsDir: string, extra: Record<string, unknown> = {}): unknown {
  return {
    services: {
      steady: {
        process: {
          argv: [
            "/bin/sh",
            "-c",
            `i=0; while [ $i -lt ${LINES} ]; do echo "steady line $i"; i=$((i+1)); ` +
            `[ $((i % 100)) = 0 ] && sleep 0.02; done; exec sleep 30`,
          ],
        },
      },
      crasher: {
        process: { argv: ["/bin/sh", "-c", "sleep 0.4; echo crash run; exit 3"] },
        nimi: { restart: { mode: "up-to-count", count: 2, time: 50 } },
      },
    },
    settings: {
      logging: { enable: true, logsDir, ...extra },
      shutdown: { stopOnFailure: true },
    },
  };
}

/** Runs a bash pipeline around `nimi run`; returns nimi's exit code and stderr. */
async function pipeline(
  cwd: string,
  file: string,
  shape: string,
  env: Record<string, string> = {},
): Promise<{ code: number; stderr: string; log: string }> {
  const nimi = `"${Deno.execPath()}" run -A "${REPO_ROOT}/mod.ts" --config "${file}" run`;
  const script = shape.replace("NIMI", nimi) + `; echo "nimi exit \${PIPESTATUS[0]}" >&3`;
  const out = await new Deno.Command("bash", {
    args: ["-c", `exec 3>"${cwd}/status"; ${script}`],
    cwd,
    env: { NO_COLOR: "1", TMPDIR: cwd, ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const status = await Deno.readTextFile(`${cwd}/status`);
  const code = Number(status.match(/nimi exit (\d+)/)?.[1]);
  return {
    code,
    stderr: new TextDecoder().decode(out.stderr),
    log: new TextDecoder().decode(out.stdout),
  };
}

function steadyLines(text: string): number[] {
  return [...text.matchAll(/steady line (\d+)$/gm)].map((m) => Number(m[1]));
}

function assertAll(lines: number[], what: string): void {
  assert.equal(lines.length, LINES, `${what}: ${lines.length} of ${LINES} lines`);
  lines.forEach((n, i) => assert.equal(n, i, `${what}: line ${i} is ${n}`));
}

function count(text: string, pattern: RegExp): number {
  return [...text.matchAll(pattern)].length;
}

async function logOf(dir: string, name: string): Promise<string> {
  return await Deno.readTextFile(`${dir}/logs-0/${name}.log`);
}

Deno.test("nimi run | head -n 5: stdout or both streams broken, nimi goes on and exits 3", async (t) => {
  const box = await sandbox("pipe");
  try {
    const file = await box.config(config(`${box.work}/logs`));
    await t.step("stdout broken", async () => {
      await Deno.remove(`${box.work}/logs`, { recursive: true }).catch(() => {});
      const r = await pipeline(box.work, file, "NIMI | head -n 5");
      assert.equal(r.code, 3, r.stderr);
      assert.equal(count(r.stderr, /^nimi: cannot write console: .*[Bb]roken pipe/gm), 1, r.stderr);
      assert.equal(r.log.split("\n").length, 6, "head printed 5 lines");
      assertAll(steadyLines(await logOf(`${box.work}/logs`, "steady")), "steady.log");
      assert.equal(count(await logOf(`${box.work}/logs`, "crasher"), /crash run$/gm), 3);
    });
    await t.step("both streams broken", async () => {
      await Deno.remove(`${box.work}/logs`, { recursive: true });
      const r = await pipeline(box.work, file, "NIMI 2>&1 | head -n 5");
      assert.equal(r.code, 3, r.stderr);
      assert.equal(r.stderr, "");
      assertAll(steadyLines(await logOf(`${box.work}/logs`, "steady")), "steady.log");
      assert.equal(count(await logOf(`${box.work}/logs`, "crasher"), /crash run$/gm), 3);
    });
  } finally {
    await box.remove();
  }
});

Deno.test("a log directory that is a file, read-only, or removed while in use: the console gets every line", async (t) => {
  const box = await sandbox("logdir");
  try {
    await t.step("a file", async () => {
      await Deno.writeTextFile(`${box.work}/afile`, "");
      const file = await box.config(config(`${box.work}/afile`));
      const r = await pipeline(box.work, file, "NIMI");
      assert.equal(r.code, 3, r.stderr);
      assert.equal(
        count(
          r.stderr,
          /^nimi: Cannot create log directory under .*afile.*; no log files, output goes to the console only$/gm,
        ),
        1,
        r.stderr,
      );
      assertAll(steadyLines(r.log), "console");
      assert.equal(count(r.log, /crasher \| crash run$/gm), 3);
    });
    await t.step("read-only", async () => {
      const ro = `${box.work}/ro`;
      await Deno.mkdir(ro);
      let mounted = false;
      if (IS_ROOT) {
        // Root ignores permission bits: a read-only file system is what refuses it.
        const m = await new Deno.Command("mount", {
          args: ["-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", ro],
        }).output();
        assert.ok(m.success, new TextDecoder().decode(m.stderr));
        mounted = true;
      } else await Deno.chmod(ro, 0o500);
      try {
        const file = await box.config(config(`${ro}/logs`));
        const r = await pipeline(box.work, file, "NIMI");
        assert.equal(r.code, 3, r.stderr);
        assert.equal(
          count(
            r.stderr,
            /^nimi: Cannot create log directory under .*(Read-only file system|Permission denied).*; no log files/gm,
          ),
          1,
          r.stderr,
        );
        assertAll(steadyLines(r.log), "console");
      } finally {
        if (mounted) await new Deno.Command("umount", { args: [ro] }).output();
      }
    });
    await t.step("removed while nimi writes to it (rotation on)", async () => {
      const logs = `${box.work}/gone`;
      const file = await box.config(config(logs, { maxBytes: 4096, maxFiles: 3 }));
      // Remove logs-0 as soon as it exists; steady is still writing (it pauses every 100 lines).
      const remover = (async () => {
        for (let i = 0; i < 500; i++) {
          const removed = await Deno.remove(`${logs}/logs-0`, { recursive: true }).then(
            () => true,
            () => false,
          );
          if (removed) return true;
          await new Promise((r) => setTimeout(r, 10));
        }
        return false;
      })();
      const r = await pipeline(box.work, file, "NIMI");
      assert.ok(await remover, "logs-0 never appeared");
      assert.equal(r.code, 3, r.stderr);
      assert.equal(count(r.stderr, /^nimi: cannot write .*steady\.log: /gm), 1, r.stderr);
      assert.doesNotMatch(r.stderr, /internal error/);
      assertAll(steadyLines(r.log), "console");
      assert.equal(count(r.log, /crasher \| crash run$/gm), 3);
    });
  } finally {
    await box.remove();
  }
});

Deno.test({
  name: "a full disk: under the log directory, and under nimi's stdout",
  ignore: !IS_ROOT,
  fn: async (t) => {
    const box = await sandbox("full");
    const disk = `${box.root}/disk`;
    await Deno.mkdir(disk);
    const m = await new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", "size=64k", "tmpfs", disk],
    }).output();
    assert.ok(m.success, new TextDecoder().decode(m.stderr));
    try {
      await t.step("the log directory fills up", async () => {
        const file = await box.config(config(`${disk}/logs`));
        const r = await pipeline(box.work, file, "NIMI");
        assert.equal(r.code, 3, r.stderr);
        assert.equal(
          count(r.stderr, /^nimi: cannot write .*steady\.log: No space left on device/gm),
          1,
          r.stderr,
        );
        assertAll(steadyLines(r.log), "console");
        assert.equal(count(r.log, /crasher \| crash run$/gm), 3);
        await Deno.remove(`${disk}/logs`, { recursive: true });
      });
      await t.step("stdout on the full disk", async () => {
        await Deno.writeFile(`${disk}/filler`, new Uint8Array(60 * 1024)).catch(() => {});
        const file = await box.config(config(`${box.work}/logs`));
        const r = await pipeline(box.work, file, `NIMI > "${disk}/out"`);
        assert.equal(r.code, 3, r.stderr);
        assert.equal(
          count(r.stderr, /^nimi: cannot write console: No space left on device/gm),
          1,
          r.stderr,
        );
        assertAll(steadyLines(await logOf(`${box.work}/logs`, "steady")), "steady.log");
        assert.equal(count(await logOf(`${box.work}/logs`, "crasher"), /crash run$/gm), 3);
      });
    } finally {
      await new Deno.Command("umount", { args: [disk] }).output();
      await box.remove();
    }
  },
});
if (!IS_ROOT) {
  note("output_faults_test: not root, so the full-disk test (a tmpfs mount) is skipped");
}

Deno.test("a console nobody reads: nimi still stops on SIGTERM, keeps the log file whole, says what it left and exits", async () => {
  const box = await sandbox("stalled");
  try {
    const file = await box.config({
      services: {
        chatty: {
          process: {
            argv: ["/bin/sh", "-c", "i=0; while true; do echo chatty line $i; i=$((i+1)); done"],
          },
        },
      },
      settings: { logging: { enable: true, logsDir: `${box.work}/logs` } },
    });
    // Its stdout is a pipe this test never reads: once 64 KiB are in it, nothing more goes.
    const nimi = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${REPO_ROOT}/mod.ts`, "--no-control", "--config", file, "run"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(nimi.stderr).text();
    const log = `${box.work}/logs/logs-0/chatty.log`;
    // The log file grows while the console is full: the service runs, back-pressured.
    let size = 0;
    for (let i = 0; i < 200 && size < 100_000; i++) {
      await new Promise((r) => setTimeout(r, 25));
      size = await Deno.stat(log).then((s) => s.size, () => 0);
    }
    nimi.kill("SIGTERM");
    // A hang guard, not a timing: nimi gives up on the console after 5 s without progress.
    let guard: ReturnType<typeof setTimeout> | undefined;
    const hung = new Promise<"hung">((r) => (guard = setTimeout(() => r("hung"), 60_000)));
    const status = await Promise.race([nimi.status, hung]);
    clearTimeout(guard);
    if (status === "hung") nimi.kill("SIGKILL");
    assert.notEqual(status, "hung", "nimi did not exit with its console full");
    assert.equal((status as Deno.CommandStatus).code, 0);
    assert.match(
      await stderr,
      /^nimi: warning: \d+ bytes of output not written: nothing took any for 5 s; exiting without them$/m,
    );
    // Every line the service wrote reached the log file, in order, each whole.
    const lines = (await Deno.readTextFile(log)).split("\n").filter((l) => / stdout /.test(l));
    assert.ok(lines.length > 1000, `${lines.length} lines`);
    lines.forEach((l, i) => assert.match(l, new RegExp(` stdout chatty line ${i}$`)));
    await nimi.stdout.cancel();
  } finally {
    await box.remove();
  }
});
