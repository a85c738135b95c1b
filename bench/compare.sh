#!/usr/bin/env bash
# ddbd vs Amazon DynamoDB Local vs dynalite, side by side, on loopback.
#
#   bench/compare.sh [--duration S] [--workloads "getitem putitem query_gsi putitem_nogsi putitem_2gsi"]
#                    [--servers "ddbd ddblocal dynalite"]
#                    [--conns "16 1"] [--rounds N] [--warmup S] [--initial-warmup S]
#                    [--startup-reps N] [--no-startup]
#                    [--no-pause] [--out DIR] [--quick]
#
# Steps (each one under `timeout`; every server binds 127.0.0.1 only and is stopped on exit,
# also on failure or Ctrl-C):
#   1. ddbd binary: $DDBD_BIN, or build <repo>/build-bench (cmake Release, target ddbd).
#   2. peers: installed on first use by ../shared/peers/peer (npm; java for DynamoDB Local).
#   3. start-up + idle RSS of every server (shared startup.py, --startup-reps spawns each).
#   4. start one long-running instance of every server, load it with the shared setup.py, and,
#      when a secondary-index workload (*gsi*) is selected, with bench/setup_gsi.py.
#   5. per round, per workload: unrecorded c16 warm-up of every server (--initial-warmup in
#      round 1, for the JVM's JIT; --warmup in later rounds), then for each
#      connection count the servers in turn (ddbd, ddblocal, dynalite, ...), each run through
#      bench/wrkcpu.py (wrk + server CPU delta over exactly that run).  The servers not being
#      measured are paused (SIGSTOP/SIGCONT) during each run unless --no-pause.  A workload that
#      grows the database (pq_insert) runs after all rounds of the others.
#   6. bench/report.py -> <out>/report.md (also printed).
# Workloads are the shared lua/<name>.lua scripts (getitem putitem updateitem query batchget
# mixed) and bench/lua/<name>.lua (query_gsi putitem_2gsi putitem_nogsi: secondary indexes, tables
# of bench/setup_gsi.py; transact_write4 transact_get4: TransactWriteItems of 4 Puts and
# TransactGetItems of 4 Gets on the shared kv table; putitem_stream putitem_nostream: PutItem with and
# without a NEW_AND_OLD_IMAGES stream, tables of bench/setup_streams.py; pq_select pq_insert: PartiQL
# ExecuteStatement SELECT by key on bench_kv and INSERT of fresh keys into bench_pq of
# bench/setup_partiql.py, not run on dynalite, which has no PartiQL); a bench/lua/<name>.lua of
# the same name as a shared one takes precedence.
# Env: DDBD_BIN, BENCH_SHARED (shared harness dir), PEER (peer script), PEERS_HOME,
#      KV_N/TS_P/TS_S (data set size), THREADS (wrk threads, default 1), PORT_BASE.
set -uo pipefail

HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
SHARED="${BENCH_SHARED:-}"
if [ -z "$SHARED" ]; then
  for d in "$REPO/../shared/bench" /work/shared/bench; do
    [ -f "$d/setup.py" ] && { SHARED="$(cd "$d" && pwd)"; break; }
  done
fi
PEER="${PEER:-$SHARED/../peers/peer}"
export BENCH_SHARED="$SHARED"   # bench/lua/gsi_common.lua and bench/setup_gsi.py load the shared harness from here
PEERS_HOME="${PEERS_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/ddbd-peers}"
export PEERS_HOME

DURATION=10; WORKLOADS="getitem putitem query_gsi putitem_nogsi putitem_2gsi"; SERVERS="ddbd ddblocal dynalite"; CONNS="16 1"
ROUNDS=3; WARMUP=5; WARMUP1=15; STARTUP_REPS=5; DO_STARTUP=1; OUT=""; QUICK=0; PAUSE_OTHERS=1
set_dur=0; set_rounds=0; set_warm=0; set_warm1=0; set_sreps=0
usage() { sed -n '2,/^set -uo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; set_dur=1; shift 2;;
    --workloads) WORKLOADS="$2"; shift 2;;
    --servers) SERVERS="$2"; shift 2;;
    --conns) CONNS="$2"; shift 2;;
    --rounds) ROUNDS="$2"; set_rounds=1; shift 2;;
    --warmup) WARMUP="$2"; set_warm=1; shift 2;;
    --initial-warmup) WARMUP1="$2"; set_warm1=1; shift 2;;
    --startup-reps) STARTUP_REPS="$2"; set_sreps=1; shift 2;;
    --no-startup) DO_STARTUP=0; shift;;
    --no-pause) PAUSE_OTHERS=0; shift;;
    --out) OUT="$2"; shift 2;;
    --quick) QUICK=1; shift;;
    -h|--help) usage; exit 0;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2;;
  esac
