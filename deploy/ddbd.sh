#!/usr/bin/env bash
# deploy/ddbd.sh: the one entry point for setting up, building, running and testing ddbd.
#
#   deploy/ddbd.sh run [ddbd options]   deps-runtime + deps-build + a build of the server alone
#                           (quiet: its log is build/build.log), then start ddbd in the
#                           foreground (default: 127.0.0.1:8000, data in ./ddbd-data)
#   deploy/ddbd.sh install [PREFIX]  the server, libddb and the ddb tool built as `run` builds,
#                           then cmake --install into PREFIX (default /usr/local: ddbd on PATH)
#   deploy/ddbd.sh test     every dependency + build + the test suite (ctest, the Docker image's
#                           test among it), then the C tests and the black-box suites again under
#                           AddressSanitizer and UndefinedBehaviorSanitizer, then each libFuzzer
#                           target for FUZZ_SECONDS (default 22), one a CPU at a time; CI's run: label
#                           `extended` (README.md "Tests") only with DDB_TEST_EXTENDED=1
#   deploy/ddbd.sh fuzz [TARGET...]  the libFuzzer targets (tests/fuzz; clang, after deps) built,
#                           their seeds and regressions replayed, then each fuzzed FUZZ_SECONDS
#                           from the seed FUZZ_SEED (default: from the checkout's commit), printed
#   deploy/ddbd.sh build    deps-runtime + deps-build + a release build in ./build
#   deploy/ddbd.sh image [TAG]  the Docker image (default tag ddbd): deploy/docker-base.sh, then
#                           docker build -f deploy/Dockerfile (starts a Docker engine if none runs)
#   deploy/ddbd.sh image-arm64 [TAG]  the arm64 image (default tag ddbd:arm64), cross-built
#   deploy/ddbd.sh image-multiarch REGISTRY/NAME[:TAG]  both images pushed as NAME:TAG-amd64 and
#                           NAME:TAG-arm64, and the multi-arch manifest NAME:TAG over them
#   deploy/ddbd.sh deps-runtime | deps-build [ARCH] | deps-test | deps (all three) | deps-emulation
#                           install the Debian packages (idempotent; as root, or through sudo)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JOBS="$(nproc 2>/dev/null || echo 2)"

# What a built ddbd links (the static build takes RocksDB, libsodium, yajl, libyaml and GMP from archives;
# the shared build, -DDDB_STATIC_ROCKSDB=OFF, gets their libraries through the -dev packages).
RUNTIME_PACKAGES=(libh2o-evloop0.13 libssl3 zlib1g)
# What building it takes: the libraries, which a cross build (deps-build ARCH) installs for ARCH;
# librados-dev (the RADOS backend, built only when librados is found; not cross-built: the image
# ships no librados either way) and libhnswlib-dev (the approximate vector search's graph,
# header-only, any architecture).
BUILD_LIBS=(libh2o-evloop-dev libssl-dev librocksdb-dev libsodium-dev libyajl-dev libyaml-dev libgmp-dev zlib1g-dev libzstd-dev)
BUILD_PACKAGES=(build-essential cmake pkg-config "${BUILD_LIBS[@]}" librados-dev libhnswlib-dev)
# What running and testing the arm64 image on an amd64 machine takes: qemu-user-static and
# binfmt-support (the kernel runs arm64 binaries through qemu, in containers too), python3 (the
# image's platform label, deploy/image-platform.py) and Debian's registry, docker-registry, which
# the multi-arch manifest's test pushes to on loopback (tests/docker/arm64.sh).
EMULATION_PACKAGES=(qemu-user-static binfmt-support python3 docker-registry)
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

# deps-build [ARCH]: what building takes; with ARCH (arm64) other than this machine's, Debian's
# cross compiler and the libraries of ARCH (multiarch, beside this machine's; deploy/cross.cmake).
deps_build() {
  local arch="${1:-}"
  if [ -z "$arch" ] || [ "$arch" = "$(dpkg --print-architecture)" ]; then
    install_packages "${BUILD_PACKAGES[@]}"
    return
  fi
  dpkg --print-foreign-architectures | grep -qx "$arch" || as_root dpkg --add-architecture "$arch"
  install_packages "crossbuild-essential-$arch" cmake pkg-config libhnswlib-dev "${BUILD_LIBS[@]/%/:$arch}"
}

