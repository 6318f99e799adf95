# A minimal stand-in for nixpkgs' `pkgs`, enough to evaluate nimi configurations and the
# library with only nixpkgs' lib and no builds:
# - writeText and writeShellScript write with builtins.toFile (not executable: run scripts
#   through runtimeShell);
# - writeShellScriptBin and runCommand return derivation-shaped values that keep their script
#   (`text`, `script`, `env`) for the tests to inspect or run; runCommand's output is the file of
#   its `json` input, which is all nimi's library asks of it (toNimiJson);
# - the few packages used point at the host's /usr (a test machine, not a Nix system), and nimi
#   at `nimiDir` (a directory whose bin/nimi runs this checkout).
{
  lib,
  root,
  nimiDir ? "/nonexistent/nimi",
}:
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
  # nixpkgs' source tree: a directory holding nixpkgs.lib's lib/ and the two stand-ins
  # lib/services/service.nix imports from outside lib/ (tests/nix/stubs).
  path = root;
  system = builtins.currentSystem;
  writeText = name: text: builtins.toFile name text;
  writeShellScript = name: text: builtins.toFile name "#!/bin/sh\n${text}";
  writeShellScriptBin = name: text: {
    type = "derivation";
    inherit name text;
    outPath = "/nonexistent/${name}";
    meta.mainProgram = name;
  };
  runCommand = name: env: script: {
    type = "derivation";
    inherit name env script;
    outPath = if env ? json then builtins.toFile name env.json else "/nonexistent/${name}";
  };
  # Records its arguments: what mkContainerImage passes to it.
  dockerTools.buildLayeredImage = args: {
    builder = "dockerTools.buildLayeredImage";
    inherit args;
  };
  runtimeShell = "/bin/sh";
  bash = hostPackage "bash" "bash";
  bubblewrap = hostPackage "bubblewrap" "bwrap";
  coreutils = hostPackage "coreutils" "coreutils";
  nimi = {
    type = "derivation";
    name = "nimi";
    outPath = nimiDir;
    meta.mainProgram = "nimi";
  };
}