done
if [ "$QUICK" = 1 ]; then
  [ $set_dur = 1 ] || DURATION=3
  [ $set_rounds = 1 ] || ROUNDS=1
  [ $set_warm = 1 ] || WARMUP=1
  [ $set_warm1 = 1 ] || WARMUP1=2
  [ $set_sreps = 1 ] || STARTUP_REPS=3
fi
THREADS="${THREADS:-1}"
export KV_N="${KV_N:-10000}" TS_P="${TS_P:-100}" TS_S="${TS_S:-100}"
OUT="${OUT:-/tmp/ddbd-bench-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT/raw" "$OUT/startup" "$OUT/logs" || exit 1
TIMELINE="$OUT/timeline.log"

log() { echo "[$(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)] $*" | tee -a "$TIMELINE" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- cleanup (always)
STARTED=()          # "pg PID" (own process group) | "peer NAME PORT PID"
STARTUP_PORTS=()
PAUSED=()           # pids of idle servers SIGSTOPped while another server is measured
CHILD=""            # the bounded step running right now (killed first on exit)
# run a (long) step in the background and wait for it, so that signals are handled at once
bounded() { "$@" & CHILD=$!; wait "$CHILD"; local rc=$?; CHILD=""; return $rc; }
exec 9>&2           # the original stderr, for cleanup messages (a trap may fire inside a redirection)
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  exec 1>&9 2>&9
  if [ -n "$CHILD" ] && kill -0 "$CHILD" 2>/dev/null; then
    kill -TERM "$CHILD" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$CHILD" 2>/dev/null || break; sleep 0.1; done
  fi
  local e pid name port
  for pid in "${PAUSED[@]+"${PAUSED[@]}"}"; do kill -CONT "$pid" 2>/dev/null; done
  for e in "${STARTED[@]+"${STARTED[@]}"}"; do
    set -- $e
    case "$1" in
      pg) pid="$2"
          if kill -0 "$pid" 2>/dev/null; then
            kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
            for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -0 "$pid" 2>/dev/null && { kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null; }
            echo "stopped pid $pid" >&2
          fi;;
      peer) name="$2"; port="$3"; pid="$4"
          timeout -k 5 30 "$PEER" stop "$name" "$port" >&2 2>&1 || true
          mv -f "$PEERS_HOME/$name/$port.log" "$OUT/logs/$name.log" 2>/dev/null
          if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null; echo "killed $name pid $pid" >&2; fi;;
    esac
  done
  # start-up measurement ports: startup.py stops its own server; make sure nothing of ours is left
  for port in "${STARTUP_PORTS[@]+"${STARTUP_PORTS[@]}"}"; do
    for pid in $(ss -ltnpH "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
      if tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null | grep -qE "ddbd|DynamoDBLocal|dynalite"; then
        kill -KILL "$pid" 2>/dev/null && echo "killed leftover start-up server pid $pid on port $port" >&2
      fi
    done
  done
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT; trap 'exit 143' TERM; trap 'exit 129' HUP

# ---------------------------------------------------------------- prerequisites
for t in wrk python3 timeout curl ss; do command -v "$t" >/dev/null || die "missing tool: $t"; done
[ -f "$SHARED/setup.py" ] && [ -f "$SHARED/startup.py" ] || die "shared bench harness not found (BENCH_SHARED=$SHARED)"
for w in $WORKLOADS; do
  [ -f "$HERE/lua/$w.lua" ] || [ -f "$SHARED/lua/$w.lua" ] || die "no Lua script for workload '$w'"
done
for s in $SERVERS; do case "$s" in ddbd|ddblocal|dynalite) ;; *) die "unknown server '$s'";; esac; done
has() { case " $SERVERS " in *" $1 "*) return 0;; esac; return 1; }
# dynalite has no PartiQL (ExecuteStatement): the pq_* workloads run on the other servers only
supports() { case "$1:$2" in dynalite:pq_*) return 1;; esac; return 0; }
lua_for() { if [ -f "$HERE/lua/$1.lua" ]; then echo "$HERE/lua/$1.lua"; else echo "$SHARED/lua/$1.lua"; fi; }

