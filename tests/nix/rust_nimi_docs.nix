# One Nix snippet of the Rust Nimi's documentation (weyl-ai/nimi docs/*.md), written by
# tests/nix/rust_nimi_docs_test.ts into `snippet` as `prelude: <expression>`, evaluated with nimi:
#   nix-instantiate --eval --strict --json tests/nix/rust_nimi_docs.nix --argstr root <tree>
#     --argstr nimiDir <dir> --argstr snippet <file>
# The prelude has what the snippets take from their surroundings: `lib`, `pkgs` (the minimal
# pkgs, nimi's library on `pkgs.nimi`, stand-ins for the programs they name), `system`,
# `inputs` (nimi's modules, a nix2container whose pullImage gives a store file), and helpers
# that evaluate a NixOS or home-manager module, a flake-parts module or a flake's outputs.
{
  root,
  nimiDir,
  snippet,
}:
let
  lib = import (root + "/lib");
  system = "x86_64-linux";
  standIn = name: {
    type = "derivation";
    inherit name;
    outPath = "${./fixtures/rust-nimi/my-app}";
    meta.mainProgram = name;
  };
  # The service module the documentation imports from `pkgs.some-application`.
  someApplication =
    { config, lib, ... }:
    {
      _class = "service";
      options.someApplication = {
        listen = lib.mkOption { type = lib.types.str; };
        dataDir = lib.mkOption {
          type = lib.types.str;
          default = "/var/lib/some-application";
        };
      };
      config.process.argv = [
        (lib.getExe (standIn "some-application"))
        "--listen"
        config.someApplication.listen
        "--data-dir"
        config.someApplication.dataDir
      ];
    };
  base = (import ./pkgs.nix { inherit lib root nimiDir; }).extend (
    _: prev: {
      inherit system;
      my-app = standIn "my-app";
      nginx = standIn "nginx";
      some-application = standIn "some-application" // {
        services.default = someApplication;
      };
      nimi = prev.nimi // import ../../nix/lib {
        inherit lib;
        pkgs = base;
        inherit (prev) nimi;
      };
    }
  );
  pkgs = base;

  systemOf =
    class: nimiModule: module:
    (lib.evalModules {
      inherit class;
      modules = [
        module
        ./stubs/nixos-system.nix
      ];
      specialArgs = { inherit pkgs; };
    }).config;

  flakeParts =
    module:
    let
      flake-parts-lib.mkPerSystemOption =
        m:
        lib.mkOption {
          type = lib.types.submoduleWith {
            modules = [
              m
              {
                options.packages = lib.mkOption {
                  type = lib.types.lazyAttrsOf lib.types.raw;
                  default = { };
                };
                options.checks = lib.mkOption {
                  type = lib.types.lazyAttrsOf lib.types.raw;
                  default = { };
                };
              }
            ];
            specialArgs = { inherit pkgs system; };
          };
        };
    in
    (lib.evalModules {
      class = "flake";
      modules = [
        (import ../../nix/modules/flake-module.nix { nimiFlake.packages.${system}.default = pkgs.nimi; })
        module
      ];
      specialArgs = { inherit flake-parts-lib; };
    }).config.perSystem;

  prelude = {
    inherit lib pkgs system;
    inputs = {
      nimi = {
        nixosModules.default = ../../nix/modules/nixos.nix;
        homeModules.default = ../../nix/modules/home-manager.nix;
        flakeModules.default = ../../nix/modules/flake-module.nix;
        overlays.default = import ../../nix/overlay.nix;
      };
      nix2container.packages.${system}.nix2container.pullImage =
        args: builtins.toFile "${args.imageName}-${args.finalImageTag}-image" "";
    };
    nixos = systemOf "nixos" ../../nix/modules/nixos.nix;
    home = systemOf "homeManager" ../../nix/modules/home-manager.nix;
    inherit flakeParts;
    # A flake's outputs with `nixpkgs` importable as the minimal pkgs (overlays applied).
    flakeOutputs =
      flake:
      flake.outputs {
        self = { };
        nixpkgs = {
          inherit lib;
          outPath = ./stubs/nixpkgs;
        };
        nimi = prelude.inputs.nimi;
      };
  };

  describe =
    x:
    if x ? nimiBin then
      {
        kind = if x ? args then "image" else "bwrap";
        bin = x.nimiBin.text;
      }
      // lib.optionalAttrs (x ? args) { inherit (x.args) name tag; }
    else if x ? text then
      {
        kind = "bin";
        bin = x.text;
      }
    else if x ? systemd then
      {
        kind = "system";
        bin = lib.head (map (p: p.text) (lib.filter (p: p ? text) (x.environment.systemPackages ++ x.home.packages)));
        units = lib.attrNames (x.systemd.services // x.systemd.user.services);
      }
    else if x ? pname then
      {
        kind = "package";
        inherit (x) pname;
        library = x ? mkNimiBin && x ? mkContainerImage;
      }
    else
      throw "tests/nix/rust_nimi_docs.nix: cannot describe the snippet's result";
in
describe (import (/. + snippet) prelude)
