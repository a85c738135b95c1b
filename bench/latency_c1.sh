#!/usr/bin/env bash
# bench/latency_c1.sh: GetItem at one connection, ddbd beside the floor of this machine and the
# peers, in one interleaved run (bench/README.md, "GetItem at one connection").
#
#   bench/latency_c1.sh [--rounds N] [--duration S] [--no-peers] [--out DIR]
#
# Rows, each measured N rounds (servers interleaved, the others SIGSTOPped), medians printed:
#   echo        bench/loopback_floor.c's echo: a C client and server, blocking read and write on one
#               TCP loopback connection, GetItem's request and answer sizes: the kernel's round trip;
#               and again with the server polling (non-blocking reads), which never sleeps
#   http floor  wrk -c1 with the shared getitem.lua against loopback_floor's canned HTTP answer of
#               GetItem's size: the harness's own floor (wrk and its Lua included); again polling
#   ddbd        DDBD_BIN (default build/ddbd) --in-memory, loaded by the shared setup.py; wrk -c1
#               getitem.lua, and loopback_floor's C client sending one GetItem (no Lua)
#   ddbd base   DDBD_BASE_BIN, when set: the build before a change, measured the same way
#   ddblocal, dynalite   the peers (../shared/peers/peer), wrk -c1 only, after a 15 s c16 warm-up
# For each: req/s, p50 and p99 of the round trip, and for the servers their CPU time per request
# (all threads, /proc/PID/stat) during the wrk run. Everything binds 127.0.0.1; every process the
# script starts is stopped on exit.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${BENCH_SHARED:-$ROOT/../shared/bench}"
[ -d "$SHARED" ] || SHARED=/work/shared/bench
PEER="${PEER:-$SHARED/../peers/peer}"
BIN="${DDBD_BIN:-$ROOT/build/ddbd}"
BASE="${DDBD_BASE_BIN:-}"
ROUNDS=5 DUR=5 PEERS=1 OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --duration) DUR="$2"; shift 2 ;;
    --no-peers) PEERS=0; shift ;;
    --out) OUT="$2"; shift 2 ;;
    *) sed -n '2,20p' "$0"; exit 2 ;;
  esac
done
OUT="${OUT:-$(mktemp -d /tmp/latency_c1.XXXXXX)}"
mkdir -p "$OUT"
LUA="$SHARED/lua/getitem.lua"
export KV_N="${KV_N:-10000}" TS_P="${TS_P:-100}" TS_S="${TS_S:-100}"

