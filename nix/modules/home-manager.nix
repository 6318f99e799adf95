# home-manager module: each `nimi.<name>` (a nimi configuration: `services`, `settings`) becomes
# the user unit `<name>.service` running nimi with that configuration, restarted by systemd
# according to its restart settings. Assertions and warnings of every service at every nesting
# level become home-manager assertions and warnings.
{
  lib,
  config,
  pkgs,
  ...
}:
let
  unit = import ./unit.nix { inherit lib pkgs; };
  cfg = config.nimi;
in
{
  _class = "homeManager";

  options.nimi = lib.mkOption {
    type = unit.instancesType [ ];
    default = { };
    description = ''
      nimi instances: each runs its [modular services](https://nixos.org/manual/nixos/unstable/#modular-services)
      under one systemd user unit named after the instance.
    '';
  };

  config = lib.mkIf (cfg != { }) {
    assertions = unit.assertionsOf "nimi" cfg;
    warnings = unit.warningsOf "nimi" cfg;
    # The wrappers on PATH too, as the Rust Nimi's module does.
    home.packages = lib.mapAttrsToList unit.program cfg;

    systemd.user.services = lib.mapAttrs (name: instance: {
      Unit.Description = "nimi: ${name}";
      Install.WantedBy = [ "default.target" ];
      Unit.StartLimitBurst = lib.mkIf (unit.startLimitBurst instance != null) (
        unit.startLimitBurst instance
      );
      Service = unit.serviceSection name instance;
    }) cfg;
  };
}
