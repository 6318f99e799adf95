/**
 * The units nix/modules/nixos.nix and nix/modules/home-manager.nix generate for an instance,
 * written out as unit files, so the real systemd in tests/systemd runs nimi with the same
 * directives. tests/nix/modules_test.ts checks these functions against the modules' evaluation
 * (where NIXPKGS_LIB is set), so the two cannot drift apart silently.
 *
 * @module
 */

/** What of an instance's settings the unit depends on. */
export interface UnitSettings {
  /** `settings.restart`. */
  restart: { mode: "never" | "always" | "on-failure" | "up-to-count"; time: number; count: number };
  /** `settings.shutdown.timeout` (ms). */
  shutdown: { timeout: number };
}

const RESTART: Record<UnitSettings["restart"]["mode"], string> = {
  never: "no",
  always: "always",
  "on-failure": "on-failure",
  "up-to-count": "on-failure",
};

/**
 * The `[Service]` directives both modules set (nixos.nix `serviceConfig`, home-manager.nix
 * `Service`).
 *
 * @param execStart The program (`bin/<name>`).
 * @param settings The instance's settings.
 * @returns Directive names and values.
 */
export function serviceDirectives(
  execStart: string,
  settings: UnitSettings,
): Record<string, string> {
  return {
    ExecStart: execStart,
    KillMode: "mixed",
    NotifyAccess: "main",
    Restart: RESTART[settings.restart.mode],
    RestartSec: `${settings.restart.time}ms`,
    TimeoutStopSec: `${settings.shutdown.timeout + 5000}ms`,
    Type: "notify",
  };
}

/**
 * `StartLimitBurst` of mode up-to-count: the most starts systemd allows in its interval.
 *
 * @param settings The instance's settings.
 * @returns `count + 1`, or null in the other modes.
 */
export function startLimitBurst(settings: UnitSettings): number | null {
  return settings.restart.mode === "up-to-count" ? settings.restart.count + 1 : null;
}

/** Options for {@link unitFile}. */
export interface UnitFileOptions {
  /** The instance's name (`nimi.<name>`). */
  name: string;
  /** Its settings. */
  settings: UnitSettings;
  /** The program. */
  execStart: string;
  /** `nixos` (system unit) or `home-manager` (user unit). */
  kind: "nixos" | "home-manager";
  /** Directives a user adds beside the module's (`serviceConfig.WatchdogSec`). */
  extraService?: Record<string, string>;
}

/**
 * The unit file the module makes of an instance.
 *
 * @param options See {@link UnitFileOptions}.
 * @returns The unit file's text.
 */
export function unitFile(options: UnitFileOptions): string {
  const { name, settings, kind } = options;
  const unit: string[] = [`Description=nimi: ${name}`];
  if (kind === "nixos") unit.push("After=network.target");
  const burst = startLimitBurst(settings);
  if (burst !== null) unit.push(`StartLimitBurst=${burst}`);
  const service = { ...serviceDirectives(options.execStart, settings), ...options.extraService };
  const wantedBy = kind === "nixos" ? "multi-user.target" : "default.target";
  return [
    "[Unit]",
    ...unit,
    "",
    "[Service]",
    ...Object.entries(service).map(([k, v]) => `${k}=${v}`),
    "",
    "[Install]",
    `WantedBy=${wantedBy}`,
    "",
  ].join("\n");
}
