#!/usr/bin/env bash
# integrations/node/test/run_testcontainers.sh: the Testcontainers module's test (ctest
# docker.testcontainers), against the image tests/docker/run.sh built ($DDBD_IMAGE, ddbd:test).
# Skipped (77) without a Docker engine or the image, unless DDBD_REQUIRE_DOCKER=1 (CI).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DDBD_IMAGE="${DDBD_IMAGE:-ddbd:test}"
skip() {
  [ "${DDBD_REQUIRE_DOCKER:-0}" = 1 ] && { echo "FAIL: $1"; exit 1; }
  echo "SKIP: $1"
  exit 77
}
docker info >/dev/null 2>&1 || skip "no Docker engine answers (tests/docker/run.sh starts one)"
docker image inspect "$DDBD_IMAGE" >/dev/null 2>&1 || skip "no image $DDBD_IMAGE (ctest docker.image builds it)"
# this engine has no bridge network: containers on the host's, the host named outright; Ryuk (the
# reaper) is off, its image cannot be pulled offline, so the test stops what it starts
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1
exec node --test test/testcontainers.test.mjs
