#!/bin/bash
# scale_processes.sh: eight servers of one thread against one server of eight (issue 74).
#   DDBD=path/to/ddbd [WRK=wrk] [BENCH_SHARED=../shared/bench] [ROUNDS=2] [DUR=4] [XENV="VAR=1 ..."] bash bench/scale_processes.sh
# On a machine of 16 cores or more. Eight servers at --threads 1 share nothing: no RocksDB write
# queue or log, no catalog, no counter; their sum is what eight writers get from this machine, and
# one server at --threads 8 --shards 8 against it is what one process loses to what its threads
# share. Each point: K servers of T threads, server i pinned to cores i*T..i*T+T-1, loaded by one
# wrk -t8 on cores 8-15 (one server) or by a wrk -t1 each (eight), 32 connections a thread, a
# fresh server per point; PutItem, TransactWriteItems (4 Puts) and GetItem in memory and PutItem
# with --data-dir, at 1x1, 1x8 and 8x1. Prints the summed req/s and the servers' CPU per request
# (their utime + stime over the run). XENV is set in every server's environment (an experiment
# build's switch). Nothing needs the network: copy the binary, wrk, the shared harness and the
# libraries they load (ldd) to the machine (bench/README.md, "Eight servers against one").
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED=${BENCH_SHARED:-$HERE/../../shared/bench}; export BENCH_SHARED=$SHARED
DDBD=${DDBD:?set DDBD}; WRK=${WRK:-wrk}; ROUNDS=${ROUNDS:-2}; DUR=${DUR:-4}; XENV=${XENV:-}
LUA=$SHARED/lua
TMP=$(mktemp -d /tmp/scale-processes.XXXXXX); PORT=21000
trap 'rm -rf "$TMP"' EXIT
nproc

# the lua script of a workload: the shared harness's, else this folder's (transact_write4)
script_of() { [ -f "$LUA/$1.lua" ] && echo "$LUA/$1.lua" || echo "$HERE/lua/$1.lua"; }

up() { # port: waits until the server listens
  for _ in $(seq 100); do
    python3 -c "import socket;socket.create_connection(('127.0.0.1',$1)).close()" 2>/dev/null && return
    sleep 0.05
  done
}

point() { # mode K T workload   (mode: memory or disk)
  local mode=$1 k=$2 t=$3 w=$4 pids=() ports=() setups=() loads=() i p c0=0 c1=0
  for i in $(seq 0 $((k - 1))); do
    PORT=$((PORT + 1)); ports+=("$PORT")
    local store=(--in-memory)
    [ "$mode" = disk ] && { rm -rf "$TMP/d$i"; store=(--data-dir "$TMP/d$i"); }
    # (env, then taskset, exec the server: $! is its pid)
    # shellcheck disable=SC2086 # XENV is a list of VAR=value words
    env $XENV taskset -c $((i * t))-$((i * t + t - 1)) "$DDBD" --port "$PORT" --threads "$t" --shards "$t" \
      "${store[@]}" >"$TMP/server$i.log" 2>&1 &
    pids+=("$!")
  done
  for p in "${ports[@]}"; do up "$p"; done
  for p in "${ports[@]}"; do
    python3 "$SHARED/setup.py" "http://127.0.0.1:$p" --ts-partitions 1 --ts-sorts 1 --quiet >/dev/null 2>&1 ||
      echo "setup failed: $mode $k x $t $w" &
    setups+=("$!")
  done
  wait "${setups[@]}"
  for p in "${pids[@]}"; do c0=$((c0 + $(awk '{print $14+$15}' "/proc/$p/stat"))); done
  if [ "$k" = 1 ]; then
    (cd "$LUA" && taskset -c 8-15 "$WRK" -t8 -c$((32 * t)) -d"$DUR" -s "$(script_of "$w")" \
      "http://127.0.0.1:${ports[0]}/" >"$TMP/wrk0.out" 2>&1)
  else
    for i in $(seq 0 $((k - 1))); do
      (cd "$LUA" && taskset -c $((8 + i * 8 / k)) "$WRK" -t1 -c$((32 * t)) -d"$DUR" -s "$(script_of "$w")" \
        "http://127.0.0.1:${ports[$i]}/" >"$TMP/wrk$i.out" 2>&1) &
      loads+=("$!")
    done
    wait "${loads[@]}"
  fi
  for p in "${pids[@]}"; do c1=$((c1 + $(awk '{print $14+$15}' "/proc/$p/stat"))); done
  kill "${pids[@]}"; wait "${pids[@]}" 2>/dev/null
  cat "$TMP"/wrk*.out | awk -v mode="$mode" -v k="$k" -v t="$t" -v w="$w" -v dur="$DUR" -v cpu=$((c1 - c0)) \
    -v xenv="$XENV" '
    /Requests\/sec/ { rps += $2 }
    /non2xx=/ { if (match($0, /non2xx=[0-9]+/)) bad += substr($0, RSTART + 7, RLENGTH - 7) }
    END { printf "%-15s %-6s %dx%d %9.0f %7.1f non2xx=%d %s\n", w, mode, k, t, rps,
                 cpu * 1e4 / ((rps > 0 ? rps : 1) * dur), bad, xenv }'
  rm -f "$TMP"/wrk*.out; rm -rf "$TMP"/d*
}

printf "%-15s %-6s %s %9s %7s\n" operation mode KxT "req/s" "cpu_us"
for _ in $(seq "$ROUNDS"); do
  for w in putitem transact_write4 getitem; do
    point memory 1 1 "$w"; point memory 1 8 "$w"; point memory 8 1 "$w"
  done
  point disk 1 1 putitem; point disk 1 8 putitem; point disk 8 1 putitem
done
