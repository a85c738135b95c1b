#!/usr/bin/env bash
# Long fuzzing: each libFuzzer target (tests/fuzz/fuzz_*.c) for N executions from its seed corpus
# into a work corpus, built as deploy/ddbd.sh's fuzz function builds them (clang, -DDDB_FUZZ=ON,
# ASan + UBSan + libFuzzer, Debug, in build-fuzz).
#
#   bench/fuzz_long.sh [--runs 10000000] [--targets "fuzz_json fuzz_number ..."] [--seed 1]
#                      [--out DIR] [--build-type Debug]
#
# Per target: libFuzzer -runs=N -seed=S -timeout=10 -rss_limit_mb=2048 over DIR/corpus/<target>
# (copied from tests/fuzz/corpus/<target> the first time; an --out DIR used before continues from
# the corpus it holds), crash, timeout, out-of-memory and leak inputs written to
# DIR/crashes/<target>/, libFuzzer's output to DIR/<target>.log.
# Prints per target: executions, exec/s, wall time, the work corpus (files and bytes on disk, and
# libFuzzer's own corp: units/bytes), coverage (libFuzzer's final cov: edges and ft: features),
# new units, peak RSS, crashes; the time 10 million executions would take at the measured rate;
# and PASS when no target crashed. A crash stops that target's run (libFuzzer's default); fix it
# and keep its input as a regression test in tests/fuzz/regressions/<target>/ (see the README
# there: the fuzz build's ctest replays them).
# Env: JOBS (build parallelism, default nproc).
set -euo pipefail
HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
RUNS=10000000; SEED=1; BUILD_TYPE=Debug; OUT="/tmp/ddbd-fuzz-$(date +%Y%m%d-%H%M%S)"
TARGETS="$(cd "$REPO/tests/fuzz" && ls fuzz_*.c | sed 's/\.c$//' | tr '\n' ' ')"
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2;;
    --targets) TARGETS="$2"; shift 2;;
    --seed) SEED="$2"; shift 2;;
    --out) OUT="$2"; shift 2;;
    --build-type) BUILD_TYPE="$2"; shift 2;;
    *) sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 2;;
  esac
done
BUILD="$REPO/build-fuzz"
[ "$BUILD_TYPE" = Debug ] || BUILD="$REPO/build-fuzz-$(echo "$BUILD_TYPE" | tr 'A-Z' 'a-z')"
# shellcheck disable=SC2086
set -- $TARGETS
CC=clang cmake -S "$REPO" -B "$BUILD" -DCMAKE_BUILD_TYPE="$BUILD_TYPE" -DDDB_FUZZ=ON >/dev/null
cmake --build "$BUILD" -j "${JOBS:-$(nproc)}" --target "$@" >/dev/null
mkdir -p "$OUT"
echo "fuzz_long: $RUNS runs per target, seed $SEED, $BUILD_TYPE build in $BUILD, results in $OUT" >&2

CHILD=""
trap '[ -n "$CHILD" ] && kill "$CHILD" 2>/dev/null; wait 2>/dev/null' EXIT
: > "$OUT/summary.tsv"
for t in "$@"; do
  work="$OUT/corpus/$t"; crashes="$OUT/crashes/$t"
  mkdir -p "$crashes"
  if [ ! -d "$work" ]; then mkdir -p "$work"; cp "$REPO/tests/fuzz/corpus/$t/"* "$work/"; fi
  seeds_files="$(find "$work" -type f | wc -l)"
  echo "fuzzing $t for $RUNS runs ($seeds_files inputs to start from)" >&2
  t0="$(date +%s.%N)"
  set +e
  "$BUILD/$t" -runs="$RUNS" -seed="$SEED" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$crashes/" "$work" > "$OUT/$t.log" 2>&1 & CHILD=$!
  wait "$CHILD"; rc=$?
  set -e
  CHILD=""
  t1="$(date +%s.%N)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$rc" "$(echo "$t1 - $t0" | bc)" "$seeds_files" \
    "$(find "$work" -type f | wc -l)" "$(find "$work" -type f -printf '%s\n' | awk '{s+=$1} END{print s+0}')" \
    "$(find "$crashes" -type f | wc -l)" >> "$OUT/summary.tsv"
  tail -n 1 "$OUT/$t.log" >&2
done

python3 - "$OUT" "$RUNS" <<'EOF'
import os, re, sys
out, runs = sys.argv[1], int(sys.argv[2])
rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(out, "summary.tsv"))]
print("| target | executions | exec/s | wall | corpus files (start -> end) | corpus bytes | libFuzzer corp | cov | ft | new units | peak RSS MB | crashes | 10M runs would take |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
ok = True
total_10m = 0.0
notes = []
def hms(s):
    s = int(round(s))
    return "%dh%02dm" % (s // 3600, s // 60 % 60) if s >= 3600 else "%dm%02ds" % (s // 60, s % 60) if s >= 60 else "%ds" % s
for t, rc, wall, f0, f1, nbytes, ncrash in rows:
    log = open(os.path.join(out, t + ".log"), errors="replace").read()
    wall = float(wall)
    status = re.findall(r"^#(\d+)\s+\S+\s+cov: (\d+) ft: (\d+) corp: (\d+)/(\d+)(b|Kb|Mb)", log, re.M)
    stat = dict(re.findall(r"^stat::(\w+):\s+(\d+)", log, re.M))
    execs = int(stat.get("number_of_executed_units", status[-1][0] if status else 0))
    mult = {"b": 1, "Kb": 1024, "Mb": 1 << 20}
    cov, ft, corp = (status[-1][1], status[-1][2], "%s/%s%s" % status[-1][3:6]) if status else ("-", "-", "-")
    eps = execs / wall if wall > 0 else 0
    est = runs_10m = 10_000_000 / eps if eps else float("inf")
    total_10m += est
    crashed = int(rc) != 0 or int(ncrash) > 0
    ok = ok and not crashed
    print("| %s | %d | %.0f | %s | %s -> %s | %d | %s | %s | %s | %s | %s | %s | %s |" % (
        t, execs, eps, hms(wall), f0, f1, int(nbytes), corp, cov, ft, stat.get("new_units_added", "-"),
        stat.get("peak_rss_mb", "-"), ("%s (exit %s)" % (ncrash, rc)) if crashed else "0", hms(est)))
    if crashed:
        summ = re.findall(r"^(SUMMARY: .*|==\d+==ERROR: .*|ALARM: .*|.*deadly signal.*)$", log, re.M)
        notes.append("%s: exit %s, %s input(s) in %s: %s" % (t, rc, ncrash, os.path.join(out, "crashes", t),
                                                        summ[0] if summ else "see " + os.path.join(out, t + ".log")))
print()
for n in notes:
    print("CRASH " + n)
print("10 million executions of every target, one after another, would take about %s at these rates" % hms(total_10m))
print("fuzz_long: %s (%d runs per target)" % ("PASS: no crash" if ok else "FAIL: crashes above; reproduce with build-fuzz/<target> FILE, "
                                              "fix, and keep the input in tests/fuzz/regressions/<target>/", runs))
sys.exit(0 if ok else 1)
EOF
