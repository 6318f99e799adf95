# nimi's flake-parts module under the real flake-parts (a checkout given as `flakeParts`), with
# the minimal pkgs as nixpkgs' legacyPackages, for tests/nix/flake_parts_test.ts:
#   nix-instantiate --eval --strict --json tests/nix/flake_parts.nix --argstr root <tree>
#     --argstr flakeParts <checkout> --argstr module <nimi configuration> --argstr nimiDir <dir>
{
  root,
  flakeParts,
  module,
  nimiDir,
}:
let
  lib = import (root + "/lib");
  system = "x86_64-linux";
  pkgs = (import ./pkgs.nix { inherit lib root nimiDir; }).extend (_: _: { inherit system; });
  flake-parts = (import (/. + flakeParts + "/flake.nix")).outputs { nixpkgs-lib = { inherit lib; }; };
  flake = flake-parts.lib.mkFlake
    {
      inputs = {
        self = flake // {
          outPath = root;
          inputs = { };
        };
        nixpkgs = {
          legacyPackages.${system} = pkgs;
          outPath = root;
        };
      };
    }
    {
      imports = [
        (import ../../nix/modules/flake-module.nix {
          nimiFlake.packages.${system}.default = pkgs.nimi;
        })
      ];
      systems = [ system ];
      perSystem = _: {
        _module.args.pkgs = pkgs;
        nimi.demo = /. + module;
      };
    };
in
{
  packages = lib.attrNames flake.packages.${system};
  checks = lib.attrNames flake.checks.${system};
  service = flake.packages.${system}.demo-service.text;
  image = flake.packages.${system}.demo-container.builder;
}
