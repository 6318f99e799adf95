#!/bin/sh
# A worker that crashes on its first two runs and finishes on the third, to show nimi's restart
# policy (on-failure, 0.5 s delay doubling each time). Its run counter lives in a file named
# after nimi's pid ($PPID), so each demo run starts from zero.
state="${TMPDIR:-/tmp}/nimi-demo-worker.$PPID"
n=$(($(cat "$state" 2>/dev/null || echo 0) + 1))
echo "$n" > "$state"
echo "run $n: working"
sleep 1
if [ "$n" -lt 3 ]; then
  echo "run $n: crashing" >&2
  exit 1
fi
rm -f "$state"
echo "run $n: finished"
