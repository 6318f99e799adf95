# A wrapper, `bin/<binName>-sandbox`, running a configuration's mkNimiBin wrapper inside a
# bubblewrap sandbox made from `settings.bubblewrap` (the Rust Nimi's options; its `flags` are
# the bwrap arguments). Linux only.
{
  lib,
  pkgs,
  configOf,
  mkNimiBinWithConfig,
}:
configuration:
let
  config = configOf configuration;
  bin = mkNimiBinWithConfig config;
in
pkgs.writeShellApplication {
  name = "${config.settings.binName}-sandbox";
  runtimeInputs = [ pkgs.bubblewrap ];
  text = ''
    exec ${lib.getExe pkgs.bubblewrap} ${lib.escapeShellArgs config.settings.bubblewrap.flags} \
      -- ${lib.getExe bin} "$@"
  '';
  passthru = config.passthru // {
    nimiBin = bin;
  };
  meta = {
    mainProgram = "${config.settings.binName}-sandbox";
  }
  // config.meta
  // {
    badPlatforms = (config.meta.badPlatforms or [ ]) ++ lib.platforms.darwin;
  };
}
