#!/usr/bin/env bash
# bench/footprint.sh: ddbd's footprint beside DynamoDB Local's and dynalite's, in one run.
#
#   bench/footprint.sh [--reps N] [--image TAG] [--image-arm64 TAG] [--no-peers]
#                      [--all [--stream-writes N]]
#
# For each server: start-up, spawn to the first HTTP 200 for ListTables, two ways: the shared
# startup.py (through `bash -c`, polled every 2 ms: every server measured as the other benchmarks
# measure it) and bench/startup_probe.c (spawned directly, polled every 50 µs, so that 2 ms and
# 4 ms differ; the peers through `bash -c` (their commands end in exec), which adds ~1 ms to their seconds; and, as the
# floor, bench/h2o_floor.c: a server on Debian's h2o that only answers); and idle RSS
# 2 s after it is ready; medians of N spawns (default 9); ddbd both --in-memory and on an empty
# data directory. Then the image: `docker image inspect`'s size and the layers gzipped as a push
# sends them (TAG, default ddbd:test, when it exists; the arm64 image's too, default
# ddbd:test-arm64, as tests/docker/arm64.sh tags it, when it exists). Dynoxide's published figures
# (../shared/reference/peers.md, [DX]) are printed beside them as the mark.
# --all adds, for each server, RSS after memory_load.sh's load (compare.sh's tables and workloads,
# then N PutItems that each add a stream record, default 100000) and GetItem at one connection
# (latency_c1.sh, 3 rounds), and prints every figure in one table.
# DDBD_BIN picks the binary (default build/ddbd). Servers run one at a time, on loopback.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${DDBD_SHARED_BENCH:-$ROOT/../shared/bench}"
[ -d "$SHARED" ] || SHARED=/work/shared/bench
BIN="${DDBD_BIN:-$ROOT/build/ddbd}"
REPS=9 IMAGE=ddbd:test IMAGE_ARM64=ddbd:test-arm64 PEERS=1 ALL=0 WRITES=100000
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) REPS="$2"; shift 2 ;;
    --image) IMAGE="$2"; shift 2 ;;
    --image-arm64) IMAGE_ARM64="$2"; shift 2 ;;
    --no-peers) PEERS=0; shift ;;
    --all) ALL=1; shift ;;
    --stream-writes) WRITES="$2"; shift 2 ;;
    *) sed -n '2,22p' "$0"; exit 2 ;;
  esac
done
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# one server's medians: "ready_ms idle_rss_mb", from startup.py's STARTUP line
measure() {
  local cmd="$1" port="$2" line
  line="$(timeout -k 10 $((REPS * 90 + 60)) python3 "$ROOT/bench/startup_run.py" "$SHARED" "$cmd" "$port" \
            --reps "$REPS" --load-reps 0 | grep '^STARTUP')"
  echo "$line" | sed -E 's/.*ready_ms=([0-9.]+) \(min ([0-9.]+).*idle_tree_mb=([0-9.]+).*/\1 \2 \3/'
}


# an image's size as `docker image inspect` reports it and its layers gzipped as a push sends them;
# "-" when there is no such image
image_size() {
  docker image inspect "$1" >/dev/null 2>&1 || { echo "-"; return; }
  docker save "$1" -o "$TMP/image.tar"
  python3 - "$TMP/image.tar" "$(docker image inspect -f '{{.Size}}' "$1")" <<'PY'
import gzip, json, sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    z = sum(len(gzip.compress(t.extractfile(l).read(), 6)) for l in json.load(t.extractfile("manifest.json"))[0]["Layers"])
print("%.1f MB (%.2f MB gzipped)" % (int(sys.argv[2]) / 1e6, z / 1e6))
PY
  rm -f "$TMP/image.tar"
}

# ddbd's binary as read from disk, not as the link left it in the page cache: the resident code
# depends on how the cache holds the file (0.8 MB more VmRSS just after a link; tests/footprint)
python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.fsync(fd); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$BIN"
cc -O2 -o "$TMP/startup_probe" "$ROOT/bench/startup_probe.c"
# the floor of a server on Debian's h2o: exec, the loader, libh2o with its libssl and libcrypto
cc -O2 -o "$TMP/h2o_floor" "$ROOT/bench/h2o_floor.c" $(pkg-config --cflags --libs libh2o-evloop)

# "median min": startup_probe's figures for a command (its arguments; {PORT} and {DIR} substituted)
probe() {
  timeout -k 10 $((REPS * 90 + 60)) "$TMP/startup_probe" "$REPS" 18779 "$@" | grep '^STARTUP' |
    sed -E 's/.*median=([0-9.]+) min=([0-9.]+).*floor: [^0-9]*([0-9.]+) ms.*/\1 \2 \3/'
}

# one server's memory after memory_load.sh's load: its last line's VmRSS
after_load() {
  local out
  # (its status is the stopped server's: a peer stopped by SIGTERM exits 143)
  out="$(timeout -k 10 1800 "$ROOT/bench/memory_load.sh" --stream-writes "$WRITES" "$@" 2>&1)" || true
  echo "$out" | grep -q '^after the load' || { echo "failed"; return; }
  echo "$out" | grep '^after the load' | sed -E 's/.*VmRSS ([0-9.]+) MB, VmHWM ([0-9.]+) MB.*/\1 MB (peak \2)/'
}

