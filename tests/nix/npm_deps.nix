# nix/npm-deps.nix's fetches as data, for tests/nix/npm_deps_test.ts:
#   nix-instantiate --eval --strict --json tests/nix/npm_deps.nix [--argstr libPath <nixpkgs lib>]
# fetchurl and runCommand are stand-ins that record their arguments (nothing is fetched).
{
  libPath ? "",
}:
let
  lib = if libPath == "" then import ./stubs/mini-lib.nix else import (/. + libPath);
  deps = import ../../nix/npm-deps.nix {
    inherit lib;
    fetchurl = args: args // { outPath = "/nonexistent/${args.name}"; };
    runCommand = name: env: script: { inherit name script; };
  };
in
{
  packages = map (p: {
    inherit (p) name version url hash;
    fetch = { inherit (p.tarball) name url hash; };
  }) deps.packages;
  cacheScript = deps.cache.script;
}
