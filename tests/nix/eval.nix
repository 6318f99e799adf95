# Entry point of the Nix tests (tests/nix/*_test.ts):
#   nix-instantiate --eval --strict --json tests/nix/eval.nix \
#     --argstr root <tree with lib/ and the stand-ins> --argstr what <what> [--argstr module <file>]
# what:
#   config   toNimiConfig of `module` (the JSON nimi reads)
#   options  the options contract (types and defaults of nimi.* and settings.*)
#   lib      what mkNimiBin, mkBwrap and mkContainerImage make of `module` (scripts, image args)
#   nixos    the NixOS module evaluated with `module` as a NixOS configuration (stand-in system)
#   home     the same with the home-manager module
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
      json = builtins.readFile (nimiLib.toNimiJson file).outPath;
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
  };
in
results.${what} or (throw "tests/nix/eval.nix: unknown what \"${what}\"")
