#!/bin/sh
# The heavy versions of tests/reliability, for figures (not part of the suite): 1,000 and 2,000
# services, the flood at 50,000 lines per stream and 100 MB without a newline, the config
# fuzzer at 20,000 cases with another seed. Each prints its figures on stderr; the script
# exits non-zero if any part failed.
cd "$(dirname "$0")/.." || exit 2
failed=0
for n in ${SCALES:-1000 2000}; do
  NIMI_SCALE_SERVICES=$n deno test -A tests/reliability/scale_test.ts --filter "scale:" || failed=1
done
NIMI_FLOOD_LINES=50000 NIMI_FLOOD_BYTES=100000000 deno test -A tests/reliability/log_flood_test.ts ||
  failed=1
NIMI_FUZZ_CASES=20000 NIMI_FUZZ_SEED=2026 deno test -A tests/reliability/config_fuzz_test.ts \
  --filter mutations || failed=1
exit $failed
