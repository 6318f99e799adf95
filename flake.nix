{
  description = "nimi: a process manager for NixOS modular services";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixpkgs-unstable";

  outputs =
    { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;
      systems = [
        "x86_64-linux"
        "aarch64-linux"
        "x86_64-darwin"
        "aarch64-darwin"
      ];
      pkgsFor = lib.genAttrs systems (
        system: nixpkgs.legacyPackages.${system}.extend self.overlays.default
      );
      forAllSystems = f: lib.genAttrs systems (system: f pkgsFor.${system});
    in
    {
      overlays.default = import ./nix/overlay.nix;

      packages = forAllSystems (pkgs: {
        default = pkgs.nimi;
        nimi = pkgs.nimi;
      });

      # The Nix library for each system (`nimi.lib.x86_64-linux.mkNimiBin ./services.nix`), and
      # for any package set (`nimi.lib.forPkgs pkgs`).
      lib = forAllSystems (pkgs: pkgs.nimi.lib) // {
        forPkgs =
          pkgs:
          import ./nix/lib {
            inherit (pkgs) lib;
            inherit pkgs;
            nimi = self.packages.${pkgs.stdenv.hostPlatform.system}.default;
            nix2container = pkgs.nix2container or null;
          };
      };

      nixosModules = {
        nimi = ./nix/modules/nixos.nix;
        default = self.nixosModules.nimi;
      };
      homeModules = {
        nimi = ./nix/modules/home-manager.nix;
        default = self.homeModules.nimi;
      };
      flakeModules = {
        nimi = lib.modules.importApply ./nix/modules/flake-module.nix { nimiFlake = self; };
        default = self.flakeModules.nimi;
      };

      checks = forAllSystems (pkgs: import ./nix/checks.nix { inherit pkgs; });

      # nix run .#vm: a NixOS VM with the NixOS module and two services (nix/vm.nix); Linux only.
      apps = forAllSystems (
        pkgs:
        lib.optionalAttrs pkgs.stdenv.hostPlatform.isLinux {
          vm = {
            type = "app";
            program = "${(import ./nix/vm.nix { inherit pkgs; }).vm}/bin/run-nimi-vm-vm";
            meta.description = "Boot a NixOS VM running two services under the nimi NixOS module";
          };
        }
      );

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          packages = [
            pkgs.deno
            pkgs.nix
            pkgs.nixfmt
          ];
        };
      });

      formatter = forAllSystems (pkgs: pkgs.nixfmt);
    };
}
