#!/usr/bin/env bash
# tests/deploy/run_path.sh: the README's first step, `./deploy/ddbd.sh run`, on a fresh copy of the
# tree (ctest deploy.run_path): it must build the server alone, quietly (no CMake warning about
# test dependencies, a few lines at most), and answer ListTables. The copy is the tracked and
# untracked files git knows (no build directory, no node_modules), as a clone has them; removed
# at the end. It builds the server once (about a minute of the two cores' time; seconds where the
# suite's build filled a ccache it reaches, deploy/ddbd.sh test), then, as the README's next step,
# `deploy/ddbd.sh install PREFIX` (libddb and ddb built, ddbd in PREFIX/bin).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# (in DDB_RUN_PATH_DIR when set, tests.cmake's build directory: under deploy/ddbd.sh test that is
# within CCACHE_BASEDIR, and the copy's build takes the suite's objects from its ccache)
WORK="$(mktemp -d "${DDB_RUN_PATH_DIR:-${TMPDIR:-/tmp}}/run-path.XXXXXX")"
PID=""
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | grep -zv '/node_modules$' |
   xargs -0 cp --parents -P -t "$WORK" 2>/dev/null) || { echo "FAIL: copying the tree"; exit 1; }
PORT="$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
START="$(date +%s)"
(cd "$WORK" && exec ./deploy/ddbd.sh run --port "$PORT" --in-memory) >"$WORK.out" 2>&1 &
PID=$!
answer=""
# any signature is accepted without --auth, but a signed request's shape is checked: a real date
list_tables() {
  local now
  now="$(date -u +%Y%m%dT%H%M%SZ)"
  curl -s -X POST -H 'X-Amz-Target: DynamoDB_20120810.ListTables' -H 'Content-Type: application/x-amz-json-1.0' \
    -H "X-Amz-Date: $now" -H "Authorization: AWS4-HMAC-SHA256 Credential=AKID/${now%%T*}/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0" \
    -d '{}' "http://127.0.0.1:${1:-$PORT}/"
}
until answer="$(list_tables)"; do
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "FAIL: deploy/ddbd.sh run exited before answering; its output:"; cat "$WORK.out"; rm -f "$WORK.out"; exit 1
  fi
  sleep 0.2
done
echo "first answer after $(( $(date +%s) - START )) s: $answer"
out="$(cat "$WORK.out")"; rm -f "$WORK.out"
fail=0
[ "$answer" = '{"TableNames":[]}' ] || { echo "FAIL: ListTables answered $answer"; fail=1; }
if grep -qi "warning" <<<"$out"; then echo "FAIL: the run printed a warning"; fail=1; fi
# the build's announcement and ddbd's "listening" line (nothing else before the first answer)
if [ "$(wc -l <<<"$out")" -gt 3 ]; then echo "FAIL: the run printed $(wc -l <<<"$out") lines"; fail=1; fi
for t in test_expr libddb_bench ddb_cli; do
  if [ -e "$WORK/build/$t" ]; then echo "FAIL: the run built $t"; fail=1; fi
done
[ "$fail" = 0 ] || { echo "its output:"; echo "$out"; exit 1; }
echo "PASS: $(wc -l <<<"$out") lines of output"
kill "$PID"; wait "$PID" 2>/dev/null || true; PID="" # (the server of the last step below is another)

# The README's next step, ddbd on PATH: after `run`, `deploy/ddbd.sh install PREFIX` builds the rest
# of what `cmake --install` installs (libddb, ddb) and installs it, the server in PREFIX/bin.
if ! (cd "$WORK" && ./deploy/ddbd.sh install "$WORK/prefix") >"$WORK.out" 2>&1; then
  echo "FAIL: deploy/ddbd.sh install after run:"; cat "$WORK.out"; rm -f "$WORK.out"; exit 1
fi
rm -f "$WORK.out"
for b in ddbd ddb; do
  [ -x "$WORK/prefix/bin/$b" ] || { echo "FAIL: no bin/$b installed"; exit 1; }
done
PATH="$WORK/prefix/bin:$PATH" ddbd --version || { echo "FAIL: the installed ddbd does not run"; exit 1; }
echo "PASS: deploy/ddbd.sh install put ddbd and ddb in PREFIX/bin"

# `run` with arguments from another directory keeps the data in the clone's ddbd-data, as `run`
# alone does (issue 76, item 5: it used the current directory's ./ddbd-data)
mkdir -p "$WORK/elsewhere"
PORT2="$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
(cd "$WORK/elsewhere" && exec "$WORK/deploy/ddbd.sh" run --port "$PORT2") >"$WORK.out" 2>&1 &
PID=$!
until list_tables "$PORT2" >/dev/null; do
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "FAIL: run --port from another directory exited; its output:"; cat "$WORK.out"; exit 1
  fi
  sleep 0.2
done
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
rm -f "$WORK.out"
[ -d "$WORK/ddbd-data" ] || { echo "FAIL: run --port did not keep its data in the clone's ddbd-data"; exit 1; }
[ ! -e "$WORK/elsewhere/ddbd-data" ] || { echo "FAIL: run --port made ./ddbd-data in the current directory"; exit 1; }
echo "PASS: run with arguments keeps the data in the clone's ddbd-data"
