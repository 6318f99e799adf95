# The Rust Nimi's examples (weyl-ai/nimi's examples/*.nix, from a checkout given as `rustNimi`)
# evaluated the way they are written, `callPackage`d with `nimi` being this repository's
# library on the nimi package (as the overlay puts it), for tests/nix/rust_nimi_test.ts:
#   nix-instantiate --eval --strict --json tests/nix/rust_nimi.nix --argstr root <tree>
#     --argstr rustNimi <checkout> --argstr example <file> --argstr nimiDir <dir>
#     [--argstr ghostunnelService <nixpkgs' ghostunnel service.nix>]
# Its programs are stand-ins (tests/nix/fixtures/rust-nimi). `ours` describes what nimi's
# library built; `theirs` is the JSON the Rust Nimi's own module (its nix/modules/nimi.nix)
# gives for the same configuration.
{
  root,
  rustNimi,
  example,
  nimiDir,
  ghostunnelService ? "",
}:
let
  lib = import (root + "/lib");
  fixtures = ./fixtures/rust-nimi;
  standIn = name: exe: {
    type = "derivation";
    inherit name;
    outPath = "${fixtures}/${name}";
    meta.mainProgram = exe;
  };
  base = import ./pkgs.nix { inherit lib root nimiDir; };
  pkgs = base.extend (
    final: _prev: {
      # A wrapper's text goes to the store, and its path under `nimiDir`/apps/ is named after that
      # store file, where the test that runs it copies it.
      writeShellApplication =
        args:
        let
          file = builtins.toFile args.name "#!/bin/sh\n${args.text}";
        in
        base.writeShellApplication args
        // {
          outPath = "${nimiDir}/apps/${baseNameOf file}";
        };
      http-server = standIn "http-server" "http-server";
      redis = standIn "redis" "redis-server";
      ghostunnel =
        standIn "ghostunnel" "ghostunnel"
        // lib.optionalAttrs (ghostunnelService != "") {
          # As nixpkgs' package does: the module, with this package as its default.
          services.default = {
            imports = [
              (lib.modules.importApply (/. + ghostunnelService) {
                inherit (final) writeScript runtimeShell;
              })
            ];
            ghostunnel.package = lib.mkDefault (standIn "ghostunnel" "ghostunnel");
          };
        };
    }
  );
  withNimi = nimi: pkgs.callPackage (/. + rustNimi + "/examples/${example}") { inherit nimi; };

  # nimi's library on the package, as nix/overlay.nix puts it.
  ours = withNimi (pkgs.nimi // import ../../nix/lib { inherit lib pkgs; inherit (pkgs) nimi; });

  describe =
    x:
    if x ? nimiBin then
      {
        kind = if x ? args then "image" else "bwrap";
        bin = x.nimiBin.text;
        binName = x.nimiBin.name;
      }
    else
      {
        kind = "bin";
        inherit (x) name text;
        path = x.outPath;
      };

  # The Rust Nimi's own evaluation of the same configuration.
  moduleOnly = {
    mkNimiBin = m: m;
    mkContainerImage = m: m;
    mkBwrap = m: m;
  };
  theirs =
    (lib.evalModules {
      class = "nimi";
      modules = [
        (/. + rustNimi + "/nix/modules/nimi.nix")
        (withNimi moduleOnly)
      ];
      specialArgs = { inherit pkgs; };
    }).config;
in
{
  ours = describe ours;
  # Where the Rust Nimi's own module cannot take a stand-in (its runOnStartup must be a store
  # path), null.
  theirs =
    let
      attempt = builtins.tryEval (builtins.toJSON theirs);
    in
    if attempt.success then attempt.value else null;
}
