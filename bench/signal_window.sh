#!/usr/bin/env bash
# How often a stop signal sent at nimi's very first catchable instant crashes it as PID 1.
#
# Runs `nimi run` as PID 1 of a new PID namespace RUNS times, polls /proc/PID/status until the
# kernel shows WAIT_FOR as caught, sends SIGNAL at once, and counts exits with 139 (SIGSEGV).
# WAIT_FOR = SIGNAL aims at the moment Deno installs its handlers (docs/container.md, "The first
# microseconds"); WAIT_FOR = SIGWINCH waits for the last of nimi's listeners.
#
# Usage (root, Linux): bash bench/signal_window.sh RUNS SIGNAL [WAIT_FOR]
set -euo pipefail
runs=${1:?runs}
signal=${2:?signal}
wait_for=$(kill -l "${3:-$signal}")
repo=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo '{"services":{"b":{"process":{"argv":["sleep","1000"]}}}}' >"$dir/config.json"
crashed=0
other=0
for _ in $(seq "$runs"); do
  unshare --pid --fork --kill-child --mount-proc \
    deno run -A "$repo/mod.ts" --config "$dir/config.json" run >"$dir/out" 2>&1 &
  outer=$!
  nimi=""
  while [ -z "$nimi" ]; do nimi=$(pgrep -P "$outer" deno || true); done
  while :; do
    mask=$(awk '/^SigCgt/ { print $2 }' "/proc/$nimi/status" 2>/dev/null) || break
    if [ -n "$mask" ] && (((0x$mask >> (wait_for - 1)) & 1)); then break; fi
  done
  kill "-$signal" "$nimi"
  code=0
  wait "$outer" || code=$?
  if [ "$code" = 139 ]; then
    crashed=$((crashed + 1))
  elif [ "$code" != 0 ]; then
    other=$((other + 1))
    echo "exit $code:" && tail -3 "$dir/out"
  fi
done
echo "runs $runs, SIGSEGV $crashed, other failures $other"
