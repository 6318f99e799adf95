# A container image whose entrypoint is nimi running a configuration: built with nix2container
# when it is given (`nix2container.buildImage`), with dockerTools.buildLayeredImage otherwise.
# nimi is PID 1 in the container; the services' programs come in through the config's store
# references.
{
  lib,
  pkgs,
  nimi,
  nix2container,
  toNimiJson,
}:
{
  configuration,
  name ? "nimi",
  tag ? "latest",
  # Extra packages placed at the image root (for example a shell or CA certificates).
  contents ? [ ],
  # Extra image config (Env, ExposedPorts, Labels, WorkingDir, User, ...).
  imageConfig ? { },
}:
let
  json = toNimiJson configuration;
  config = {
    Entrypoint = [
      (lib.getExe nimi)
      "--config"
      "${json}"
      "run"
    ];
  }
  // imageConfig;
in
if nix2container != null then
  nix2container.buildImage {
    inherit name tag config;
    copyToRoot = lib.optional (contents != [ ]) (
      pkgs.buildEnv {
        name = "${name}-root";
        paths = contents;
        pathsToLink = [
          "/bin"
          "/etc"
          "/share"
        ];
      }
    );
    maxLayers = 100;
  }
else
  pkgs.dockerTools.buildLayeredImage {
    inherit name tag config contents;
  }
