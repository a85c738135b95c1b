#!/usr/bin/env bash
# deploy/ddbd.sh: the one entry point for setting up, building, running and testing ddbd.
#
#   deploy/ddbd.sh run [ddbd options]   deps-runtime + deps-build + a build of the server alone
#                           (quiet: its log is build/build.log), then start ddbd in the
#                           foreground (default: 127.0.0.1:8000, data in ./ddbd-data)
#   deploy/ddbd.sh test     every dependency + build + the whole test suite (ctest, the Docker
#                           image's test among it), then the C tests and the black-box suites
#                           again under AddressSanitizer and UndefinedBehaviorSanitizer, then each
#                           libFuzzer target for FUZZ_SECONDS (default 30)
#   deploy/ddbd.sh build    deps-runtime + deps-build + a release build in ./build
#   deploy/ddbd.sh image [TAG]  the Docker image (default tag ddbd): deploy/docker-base.sh, then
#                           docker build -f deploy/Dockerfile (starts a Docker engine if none runs)
#   deploy/ddbd.sh deps-runtime | deps-build | deps-test | deps (all three)
#                           install the Debian packages (idempotent; as root, or through sudo)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JOBS="$(nproc 2>/dev/null || echo 2)"

# What a built ddbd links (the static build takes RocksDB, libsodium, yajl and GMP from archives;
# the shared build, -DDDB_STATIC_ROCKSDB=OFF, gets their libraries through the -dev packages).
RUNTIME_PACKAGES=(libh2o-evloop0.13 libssl3 zlib1g)
# What building it takes (librados-dev: the RADOS backend, built only when librados is found;
# libhnswlib-dev: the approximate vector search's graph, header-only).
BUILD_PACKAGES=(build-essential cmake pkg-config libh2o-evloop-dev libssl-dev librocksdb-dev libsodium-dev
                libyajl-dev libgmp-dev zlib1g-dev libzstd-dev librados-dev libhnswlib-dev)
# What the tests take: the clients (boto3, the AWS CLI; node and npm for the JS SDK, below),
# pytest-xdist (the pytest plugin's parallel workers, integrations/pytest), prometheus-client (its
# strict OpenMetrics parser checks the exemplar page, test_tracing.py), clang
# for the fuzzers and sanitizer runtimes, valgrind, openssl (TLS tests), util-linux (taskset,
# unshare), Docker's engine, docker-compose and debootstrap for the image's test, and Chromium, Go and
# the Go SDK v2 for the tools' tests (tests/tools, tests/go), and Ceph's daemons for the loopback
# cluster of the RADOS backend's tests (deploy/ceph-cluster.sh), with socat for the two-gateway
# example (deploy/rados-gateways.sh).
TEST_PACKAGES=(python3 python3-boto3 python3-pytest python3-prometheus-client python3-pytest-xdist awscli curl zstd clang libclang-rt-14-dev valgrind openssl
               util-linux docker.io docker-compose debootstrap
               chromium golang-go golang-github-aws-aws-sdk-go-v2-dev
               ceph-mon ceph-osd ceph-mgr socat)

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the named Debian packages that are missing.
install_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "ddbd: installing ${missing[*]}" >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

deps_runtime() { install_packages "${RUNTIME_PACKAGES[@]}"; }
deps_build() { install_packages "${BUILD_PACKAGES[@]}"; }

deps_test() {
  install_packages "${TEST_PACKAGES[@]}"
  # the JavaScript SDK v3 tests (tests/js) and the tool tests (tests/tools: Dynamoose,
  # dynamodb-admin with puppeteer-core, which drives Debian's chromium and never downloads a
  # browser) need node and npm; Debian's are enough
  if ! command -v npm >/dev/null 2>&1; then
    install_packages nodejs npm
  fi
  for dir in "$ROOT/tests/js" "$ROOT/tests/tools" "$ROOT/tests/s3" "$ROOT/integrations/node"; do
    [ -f "$dir/package.json" ] || continue
    # installed again when the lock file changed since (a new test dependency)
    if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
      (cd "$dir" && PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error >/dev/null)
    fi
  done
}

deps() {
  deps_runtime
  deps_build
  deps_test
}

build() {
  deps_runtime
  deps_build
  cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDDB_WERROR=ON -DDDB_TESTS=ON >/dev/null
  cmake --build "$ROOT/build" -j "$JOBS"
}

# The server alone (no test registered or built, so none of the test dependencies' warnings),
# its output in build/build.log, shown only when the build fails.
build_server() {
  local log="$ROOT/build/build.log"
  deps_runtime
  deps_build
  mkdir -p "$ROOT/build"
  echo "ddbd: building ddbd (log: build/build.log)" >&2
  if ! { cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDDB_WERROR=ON -DDDB_TESTS=OFF &&
         cmake --build "$ROOT/build" -j "$JOBS" --target ddbd; } >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "ddbd: the build failed (the whole log: build/build.log)" >&2
    return 1
  fi
}

