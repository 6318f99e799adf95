# A minimal stand-in for nixpkgs' `pkgs`, enough to evaluate nimi configurations, the library,
# the overlay and the flake with only nixpkgs' lib and no builds:
# - writeText and writeShellScript write with builtins.toFile (not executable: run scripts
#   through runtimeShell); writeShellApplication keeps its text, at `nimiDir`/apps/<name>, where
#   a test that runs it writes it;
# - writeShellScriptBin and runCommand return derivation-shaped values that keep their script
#   (`text`, `script`, `env`) for the tests to inspect or run; runCommand's output is the file of
#   its `json` input, which is all nimi's library asks of it (toNimiJson);
# - stdenv.mkDerivation returns its arguments (passthru lifted onto the package, as the real one
#   does); fetchurl records its arguments; dockerTools.buildLayeredImage records its arguments;
# - the few packages used point at the host's /usr (a test machine, not a Nix system), and nimi
#   at `nimiDir` (a directory whose bin/nimi runs this checkout);
# - `extend overlay` applies an overlay, as on a real package set.
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
  stand-in = {
    type = "derivation";
    name = "stand-in";
    outPath = "/nonexistent/stand-in";
  };
in
lib.makeExtensible (final: {
  inherit lib;
  pkgs = final;
  # nixpkgs' source tree: a directory holding nixpkgs.lib's lib/ and the two stand-ins
  # lib/services/service.nix imports from outside lib/ (tests/nix/stubs).
  path = root;
  system = builtins.currentSystem;
  stdenv = {
    hostPlatform = {
      inherit (final) system;
      isLinux = lib.hasSuffix "-linux" final.system;
    };
    mkDerivation =
      args:
      let
        lift = a: a // a.passthru or { } // { overrideAttrs = g: lift (a // g a); };
      in
      lift args;
  };
  fetchurl = args: {
    type = "derivation";
    inherit (args) name url hash;
    outPath = "/nonexistent/${args.name}";
  };

  callPackage =
    f: args:
    let
      fn = if builtins.isFunction f then f else import f;
    in
    fn (builtins.intersectAttrs (builtins.functionArgs fn) final // args);

  writeText = name: text: builtins.toFile name text;
  writeShellScript = name: text: builtins.toFile name "#!/bin/sh\n${text}";
  # A script must be executable, which builtins.toFile cannot make: its text goes to the store
  # and its path is under `nimiDir`/scripts/, named after that store file, where a test that
  # runs it copies it (tests/nix/nix_env.ts installScripts()).
  writeScript =
    name: text:
    let
      file = builtins.toFile name text;
    in
    {
      type = "derivation";
      inherit name text;
      outPath = "${nimiDir}/scripts/${baseNameOf file}";
    };
  writeShellApplication =
    {
      name,
      text,
      runtimeInputs ? [ ],
      meta ? { },
      passthru ? { },
    }:
    {
      type = "derivation";
      inherit name text runtimeInputs;
      # Where a test may write the script (bin/<name>) to run it.
      outPath = "${nimiDir}/apps/${name}";
      meta = {
        mainProgram = name;
      }
      // meta;
    }
    // passthru;
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
  dockerTools.buildLayeredImage =
    args:
    let
      image = {
        type = "derivation";
        name = "${args.name}.tar.gz";
        outPath = "/nonexistent/${args.name}.tar.gz";
        builder = "dockerTools.buildLayeredImage";
        inherit args;
      };
    in
    image
    // {
      overrideAttrs =
        g:
        let
          changed = g image;
        in
        image // changed // changed.passthru or { };
    };
  cacert = hostPackage "cacert" "cacert";
  mkShell = args: stand-in // { inherit args; };
  # A NixOS system and a NixOS test cannot be evaluated here: both keep what they were given.
  nixos = configuration: {
    inherit configuration;
    config.system.build.vm = stand-in // {
      name = "nixos-vm";
    };
  };
  testers.runNixOSTest = args: stand-in // { inherit args; };
  python3 = hostPackage "python3" "python3";
  curl = hostPackage "curl" "curl";

  runtimeShell = "/bin/sh";
  bash = hostPackage "bash" "bash";
  bubblewrap = hostPackage "bubblewrap" "bwrap";
  coreutils = hostPackage "coreutils" "coreutils";
  deno = hostPackage "deno" "deno";
  nix = hostPackage "nix" "nix";
  nixfmt = hostPackage "nixfmt" "nixfmt";
  jq = hostPackage "jq" "jq";
  nimi = {
    type = "derivation";
    name = "nimi";
    outPath = nimiDir;
    meta.mainProgram = "nimi";
  };
})
