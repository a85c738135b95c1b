#!/bin/sh
# bench/libddb_http_layers.sh [BUILD_DIR] [ROUNDS] [N1] [N16]: libddb's HTTP layer by measurement
# (issue 12). Builds bench/libddb_http_layers.c with cc + pkg-config against BUILD_DIR/libddb.a
# (not part of the CMake build), starts one ddbd --in-memory on a free loopback port, creates table
# "bench" with item pk="k1", then runs, ROUNDS times, every layer in turn (libddb, libddb_call,
# plain, curl, h2o) for GetItem and PutItem at 1 thread (N1 requests) and at 16 threads with one
# connection each (N16 requests). Prints every run, then the medians over the rounds.
#
# Defaults: BUILD_DIR=<repo>/build (needs libddb.a, ddbd and the ddb tool: cmake --build BUILD_DIR
# --target ddbd ddb_static ddb_cli), ROUNDS=5, N1=100000, N16=200000. Environment: DDBD_BIN (another
# ddbd), LAYERS (a subset, in order), OUT (results directory, default /tmp/libddb-http-layers-<time>),
# CALLGRIND=1 (also count user-space instructions per request under valgrind, below).
# Needs libcurl4-openssl-dev and libh2o-evloop-dev for those two layers; without one, it is skipped.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
build=$(cd "${1:-$repo/build}" && pwd)
rounds=${2:-5}
n1=${3:-100000}
n16=${4:-200000}
ddbd=${DDBD_BIN:-$build/ddbd}
out=${OUT:-/tmp/libddb-http-layers-$(date +%Y%m%d-%H%M%S)}
layers=${LAYERS:-libddb libddb_call plain curl h2o}
mkdir -p "$out"

# Build.
defs= pkgs="yajl libsodium gmp"
if pkg-config --exists libcurl; then pkgs="$pkgs libcurl"; else defs="$defs -DNO_CURL"; layers=$(echo "$layers" | sed 's/curl//'); echo "no libcurl (apt-get install libcurl4-openssl-dev): curl skipped"; fi
if pkg-config --exists libh2o-evloop && [ -f /usr/include/h2o/http1client.h ]; then pkgs="$pkgs libh2o-evloop"; else defs="$defs -DNO_H2O"; layers=$(echo "$layers" | sed 's/h2o//'); echo "no libh2o-evloop-dev: h2o skipped"; fi
# shellcheck disable=SC2086
cc -O2 -g -std=gnu11 -Wall -Wextra $defs -I"$repo/include" -I"$repo/proto" "$here/libddb_http_layers.c" \
   "$build/libddb.a" $(pkg-config --cflags --libs $pkgs) -lpthread -o "$out/libddb_http_layers"

# Server, table, item.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ep="http://127.0.0.1:$port"
"$ddbd" --host 127.0.0.1 --port "$port" --in-memory --log-level error >"$out/ddbd.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
trap 'exit 1' INT TERM
tries=0
until "$build/ddb" --endpoint "$ep" health >/dev/null 2>&1; do
  tries=$((tries + 1)); [ $tries -lt 200 ] || { echo "ddbd did not start"; exit 1; }; sleep 0.05
done
"$build/ddb" --endpoint "$ep" call CreateTable '{"TableName":"bench","BillingMode":"PAY_PER_REQUEST",
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
  "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]}' >/dev/null
"$build/ddb" --endpoint "$ep" call PutItem '{"TableName":"bench","Item":{"pk":{"S":"k1"},"v":{"N":"1"}}}' >/dev/null

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "ddbd: $ddbd; libddb: $build/libddb.a; curl: $(curl-config --version 2>/dev/null || echo none); h2o: $(sed -n 's/^#define H2O_VERSION "\(.*\)"/\1/p' /usr/include/h2o/version.h 2>/dev/null || echo none)"
  echo "rounds=$rounds N1=$n1 N16=$n16 layers: $layers"
} | tee "$out/meta.txt"

