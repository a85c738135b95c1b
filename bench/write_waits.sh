#!/usr/bin/env bash
# write_waits.sh: what a write waits on when two request threads write at once (issue 74), counted.
#
#   [DDBD_BIN=build-bench/ddbd] [ROUNDS=2] [DUR=4] [OPS="putitem updateitem transact_write4"] [SHARDS=N]
#   bash bench/write_waits.sh
#
# For each write operation, at --threads 1 and 2 (--shards the same), in memory and with --data-dir:
# req/s, the server's CPU µs per request, and per request the server's sched_yield, futex and write
# system calls, counted by the kernel's tracepoints (perf stat -e syscalls:..., needs root). The
# counts do not depend on the machine's speed the way CPU time does: on a 2-core machine, where wrk
# shares the server's cores, CPU per request at two threads says little (bench/README.md, "Writes
# across cores"), but a sched_yield is a writer spinning in RocksDB's write queue
# (WriteThread::AwaitState) for the group ahead of it, and a write is one write-ahead log append:
# one a request means no two requests shared a group. The many-core figures are scale_writes.sh's.
# OPS may name putitem_2gsi (a table of two GSIs: bench/setup_gsi.py, bench/lua/), deleteitem (each
# DeleteItem followed by the PutItem that puts its item back), batchwrite25 (25 Puts) and batchexec25
# (BatchExecuteStatement of 25 PartiQL UPDATEs); SHARDS fixes
# --shards (and so, on a new data directory, its databases: one a shard) instead of N.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${DDBD_BIN:-$HERE/../build-bench/ddbd}
SHARED=${BENCH_SHARED:-$HERE/../../shared/bench}; export BENCH_SHARED=$SHARED
LUA=$SHARED/lua; DUR=${DUR:-4}; ROUNDS=${ROUNDS:-2}; OPS=${OPS:-putitem updateitem transact_write4}
EVENTS=syscalls:sys_enter_sched_yield,syscalls:sys_enter_futex,syscalls:sys_enter_write
# counts that read as zero because perf could not count them would look like no waiting at all
perf stat -e "$EVENTS" -- true >/dev/null 2>&1 ||
  { echo "write_waits.sh: perf cannot count $EVENTS here (root and the kernel's tracepoints are needed)" >&2; exit 2; }
DATA=$(mktemp -d /tmp/write-waits.XXXXXX)
trap 'rm -rf "$DATA"' EXIT

one() { # mode threads workload server-args...
  local mode=$1 n=$2 w=$3; shift 3
  local port=$((20000 + RANDOM % 20000)) script=$LUA/$w.lua
  [ -f "$script" ] || script=$HERE/lua/$w.lua
  "$BIN" --port "$port" --threads "$n" --shards "${SHARDS:-$n}" "$@" >"$DATA/server.log" 2>&1 &
  local p=$!
  for _ in $(seq 50); do
    python3 -c "import socket;socket.create_connection(('127.0.0.1',$port)).close()" 2>/dev/null && break
    sleep 0.1
  done
  local setup=("$SHARED/setup.py")
  [ "$w" != putitem_2gsi ] || setup=("$HERE/setup_gsi.py" --gsi-p 1 --gsi-s 1)
  python3 "${setup[@]}" "http://127.0.0.1:$port" --quiet >/dev/null 2>&1 || echo "setup failed: $mode $n $w"
  local c0 c1 out rps
  c0=$(awk '{print $14+$15}' "/proc/$p/stat")
  perf stat -x, -e "$EVENTS" -p "$p" -o "$DATA/perf.txt" -- sleep "$DUR" &
  local pp=$!
  out=$(cd "$LUA" && wrk -t1 -c$((32 * n)) -d"$DUR" -s "$script" "http://127.0.0.1:$port/" 2>&1)
  wait "$pp"
  c1=$(awk '{print $14+$15}' "/proc/$p/stat")
  kill "$p"; wait "$p" 2>/dev/null
  rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  awk -F, -v mode="$mode" -v n="$n" -v w="$w" -v rps="${rps:-0}" -v dur="$DUR" -v cpu=$((c1 - c0)) '
    /syscalls/ { split($3, a, "sys_enter_"); c[a[2]] = $1 }
    END { req = rps * dur; if (req == 0) req = 1
          printf "%-15s %-6s %d %9.0f %7.1f %8.3f %6.3f %6.3f\n", w, mode, n, rps, cpu * 1e4 / req,
                 c["sched_yield"] / req, c["futex"] / req, c["write"] / req }' "$DATA/perf.txt"
}

printf "%-15s %-6s %s %9s %7s %8s %6s %6s\n" operation mode N "req/s" "cpu_us" yields futex write
for _ in $(seq "$ROUNDS"); do
  for w in $OPS; do
    for n in 1 2; do
      one memory "$n" "$w" --in-memory
      rm -rf "$DATA/d"; one disk "$n" "$w" --data-dir "$DATA/d"
    done
  done
done
