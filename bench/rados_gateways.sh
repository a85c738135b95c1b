#!/usr/bin/env bash
# bench/rados_gateways.sh: GetItem / PutItem / Query / TransactWriteItems throughput, latency, RADOS
# round trips per request and CPU of ddbd on RADOS with 1, 2 and 4 gateways, next to the RocksDB
# backend, in one run (bench/README.md, "RADOS"; docs/scale-out.md, "Scale-out figures").
#
#   bench/rados_gateways.sh [--duration S] [--conns N] [--rounds R] [--gateways "1 2 4"]
#                           [--workloads "getitem putitem query transact_write4"]
#
# Configurations, measured with the shared wrk scripts (../shared/bench/lua; transact_write4, 4
# Puts on distinct random keys of the loaded kv table, is this repository's bench/lua):
#   rocksdb   one `ddbd --in-memory`
#   rados-G   G gateways (`ddbd --backend rados`) on one pool namespace, loaded with the shared
#             setup.py; wrk runs against all G at once (N/G connections each) and their
#             throughputs add up (no proxy in the way)
# All servers run throughout; each round measures every workload on every configuration in turn
# (so drifts in the machine's load hit all alike), and the tables show medians. Each measurement
# (bench/rados_measure.py) also takes the gateways' RADOS operations (ddbd_rados_ops_total) per
# request and the CPU of the gateways, the OSDs, the monitor and manager and wrk over the run.
# The cluster is deploy/ceph-cluster.sh's (started in a temporary directory and stopped at the
# end) unless RADOS_CONF names one. GATEWAY_ARGS: more arguments for every gateway (e.g.
# "--threads 8": a gateway's storage calls are synchronous on its event-loop threads, so its
# threads are how many requests it has at the cluster at once). Env: DDBD_BIN (default: build/ddbd of this checkout),
# BENCH_SHARED, KV_N/TS_P/TS_S (data set, default 2000/20/100: RADOS loads items one round trip per
# batch). On a machine where the cluster shares the cores with ddbd and wrk, the figures say how
# the pieces compare, not what a real cluster does.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=${BENCH_SHARED:-$ROOT/../shared/bench}
[ -f "$SHARED/setup.py" ] || SHARED=/work/shared/bench
DDBD_BIN=${DDBD_BIN:-$ROOT/build/ddbd}
DURATION=10 CONNS=16 ROUNDS=3 WORKLOADS="getitem putitem query transact_write4" GATEWAYS="1 2 4"
while [ $# -gt 0 ]; do
  case $1 in
    --duration) DURATION=$2; shift 2 ;;
    --conns) CONNS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --workloads) WORKLOADS=$2; shift 2 ;;
    --gateways) GATEWAYS=$2; shift 2 ;;
    *) echo "usage: $0 [--duration S] [--conns N] [--rounds R] [--gateways LIST] [--workloads LIST]" >&2; exit 2 ;;
  esac
done
GATEWAY_ARGS=${GATEWAY_ARGS:-}
export BENCH_SHARED=$SHARED KV_N=${KV_N:-2000} TS_P=${TS_P:-20} TS_S=${TS_S:-100}
for t in wrk python3 curl; do command -v $t >/dev/null || { echo "missing tool: $t" >&2; exit 1; }; done
[ -x "$DDBD_BIN" ] || { echo "no ddbd at $DDBD_BIN (set DDBD_BIN)" >&2; exit 1; }

OUT=$(mktemp -d /tmp/ddbd-bench-rados-XXXXXX)
CEPH_DIR=""
cleanup() {
  stop_all
  [ -n "$CEPH_DIR" ] && "$ROOT/deploy/ceph-cluster.sh" stop "$CEPH_DIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT

if [ -z "${RADOS_CONF:-}" ]; then
  CEPH_DIR=$OUT/ceph
  RADOS_CONF=$("$ROOT/deploy/ceph-cluster.sh" start "$CEPH_DIR" | tail -n 1)
fi
NS=bench-$$

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start NAME ARGS...: a ddbd on a free port; prints its endpoint once it answers
start() {
  local name=$1 port; shift
  port=$(free_port)
  "$DDBD_BIN" --host 127.0.0.1 --port "$port" "$@" >"$OUT/$name.log" 2>&1 &
  echo $! >>"$OUT/pids" # start runs in $( ): the caller's PIDS would not see it
  for _ in $(seq 200); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && { echo "http://127.0.0.1:$port"; return; }
    sleep 0.05
  done
  echo "ddbd $name did not start: $(tail -n 3 "$OUT/$name.log")" >&2
  exit 1
}

stop_all() {
  [ -f "$OUT/pids" ] || return 0
  while read -r p; do kill "$p" 2>/dev/null || true; done <"$OUT/pids"
  while read -r p; do while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; done <"$OUT/pids"
  rm -f "$OUT/pids"
}

# lua WORKLOAD: this repository's script, or the shared harness's
lua() { if [ -f "$HERE/lua/$1.lua" ]; then echo "$HERE/lua/$1.lua"; else echo "$SHARED/lua/$1.lua"; fi; }

# measure CONFIG WORKLOAD PIDS ENDPOINT...: wrk against every endpoint at once, CONNS split among
# them; PIDS (comma-separated) are the servers whose CPU is the "gateways" column
measure() {
  local config=$1 workload=$2 pids=$3; shift 3
  python3 "$HERE/rados_measure.py" run --config "$config" --workload "$workload" --lua "$(lua "$workload")" \
    --conns "$CONNS" --duration "$DURATION" --out "$OUT/results.jsonl" --ceph-run "$CEPH_RUN" \
    --gateway-pids "$pids" "$@"
}

echo "results and logs: $OUT" >&2
CEPH_RUN=$(sed -n 's/^run dir = //p' "$RADOS_CONF")
ep=$(start rocksdb --in-memory)
rocks_pid=$(tail -n 1 "$OUT/pids")
MAXG=$(printf '%s\n' $GATEWAYS | sort -n | tail -n 1)
eps=() gpids=()
for g in $(seq "$MAXG"); do
  # one at a time: each completes the write intents it finds when it opens the pool
  eps+=("$(start "rados-$g" --backend rados --rados-conf "$RADOS_CONF" --rados-pool "ddbd/$NS" $GATEWAY_ARGS)")
  gpids+=("$(tail -n 1 "$OUT/pids")")
done
for e in "$ep" "${eps[0]}"; do
  python3 "$SHARED/setup.py" "$e" --quiet --kv "$KV_N" --ts-partitions "$TS_P" --ts-sorts "$TS_S" \
    >>"$OUT/setup.log" 2>&1 || { echo "setup.py failed on $e: $(tail -n 3 "$OUT/setup.log")" >&2; exit 1; }
done
CONFIGS="rocksdb"
for g in $GATEWAYS; do CONFIGS="$CONFIGS rados-$g"; done
for r in $(seq "$ROUNDS"); do
  for w in $WORKLOADS; do
    echo "  round $r/$ROUNDS: $w (${DURATION} s each, $CONNS connections)" >&2
    measure rocksdb "$w" "$rocks_pid" "$ep"
    for g in $GATEWAYS; do
      measure "rados-$g" "$w" "$(IFS=,; echo "${gpids[*]:0:$g}")" "${eps[@]:0:$g}"
    done
  done
done
stop_all

python3 "$HERE/rados_measure.py" report "$OUT/results.jsonl" "$WORKLOADS" "$CONFIGS" | tee "$OUT/report.md"
