# Flake checks (`nix flake check -L`): the package (its own check runs `nimi --version`,
# `nimi validate` and `nimi run`, and SIGUSR1 with no inspector on 9229), every examples/*.nix
# evaluated to JSON and checked with `nimi --strict validate`, the examples that exit by
# themselves run through mkNimiBin, and on Linux a container image of every example, the NixOS
# module's unit and a NixOS VM test (nix/vm.nix).
{ pkgs }:
let
  inherit (pkgs) lib;
  nimiLib = pkgs.nimi.lib;
  exampleFiles = lib.filterAttrs (file: type: type == "regular" && lib.hasSuffix ".nix" file) (
    builtins.readDir ../examples
  );
  exampleName = file: lib.removeSuffix ".nix" file;

  # Examples whose services all exit by themselves, with a line their output must contain.
  runnable = {
    hello = "hello from nimi";
    reusable-service = "port 7002: bonjour";
    web-stack = "web: serving on port 8080";
  };

  vm = import ./vm.nix { inherit pkgs; };

  # The NixOS module in a minimal system, for its unit file.
  nixosSystem = pkgs.nixos {
    imports = [ ./modules/nixos.nix ];
    boot.isContainer = true;
    system.stateVersion = lib.trivial.release;
    nimi.hello = ../examples/hello.nix;
  };
in
{
  package = pkgs.nimi;
}
// lib.mapAttrs' (
  file: _:
  lib.nameValuePair "example-${exampleName file}" (nimiLib.toNimiJson (../examples + "/${file}"))
) exampleFiles
// lib.mapAttrs' (
  name: expected:
  lib.nameValuePair "example-${name}-runs" (
    pkgs.runCommand "nimi-example-${name}-runs" { } ''
      cd "$TMPDIR"
      ${lib.getExe (nimiLib.mkNimiBin (../examples + "/${name}.nix"))} 2>&1 | tee "$out"
      grep -F ${lib.escapeShellArg expected} "$out"
    ''
  )
) runnable
// lib.optionalAttrs pkgs.stdenv.hostPlatform.isLinux {

  nixos-module-unit = pkgs.runCommand "nimi-nixos-module-unit" { } ''
    unit=${nixosSystem.config.systemd.units."hello.service".unit}/hello.service
    grep -F "ExecStart=" "$unit"
    grep -Fx "Restart=no" "$unit"
    cp "$unit" "$out"
  '';

  # Needs KVM on the builder.
  nixos-module-vm = vm.test;
}
# docker load < result && docker run --rm nimi-<example>:latest
// lib.optionalAttrs pkgs.stdenv.hostPlatform.isLinux (
  lib.mapAttrs' (
    file: _:
    lib.nameValuePair "image-${exampleName file}" (
      nimiLib.mkContainerImage [
        (../examples + "/${file}")
        { settings.container.name = lib.mkDefault "nimi-${exampleName file}"; }
      ]
    )
  ) exampleFiles
)
