#!/usr/bin/env bash
# deploy/ddbd.sh: the one entry point for setting up, building, running and testing ddbd.
#
#   deploy/ddbd.sh deps     install the Debian packages (idempotent; as root, or through sudo)
#   deploy/ddbd.sh build    deps + a release build in ./build
#   deploy/ddbd.sh run [ddbd options]   build + start ddbd in the foreground
#                           (default: 127.0.0.1:8000, data in ./ddbd-data)
#   deploy/ddbd.sh test     deps + build + the whole test suite (ctest), then the C tests and the
#                           client library's tests (against a sanitized ddbd) again under
#                           AddressSanitizer and UndefinedBehaviorSanitizer, then each libFuzzer
#                           target for FUZZ_SECONDS (default 30)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JOBS="$(nproc 2>/dev/null || echo 2)"

PACKAGES=(build-essential cmake pkg-config libh2o-evloop-dev libssl-dev librocksdb-dev libsodium-dev
          libyajl-dev libgmp-dev zlib1g-dev python3 python3-boto3 python3-pytest awscli curl
          clang libclang-rt-14-dev valgrind openssl
          chromium golang-go golang-github-aws-aws-sdk-go-v2-dev)   # tests/tools, tests/go

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

deps() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "ddbd: installing ${missing[*]}" >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  # the JavaScript SDK v3 tests (tests/js) and the tool tests (tests/tools: Dynamoose,
  # dynamodb-admin with puppeteer-core, which drives Debian's chromium and never downloads a
  # browser) need node and npm; Debian's are enough
  if ! command -v npm >/dev/null 2>&1; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  fi
  for dir in "$ROOT/tests/js" "$ROOT/tests/tools"; do
    [ -f "$dir/package.json" ] || continue
    # installed again when the lock file changed since (a new test dependency)
    if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
      (cd "$dir" && PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error >/dev/null)
    fi
  done
}

build() {
  deps
  cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDDB_WERROR=ON >/dev/null
  cmake --build "$ROOT/build" -j "$JOBS"
}

run() {
  build
  if [ "$#" -eq 0 ]; then set -- --host 127.0.0.1 --port 8000 --data-dir "$ROOT/ddbd-data"; fi
  exec "$ROOT/build/ddbd" "$@"
}

test_all() {
  build
  (cd "$ROOT/build" && ctest --output-on-failure -j "$JOBS")
  # the C tests again under the sanitizers
  cmake -S "$ROOT" -B "$ROOT/build-asan" -DCMAKE_BUILD_TYPE=Debug -DDDB_SANITIZE=ON -DDDB_WERROR=ON >/dev/null
  cmake --build "$ROOT/build-asan" -j "$JOBS"
  # ... and the whole black-box suite against the sanitized ddbd (h2o's process-lifetime
  # allocations are the only leaks suppressed: tests/lsan.supp)
  (cd "$ROOT/build-asan" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
     LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp" \
     ctest --output-on-failure -j "$JOBS" -L 'unit|client|compat|js|tools')
  fuzz "${FUZZ_SECONDS:-30}"
}

# Builds the libFuzzer targets with clang and runs each for $1 seconds from its seed corpus.
fuzz() {
  local seconds="$1" work
  CC=clang cmake -S "$ROOT" -B "$ROOT/build-fuzz" -DCMAKE_BUILD_TYPE=Debug -DDDB_FUZZ=ON >/dev/null
  cmake --build "$ROOT/build-fuzz" -j "$JOBS" --target fuzz_expr fuzz_request fuzz_partiql fuzz_sigv4 fuzz_json fuzz_number
  # every seed and every input that once crashed a target (tests/fuzz/regressions) runs once
  (cd "$ROOT/build-fuzz" && ctest --output-on-failure -L fuzz)
  for f in fuzz_expr fuzz_request fuzz_partiql fuzz_sigv4 fuzz_json fuzz_number; do
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
  build) build ;;
  run) shift; run "$@" ;;
  test) test_all ;;
  *) sed -n '2,10p' "$0"; exit 2 ;;
esac
