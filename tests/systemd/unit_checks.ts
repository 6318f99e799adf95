/**
 * The checks tests/systemd runs against one systemd manager (the system one with the NixOS
 * module's unit, or a lingering user's with home-manager's): `Type=notify` readiness,
 * `STATUS=`, `STOPPING=1` and the watchdog as the manager itself received them (its debug log),
 * journald priorities, stop, `kill -s HUP`, and `Restart=` around nimi's own restarts.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { SystemdContainer } from "../harness/debian.ts";
import { journal, type Manager, notifications, show, systemctl, waitFor } from "./container.ts";
import type { UnitSettings } from "./module_unit.ts";

/** Where and how one manager's units are installed and observed. */
export interface Target {
  /** The manager. */
  manager: Manager;
  /** Who runs commands that touch the services' files (the user, for a user manager). */
  as: { user?: string };
  /** A file the test creates to let a service become ready. */
  goFile: string;
  /**
   * Installs an instance: config, `bin/<name>`, the module's unit, and reloads the manager.
   *
   * @param c The container.
   * @param name The instance.
   * @param config nimi's config.
   * @param settings What of it the unit depends on.
   * @param extraService Directives a user adds (`WatchdogSec`).
   */
  install(
    c: SystemdContainer,
    name: string,
    config: { services: Record<string, unknown>; settings: Record<string, unknown> },
    settings: UnitSettings,
    extraService?: Record<string, string>,
  ): Promise<void>;
  /**
   * Runs systemctl against the manager and fails with its output when it fails.
   *
   * @param c The container.
   * @param args Its arguments.
   */
  ctl(c: SystemdContainer, args: string[]): Promise<void>;
  /**
   * journalctl matches for the output of an instance's nimi.
   *
   * @param name The instance.
   * @returns Matches.
   */
  output(name: string): string[];
  /**
   * journalctl matches for the manager's own messages about a unit.
   *
   * @param unit The unit.
   * @returns Matches.
   */
  managerLog(unit: string): string[];
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

const webConfig = (goFile: string) => ({
  services: {
    web: sh(
      "trap 'echo got HUP' HUP; echo listening; while :; do sleep 0.2; done",
      logReady("^listening$"),
    ),
    slow: sh(
      `trap '' HUP; while [ ! -e ${goFile} ]; do sleep 0.1; done; ` +
        "echo slow-out-line; echo slow-err-line >&2; echo slow-ready; exec sleep 1000",
      logReady("^slow-ready$"),
    ),
  },
  settings: { restart: WEB_SETTINGS.restart, shutdown: WEB_SETTINGS.shutdown },
});

/**
 * Runs every check as steps of one test.
 *
 * @param t The test.
 * @param c The booted container.
 * @param target The manager under test.
 */
export async function unitChecks(
  t: Deno.TestContext,
  c: SystemdContainer,
  target: Target,
): Promise<void> {
  const unit = "webstack.service";
  const notified = () => notifications(c, target.managerLog(unit));
  await target.install(c, "webstack", webConfig(target.goFile), WEB_SETTINGS, {
    WatchdogSec: "2s",
  });

  await t.step("READY=1 only once every service is ready, with STATUS=", async () => {
    await target.ctl(c, ["start", "--no-block", unit]);
    await waitFor("web ready, slow not", async () => {
      const p = await show(c, target.manager, unit, ["StatusText"]);
      return p.StatusText === "1/2 ready; starting: slow" ? true : null;
    });
    // web is ready, slow is not: systemd must still wait for nimi.
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal((await show(c, target.manager, unit, ["ActiveState"])).ActiveState, "activating");
    await c.execOk(["touch", target.goFile], target.as);
    await target.ctl(c, ["start", unit]);
    const p = await show(c, target.manager, unit, ["ActiveState", "SubState", "StatusText"]);
    assert.deepEqual(p, {
      ActiveState: "active",
      SubState: "running",
      StatusText: "2/2 ready",
    });
    const got = (await notified()).filter((n) => n !== "WATCHDOG=1");
    // Statuses while starting (waiting, starting, 1/2 ready), then READY=1 with 2/2, once.
    const ready = got.findIndex((n) => n.includes("READY=1"));
    assert.equal(got[ready], "READY=1, STATUS=2/2 ready", got.join("\n"));
    const before = got.slice(0, ready);
    assert.ok(before.includes("STATUS=1/2 ready; starting: slow"), got.join("\n"));
    assert.ok(before.every((n) => /^STATUS=[01]\/2 ready; /.test(n)), got.join("\n"));
    assert.equal(got.filter((n) => n.includes("READY=1")).length, 1);
  });

  await t.step("WATCHDOG=1 keeps a unit with WatchdogSec=2s alive", async () => {
    const before = await show(c, target.manager, unit, ["MainPID", "WatchdogTimestampMonotonic"]);
    await waitFor("a newer watchdog ping", async () => {
      const now = await show(c, target.manager, unit, ["WatchdogTimestampMonotonic"]);
      return now.WatchdogTimestampMonotonic !== before.WatchdogTimestampMonotonic ? 1 : null;
    }, 5000);
    // Longer than WatchdogSec: without pings systemd would have killed nimi by now.
    await new Promise((r) => setTimeout(r, 2500));
    const after = await show(c, target.manager, unit, ["MainPID", "ActiveState"]);
    assert.deepEqual(after, { MainPID: before.MainPID, ActiveState: "active" });
    assert.ok((await notified()).filter((n) => n === "WATCHDOG=1").length >= 3);
  });

  await t.step(
    "journalctl -p err shows a service's stderr line, not its stdout",
    async () => {
      const errs = (await journal(c, [...target.output("webstack"), "-p", "err"])).map((e) =>
        e.message
      );
      assert.ok(errs.includes("slow ! slow-err-line"), errs.join("\n"));
      assert.ok(!errs.some((m) => m.includes("slow-out-line")), errs.join("\n"));
      const all = await journal(c, target.output("webstack"));
      const line = (m: string) => all.find((e) => e.message === m)?.priority;
      assert.equal(line("slow | slow-out-line"), "6");
      assert.equal(line("slow ! slow-err-line"), "3");
      assert.equal(line("nimi | slow: ready (saw a line matching /^slow-ready$/)"), "6");
      assert.ok(!all.some((e) => e.message.includes("\x1b[")), "no colour in the journal");
    },
  );

  await t.step("systemctl kill -s HUP reaches the services", async () => {
    const hups = async () =>
      (await journal(c, target.output("webstack"))).filter((e) => e.message === "web  | got HUP")
        .length;
    const pid = (await show(c, target.manager, unit, ["MainPID"])).MainPID;
    await target.ctl(c, ["kill", "-s", "HUP", unit]);
    const first = await waitFor("got HUP", async () => ((await hups()) >= 1 ? hups() : null));
    // Only nimi gets it: it passes it on (SIGHUP is in forwardSignals by default).
    await target.ctl(c, ["kill", "-s", "HUP", "--kill-whom=main", unit]);
    await waitFor("got HUP again", async () => ((await hups()) > first ? 1 : null));
    const p = await show(c, target.manager, unit, ["MainPID", "ActiveState", "StatusText"]);
    assert.deepEqual(p, { MainPID: pid, ActiveState: "active", StatusText: "2/2 ready" });
  });

  await t.step("systemctl stop stops the services; the unit ends inactive", async () => {
    const r = await systemctl(c, target.manager, ["stop", unit]);
    assert.equal(r.code, 0, r.stderr);
    const p = await show(c, target.manager, unit, ["ActiveState", "SubState", "Result"]);
    assert.deepEqual(p, { ActiveState: "inactive", SubState: "dead", Result: "success" });
    const got = (await notified()).filter((n) => n !== "WATCHDOG=1");
    assert.ok(
      got.includes("STOPPING=1, STATUS=stopping: 2 of 2 still running"),
      got.join("\n"),
    );
    const lines = (await journal(c, target.output("webstack"))).map((e) => e.message);
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
    await target.install(c, "flaky", {
      services: {
        flaky: sh("echo up; sleep 0.5; exit 3", logReady("^up$")),
        steady: sh("exec sleep 1000"),
      },
      settings: { ...settings, shutdown: { ...settings.shutdown, stopOnFailure: true } },
    }, settings);
    await target.ctl(c, ["start", "flaky.service"]);
    const first = await show(c, target.manager, "flaky.service", ["MainPID", "NRestarts"]);
    assert.equal(first.NRestarts, "0");
    const restarted = await waitFor("systemd's restart of nimi", async () => {
      const p = await show(c, target.manager, "flaky.service", ["MainPID", "NRestarts"]);
      return p.NRestarts !== "0" && !["0", first.MainPID].includes(p.MainPID) ? p : null;
    });
    assert.ok(Number(restarted.NRestarts) >= 1, restarted.NRestarts);
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
    const systemd = await journal(c, target.managerLog("flaky.service"));
    const scheduled = systemd.find((e) =>
      /Scheduled restart job, restart counter is at 1/.test(e.message)
    );
    assert.ok(
      scheduled && scheduled.mono > exit.mono,
      "systemd restarted nimi after it exited",
    );
    // STATUS= followed nimi's restarts, and it said STOPPING=1 when it gave up.
    const flakyNotes = await notifications(c, target.managerLog("flaky.service"));
    for (const note of [/^STATUS=1\/2 ready; restarting: flaky$/, /^STOPPING=1, STATUS=stopping/]) {
      assert.ok(flakyNotes.some((n) => note.test(n)), `${note}:\n${flakyNotes.join("\n")}`);
    }
    const priority = (m: RegExp) => at(m).priority;
    assert.equal(priority(/^nimi +\| flaky: exited with code 3$/), "4");
    assert.equal(priority(/^nimi +\| flaky: not restarted: restarted 2 of 2 times/), "3");
    assert.equal(priority(/^nimi +\| steady: started/), "6");
    await target.ctl(c, ["stop", "flaky.service"]);
    const end = await show(c, target.manager, "flaky.service", ["ActiveState", "Result"]);
    assert.deepEqual(end, { ActiveState: "inactive", Result: "success" });
  });
}
