#!/bin/sh
# Installs the real tools the test suite checks its work with, when they are missing.
# Debian packages need root; without root it lists what it cannot install and goes on (the
# tests that need a missing tool say so when they skip or fail).
set -eu
missing=""
need() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
need_file() { [ -e "$1" ] || missing="$missing $2"; }
need supervisord supervisor
need s6-svscan s6
need runsvdir runit
need foreman ruby-foreman
need tini tini
need dumb-init dumb-init
need docker-compose docker-compose
need systemd-analyze systemd
need nix-instantiate nix-bin
need bwrap bubblewrap
need unshare util-linux
need ps procps
need python3 python3
need curl curl
need podman podman
need runc runc
# podman's network stack (Recommends, not Depends): bridge networks and their DNS, which the
# compose test's services use to reach each other by name.
need_file /usr/lib/podman/netavark netavark
need_file /usr/lib/podman/aardvark-dns aardvark-dns
need_file /usr/sbin/iptables iptables
need mmdebstrap mmdebstrap
# tests/nix: loopback in a network namespace of its own (ip), the VM's services answering (curl).
need ip iproute2
need curl curl
need man man-db
need zsh zsh
need fish fish
# tests/logs/line_kernel_test.ts: reassembles src/logs/line_kernel.wat.
need wat2wasm wabt
# tests/tui and tests/container/tui_test.ts: a real terminal to drive the UI in.
need tmux tmux
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "tests/tools.sh: installing:$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
  exit 0
fi
echo "tests/tools.sh: cannot install (not root, or no apt-get):$missing" >&2
echo "tests/tools.sh: the tests that use them need: apt-get install -y$missing" >&2
exit 0
