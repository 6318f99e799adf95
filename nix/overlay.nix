# Adds `pkgs.nimi`, with the nimi Nix library on the package itself, as the Rust Nimi has it
# (`pkgs.nimi.mkNimiBin`, `pkgs.nimi.mkContainerImage`, `pkgs.nimi.evalNimiModule`, ...), and
# also as `pkgs.nimi.lib`, built for that package set (images with nix2container when
# `pkgs.nix2container` is nix2container's package, with buildImage; dockerTools otherwise).
final: _prev: {
  nimi = (final.callPackage ./package.nix { }).overrideAttrs (old: {
    passthru =
      let
        nimiLib = import ./lib {
          inherit (final) lib;
          pkgs = final;
          inherit (final) nimi;
          nix2container =
            let
              n2c = final.nix2container or null;
            in
            if n2c != null && n2c ? buildImage then n2c else null;
        };
      in
      (old.passthru or { })
      // nimiLib
      // {
        lib = nimiLib;
      };
  });
}
