# Options of one `nimi.<name>` instance in the NixOS, home-manager and flake-parts modules,
# beside the nimi module's own (`services`, `settings`): the package that runs it.
{ lib, pkgs, ... }:
{
  options.package = lib.mkOption {
    type = lib.types.package;
    default = pkgs.nimi or (pkgs.callPackage ../package.nix { });
    defaultText = lib.literalExpression "pkgs.nimi";
    description = "The nimi package running this instance.";
  };
}