# Runs, interleaved: every layer in turn within each round, so drifts in machine load hit all alike.
: >"$out/runs.txt"
r=1
while [ $r -le "$rounds" ]; do
  for op in get put; do
    for th in 1 16; do
      n=$n1; [ "$th" = 1 ] || n=$n16
      for l in $layers; do
        line=$(timeout 300 "$out/libddb_http_layers" "$ep" bench "$l" "$op" "$th" "$n") || { echo "FAILED: $l $op $th: $line"; exit 1; }
        echo "round=$r $line load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$out/runs.txt"
      done
    done
  done
  r=$((r + 1))
done

# Medians over the rounds (ROUNDS=0 with CALLGRIND=1: instruction counts only).
[ "$rounds" -gt 0 ] && python3 - "$out/runs.txt" "$layers" <<'EOF' | tee "$out/report.md"
import statistics, sys
runs = [dict(kv.split("=", 1) for kv in line.split()) for line in open(sys.argv[1]) if line.strip()]
layers = sys.argv[2].split()
print("| layer | op | threads | requests/s | user µs/req | sys µs/req | total µs/req (range) | rounds |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for op in ("get", "put"):
    for th in ("1", "16"):
        for l in layers:
            rs = [r for r in runs if r["layer"] == l and r["op"] == op and r["threads"] == th]
            if not rs:
                continue
            med = lambda k: statistics.median(float(r[k]) for r in rs)
            tot = [float(r["total_us"]) for r in rs]
            print(f"| {l} | {'GetItem' if op == 'get' else 'PutItem'} | {th} | {med('req_s'):,.0f} | {med('user_us'):.2f} | "
                  f"{med('sys_us'):.2f} | {med('total_us'):.2f} ({min(tot):.2f}-{max(tot):.2f}) | {len(rs)} |")
EOF
# Optional (CALLGRIND=1, needs valgrind): user-space instructions per request at 1 thread, which
# machine load does not change: (Ir of 12000 requests - Ir of 2000 requests) / 10000, no warm-up,
# so connecting and start-up cancel out. Kernel work (the system column) is not counted. For
# plain, curl and h2o the last column leaves out sign() (the same SigV4 code in all three): what
# remains is the HTTP layer, plus writing the head and the x-amz-crc32 check.
if [ "${CALLGRIND:-0}" = 1 ]; then
  ir() { sed -n 's/^summary: *//p; s/^totals: *//p' "$1" | head -1 | cut -d' ' -f1; }
  ir_sign() { callgrind_annotate --inclusive=yes "$1" 2>/dev/null | sed -n 's/^ *\([0-9,]*\) .*:sign \[.*/\1/p' | head -1 | tr -d ,; }
  echo; echo "| layer | op | instructions/req | without sign() |"; echo "|---|---|---:|---:|"
  for op in get put; do
    for l in $layers; do
      for n in 2000 12000; do
        timeout 600 valgrind --tool=callgrind --callgrind-out-file="$out/cg.$l.$op.$n" "$out/libddb_http_layers" "$ep" bench "$l" "$op" 1 $n 0 \
          >/dev/null 2>"$out/cg.$l.$op.$n.log" || { echo "callgrind run failed: see $out/cg.$l.$op.$n.log" >&2; exit 1; }
      done
      all=$(( ($(ir "$out/cg.$l.$op.12000") - $(ir "$out/cg.$l.$op.2000")) / 10000 ))
      s1=$(ir_sign "$out/cg.$l.$op.12000"); s0=$(ir_sign "$out/cg.$l.$op.2000")
      rest=-; [ -z "$s1" ] || rest=$(( all - (s1 - s0) / 10000 ))
      echo "| $l | $([ $op = get ] && echo GetItem || echo PutItem) | $all | $rest |"
    done
  done | tee -a "$out/report.md"
fi
echo "results: $out"