uptime
declare -A START PROBE IDLE IMG LOAD C1
read -r ms best mb < <(measure "exec $BIN --in-memory --port {PORT}" 18771)
START[mem]="$ms ($best)" IDLE[mem]="$mb MB"
read -r ms best floor < <(probe "$BIN" --host 127.0.0.1 --port '{PORT}' --in-memory)
PROBE[mem]="$ms ($best)"
read -r ms best mb < <(measure "rm -rf $TMP/d && exec $BIN --data-dir $TMP/d --port {PORT}" 18772)
START[dir]="$ms ($best)" IDLE[dir]="$mb MB"
read -r ms best floor < <(probe "$BIN" --host 127.0.0.1 --port '{PORT}' --data-dir '{DIR}')
PROBE[dir]="$ms ($best)"
read -r ms best floor < <(probe "$TMP/h2o_floor" '{PORT}')
PROBE[h2o]="$ms ($best)"
IMG[dir]="$(image_size "$IMAGE")"
IMG[arm64]="$(image_size "$IMAGE_ARM64")"
SERVERS="mem dir"
if [ "$PEERS" = 1 ]; then
  # shellcheck source=/dev/null
  . "$SHARED/peers.env"
  read -r ms best mb < <(measure "$DDBLOCAL_CMD" 18773)
  START[ddblocal]="$ms ($best)" IDLE[ddblocal]="$mb MB" IMG[ddblocal]="225 MB pull, 471 on disk [DX]"
  read -r ms best floor < <(probe bash -c "$DDBLOCAL_CMD")
  PROBE[ddblocal]="$ms ($best)"
  read -r ms best mb < <(measure "$DYNALITE_CMD" 18774)
  START[dynalite]="$ms ($best)" IDLE[dynalite]="$mb MB" IMG[dynalite]="none (npm)"
  read -r ms best floor < <(probe bash -c "$DYNALITE_CMD")
  PROBE[dynalite]="$ms ($best)"
  SERVERS="mem dir ddblocal dynalite"
fi
if [ "$ALL" = 1 ]; then
  LOAD[mem]="$(DDBD_BIN="$BIN" after_load)"
  if [ "$PEERS" = 1 ]; then
    LOAD[ddblocal]="$(after_load --server "$DDBLOCAL_CMD")"
    LOAD[dynalite]="$(after_load --server "$DYNALITE_CMD")"
  fi
  # latency_c1.sh's table: "| ddbd | wrk -c1 | req/s | p50 µs | ..."
  c1="$(DDBD_BIN="$BIN" timeout -k 10 1800 "$ROOT/bench/latency_c1.sh" --rounds 3 $([ "$PEERS" = 1 ] || echo --no-peers) 2>&1)"
  c1_of() { echo "$c1" | awk -F'|' -v s="$1" '$2 ~ "^ "s" $" && $3 ~ /wrk/ {gsub(/ /, "", $4); gsub(/ /, "", $5); print $4 " req/s, p50 " $5 " µs"}'; }
  C1[mem]="$(c1_of ddbd)" C1[ddblocal]="$(c1_of "DynamoDB Local")" C1[dynalite]="$(c1_of dynalite)"
fi

declare -A NAME=([mem]="ddbd --in-memory" [dir]="ddbd, empty data directory" [ddblocal]="DynamoDB Local (-inMemory)"
                 [dynalite]="dynalite" [h2o]="(floor) h2o alone, bench/h2o_floor.c")
SERVERS="$SERVERS h2o"
echo
echo "start-up ms: median (best) of $REPS spawns; the probe's floor (/bin/true spawned to exit): $floor ms"
if [ "$ALL" = 1 ]; then
  echo "RSS after load: memory_load.sh --stream-writes $WRITES; GetItem c1: latency_c1.sh --rounds 3 (wrk -c1)"
  echo "| server | start-up ms, startup.py | start-up ms, probe | idle RSS | RSS after load | image | GetItem c1 |"
  echo "|---|---|---|---|---|---|---|"
  for k in $SERVERS; do
    echo "| ${NAME[$k]} | ${START[$k]:--} | ${PROBE[$k]} | ${IDLE[$k]:--} | ${LOAD[$k]:--} | ${IMG[$k]:--} | ${C1[$k]:--} |"
  done
  [ "${IMG[arm64]}" = "-" ] || echo "| ddbd, arm64 image | | | | | ${IMG[arm64]} | |"
  echo "| Dynoxide (published [DX]) | 2-15 | | 5-8 MB | | ~3 MB pull, 7 MB on disk | |"
else
  echo "| server | start-up ms, startup.py | start-up ms, probe | idle RSS | image |"
  echo "|---|---|---|---|---|"
  for k in $SERVERS; do
    echo "| ${NAME[$k]} | ${START[$k]:--} | ${PROBE[$k]} | ${IDLE[$k]:--} | ${IMG[$k]:--} |"
  done
  [ "${IMG[arm64]}" = "-" ] || echo "| ddbd, arm64 image | | | | ${IMG[arm64]} |"
  echo "| Dynoxide (published [DX]) | 2-15 | | 5-8 MB | ~3 MB pull, 7 MB on disk |"
fi
