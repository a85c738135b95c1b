#!/usr/bin/env bash
# Recording's cost (issue 66): GetItem and PutItem on two servers over copies of one loaded data
# directory, from one run: off (no --record: must cost what it did before recordings existed, one
# pointer test per answer) and on (--record FILE, every request and answer written).
#
#   bench/record_cost.sh [--duration S] [--conns C] [--rounds N]
#
# Prints requests/s, p50 latency and server CPU per request per operation and mode (medians over
# the rounds, which alternate the order; the idle server is paused with SIGSTOP), the throughput
# ratio on/off of each operation, and PASS when recording keeps at least 95 % of both (issue 66's
# bound). Then the recording (every request of the "on" runs) is replayed as fast as it goes into the
# "off" server with `ddb replay --as-fast-as-possible`, and its rate is printed beside the rate it
# was recorded at (the "on" runs' median): a replay must sustain the recording's rate. As the server
# and its client share the machine's cores, it also prints what a request cost the machine, both
# processes' CPU: recording, the "on" server's and wrk's; replaying, the "off" server's and
# `ddb replay`'s (which reads, orders and signs every request: wrk sends the same few unsigned
# ones). Env: DDBD_BIN
# (default build-bench/ddbd), DDB_CLI (default build/ddb), BENCH_SHARED (the shared harness: wrk's
# getitem.lua and putitem.lua), PYTHON (default /usr/bin/python3).
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
if [ ! -x "$BIN" ]; then
  cmake -S "$REPO" -B "$REPO/build-bench" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$REPO/build-bench" -j "$(nproc)" --target ddbd >/dev/null
fi
DIR="$(mktemp -d "${TMPDIR:-/var/tmp}/ddbd-recordbench.XXXXXX")"
PORT=$((20000 + RANDOM % 20000))
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$DIR"
}
trap cleanup EXIT
wait_up() { for _ in $(seq 200); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.05; done; echo "no server on port $1" >&2; exit 1; }

"$BIN" --host 127.0.0.1 --port "$PORT" --data-dir "$DIR/off" --log-level warn & P=$!
wait_up "$PORT"
"$PY" "$SHARED/setup.py" "http://127.0.0.1:$PORT" --quiet --kv 10000 --ts-partitions 1 --ts-sorts 1 >/dev/null
kill "$P"; wait "$P" || true
cp -a "$DIR/off" "$DIR/on"
"$BIN" --host 127.0.0.1 --port "$PORT" --data-dir "$DIR/off" --log-level warn & PID_OFF=$!; PIDS+=($PID_OFF)
"$BIN" --host 127.0.0.1 --port $((PORT + 1)) --data-dir "$DIR/on" --log-level warn --record "$DIR/traffic.jsonl" &
PID_ON=$!; PIDS+=($PID_ON)
wait_up "$PORT"; wait_up $((PORT + 1))

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# run OP MODE PID PORT: one wrk run, one line "OP MODE rps p50_ms cpu_us_per_req requests wrk_cpu_s"
run() {
  local op=$1 mode=$2 pid=$3 port=$4 t0 t1 out
  kill -CONT "$pid"
  t0=$(cpu_ticks "$pid")
  out=$(cd "$SHARED/lua" && BENCH_SHARED_LUA="$SHARED/lua/" /usr/bin/time -o "$DIR/wrk.time" -f "%U %S" \
        wrk -t1 -c"$CONNS" -d"${DURATION}s" -s "$op.lua" "http://127.0.0.1:$port/" | grep '^RESULT')
  t1=$(cpu_ticks "$pid")
  kill -STOP "$pid"
  echo "$out" | "$PY" -c "
import sys, os
kv = dict(x.split('=', 1) for x in sys.stdin.read().split()[1:])
n = int(kv['requests']); hz = os.sysconf('SC_CLK_TCK')
wrk = sum(map(float, open('$DIR/wrk.time').read().split()[-2:]))
print('$op', '$mode', kv['rps'], kv['p50_ms'], '%.1f' % (($t1 - $t0) / hz * 1e6 / max(n, 1)), n, wrk)"
}
kill -STOP "$PID_OFF" "$PID_ON"
: > "$DIR/runs"
for r in $(seq "$ROUNDS"); do
  if [ $((r % 2)) -eq 1 ]; then order="off on"; else order="on off"; fi
  for op in getitem putitem; do
    for m in $order; do
      if [ "$m" = off ]; then run "$op" off "$PID_OFF" "$PORT" >> "$DIR/runs"
      else run "$op" on "$PID_ON" $((PORT + 1)) >> "$DIR/runs"; fi
    done
  done
