# The `systemd.*` options NixOS gives every modular service (nixpkgs'
# nixos/modules/system/service/systemd/service.nix), so that a service module written for NixOS
# evaluates under nimi, its `options ? systemd` branch included: `systemd.service` and
# `systemd.socket` (the main units), `systemd.services.<name>` and `systemd.sockets.<name>`
# (deferred unit modules), `systemd.mainExecStart` and `systemd.lib`. nimi reads one thing from them:
# the main unit's `serviceConfig.LoadCredential` entries (`"id:/path"`) become
# `nimi.credentials.<id>`, so the service finds them in `$CREDENTIALS_DIRECTORY` as under
# systemd. Everything else in the units is for systemd and is ignored (docs/migrating.md).
{ lib, config, ... }:
let
  inherit (lib) mkOption types;

  # systemd's quoting of one ExecStart argument: "-quoted, % and $ doubled.
  escapeSystemdExecArg =
    arg:
    let
      s = if builtins.isPath arg || lib.isDerivation arg then "${arg}" else toString arg;
    in
    lib.replaceStrings [ "%" "$" ] [ "%%" "$$" ] (builtins.toJSON s);

  # The main unit read as plain data: free-form, lists concatenated, credentials as lists.
  listOption = mkOption {
    type = types.coercedTo types.str lib.toList (types.listOf types.str);
    default = [ ];
  };
  unitShape = {
    freeformType = types.lazyAttrsOf types.unspecified;
    options.serviceConfig = mkOption {
      type = types.submodule {
        freeformType = types.lazyAttrsOf types.unspecified;
        options.LoadCredential = listOption;
        options.SetCredential = listOption;
      };
      default = { };
    };
  };
  mainUnit =
    (lib.evalModules {
      modules = [
        unitShape
        config.systemd.service
        (config.systemd.services."" or { })
      ];
    }).config;

  parse =
    entry:
    let
      m = builtins.match "([^:]+):(.+)" entry;
    in
    if m == null then null else lib.nameValuePair (builtins.elemAt m 0) (builtins.elemAt m 1);
  loaded = map parse mainUnit.serviceConfig.LoadCredential;
in
{
  _class = "service";

  options.systemd = {
    lib = mkOption {
      type = types.lazyAttrsOf types.raw;
      readOnly = true;
      description = "Functions for systemd units (`escapeSystemdExecArgs`), as under NixOS.";
    };
    mainExecStart = mkOption {
      type = types.str;
      default = config.systemd.lib.escapeSystemdExecArgs config.process.argv;
      defaultText = lib.literalExpression "config.systemd.lib.escapeSystemdExecArgs config.process.argv";
      description = "systemd's ExecStart under NixOS; nimi runs `process.argv`.";
    };
    # NixOS aliases these two to services."" and sockets.""; here they are read together.
    service = mkOption {
      type = types.deferredModule;
      default = { };
      description = "The main systemd unit of this service under NixOS; nimi reads only LoadCredential.";
    };
    socket = mkOption {
      type = types.deferredModule;
      default = { };
      description = "The main socket unit of this service under NixOS; ignored by nimi.";
    };
    services = mkOption {
      type = types.lazyAttrsOf types.deferredModule;
      default = { };
      description = "systemd units of this service under NixOS (`\"\"` is the main one); nimi reads only LoadCredential.";
    };
    sockets = mkOption {
      type = types.lazyAttrsOf types.deferredModule;
      default = { };
      description = "systemd socket units of this service under NixOS; ignored by nimi.";
    };
  };

  config = {
    systemd.lib.escapeSystemdExecArgs = lib.concatMapStringsSep " " escapeSystemdExecArg;

    nimi.credentials = lib.listToAttrs (lib.filter (c: c != null) loaded);

    warnings =
      map (
        e: "systemd.service.serviceConfig.LoadCredential \"${e}\" names no file (systemd's credential store); nimi cannot load it"
      ) (lib.filter (e: parse e == null) mainUnit.serviceConfig.LoadCredential)
      ++ lib.optional (
        mainUnit.serviceConfig.SetCredential != [ ]
      ) "systemd.service.serviceConfig.SetCredential is not supported by nimi; use LoadCredential with a file";
  };
}
