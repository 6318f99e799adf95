# The nimi Nix library. Every integration (flake outputs, `pkgs.nimi`, the NixOS, home-manager and
# flake-parts modules) is built from these functions. The names and shapes are the Rust Nimi's
# (evalNimiModule returning `config`, mkNimiBin/mkContainerImage/mkBwrap taking a module and their
# *WithConfig forms taking an evaluated config), so its configurations and calls work unchanged.
#
#   nimiLib = import ./nix/lib { inherit lib pkgs; nimi = <the nimi package>; };
#
# A "configuration" below is a module (attribute set, function or path), a list of modules, the
# result of `evalNimiModule` (an evaluated config) or of `lib.evalModules` (an evaluation).
{
  lib,
  pkgs,
  nimi ? null,
  nix2container ? null,
}:
let
  requireNimi =
    what:
    if nimi == null then
      throw "nimi: ${what} needs the nimi package: import nix/lib with { nimi = ...; } or use pkgs.nimi"
    else
      nimi;

  toConfigWith = import ./to-config.nix { inherit lib; };

  isEvaluation = x: builtins.isAttrs x && (x._type or null) == "configuration";
  # An evaluated config carries the nimi module's internal marker (a module never defines it).
  isEvaluatedConfig = x: builtins.isAttrs x && (x._nimiEvaluatedConfig or false) == true;

  jsonFile =
    value:
    pkgs.runCommand "nimi-config.json"
      {
        nativeBuildInputs = [ (requireNimi "toNimiJson") ];
        json = builtins.toJSON value;
        passAsFile = [ "json" ];
      }
      ''
        cp "$jsonPath" "$out"
        nimi --strict --config "$out" validate
      '';
in
rec {
  /**
    The nimi module: `services` (modular services with nimi's per-service `nimi.*` options),
    `settings`, `meta`, `passthru`, `assertions`, `warnings`.
  */
  nimiModule = ../modules/nimi.nix;

  /**
    `lib.evalModules` over the nimi module and `modules` (a module or a list): the whole
    evaluation (`config`, `options`, ...).
  */
  evalNimi =
    modules:
    lib.evalModules {
      class = "nimi";
      modules = [ nimiModule ] ++ lib.toList modules;
      specialArgs = { inherit pkgs; };
    };

  /**
    Evaluates a nimi module and returns its `config` (as the Rust Nimi's evalNimiModule does).
    Assertions are enforced when the config is turned into JSON.
  */
  evalNimiModule = modules: (evalNimi modules).config;

  /**
    The evaluated config of any configuration (module, list, evaluation or evaluated config).
  */
  configOf =
    configuration:
    if isEvaluatedConfig configuration then
      configuration
    else if isEvaluation configuration then
      configuration.config
    else
      evalNimiModule configuration;

  /**
    The config contract as a Nix value: what `builtins.toJSON` writes for nimi. Failed assertions
    (of any service at any nesting level) stop evaluation with their message and location;
    warnings are printed.
  */
  toNimiConfig = configuration: toNimiConfigFromConfig (configOf configuration);

  /**
    `toNimiConfig` of an evaluated config (for example `config.nimi.<name>` in a NixOS module).
  */
  toNimiConfigFromConfig = toConfigWith { printWarnings = true; };

  /**
    The same without printing warnings, for callers that report them themselves (the NixOS and
    home-manager modules put them in `warnings`).
  */
  toNimiConfigQuiet = toConfigWith { printWarnings = false; };

  /**
    The config file as a derivation, checked with `nimi --strict validate` at build time. Takes
    any configuration, an evaluated config included (as the Rust Nimi's toNimiJson).
  */
  toNimiJson = configuration: jsonFile (toNimiConfig configuration);

  /**
    `toNimiJson` of an evaluated config.
  */
  toNimiJsonFromConfig = config: jsonFile (toNimiConfigFromConfig config);

  /**
    `toNimiJsonFromConfig` without printing warnings (see `toNimiConfigQuiet`).
  */
  toNimiJsonQuiet = config: jsonFile (toNimiConfigQuiet config);

  /**
    A runnable wrapper, `bin/<settings.binName>`: nimi running the configuration (extra arguments
    go to `nimi run`), with the configuration's `meta` and `passthru`.
  */
  mkNimiBinWithConfig =
    configuration:
    let
      config = configOf configuration;
    in
    mkNimiBinFromJson {
      name = config.settings.binName;
      json = toNimiJson config;
      inherit (config) meta passthru;
    };

  /**
    `mkNimiBinWithConfig` of a module.
  */
  mkNimiBin = module: mkNimiBinWithConfig (evalNimiModule module);

  /**
    The wrapper for a config file already built (`json`): `bin/<name>`.
  */
  mkNimiBinFromJson =
    {
      name,
      json,
      meta ? { },
      passthru ? { },
    }:
    pkgs.writeShellApplication {
      inherit name passthru;
      meta = {
        mainProgram = name;
      }
      // meta;
      text = ''
        exec ${lib.getExe (requireNimi "mkNimiBin")} --config ${json} run "$@"
      '';
    };

  /**
    A container image of an evaluated config (`settings.container`): the entrypoint is the
    `mkNimiBin` wrapper, the root has the directories of nix/container-layout.json (`/tmp` 1777),
    `/etc/passwd` and `/etc/group` with the users and groups the services name, and CA
    certificates when `settings.container.caCertificates` is set. Built with
    nix2container.buildImage when nimi's library has nix2container, with
    dockerTools.buildLayeredImage otherwise.
  */
  mkContainerImageWithConfig = import ./mk-container-image.nix {
    inherit
      lib
      pkgs
      nix2container
      configOf
      mkNimiBinWithConfig
      ;
  };

  /**
    `mkContainerImageWithConfig` of a module.
  */
  mkContainerImage = module: mkContainerImageWithConfig (evalNimiModule module);

  /**
    A wrapper, `bin/<binName>-sandbox`, running the `mkNimiBin` wrapper inside bubblewrap with
    the flags of `settings.bubblewrap`.
  */
  mkBwrapWithConfig = import ./mk-bwrap.nix {
    inherit
      lib
      pkgs
      configOf
      mkNimiBinWithConfig
      ;
  };

  /**
    `mkBwrapWithConfig` of a module.
  */
  mkBwrap = module: mkBwrapWithConfig (evalNimiModule module);

  /**
    The declared `nimi.*` and `settings.*` options as plain data (type and default of each),
    for comparing them with the runtime's JSON Schema (tests/nix/options_test.ts).
  */
  optionsContract = import ./options-contract.nix {
    inherit lib;
    evaluation = evalNimi [ ];
  };
}
