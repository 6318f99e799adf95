# Test stand-in for the parts of a NixOS (or home-manager) system the nimi modules write to:
# systemd units as free-form attribute sets, assertions and warnings.
{ lib, ... }:
let
  inherit (lib) mkOption types;
in
{
  options = {
    systemd.services = mkOption {
      type = types.attrsOf types.anything;
      default = { };
    };
    systemd.user.services = mkOption {
      type = types.attrsOf types.anything;
      default = { };
    };
    assertions = mkOption {
      type = types.listOf types.unspecified;
      default = [ ];
    };
    warnings = mkOption {
      type = types.listOf types.str;
      default = [ ];
    };
    environment.systemPackages = mkOption {
      type = types.listOf types.raw;
      default = [ ];
    };
    system.stateVersion = mkOption {
      type = types.str;
      default = "";
    };
    networking.hostName = mkOption {
      type = types.str;
      default = "";
    };
    home.packages = mkOption {
      type = types.listOf types.raw;
      default = [ ];
    };
  };
}
