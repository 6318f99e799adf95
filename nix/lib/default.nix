# The nimi Nix library. Every integration (flake outputs, overlay passthru, NixOS, home-manager
# and flake-parts modules) is built from these functions.
#
#   nimiLib = import ./nix/lib { inherit lib pkgs; nimi = <the nimi package>; };
#
# A "nimi configuration" below is a module (attribute set, function or path), a list of modules,
# or the result of `evalNimiModule`.
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
      throw "nimi: ${what} needs the nimi package: import nix/lib with { nimi = ...; } or use the overlay"
    else
      nimi;

  toNimiConfigFromConfig = import ./to-config.nix { inherit lib; };

  isEvaluation = x: builtins.isAttrs x && (x._type or null) == "configuration";

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
    `settings`, `assertions`, `warnings`.
  */
  nimiModule = ../modules/nimi.nix;

  /**
    Evaluates nimi modules with nixpkgs' `lib.evalModules` over the nimi module.

    # Inputs

    `modules`: a module or a list of modules.

    # Output

    The evaluation (`config`, `options`, ...); assertions are enforced by `toNimiConfig`.
  */
  evalNimiModule =
    modules:
    lib.evalModules {
      class = "nimi";
      modules = [ nimiModule ] ++ lib.toList modules;
      specialArgs = { inherit pkgs; };
    };

  /**
    The config contract as a Nix value: what `builtins.toJSON` writes for nimi. Failed
    assertions (of any service at any nesting level) stop evaluation with their message and
    location; warnings are printed.
  */
  toNimiConfig =
    configuration:
    toNimiConfigFromConfig (
      if isEvaluation configuration then configuration.config else (evalNimiModule configuration).config
    );

  /**
    Same as `toNimiConfig` for an already evaluated `config` (for example `config.nimi.<name>`
    inside a NixOS module).
  */
  inherit toNimiConfigFromConfig;

  /**
    The config file as a derivation, checked with `nimi --strict validate` at build time.
  */
  toNimiJson = configuration: jsonFile (toNimiConfig configuration);

  /**
    Same as `toNimiJson` for an already evaluated `config`.
  */
  toNimiJsonFromConfig = config: jsonFile (toNimiConfigFromConfig config);

  /**
    A runnable wrapper: `bin/<name>` runs nimi with the given config file (extra arguments are
    passed to `nimi run`).
  */
  mkNimiBinWithConfig =
    {
      config,
      name ? "nimi",
    }:
    pkgs.writeShellScriptBin name ''
      exec ${lib.getExe (requireNimi "mkNimiBinWithConfig")} --config ${config} run "$@"
    '';

  /**
    `mkNimiBinWithConfig` for a nimi configuration (its JSON validated at build time).
  */
  mkNimiBin =
    configuration:
    mkNimiBinWithConfig {
      config = toNimiJson configuration;
    };

  /**
    A container image whose entrypoint is nimi running the configuration: built with
    nix2container when it is given, with `dockerTools.buildLayeredImage` otherwise.
  */
  mkContainerImage = import ./mk-container-image.nix {
    inherit lib pkgs nix2container;
    inherit toNimiJson;
    nimi = requireNimi "mkContainerImage";
  };

  /**
    A wrapper running nimi with the configuration inside a bubblewrap sandbox.
  */
  mkBwrap = import ./mk-bwrap.nix {
    inherit lib pkgs toNimiJson;
    nimi = requireNimi "mkBwrap";
  };

  /**
    The declared `nimi.*` and `settings.*` options as plain data (type and default of each),
    for comparing them with the runtime's JSON Schema (tests/nix/options_test.ts).
  */
  optionsContract = import ./options-contract.nix {
    inherit lib;
    evaluation = evalNimiModule [ ];
  };
}
