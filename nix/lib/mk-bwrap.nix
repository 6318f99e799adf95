# A wrapper that runs nimi with a configuration inside a bubblewrap sandbox: the Nix store
# read-only, a private /tmp, /proc and /dev, every namespace unshared except the network unless
# `shareNet` is false, and the sandbox dies with its parent.
{
  lib,
  pkgs,
  nimi,
  toNimiJson,
}:
{
  configuration,
  name ? "nimi-bwrap",
  shareNet ? true,
  # Host paths bound read-write at the same place (for state and logs).
  bind ? [ ],
  # Host paths bound read-only at the same place.
  roBind ? [ ],
  # More bwrap arguments, placed before the command.
  extraArgs ? [ ],
}:
let
  json = toNimiJson configuration;
  args = [
    "--ro-bind"
    "/nix/store"
    "/nix/store"
    "--proc"
    "/proc"
    "--dev"
    "/dev"
    "--tmpfs"
    "/tmp"
    "--unshare-all"
    "--die-with-parent"
    "--new-session"
  ]
  ++ lib.optional shareNet "--share-net"
  ++ lib.concatMap (p: [
    "--bind"
    p
    p
  ]) bind
  ++ lib.concatMap (p: [
    "--ro-bind"
    p
    p
  ]) roBind
  ++ extraArgs;
in
pkgs.writeShellScriptBin name ''
  exec ${lib.getExe pkgs.bubblewrap} ${lib.escapeShellArgs args} \
    -- ${lib.getExe nimi} --config ${json} run "$@"
''
