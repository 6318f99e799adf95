# The nimi module: what a user's nimi configuration is evaluated against. `services` are NixOS
# modular services built with nixpkgs' `configure` (lib/services/lib.nix) plus nimi's per-service
# module, `settings` are nimi's global settings, and `assertions` / `warnings` collect those of
# every service at every nesting level (`getAssertions` / `getWarnings`), each naming the
# service's option path and the files that define it.
{
  lib,
  pkgs,
  config,
  options,
  ...
}:
let
  inherit (lib) mkOption types;
  servicesLib = import ../lib/services-lib.nix {
    inherit lib;
    nixpkgsPath = pkgs.path;
  };
  configured = servicesLib.configure {
    serviceManagerPkgs = pkgs;
    extraRootModules = [ ./service.nix ];
  };

  # Files whose definitions mention services.<name>, for error messages.
  definedIn =
    name:
    let
      mentions = d: !(builtins.isAttrs d.value) || d.value ? _type || d.value ? ${name};
      files = lib.unique (map (d: d.file) (lib.filter mentions options.services.definitionsWithLocations));
    in
    if files == [ ] then "" else " (services.${name} is defined in ${lib.concatStringsSep ", " files})";

  perService =
    f: lib.concatLists (lib.mapAttrsToList (name: service: f name service) config.services);

  # Every service at every level, with its flattened name (`parent-child`, as nimi names it)
  # and its option path.
  flattened =
    prefix: loc: services:
    lib.concatLists (
      lib.mapAttrsToList (
        name: service:
        let
          full = if prefix == "" then name else "${prefix}-${name}";
          at = loc ++ [
            "services"
            name
          ];
        in
        [
          {
            inherit full service;
            loc = at;
          }
        ]
        ++ flattened full at service.services
      ) services
    );
  allServices = flattened "" [ ] config.services;
  allNames = map (s: s.full) allServices;

  # Checks of nimi's own options in one service, at evaluation rather than at `nimi validate`.
  nimiChecks =
    service:
    let
      # Dependencies name services by flattened name.
      dependencies = map (dep: {
        assertion = lib.elem dep allNames;
        message = "nimi.dependsOn.${dep}: no service is named \"${dep}\" (sub-services are named parent-child); services: ${lib.concatStringsSep ", " allNames}";
      }) (lib.attrNames service.nimi.dependsOn);

      probe =
        field:
        let
          p = service.nimi.${field};
          wanted =
            {
              exec = "command";
              tcp = "port";
              http = "url";
              log = "pattern";
            }
            .${p.type} or null;
        in
        lib.optional (p != null && wanted != null) {
          assertion = p.${wanted} != null;
          message = "nimi.${field}.${wanted} is required when nimi.${field}.type is \"${p.type}\"";
        };

      # Each path (the entry's name unless the service sets one) must stay inside the service's
      # config directory.
      configData = lib.mapAttrsToList (
        n: entry:
        let
          set = builtins.tryEval entry.path;
          path = if set.success then set.value else entry.name;
          field = if set.success then "path" else "name";
        in
        {
          assertion = !entry.enable || (!lib.hasPrefix "/" path && !lib.elem ".." (lib.splitString "/" path));
          message = "configData.${lib.strings.escapeNixIdentifier n}.${field} must be a relative path inside the service's config directory, got \"${path}\"";
        }
      ) service.configData;
    in
    dependencies ++ probe "readiness" ++ probe "liveness" ++ configData;

  ownAssertions = lib.concatMap (
    s:
    map (a: a // { message = "in ${lib.showOption s.loc}: ${a.message}${definedIn (lib.elemAt s.loc 1)}"; }) (
      nimiChecks s.service
    )
  ) allServices;
in
{
  _class = "nimi";

  imports = [
    ./settings.nix
    ./rust-nimi.nix
  ];

  options = {
    # Marks an evaluated config, so the library's functions can tell one from a module.
    _nimiEvaluatedConfig = mkOption {
      type = types.bool;
      default = true;
      readOnly = true;
      internal = true;
      visible = false;
      description = "Always true in an evaluated nimi config.";
    };
    services = mkOption {
      type = types.attrsOf configured.serviceSubmodule;
      default = { };
      visible = "shallow";
      description = ''
        The [modular services](https://nixos.org/manual/nixos/unstable/#modular-services) nimi runs,
        each with nimi's per-service options under `nimi` and sub-services under `services`.
      '';
    };
    assertions = mkOption {
      type = types.listOf types.unspecified;
      default = [ ];
      internal = true;
      description = ''
        Conditions that must hold for the evaluation to succeed (`{ assertion; message; }`).
        Every service's own assertions are collected here.
      '';
    };
    warnings = mkOption {
      type = types.listOf types.str;
      default = [ ];
      internal = true;
      description = "Warnings shown when the configuration is evaluated.";
    };
  };

  config = {
    assertions = perService (
      name: service:
      map (a: a // { message = a.message + definedIn name; }) (
        servicesLib.getAssertions [ "services" name ] service
      )
    )
    ++ ownAssertions;
    warnings = perService (name: service: servicesLib.getWarnings [ "services" name ] service);
  };
}
