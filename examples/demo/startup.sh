#!/bin/sh
# nimi's startup hook (settings.startup.runOnStartup): runs to completion before any service;
# a non-zero exit would stop nimi before anything starts.
echo "preparing the demo: python3 is $(command -v python3 || echo missing)"
command -v python3 >/dev/null || { echo "the demo needs python3 on PATH" >&2; exit 1; }