# deps-emulation: qemu-user-static, with the kernel's binfmt_misc handler for the other image's
# architecture enabled (binfmt-support; binfmt_misc mounted first on a machine without a service
# manager).
deps_emulation() {
  local handler=qemu-aarch64
  [ "$(uname -m)" != aarch64 ] || handler=qemu-x86_64
  install_packages "${EMULATION_PACKAGES[@]}"
  if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
    as_root mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  fi
  [ -e "/proc/sys/fs/binfmt_misc/$handler" ] || as_root update-binfmts --enable "$handler"
}

deps_test() {
  install_packages "${TEST_PACKAGES[@]}"
  # the JavaScript SDK v3 tests (tests/js) and the tool tests (tests/tools: Dynamoose,
  # dynamodb-admin with puppeteer-core, which drives Debian's chromium and never downloads a
  # browser) need node and npm; Debian's are enough
  if ! command -v npm >/dev/null 2>&1; then
    install_packages nodejs npm
  fi
  for dir in "$ROOT/tests/js" "$ROOT/tests/kinesis" "$ROOT/tests/tools" "$ROOT/tests/s3" "$ROOT/integrations/node"; do
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
# or the targets named, its output in build/build.log, shown only when the build fails.
build_server() {
  local log="$ROOT/build/build.log" targets=("${@:-ddbd}")
  deps_runtime
  deps_build
  mkdir -p "$ROOT/build"
  echo "ddbd: building ${targets[*]} (log: build/build.log)" >&2
  if ! { cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDDB_WERROR=ON -DDDB_TESTS=OFF &&
         cmake --build "$ROOT/build" -j "$JOBS" --target "${targets[@]}"; } >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "ddbd: the build failed (the whole log: build/build.log)" >&2
    return 1
  fi
}

run() {
  build_server
  if [ "$#" -eq 0 ]; then set -- --host 127.0.0.1 --port 8000; fi
  # the data stays in the clone's ddbd-data whatever else is given (`run --port 9000` from another
  # directory used that directory's ./ddbd-data), unless the arguments say where it goes
  case " $* " in
    *" --data-dir"* | *" --in-memory"* | *" --backend"* | *" --help "* | *" --version "* | *" --seed-requests"* | \
      *" --health-check"*) ;;
    *) set -- "$@" --data-dir "$ROOT/ddbd-data" ;;
  esac
  exec "$ROOT/build/ddbd" "$@"
}

