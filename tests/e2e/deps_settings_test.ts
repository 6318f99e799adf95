/**
 * `nimi run` end to end: per-service environment, inheritEnvironment false, working directory,
 * user and group, and credentials.
 *
 * @module
 */
import assert from "node:assert/strict";
import { count, runNimi, sh, startNimi } from "./run_helpers.ts";
import { assertInOrder } from "./deps_helpers.ts";
import { IS_ROOT, rootTest } from "../helpers/root.ts";

/** The lines a service printed on stdout, without the prefix. */
function linesOf(stdout: string, name: string): string[] {
  const prefix = new RegExp(`^${name} +\\| `);
  return stdout.split("\n").filter((l) => prefix.test(l)).map((l) => l.replace(prefix, ""));
}

function passwdEntry(name: string): { uid: string; gid: string; home: string } {
  const line = Deno.readTextFileSync("/etc/passwd").split("\n").find((l) =>
    l.startsWith(`${name}:`)
  );
  assert.ok(line, `no ${name} in /etc/passwd`);
  const f = line.split(":");
  return { uid: f[2]!, gid: f[3]!, home: f[5]! };
}

function groupId(name: string): string {
  const line = Deno.readTextFileSync("/etc/group").split("\n").find((l) =>
    l.startsWith(`${name}:`)
  );
  assert.ok(line, `no ${name} in /etc/group`);
  return line.split(":")[2]!;
}

