# Test stand-in for nixpkgs' modules/generic/meta-maintainers.nix, which lib/services/service.nix
# imports from outside lib/ (absent from nixpkgs.lib). Like the real module it declares
# `meta.maintainers` as a list whose merged value maps each defining file to its maintainers.
{ lib, ... }:
{
  _class = null;
  options.meta.maintainers = lib.mkOption {
    type = lib.mkOptionType {
      name = "listOfMaintainers";
      check = builtins.isList;
      merge = _loc: defs: lib.zipAttrs (lib.concatMap (d: map (m: { ${d.file} = m; }) d.value) defs);
    };
    default = [ ];
    description = "Maintainers of each module, by defining file.";
  };
}
