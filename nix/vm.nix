# The NixOS VM of the flake's `checks.<system>.nixos-module-vm` (a nixosTest) and of
# `nix run .#vm` (the same machine, booted for a person to look at): the NixOS module with one
# nimi instance, `web`, whose two services answer over HTTP on ports 8001 and 8002.
{ pkgs }:
let
  inherit (pkgs) lib;
  server = port: {
    process.argv = [
      (lib.getExe pkgs.python3)
      "-m"
      "http.server"
      (toString port)
      "--bind"
      "127.0.0.1"
    ];
    nimi.readiness = {
      type = "tcp";
      inherit port;
    };
  };

  node = {
    imports = [ ./modules/nixos.nix ];
    system.stateVersion = lib.trivial.release;
    networking.hostName = "nimi-vm";
    environment.systemPackages = [ pkgs.curl ];
    nimi.web = {
      services.first = server 8001;
      services.second = server 8002 // {
        nimi.dependsOn.first = "ready";
      };
      settings.restart.mode = "on-failure";
    };
  };
in
{
  inherit node;

  # Needs KVM on the builder: nix build .#checks.x86_64-linux.nixos-module-vm -L
  test = pkgs.testers.runNixOSTest {
    name = "nimi-nixos-module";
    nodes.machine = node;
    testScript = ''
      machine.wait_for_unit("web.service")
      machine.wait_until_succeeds("curl -sf http://127.0.0.1:8001/")
      machine.wait_until_succeeds("curl -sf http://127.0.0.1:8002/")
      machine.succeed("journalctl -u web.service | grep -F 'first'")
    '';
  };

  # nix run .#vm: log in as root (no password), `curl 127.0.0.1:8001`, `systemctl status web`.
  vm =
    (pkgs.nixos {
      imports = [ node ];
      services.getty.autologinUser = "root";
      virtualisation.vmVariant.virtualisation.graphics = false;
    }).config.system.build.vm;
}
