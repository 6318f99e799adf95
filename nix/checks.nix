# Flake checks: the package (its own check runs `nimi --version` and `nimi validate`), every
# examples/*.nix evaluated to JSON and checked with `nimi --strict validate`, the examples that
# exit by themselves run through mkNimiBin, and the module wiring evaluated.
{ pkgs }:
let
  inherit (pkgs) lib;
  nimiLib = pkgs.nimi.lib;
  exampleFiles = lib.filterAttrs (file: type: type == "regular" && lib.hasSuffix ".nix" file) (
    builtins.readDir ../examples
  );
  exampleName = file: lib.removeSuffix ".nix" file;

  # Examples whose services all exit by themselves, with a line their output must contain.
  runnable = {
    hello = "hello from nimi";
    reusable-service = "bonjour";
  };
in
{
  package = pkgs.nimi;
}
// lib.mapAttrs' (
  file: _: lib.nameValuePair "example-${exampleName file}" (nimiLib.toNimiJson (../examples + "/${file}"))
) exampleFiles
// lib.mapAttrs' (
  name: expected:
  lib.nameValuePair "example-${name}-runs" (
    pkgs.runCommand "nimi-example-${name}-runs" { } ''
      cd "$TMPDIR"
      ${lib.getExe (nimiLib.mkNimiBin (../examples + "/${name}.nix"))} 2>&1 | tee "$out"
      grep -F ${lib.escapeShellArg expected} "$out"
    ''
  )
) runnable
