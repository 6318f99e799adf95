# The npm packages deno.lock pins, each fetched on its own from the registry with the integrity
# hash the lock file already holds (a fixed-output fetch per tarball), and laid out as Deno's
# npm cache (`$DENO_DIR/npm/registry.npmjs.org/<name>/<version>/`) by ./deno-npm-cache.sh.
# Nothing here carries a hash of its own: after a dependency change the lock file is the only
# thing to update. tests/nix/npm_deps_test.ts checks these fetches against deno.lock and against
# the tarballs the npm registry serves.
{
  lib,
  fetchurl,
  runCommand,
  lockFile ? ../deno.lock,
}:
let
  lock = lib.importJSON lockFile;

  # "name@version" or "name@version_peer@version" (Deno's key for a peer-resolved copy).
  parse =
    key:
    let
      m = builtins.match "(@?[^@]+)@([^_]+)(_.*)?" key;
    in
    if m == null then
      throw "nix/npm-deps.nix: cannot read the npm entry \"${key}\" of ${toString lockFile}"
    else
      {
        name = builtins.elemAt m 0;
        version = builtins.elemAt m 1;
      };

  entry =
    key: value:
    let
      p = parse key;
    in
    p
    // {
      url =
        value.tarball or "https://registry.npmjs.org/${p.name}/-/${baseNameOf p.name}-${p.version}.tgz";
      hash = value.integrity;
    };

  # Peer-resolved copies of one package share its tarball.
  packages = lib.unique (lib.mapAttrsToList entry (lock.npm or { }));

  fetch =
    p:
    p
    // {
      tarball = fetchurl {
        name = "npm-${lib.replaceStrings [ "@" "/" ] [ "" "-" ] p.name}-${p.version}.tgz";
        inherit (p) url hash;
      };
    };

  fetched = map fetch packages;
in
{
  /** Each package: `name`, `version`, `url`, `hash` (the lock's integrity) and `tarball`. */
  packages = fetched;

  /** Deno's npm cache holding every package of the lock file (a DENO_DIR to copy). */
  cache = runCommand "nimi-deno-npm-cache" { } ''
    sh ${./deno-npm-cache.sh} "$out" ${
      lib.concatMapStringsSep " " (
        p: lib.escapeShellArgs [ p.name p.version "${p.tarball}" ]
      ) fetched
    }
  '';
}
