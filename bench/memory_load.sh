#!/usr/bin/env bash
# bench/memory_load.sh: ddbd --in-memory's memory after the benchmark's full load (issue 31, item 3).
#
#   bench/memory_load.sh [--stream-writes N] [--seconds S] [--conns C] [--server CMD] [-- DDBD_ARGS...]
#
# --server CMD runs the same load against another server instead (a peer: CMD is its start
# command with {PORT}, as ../shared/bench/peers.env gives it; footprint.sh --all uses this); the
# last line is then that server's memory, and the /metrics lines are ddbd's only.
#
# Starts `ddbd --in-memory` (DDBD_BIN, default build/ddbd) on a free loopback port and loads it
# as compare.sh does: the shared setup.py (bench_kv, bench_ts), setup_gsi.py and setup_streams.py;
# then each of compare.sh's workloads (getitem putitem query_gsi putitem_nogsi putitem_2gsi
# putitem_nostream) for S seconds (default 10) at C connections (default 16), and putitem_stream
# in 10 s wrk runs until N PutItems (default 1500000) have each added a NEW_AND_OLD_IMAGES stream
# record. Then it prints VmRSS, VmHWM, RssAnon and the retention budgets' lines of /metrics
# (ddbd_retained_*), 2 s after the last write, and stops the server. Arguments after `--` go to
# ddbd (for example `-- --memory-budget 0` for no budget). Loopback only; every step is bounded.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${BENCH_SHARED:-$ROOT/../shared/bench}"
[ -f "$SHARED/setup.py" ] || SHARED=/work/shared/bench
export BENCH_SHARED="$SHARED"
BIN="${DDBD_BIN:-$ROOT/build/ddbd}"
WRITES=1500000 SECS=10 CONNS=16 SERVER=""
while [ $# -gt 0 ]; do
  case "$1" in
    --stream-writes) WRITES="$2"; shift 2 ;;
    --seconds) SECS="$2"; shift 2 ;;
    --conns) CONNS="$2"; shift 2 ;;
    --server) SERVER="$2"; shift 2 ;;
    --) shift; break ;;
    *) sed -n '2,14p' "$0"; exit 2 ;;
  esac
done
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
URL="http://127.0.0.1:$PORT"
LOG="$(mktemp)"
if [ -z "$SERVER" ]; then
  "$BIN" --in-memory --host 127.0.0.1 --port "$PORT" --log-level warn "$@" >"$LOG" 2>&1 &
else # (its command ends in exec: the pid is the server's own)
  bash -c "${SERVER//\{PORT\}/$PORT}" >"$LOG" 2>&1 &
fi
PID=$!
trap 'kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; rm -f "$LOG"' EXIT
for _ in $(seq 1200); do curl -s -o /dev/null "$URL/" 2>/dev/null && break; sleep 0.05; done

mem() { # "VmRSS VmHWM RssAnon" in MB
  awk '/^(VmRSS|VmHWM|RssAnon):/ {v[$1]=$2} END {printf "VmRSS %.1f MB, VmHWM %.1f MB, RssAnon %.1f MB\n", v["VmRSS:"]/1024, v["VmHWM:"]/1024, v["RssAnon:"]/1024}' /proc/"$PID"/status
}
lua() { if [ -f "$ROOT/bench/lua/$1.lua" ]; then echo "$ROOT/bench/lua/$1.lua"; else echo "$SHARED/lua/$1.lua"; fi; }
# one wrk run; prints the requests it completed (a run with non-2xx answers stops the script)
run() {
  local out
  out="$(timeout -k 5 $(($2 + 60)) wrk -t1 -c"$CONNS" -d"$2"s -s "$(lua "$1")" "$URL" 2>&1)"
  if echo "$out" | grep -q 'non2xx=[1-9]'; then echo "$out" | tail -5 >&2; echo "$1: errors" >&2; exit 1; fi
  echo "$out" | awk '/requests in/ {print $1}'
}

if [ -z "$SERVER" ]; then
  echo "ddbd $("$BIN" --version 2>&1 | head -1), args: --in-memory $*; $(uptime)"
else
  echo "server: $SERVER; $(uptime)"
fi
echo "idle: $(mem)"
timeout -k 5 900 python3 "$SHARED/setup.py" "$URL" >/dev/null
timeout -k 5 900 python3 "$ROOT/bench/setup_gsi.py" "$URL" --quiet >/dev/null
timeout -k 5 900 python3 "$ROOT/bench/setup_streams.py" "$URL" >/dev/null
echo "loaded: $(mem)"
for w in getitem putitem query_gsi putitem_nogsi putitem_2gsi putitem_nostream; do
  n="$(run "$w" "$SECS")"
  echo "$w: $n requests; $(mem)"
done
done_writes=0
while [ "$done_writes" -lt "$WRITES" ]; do
  n="$(run putitem_stream 10)"
  done_writes=$((done_writes + n))
  echo "putitem_stream: $done_writes stream records; $(mem)"
done
sleep 2
echo "after the load: $(mem)"
curl -sf "$URL/metrics" | grep -E '^ddbd_(retained_|store_(memtable|cache_bytes|file_bytes))' || true
