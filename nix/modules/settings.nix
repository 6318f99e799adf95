# `settings.*`: nimi's global settings, mirroring `Settings` in src/config/schema.ts (the Rust
# Nimi's names, plus nimi's own beside them).
{ lib, ... }:
let
  inherit (lib) mkOption types;
  t = import ./types.nix { inherit lib; };
in
{
  options.settings = {
    restart = {
      mode = mkOption {
        type = types.enum t.restartModes;
        default = "on-failure";
        description = ''
          When a service that exited is restarted: `never`; `up-to-count` (at most `count` times);
          `always` (whatever its exit status); `on-failure` (only after a failure).
        '';
      };
      time = mkOption {
        type = t.millis;
        default = 1000;
        description = "Delay before a restart, in milliseconds.";
      };
      count = mkOption {
        type = types.ints.unsigned;
        default = 5;
        description = "Most restarts in mode up-to-count.";
      };
      backoff = mkOption {
        type = t.backoff;
        default = 1;
        description = "Factor the delay is multiplied by after each consecutive restart (1: no backoff).";
      };
      maxTime = mkOption {
        type = t.millis;
        default = 60000;
        description = "Cap on the restart delay when backoff grows it, in milliseconds.";
      };
      resetAfter = mkOption {
        type = t.millis;
        default = 10000;
        description = "A service that ran this long counts as stable and its restart counter resets (0: never).";
      };
    };

    startup.runOnStartup = mkOption {
      type = types.nullOr t.program;
      default = null;
      description = "Program run to completion before any service starts; a failure stops nimi.";
    };

    logging = {
      enable = mkOption {
        type = types.bool;
        default = false;
        description = "Write one log file per service under logsDir/logs-N.";
      };
      enableLogFiles = mkOption {
        type = types.nullOr types.bool;
        default = null;
        description = "The Rust Nimi's older name for `enable` (null: left out).";
      };
      logsDir = mkOption {
        type = t.nonEmptyString;
        default = "nimi_logs";
        description = "Directory holding the logs-N directories, relative to the working directory.";
      };
      maxBytes = mkOption {
        type = types.nullOr types.ints.positive;
        default = null;
        description = "Rotate a service's log file when it reaches this size (null: no rotation).";
      };
      maxFiles = mkOption {
        type = types.ints.positive;
        default = 5;
        description = "Rotated files kept per service.";
      };
    };

    shutdown = {
      timeout = mkOption {
        type = t.millis;
        default = 5000;
        description = "How long a service may take to stop before its process group gets SIGKILL, in milliseconds.";
      };
      stopOnFailure = mkOption {
        type = types.bool;
        default = false;
        description = "Stop every service when one fails for good (what a container usually wants).";
      };
    };

    pid1.subreaper = mkOption {
      type = types.bool;
      default = true;
      description = "Become a child subreaper when not PID 1, so orphans are reaped by nimi.";
    };
  };
}
