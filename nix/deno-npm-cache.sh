#!/bin/sh
# Lays out npm tarballs as Deno's global npm cache, so that `deno run/compile --cached-only`
# finds every package deno.lock pins without asking the registry:
#   deno-npm-cache.sh DENO_DIR NAME VERSION TARBALL [NAME VERSION TARBALL ...]
# Each tarball's single top-level directory (usually package/) becomes
# DENO_DIR/npm/registry.npmjs.org/NAME/VERSION/. Used by nix/npm-deps.nix and by
# tests/nix/npm_deps_test.ts, which runs nimi from a cache made this way.
set -eu
out=$1
shift
if [ $(($# % 3)) -ne 0 ]; then
  echo "deno-npm-cache.sh: expected NAME VERSION TARBALL triples, got $# arguments" >&2
  exit 2
fi
while [ $# -gt 0 ]; do
  dir="$out/npm/registry.npmjs.org/$1/$2"
  mkdir -p "$dir"
  tar -xzf "$3" -C "$dir" --strip-components=1 --no-same-owner --no-same-permissions
  shift 3
done
