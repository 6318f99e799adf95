/**
 * nimi under a real systemd (PID 1 of a Debian container) as the `ExecStart` of the system unit
 * the NixOS module generates (tests/systemd/module_unit.ts, the same directives): `Type=notify`
 * readiness, `STATUS=`, `STOPPING=1` and the watchdog as systemd itself received them (its
 * debug log), journald priorities, `systemctl stop`, `systemctl kill -s HUP`, and systemd's
 * `Restart=` around nimi's own restarts.
 *
 * On the machine these tests were written on (cgroups v1 "hybrid"), journald attributes a
 * unit's output of its first second to init.scope; the lines `journalctl -u` is asked for here
 * come later.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { SystemdContainer } from "../harness/debian.ts";
import {
  bootForNimi,
  journal,
  nimiWrapper,
  notifications,
  show,
  SYSTEM,
  systemctl,
  waitFor,
  writeIn,
} from "./container.ts";
import { unitFile, type UnitSettings } from "./module_unit.ts";

const booted = await bootForNimi("system_unit_test.ts");
const skip = typeof booted === "string" ? booted : null;

/** Installs instance `name`: its config, its `bin/<name>`, its unit; reloads systemd. */
async function install(
  c: SystemdContainer,
  name: string,
  config: { services: Record<string, unknown>; settings: Record<string, unknown> },
  settings: UnitSettings,
  extraService: Record<string, string> = {},
): Promise<void> {
  await writeIn(c, `/etc/nimi/${name}.json`, JSON.stringify(config));
  await writeIn(
    c,
    `/usr/local/bin/${name}`,
    nimiWrapper(`/etc/nimi/${name}.json`, "/var/cache/nimi-deno"),
    { mode: "755" },
  );
  const unit = unitFile({
    name,
    settings,
    kind: "nixos",
    execStart: `/usr/local/bin/${name}`,
    extraService,
  });
  await writeIn(c, `/etc/systemd/system/${name}.service`, unit);
  await c.execOk(["systemctl", "daemon-reload"]);
}

const sh = (script: string, nimi: Record<string, unknown> = {}) => ({
  process: { argv: ["/bin/sh", "-c", script] },
  nimi,
});
const logReady = (pattern: string) => ({ readiness: { type: "log", pattern, period: 100 } });

const WEB_SETTINGS: UnitSettings = {
  restart: { mode: "on-failure", time: 500, count: 5 },
  shutdown: { timeout: 3000 },
};

const WEB_CONFIG = {
  services: {
    web: sh(
      "trap 'echo got HUP' HUP; echo listening; while :; do sleep 0.2; done",
      logReady("^listening$"),
    ),
    slow: sh(
      "trap '' HUP; while [ ! -e /run/nimi-test-go ]; do sleep 0.1; done; " +
        "echo slow-out-line; echo slow-err-line >&2; echo slow-ready; exec sleep 1000",
      logReady("^slow-ready$"),
    ),
  },
  settings: { restart: WEB_SETTINGS.restart, shutdown: WEB_SETTINGS.shutdown },
};

