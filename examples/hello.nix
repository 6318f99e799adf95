# The smallest nimi configuration: one service that greets and exits, and nimi exits with it.
#   nix:  nimi.lib.mkNimiBin ./examples/hello.nix   (or evalNimiModule / toNimiJson)
#   here: deno task test:nix evaluates, validates and runs it (tests/nix/examples_test.ts)
{ pkgs, ... }:
{
  services.hello = {
    process.argv = [
      pkgs.runtimeShell
      "-c"
      "echo hello from nimi"
    ];
    nimi.type = "oneshot";
  };
  settings.restart.mode = "never";
}
