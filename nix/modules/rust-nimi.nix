# The options of the Rust Nimi's Nix side that shape what is built rather than what runs:
# `settings.binName` (the wrapper's name), `settings.container.*` (the image, as arguments of
# nix2container's buildImage), `settings.bubblewrap.*` (the sandbox's bwrap flags), and the
# top-level `meta` and `passthru` of the built packages. Same names, types and defaults as there,
# so its configurations evaluate unchanged; they are left out of the JSON nimi reads. Where nimi
# adds something (`settings.container.caCertificates`, more read-only binds for name resolution),
# docs/migrating.md says so.
{ lib, config, ... }:
let
  inherit (lib) mkOption types;
  cfg = config.settings;
  bwrap = cfg.bubblewrap;

  bind = types.submodule {
    options = {
      src = mkOption {
        type = types.str;
        description = "Host path bound into the sandbox.";
      };
      dest = mkOption {
        type = types.str;
        description = "Where `src` appears inside the sandbox.";
      };
    };
  };
  same = path: {
    src = path;
    dest = path;
  };
  enabled =
    description:
    mkOption {
      type = types.bool;
      default = true;
      inherit description;
    };
  flagsOf = flag: binds: lib.concatMap (b: [ flag b.src b.dest ]) binds;
in
{
  _class = "nimi";

  options = {
    meta = mkOption {
      type = types.lazyAttrsOf types.raw;
      default = { };
      description = "`meta` attributes of the packages built from this configuration.";
    };
    passthru = mkOption {
      type = types.lazyAttrsOf types.raw;
      default = { };
      description = "`passthru` attributes of the packages built from this configuration.";
    };

    settings.binName = mkOption {
      type = types.str;
      default = "nimi";
      description = "Name of the wrapper program `mkNimiBin` builds (`bin/<binName>`).";
    };

    settings.container = {
      name = mkOption {
        type = types.str;
        default = "nimi-container";
        description = "Image name.";
      };
      tag = mkOption {
        type = types.str;
        default = "latest";
        description = "Image tag.";
      };
      imageConfig = mkOption {
        type = types.submodule { freeformType = types.lazyAttrsOf types.anything; };
        default = {
          WorkingDir = lib.mkDefault "/root";
        };
        description = "OCI image configuration (Env, ExposedPorts, User, ...); the entrypoint is nimi's.";
      };
      copyToRoot = mkOption {
        type = types.coercedTo types.pathInStore (p: [ p ]) (types.listOf types.pathInStore);
        default = [ ];
        description = "Store paths whose contents are placed at the image root.";
      };
      fromImage = mkOption {
        type = types.nullOr types.pathInStore;
        default = null;
        description = "Base image (nix2container.pullImage, or an image tarball for dockerTools).";
      };
      maxLayers = mkOption {
        type = types.ints.positive;
        default = 1;
        description = "Most layers the store paths are spread over.";
      };
      perms = mkOption {
        type = types.listOf (
          types.submodule {
            options = {
              path = mkOption { type = types.pathInStore; };
              regex = mkOption { type = types.str; };
              mode = mkOption { type = types.str; };
            };
          }
        );
        default = [ ];
        description = "File modes set in the image's layers (nix2container only).";
      };
      initializeNixDatabase = mkOption {
        type = types.bool;
        default = false;
        description = "Register the image's store paths in a Nix database (nix2container only).";
      };
      layers = mkOption {
        type = types.listOf types.pathInStore;
        default = [ ];
        description = "Layers built with nix2container.buildLayer (nix2container only).";
      };
      caCertificates = mkOption {
        type = types.bool;
        default = false;
        description = "nimi: put CA certificates in the image (/etc/ssl/certs, SSL_CERT_FILE).";
      };
    };

    settings.bubblewrap = {
      environment = mkOption {
        type = types.lazyAttrsOf types.str;
        default = { };
        description = "Variables set inside the sandbox (`--setenv`).";
      };
      roBinds = mkOption {
        type = types.listOf bind;
        default = map same [
          "/nix/store"
          "/sys"
        ];
        description = "Read-only binds (`--ro-bind`).";
      };
      tryRoBinds = mkOption {
        type = types.listOf bind;
        # What resolving host and user names and checking TLS certificates read (the Rust Nimi
        # binds only resolv.conf).
        default = map same [
          "/etc/resolv.conf"
          "/etc/hosts"
          "/etc/nsswitch.conf"
          "/etc/host.conf"
          "/etc/passwd"
          "/etc/group"
          "/etc/ssl/certs"
          "/etc/static/ssl/certs"
        ];
        description = "Read-only binds skipped when the host path is missing (`--ro-bind-try`).";
      };
      devBinds = mkOption {
        type = types.listOf bind;
        default = [ ];
        description = "Device binds (`--dev-bind`).";
      };
      tryDevBinds = mkOption {
        type = types.listOf bind;
        default = [ ];
        description = "Device binds skipped when the host path is missing (`--dev-bind-try`).";
      };
      tmpfs = mkOption {
        type = types.listOf types.str;
        default = [
          "/nix"
          "/tmp"
          "/run"
          "/var"
          "/etc"
        ];
        description = "tmpfs mounts, made before the binds.";
      };
      extraTmpfs = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "More tmpfs mounts, after `tmpfs`.";
      };
      bind = {
        dev = enabled "Bind /dev (`--dev /dev`).";
        proc = enabled "Mount /proc (`--proc /proc`).";
      };
      unshare = {
        user = enabled "New user namespace.";
        pid = enabled "New PID namespace.";
        uts = enabled "New UTS namespace.";
        ipc = enabled "New IPC namespace.";
        cgroup = enabled "New cgroup namespace.";
      };
      dieWithParent = enabled "End the sandbox when its parent dies (`--die-with-parent`).";
      chdir = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Working directory inside the sandbox.";
      };
      uid = mkOption {
        type = types.nullOr types.int;
        default = null;
        description = "uid inside the user namespace.";
      };
      gid = mkOption {
        type = types.nullOr types.int;
        default = null;
        description = "gid inside the user namespace.";
      };
      hostname = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Hostname inside the UTS namespace.";
      };
      prependFlags = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "bwrap flags before the generated ones.";
      };
      appendFlags = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "bwrap flags after the generated ones.";
      };
      flags = mkOption {
        type = types.listOf types.str;
        readOnly = true;
        description = "The bwrap flags made from the options above.";
      };
    };
  };

  config = {
    assertions = [
      {
        assertion = cfg.container.name != "";
        message = "settings.container.name must be a non-empty string.";
      }
      {
        assertion = cfg.container.tag != "";
        message = "settings.container.tag must be a non-empty string.";
      }
      {
        assertion = !(cfg.container.imageConfig ? entrypoint || cfg.container.imageConfig ? Entrypoint);
        message = "settings.container.imageConfig.entrypoint is set by nimi (the wrapper from mkNimiBin): remove it.";
      }
      {
        assertion = lib.all (n: builtins.match "[A-Za-z_][A-Za-z0-9_]*" n != null) (
          lib.attrNames bwrap.environment
        );
        message = "settings.bubblewrap.environment: names must be letters, digits and _, not starting with a digit.";
      }
    ];

    settings.bubblewrap.flags =
      bwrap.prependFlags
      ++ lib.concatLists (lib.mapAttrsToList (n: v: [ "--setenv" n v ]) bwrap.environment)
      ++ lib.concatMap (p: [ "--tmpfs" p ]) (bwrap.tmpfs ++ bwrap.extraTmpfs)
      ++ lib.optionals bwrap.bind.dev [ "--dev" "/dev" ]
      ++ lib.optionals bwrap.bind.proc [ "--proc" "/proc" ]
      ++ flagsOf "--ro-bind" bwrap.roBinds
      ++ flagsOf "--ro-bind-try" bwrap.tryRoBinds
      ++ flagsOf "--dev-bind" bwrap.devBinds
      ++ flagsOf "--dev-bind-try" bwrap.tryDevBinds
      ++ lib.optionals (bwrap.chdir != null) [ "--chdir" bwrap.chdir ]
      ++ lib.optionals (bwrap.uid != null && bwrap.unshare.user) [ "--uid" (toString bwrap.uid) ]
      ++ lib.optionals (bwrap.gid != null && bwrap.unshare.user) [ "--gid" (toString bwrap.gid) ]
      ++ lib.optionals (bwrap.hostname != null && bwrap.unshare.uts) [ "--hostname" bwrap.hostname ]
      ++ lib.optional bwrap.unshare.user "--unshare-user"
      ++ lib.optional bwrap.unshare.pid "--unshare-pid"
      ++ lib.optional bwrap.unshare.uts "--unshare-uts"
      ++ lib.optional bwrap.unshare.ipc "--unshare-ipc"
      ++ lib.optional bwrap.unshare.cgroup "--unshare-cgroup"
      ++ lib.optional bwrap.dieWithParent "--die-with-parent"
      ++ bwrap.appendFlags;
  };
}
