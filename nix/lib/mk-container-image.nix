# A container image whose entrypoint is the mkNimiBin wrapper of a configuration (nimi is PID 1),
# from `settings.container` (the Rust Nimi's options: nix2container's buildImage arguments). The
# root gets what nix/container-layout.json describes (/tmp with mode 1777, /root, /etc/passwd and
# /etc/group with the users the services name) and, with `caCertificates`, CA certificates.
# nix2container.buildImage when given; otherwise dockerTools.buildLayeredImage, which has no
# `perms`, `layers` or `initializeNixDatabase` (they are ignored with a warning if set).
{
  lib,
  pkgs,
  nix2container,
  configOf,
  mkNimiBinWithConfig,
}:
configuration:
let
  config = configOf configuration;
  c = config.settings.container;
  layout = import ./image-root.nix { inherit lib; } config;
  bin = mkNimiBinWithConfig config;

  cacert = pkgs.cacert;
  certFile = "/etc/ssl/certs/ca-bundle.crt";

  # /etc/passwd and /etc/group, and with nix2container the directories too (their modes come
  # from `perms`: the store has none but read-only ones).
  etc = pkgs.runCommand "${c.name}-root" { inherit (layout) passwd group; passAsFile = [ "passwd" "group" ]; } ''
    mkdir -p "$out/etc"
    cp "$passwdPath" "$out/etc/passwd"
    cp "$groupPath" "$out/etc/group"
    ${lib.concatMapStrings (d: "mkdir -p \"$out${d.path}\"\n") layout.directories}
  '';

  imageConfig =
    c.imageConfig
    // {
      Entrypoint = [ (lib.getExe bin) ];
    }
    // lib.optionalAttrs c.caCertificates {
      Env = (c.imageConfig.Env or [ ]) ++ [ "SSL_CERT_FILE=${certFile}" ];
    };

  roots = c.copyToRoot ++ [ etc ] ++ lib.optional c.caCertificates cacert;

  nix2containerArgs = {
    inherit (c) name tag maxLayers initializeNixDatabase layers;
    config = imageConfig;
    copyToRoot = roots;
    perms =
      c.perms
      ++ map (d: {
        path = etc;
        regex = "${lib.escapeRegex d.path}$";
        inherit (d) mode;
      }) layout.directories;
  }
  // lib.optionalAttrs (c.fromImage != null) { inherit (c) fromImage; };

  unsupported = lib.filter (n: c.${n} != (if n == "initializeNixDatabase" then false else [ ])) [
    "perms"
    "layers"
    "initializeNixDatabase"
  ];
  dockerArgs = {
    inherit (c) name tag maxLayers;
    contents = roots;
    config = imageConfig;
    # Directories with their modes, made in the image root (not from the store).
    extraCommands = lib.concatMapStrings (
      d: "rm -rf .${d.path}\nmkdir -p .${d.path}\nchmod ${d.mode} .${d.path}\n"
    ) layout.directories;
  }
  // lib.optionalAttrs (c.fromImage != null) { inherit (c) fromImage; };

  image =
    if nix2container != null then
      nix2container.buildImage nix2containerArgs
    else
      lib.warnIf (unsupported != [ ])
        "nimi: settings.container.${lib.concatStringsSep ", " unsupported} need nix2container; dockerTools ignores them"
        (pkgs.dockerTools.buildLayeredImage dockerArgs);
in
image.overrideAttrs (old: {
  passthru = (old.passthru or { }) // config.passthru // {
    inherit layout;
    nimiBin = bin;
  };
  meta = (old.meta or { }) // config.meta;
})
