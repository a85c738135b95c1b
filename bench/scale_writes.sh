#!/bin/bash
# scale_writes.sh: write operations across cores, two builds side by side (issue 74).
#   BASE=path/to/ddbd NEW=path/to/ddbd [WRK=wrk] [BENCH_SHARED=../shared/bench] [ROUNDS=2] [DUR=4]
#   [OPS="putitem updateitem transact_write4 deleteitem batchwrite25"] [DISK_OPS=putitem] [THREADS="1 2 8"]
#   [DISK_THREADS="1 8"] bash bench/scale_writes.sh
# On a machine of 16 cores or more: each server pinned to its first N cores (--threads N --shards N),
# wrk -t8 on cores 8-15, a fresh server per point, the two builds interleaved point by point, ROUNDS
# rounds. Every write operation (OPS: PutItem, UpdateItem, TransactWriteItems of 4 Puts, DeleteItem
# paired with the PutItem that puts its item back, BatchWriteItem of 25 Puts; bench/lua/) in memory
# at THREADS threads; DISK_OPS with --data-dir at DISK_THREADS. Prints req/s and the server's CPU per
# request (its utime + stime over the run). Nothing needs the network: copy the binaries, wrk, the shared harness and the libraries
# they load (ldd) to the machine (bench/README.md, "Writes across cores", says how it was run).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED=${BENCH_SHARED:-$HERE/../../shared/bench}; export BENCH_SHARED=$SHARED
BASE=${BASE:?set BASE}; NEW=${NEW:?set NEW}; WRK=${WRK:-wrk}; ROUNDS=${ROUNDS:-2}; DUR=${DUR:-4}
OPS=${OPS:-putitem updateitem transact_write4 deleteitem batchwrite25}; DISK_OPS=${DISK_OPS:-putitem}
THREADS=${THREADS:-1 2 8}; DISK_THREADS=${DISK_THREADS:-1 8}
LUA=$SHARED/lua
nproc
one() { # label bin N workload server-args...
  local label=$1 bin=$2 n=$3 w=$4; shift 4
  local port=$((20000 + RANDOM % 20000)) script=$LUA/$w.lua
  [ -f "$script" ] || script=$HERE/lua/$w.lua
  taskset -c 0-$((n-1)) "$bin" --port $port --threads $n --shards $n "$@" >/tmp/scale-writes-$n.log 2>&1 & local p=$!
  for _ in $(seq 50); do python3 -c "import socket;socket.create_connection(('127.0.0.1',$port)).close()" 2>/dev/null && break; sleep 0.1; done
  python3 "$SHARED/setup.py" http://127.0.0.1:$port --quiet >/dev/null 2>&1 || echo "setup failed $label n=$n"
  local c0; c0=$(awk '{print $14+$15}' /proc/$p/stat)
  local out; out=$(cd "$LUA" && taskset -c 8-15 "$WRK" -t8 -c$((32*n)) -d$DUR -s "$script" http://127.0.0.1:$port/ 2>&1)
  local c1; c1=$(awk '{print $14+$15}' /proc/$p/stat)
  local rps; rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  echo "$label n=$n $w $* rps=$rps cpu_us=$(python3 -c "print(round(($c1-$c0)*1e4/(float('$rps' or 1)*$DUR),1))") $(echo "$out" | grep -io 'non2xx=[0-9]*')"
  kill $p; wait $p 2>/dev/null
}
for r in $(seq "$ROUNDS"); do
  for w in $OPS; do for n in $THREADS; do
    one base "$BASE" $n $w --in-memory; one new "$NEW" $n $w --in-memory
  done; done
  for w in $DISK_OPS; do for n in $DISK_THREADS; do for b in base new; do
    rm -rf /tmp/scale-writes-data; one disk-$b "$([ $b = base ] && echo "$BASE" || echo "$NEW")" $n $w --data-dir /tmp/scale-writes-data
  done; done; done
  rm -rf /tmp/scale-writes-data
done
