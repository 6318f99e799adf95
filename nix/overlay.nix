# Adds `pkgs.nimi`, with the nimi Nix library in `pkgs.nimi.lib` (evalNimiModule, toNimiJson,
# mkNimiBin, mkNimiBinWithConfig, mkContainerImage, mkBwrap), built for that package set.
final: _prev: {
  nimi = (final.callPackage ./package.nix { }).overrideAttrs (old: {
    passthru = (old.passthru or { }) // {
      lib = import ./lib {
        inherit (final) lib;
        pkgs = final;
        inherit (final) nimi;
        nix2container = final.nix2container or null;
      };
    };
  });
}
