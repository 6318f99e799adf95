# flake-parts module: `perSystem.nimi.<name>` (a nimi configuration: `services`, `settings`)
# becomes `packages.<name>` (a program running nimi with it) and `checks.nimi-<name>` (its JSON,
# checked with `nimi validate` at build time).
#
# Imported from nimi's flake as `inputs.nimi.flakeModules.default`; `nimiFlake` is that flake,
# whose package runs the instances unless an instance sets `package`.
{ nimiFlake }:
{ lib, flake-parts-lib, ... }:
{
  _class = "flake";

  options.perSystem = flake-parts-lib.mkPerSystemOption (
    { config, pkgs, system, ... }:
    let
      unit = import ./unit.nix { inherit lib pkgs; };
      defaultPackage = nimiFlake.packages.${system}.default;
    in
    {
      options.nimi = lib.mkOption {
        type = unit.instancesType [ { package = lib.mkDefault defaultPackage; } ];
        default = { };
        description = "nimi instances of this system: each gives packages.<name> and checks.nimi-<name>.";
      };

      config = lib.mkIf (config.nimi != { }) {
        packages = lib.mapAttrs unit.program config.nimi;
        checks = lib.mapAttrs' (
          name: instance:
          lib.nameValuePair "nimi-${name}" (unit.json instance)
        ) config.nimi;
      };
    }
  );
}
