/**
 * The README demo's systemd units under a real systemd (PID 1 in a Debian container): they
 * load, start in dependency order with real readiness (the client starts only after web's
 * `ExecStartPost=nimi probe` saw its port accept), restart as rendered, and
 * `systemctl stop nimi.target` stops them all. nimi inside the container is the Deno runtime
 * and this source tree, mounted read-only (deno compile cannot run here).
 */
import assert from "node:assert/strict";
import { type SystemdContainer, systemdContainerOrReason } from "../harness/debian.ts";
import {
  CONTAINER_DENO_DIR,
  CONTAINER_NIMI,
  CONTAINER_SRC,
  containerNimiMounts,
  denoCacheDir,
} from "./container_nimi.ts";
import { demoConfig, renderTo, waitFor } from "./helpers.ts";

const dir = await Deno.makeTempDir({ prefix: "nimi-test-render-systemd-ct-" });
const booted = await systemdContainerOrReason(["python3"], {
  name: `nimi-test-render-systemd-${Deno.pid}`,
  volumes: [
    ...containerNimiMounts(),
    `${await denoCacheDir()}:${CONTAINER_DENO_DIR}:ro`,
    `${dir}:/mnt/render:ro`,
  ],
});
const reason = typeof booted === "string" ? booted : null;
if (reason !== null) {
  Deno.stderr.writeSync(new TextEncoder().encode(`systemd_container_test: skipping: ${reason}\n`));
  await Deno.remove(dir, { recursive: true });
}

async function show(
  c: SystemdContainer,
  unit: string,
  ...props: string[]
): Promise<Record<string, string>> {
  const out = await c.execOk(["systemctl", "show", unit, ...props.flatMap((p) => ["-p", p])]);
  return Object.fromEntries(out.trim().split("\n").map((l) => l.split(/=(.*)/s).slice(0, 2)));
}

/** The command lines of the demo's processes (no procps in the image: read from /proc). */
async function demoProcesses(c: SystemdContainer): Promise<string> {
  const out = await c.execOk([
    "sh",
    "-c",
    "for f in /proc/[0-9]*/cmdline; do tr '\\000' ' ' < $f 2>/dev/null; echo; done | " +
    "grep 'examples/demo' | grep -v grep || true",
  ]);
  return out.trim();
}

Deno.test({
  name: "systemd in a container runs the demo's units: order, readiness, restarts, stop",
  ignore: reason !== null,
  fn: async () => {
    const c = booted as SystemdContainer;
    try {
      const result = await renderTo("systemd", await demoConfig(dir, 600), `${dir}/units`, {
        stateDir: "/var/lib/nimi",
        nimi: "/usr/local/bin/nimi",
        baseDir: CONTAINER_SRC,
      });
      assert.ok(!result.warnings.some((w) => w.feature.startsWith("readiness")), "readiness runs");
      await c.execOk(["sh", "-c", "cat > /usr/local/bin/nimi && chmod 755 /usr/local/bin/nimi"], {
        stdin: CONTAINER_NIMI,
      });
      await c.execOk([
        "sh",
        "-c",
        "cp /mnt/render/units/*.service /mnt/render/units/*.target /etc/systemd/system/",
      ]);
      await c.execOk(["systemctl", "daemon-reload"]);
      const verify = await c.exec([
        "sh",
        "-c",
        "systemd-analyze verify /etc/systemd/system/*.service 2>&1",
      ]);
      assert.doesNotMatch(verify.stdout, /not executable|Neither a valid|relative/, verify.stdout);
      // Start returns once the target is active: after every service it wants (targets order
      // themselves After= what they want), so after web's readiness and the client's run.
      await c.execOk(["systemctl", "start", "nimi.target"], { timeoutMs: 120_000 });

      const mono = async (unit: string, prop: string) => Number((await show(c, unit, prop))[prop]);
      const webStart = await mono("web.service", "ExecMainStartTimestampMonotonic");
      const webActive = await mono("web.service", "ActiveEnterTimestampMonotonic");
      const clientStart = await mono("client.service", "ExecMainStartTimestampMonotonic");
      const startupActive = await mono("startup.service", "ActiveEnterTimestampMonotonic");
      assert.ok(startupActive <= webStart, "the startup hook finished before web started");
      assert.ok(webActive > webStart, "web became active only after its probe passed");
      assert.ok(clientStart >= webActive, "the client started after web was ready");
      const client = await show(c, "client.service", "Result", "ActiveState", "ExecMainStatus");
      assert.deepEqual(client, { Result: "success", ActiveState: "active", ExecMainStatus: "0" });
      const journal = await c.execOk([
        "journalctl",
        "-o",
        "cat",
        "-u",
        "client.service",
        "-u",
        "web.service",
      ]);
      assert.match(journal, /listening on http:\/\/127\.0\.0\.1:8765\//);
      assert.match(
        journal,
        /GET http:\/\/127\.0\.0\.1:8765\/ -> 200: hello from the demo web service/,
      );

      // Restart as rendered: the worker crashes twice (on-failure, 500 ms) and then finishes.
      const worker = await waitFor(
        "the worker to finish after two restarts",
        async () => {
          const w = await show(c, "worker.service", "NRestarts", "ActiveState", "Result");
          return w.ActiveState === "inactive" && w.NRestarts === "2" ? w : undefined;
        },
        300,
        200,
      );
      assert.equal(worker.Result, "success");
      // A killed web comes back (Restart=on-failure, RestartSec=1s).
      const pid = (await show(c, "web.service", "MainPID")).MainPID!;
      await c.execOk(["systemctl", "kill", "--signal=SIGKILL", "--kill-whom=main", "web.service"]);
      await waitFor(
        "web to be restarted",
        async () => {
          const w = await show(c, "web.service", "NRestarts", "ActiveState", "MainPID");
          return w.NRestarts === "1" && w.ActiveState === "active" && w.MainPID !== pid
            ? w
            : undefined;
        },
        300,
        200,
      );

      assert.match(await demoProcesses(c), /examples\/demo\/web\.py/, "web runs before the stop");
      // PartOf=nimi.target: stopping the target stops every unit.
      await c.execOk(["systemctl", "stop", "nimi.target"], { timeoutMs: 60_000 });
      for (const u of ["web", "client", "worker", "startup"]) {
        const s = await show(c, `${u}.service`, "ActiveState");
        assert.equal(s.ActiveState, "inactive", u);
      }
      assert.equal(await demoProcesses(c), "", "no demo process is left");
    } finally {
      await c.remove();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