Deno.test("nimi run applies environment, inheritEnvironment false and workingDirectory", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "nimi-cwd-" }));
  try {
    const r = await runNimi({
      services: {
        inherit: {
          process: { argv: ["/usr/bin/env"] },
          nimi: { environment: { GREETING: "hello", FROM_NIMI: "overridden" } },
        },
        bare: {
          process: { argv: ["/usr/bin/env"] },
          nimi: { inheritEnvironment: false, environment: { ONLY: "1" } },
        },
        cwd: { process: { argv: ["/bin/pwd"] }, nimi: { workingDirectory: dir } },
      },
    }, { env: { FROM_NIMI: "yes", ALSO_FROM_NIMI: "yes" } });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const inherit = linesOf(r.stdout, "inherit");
    assert.ok(inherit.includes("GREETING=hello"), inherit.join("\n"));
    assert.ok(inherit.includes("ALSO_FROM_NIMI=yes"), inherit.join("\n"));
    // nimi.environment wins over the inherited value.
    assert.ok(inherit.includes("FROM_NIMI=overridden"), inherit.join("\n"));
    assert.deepEqual(linesOf(r.stdout, "bare"), ["ONLY=1"]);
    assert.deepEqual(linesOf(r.stdout, "cwd"), [dir]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

rootTest(
  "nimi run runs a service as nobody/nogroup, with USER and HOME from /etc/passwd",
  "it runs a service as another user",
  async () => {
    const nobody = passwdEntry("nobody");
    const nogroup = groupId("nogroup");
    const r = await runNimi({
      services: {
        // nimi runs in a private (0700) temp dir: the services get "/" as working directory.
        named: sh(`id -u; id -g; id -G; echo "USER=$USER HOME=$HOME"`, {
          user: "nobody",
          group: "nogroup",
          workingDirectory: "/",
        }),
        numeric: sh(`id -u; id -g`, { user: 4242, group: "4343", workingDirectory: "/" }),
        primary: sh(`id -g; echo "HOME=$HOME"`, {
          user: "nobody",
          environment: { HOME: "/custom" },
          workingDirectory: "/",
        }),
        // Left in nimi's private directory, it cannot start: nimi says why.
        stuck: sh("echo should not run", { user: "nobody", restart: { mode: "never" } }),
      },
    });
    assert.notEqual(r.code, 0, "stuck fails");
    assert.match(
      r.stdout,
      /nimi +\| stuck: warning: runs as uid \d+ but cannot enter "[^"]+" on the way to nimi's working directory; set nimi\.workingDirectory/,
    );
    assert.doesNotMatch(r.stdout, /should not run/);
    assert.deepEqual(linesOf(r.stdout, "named"), [
      nobody.uid,
      nogroup,
      nogroup,
      `USER=nobody HOME=${nobody.home}`,
    ]);
    assert.deepEqual(linesOf(r.stdout, "numeric"), ["4242", "4343"]);
    // Without a group, the user's primary group; the service's own HOME wins.
    assert.deepEqual(linesOf(r.stdout, "primary"), [nobody.gid, "HOME=/custom"]);
  },
);

Deno.test("nimi run refuses an unknown user before starting anything (exit code 2)", async () => {
  const r = await runNimi({
    services: {
      ok: sh("echo should not run"),
      web: sh("echo should not run", { user: "no-such-user-here" }),
    },
  });
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(
    r.stderr,
    IS_ROOT
      ? /^nimi: .*nimi\.json: services\.web\.nimi\.user: no user "no-such-user-here" in \/etc\/passwd\n$/
      // Not root, nimi cannot switch to any user: that is the error.
      : /^nimi: .*nimi\.json: services\.web\.nimi\.user is set but nimi is not root \(uid \d+\); run nimi as root or remove it\n$/,
  );
  assert.doesNotMatch(r.stdout, /should not run/);
});

rootTest(
  "nimi run gives a service its credentials in a private $CREDENTIALS_DIRECTORY, removed when it ends",
  "it runs a service as another user",
  async () => {
    const tmp = await Deno.makeTempDir({ prefix: "nimi-creds-e2e-" });
    // nimi's TMPDIR for this run; like /tmp, nobody must be able to pass through it.
    await Deno.chmod(tmp, 0o711);
    try {
      const cert = `${tmp}/cert.pem`;
      await Deno.writeTextFile(cert, "-----BEGIN CERTIFICATE-----\nMIIB\n");
      await Deno.chmod(cert, 0o600);
      const script = `cat "$CREDENTIALS_DIRECTORY/cert"
stat -c 'dir %a %U:%G' "$CREDENTIALS_DIRECTORY"
stat -c 'file %a %U:%G' "$CREDENTIALS_DIRECTORY/cert"
echo "dir=$CREDENTIALS_DIRECTORY"`;
      const r = await runNimi({
        services: {
          reader: sh(script, {
            type: "oneshot",
            user: "nobody",
            group: "nogroup",
            workingDirectory: "/",
            credentials: { cert },
          }),
          // Runs once reader has ended: its credentials must be gone by then.
          after: sh(
            `for d in "$TMPDIR"/nimi-credentials-reader-*; do
  if test -e "$d"; then echo "still there: $d"; else echo "credentials gone"; fi
done`,
            { type: "oneshot", dependsOn: { reader: "completed" } },
          ),
        },
      }, { env: { TMPDIR: tmp } });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const lines = linesOf(r.stdout, "reader");
      const dirLine = lines.find((l) => l.startsWith("dir="));
      assert.ok(dirLine, lines.join("\n"));
      const credDir = dirLine.slice(4);
      assert.match(credDir, new RegExp(`^${tmp}/nimi-credentials-reader-[^/]+$`));
      assert.deepEqual(lines, [
        "-----BEGIN CERTIFICATE-----",
        "MIIB",
        "dir 700 nobody:nogroup",
        "file 400 nobody:nogroup",
        dirLine,
      ]);
      assert.deepEqual(linesOf(r.stdout, "after"), ["credentials gone"]);
      assertInOrder(r.stdout, [/reader: exited with code 0\n/, /after: started/]);
      await assert.rejects(Deno.stat(credDir), Deno.errors.NotFound);
      // The source file is untouched.
      assert.equal((await Deno.stat(cert)).mode! & 0o777, 0o600);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  },
);

Deno.test("nimi run names the service and path of a missing credential and starts nothing", async () => {
  const r = await runNimi({
    services: {
      ok: sh("echo should not run"),
      web: sh("echo should not run", { credentials: { cert: "/nonexistent/web.pem" } }),
    },
  });
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /nimi +\| Cannot read credential "cert" of service "web" from "\/nonexistent\/web\.pem": no such file\n/,
  );
  assert.doesNotMatch(r.stdout, /should not run/);
});

Deno.test("nimi run stops a service with its own stopSignal and honours its restart override", async () => {
  const p = await startNimi({
    services: {
      graceful: sh(
        `trap 'echo got INT; exit 0' INT; trap 'echo got TERM; exit 1' TERM
echo up; while :; do sleep 0.05; done`,
        { stopSignal: "INT" },
      ),
      // Global policy: never restart; this one overrides it with two restarts.
      retried: sh("echo attempt; exit 4", { restart: { mode: "up-to-count", count: 2, time: 0 } }),
      once: sh("echo once; exit 5"),
    },
    settings: { restart: { mode: "never" } },
  });
  try {
    await p.waitFor(/graceful +\| up\n/);
    // "not restarted" is an error message (stderr): wait for the third exit instead.
    await p.waitFor((out) => count(out, /retried: exited with code 4\n/g) === 3);
    await p.waitFor(/once: exited with code 5\n/);
  } finally {
    p.kill("SIGTERM");
  }
  const r = await p.done();
  assert.match(r.stdout, /nimi +\| graceful: stopping \(SIGINT\)\n/);
  assert.deepEqual(linesOf(r.stdout, "graceful"), ["up", "got INT"]);
  assert.deepEqual(linesOf(r.stdout, "retried"), ["attempt", "attempt", "attempt"]);
  assert.deepEqual(linesOf(r.stdout, "once"), ["once"]);
  assert.match(r.stderr, /retried: not restarted/);
});
