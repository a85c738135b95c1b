#!/usr/bin/env bash
# Soak: 1,000 connections for 10 minutes of mixed reads, writes and queries (bench/lua/soak.lua:
# 65% GetItem, 15% PutItem growing the table towards --keys items, 5% UpdateItem, 15% Query)
# against one ddbd with its data on disk.
#
#   bench/soak.sh [--minutes 10] [--conns 1000] [--window 30] [--threads 2] [--sample 5]
#                 [--keys 1000000] [--dir DIR] [--out DIR]
#
# The load runs as back-to-back wrk runs of --window seconds each (so that every window has its
# own exact latency percentiles: wrk reports only at its end); every run opens its --conns
# connections afresh and holds them for the window. Every --sample seconds the script reads
# ddbd's RSS, open file descriptors and threads from /proc, and its connections, cache and
# memtable bytes from /metrics.
# Prints a table per window (GetItem+PutItem+UpdateItem+Query/s, p50/p99/max latency, errors,
# server CPU per request, RSS at the window's end), the totals, and PASS when
#   * every request was answered 200: no non-2xx, no socket errors, no timeouts (wrk --timeout
#     10s), ddbd alive throughout and exiting 0 on SIGTERM at the end, and
#   * RSS levels off: its peak over the last third of the load is less than 5% above its peak over
#     the middle third (peaks, not single samples: compactions and memtable flushes move RSS by a
#     few MB either way).
# Results (runs.jsonl, samples.tsv, wrk output, ddbd's log) stay in --out.
# Env: DDBD_BIN (default build-bench/ddbd, built if missing), BENCH_SHARED (shared harness).
set -euo pipefail
HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
SHARED="${BENCH_SHARED:-$REPO/../shared/bench}"
MINUTES=10; CONNS=1000; WINDOW=30; THREADS=2; SAMPLE=5; KEYS=1000000
DIR=""; OUTDIR="/tmp/ddbd-soak-$(date +%Y%m%d-%H%M%S)"
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES="$2"; shift 2;;
    --conns) CONNS="$2"; shift 2;;
    --window) WINDOW="$2"; shift 2;;
    --threads) THREADS="$2"; shift 2;;
    --sample) SAMPLE="$2"; shift 2;;
    --keys) KEYS="$2"; shift 2;;
    --dir) DIR="$2"; shift 2;;
    --out) OUTDIR="$2"; shift 2;;
    *) sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 2;;
  esac
done
BIN="${DDBD_BIN:-$REPO/build-bench/ddbd}"
if [ ! -x "$BIN" ]; then
  cmake -S "$REPO" -B "$REPO/build-bench" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$REPO/build-bench" -j "$(nproc)" --target ddbd >/dev/null
fi
# wrk and ddbd each hold --conns sockets
need=$((CONNS + 1024))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
  hard="$(ulimit -Hn)"
  if [ "$hard" != unlimited ] && [ "$hard" -lt "$need" ]; then
    echo "soak: open files limited to $hard (hard); $need needed for $CONNS connections" >&2; exit 1
  fi
  ulimit -n "$need"
