# `import nixpkgs { system; overlays; }` for the Rust Nimi's overlay snippet in
# tests/nix/rust_nimi_docs.nix: the minimal pkgs of tests/nix/pkgs.nix with the overlays applied.
# Its tree and nimi's stand-in come from the environment of that test (impure evaluation).
{
  system ? builtins.currentSystem,
  overlays ? [ ],
}:
let
  root = builtins.getEnv "NIMI_TEST_NIXPKGS_ROOT";
  lib = import (root + "/lib");
  base = import ../../pkgs.nix {
    inherit lib root;
    nimiDir = builtins.getEnv "NIMI_TEST_NIMI_DIR";
  };
in
lib.foldl' (pkgs: overlay: pkgs.extend overlay) (base.extend (_: _: { inherit system; })) overlays
