#!/usr/bin/env bash
# tests/docker/run.sh: the Docker image's test (ctest label docker).
#
# Builds the image (deploy/ddbd.sh image: debootstrap base, then deploy/Dockerfile), then runs
# tests/docker/test_image.py against it: the image's size (<= 20 MB; <= 8 MB compressed) and contents, a subset of
# the boto3 black-box suite against a container's port, the health status becoming healthy, a
# SIGTERM stop and a restart on the same volume keeping the data, the CPU quota and the volume's
# shard count, DynamoDB Local's compose command, docs/docker.md's DynamoDB Local compose service
# run as printed (a bind mount of a missing host directory; no volume left behind), and
# deploy/compose.yaml's app talking to ddbd (docker-compose, with compose.no-bridge.yaml). Containers and
# volumes it made are removed.
#
# Without a Docker engine it says so and exits 77 (ctest: skipped), or 1 when DDBD_REQUIRE_DOCKER=1
# (deploy/ddbd.sh test sets it: CI must not pass without the image's test).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PY="${DDBD_PYTHON:-/usr/bin/python3}"
TAG="${DDBD_IMAGE:-ddbd:test}"
RUN_ID="$$-$(date +%s)"

no_engine() {
  if [ "${DDBD_REQUIRE_DOCKER:-0}" = 1 ]; then
    echo "FAIL: $1"
    exit 1
  fi
  echo "SKIP: $1"
  exit 77
}

command -v docker >/dev/null || no_engine "the docker command is not installed (deploy/ddbd.sh deps-test installs docker.io)"
if ! docker info >/dev/null 2>&1; then
  # a machine without a service manager (CI): start dockerd as deploy/ddbd.sh does
  if [ "$(id -u)" = 0 ] && command -v dockerd >/dev/null; then
    "$ROOT/deploy/ddbd.sh" docker-engine || true
  fi
  docker info >/dev/null 2>&1 ||
    no_engine "no Docker engine answers: $( (docker info 2>&1 || true) | grep -i -m1 -E 'error|cannot' || echo 'docker info failed')"
fi

cleanup() {
  local ids
  ids="$(docker ps -aq --filter "label=ddbd-test=$RUN_ID" 2>/dev/null || true)"
  [ -z "$ids" ] || docker rm -f -v $ids >/dev/null 2>&1 || true
  ids="$(docker volume ls -q --filter "label=ddbd-test=$RUN_ID" 2>/dev/null || true)"
  [ -z "$ids" ] || docker volume rm -f $ids >/dev/null 2>&1 || true
}
trap cleanup EXIT

t0=$(date +%s)
"$ROOT/deploy/ddbd.sh" image "$TAG" >"${TMPDIR:-/tmp}/ddbd-image-build.$RUN_ID.log" 2>&1 || {
  tail -n 40 "${TMPDIR:-/tmp}/ddbd-image-build.$RUN_ID.log"
  echo "FAIL: the image did not build (log above)"
  exit 1
}
echo "image $TAG built in $(( $(date +%s) - t0 )) s: $(docker image inspect -f '{{.Size}}' "$TAG") bytes"
rm -f "${TMPDIR:-/tmp}/ddbd-image-build.$RUN_ID.log"

cd "$ROOT/tests/docker"
DDBD_IMAGE="$TAG" DDBD_TEST_RUN="$RUN_ID" "$PY" -m pytest -q -p no:cacheprovider test_image.py