# install [PREFIX]: what `cmake --install` installs (the server, libddb and the `ddb` tool), built
# as `run` builds the server, then installed into PREFIX (default /usr/local, as root: ddbd and
# ddb in /usr/local/bin, on PATH).
install_ddbd() {
  build_server ddbd ddb ddb_static ddb_cli
  if [ -n "${1:-}" ]; then
    cmake --install "$ROOT/build" --prefix "$1"
  else
    as_root cmake --install "$ROOT/build"
  fi
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

# build_image ARCH TAG: deploy/Dockerfile's image for the Debian architecture ARCH (empty: this
# machine's), cross-built when it is another.
build_image() {
  local arch="$1" tag="$2" cache=ddbd-build:latest old
  [ "$arch" != "$(dpkg --print-architecture)" ] || arch=""
  docker_engine
  install_packages debootstrap
  as_root "$ROOT/deploy/docker-base.sh"
  # --network host: apt-get in the build stage reaches the mirror without a bridge network
  local args=(--network host --build-arg JOBS="$JOBS" -f "$ROOT/deploy/Dockerfile")
  if [ -n "$arch" ]; then
    args+=(--build-arg ARCH="$arch")
    cache="ddbd-build:$arch"
  fi
  docker build "${args[@]}" -t "$tag" "$ROOT"
  # The build stage (about 800 MB) stays as the next build's cache under a tag; the untagged ones
  # that earlier builds left are removed. (The second build only reuses the cached layers.)
  docker build "${args[@]}" --target build -t "$cache" "$ROOT" >/dev/null
  docker image prune -f --filter label=org.ddbd.stage=build >/dev/null
  if [ -n "$arch" ]; then
    # the classic builder labelled it with this machine's platform: the same layers, labelled
    # linux/ARCH, take the tag (and the mislabelled image goes)
    install_packages python3
    old="$(docker image inspect -f '{{.Id}}' "$tag")"
    docker save "$tag" | python3 "$ROOT/deploy/image-platform.py" "linux/$arch" | docker load >/dev/null
    docker rmi "$old" >/dev/null 2>&1 || true
  fi
  echo "ddbd: image $tag ($(docker image inspect -f '{{.Os}}/{{.Architecture}}' "$tag")), $(docker image inspect -f '{{.Size}}' "$tag") bytes"
}

image() { build_image "" "${1:-ddbd}"; }
image_arm64() { build_image arm64 "${1:-ddbd:arm64}"; }

# image-multiarch REGISTRY/NAME[:TAG]: both images, pushed as NAME:TAG-amd64 and NAME:TAG-arm64,
# and the manifest list NAME:TAG naming each with its platform, so that `docker pull` and
# `docker run` of NAME:TAG take the machine's own (or --platform's). A registry on loopback is
# spoken to over plain HTTP (docker manifest --insecure), as Docker does for loopback.
image_multiarch() {
  local ref="${1:?usage: deploy/ddbd.sh image-multiarch REGISTRY/NAME[:TAG]}" name tag arch insecure=()
  name="$ref" tag=latest
  case "${ref##*/}" in *:*) name="${ref%:*}" tag="${ref##*:}" ;; esac
  case "$name" in localhost[:/]* | 127.*) insecure=(--insecure) ;; esac
  local images=()
  for arch in amd64 arm64; do
    build_image "$arch" "$name:$tag-$arch"
    docker push "$name:$tag-$arch" >/dev/null
    images+=("$name:$tag-$arch")
  done
  docker manifest rm "$name:$tag" >/dev/null 2>&1 || true
  docker manifest create "${insecure[@]}" "$name:$tag" "${images[@]}" >/dev/null
  docker manifest push "${insecure[@]}" --purge "$name:$tag"
  echo "ddbd: $name:$tag: linux/amd64 and linux/arm64"
}

# pace STAGE: a line for the log at the end of each stage of `test`: the time since it began, and how
# fast this machine is now: one core's time for 256 MB of zeros through sha256sum (coreutils: there
# before any package is installed), the load average, and the CPU time its hypervisor has taken
# (steal, /proc/stat). The same tests took 39 minutes and then 66 a few hours later, on two
# sessions' 2-core machines (bench/README.md, "The suite's time"): without these, a slower run's
# log cannot say whether the suite grew or the machine slowed.
PACE_T0=$(date +%s)
pace() {
  local t0 t1
  t0=$(date +%s%N)
  head -c 268435456 /dev/zero | sha256sum >/dev/null
  t1=$(date +%s%N)
  awk -v stage="$1" -v at=$(($(date +%s) - PACE_T0)) -v ns=$((t1 - t0)) -v load="$(cut -d' ' -f1-3 /proc/loadavg)" \
      '/^cpu /{printf "ddbd: %s at +%d s (sha256sum of 256 MB: %.2f s; load %s; steal %.0f s since boot)\n", stage, at, ns / 1e9, load, $9 / 100}' \
      /proc/stat >&2
}

