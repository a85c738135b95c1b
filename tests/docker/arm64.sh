#!/usr/bin/env bash
# tests/docker/arm64.sh: the arm64 image's test (ctest docker.arm64, label docker). Opt-in.
#
# Cross-builds the arm64 image (deploy/ddbd.sh image-arm64), makes this machine's kernel run arm64
# binaries through qemu-user-static (deploy/ddbd.sh deps-emulation), then runs
# tests/docker/test_arm64.py: the image's platform, files and compressed size, a
# CreateTable/PutItem/GetItem against it run under emulation, and the multi-arch manifest (both
# images pushed to Debian's registry on loopback by deploy/ddbd.sh image-multiarch, then pulled
# back for each platform and run).
#
# From a cold cache the cross build takes minutes (the cross compiler and the arm64 libraries,
# then ddbd at -j2), more than CI's budget has room for, so it runs only when asked:
#   DDBD_ARM64=1 ctest -R docker.arm64 --output-on-failure      (in the build directory)
# and otherwise says so and exits 77 (ctest: skipped). With DDBD_ARM64=1 and no Docker engine it
# fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PY="${DDBD_PYTHON:-/usr/bin/python3}"
TAG="${DDBD_IMAGE_ARM64:-ddbd:test-arm64}"
RUN_ID="$$-$(date +%s)"

if [ "${DDBD_ARM64:-0}" != 1 ]; then
  echo "SKIP: the arm64 image's test runs with DDBD_ARM64=1 (a cross build of some minutes: see tests/docker/arm64.sh)"
  exit 77
fi
if ! docker info >/dev/null 2>&1; then
  "$ROOT/deploy/ddbd.sh" docker-engine || { echo "FAIL: no Docker engine"; exit 1; }
fi

cleanup() {
  local ids
  ids="$(docker ps -aq --filter "label=ddbd-test=$RUN_ID" 2>/dev/null || true)"
  [ -z "$ids" ] || docker rm -f -v $ids >/dev/null 2>&1 || true
}
trap cleanup EXIT

"$ROOT/deploy/ddbd.sh" deps-emulation
log="${TMPDIR:-/tmp}/ddbd-image-arm64.$RUN_ID.log"
t0=$(date +%s)
"$ROOT/deploy/ddbd.sh" image-arm64 "$TAG" >"$log" 2>&1 || {
  tail -n 40 "$log"
  echo "FAIL: the arm64 image did not build (log above)"
  exit 1
}
echo "image $TAG built in $(( $(date +%s) - t0 )) s: $(docker image inspect -f '{{.Size}}' "$TAG") bytes"
rm -f "$log"

cd "$ROOT/tests/docker"
DDBD_IMAGE_ARM64="$TAG" DDBD_TEST_RUN="$RUN_ID" "$PY" -m pytest -q -p no:cacheprovider test_arm64.py
