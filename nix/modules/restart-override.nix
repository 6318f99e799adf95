# A per-service restart override (`nimi.restart`), mirroring `RestartOverride` in
# src/config/schema.ts: every field is optional (null here, left out of the JSON) and an absent
# field inherits `settings.restart`.
{ lib, ... }:
let
  inherit (lib) mkOption types;
  t = import ./types.nix { inherit lib; };
  optional =
    type: description:
    mkOption {
      type = types.nullOr type;
      default = null;
      description = "${description} (null: inherit settings.restart).";
    };
in
{
  options = {
    mode = optional (types.enum t.restartModes) "When to restart";
    time = optional t.millis "Delay before a restart, in milliseconds";
    count = optional types.ints.unsigned "Most restarts in mode up-to-count";
    backoff = optional t.backoff "Factor the delay grows by after each consecutive restart";
    maxTime = optional t.millis "Cap on the grown delay, in milliseconds";
    resetAfter = optional t.millis "Run time after which the restart counter resets, in milliseconds";
  };
}