test_all() {
  pace "started"
  deps_runtime
  # deps_build's packages and ccache (below) in one apt-get
  install_packages "${BUILD_PACKAGES[@]}" ccache
  # The release build goes through ccache, and so does deploy.run_path's build of the same sources
  # on a fresh copy of the tree (made under build/, within CCACHE_BASEDIR: the objects' paths are
  # relative to it, so the copy's compilations are the same ones): the copy takes its objects from
  # the cache (its compiler's output, warnings included, replayed) instead of compiling the server
  # and libddb a second time: 351 of its 352 compilations were hits, and the test took 71 s, 64 s
  # of CPU, where it had taken 206 s in a fresh-clone run on a loaded 2-core machine. Depend mode
  # hashes the compiler's own -MD list rather than running the preprocessor a second time on a
  # miss. The sanitized and fuzzing builds (other flags: nothing to share) and the image's build
  # (in Docker) compile without it.
  export CCACHE_DIR="$ROOT/build/ccache" CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1 CCACHE_DEPEND=1
  export CMAKE_C_COMPILER_LAUNCHER=ccache CMAKE_CXX_COMPILER_LAUNCHER=ccache
  # The test packages and node modules (apt and npm: on a fresh machine mostly minutes of the
  # network) arrive while the server and its tools compile, which needs only the build's packages;
  # build's configure then finds what they brought (valgrind, chromium, node_modules: each test is
  # registered once its tool is there, tests/tests.cmake) and the rest compiles.
  mkdir -p "$ROOT/build"
  local deps_log="$ROOT/build/deps-test.log" deps_pid
  deps_test >"$deps_log" 2>&1 &
  deps_pid=$!
  # (its warnings that the test tools are missing are kept in a log, not printed: they are arriving,
  # and the second configure, in build, finds them or warns then; an error is printed)
  if ! cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDDB_WERROR=ON -DDDB_TESTS=ON \
       >"$ROOT/build/configure-first.log" 2>&1; then
    cat "$ROOT/build/configure-first.log" >&2
    return 1
  fi
  cmake --build "$ROOT/build" -j "$JOBS" --target ddbd ddb
  if ! wait "$deps_pid"; then
    cat "$deps_log" >&2
    echo "ddbd: installing the test dependencies failed (above)" >&2
    return 1
  fi
  cat "$deps_log" >&2
  build
  pace "built"
  # the image's test (label docker) needs an engine; it fails rather than skips when this is set
  docker_engine || echo "ddbd: no Docker engine: the image's test (docker.image) will fail" >&2
  # (every label, memcheck's valgrind runs among them: tests/tests.cmake registers those in this
  # release build only, never in the sanitized one below; label `extended`, what CI leaves out,
  # runs too with DDB_TEST_EXTENDED=1: README.md "Tests")
  local skip=(-LE extended)
  [ "${DDB_TEST_EXTENDED:-0}" != 1 ] || skip=()
  # The sanitized build and the fuzzers' build compile meanwhile, at the scheduler's idle class
  # (SCHED_IDLE: a core no test wants, never one a test wants). ctest leaves a core idle for much of
  # its serial tail (the RUN_SERIAL tests: rados.backend used 0.94 of the two cores over its 480 s),
  # and these builds took 175 s after it, alone (155 s of CPU: 90 the sanitized one, 65 the
  # fuzzers'). The suite passes beside busy loops at normal priority (bench/loaded_ci.sh), which
  # take cores from it; these take none a test wants.
  local idle_log="$ROOT/build/idle-builds.log" idle_pid rc=0
  ( set_idle_class; idle_builds ) >"$idle_log" 2>&1 </dev/null &
  idle_pid=$!
  (cd "$ROOT/build" && DDBD_REQUIRE_DOCKER=1 ctest --output-on-failure -j "$JOBS" "${skip[@]}") || rc=$?
  pace "release pass ended"
  if [ "$rc" -ne 0 ]; then
    kill_tree "$idle_pid"
    return "$rc"
  fi
  # (a configure with these set adds the launcher to a build directory made without it, and so
  # compiles it all again: the fuzzers' build below is configured once more)
  unset CMAKE_C_COMPILER_LAUNCHER CMAKE_CXX_COMPILER_LAUNCHER
  # What is left of them goes on at normal priority: beside other work on the machine (a loaded
  # one) the idle class would get next to nothing, for as long as that work runs.
  normal_class_tree "$idle_pid"
  if ! wait "$idle_pid"; then
    tail -n 60 "$idle_log" >&2
    echo "ddbd: the sanitized or the fuzzers' build failed (above; the whole log: build/idle-builds.log)" >&2
    return 1
  fi
  # the C tests again under the sanitizers
  # ... and the black-box suite against the sanitized ddbd (h2o's process-lifetime allocations
  # are the only leaks suppressed: tests/lsan.supp; label extended only with DDB_TEST_EXTENDED=1)
  # (the default-prefix install is the release build's alone: a sanitized libddb needs the runtime)
  # symbolize=0: to match a leak to that suppression, LeakSanitizer symbolized a frame of every
  # ddbd that stopped, and symbolizing first reads the debug information of every module loaded:
  # 0.15 s of CPU a process (14 black-box files, sampled, took 0.75 of their CPU and 0.71 of their
  # time without it). What is caught is the same; a report's frames read module+offset, which
  # `asan_symbolize-14 < LOG` (clang's) turns into functions and lines, as a rerun of the case
  # in build-asan without this setting does.
  (cd "$ROOT/build-asan" && DDB_TEST_SYSTEM_INSTALL= ASAN_OPTIONS=detect_leaks=1:symbolize=0 UBSAN_OPTIONS=print_stacktrace=1 \
     LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp" \
     ctest --output-on-failure -j "$JOBS" -L 'unit|client|compat|security|js|tools' "${skip[@]}")
  pace "sanitized pass ended"
  # 22 s a target, two at a time on two CPUs: 15 targets in 165 s (11 took 330 s one at a time)
  fuzz "${FUZZ_SECONDS:-22}"
  pace "fuzzers ended"
}

# The fuzzers' seed: $FUZZ_SEED, else the checkout's commit (its first 8 hex digits: each commit
# CI runs fuzzes from a seed of its own, where one fixed seed walked the same paths every run),
# else the time. Never 0 (libFuzzer's "pick one").
fuzz_seed() {
  local head seed
  head="$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || true)"
  if [ -n "${FUZZ_SEED:-}" ]; then seed="$FUZZ_SEED"
  elif [ -n "$head" ]; then seed=$(( 16#${head:0:8} % 2147483647 ))
  else seed=$(( $(date +%s) % 2147483647 )); fi
  echo $(( seed == 0 ? 1 : seed ))
}

# fuzz_targets: every libFuzzer target's name (tests/fuzz/fuzz_*.c)
fuzz_targets() {
  local src
  for src in "$ROOT"/tests/fuzz/fuzz_*.c; do basename "$src" .c; done
}

# fuzz_build TARGET...: those libFuzzer targets built with clang in build-fuzz
fuzz_build() {
  CC=clang CXX=clang++ cmake -S "$ROOT" -B "$ROOT/build-fuzz" -DCMAKE_BUILD_TYPE=Debug -DDDB_FUZZ=ON >/dev/null
  cmake --build "$ROOT/build-fuzz" -j "$JOBS" --target "$@"
}

# idle_builds: what `test` builds after its release pass, the sanitized build and every fuzzer
idle_builds() {
  unset CMAKE_C_COMPILER_LAUNCHER CMAKE_CXX_COMPILER_LAUNCHER   # (test_all's: the release build's alone)
  cmake -S "$ROOT" -B "$ROOT/build-asan" -DCMAKE_BUILD_TYPE=Debug -DDDB_SANITIZE=ON -DDDB_WERROR=ON >/dev/null
  cmake --build "$ROOT/build-asan" -j "$JOBS"
  # shellcheck disable=SC2046 # one name a word
  fuzz_build $(fuzz_targets)
}

# set_idle_class: this shell and all it starts in SCHED_IDLE (util-linux's chrt), else at nice 19
set_idle_class() {
  chrt -i -p 0 "$BASHPID" >/dev/null 2>&1 || renice -n 19 -p "$BASHPID" >/dev/null 2>&1 || true
}

# kill_tree PID: PID and every process below it (the kernel's list of each one's children)
kill_tree() {
  local child
  for child in $(cat /proc/"$1"/task/*/children 2>/dev/null); do kill_tree "$child"; done
  kill "$1" 2>/dev/null || true
}

# normal_class_tree PID: PID and every process below it back in the normal class at nice 0 (a
# parent first, so that what it starts meanwhile inherits the normal class)
normal_class_tree() {
  local child
  chrt -o -a -p 0 "$1" >/dev/null 2>&1 || true
  renice -n 0 -p "$1" >/dev/null 2>&1 || true
  for child in $(cat /proc/"$1"/task/*/children 2>/dev/null); do normal_class_tree "$child"; done
}

# Builds the libFuzzer targets with clang, replays every seed and kept crash once (ctest -L fuzz),
# then runs each target ($2..., default all) for $1 seconds from its seed corpus, the seed printed:
# a finding's input goes to build-fuzz/crashes/ and the command that runs the same again is said.
fuzz() {
  local seconds="$1" targets=() seed
  shift
  if [ $# -gt 0 ]; then targets=("$@")
  else mapfile -t targets < <(fuzz_targets); fi
  seed="$(fuzz_seed)"
  fuzz_build "${targets[@]}"
  # every seed and every input that once crashed a target (tests/fuzz/regressions) runs once
  (cd "$ROOT/build-fuzz" && ctest --output-on-failure -L fuzz -R "^fuzz\\.($(IFS='|'; echo "${targets[*]}"))\\.replay\$")
  mkdir -p "$ROOT/build-fuzz/crashes"
  echo "fuzz: seed $seed, ${seconds}s a target (the same again: FUZZ_SEED=$seed FUZZ_SECONDS=$seconds deploy/ddbd.sh fuzz TARGET)"
  # $JOBS targets at a time (libFuzzer runs one process on one core: each target still gets its
  # whole $seconds of a core), each one's last lines printed in the targets' order once all end
  local out rc=0 pids=() i
  out="$(mktemp -d)"
  for i in "${!targets[@]}"; do
    if [ "${#pids[@]}" -ge "$JOBS" ]; then
      wait "${pids[0]}" || rc=1
      pids=("${pids[@]:1}")
    fi
    fuzz_one "${targets[i]}" "$seconds" "$seed" >"$out/$i.txt" 2>&1 &
    pids+=("$!")
  done
  for i in "${pids[@]}"; do wait "$i" || rc=1; done
  for i in "${!targets[@]}"; do cat "$out/$i.txt"; done
  rm -rf "$out"
  return "$rc"
}

# fuzz_one TARGET SECONDS: one libFuzzer target from a copy of its seed corpus; fails on a crash
fuzz_one() {
  local f="$1" seconds="$2" seed="$3" work rc=0
  work="$(mktemp -d)"
  cp "$ROOT/tests/fuzz/corpus/$f/"* "$work/"
  echo "fuzzing $f for ${seconds}s, seed $seed"
  "$ROOT/build-fuzz/$f" -seed="$seed" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$ROOT/build-fuzz/crashes/$f-" "$work" >"$work.log" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ]; then
    tail -n 3 "$work.log"
  else
    tail -n 80 "$work.log"
    echo "fuzz: $f failed (seed $seed): its input is in build-fuzz/crashes/ (build-fuzz/$f FILE runs it;" \
         "FUZZ_SEED=$seed FUZZ_SECONDS=$seconds deploy/ddbd.sh fuzz $f fuzzes the same way)" >&2
  fi
  rm -rf "$work" "$work.log"
  return "$rc"
}

case "${1:-}" in
  deps) deps ;;
  deps-runtime) deps_runtime ;;
  deps-build) shift; deps_build "$@" ;;
  deps-emulation) deps_emulation ;;
  deps-test) deps_test ;;
  build) build ;;
  run) shift; run "$@" ;;
  install) shift; install_ddbd "$@" ;;
  test) test_all ;;
  fuzz) shift; fuzz "${FUZZ_SECONDS:-22}" "$@" ;;
  image) shift; image "$@" ;;
  image-arm64) shift; image_arm64 "$@" ;;
  image-multiarch) shift; image_multiarch "$@" ;;
  docker-engine) docker_engine ;;
  *) sed -n '2,/^set -euo/p' "$0" | grep '^#'; exit 2 ;;
esac
