#!/usr/bin/env bash
# SigV4 verification cost: GetItem with signature verification on (--auth FILE) next to off (the
# default, any signature accepted), the same signed requests sent to both, from one run.
#
#   bench/auth_getitem.sh [--duration S] [--conns C] [--rounds N] [--pool N] [--dir DIR]
#
# wrk's Lua cannot compute HMAC-SHA256, so right before each run bench/sign_pool.py signs a pool of
# distinct GetItem requests (random bench_kv keys, the same keys in both modes of a round) with
# botocore's SigV4Auth, as boto3 signs them, and bench/lua/signed_pool.lua sends them round-robin
# as complete raw requests. Both servers get the same requests (signed for the --auth server's
# Host; the other server does not look); X-Amz-Date is the run's start, accepted for 5 minutes.
# Both ddbd run at once on copies of one loaded data directory; the rounds alternate which mode
# goes first, and the idle server is paused (SIGSTOP) during the other's run.
# Prints GetItem/s, latency and server CPU per request for each mode (medians over the rounds),
# both ratios, and PASS when the verified server CPU per request is at most 1.2x the unverified
# one (issue 14's target) and every request was answered 200 in both modes.
# Env: DDBD_BIN (default build-bench/ddbd, built if missing), BENCH_SHARED (shared harness),
# PYTHON (default /usr/bin/python3, which has Debian's boto3).
set -euo pipefail
HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
SHARED="${BENCH_SHARED:-$REPO/../shared/bench}"
PY="${PYTHON:-/usr/bin/python3}"
DURATION=10; CONNS=16; ROUNDS=3; POOL=10000; KV=10000
DIR="$(mktemp -d "${TMPDIR:-/var/tmp}/ddbd-authbench.XXXXXX")"
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2;;
    --conns) CONNS="$2"; shift 2;;
    --rounds) ROUNDS="$2"; shift 2;;
    --pool) POOL="$2"; shift 2;;
    --dir) DIR="$2"; shift 2;;
    *) sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 2;;
  esac
done
if [ "$DURATION" -gt 240 ]; then echo "--duration at most 240 s: a signature is good for 5 minutes" >&2; exit 2; fi
BIN="${DDBD_BIN:-$REPO/build-bench/ddbd}"
if [ ! -x "$BIN" ]; then
  cmake -S "$REPO" -B "$REPO/build-bench" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$REPO/build-bench" -j "$(nproc)" --target ddbd >/dev/null
fi
mkdir -p "$DIR"
PORT_OFF=$((20000 + RANDOM % 20000)); PORT_ON=$((PORT_OFF + 1))
PID_OFF=""; PID_ON=""
stop() { [ -n "$1" ] && { kill -CONT "$1" 2>/dev/null; kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; } || true; }
cleanup() { stop "$PID_OFF"; stop "$PID_ON"; rm -rf "$DIR"; }
trap cleanup EXIT
OUT="$DIR/runs.jsonl"
AK=AKIDBENCHAUTH; SK="bench/secret+key/$RANDOM$RANDOM"
printf '# bench/auth_getitem.sh\n%s %s\n' "$AK" "$SK" > "$DIR/keys.txt"

wait_up() { for _ in $(seq 200); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.05; done; echo "ddbd on port $1 did not start" >&2; exit 1; }

# one loaded data directory, copied for the second server
"$BIN" --host 127.0.0.1 --port "$PORT_OFF" --data-dir "$DIR/off" --log-level warn & PID_OFF=$!
wait_up "$PORT_OFF"
"$PY" "$SHARED/setup.py" "http://127.0.0.1:$PORT_OFF" --quiet --kv "$KV" --ts-partitions 1 --ts-sorts 1 >/dev/null
stop "$PID_OFF"; PID_OFF=""
cp -a "$DIR/off" "$DIR/on"
"$BIN" --host 127.0.0.1 --port "$PORT_OFF" --data-dir "$DIR/off" --log-level warn & PID_OFF=$!
"$BIN" --host 127.0.0.1 --port "$PORT_ON" --data-dir "$DIR/on" --log-level warn --auth "$DIR/keys.txt" & PID_ON=$!
wait_up "$PORT_OFF"; wait_up "$PORT_ON"

# the --auth server must refuse a wrong signature (the shared harness's fixed one)
code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT_ON/" -H 'Content-Type: application/x-amz-json-1.0' \
  -H 'X-Amz-Target: DynamoDB_20120810.GetItem' -H "X-Amz-Date: $(date -u +%Y%m%dT%H%M%SZ)" \
  -H "Authorization: AWS4-HMAC-SHA256 Credential=$AK/$(date -u +%Y%m%d)/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=$(printf '0%.0s' $(seq 64))" \
  -d '{"TableName":"bench_kv","Key":{"pk":{"S":"user#1"}}}')"
