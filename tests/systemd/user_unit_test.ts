/**
 * The home-manager case: a lingering user's `systemd --user` (in a Debian container with
 * systemd as PID 1) runs nimi as the user unit home-manager's module generates
 * (tests/systemd/module_unit.ts), with the same checks as the system unit
 * (tests/systemd/unit_checks.ts).
 *
 * On the machine these tests were written on, the user manager cannot create cgroups inside the
 * container, so journald files the unit's output under the manager's own scope: the output is
 * selected by its syslog identifier (`journalctl -t NAME`, the program's name) rather than
 * `--user-unit`, which needs working cgroups.
 *
 * @module
 */
import type { SystemdContainer } from "../harness/debian.ts";
import {
  bootForNimi,
  type Manager,
  nimiWrapper,
  show,
  systemctl,
  waitFor,
  writeIn,
} from "./container.ts";
import { unitFile } from "./module_unit.ts";
import { type Target, unitChecks } from "./unit_checks.ts";

const booted = await bootForNimi("user_unit_test.ts");
const skip = typeof booted === "string" ? booted : null;

const USER = "nimiuser";
const UID = 1000;
const HOME = `/home/${USER}`;

const manager: Manager = {
  systemctl: ["systemctl", "--user"],
  user: USER,
  env: { XDG_RUNTIME_DIR: `/run/user/${UID}` },
};

const target: Target = {
  manager,
  as: { user: USER },
  goFile: `${HOME}/nimi-test-go`,
  async install(c, name, config, settings, extraService = {}) {
    const as = { user: USER };
    await writeIn(c, `${HOME}/.config/nimi/${name}.json`, JSON.stringify(config), as);
    // As home-manager's ExecStart, bin/<name> lives outside the home (in the Nix store).
    await writeIn(
      c,
      `/usr/local/bin/${name}`,
      nimiWrapper(`${HOME}/.config/nimi/${name}.json`, "$HOME/.cache/nimi-deno"),
      { mode: "755" },
    );
    const execStart = `/usr/local/bin/${name}`;
    const unit = unitFile({ name, settings, kind: "home-manager", execStart, extraService });
    await writeIn(c, `${HOME}/.config/systemd/user/${name}.service`, unit, as);
    await this.ctl(c, ["daemon-reload"]);
  },
  async ctl(c, args) {
    const r = await systemctl(c, manager, args);
    if (r.code !== 0) throw new Error(`systemctl --user ${args.join(" ")}: ${r.stderr}`);
  },
  output: (name) => ["-t", name],
  managerLog: (unit) => [`USER_UNIT=${unit}`, `_UID=${UID}`],
};

Deno.test({
  name:
    "a lingering user's systemd --user runs nimi as a Type=notify unit of home-manager's module",
  ignore: skip !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const c = booted as SystemdContainer;
    try {
      await c.execOk(["useradd", "--create-home", "--uid", String(UID), USER]);
      // Lingering: logind starts user@UID.service without a login session.
      await c.execOk(["loginctl", "enable-linger", USER]);
      await waitFor("the user manager", async () => {
        const p = await show(c, { systemctl: ["systemctl"] }, `user@${UID}.service`, [
          "ActiveState",
        ]);
        if (p.ActiveState !== "active") return null;
        const r = await systemctl(c, manager, ["is-system-running"]);
        return ["running", "degraded"].includes(r.stdout.trim()) ? 1 : null;
      });
      await c.execOk(["systemd-analyze", "--user", "log-level", "debug"], {
        user: USER,
        env: manager.env!,
      });
      await unitChecks(t, c, target);
    } finally {
      await c.remove();
    }
  },
});