declare -A CMD PORT SPORT PID INFO
if has ddbd; then
  if [ -z "${DDBD_BIN:-}" ]; then
    log "building ddbd (Release) in $REPO/build-bench"
    bounded timeout -k 10 900 cmake -S "$REPO" -B "$REPO/build-bench" -DCMAKE_BUILD_TYPE=Release >"$OUT/logs/build.log" 2>&1 &&
      bounded timeout -k 10 1800 cmake --build "$REPO/build-bench" --target ddbd -j "$(nproc)" >>"$OUT/logs/build.log" 2>&1 ||
      { tail -30 "$OUT/logs/build.log" >&2; die "ddbd build failed (log: $OUT/logs/build.log)"; }
    DDBD_BIN="$(find "$REPO/build-bench" -type f -name ddbd -perm -u+x | head -1)"
  fi
  [ -n "${DDBD_BIN:-}" ] && [ -x "$DDBD_BIN" ] || die "ddbd binary not found/executable: '${DDBD_BIN:-}'"
  DDBD_BIN="$(readlink -f "$DDBD_BIN")"
  CMD[ddbd]="exec $DDBD_BIN --host 127.0.0.1 --port {PORT} --in-memory"
  INFO[ddbd]="\`$DDBD_BIN\` (built $(date -u -r "$DDBD_BIN" +%FT%TZ), $(stat -c %s "$DDBD_BIN") bytes)"
fi
if has ddblocal && ! command -v java >/dev/null; then
  log "java missing: installing default-jdk-headless"
  { bounded timeout -k 10 600 apt-get update && bounded timeout -k 10 900 apt-get install -y default-jdk-headless; } \
    >"$OUT/logs/apt.log" 2>&1 || die "could not install a JDK (see $OUT/logs/apt.log)"
fi
for s in ddblocal dynalite; do
  has "$s" || continue
  log "peer $s: install (first use only) and get its command line"
  CMD[$s]="$(timeout -k 10 1200 "$PEER" cmd "$s" 2>"$OUT/logs/peer-install-$s.log")" && [ -n "${CMD[$s]}" ] ||
    { cat "$OUT/logs/peer-install-$s.log" >&2; die "peer $s install failed"; }
done
INFO[ddblocal]="Amazon DynamoDB Local 1.25.1 (java $(java -version 2>&1 | head -1 | grep -o '"[^"]*"' | tr -d '"'), -inMemory, -Xmx2g) via ../shared/peers/peer"
INFO[dynalite]="dynalite 4.0.0 (node $(node --version 2>/dev/null)) via ../shared/peers/peer"

# free loopback ports (and no stale peer pid file on them)
read -r -a ports <<<"$(python3 - "$PEERS_HOME" "${PORT_BASE:-0}" <<'EOF'
import os, random, socket, sys
home, base = sys.argv[1], int(sys.argv[2])
cands = list(range(base, base + 200)) if base else random.Random().sample(range(20000, 30000), 400)
out = []
for p in cands:
    if any(os.path.exists(os.path.join(home, n, f"{p}.pid")) for n in ("ddblocal", "dynalite")):
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    out.append(p)
    if len(out) == 6:
        break
print(" ".join(map(str, out)))
EOF
)"
[ "${#ports[@]}" -ge 6 ] || die "could not find free ports"
i=0; for s in $SERVERS; do PORT[$s]=${ports[$i]}; SPORT[$s]=${ports[$((i + 3))]}; i=$((i + 1)); done

