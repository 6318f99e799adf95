# Entry point of the Nix tests (tests/nix/*_test.ts):
#   nix-instantiate --eval --strict --json tests/nix/eval.nix \
#     --argstr root <tree with lib/ and the stand-ins> --argstr what <what> [--argstr module <file>]
# what:
#   config   toNimiConfig of `module` (the JSON nimi reads)
#   options  the options contract (types and defaults of nimi.* and settings.*)
#   lib      what mkNimiBin, mkBwrap and mkContainerImage make of `module` (scripts, image args)
#   nixos    the NixOS module evaluated with `module` as a NixOS configuration (stand-in system)
#   home     the same with the home-manager module
#   overlay  pkgs.nimi from nix/overlay.nix (buildDenoPackage stand-in: its arguments) and its
#            passthru library applied to `module`
#   flake    the flake-parts module (flake-parts-lib stand-in) with perSystem.nimi.demo = `module`
{
  root,
  what,
  module ? null,
  nimiDir ? "/nonexistent/nimi",
  # JSON: extra arguments for mkBwrap ({ "bind": [...], "roBind": [...] }).
  bwrapArgs ? "{}",
}:
let
  lib = import (root + "/lib");
  pkgs = import ./pkgs.nix { inherit lib root nimiDir; };
  nimiLib = import ../../nix/lib {
    inherit lib pkgs;
    inherit (pkgs) nimi;
  };
  file = /. + module;

  # A NixOS or home-manager style evaluation of `module` with one of nimi's system modules.
  system =
    nimiModule: class:
    (lib.evalModules {
      inherit class;
      modules = [
        nimiModule
        ./stubs/nixos-system.nix
        file
      ];
      specialArgs = { inherit pkgs; };
    }).config;


  # The overlay over the minimal pkgs, with a buildDenoPackage that returns its arguments.
  overlaid =
    let
      stand-in = pkgs // {
        callPackage = f: args: import f (builtins.intersectAttrs (builtins.functionArgs (import f)) final // args);
        # Like mkDerivation, passthru attributes end up on the package itself.
        buildDenoPackage =
          args:
          args
          // {
            overrideAttrs =
              g:
              let
                changed = args // g args;
              in
              changed // changed.passthru or { };
          };
        jq = "jq";
        pkgs = final;
      };
      final = stand-in // import ../../nix/overlay.nix final stand-in;
    in
    final;

  # The flake-parts module with a flake-parts-lib stand-in: perSystem is one submodule.
  flakeParts =
    let
      perSystemOutputs = {
        options.packages = lib.mkOption {
          type = lib.types.attrsOf lib.types.raw;
          default = { };
        };
        options.checks = lib.mkOption {
          type = lib.types.attrsOf lib.types.raw;
          default = { };
        };
      };
      flake-parts-lib.mkPerSystemOption =
        module:
        lib.mkOption {
          type = lib.types.submoduleWith {
            modules = [
              module
              perSystemOutputs
            ];
            specialArgs = {
              inherit pkgs;
              inherit (pkgs) system;
            };
          };
        };
      flakeModule = import ../../nix/modules/flake-module.nix {
        nimiFlake.packages.${pkgs.system}.default = pkgs.nimi;
      };
    in
    (lib.evalModules {
      class = "flake";
      modules = [
        flakeModule
        { perSystem.nimi.demo = file; }
      ];
      specialArgs = { inherit flake-parts-lib; };
    }).config.perSystem;

  results = {
    config = nimiLib.toNimiConfig file;
    options = nimiLib.optionsContract;
    lib = {
      bin = (nimiLib.mkNimiBin file).text;
      bwrap =
        (nimiLib.mkBwrap ({ configuration = file; } // builtins.fromJSON bwrapArgs)).text;
      dockerImage = (nimiLib.mkContainerImage {
        configuration = file;
        name = "demo";
      }).args;
      nix2containerImage =
        let
          withN2c = import ../../nix/lib {
            inherit lib pkgs;
            inherit (pkgs) nimi;
            nix2container.buildImage = args: { inherit args; };
          };
        in
        (withN2c.mkContainerImage {
          configuration = file;
          name = "demo";
        }).args;
      json = (nimiLib.toNimiJson file).env.json;
      jsonCheck = (nimiLib.toNimiJson file).script;
    };
    nixos =
      let
        c = system ../../nix/modules/nixos.nix "nixos";
      in
      {
        inherit (c) assertions warnings;
        units = c.systemd.services;
      };
    home =
      let
        c = system ../../nix/modules/home-manager.nix "homeManager";
      in
      {
        inherit (c) assertions warnings;
        units = c.systemd.user.services;
      };
    overlay = {
      package = {
        inherit (overlaid.nimi)
          pname
          version
          binaryEntrypointPath
          denoCompileFlags
          denoDepsHash
          dontStrip
          dontPatchELF
          doInstallCheck
          installCheckPhase
          installPhase
          meta
          ;
        src = "${overlaid.nimi.src}";
      };
      config = overlaid.nimi.lib.toNimiConfig file;
    };
    flake = {
      packages = lib.mapAttrs (_: p: p.text) flakeParts.packages;
      checks = lib.mapAttrs (_: c: c.script) flakeParts.checks;
    };
  };
in
results.${what} or (throw "tests/nix/eval.nix: unknown what \"${what}\"")
