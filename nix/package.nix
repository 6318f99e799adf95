# nimi built with `deno compile` from the locked dependencies (deno.lock), offline and
# reproducible, through nixpkgs' buildDenoPackage. This cannot be built on the development
# machines (no nixpkgs, no network for Nix): check it with `nix build .#nimi -L` (docs/nix.md).
#
# After a dependency change, set denoDepsHash to lib.fakeHash, build, and copy the hash Nix
# reports ("got: sha256-...").
{
  lib,
  pkgs,
  buildDenoPackage,
  writeText,
}:
let
  version = (lib.importJSON ../deno.json).version;
  # examples/hello.nix as the JSON nimi reads (toNimiConfig needs no nimi package).
  example = writeText "nimi-example-hello.json" (
    builtins.toJSON ((import ./lib { inherit lib pkgs; }).toNimiConfig ../examples/hello.nix)
  );
in
buildDenoPackage {
  pname = "nimi";
  inherit version;

  # Only what `deno compile` reads: the config, the lock file and the program's sources.
  src = lib.cleanSourceWith {
    name = "nimi-source";
    src = ../.;
    filter =
      path: _type:
      let
        relative = lib.removePrefix (toString ../. + "/") (toString path);
      in
      lib.elem relative [
        "deno.json"
        "deno.lock"
        "mod.ts"
        "src"
      ]
      || lib.hasPrefix "src/" relative;
  };

  denoDepsHash = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  binaryEntrypointPath = "mod.ts";
  # nimi spawns processes, reads and writes config and log files, reaps orphans through libc
  # (FFI) and probes ports and URLs: the compiled program gets every permission.
  denoCompileFlags = [ "--allow-all" ];

  # buildDenoPackage's own build and install steps name the binary after deno.json's "name"
  # (@nimi/nimi): compile and install it as nimi instead. Its configure step (dependencies from
  # denoDepsHash, the denort runtime) is kept.
  buildPhase = ''
    runHook preBuild
    deno compile --output nimi --target "$hostPlatform_" $denoCompileFlags_ $denoFlags_ mod.ts
    runHook postBuild
  '';
  installPhase = ''
    runHook preInstall
    install -Dm755 nimi "$out/bin/nimi"
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
    "$out/bin/nimi" --config ${example} validate
    "$out/bin/nimi" --config ${example} run | grep -F "hello from nimi"
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
