# A reusable modular service with its own options, a configData file, an assertion and a
# warning, instantiated twice; plus a service with sub-services two levels deep. Every service
# exits by itself, so `nimi run` ends once they are done.
#
# Each instance reads its greeting from the file nimi exposes: configData paths are relative to
# the service's private config directory, which nimi passes in XDG_CONFIG_HOME.
# The programs a script runs are named by their package (`${pkgs.coreutils}/bin/cat`), not looked
# up on PATH: an image holds only the closure of what the configuration names.
{ lib, pkgs, ... }:
let
  # A service module: what a package would ship as `passthru.services.default`.
  greeter =
    { config, lib, ... }:
    {
      _class = "service";
      options.greeter = {
        greeting = lib.mkOption {
          type = lib.types.str;
          default = "hello";
          description = "What the service says.";
        };
        port = lib.mkOption {
          type = lib.types.port;
          description = "Port the service would listen on.";
        };
      };
      config = {
        process.argv = [
          pkgs.runtimeShell
          "-c"
          ''echo "port ${toString config.greeter.port}: $(${pkgs.coreutils}/bin/cat "$XDG_CONFIG_HOME/greeter/greeting.txt")"''
        ];
        configData."greeter/greeting.txt".text = "${config.greeter.greeting}\n";
        nimi.type = "oneshot";
        assertions = [
          {
            assertion = config.greeter.port >= 1024;
            message = "greeter.port must be unprivileged, got ${toString config.greeter.port}";
          }
        ];
        warnings = lib.optional (
          config.greeter.greeting == "hello"
        ) "greeter.greeting is the default";
      };
    };
in
{
  services = {
    greeter-a = {
      imports = [ greeter ];
      greeter.port = 7001;
    };
    greeter-b = {
      imports = [ greeter ];
      greeter = {
        port = 7002;
        greeting = "bonjour";
      };
    };
    stack = {
      process.argv = [
        pkgs.runtimeShell
        "-c"
        "echo stack up"
      ];
      nimi.type = "oneshot";
      services.cache = {
        process.argv = [
          pkgs.runtimeShell
          "-c"
          "echo cache up"
        ];
        nimi.type = "oneshot";
        services.warmer = {
          process.argv = [
            pkgs.runtimeShell
            "-c"
            "echo warming"
          ];
          nimi = {
            type = "oneshot";
            dependsOn.stack-cache = "completed-successfully";
          };
        };
      };
    };
  };
  settings.restart.mode = "never";
}
