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
import type { SystemdContainer } from "../harness/debian.ts";
import { bootForNimi, nimiWrapper, SYSTEM, systemctl, writeIn } from "./container.ts";
import { unitFile } from "./module_unit.ts";
import { type Target, unitChecks } from "./unit_checks.ts";

const booted = await bootForNimi("system_unit_test.ts");
const skip = typeof booted === "string" ? booted : null;

const target: Target = {
  manager: SYSTEM,
  as: {},
  goFile: "/run/nimi-test-go",
  async install(c, name, config, settings, extraService = {}) {
    await writeIn(c, `/etc/nimi/${name}.json`, JSON.stringify(config));
    await writeIn(
      c,
      `/usr/local/bin/${name}`,
      nimiWrapper(`/etc/nimi/${name}.json`, "/var/cache/nimi-deno"),
      { mode: "755" },
    );
    const execStart = `/usr/local/bin/${name}`;
    const unit = unitFile({ name, settings, kind: "nixos", execStart, extraService });
    await writeIn(c, `/etc/systemd/system/${name}.service`, unit);
    await this.ctl(c, ["daemon-reload"]);
  },
  async ctl(c, args) {
    const r = await systemctl(c, SYSTEM, args);
    if (r.code !== 0) throw new Error(`systemctl ${args.join(" ")}: ${r.stderr}`);
  },
  output: (name) => ["-u", `${name}.service`],
  managerLog: (unit) => [`UNIT=${unit}`, "_PID=1"],
};

Deno.test({
  name: "systemd runs nimi as a Type=notify system unit of the NixOS module",
  ignore: skip !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const c = booted as SystemdContainer;
    try {
      await c.execOk(["systemd-analyze", "log-level", "debug"]);
      await unitChecks(t, c, target);
    } finally {
      await c.remove();
    }
  },
});