Deno.test({
  name: "systemd runs nimi as a Type=notify system unit of the NixOS module",
  ignore: skip !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const c = booted as SystemdContainer;
    const unit = "webstack.service";
    const notified = () => notifications(c, [`UNIT=${unit}`, "_PID=1"]);
    try {
      await c.execOk(["systemd-analyze", "log-level", "debug"]);
      await install(c, "webstack", WEB_CONFIG, WEB_SETTINGS, { WatchdogSec: "2s" });

      await t.step("READY=1 only once every service is ready, with STATUS=", async () => {
        await c.execOk(["systemctl", "start", "--no-block", unit]);
        await waitFor("web ready, slow not", async () => {
          const p = await show(c, SYSTEM, unit, ["StatusText"]);
          return p.StatusText === "1/2 ready; starting: slow" ? true : null;
        });
        // web is ready, slow is not: systemd must still wait for nimi.
        await new Promise((r) => setTimeout(r, 1200));
        assert.equal((await show(c, SYSTEM, unit, ["ActiveState"])).ActiveState, "activating");
        await c.execOk(["touch", "/run/nimi-test-go"]);
        await c.execOk(["systemctl", "start", unit]);
        const p = await show(c, SYSTEM, unit, ["ActiveState", "SubState", "StatusText"]);
        assert.deepEqual(p, {
          ActiveState: "active",
          SubState: "running",
          StatusText: "2/2 ready",
        });
        const got = (await notified()).filter((n) => n !== "WATCHDOG=1");
        assert.deepEqual(got.slice(0, 3), [
          "STATUS=0/2 ready; starting: web, slow",
          "STATUS=1/2 ready; starting: slow",
          "READY=1, STATUS=2/2 ready",
        ]);
        assert.equal(got.filter((n) => n.includes("READY=1")).length, 1);
      });

      await t.step("WATCHDOG=1 keeps a unit with WatchdogSec=2s alive", async () => {
        const before = await show(c, SYSTEM, unit, ["MainPID", "WatchdogTimestampMonotonic"]);
        await waitFor("a newer watchdog ping", async () => {
          const now = await show(c, SYSTEM, unit, ["WatchdogTimestampMonotonic"]);
          return now.WatchdogTimestampMonotonic !== before.WatchdogTimestampMonotonic ? 1 : null;
        }, 5000);
        // Longer than WatchdogSec: without pings systemd would have killed nimi by now.
        await new Promise((r) => setTimeout(r, 2500));
        const after = await show(c, SYSTEM, unit, ["MainPID", "ActiveState"]);
        assert.deepEqual(after, { MainPID: before.MainPID, ActiveState: "active" });
        assert.ok((await notified()).filter((n) => n === "WATCHDOG=1").length >= 3);
      });

      await t.step(
        "journalctl -p err -u shows a service's stderr line, not its stdout",
        async () => {
          const errs = (await journal(c, ["-u", unit, "-p", "err"])).map((e) => e.message);
          assert.ok(errs.includes("slow ! slow-err-line"), errs.join("\n"));
          assert.ok(!errs.some((m) => m.includes("slow-out-line")), errs.join("\n"));
          const all = await journal(c, ["-u", unit]);
          const line = (m: string) => all.find((e) => e.message === m)?.priority;
          assert.equal(line("slow | slow-out-line"), "6");
          assert.equal(line("slow ! slow-err-line"), "3");
          assert.equal(line("nimi | slow: ready (saw a line matching /^slow-ready$/)"), "6");
          assert.ok(!all.some((e) => e.message.includes("\x1b[")), "no colour in the journal");
        },
      );

      await t.step("systemctl kill -s HUP reaches the services", async () => {
        const hups = async () =>
          (await journal(c, ["-u", unit])).filter((e) => e.message === "web  | got HUP").length;
        const pid = (await show(c, SYSTEM, unit, ["MainPID"])).MainPID;
        await c.execOk(["systemctl", "kill", "-s", "HUP", unit]);
        const first = await waitFor("got HUP", async () => ((await hups()) >= 1 ? hups() : null));
        // Only nimi gets it: it passes it on (SIGHUP is in forwardSignals by default).
        await c.execOk(["systemctl", "kill", "-s", "HUP", "--kill-whom=main", unit]);
        await waitFor("got HUP again", async () => ((await hups()) > first ? 1 : null));
        const p = await show(c, SYSTEM, unit, ["MainPID", "ActiveState", "StatusText"]);
        assert.deepEqual(p, { MainPID: pid, ActiveState: "active", StatusText: "2/2 ready" });
      });

      await t.step("systemctl stop stops the services; the unit ends inactive", async () => {
        const r = await systemctl(c, SYSTEM, ["stop", unit]);
        assert.equal(r.code, 0, r.stderr);
        const p = await show(c, SYSTEM, unit, ["ActiveState", "SubState", "Result"]);
        assert.deepEqual(p, { ActiveState: "inactive", SubState: "dead", Result: "success" });
        const got = (await notified()).filter((n) => n !== "WATCHDOG=1");
        assert.ok(
          got.includes("STOPPING=1, STATUS=stopping: 2 of 2 still running"),
          got.join("\n"),
        );
        const lines = (await journal(c, ["-u", unit])).map((e) => e.message);
        for (
          const m of ["web: killed by SIGTERM", "slow: killed by SIGTERM", "exiting with code 0"]
        ) {
          assert.ok(lines.includes(`nimi | ${m}`), `${m}:\n${lines.join("\n")}`);
        }
        // nimi stopped its services itself: systemd had nothing left to kill.
        assert.ok(!lines.some((m) => /Killing process .* with signal SIGKILL/.test(m)));
      });

      await t.step("Restart= of the unit and nimi's own restarts do not fight", async () => {
        // 1 s between restarts: nimi gives up after about 3.5 s, systemd restarts it 1 s later,
        // and StartLimitBurst=3 is never reached before the test stops the unit.
        const settings: UnitSettings = {
          restart: { mode: "up-to-count", time: 1000, count: 2 },
          shutdown: { timeout: 3000 },
        };
        await install(c, "flaky", {
          services: {
            flaky: sh("echo up; sleep 0.5; exit 3", logReady("^up$")),
            steady: sh("exec sleep 1000"),
          },
          settings: { ...settings, shutdown: { ...settings.shutdown, stopOnFailure: true } },
        }, settings);
        await c.execOk(["systemctl", "start", "flaky.service"]);
        const first = await show(c, SYSTEM, "flaky.service", ["MainPID", "NRestarts"]);
        assert.equal(first.NRestarts, "0");
        const restarted = await waitFor("systemd's restart of nimi", async () => {
          const p = await show(c, SYSTEM, "flaky.service", ["MainPID", "NRestarts"]);
          return p.NRestarts !== "0" && !["0", first.MainPID].includes(p.MainPID) ? p : null;
        });
        assert.equal(restarted.NRestarts, "1");
        // nimi restarted its service twice within one main process; only after it gave up
        // and exited did systemd restart the unit.
        const output = await journal(c, ["-t", "flaky"]);
        const at = (m: RegExp) => {
          const e = output.find((x) => m.test(x.message));
          assert.ok(e, `${m}:\n${output.map((x) => x.message).join("\n")}`);
          return e;
        };
        const r1 = at(/^nimi +\| flaky: restarting in 1s \(restart 1 of 2\)$/);
        const r2 = at(/^nimi +\| flaky: restarting in 1s \(restart 2 of 2\)$/);
        const exit = at(/^nimi +\| exiting with code 3$/);
        assert.deepEqual([r1.pid, r2.pid, exit.pid], [first.MainPID, first.MainPID, first.MainPID]);
        const systemd = await journal(c, ["-u", "flaky.service", "_PID=1"]);
        const scheduled = systemd.find((e) =>
          /Scheduled restart job, restart counter is at 1/.test(e.message)
        );
        assert.ok(
          scheduled && scheduled.mono > exit.mono,
          "systemd restarted nimi after it exited",
        );
        const priority = (m: RegExp) => at(m).priority;
        assert.equal(priority(/^nimi +\| flaky: exited with code 3$/), "4");
        assert.equal(priority(/^nimi +\| flaky: not restarted: restarted 2 of 2 times/), "3");
        assert.equal(priority(/^nimi +\| steady: started/), "6");
        await c.execOk(["systemctl", "stop", "flaky.service"]);
        const end = await show(c, SYSTEM, "flaky.service", ["ActiveState", "Result"]);
        assert.deepEqual(end, { ActiveState: "inactive", Result: "success" });
      });
    } finally {
      await c.remove();
    }
  },
});
