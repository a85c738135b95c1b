#!/usr/bin/env bash
# Long runs of the shape-aware request fuzzer (tests/js/shape_fuzz.mjs, issue 49): every case the SDK
# models give for every operation, member and door (--all, the default here), or a time budget, on
# any seed, against the sanitizer build (build-asan, built as deploy/ddbd.sh test_all builds it) or
# --bin. CI runs the same fuzzer for 80 s on seed 1 (ctest js.shape_fuzz).
#
#   bench/fuzz_shapes.sh [--seed 1] [--seconds S | --all] [--configs plain,auth] [--bin PATH] [--out DIR]
#   bench/fuzz_shapes.sh --seeds 1..5     # one --all run per seed
#
# Prints per configuration: cases, operations and members covered, doors, restarts, findings; then
# each finding (the configuration, the case, what the server did); the cases with their bodies go to
# DIR/seed-N.json. Exit 1 when a seed found anything.
# Env: JOBS (build parallelism, default 2); DDB_SHAPE_FUZZ_SKIP_KNOWN=1 leaves out the known classes.
set -euo pipefail
HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
SEEDS=1; SPAN=(--all); CONFIGS=plain,auth; BIN=""; OUT="/tmp/ddbd-fuzz-shapes-$(date +%Y%m%d-%H%M%S)"
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) SEEDS="$2"; shift 2;;
    --seeds) SEEDS="$(seq -s ' ' ${2%%..*} ${2##*..})"; shift 2;;
    --seconds) SPAN=(--seconds "$2"); shift 2;;
    --all) SPAN=(--all); shift;;
    --configs) CONFIGS="$2"; shift 2;;
    --bin) BIN="$2"; shift 2;;
    --out) OUT="$2"; shift 2;;
    *) sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 2;;
  esac
done
if [ -z "$BIN" ]; then
  cmake -S "$REPO" -B "$REPO/build-asan" -DCMAKE_BUILD_TYPE=Debug -DDDB_SANITIZE=ON -DDDB_WERROR=ON >/dev/null
  cmake --build "$REPO/build-asan" -j "${JOBS:-2}" --target ddbd >/dev/null
  BIN="$REPO/build-asan/ddbd"
fi
BIN="$(readlink -f "$BIN")"
[ -d "$REPO/tests/js/node_modules" ] || { echo "fuzz_shapes: tests/js/node_modules missing (deploy/ddbd.sh deps)" >&2; exit 2; }
mkdir -p "$OUT"
rc=0
for seed in $SEEDS; do
  echo "fuzz_shapes: seed $seed, ${SPAN[*]}, configurations $CONFIGS, $BIN" >&2
  t0=$(date +%s)
  (cd "$REPO/tests/js" && ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}" \
    node shape_fuzz.mjs --seed "$seed" "${SPAN[@]}" --configs "$CONFIGS" --bin "$BIN" \
    --out "$OUT/seed-$seed.json" 2>"$OUT/seed-$seed.log") || rc=1
  echo "fuzz_shapes: seed $seed took $(( $(date +%s) - t0 )) s; cases and bodies in $OUT/seed-$seed.json" >&2
done
exit $rc
