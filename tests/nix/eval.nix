# Entry point of the Nix tests (tests/nix/*_test.ts):
#   nix-instantiate --eval --strict --json tests/nix/eval.nix \
#     --argstr root <tree with lib/ and the stand-ins> --argstr what config --argstr module <file.nix>
# `what`: "config" (the JSON nimi reads, from toNimiConfig) or "options" (the options contract).
{
  root,
  what,
  module ? null,
}:
let
  lib = import (root + "/lib");
  pkgs = import ./pkgs.nix { inherit lib root; };
  nimiLib = import ../../nix/lib { inherit lib pkgs; };
in
if what == "config" then
  nimiLib.toNimiConfig (import module)
else if what == "options" then
  nimiLib.optionsContract
else
  throw "tests/nix/eval.nix: unknown what \"${what}\" (expected config or options)"
