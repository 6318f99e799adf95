# Turns an evaluated nimi configuration into the config contract nimi reads (the shape of
# ../shared/fixtures/modular-services.json plus `settings`): failed assertions stop evaluation,
# warnings are printed (unless the caller reports them itself), optional fields left null are dropped, and nothing that cannot be JSON
# remains (derivations and paths become store paths, functions are left out).
{ lib }:
let
  inherit (lib)
    filterAttrs
    isDerivation
    mapAttrs
    concatMapStrings
    ;

  withoutNulls = filterAttrs (_: v: v != null);

  # Keeps only what builtins.toJSON can write, as a string where Nix would interpolate it.
  jsonSafe =
    v:
    if isDerivation v || builtins.isPath v then
      "${v}"
    else if builtins.isAttrs v then
      mapAttrs (_: jsonSafe) (filterAttrs (_: x: !builtins.isFunction x) v)
    else if builtins.isList v then
      map jsonSafe (builtins.filter (x: !builtins.isFunction x) v)
    else
      v;

  # configData.<n>.path as set by the service module (the Rust Nimi's examples set one), else
  # the entry's name: upstream declares it read-only with no default, for the service manager.
  configDataPath =
    entry:
    let
      set = builtins.tryEval entry.path;
    in
    if set.success then set.value else entry.name;

  shapeProbe = p: if p == null then null else withoutNulls p;

  # `systemd` (systemd-compat.nix) holds NixOS unit modules, nothing nimi reads.
  shapeService =
    service:
    removeAttrs service [ "systemd" ]
    // {
      configData = mapAttrs (_: entry: entry // { path = configDataPath entry; }) service.configData;
      nimi = service.nimi // {
        readiness = shapeProbe service.nimi.readiness;
        liveness = shapeProbe service.nimi.liveness;
        restart = if service.nimi.restart == null then null else withoutNulls service.nimi.restart;
      };
      services = mapAttrs (_: shapeService) service.services;
    };

  # binName, container and bubblewrap shape what is built (rust-nimi.nix), not what runs.
  shapeSettings =
    settings:
    removeAttrs settings [
      "binName"
      "container"
      "bubblewrap"
    ]
    // {
      logging = withoutNulls settings.logging // {
        inherit (settings.logging) maxBytes;
      };
    };
in
{ printWarnings }:
config:
let
  failed = builtins.filter (a: !a.assertion) config.assertions;
  value = jsonSafe {
    services = mapAttrs (_: shapeService) config.services;
    settings = shapeSettings config.settings;
  };
  warned = if printWarnings then lib.foldr (w: v: lib.warn w v) value config.warnings else value;
in
if failed != [ ] then
  throw "\nFailed assertions:\n${concatMapStrings (a: "- ${a.message}\n") failed}"
else
  warned
