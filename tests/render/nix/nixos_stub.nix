# Test stand-in for the NixOS options `nimi render --to nixos` writes to: systemd.services and
# systemd.targets with the types NixOS gives them (unit name lists, free-form serviceConfig and
# unitConfig whose values are strings or lists of strings). Written here; evaluated with the real
# nixpkgs lib by tests/render/nixos_test.ts.
{ lib, ... }:
let
  inherit (lib) mkOption types;
  names = mkOption {
    type = types.listOf types.str;
    default = [ ];
  };
  freeform = mkOption {
    type = types.attrsOf (types.either types.str (types.listOf types.str));
    default = { };
  };
  unit = {
    description = mkOption {
      type = types.str;
      default = "";
    };
    after = names;
    requires = names;
    wants = names;
    partOf = names;
    wantedBy = names;
    unitConfig = freeform;
  };
in
{
  options.systemd.services = mkOption {
    type = types.attrsOf (types.submodule { options = unit // { serviceConfig = freeform; }; });
    default = { };
  };
  options.systemd.targets = mkOption {
    type = types.attrsOf (types.submodule { options = unit; });
    default = { };
  };
}