run() {
  build_server
  if [ "$#" -eq 0 ]; then set -- --host 127.0.0.1 --port 8000 --data-dir "$ROOT/ddbd-data"; fi
  exec "$ROOT/build/ddbd" "$@"
}

# Makes sure a Docker engine answers: on a machine without a service manager (CI) dockerd is
# started here, in the background, with no bridge network and no iptables rules (the image's
# test runs its containers with --network host, on loopback); its log is build/dockerd.log.
docker_engine() {
  docker info >/dev/null 2>&1 && return 0
  command -v dockerd >/dev/null || install_packages docker.io
  mkdir -p "$ROOT/build"
  echo "ddbd: starting dockerd (log: build/dockerd.log)" >&2
  as_root sh -c "nohup dockerd --iptables=false --bridge=none >>'$ROOT/build/dockerd.log' 2>&1 &"
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "ddbd: dockerd did not start; the end of its log:" >&2
  tail -n 20 "$ROOT/build/dockerd.log" >&2
  return 1
}

image() {
  local tag="${1:-ddbd}"
  docker_engine
  install_packages debootstrap
  as_root "$ROOT/deploy/docker-base.sh"
  # --network host: apt-get in the build stage reaches the mirror without a bridge network
  docker build --network host --build-arg JOBS="$JOBS" -f "$ROOT/deploy/Dockerfile" -t "$tag" "$ROOT"
  # The build stage (about 800 MB) stays as the next build's cache under a tag; the untagged ones
  # that earlier builds left are removed. (The second build only reuses the cached layers.)
  docker build --network host --build-arg JOBS="$JOBS" -f "$ROOT/deploy/Dockerfile" --target build \
    -t ddbd-build:latest "$ROOT" >/dev/null
  docker image prune -f --filter label=org.ddbd.stage=build >/dev/null
  echo "ddbd: image $tag, $(docker image inspect -f '{{.Size}}' "$tag") bytes"
}

test_all() {
  deps
  build
  # the image's test (label docker) needs an engine; it fails rather than skips when this is set
  docker_engine || echo "ddbd: no Docker engine: the image's test (docker.image) will fail" >&2
  (cd "$ROOT/build" && DDBD_REQUIRE_DOCKER=1 ctest --output-on-failure -j "$JOBS")
  # the C tests again under the sanitizers
  cmake -S "$ROOT" -B "$ROOT/build-asan" -DCMAKE_BUILD_TYPE=Debug -DDDB_SANITIZE=ON -DDDB_WERROR=ON >/dev/null
  cmake --build "$ROOT/build-asan" -j "$JOBS"
  # ... and the whole black-box suite against the sanitized ddbd (h2o's process-lifetime
  # allocations are the only leaks suppressed: tests/lsan.supp)
  # (the default-prefix install is the release build's alone: a sanitized libddb needs the runtime)
  (cd "$ROOT/build-asan" && DDB_TEST_SYSTEM_INSTALL= ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
     LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp" \
     ctest --output-on-failure -j "$JOBS" -L 'unit|client|compat|js|tools')
  fuzz "${FUZZ_SECONDS:-30}"
}

# Builds the libFuzzer targets with clang and runs each for $1 seconds from its seed corpus.
fuzz() {
  local seconds="$1" work targets=() src
  for src in "$ROOT"/tests/fuzz/fuzz_*.c; do targets+=("$(basename "$src" .c)"); done
  CC=clang CXX=clang++ cmake -S "$ROOT" -B "$ROOT/build-fuzz" -DCMAKE_BUILD_TYPE=Debug -DDDB_FUZZ=ON >/dev/null
  cmake --build "$ROOT/build-fuzz" -j "$JOBS" --target "${targets[@]}"
  # every seed and every input that once crashed a target (tests/fuzz/regressions) runs once
  (cd "$ROOT/build-fuzz" && ctest --output-on-failure -L fuzz)
  for f in "${targets[@]}"; do
    work="$(mktemp -d)"
    cp "$ROOT/tests/fuzz/corpus/$f/"* "$work/"
    echo "fuzzing $f for ${seconds}s"
    # a fixed seed keeps CI reproducible; run with another -seed by hand to explore further
    "$ROOT/build-fuzz/$f" -seed=1 -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 "$work" 2>&1 | tail -n 3
    rm -rf "$work"
  done
}

case "${1:-}" in
  deps) deps ;;
  deps-runtime) deps_runtime ;;
  deps-build) deps_build ;;
  deps-test) deps_test ;;
  build) build ;;
  run) shift; run "$@" ;;
  test) test_all ;;
  image) shift; image "$@" ;;
  docker-engine) docker_engine ;;
  *) sed -n '2,15p' "$0"; exit 2 ;;
esac
