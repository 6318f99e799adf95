# Entry point of the Nix tests (tests/nix/*_test.ts):
#   nix-instantiate --eval --strict --json tests/nix/eval.nix \
#     --argstr root <tree with lib/ and the stand-ins> --argstr what <what> [--argstr module <file>]
# what:
#   config   toNimiConfig of `module` (the JSON nimi reads)
#   options  the options contract (types and defaults of nimi.* and settings.*)
#   lib      what mkNimiBin, mkBwrap and mkContainerImage make of `module` (scripts, image args)
#   nixos    the NixOS module evaluated with `module` as a NixOS configuration (stand-in system)
#   home     the same with the home-manager module
#   overlay  pkgs.nimi from nix/overlay.nix (mkDerivation stand-in: its arguments) and its
#            passthru library applied to `module`
#   flake-parts  the flake-parts module (flake-parts-lib stand-in), perSystem.nimi.demo = `module`
#   flake    flake.nix's outputs over the minimal pkgs: their names, and `module` through them
{
  root,
  what,
  module ? null,
  nimiDir ? "/nonexistent/nimi",
  # JSON: one more nimi module for `lib` (settings.bubblewrap, settings.container, ...).
  extraModule ? "{}",
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


  # The overlay over the minimal pkgs (whose stdenv.mkDerivation returns its arguments).
  overlaid = pkgs.extend (import ../../nix/overlay.nix);

  # flake.nix's outputs, with a nixpkgs input whose legacyPackages are the minimal pkgs.
  flake =
    let
      nixpkgs = {
        inherit lib;
        legacyPackages = lib.genAttrs [
          "x86_64-linux"
          "aarch64-linux"
          "x86_64-darwin"
          "aarch64-darwin"
        ] (system: pkgs.extend (_: _: { inherit system; }));
      };
      outputs = (import ../../flake.nix).outputs {
        self = outputs // {
          outPath = toString ../..;
        };
        inherit nixpkgs;
      };
    in
    outputs;

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
    lib =
      let
        modules = [
          file
          (builtins.fromJSON extraModule)
        ];
        bin = nimiLib.mkNimiBin modules;
        bwrap = nimiLib.mkBwrap modules;
        withN2c = import ../../nix/lib {
          inherit lib pkgs;
          inherit (pkgs) nimi;
          nix2container.buildImage = args: {
            inherit args;
            overrideAttrs =
              g:
              let
                changed = g { };
              in
              { inherit args; } // changed // changed.passthru or { };
          };
        };
        image = i: {
          inherit (i) args;
          inherit (i.layout) passwd group directories;
          bin = i.nimiBin.name;
        };
      in
      {
        # (`path`: an attribute set with `outPath` would be written as that string.)
        bin = {
          inherit (bin) name text;
          inherit (bin.meta) mainProgram;
          path = bin.outPath;
        };
        bwrap = {
          inherit (bwrap) name text;
          path = bwrap.outPath;
        };
        dockerImage = image (nimiLib.mkContainerImage modules);
        nix2containerImage = image (withN2c.mkContainerImage modules);
        json = (nimiLib.toNimiJson modules).env.json;
        jsonCheck = (nimiLib.toNimiJson modules).script;
        evaluated = {
          binName = (nimiLib.evalNimiModule modules).settings.binName;
          viaConfig = (nimiLib.mkNimiBinWithConfig (nimiLib.evalNimiModule modules)).name;
        };
      };
    # Like NixOS and home-manager, the system's warnings are printed once evaluated; the
    # wrappers' texts are forced as a real build would (their store paths depend on them).
    nixos =
      let
        c = system ../../nix/modules/nixos.nix "nixos";
      in
      lib.foldr (w: v: lib.warn w v) {
        inherit (c) assertions warnings;
        units = c.systemd.services;
        programs = map (p: p.text) c.environment.systemPackages;
      } c.warnings;
    # What mkContainerImage puts in the image for `module` plus extraModule: the config and the
    # root's layout (nix/container-layout.json, /etc/passwd, /etc/group), and the entrypoint.
    image =
      let
        modules = [
          file
          (builtins.fromJSON extraModule)
        ];
        i = nimiLib.mkContainerImage modules;
      in
      {
        config = nimiLib.toNimiConfig modules;
        inherit (i.layout) passwd group directories;
        entrypoint = i.args.config.Entrypoint;
        workingDir = i.args.config.WorkingDir;
      };
    # nix/vm.nix's machine in the stand-in NixOS system: its nimi unit and the instance's JSON.
    vm =
      let
        vmNix = import ../../nix/vm.nix { inherit pkgs; };
        c =
          (lib.evalModules {
            class = "nixos";
            modules = [
              vmNix.node
              ./stubs/nixos-system.nix
            ];
            specialArgs = { inherit pkgs; };
          }).config;
      in
      {
        units = c.systemd.services;
        programs = map (p: p.text) (lib.filter (p: p ? text) c.environment.systemPackages);
      };
    home =
      let
        c = system ../../nix/modules/home-manager.nix "homeManager";
      in
      lib.foldr (w: v: lib.warn w v) {
        inherit (c) assertions warnings;
        units = c.systemd.user.services;
        programs = map (p: p.text) c.home.packages;
      } c.warnings;
    overlay = {
      package = {
        inherit (overlaid.nimi)
          pname
          version
          env
          nativeBuildInputs
          configurePhase
          dontStrip
          dontPatchELF
          doInstallCheck
          installCheckPhase
          buildPhase
          installPhase
          meta
          ;
        src = "${overlaid.nimi.src}";
        npmCache = overlaid.nimi.npmDeps.cache.script;
      };
      config = overlaid.nimi.lib.toNimiConfig file;
      # The Rust Nimi's place for the library: on the package itself.
      direct = (overlaid.nimi.evalNimiModule file).settings.binName;
      functions = lib.filter (n: overlaid.nimi ? ${n}) [
        "evalNimiModule"
        "toNimiJson"
        "mkNimiBin"
        "mkNimiBinWithConfig"
        "mkContainerImage"
        "mkContainerImageWithConfig"
        "mkBwrap"
        "mkBwrapWithConfig"
      ];
    };
    flake =
      let
        system = "x86_64-linux";
        names = lib.mapAttrs (_: v: if builtins.isAttrs v then lib.attrNames v else "function");
      in
      {
        outputs = names flake;
        perSystem = lib.mapAttrs (_: v: lib.attrNames v.${system}) {
          inherit (flake)
            packages
            checks
            devShells
            lib
            ;
        };
        formatter = flake.formatter.${system}.name;
        package = flake.packages.${system}.default.pname;
        config = flake.lib.${system}.toNimiConfig file;
        forPkgs = (flake.lib.forPkgs pkgs).toNimiConfig file;
        nixosModule = toString flake.nixosModules.default;
        homeModule = toString flake.homeModules.default;
        flakeModule = lib.attrNames flake.flakeModules.default;
        overlay = builtins.isFunction flake.overlays.default;
        apps = lib.mapAttrs (_: lib.attrNames) flake.apps;
        vmApp = flake.apps.${system}.vm.program;
        vmTest = {
          inherit (flake.checks.${system}.nixos-module-vm.args) name testScript;
          nodes = lib.attrNames flake.checks.${system}.nixos-module-vm.args.nodes;
        };
      };
    flake-parts =
      let
        describe = p: if p ? text then p.text else "image: ${p.builder}";
      in
      {
        packages = lib.mapAttrs (_: describe) flakeParts.packages;
        checks = lib.mapAttrs (_: describe) flakeParts.checks;
      };
  };
in
results.${what} or (throw "tests/nix/eval.nix: unknown what \"${what}\"")