# ---------------------------------------------------------------- meta
write_meta() {
  SERVERS="$SERVERS" WORKLOADS="$WORKLOADS" CONNS="$CONNS" DURATION="$DURATION" ROUNDS="$ROUNDS" \
  WARMUP="$WARMUP" WARMUP1="$WARMUP1" THREADS="$THREADS" QUICK="$QUICK" PAUSE="$PAUSE_OTHERS" LUA_DIRS="$( [ -d "$HERE/lua" ] && echo "$HERE/lua, ")$SHARED/lua" \
  INFO_DDBD="${INFO[ddbd]:-}" INFO_DDBL="${INFO[ddblocal]:-}" INFO_DYN="${INFO[dynalite]:-}" \
  REPO_REV="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo 'no commit yet') (working tree $REPO)" \
  python3 - "$OUT/meta.json" "$1" <<'EOF'
import json, os, sys, time
path, phase = sys.argv[1], sys.argv[2]
m = json.load(open(path)) if os.path.exists(path) else {}
e = os.environ
la = " ".join(open("/proc/loadavg").read().split()[:3])
if phase == "start":
    model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next((l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")), "0")
    m.update(date=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), nproc=os.cpu_count(), cpu_model=model,
             mem=f"{int(mem) // 1024} MB RAM", load_start=la, servers=e["SERVERS"].split(),
             workloads=e["WORKLOADS"].split(), conns=[int(c) for c in e["CONNS"].split()],
             duration=int(float(e["DURATION"])), rounds=int(e["ROUNDS"]), warmup=e["WARMUP"], warmup1=e["WARMUP1"],
             threads=int(e["THREADS"]), pause_others=e["PAUSE"] == "1", quick=e["QUICK"] == "1", lua_dirs=e["LUA_DIRS"],
             kv_n=int(e["KV_N"]), ts=int(e["TS_P"]) * int(e["TS_S"]), repo_rev=e["REPO_REV"],
             server_info={"ddbd": e["INFO_DDBD"], "ddblocal": e["INFO_DDBL"], "dynalite": e["INFO_DYN"]})
else:
    m["load_end"] = la
json.dump(m, open(path, "w"), indent=1)
EOF
}
write_meta start
log "results -> $OUT (servers: $SERVERS; workloads: $WORKLOADS; conns: $CONNS; ${DURATION}s x $ROUNDS round(s))"

# ---------------------------------------------------------------- 1. start-up + idle RSS
if [ "$DO_STARTUP" = 1 ]; then
  for s in $SERVERS; do
    sp=${SPORT[$s]}; STARTUP_PORTS+=("$sp")
    log "start-up: $s on port $sp, $STARTUP_REPS spawns"
    bounded timeout -k 10 $((STARTUP_REPS * 80 + 30)) python3 "$HERE/startup_run.py" "$SHARED" "${CMD[$s]}" "$sp" \
      --reps "$STARTUP_REPS" --load-reps 0 --ready-timeout 60 --log "$OUT/logs/startup-$s.log" \
      >"$OUT/startup/$s.txt" 2>&1
    rc=$?
    [ $rc = 0 ] || log "start-up measurement of $s failed (exit $rc): $(tail -1 "$OUT/startup/$s.txt")"
    tail -1 "$OUT/startup/$s.txt" >&2
  done
fi

# ---------------------------------------------------------------- 2. long-running servers + data
ALIVE=""
start_server() {   # name
  local s=$1 port=${PORT[$1]} pid
  log "starting $s on 127.0.0.1:$port"
  if [ "$s" = ddbd ]; then
    local c="${CMD[ddbd]//\{PORT\}/$port}"
    setsid bash -c "$c" >"$OUT/logs/$s.log" 2>&1 </dev/null &
    pid=$!
    STARTED+=("pg $pid")
  else
    timeout -k 5 120 "$PEER" start "$s" "$port" >"$OUT/logs/peer-start-$s.log" 2>&1
    local rc=$?
    pid="$(cat "$PEERS_HOME/$s/$port.pid" 2>/dev/null)"
    [ -n "$pid" ] && STARTED+=("peer $s $port $pid")
    grep -q "already running" "$OUT/logs/peer-start-$s.log" && { log "$s: port $port already had an instance"; return 1; }
    [ $rc = 0 ] && [ -n "$pid" ] || { cat "$OUT/logs/peer-start-$s.log" >&2; return 1; }
  fi
  PID[$s]=$pid
  timeout -k 5 70 python3 "$SHARED/startup.py" --wait-only "http://127.0.0.1:$port" 60 ||
    { log "$s did not answer ListTables"; tail -20 "$OUT/logs/$s.log" "$PEERS_HOME/$s/$port.log" 2>/dev/null >&2; return 1; }
  # the server must listen on loopback only
  if ss -ltnH "sport = :$port" | awk '{print $4}' | grep -qvE '^(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]|\[::1\]):'; then
    log "$s listens on a non-loopback address: $(ss -ltnH "sport = :$port" | awk '{print $4}' | tr '\n' ' ')"; return 1
  fi
  log "$s ready (pid $pid, $(tr '\0' ' ' </proc/$pid/cmdline | cut -c1-80)...)"
}
skip() { printf '%s\t%s\n' "$1" "$2" >>"$OUT/skipped.tsv"; log "$1: SKIPPED: $2"; }
# Loads the tables of a family of workloads into server $1 (endpoint $2) with bench/$3; a failure
# is noted in the report and makes those workloads invalid for that server.
load_extra() {
  local s="$1" ep="$2" script="$3" tag="$4" what="$5"
  log "loading the $what tables into $s (bench/$script)"
  if bounded timeout -k 10 900 python3 "$HERE/$script" "$ep" >"$OUT/logs/setup-$tag-$s.log" 2>&1; then
    log "$s: $(tail -1 "$OUT/logs/setup-$tag-$s.log")"
  else
    printf '%s\t%s\n' "$s" "bench/$script failed, so its $what workloads are invalid: $(grep -v '^ ' "$OUT/logs/setup-$tag-$s.log" | tail -1 | cut -c1-200)" >>"$OUT/notes.tsv"
    log "$s: $script failed: $(tail -1 "$OUT/logs/setup-$tag-$s.log")"
  fi
}

for s in $SERVERS; do
  if ! start_server "$s"; then skip "$s" "could not be started (logs in $OUT/logs)"; continue; fi
  log "loading data into $s (setup.py)"
  ep="http://127.0.0.1:${PORT[$s]}"
  if bounded timeout -k 10 900 python3 "$SHARED/setup.py" "$ep" >"$OUT/logs/setup-$s.log" 2>&1; then
    ALIVE="$ALIVE $s"; log "$s: $(tail -1 "$OUT/logs/setup-$s.log")"
  elif grep -q "BatchWriteItem: HTTP 400 .*UnknownOperationException" "$OUT/logs/setup-$s.log" &&
       bounded timeout -k 10 900 python3 "$HERE/load_putitem.py" "$SHARED" "$ep" >"$OUT/logs/load-putitem-$s.log" 2>&1; then
    ALIVE="$ALIVE $s"
    printf '%s\t%s\n' "$s" "no BatchWriteItem: data loaded with single PutItem calls (bench/load_putitem.py), same items" >>"$OUT/notes.tsv"
    log "$s: setup.py needs BatchWriteItem, unknown to $s; $(tail -1 "$OUT/logs/load-putitem-$s.log")"
  elif grep -q "DDBError: Query: HTTP" "$OUT/logs/setup-$s.log" &&
       bounded timeout -k 10 120 python3 "$HERE/load_putitem.py" "$SHARED" "$ep" --check-only >"$OUT/logs/load-check-$s.log" 2>&1; then
    ALIVE="$ALIVE $s"
    printf '%s\t%s\n' "$s" "setup.py loaded the data but its final Query check failed ($(grep -o 'DDBError: Query: HTTP.*' "$OUT/logs/setup-$s.log" | head -1 | cut -c11-220)); kv items checked with GetItem instead" >>"$OUT/notes.tsv"
    log "$s: setup.py's final Query check failed on $s; $(tail -1 "$OUT/logs/load-check-$s.log")"
  else
    skip "$s" "data load failed: $(grep -v '^ ' "$OUT/logs/setup-$s.log" | tail -1 | cut -c1-200)"
    continue
  fi
  # tables of the secondary-index and stream workloads (only when one of them is selected)
  case " $WORKLOADS " in *gsi*) load_extra "$s" "$ep" setup_gsi.py gsi "secondary-index";; esac
  case " $WORKLOADS " in *stream*) load_extra "$s" "$ep" setup_streams.py streams "stream";; esac
  case " $WORKLOADS " in *" pq_"*)
    if supports "$s" pq_; then load_extra "$s" "$ep" setup_partiql.py partiql "PartiQL"
    else printf '%s\t%s\n' "$s" "no PartiQL (ExecuteStatement): the pq_* workloads were not run on $s" >>"$OUT/notes.tsv"; fi;;
  esac
