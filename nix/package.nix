# nimi built with `deno compile` from the locked dependencies (deno.lock), offline and
# reproducible, through nixpkgs' buildDenoPackage. This cannot be built on the development
# machines (no nixpkgs, no network for Nix): check it with `nix build .#nimi -L` (docs/nix.md).
#
# After a dependency change, set denoDepsHash to lib.fakeHash, build, and copy the hash Nix
# reports ("got: sha256-...").
{
  lib,
  buildDenoPackage,
  jq,
}:
let
  version = (lib.importJSON ../deno.json).version;
in
buildDenoPackage {
  pname = "nimi";
  inherit version;

  src = lib.fileset.toSource {
    root = ../.;
    fileset = lib.fileset.unions [
      ../deno.json
      ../deno.lock
      ../mod.ts
      ../src
      ../examples
    ];
  };

  denoDepsHash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  binaryEntrypointPath = "mod.ts";
  # nimi spawns processes, reads and writes config and log files, reaps orphans through libc
  # (FFI) and probes ports and URLs: the compiled program gets every permission.
  denoCompileFlags = [ "--allow-all" ];

  # buildDenoPackage names the binary after deno.json's "name" (@nimi/nimi): install it as nimi.
  nativeBuildInputs = [ jq ];
  installPhase = ''
    runHook preInstall
    install -Dm755 "$(jq -r .name deno.json)" "$out/bin/nimi"
    runHook postInstall
  '';

  # A deno compile binary carries its program appended to the runtime: stripping or patching the
  # ELF file would cut it off.
  dontStrip = true;
  dontPatchELF = true;

  doInstallCheck = true;
  installCheckPhase = ''
    runHook preInstallCheck
    "$out/bin/nimi" --version | grep -Fx "nimi ${version}"
    "$out/bin/nimi" --config ${../tests/fixtures/valid/design-example.json} validate
    runHook postInstallCheck
  '';

  meta = {
    description = "Process manager for NixOS modular services: runs them as PID 1 or renders them for other service managers";
    mainProgram = "nimi";
    platforms = [
      "x86_64-linux"
      "aarch64-linux"
      "x86_64-darwin"
      "aarch64-darwin"
    ];
  };
}
