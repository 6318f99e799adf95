/**
 * The openrc target under real OpenRC (Debian's `openrc` package) in a container: starting the
 * client starts the server it needs first and waits for the server's tcp readiness through
 * `nimi probe --wait`; status reports both started; stopping the server stops the client too.
 * nimi inside the container is the Deno runtime and this tree, mounted read-only.
 */
import assert from "node:assert/strict";
import { podman } from "../harness/podman.ts";
import {
  CONTAINER_DENO_DIR,
  CONTAINER_NIMI,
  containerNimiMounts,
  debianImageOrReason,
  denoCacheDir,
} from "./container_nimi.ts";
import { freePort, renderTo } from "./helpers.ts";
import { readinessPair } from "./readiness_pair.ts";

const { image, reason } = await debianImageOrReason(["openrc", "python3"], "openrc_container_test");

Deno.test({
  name: "openrc: the rendered scripts start in order with readiness, report status, stop",
  ignore: reason !== null,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "nimi-test-render-openrc-" });
    const name = `nimi-test-render-openrc-${Deno.pid}`;
    const denoDir = await denoCacheDir();
    // Output through a file: a daemon started from here must not hold podman exec's pipes.
    const exec = async (script: string) => {
      const wrapped =
        `(${script}) </dev/null >/tmp/nimi-out 2>&1; rc=$?; cat /tmp/nimi-out; exit $rc`;
      const r = await podman(["exec", name, "sh", "-c", wrapped], { timeoutMs: 120_000 });
      return { code: r.code, out: r.stdout + r.stderr };
    };
    try {
      const services = readinessPair(freePort(), {
        dependsOn: { server: "ready" },
        restart: { mode: "never" },
      });
      await Deno.writeTextFile(`${dir}/c.json`, JSON.stringify({ services }));
      await renderTo("openrc", `${dir}/c.json`, `${dir}/out`, {
        stateDir: "/var/lib/nimi",
        nimi: "/usr/local/bin/nimi",
      });
      await Deno.writeTextFile(`${dir}/nimi`, CONTAINER_NIMI, { mode: 0o755 });
      const started = await podman([
        "run",
        "-d",
        "--name",
        name,
        "--network",
        "none",
        ...[
          ...containerNimiMounts(),
          `${denoDir}:${CONTAINER_DENO_DIR}:ro`,
          `${dir}:/mnt/render:ro`,
        ].flatMap((m) => ["-v", m]),
        image,
        // PID 1 reaps what it inherits, as an init does (start-stop-daemon's daemons are
        // reparented to it; an unreaped one would count as still running).
        "python3",
        "-c",
        "import os, time\nwhile True:\n    try:\n        os.wait()\n    except ChildProcessError:\n        time.sleep(0.2)",
      ]);
      assert.equal(started.code, 0, started.stderr);
      const setup = await exec(
        "mkdir -p /run/openrc && touch /run/openrc/softlevel && openrc sysinit >/dev/null 2>&1; " +
          "cp /mnt/render/nimi /usr/local/bin/nimi && cp /mnt/render/out/init.d/* /etc/init.d/ && " +
          // The dependency cache must see the new scripts (copied within the same second).
          "rc-update -u",
      );
      assert.equal(setup.code, 0, setup.out);

      const start = await exec("rc-service client start");
      assert.equal(start.code, 0, start.out);
      // OpenRC started what the client needs first.
      assert.match(start.out, /Starting server[\s\S]*Starting client/, start.out);
      for (const s of ["server", "client"]) {
        const status = await exec(`rc-service ${s} status`);
        assert.equal(status.code, 0, status.out);
        assert.match(status.out, /status: started/);
      }
      const logs = await exec(
        "for i in $(seq 100); do grep -q 'client reached server' /var/lib/nimi/client/output.log " +
          "2>/dev/null && break; sleep 0.2; done; cat /var/lib/nimi/server/output.log " +
          "/var/lib/nimi/client/output.log",
      );
      assert.match(logs.out, /server starting\nserver listening\n/);
      assert.match(logs.out, /client reached server/, "the client ran after the server was ready");
      assert.doesNotMatch(logs.out, /could not connect|Traceback/);

      const stop = await exec("rc-service server stop");
      assert.equal(stop.code, 0, stop.out);
      assert.match(stop.out, /Stopping client[\s\S]*Stopping server/, "dependents stop first");
      for (const s of ["server", "client"]) {
        const status = await exec(`rc-service ${s} status`);
        assert.match(status.out, /status: stopped/, s);
      }
      const left = await exec(
        "for f in /proc/[0-9]*/cmdline; do tr '\\000' ' ' < $f 2>/dev/null; echo; done | " +
          "grep 'python3 -u' | grep -v grep || true",
      );
      assert.equal(left.out.trim(), "", "no service process is left");
    } finally {
      await podman(["rm", "-f", "--time", "0", name]);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
