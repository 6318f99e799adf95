# NixOS module: each `nimi.<name>` (a nimi configuration: `services`, `settings`) becomes the
# system unit `<name>.service` running nimi with that configuration, restarted by systemd
# according to its restart settings. Assertions and warnings of every service at every nesting
# level become NixOS assertions and warnings.
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
  _class = "nixos";

  options.nimi = lib.mkOption {
    type = unit.instancesType [ ];
    default = { };
    description = ''
      nimi instances: each runs its [modular services](https://nixos.org/manual/nixos/unstable/#modular-services)
      under one system unit named after the instance. The same configuration also builds a
      container image or a developer's runner (docs/nix.md).
    '';
  };

  config = lib.mkIf (cfg != { }) {
    assertions = unit.assertionsOf "nimi" cfg;
    warnings = unit.warningsOf "nimi" cfg;
    # The wrappers on PATH too, as the Rust Nimi's module does.
    environment.systemPackages = lib.mapAttrsToList unit.program cfg;

    systemd.services = lib.mapAttrs (name: instance: {
      description = "nimi: ${name}";
      wantedBy = [ "multi-user.target" ];
      after = [ "network.target" ];
      startLimitBurst = lib.mkIf (unit.startLimitBurst instance != null) (
        unit.startLimitBurst instance
      );
      serviceConfig = unit.serviceSection name instance;
    }) cfg;
  };
}