done
[ -n "$ALIVE" ] || die "no server could be started and loaded"

# ---------------------------------------------------------------- 3. workloads, interleaved
run_one() {   # server workload conns round [warmup]
  local s=$1 w=$2 c=$3 r=$4 extra=()
  local raw="$OUT/raw/$w-c$c-$s-r$r.txt"
  [ "${5:-}" = warmup ] && { extra=(--warmup); raw="$OUT/raw/warmup-$w-$s-r$r.txt"; }
  # the other servers sit idle; pause them so their background work (JIT, GC, timers) neither
  # competes for the 2 cores nor gets lost: it is done (and counted) during their own runs
  if [ "$PAUSE_OTHERS" = 1 ]; then
    local o
    for o in $ALIVE; do [ "$o" = "$s" ] || { kill -STOP "${PID[$o]}" 2>/dev/null && PAUSED+=("${PID[$o]}"); }; done
  fi
  bounded timeout -k 10 $((${DURATION%.*} + ${WARMUP%.*} + ${WARMUP1%.*} + 150)) python3 "$HERE/wrkcpu.py" --pid "${PID[$s]}" --server "$s" \
    --url "http://127.0.0.1:${PORT[$s]}" --lua "$(lua_for "$w")" --workload "$w" --conns "$c" \
    --duration "${6:-$DURATION}" --threads "$THREADS" --round "$r" --raw "$raw" --jsonl "$OUT/results.jsonl" \
    "${extra[@]+"${extra[@]}"}" >"$OUT/logs/last-run.txt" 2>&1
  cat "$OUT/logs/last-run.txt"; cat "$OUT/logs/last-run.txt" >>"$TIMELINE"
  local p
  for p in "${PAUSED[@]+"${PAUSED[@]}"}"; do kill -CONT "$p" 2>/dev/null; done
  PAUSED=()
}
# Workloads that grow the database (pq_insert: every request adds an item) run after all rounds of
# the others: the items they add would otherwise change the figures of whatever runs after them.
grows() { case "$1" in pq_insert) return 0;; esac; return 1; }
STEADY=""; GROWING=""
for w in $WORKLOADS; do if grows "$w"; then GROWING="$GROWING $w"; else STEADY="$STEADY $w"; fi; done
for phase in "$STEADY" "$GROWING"; do
  [ -n "${phase// /}" ] || continue
  for r in $(seq 1 "$ROUNDS"); do
    for w in $phase; do
      wu=$WARMUP; [ "$r" = 1 ] && wu=$WARMUP1
      if [ "${wu%.*}" -gt 0 ] 2>/dev/null; then
        for s in $ALIVE; do supports "$s" "$w" || continue; log "warm-up $s $w ${wu}s"; run_one "$s" "$w" 16 "$r" warmup "$wu" >/dev/null; done
      fi
      for c in $CONNS; do
        for s in $ALIVE; do supports "$s" "$w" && run_one "$s" "$w" "$c" "$r"; done
      done
    done
  done
done

# ---------------------------------------------------------------- 4. report
write_meta end
for s in $ALIVE; do
  [ -n "${PID[$s]:-}" ] && kill -0 "${PID[$s]}" 2>/dev/null && \
    grep -E '^(VmRSS|VmHWM|Threads)' /proc/"${PID[$s]}"/status | tr -s ' \t' ' ' | sed "s/^/$s after runs: /" >>"$OUT/logs/rss-after.txt"
done
timeout -k 5 60 python3 "$HERE/report.py" "$OUT" || die "report failed"
log "report: $OUT/report.md"
