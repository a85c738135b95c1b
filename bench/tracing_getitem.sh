#!/usr/bin/env bash
# Tracing's cost: GetItem on three servers over copies of one loaded data directory, from one run:
# off (no --otlp-endpoint, requests without trace headers: must cost what it did before tracing),
# export (--otlp-endpoint to a collector stub, every request a new trace and an exported span), and
# export with each request carrying its own traceparent (bench/lua/getitem_traced.lua).
#
#   bench/tracing_getitem.sh [--duration S] [--conns C] [--rounds N]
#
# With DDBD_BASE_BIN (a ddbd built before tracing), a fourth server "before" runs that binary on a
# copy too: "off" next to it is what tracing costs when it is off.
# Prints GetItem/s, p50 latency and server CPU per request per mode (medians over the rounds,
# which alternate the order; the idle servers are paused with SIGSTOP). Env: DDBD_BIN (default
# build-bench/ddbd), BENCH_SHARED (the shared harness), PYTHON (default /usr/bin/python3).
set -euo pipefail
HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
SHARED="${BENCH_SHARED:-$REPO/../shared/bench}"
PY="${PYTHON:-/usr/bin/python3}"
DURATION=5; CONNS=16; ROUNDS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2;;
    --conns) CONNS="$2"; shift 2;;
    --rounds) ROUNDS="$2"; shift 2;;
    *) sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 2;;
  esac
done
BIN="${DDBD_BIN:-$REPO/build-bench/ddbd}"
DIR="$(mktemp -d "${TMPDIR:-/var/tmp}/ddbd-tracebench.XXXXXX")"
PORT=$((20000 + RANDOM % 20000))
PIDS=()
# (every step may fail, a process already gone: set -e must not cut the cleanup short)
cleanup() {
  for p in "${PIDS[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$DIR"
}
trap cleanup EXIT
wait_up() { for _ in $(seq 200); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.05; done; echo "no server on port $1" >&2; exit 1; }

# the collector stub: reads and answers every post 200, parses nothing (tests/compat/otlp_collector.py);
# at tens of thousands of spans a second a Python collector may still fall behind: what it cannot
# take is dropped and counted, which is the exporter's design, not a cost to the requests
"$PY" -c "
import sys, time; sys.path.insert(0, '$REPO/tests/compat')
from otlp_collector import Collector
c = Collector(keep=False); open('$DIR/collector', 'w').write(c.url); time.sleep(1e6)" 2>/dev/null & PIDS+=($!)
for _ in $(seq 100); do [ -s "$DIR/collector" ] && break; sleep 0.05; done
COLLECTOR="$(cat "$DIR/collector")"

"$BIN" --host 127.0.0.1 --port "$PORT" --data-dir "$DIR/off" --log-level warn & P=$!
wait_up "$PORT"
"$PY" "$SHARED/setup.py" "http://127.0.0.1:$PORT" --quiet --kv 10000 --ts-partitions 1 --ts-sorts 1 >/dev/null
kill "$P"; wait "$P" || true
cp -a "$DIR/off" "$DIR/on"
PID_BASE=""
if [ -n "${DDBD_BASE_BIN:-}" ]; then
  cp -a "$DIR/off" "$DIR/base"
  "$DDBD_BASE_BIN" --host 127.0.0.1 --port $((PORT + 2)) --data-dir "$DIR/base" --log-level warn & PID_BASE=$!
  PIDS+=($PID_BASE)
  wait_up $((PORT + 2))
  kill -STOP "$PID_BASE"
fi
"$BIN" --host 127.0.0.1 --port "$PORT" --data-dir "$DIR/off" --log-level warn & PID_OFF=$!; PIDS+=($PID_OFF)
"$BIN" --host 127.0.0.1 --port $((PORT + 1)) --data-dir "$DIR/on" --log-level warn --otlp-endpoint "$COLLECTOR" & PID_ON=$!
PIDS+=($PID_ON)
wait_up "$PORT"; wait_up $((PORT + 1))

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# run MODE PID PORT LUA: one wrk run, one line "MODE rps p50_ms cpu_us_per_req"
run() {
  local mode=$1 pid=$2 port=$3 lua=$4 t0 t1 out
  kill -CONT "$pid"
  t0=$(cpu_ticks "$pid")
  out=$(cd "$(dirname "$lua")" && BENCH_SHARED_LUA="$SHARED/lua/" wrk -t1 -c"$CONNS" -d"${DURATION}s" -s "$lua" \
        "http://127.0.0.1:$port/" | grep '^RESULT')
  t1=$(cpu_ticks "$pid")
  kill -STOP "$pid"
  echo "$out" | "$PY" -c "
import sys, os
kv = dict(x.split('=', 1) for x in sys.stdin.read().split()[1:])
n = int(kv['requests']); hz = os.sysconf('SC_CLK_TCK')
print('$mode', kv['rps'], kv['p50_ms'], '%.1f' % (($t1 - $t0) / hz * 1e6 / max(n, 1)))"
}
kill -STOP "$PID_OFF" "$PID_ON"
: > "$DIR/runs"
for r in $(seq "$ROUNDS"); do
  if [ $((r % 2)) -eq 1 ]; then order="before off on traced"; else order="traced on off before"; fi
  for m in $order; do
    case $m in
      before) [ -n "$PID_BASE" ] && run before "$PID_BASE" $((PORT + 2)) "$SHARED/lua/getitem.lua" >> "$DIR/runs";;
      off) run off "$PID_OFF" "$PORT" "$SHARED/lua/getitem.lua" >> "$DIR/runs";;
      on) run export "$PID_ON" $((PORT + 1)) "$SHARED/lua/getitem.lua" >> "$DIR/runs";;
      traced) run export+traceparent "$PID_ON" $((PORT + 1)) "$HERE/lua/getitem_traced.lua" >> "$DIR/runs";;
    esac
  done
done
kill -CONT "$PID_OFF" "$PID_ON" $PID_BASE
sleep 1
echo "export server: $(curl -s "http://127.0.0.1:$((PORT + 1))/metrics" | grep -E '^ddbd_otlp_spans_(exported|dropped)_total' | tr '\n' ' ')"
"$PY" - "$DIR/runs" <<'PYEOF'
import sys, statistics
rows = {}
for line in open(sys.argv[1]):
    m, rps, p50, cpu = line.split()
    rows.setdefault(m, []).append((float(rps), float(p50), float(cpu)))
print("%-20s %12s %10s %14s" % ("GetItem", "requests/s", "p50 ms", "CPU us/req"))
for m in ["before", "off", "export", "export+traceparent"]:
    v = rows.get(m, [])
    if v:
        print("%-20s %12.0f %10.3f %14.1f" % (m, statistics.median(x[0] for x in v),
                                              statistics.median(x[1] for x in v), statistics.median(x[2] for x in v)))
PYEOF
