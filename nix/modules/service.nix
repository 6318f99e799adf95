# nimi's part of every modular service, at every nesting level: the per-service `nimi.*` options
# (mirroring `ServiceOptions` in src/config/schema.ts), the relative `configData.<n>.path` nimi
# exposes files at, the `systemd.*` options NixOS gives a modular service (./systemd-compat.nix:
# a module written for NixOS evaluates, and the credentials it loads for systemd become
# `nimi.credentials`), and the same module for each sub-service. Checks of these options are in
# nimi.nix (as assertions there, they stay out of the service's own `assertions` in the JSON).
{ lib, ... }:
let
  inherit (lib) mkOption types;
  t = import ./types.nix { inherit lib; };
  probe = types.submodule ./probe.nix;
in
{
  _class = "service";

  imports = [ ./systemd-compat.nix ];

  options = {
    nimi = {
      type = mkOption {
        type = types.enum [
          "simple"
          "oneshot"
        ];
        default = "simple";
        description = "`simple`: a long-running process; `oneshot`: runs to completion.";
      };
      dependsOn = mkOption {
        type = types.attrsOf (types.enum t.dependencyConditions);
        default = { };
        example = {
          db = "ready";
          migrate = "completed-successfully";
        };
        description = ''
          Services (by flattened name, `parent-child` for sub-services) this one waits for, and the
          condition each must reach first.
        '';
      };
      readiness = mkOption {
        type = types.nullOr probe;
        default = null;
        description = "When the service counts as ready (null: as soon as it started).";
      };
      liveness = mkOption {
        type = types.nullOr probe;
        default = null;
        description = "A probe whose failures restart the service under its restart policy.";
      };
      environment = mkOption {
        type = types.attrsOf types.str;
        default = { };
        description = "Variables added to the service's environment.";
      };
      inheritEnvironment = mkOption {
        type = types.bool;
        default = true;
        description = "Whether the service inherits nimi's own environment.";
      };
      workingDirectory = mkOption {
        type = types.nullOr t.localPath;
        default = null;
        description = "Working directory of the service (null: nimi's).";
      };
      user = mkOption {
        type = types.nullOr t.idOrName;
        default = null;
        description = "User (name or uid) the service runs as; nimi must run as root.";
      };
      group = mkOption {
        type = types.nullOr t.idOrName;
        default = null;
        description = "Group (name or gid) the service runs as; nimi must run as root.";
      };
      stopSignal = mkOption {
        type = t.signal;
        default = "SIGTERM";
        description = "Signal sent to the service's process group to stop it.";
      };
      stopTimeout = mkOption {
        type = types.nullOr t.millis;
        default = null;
        description = "Milliseconds before SIGKILL when stopping (null: settings.shutdown.timeout).";
      };
      restart = mkOption {
        type = types.nullOr (types.submodule ./restart-override.nix);
        default = null;
        description = "Overrides fields of settings.restart for this service.";
      };
      credentials = mkOption {
        type = types.attrsOf t.localPath;
        default = { };
        description = ''
          Files copied into `$CREDENTIALS_DIRECTORY/<name>` at start (systemd LoadCredential
          style). Give paths as strings or path literals: they are not copied into the store.
        '';
      };
      forwardSignals = mkOption {
        type = types.listOf t.signal;
        default = [
          "SIGHUP"
          "SIGUSR1"
          "SIGUSR2"
          "SIGWINCH"
        ];
        description = "Signals nimi passes on to the service.";
      };
      successExitCodes = mkOption {
        type = types.nonEmptyListOf (types.ints.between 0 255);
        default = [ 0 ];
        description = "Exit codes that count as success (128 + N for signal N).";
      };
      onEnd = mkOption {
        type = types.enum [
          "nothing"
          "stop-all"
          "stop-all-on-failure"
        ];
        default = "nothing";
        description = "What the service ending for good does to the whole run.";
      };
      reloadSignal = mkOption {
        type = types.nullOr t.signal;
        default = null;
        description = "Signal sent instead of SIGHUP when nimi receives SIGHUP.";
      };
      output = mkOption {
        type = types.enum [
          "prefixed"
          "inherit"
        ];
        default = "prefixed";
        description = "prefixed: through nimi's log sink; inherit: straight to nimi's stdout and stderr.";
      };
      stdin = mkOption {
        type = types.enum [
          "null"
          "inherit"
        ];
        default = "null";
        description = "inherit: the service reads nimi's stdin (one service at most).";
      };
    };

    # configData.<n>.path (read-only upstream) is left to the service: when it sets none, nimi
    # uses the entry's name, relative to the service's private config directory (to-config.nix;
    # nimi.nix asserts it stays inside).

    services = mkOption {
      type = types.attrsOf (types.submoduleWith { modules = [ ./service.nix ]; });
    };
  };
}
