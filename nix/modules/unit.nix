# What the NixOS and home-manager modules share: each `nimi.<name>` instance evaluated with the
# nimi module, its wrapper program, how its restart settings map onto a systemd unit, and its
# assertions and warnings prefixed with the instance's option path.
{ lib, pkgs }:
let
  nimiLibFor =
    instance:
    import ../lib {
      inherit lib pkgs;
      nimi = instance.package;
    };
in
rec {
  # The option type of `nimi`: instances named by attribute, each the nimi module plus its
  # `package` (and `extraModules`); an instance's wrapper is named after it unless it sets
  # settings.binName (as with the Rust Nimi).
  instancesType =
    extraModules:
    lib.types.attrsOf (
      lib.types.submoduleWith {
        class = "nimi";
        modules = [
          ./nimi.nix
          ./instance.nix
          (
            { name, ... }:
            {
              settings.binName = lib.mkDefault name;
            }
          )
        ]
        ++ extraModules;
        specialArgs = { inherit pkgs; };
      }
    );

  # The program running an instance (bin/<settings.binName>), its JSON checked at build time.
  # Its warnings are not printed here: the modules report them through `warnings` (printing
  # them here too showed each one twice).
  program =
    _name: instance:
    let
      nimiLib = nimiLibFor instance;
    in
    nimiLib.mkNimiBinFromJson {
      name = instance.settings.binName;
      json = nimiLib.toNimiJsonQuiet instance;
      inherit (instance) meta passthru;
    };

  # The instance's container image (flake-parts: `<name>-container`).
  image = instance: (nimiLibFor instance).mkContainerImageWithConfig instance;

  # systemd's Restart= for settings.restart.mode (nimi itself exits when its services are done
  # or one failed for good; this decides whether systemd starts it again).
  restartOf =
    mode:
    {
      never = "no";
      always = "always";
      on-failure = "on-failure";
      up-to-count = "on-failure";
    }
    .${mode};

  restartSec = instance: "${toString instance.settings.restart.time}ms";

  # Most starts systemd allows in its default interval for mode up-to-count.
  startLimitBurst =
    instance:
    if instance.settings.restart.mode == "up-to-count" then
      instance.settings.restart.count + 1
    else
      null;

  # Services get shutdown.timeout each, then nimi itself needs a moment to exit.
  stopTimeout = instance: "${toString (instance.settings.shutdown.timeout + 5000)}ms";

  # The [Service] directives of an instance's unit, the same for a system unit (NixOS
  # `serviceConfig`) and a user unit (home-manager `Service`).
  serviceSection = name: instance: {
    ExecStart = lib.getExe (program name instance);
    # nimi tells systemd READY=1 once every service is ready, STATUS= as they change,
    # STOPPING=1 and, when WatchdogSec= is set, WATCHDOG=1 (docs/nixos-module.md).
    Type = "notify";
    NotifyAccess = "main";
    Restart = restartOf instance.settings.restart.mode;
    RestartSec = restartSec instance;
    # nimi stops its services' process groups itself; systemd only waits for it.
    KillMode = "mixed";
    TimeoutStopSec = stopTimeout instance;
  };

  assertionsOf =
    prefix: instances:
    lib.concatLists (
      lib.mapAttrsToList (
        name: instance:
        map (a: a // { message = "${prefix}.${name}: ${a.message}"; }) instance.assertions
      ) instances
    );

  warningsOf =
    prefix: instances:
    lib.concatLists (
      lib.mapAttrsToList (name: instance: map (w: "${prefix}.${name}: ${w}") instance.warnings) instances
    );
}
