# A minimal stand-in for nixpkgs' `pkgs`, enough to evaluate nimi configurations with only
# nixpkgs' lib and no builds: files are written with builtins.toFile, and the few packages the
# examples use point at the machine's own /usr (a test host, not a Nix system).
{ lib, root }:
let
  # A derivation-shaped value for lib.getExe; `outPath` is where the host has the program.
  hostPackage = name: mainProgram: {
    type = "derivation";
    inherit name;
    outPath = "/usr";
    meta.mainProgram = mainProgram;
  };
in
{
  inherit lib;
  # nixpkgs' source tree: here a directory holding nixpkgs.lib's lib/ and the two stand-ins
  # lib/services/service.nix imports from outside lib/ (tests/nix/stubs).
  path = root;
  system = builtins.currentSystem;
  writeText = name: text: builtins.toFile name text;
  # builtins.toFile cannot make a file executable: run such scripts through runtimeShell.
  writeShellScript = name: text: builtins.toFile name "#!/bin/sh\n${text}";
  runtimeShell = "/bin/sh";
  bash = hostPackage "bash" "bash";
  coreutils = hostPackage "coreutils" "coreutils";
  python3 = hostPackage "python3" "python3";
}
