# What nixpkgs' lib/services alone makes of tests/nix/fixtures/modular-services.nix: the
# services evaluated with upstream `configure` (no nimi modules, only configData paths) and the config's
# settings.restart, as tests/fixtures/modular-services.json holds them
# (tests/nix/lib_services_fixture_test.ts regenerates and compares).
#   nix-instantiate --eval --strict --json tests/nix/lib_services.nix --argstr root <tree>
{ root }:
let
  lib = import (root + "/lib");
  pkgs = import ./pkgs.nix { inherit lib root; };
  servicesLib = import ../../nix/lib/services-lib.nix {
    inherit lib;
    nixpkgsPath = root;
  };
  # The one thing a service manager must add: where each configData file appears (relative,
  # as an unprivileged manager like nimi gives it).
  configDataPath = {
    options.configData = lib.mkOption {
      type = lib.types.lazyAttrsOf (
        lib.types.submodule ({ config, ... }: { config.path = config.name; })
      );
    };
  };
  configured = servicesLib.configure {
    serviceManagerPkgs = pkgs;
    extraRootModules = [ configDataPath ];
  };
  fixture = import ./fixtures/modular-services.nix { inherit lib; };
  evaluated = lib.evalModules {
    modules = [
      {
        options.services = lib.mkOption { type = lib.types.attrsOf configured.serviceSubmodule; };
        config.services = fixture.services;
      }
    ];
  };
in
{
  inherit (evaluated.config) services;
  settings.restart = fixture.settings.restart;
}
