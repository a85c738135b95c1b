#!/usr/bin/env bash
# bench/rados_gateways.sh: GetItem / PutItem / Query throughput and latency of ddbd on RADOS with
# one and with two gateways, next to the RocksDB backend, in one run (bench/README.md, "RADOS").
#
#   bench/rados_gateways.sh [--duration S] [--conns N] [--rounds R] [--workloads "getitem putitem query"]
#
# Configurations, measured with the shared wrk scripts (../shared/bench/lua):
#   rocksdb   one `ddbd --in-memory`
#   rados-1   one `ddbd --backend rados` on a pool namespace, loaded with the shared setup.py
#   rados-2   that gateway and a second one on the same namespace; wrk runs against both at once
#             (N/2 connections each) and their throughputs add up (no proxy in the way)
# The three servers run throughout; each round measures every workload on rocksdb, rados-1 and
# rados-2 in turn (so drifts in the machine's load hit all alike), and the tables show medians.
# The cluster is deploy/ceph-cluster.sh's (started in a temporary directory and stopped at the
# end) unless RADOS_CONF names one. Prints one table, the RADOS/RocksDB ratios and the 1 -> 2
# gateway scaling. Env: DDBD_BIN (default: build/ddbd of this checkout), BENCH_SHARED,
# KV_N/TS_P/TS_S (data set, default 2000/20/100: RADOS loads items one round trip per batch).
# On a machine where the cluster shares the cores with ddbd and wrk, the figures say how the
# pieces compare, not what a real cluster does.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=${BENCH_SHARED:-$ROOT/../shared/bench}
[ -f "$SHARED/setup.py" ] || SHARED=/work/shared/bench
DDBD_BIN=${DDBD_BIN:-$ROOT/build/ddbd}
DURATION=10 CONNS=16 ROUNDS=3 WORKLOADS="getitem putitem query"
while [ $# -gt 0 ]; do
  case $1 in
    --duration) DURATION=$2; shift 2 ;;
    --conns) CONNS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --workloads) WORKLOADS=$2; shift 2 ;;
    *) echo "usage: $0 [--duration S] [--conns N] [--rounds R] [--workloads LIST]" >&2; exit 2 ;;
  esac
done
export KV_N=${KV_N:-2000} TS_P=${TS_P:-20} TS_S=${TS_S:-100}
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

# measure CONFIG WORKLOAD ENDPOINT...: wrk against every endpoint at once, CONNS split among them
measure() {
  local config=$1 workload=$2; shift 2
  local n=$# c=$((CONNS / $#)) i=0 ep
  [ "$c" -ge 1 ] || c=1
  for ep in "$@"; do
    wrk -t1 -c"$c" -d"${DURATION}s" -s "$SHARED/lua/$workload.lua" "$ep" >"$OUT/run-$i.txt" 2>&1 &
    eval "w$i=\$!"
    i=$((i + 1))
  done
  for j in $(seq 0 $((n - 1))); do eval "wait \$w$j"; done
  cat "$OUT"/run-*.txt | grep '^RESULT' | sed "s/^RESULT /RESULT config=$config run=$RANDOM$RANDOM /" \
    >>"$OUT/results.txt"
  rm -f "$OUT"/run-*.txt
}

echo "results and logs: $OUT" >&2
ep=$(start rocksdb --in-memory)
ep1=$(start rados-a --backend rados --rados-conf "$RADOS_CONF" --rados-pool "ddbd/$NS")
ep2=$(start rados-b --backend rados --rados-conf "$RADOS_CONF" --rados-pool "ddbd/$NS")
for e in "$ep" "$ep1"; do
  python3 "$SHARED/setup.py" "$e" --quiet --kv "$KV_N" --ts-partitions "$TS_P" --ts-sorts "$TS_S" \
    >>"$OUT/setup.log" 2>&1 || { echo "setup.py failed on $e: $(tail -n 3 "$OUT/setup.log")" >&2; exit 1; }
done
for r in $(seq "$ROUNDS"); do
  for w in $WORKLOADS; do
    echo "  round $r/$ROUNDS: $w (${DURATION} s each, $CONNS connections)" >&2
    measure rocksdb "$w" "$ep"
    measure rados-1 "$w" "$ep1"
    measure rados-2 "$w" "$ep1" "$ep2"
  done
done
stop_all

python3 - "$OUT/results.txt" "$WORKLOADS" <<'EOF'
import sys, collections, statistics
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    f = dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)
    runs[(f["config"], f["workload"], f["run"])].append(f)
rows = collections.defaultdict(list)
for (config, w, _), rs in runs.items():
    # one measurement: throughputs add up; latencies: the slower gateway's percentile
    rows[(config, w)].append((sum(float(r["rps"]) for r in rs), max(float(r["p50_ms"]) for r in rs),
                              max(float(r["p99_ms"]) for r in rs),
                              sum(int(r["non2xx"]) + int(r["sockerr"]) for r in rs)))
def agg(config, w):
    ms = rows.get((config, w), [])
    if not ms:
        return None
    return tuple(statistics.median(m[i] for m in ms) for i in range(3)) + (sum(m[3] for m in ms),)
print("medians of %d rounds" % max(len(v) for v in rows.values()))
print("| workload | config | req/s | p50 ms | p99 ms | errors |")
print("|---|---|---:|---:|---:|---:|")
for w in sys.argv[2].split():
    for config in ("rocksdb", "rados-1", "rados-2"):
        a = agg(config, w)
        if a:
            print("| %s | %s | %.0f | %.2f | %.2f | %d |" % (w, config, *a))
print()
print("| workload | rados-1 / rocksdb | rados-2 / rocksdb | 1 -> 2 gateways |")
print("|---|---:|---:|---:|")
for w in sys.argv[2].split():
    r, g1, g2 = agg("rocksdb", w), agg("rados-1", w), agg("rados-2", w)
    if r and g1 and g2:
        print("| %s | %.2f | %.2f | x%.2f |" % (w, g1[0] / r[0], g2[0] / r[0], g2[0] / g1[0]))
EOF
