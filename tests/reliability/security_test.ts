/**
 * Security of `nimi run`: configData, credentials and log directories are private (0700, files
 * 0600 or 0400, log files not world-readable) at unpredictable paths; a log directory planted
 * by another user is refused; secrets from credentials and `nimi.environment` never appear in
 * nimi's output, in another service's environment or in files others can read; no fd of nimi
 * leaks into a service.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { IS_ROOT, note, sandbox } from "./helpers.ts";
import { runCli } from "../helpers/cli.ts";

const SECRET_ENV = "s3cret-from-environment-4b1d";
const SECRET_CRED = "s3cret-from-credential-93fa";

function config(secretFile: string, logsDir = "logs"): unknown {
  return {
    services: {
      holder: {
        process: {
          argv: [
            "/bin/sh",
            "-c",
            [
              'stat -c "cfg %a" "$XDG_CONFIG_HOME"',
              'stat -c "cfgfile %a" "$XDG_CONFIG_HOME/app.conf"',
              'stat -c "creds %a" "$CREDENTIALS_DIRECTORY"',
              'stat -c "cred %a" "$CREDENTIALS_DIRECTORY/token"',
              'echo "paths $XDG_CONFIG_HOME $CREDENTIALS_DIRECTORY"',
              'echo "fds $(ls /proc/self/fd | tr "\\n" " ")"',
            ].join("; "),
          ],
        },
        configData: { app: { path: "app.conf", text: "x = 1\n" } },
        nimi: {
          environment: { API_KEY: SECRET_ENV },
          credentials: { token: secretFile },
          restart: { mode: "never" },
        },
      },
      other: {
        process: { argv: ["/bin/sh", "-c", "env; ls -la /proc/self/fd"] },
        nimi: { restart: { mode: "never" } },
      },
    },
    settings: { logging: { enable: true, logsDir } },
  };
}

/** Every file under a directory that is readable or writable by others. */
async function openToOthers(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (p: string) => {
    const info = await Deno.lstat(p);
    if (!info.isSymlink && (info.mode! & 0o077) !== 0) {
      out.push(`${p} ${(info.mode! & 0o777).toString(8)}`);
    }
    if (info.isDirectory) { for await (const e of Deno.readDir(p)) await walk(join(p, e.name)); }
  };
  await walk(dir);
  return out;
}

Deno.test("nimi run keeps its directories private, its paths unpredictable, its secrets and fds to itself", async () => {
  const box = await sandbox("security");
  try {
    const secretFile = `${box.root}/token`;
    await Deno.writeTextFile(secretFile, SECRET_CRED);
    await Deno.chmod(secretFile, 0o600);
    const file = await box.config(config(secretFile));
    // nimi is started holding an fd it inherited (7, not close-on-exec), as a shell or a CI
    // runner may leave it: that one must not reach the services either.
    const run = () =>
      runCli(["--config", file, "run"], {
        cwd: box.work,
        env: { TMPDIR: box.tmp, XDG_RUNTIME_DIR: "" },
        wrapper: ["sh", "-c", 'exec 7</dev/null "$0" "$@"'],
      });
    const runs = [await run(), await run()];
    const paths: string[] = [];
    for (const r of runs) {
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const out = r.stdout;
      assert.match(out, /holder \| cfg 700$/m);
      assert.match(out, /holder \| cfgfile 600$/m);
      assert.match(out, /holder \| creds 700$/m);
      assert.match(out, /holder \| cred 400$/m);
      const fds = out.match(/holder \| fds (.*)$/m)![1]!.trim().split(" ");
      // 0-2 and the directory ls itself reads: nothing of nimi's.
      assert.deepEqual(fds, ["0", "1", "2", "3"], `fds leaked into the service: ${fds}`);
      paths.push(out.match(/holder \| paths (.*)$/m)![1]!);
      for (const text of [out, r.stderr]) {
        assert.ok(!text.includes(SECRET_ENV), "nimi.environment secret in nimi's output");
        assert.ok(!text.includes(SECRET_CRED), "credential in nimi's output");
      }
      assert.doesNotMatch(out, /other +\| API_KEY=/, "another service got holder's environment");
      assert.doesNotMatch(out, /other +\| CREDENTIALS_DIRECTORY=/);
    }
    // Two runs, two different random directories, named after neither the pid nor a counter.
    assert.notEqual(paths[0], paths[1]);
    for (const p of paths.join(" ").split(" ")) {
      assert.match(p, /nimi-(credentials-)?holder-[A-Za-z0-9_]{6,}$/);
    }
    // The log directories and files are nimi's alone, and hold no secret.
    assert.deepEqual(await openToOthers(`${box.work}/logs/logs-0`), []);
    for (const n of ["holder.log", "other.log"]) {
      const text = await Deno.readTextFile(`${box.work}/logs/logs-0/${n}`);
      assert.ok(!text.includes(SECRET_ENV) && !text.includes(SECRET_CRED), `a secret in ${n}`);
    }
  } finally {
    await box.remove();
  }
});

Deno.test({
  name:
    "nimi run as root refuses a log directory planted by nobody, and runs with the console only",
  ignore: !IS_ROOT,
  fn: async () => {
    const box = await sandbox("plant");
    try {
      const secretFile = `${box.root}/token`;
      await Deno.writeTextFile(secretFile, SECRET_CRED);
      const planted = `${box.work}/planted`;
      await Deno.mkdir(planted);
      await Deno.chown(planted, 65534, 65534);
      const file = await box.config(config(secretFile, planted));
      const r = await box.nimi(file, "run");
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(
        r.stderr,
        /belongs to uid 65534, not to nimi \(uid 0\) or root; refusing .*console only/,
      );
      assert.deepEqual([...Deno.readDirSync(planted)], []);
      assert.match(r.stdout, /holder \| cfg 700$/m);
    } finally {
      await box.remove();
    }
  },
});
if (!IS_ROOT) note("security_test: not root, the planted-directory run is skipped (needs chown)");
