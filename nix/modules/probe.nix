# A readiness or liveness probe (`nimi.readiness`, `nimi.liveness`), mirroring `Probe` in
# src/config/schema.ts. Fields that are optional there are null here and left out of the JSON.
{ lib, ... }:
let
  inherit (lib) mkOption types;
  t = import ./types.nix { inherit lib; };
in
{
  options = {
    type = mkOption {
      type = types.enum t.probeTypes;
      description = ''
        Probe kind: `exec` (a command exits 0), `tcp` (a port accepts a connection), `http`
        (a GET returns 2xx), `log` (a line of output matches `pattern`), `notify` (sd_notify READY=1).
      '';
    };
    command = mkOption {
      type = types.nullOr (types.nonEmptyListOf t.program);
      default = null;
      description = "exec: program and arguments; ready when it exits 0.";
    };
    host = mkOption {
      type = t.nonEmptyString;
      default = "127.0.0.1";
      description = "tcp: host to connect to.";
    };
    port = mkOption {
      type = types.nullOr (types.ints.between 1 65535);
      default = null;
      description = "tcp: port that must accept a connection.";
    };
    url = mkOption {
      type = types.nullOr t.url;
      default = null;
      description = "http: URL whose GET must return 2xx.";
    };
    pattern = mkOption {
      type = types.nullOr t.nonEmptyString;
      default = null;
      description = "log: regular expression a line of output must match.";
    };
    initialDelay = mkOption {
      type = t.millis;
      default = 0;
      description = "Milliseconds to wait before the first check.";
    };
    period = mkOption {
      type = types.ints.positive;
      default = 1000;
      description = "Milliseconds between checks.";
    };
    timeout = mkOption {
      type = types.ints.positive;
      default = 1000;
      description = "Milliseconds one check may take.";
    };
    failureThreshold = mkOption {
      type = types.ints.positive;
      default = 3;
      description = "Consecutive failures before a liveness probe restarts the service.";
    };
  };
}
