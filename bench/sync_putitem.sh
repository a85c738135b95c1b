#!/usr/bin/env bash
# Durable writes: PutItem with --sync (acknowledged only once the log is synced: group commit)
# next to the default mode (acknowledged once applied and logged, safe from kill -9), on a data
# directory on disk, at 32 connections (and 1), from one run.
#
#   bench/sync_putitem.sh [--duration S] [--conns "32 1"] [--dir DIR]
#
# Prints PutItem/s, latency percentiles, server CPU per request and log syncs for each mode, the
# ratio, and PASS when --sync reaches 10,000 PutItem/s at 32 connections (issue 14's target).
# Env: DDBD_BIN (default build-bench/ddbd, built if missing), BENCH_SHARED (shared harness).
set -euo pipefail
HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
SHARED="${BENCH_SHARED:-$REPO/../shared/bench}"
DURATION=10; CONNS="32 1"; DIR="$(mktemp -d "${TMPDIR:-/var/tmp}/ddbd-syncbench.XXXXXX")"
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2;;
    --conns) CONNS="$2"; shift 2;;
    --dir) DIR="$2"; shift 2;;
    *) sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 2;;
  esac
done
BIN="${DDBD_BIN:-$REPO/build-bench/ddbd}"
if [ ! -x "$BIN" ]; then
  cmake -S "$REPO" -B "$REPO/build-bench" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$REPO/build-bench" -j "$(nproc)" --target ddbd >/dev/null
fi
mkdir -p "$DIR"
PORT=$((20000 + RANDOM % 20000))
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$DIR"; }
trap cleanup EXIT
OUT="$(mktemp)"

syncs() { curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^ddbd_log_syncs_total /{print $2}'; }

for mode in default sync; do
  rm -rf "$DIR/data"
  args=(--host 127.0.0.1 --port "$PORT" --data-dir "$DIR/data" --log-level warn)
  [ "$mode" = sync ] && args+=(--sync)
  "$BIN" "${args[@]}" & PID=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/" >/dev/null && break; sleep 0.05; done
  python3 "$SHARED/setup.py" "http://127.0.0.1:$PORT" --quiet --kv 10000 --ts-partitions 1 --ts-sorts 1 >/dev/null
  for c in $CONNS; do
    s0="$(syncs)"
    python3 "$HERE/wrkcpu.py" --pid "$PID" --server "$mode" --url "http://127.0.0.1:$PORT/" \
      --lua "$SHARED/lua/putitem.lua" --workload putitem --conns "$c" --duration "$DURATION" \
      --threads "$([ "$c" -ge 2 ] && echo 2 || echo 1)" --jsonl "$OUT" >/dev/null
    s1="$(syncs)"
    python3 - "$OUT" "$mode" "$c" "${s0:-0}" "${s1:-0}" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
r = rows[-1]
r["syncs"] = float(sys.argv[5]) - float(sys.argv[4])
rows[-1] = r
open(sys.argv[1], "w").write("".join(json.dumps(x) + "\n" for x in rows))
EOF
  done
  kill "$PID"; wait "$PID" || true; PID=""
done

python3 - "$OUT" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = {(r["server"], r["conns"]): r for r in rows}
print("| mode | conns | PutItem/s | p50 ms | p99 ms | server CPU us/req | log syncs/s | writes per sync |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    dur = r.get("duration_s") or 1
    sps = r["syncs"] / dur if r["syncs"] else 0
    per = r["requests"] / r["syncs"] if r["syncs"] else float("nan")
    print("| %s | %d | %.0f | %.2f | %.2f | %.1f | %.0f | %s |" % (
        "--sync" if r["server"] == "sync" else "default", r["conns"], r["rps"], r["p50_ms"], r["p99_ms"],
        r["cpu_us_per_req"], sps, "%.1f" % per if r["syncs"] else "-"))
ok = True
for r in rows:
    if not r.get("valid"):
        ok = False
        print("INVALID run %s c%d: %s %s" % (r["server"], r["conns"], "; ".join(r.get("flags", [])), r.get("first_error_body", "")))
for (srv, c), r in sorted(by.items()):
    if srv == "sync" and ("default", c) in by:
        print("c%d: --sync / default throughput = x%.2f" % (c, r["rps"] / by[("default", c)]["rps"]))
s32 = by.get(("sync", 32))
if s32:
    ok = ok and s32["rps"] >= 10000
    print("--sync PutItem at 32 connections: %.0f/s (target >= 10000): %s" % (s32["rps"], "PASS" if ok else "FAIL"))
sys.exit(0 if ok else 1)
EOF