PIDS=() PEERS_STARTED=()
cleanup() {
  for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill -CONT "$p" 2>/dev/null; kill "$p" 2>/dev/null || true; done
  for e in "${PEERS_STARTED[@]+"${PEERS_STARTED[@]}"}"; do timeout 30 "$PEER" stop ${e} >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
trap "exit 130" INT; trap "exit 143" TERM HUP

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cc -O2 -o "$OUT/loopback_floor" "$ROOT/bench/loopback_floor.c" -lpthread
FLOOR="$OUT/loopback_floor"

# GetItem as wrk's getitem.lua renders it, for the C client
getitem_request() {
  python3 - "$1" <<'PY'
import sys
auth = ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host;x-amz-date;x-amz-target, Signature=" + "0123456789abcdef" * 4)
body = '{"TableName":"bench_kv","Key":{"pk":{"S":"user#1234"}}}'
sys.stdout.write("POST / HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nContent-Type: application/x-amz-json-1.0\r\n"
                 "X-Amz-Target: DynamoDB_20120810.GetItem\r\nX-Amz-Date: 20260101T000000Z\r\n"
                 "Authorization: %s\r\nContent-Length: %d\r\n\r\n%s" % (sys.argv[1], auth, len(body), body))
PY
}

declare -A PORT PID
start_ddbd() {  # name binary
  local port; port=$(free_port)
  setsid "$2" --host 127.0.0.1 --port "$port" --in-memory >"$OUT/$1.log" 2>&1 </dev/null &
  PID[$1]=$!; PIDS+=("${PID[$1]}"); PORT[$1]=$port
  timeout 70 python3 "$SHARED/startup.py" --wait-only "http://127.0.0.1:$port" 60
  timeout 300 python3 "$SHARED/setup.py" "http://127.0.0.1:$port" --quiet
  getitem_request "$port" >"$OUT/$1.req"
}
SERVERS="http_floor http_floor_poll ddbd"
for s in http_floor http_floor_poll; do
  port=$(free_port)
  "$FLOOR" serve "$port" $([ $s = http_floor ] || echo --poll) >"$OUT/$s.log" 2>&1 &
  PID[$s]=$!; PIDS+=("${PID[$s]}"); PORT[$s]=$port
  sleep 0.2
  getitem_request "$port" >"$OUT/$s.req"
done
start_ddbd ddbd "$BIN"
if [ -n "$BASE" ]; then start_ddbd ddbd_base "$BASE"; SERVERS="$SERVERS ddbd_base"; fi
if [ "$PEERS" = 1 ]; then
  for s in ddblocal dynalite; do
    port=$(free_port)
    timeout 180 "$PEER" start "$s" "$port" >"$OUT/$s.start.log" 2>&1
    PEERS_STARTED+=("$s $port")
    PID[$s]="$(cat "${PEERS_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/ddbd-peers}/$s/$port.pid")"; PORT[$s]=$port
    timeout 300 python3 "$SHARED/setup.py" "http://127.0.0.1:$port" --quiet
    timeout 60 wrk -t1 -c16 -d15s -s "$LUA" "http://127.0.0.1:$port" >/dev/null 2>&1 || true # the JIT's warm-up
    SERVERS="$SERVERS $s"
  done
fi

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
pause_others() { local o; for o in $SERVERS; do [ "$o" = "$1" ] || kill -"$2" "${PID[$o]}" 2>/dev/null || true; done; }
RES="$OUT/results.tsv"
: >"$RES"
for r in $(seq 1 "$ROUNDS"); do
  load=$(cut -d' ' -f1 /proc/loadavg)
  pause_others none STOP
  for e in echo echo_poll; do
    out=$("$FLOOR" echo --seconds "$DUR" $([ $e = echo ] || echo --poll))
    cpu=$(sed -n 's/.*CPU us per round trip: server \([0-9.]*\),.*/\1/p' <<<"$out")
    echo -e "$e\tc\t$r\t$(grep 'round trip us' <<<"$out")\t${cpu:--}\t$load" >>"$RES"
  done
  pause_others none CONT
  for s in $SERVERS; do
    url="http://127.0.0.1:${PORT[$s]}"
    pause_others "$s" STOP
    a=$(ticks "${PID[$s]}")
    w=$(timeout $((DUR + 30)) wrk -t1 -c1 -d"${DUR}s" --latency -s "$LUA" "$url" | grep '^RESULT')
    b=$(ticks "${PID[$s]}")
    n=$(sed -E 's/.* requests=([0-9]+) .*/\1/' <<<"$w")
    cpu=$(python3 -c "print('%.1f' % (($b - $a) * 1e6 / $(getconf CLK_TCK) / max($n, 1)))")
    echo -e "$s\twrk\t$r\t$w\t$cpu\t$load" >>"$RES"
    if [ -f "$OUT/$s.req" ]; then
      line=$("$FLOOR" client "127.0.0.1:${PORT[$s]}" "$OUT/$s.req" --seconds "$DUR" | grep 'round trip us')
      echo -e "$s\tc\t$r\t$line\t-\t$load" >>"$RES"
    fi
    pause_others "$s" CONT
  done
done

python3 - "$RES" <<'PY'
import re, statistics, sys
rows = {}
for l in open(sys.argv[1]):
    s, client, r, text, cpu, load = l.rstrip("\n").split("\t")
    if client == "wrk":
        m = re.search(r"rps=([\d.]+) p50_ms=([\d.]+).*p99_ms=([\d.]+).* non2xx=(\d+)", text)
        rps, p50, p99, bad = float(m[1]), float(m[2]) * 1000, float(m[3]) * 1000, int(m[4])
    else:
        m = re.search(r"([\d.]+)/s, round trip us p50 ([\d.]+) p90 [\d.]+ p99 ([\d.]+)", text)
        rps, p50, p99, bad = float(m[1]), float(m[2]), float(m[3]), 0
    rows.setdefault((s, client), []).append((rps, p50, p99, None if cpu == "-" else float(cpu), float(load), bad))
med = lambda xs: statistics.median(xs) if xs else float("nan")
print("| what | client | req/s | p50 µs | p99 µs | server CPU µs/req | rounds | load (1 min) |")
print("|---|---|---:|---:|---:|---:|---:|---|")
names = {"echo": "echo (C client and server, no work)", "echo_poll": "echo, the server polling",
         "http_floor": "HTTP floor (canned answer)", "http_floor_poll": "HTTP floor, the server polling", "ddbd": "ddbd",
         "ddbd_base": "ddbd base", "ddblocal": "DynamoDB Local", "dynalite": "dynalite"}
for (s, client), v in rows.items():
    cpu = [x[3] for x in v if x[3] is not None]
    print("| %s | %s | %.0f | %.1f | %.0f | %s | %d%s | %.1f-%.1f |" % (
        names.get(s, s), "wrk -c1" if client == "wrk" else "C client", med([x[0] for x in v]), med([x[1] for x in v]),
        med([x[2] for x in v]), "%.1f" % med(cpu) if cpu else "-", len(v),
        " (%d with errors)" % sum(1 for x in v if x[5]) if any(x[5] for x in v) else "",
        min(x[4] for x in v), max(x[4] for x in v)))
PY
echo "raw results: $RES"
