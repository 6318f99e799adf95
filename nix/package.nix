# nimi built with `deno compile` from this checkout and the npm packages deno.lock pins, offline
# and reproducible: each npm tarball is a fixed-output fetch with the integrity hash from
# deno.lock (./npm-deps.nix), so there is no dependency hash to fill in. This cannot be built on
# the development machines (no nixpkgs, no network for Nix): check it with `nix build .#nimi -L`
# (docs/nix.md).
#
# The runtime is denort. Deno 2.9.2 and later make the `deno` CLI open an inspector on
# 127.0.0.1:9229 when it gets SIGUSR1; Deno's source installs that listener in the CLI's worker
# only (cli/worker.rs), not in the one `deno compile` binaries run (cli/lib/worker.rs), and offers
# no switch for it. The install check below sends SIGUSR1 to the compiled nimi and fails if
# anything then listens on 9229, so a Deno update that brings it to denort fails the build.
{
  lib,
  stdenv,
  deno,
  denort ? null,
  fetchurl,
  runCommand,
  writeText,
  bash,
}:
let
  version = (lib.importJSON ../deno.json).version;
  npmDeps = import ./npm-deps.nix { inherit lib fetchurl runCommand; };

  # nixpkgs ships denort as its own package, as `deno.denort`, or beside deno.
  denortBin =
    if denort != null then
      lib.getExe' denort "denort"
    else if deno ? denort then
      lib.getExe' deno.denort "denort"
    else
      "${deno}/bin/denort";

  # The install check's configs, written here so that it needs no nimi library.
  hello = writeText "nimi-check-hello.json" (
    builtins.toJSON {
      services.hello.process.argv = [
        "${bash}/bin/bash"
        "-c"
        "echo hello from nimi"
      ];
    }
  );
  usr1 = writeText "nimi-check-usr1.json" (
    builtins.toJSON {
      services.usr1.process.argv = [
        "${bash}/bin/bash"
        "-c"
        "trap 'echo got USR1 > usr1-received' USR1; echo started > usr1-started; while :; do sleep 0.1; done"
      ];
    }
  );

  # SIGUSR1 sent to nimi (after Deno's 500 ms start-up grace) reaches the service, and nothing
  # listens on 9229 (0x240D in /proc/net/tcp) afterwards.
  usr1Check = ''
    check=$(mktemp -d)
    (
      cd "$check"
      "$out/bin/nimi" --config ${usr1} run > nimi.out 2>&1 &
      nimiPid=$!
      for _ in $(seq 100); do [ -e usr1-started ] && break; sleep 0.1; done
      sleep 1
      kill -USR1 "$nimiPid"
      for _ in $(seq 50); do [ -e usr1-received ] && break; sleep 0.1; done
      sleep 1
      listening=$(awk 'FNR > 1 && $4 == "0A" && $2 ~ /:240D$/' /proc/net/tcp /proc/net/tcp6 2>/dev/null || true)
      kill -TERM "$nimiPid"
      wait "$nimiPid" || true
      if [ ! -e usr1-received ]; then
        echo "install check: the service did not receive SIGUSR1" >&2
        cat nimi.out >&2
        exit 1
      fi
      if [ -n "$listening" ] || grep -q "Debugger listening" nimi.out; then
        echo "install check: SIGUSR1 opened an inspector on port 9229" >&2
        cat nimi.out >&2
        exit 1
      fi
    )
  '';
in
stdenv.mkDerivation {
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

  nativeBuildInputs = [ deno ];

  env = {
    DENO_NO_UPDATE_CHECK = "1";
    DENORT_BIN = denortBin;
  };

  # Deno writes its analysis caches into DENO_DIR: a writable copy of the npm cache.
  configurePhase = ''
    runHook preConfigure
    export DENO_DIR="$TMPDIR/deno"
    cp -r --no-preserve=mode ${npmDeps.cache} "$DENO_DIR"
    runHook postConfigure
  '';

  # nimi spawns processes, reads and writes config and log files, reaps orphans through libc
  # (FFI) and probes ports and URLs: the compiled program gets every permission. For a PID 1's
  # private memory (bench/README.md, "Memory"): --v8-flags=--expose-gc gives the idle collection
  # V8's gc without loading node:vm (src/pid1/heap.ts), and --no-code-cache keeps V8 from
  # deserialising compiled code for functions a run never calls (1.2 MiB less with 200
  # services, about 8 ms more at start).
  buildPhase = ''
    runHook preBuild
    deno compile --cached-only --frozen --allow-all --no-code-cache --v8-flags=--expose-gc \
      --output nimi mod.ts
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
    "$out/bin/nimi" --config ${hello} validate
    "$out/bin/nimi" --config ${hello} run | grep -F "hello from nimi"
    ${lib.optionalString stdenv.hostPlatform.isLinux usr1Check}
    runHook postInstallCheck
  '';

  passthru = {
    inherit npmDeps;
    checkConfigs = { inherit hello usr1; };
  };

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