done
kill -CONT "$PID_OFF" "$PID_ON"
# the recording whole (a stop writes every buffered line), then replayed as fast as it goes
kill "$PID_ON"; wait "$PID_ON" 2>/dev/null || true
CLI="${DDB_CLI:-$REPO/build/ddb}"
lines=$(wc -l < "$DIR/traffic.jsonl")
c0=$(cpu_ticks "$PID_OFF")
t0=$(date +%s.%N)
/usr/bin/time -o "$DIR/replay.time" -f "%U %S" \
  "$CLI" --endpoint "http://127.0.0.1:$PORT" replay "$DIR/traffic.jsonl" --as-fast-as-possible > "$DIR/replay.txt" 2>&1 || true
t1=$(date +%s.%N)
c1=$(cpu_ticks "$PID_OFF")
echo "replay $lines $t0 $t1 $(( c1 - c0 )) $(tail -n 1 "$DIR/replay.time") $(tail -n 2 "$DIR/replay.txt" | tr '\n' ' ')" \
  >> "$DIR/runs.replay"
"$PY" - "$DIR/runs" "$DIR/runs.replay" <<'PYEOF'
import os, sys, statistics
rows = {}
for line in open(sys.argv[1]):
    op, m, rps, p50, cpu, n, wrk = line.split()
    rows.setdefault((op, m), []).append((float(rps), float(p50), float(cpu), int(n), float(wrk)))
print("%-8s %-4s %12s %10s %14s" % ("op", "rec", "requests/s", "p50 ms", "CPU us/req"))
ok = True
for op in ("getitem", "putitem"):
    med = {}
    for m in ("off", "on"):
        v = rows[(op, m)]
        med[m] = [statistics.median(x[i] for x in v) for i in range(3)]
        print("%-8s %-4s %12.0f %10.3f %14.1f" % (op, m, *med[m]))
    ratio = med["on"][0] / med["off"][0]
    ok = ok and ratio >= 0.95
    print("%-8s on/off throughput %.3f" % (op, ratio))
print("PASS" if ok else "FAIL: recording costs more than 5 % of a throughput")
_, n, t0, t1, srv, ru, rs, *summary = open(sys.argv[2]).read().split(maxsplit=7)
hz = os.sysconf("SC_CLK_TCK")
recorded = statistics.median(r[0] for (op, m), v in rows.items() if m == "on" for r in v)
replayed = int(n) / (float(t1) - float(t0))
print("replay: %d requests in %.1f s, %.0f requests/s, against %.0f recorded (median of the on runs): %s"
      % (int(n), float(t1) - float(t0), replayed, recorded, "sustained" if replayed >= recorded else "BEHIND"))
# what a request cost the machine (both sides share its cores): recording, the "on" server and wrk;
# replaying, the "off" server and ddb replay
on = [r for (op, m), v in rows.items() if m == "on" for r in v]
on_n = sum(r[3] for r in on)
print("CPU per request: recorded %.1f us (server %.1f + wrk %.1f), replayed %.1f us (server %.1f + ddb replay %.1f)"
      % (sum(r[2] * r[3] for r in on) / on_n + sum(r[4] for r in on) * 1e6 / on_n,
         sum(r[2] * r[3] for r in on) / on_n, sum(r[4] for r in on) * 1e6 / on_n,
         (int(srv) / hz + float(ru) + float(rs)) * 1e6 / int(n), int(srv) / hz * 1e6 / int(n),
         (float(ru) + float(rs)) * 1e6 / int(n)))
print("replay's summary:", " ".join(summary).strip())
PYEOF