fi
OWN_DIR=""
if [ -z "$DIR" ]; then DIR="$(mktemp -d "${TMPDIR:-/var/tmp}/ddbd-soak.XXXXXX")"; OWN_DIR=1; fi
mkdir -p "$DIR" "$OUTDIR"
PORT=$((20000 + RANDOM % 20000))
PID=""; SAMPLER=""
cleanup() {
  [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null
  [ -n "$PID" ] && kill "$PID" 2>/dev/null
  wait 2>/dev/null
  if [ -n "$OWN_DIR" ]; then rm -rf "$DIR"; fi
}
trap cleanup EXIT
URL="http://127.0.0.1:$PORT"

"$BIN" --host 127.0.0.1 --port "$PORT" --data-dir "$DIR/data" --log-level warn 2>"$OUTDIR/ddbd.log" & PID=$!
for _ in $(seq 200); do curl -s -o /dev/null "$URL/" && break; sleep 0.05; done
python3 "$SHARED/setup.py" "$URL" --quiet >/dev/null   # bench_kv 10,000 items, bench_ts 100 x 100

# the sampler: seconds since start, VmRSS kB, fds, threads, then /metrics gauges
sample() {
  local t0="$1"
  echo -e "t_s\trss_kb\tfds\tthreads\tconnections\tblock_cache\trow_cache\tmemtables"
  while kill -0 "$PID" 2>/dev/null; do
    local now rss fds thr m
    now="$(date +%s.%N)"
    rss="$(awk '/^VmRSS:/{print $2}' "/proc/$PID/status" 2>/dev/null || echo 0)"
    thr="$(awk '/^Threads:/{print $2}' "/proc/$PID/status" 2>/dev/null || echo 0)"
    fds="$(ls "/proc/$PID/fd" 2>/dev/null | wc -l)"
    m="$(curl -s -m 5 "$URL/metrics" | awk '
      /^ddbd_connections /{c=$2} /^ddbd_store_cache_bytes\{cache="block"\}/{b=$2}
      /^ddbd_store_cache_bytes\{cache="row"\}/{r=$2} /^ddbd_store_memtable_bytes /{mt=$2}
      END{printf "%s\t%s\t%s\t%s", c+0, b+0, r+0, mt+0}')"
    printf '%.1f\t%s\t%s\t%s\t%s\n' "$(echo "$now - $t0" | bc)" "$rss" "$fds" "$thr" "$m"
    sleep "$SAMPLE"
  done
}
T0="$(date +%s.%N)"
sample "$T0" > "$OUTDIR/samples.tsv" & SAMPLER=$!

WINDOWS=$(( (MINUTES * 60 + WINDOW - 1) / WINDOW ))
echo "soak: $CONNS connections, $WINDOWS windows of ${WINDOW}s, ddbd pid $PID on $URL, data in $DIR, results in $OUTDIR" >&2
: > "$OUTDIR/windows.tsv"
for w in $(seq "$WINDOWS"); do
  start="$(echo "$(date +%s.%N) - $T0" | bc)"
  SOAK_KEYS="$KEYS" BENCH_SHARED="$SHARED" python3 "$HERE/wrkcpu.py" --pid "$PID" --server ddbd --url "$URL/" \
    --lua "$HERE/lua/soak.lua" --workload soak --conns "$CONNS" --threads "$THREADS" --duration "$WINDOW" \
    --round "$w" --raw "$OUTDIR/wrk-$w.txt" --jsonl "$OUTDIR/runs.jsonl" >&2
  printf '%s\t%s\t%s\n' "$w" "$start" "$(echo "$(date +%s.%N) - $T0" | bc)" >> "$OUTDIR/windows.tsv"
  kill -0 "$PID" 2>/dev/null || { echo "soak: ddbd died in window $w" >&2; break; }
done
sleep "$SAMPLE"   # one more sample after the load
kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null || true; SAMPLER=""
EXIT=dead
if kill -0 "$PID" 2>/dev/null; then
  kill "$PID"; EXIT=0; wait "$PID" || EXIT=$?
fi
PID=""

python3 - "$OUTDIR" "$CONNS" "$WINDOW" "$EXIT" <<'EOF'
import json, os, statistics, sys
out, conns, window, exit_code = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
runs = [json.loads(l) for l in open(os.path.join(out, "runs.jsonl"))]
samples = [l.rstrip("\n").split("\t") for l in open(os.path.join(out, "samples.tsv"))][1:]
samples = [[float(x) for x in s] for s in samples if len(s) == 8]
wins = {int(l.split()[0]): (float(l.split()[1]), float(l.split()[2])) for l in open(os.path.join(out, "windows.tsv"))}
mb = lambda kb: kb / 1024.0

def rss_at(t):
    before = [s for s in samples if s[0] <= t]
    return before[-1] if before else (samples[0] if samples else None)

print("| window | minutes | req/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | socket errors | timeouts | server CPU us/req | RSS MB at end | fds | connections |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
errors = 0
total = 0
for r in runs:
    w = r["round"]
    t0, t1 = wins.get(w, (0, 0))
    s = rss_at(t1) or [0] * 8
    e = r.get("non2xx", 0) + r.get("sockerr", 0) + r.get("timeouts", 0)
    errors += e + (0 if "rps" in r else 1)
    total += r.get("requests", 0)
    if "rps" not in r:
        print("| %d | %.1f-%.1f | FAILED: %s |" % (w, t0 / 60, t1 / 60, "; ".join(r.get("flags", []))))
        continue
    print("| %d | %.1f-%.1f | %.0f | %.2f | %.2f | %.2f | %.1f | %d | %d | %d | %.1f | %.1f | %d | %d |" % (
        w, t0 / 60, t1 / 60, r["rps"], r["p50_ms"], r["p90_ms"], r["p99_ms"], r["max_ms"], r["non2xx"], r["sockerr"],
        r["timeouts"], r.get("cpu_us_per_req") or float("nan"), mb(s[1]), s[2], s[4]))
    if r.get("non2xx"):
        print("|   | first error: %s %s |" % (r.get("codes"), r.get("first_error_body", "")))
ok_err = errors == 0 and exit_code == "0"
print()
print("requests: %d in %d windows of %d s at %d connections; non-2xx + socket errors + timeouts: %d; ddbd exit on SIGTERM: %s" % (
    total, len(runs), window, conns, errors, exit_code))
if runs and all("p99_ms" in r for r in runs):
    print("latency over the windows: p50 %.2f-%.2f ms, p99 %.2f-%.2f ms, max %.1f ms; req/s %.0f-%.0f" % (
        min(r["p50_ms"] for r in runs), max(r["p50_ms"] for r in runs), min(r["p99_ms"] for r in runs),
        max(r["p99_ms"] for r in runs), max(r["max_ms"] for r in runs), min(r["rps"] for r in runs),
        max(r["rps"] for r in runs)))
ok_rss = False
load_end = max(t1 for t0, t1 in wins.values()) if wins else 0
load = [s for s in samples if s[0] <= load_end]
if len(load) >= 6:
    thirds = [[s for s in load if k * load_end / 3 <= s[0] < (k + 1) * load_end / 3 or (k == 2 and s[0] == load_end)]
              for k in range(3)]
    peaks = [max(s[1] for s in t) if t else 0 for t in thirds]
    growth = (peaks[2] - peaks[1]) / peaks[1] * 100 if peaks[1] else float("inf")
    first, last = samples[0], samples[-1]
    print("RSS: %.1f MB before the load (tables loaded), peak %.1f MB, %.1f MB after it; block cache %.1f MB "
          "(capacity 32), row cache %.1f MB (capacity 16), memtables %.1f MB (write buffers 4 MB each); "
          "fds %d, threads %d after the load" % (
              mb(first[1]), mb(max(s[1] for s in samples)), mb(last[1]), last[5] / 2**20, last[6] / 2**20,
              last[7] / 2**20, last[2], last[3]))
    print("RSS peak per third of the load: %s MB; last third over middle third: %+.1f%%" % (
        " / ".join("%.1f" % mb(p) for p in peaks), growth))
    ok_rss = growth < 5.0
print("errors = 0: %s; RSS levels off (last third's peak < 5%% above the middle third's): %s" % (
    "PASS" if ok_err else "FAIL", "PASS" if ok_rss else "FAIL"))
print("soak: %s" % ("PASS" if ok_err and ok_rss else "FAIL"))
sys.exit(0 if ok_err and ok_rss else 1)
EOF
