# Test stand-in for nixpkgs' nixos/modules/misc/assertions.nix, which lib/services/service.nix
# imports from outside lib/ (absent from nixpkgs.lib): the `assertions` and `warnings` options.
{ lib, ... }:
{
  options = {
    assertions = lib.mkOption {
      type = lib.types.listOf lib.types.unspecified;
      default = [ ];
      internal = true;
      description = "Conditions (`{ assertion; message; }`) that must hold.";
    };
    warnings = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      internal = true;
      description = "Warnings shown at evaluation.";
    };
  };
}