if [ "$code" != 400 ]; then echo "the --auth server answered a wrong signature with $code, not 400" >&2; exit 1; fi

run() { # mode round warmup?
  local pid port other
  if [ "$1" = on ]; then pid=$PID_ON; port=$PORT_ON; other=$PID_OFF; else pid=$PID_OFF; port=$PORT_OFF; other=$PID_ON; fi
  local extra=(--duration "$DURATION")
  [ -n "${3:-}" ] && extra=(--warmup --duration 2)
  # signed now (the keys of round $2, the same for both modes)
  "$PY" "$HERE/sign_pool.py" --out "$DIR/pool.bin" --port "$PORT_ON" --access-key "$AK" --secret "$SK" \
    --n "$POOL" --kv "$KV" --seed "$2"
  kill -STOP "$other"
  POOL_FILE="$DIR/pool.bin" WORKLOAD=getitem_signed BENCH_SHARED="$SHARED" \
    "$PY" "$HERE/wrkcpu.py" --pid "$pid" --server "auth_$1" --url "http://127.0.0.1:$port/" \
    --lua "$HERE/lua/signed_pool.lua" --workload getitem_signed --conns "$CONNS" \
    --threads 1 --round "$2" --jsonl "$OUT" "${extra[@]}"
  kill -CONT "$other"
}

for r in $(seq "$ROUNDS"); do
  if [ "$r" = 1 ]; then run off 0 warm >/dev/null; run on 0 warm >/dev/null; fi
  if [ $((r % 2)) = 1 ]; then run off "$r"; run on "$r"; else run on "$r"; run off "$r"; fi
done

"$PY" - "$OUT" "$CONNS" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
conns = int(sys.argv[2])
med = lambda xs: statistics.median(xs) if xs else float("nan")
ok = True
for r in rows:
    if not r.get("valid"):
        ok = False
        print("INVALID run %s r%d: %s %s" % (r["server"], r["round"], "; ".join(r.get("flags", [])), r.get("first_error_body", "")))
m = {}
for mode in ("auth_off", "auth_on"):
    rs = [r for r in rows if r["server"] == mode and "rps" in r]
    m[mode] = {k: med([r[k] for r in rs if r.get(k) is not None]) for k in
               ("rps", "p50_ms", "p99_ms", "cpu_us_per_req", "server_cpu_pct", "wrk_cpu_pct", "other_cpu_pct")}
    m[mode]["requests"] = sum(r.get("requests", 0) for r in rs)
    m[mode]["non2xx"] = sum(r.get("non2xx", 0) + r.get("sockerr", 0) + r.get("timeouts", 0) for r in rs)
    m[mode]["rounds"] = len(rs)
print("GetItem of random keys, SigV4-signed by botocore, %d connections, medians of %d rounds\n" % (conns, m["auth_on"]["rounds"]))
print("| signature verification | GetItem/s | p50 ms | p99 ms | server CPU us/req | server CPU % | wrk CPU % | other CPU % | requests | non-2xx + errors |")
print("|---|---|---|---|---|---|---|---|---|---|")
for mode, label in (("auth_off", "off (default)"), ("auth_on", "on (`--auth FILE`)")):
    x = m[mode]
    print("| %s | %.0f | %.3f | %.3f | %.1f | %.0f | %.0f | %.0f | %d | %d |" % (
        label, x["rps"], x["p50_ms"], x["p99_ms"], x["cpu_us_per_req"], x["server_cpu_pct"], x["wrk_cpu_pct"],
        x["other_cpu_pct"], x["requests"], x["non2xx"]))
print("\nper round (us/req off -> on):", ", ".join(
    "r%d %.1f -> %.1f" % (rd, *[next((r["cpu_us_per_req"] for r in rows if r["server"] == s and r["round"] == rd), float("nan"))
                               for s in ("auth_off", "auth_on")])
    for rd in sorted({r["round"] for r in rows})))
cpu_ratio = m["auth_on"]["cpu_us_per_req"] / m["auth_off"]["cpu_us_per_req"]
rps_ratio = m["auth_on"]["rps"] / m["auth_off"]["rps"]
print("verified / unverified server CPU per request = x%.3f (+%.1f us); throughput verified / unverified = x%.3f" % (
    cpu_ratio, m["auth_on"]["cpu_us_per_req"] - m["auth_off"]["cpu_us_per_req"], rps_ratio))
ok = ok and m["auth_on"]["non2xx"] == 0 and m["auth_off"]["non2xx"] == 0 and cpu_ratio <= 1.2
print("verified GetItem server CPU per request <= 1.2x unverified: x%.2f: %s" % (cpu_ratio, "PASS" if ok else "FAIL"))
sys.exit(0 if ok else 1)
EOF
