# nimi's own per-service options: a database that becomes ready when it logs a line, a
# migration that waits for it, and a web service that waits for the migration to succeed and
# gets its environment and a restart override; global settings write log files and stop
# everything when one service fails for good. The programs are stand-ins that exit after a
# moment, so `nimi run` ends by itself.
{ pkgs, ... }:
let
  sh = script: [
    pkgs.runtimeShell
    "-c"
    script
  ];
in
{
  services = {
    db = {
      process.argv = sh "echo 'db: accepting connections'; ${pkgs.coreutils}/bin/sleep 1; echo 'db: shutting down'";
      nimi = {
        readiness = {
          type = "log";
          pattern = "accepting connections";
          period = 100;
        };
        stopSignal = "SIGINT";
        stopTimeout = 2000;
      };
    };
    migrate = {
      process.argv = sh "echo \"migrate: schema $SCHEMA_VERSION applied\"";
      nimi = {
        type = "oneshot";
        dependsOn.db = "ready";
        environment.SCHEMA_VERSION = "42";
      };
    };
    web = {
      process.argv = sh "echo \"web: serving on port $PORT\"";
      nimi = {
        type = "oneshot";
        dependsOn.migrate = "completed-successfully";
        environment.PORT = "8080";
        restart = {
          mode = "up-to-count";
          count = 2;
          time = 100;
        };
      };
    };
  };

  settings = {
    restart.mode = "never";
    logging = {
      enable = true;
      logsDir = "logs";
    };
    shutdown = {
      timeout = 3000;
      stopOnFailure = true;
    };
  };
}
