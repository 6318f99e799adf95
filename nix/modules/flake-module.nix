# flake-parts module: `perSystem.nimi.<name>` (a nimi configuration: `services`, `settings`)
# becomes `packages.<name>-service` (a program running nimi with it, its JSON checked with
# `nimi validate` at build time) and `packages.<name>-container` (an image running it), and the
# same two as `checks`: the Rust Nimi's output names.
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
        description = "nimi instances of this system: each gives packages and checks <name>-service and <name>-container.";
      };

      config =
        let
          outputs = lib.concatMapAttrs (name: instance: {
            "${name}-service" = unit.program name instance;
            "${name}-container" = unit.image instance;
          }) config.nimi;
        in
        lib.mkIf (config.nimi != { }) {
          packages = outputs;
          checks = outputs;
        };
    }
  );
}
