# Finds nixpkgs' modular services library (configure, getAssertions, getWarnings) under a nixpkgs
# source tree: `lib/services/lib.nix` (nixpkgs 26.05 and later), then the older
# `nixos/modules/system/service/portable/lib.nix` (25.11), then only `service.nix` from either
# place, around which `configure` and the assertion helpers are rebuilt here.
{ lib, nixpkgsPath }:
let
  inherit (lib) concatLists mapAttrsToList showOption;
  root = toString nixpkgsPath;
  firstExisting = lib.findFirst (p: builtins.pathExists (root + p)) null;
  libFile = firstExisting [
    "/lib/services/lib.nix"
    "/nixos/modules/system/service/portable/lib.nix"
  ];
  serviceFile = firstExisting [
    "/lib/services/service.nix"
    "/nixos/modules/system/service/portable/service.nix"
  ];
  upstream = if libFile == null then { } else import (root + libFile) { inherit lib; };

  flatten =
    f: loc: config:
    f loc config
    ++ concatLists (mapAttrsToList (k: v: flatten f (loc ++ [ "services" k ]) v) config.services);

  fallback = {
    getWarnings = flatten (loc: config: map (msg: "in ${showOption loc}: ${msg}") config.warnings);
    getAssertions = flatten (
      loc: config:
      map (a: {
        message = "in ${showOption loc}: ${a.message}";
        inherit (a) assertion;
      }) config.assertions
    );
    configure =
      {
        serviceManagerPkgs,
        extraRootModules ? [ ],
        extraRootSpecialArgs ? { },
      }:
      {
        serviceSubmodule = lib.types.submoduleWith {
          class = "service";
          modules = [
            (lib.modules.importApply (root + serviceFile) { pkgs = serviceManagerPkgs; })
          ]
          ++ extraRootModules;
          specialArgs = extraRootSpecialArgs;
        };
      };
  };
in
if libFile == null && serviceFile == null then
  throw "nimi: cannot find nixpkgs' modular services under ${root} (looked for lib/services/lib.nix and nixos/modules/system/service/portable/lib.nix): nixpkgs 25.11 or later is needed"
else
  fallback // upstream
