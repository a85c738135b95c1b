#!/usr/bin/env bash
# bench/footprint.sh: ddbd's footprint beside DynamoDB Local's and dynalite's, in one run.
#
#   bench/footprint.sh [--reps N] [--image TAG] [--image-arm64 TAG] [--no-peers]
#
# For each server: start-up (spawn to the first HTTP 200 for ListTables, polled every 2 ms) and
# idle RSS 2 s after it is ready, the medians of N spawns (default 9), by the shared startup.py
# (../shared/bench) run through startup_run.py; ddbd both --in-memory and on an empty data
# directory. Then the image: `docker image inspect`'s size and the layers gzipped as a push sends
# them (TAG, default ddbd:test, when it exists; the arm64 image's too, default ddbd:test-arm64, as
# tests/docker/arm64.sh tags it, when it exists). Dynoxide's published figures
# (../shared/reference/peers.md, [DX]) are printed beside them as the mark.
# DDBD_BIN picks the binary (default build/ddbd). Servers run one at a time, on loopback.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${DDBD_SHARED_BENCH:-$ROOT/../shared/bench}"
[ -d "$SHARED" ] || SHARED=/work/shared/bench
BIN="${DDBD_BIN:-$ROOT/build/ddbd}"
REPS=9 IMAGE=ddbd:test IMAGE_ARM64=ddbd:test-arm64 PEERS=1
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) REPS="$2"; shift 2 ;;
    --image) IMAGE="$2"; shift 2 ;;
    --image-arm64) IMAGE_ARM64="$2"; shift 2 ;;
    --no-peers) PEERS=0; shift ;;
    *) sed -n '2,14p' "$0"; exit 2 ;;
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

row() { printf '| %-28s | %10s | %8s | %9s | %-30s |\n' "$@"; }

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
uptime
row server "start-up ms" "(best)" "idle RSS" image
row "---" "---" "---" "---" "---"
read -r ms best mb < <(measure "exec $BIN --in-memory --port {PORT}" 18771)
row "ddbd --in-memory" "$ms" "$best" "$mb MB" ""
read -r ms best mb < <(measure "rm -rf $TMP/d && exec $BIN --data-dir $TMP/d --port {PORT}" 18772)
image="$(image_size "$IMAGE")"
row "ddbd, empty data directory" "$ms" "$best" "$mb MB" "$image"
image="$(image_size "$IMAGE_ARM64")"
[ "$image" = "-" ] || row "ddbd, arm64 image" "" "" "" "$image"
if [ "$PEERS" = 1 ]; then
  # shellcheck source=/dev/null
  . "$SHARED/peers.env"
  read -r ms best mb < <(measure "$DDBLOCAL_CMD" 18773)
  row "DynamoDB Local (-inMemory)" "$ms" "$best" "$mb MB" "225 MB pull, 471 on disk [DX]"
  read -r ms best mb < <(measure "$DYNALITE_CMD" 18774)
  row "dynalite" "$ms" "$best" "$mb MB" "none (npm)"
fi
row "Dynoxide (published [DX])" "2-15" "" "5-8 MB" "~3 MB pull, 7 MB on disk"
