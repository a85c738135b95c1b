#!/usr/bin/env bash
# deploy/rados-gateways.sh: an example of several ddbd gateways on one RADOS pool behind one
# address (docs/scale-out.md, "Several gateways behind one address").
#
#   deploy/rados-gateways.sh start DIR [CEPH_CONF]   starts DDBD_GATEWAYS (2) gateways on pool
#        DDBD_POOL (ddbd) on 127.0.0.1:DDBD_PORT+1.., and socat on 127.0.0.1:DDBD_PORT (8000)
#        handing each new TCP connection to the next gateway that accepts one (round robin, and a
#        stopped gateway is skipped); pid files and logs under DIR; prints the endpoint last
#   deploy/rados-gateways.sh stop DIR               stops what start DIR started, by pid file
#
# CEPH_CONF defaults to librados' own search (/etc/ceph/ceph.conf); for a trial on one machine:
#   conf=$(deploy/ceph-cluster.sh start /tmp/ceph | tail -n 1)
#   deploy/rados-gateways.sh start /tmp/gw "$conf"
# Needs socat (Debian: socat) and ddbd (DDBD_BIN, else `ddbd` on PATH, else build/ddbd). Clients
# keep their connections open, so requests are spread per connection, not per request; a real
# deployment would put its own load balancer (HAProxy, nginx stream, a cloud one) in front.
set -euo pipefail

usage() {
  echo "usage: $0 start DIR [CEPH_CONF] | stop DIR" >&2
  exit 2
}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
n=${DDBD_GATEWAYS:-2}
port=${DDBD_PORT:-8000}
pool=${DDBD_POOL:-ddbd}

# _pick DIR: run by socat for each connection: relays it to the next gateway that accepts one
pick() {
  local dir=$1 next i p
  exec 9>"$dir/rr.lock"
  flock 9
  next=$(cat "$dir/rr.next" 2>/dev/null || echo 0)
  echo $(((next + 1) % n)) >"$dir/rr.next"
  flock -u 9
  for i in $(seq 0 $((n - 1))); do
    p=$((port + 1 + (next + i) % n))
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      exec socat STDIO "TCP:127.0.0.1:$p"
    fi
  done
  exit 1
}

ddbd_bin() {
  if [ -n "${DDBD_BIN:-}" ]; then echo "$DDBD_BIN"
  elif command -v ddbd >/dev/null; then command -v ddbd
  else echo "$root/build/ddbd"; fi
}

wait_port() {
  for _ in $(seq 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

start() {
  local dir=$1 conf=${2:-} bin i
  command -v socat >/dev/null || { echo "$0: socat not found (apt-get install socat)" >&2; exit 1; }
  bin=$(ddbd_bin)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  for i in $(seq 1 "$n"); do
    # one at a time: a gateway completes write intents left on the pool when it opens it
    setsid "$bin" --backend rados ${conf:+--rados-conf "$conf"} --rados-pool "$pool" --host 127.0.0.1 \
      --port $((port + i)) >"$dir/gateway$i.log" 2>&1 </dev/null &
    echo $! >"$dir/gateway$i.pid"
    wait_port $((port + i)) || { echo "gateway $i did not start: $(tail -n 3 "$dir/gateway$i.log")" >&2; exit 1; }
  done
  setsid socat "TCP-LISTEN:$port,bind=127.0.0.1,fork,reuseaddr" \
    "EXEC:env DDBD_GATEWAYS=$n DDBD_PORT=$port bash $root/deploy/rados-gateways.sh _pick $dir" \
    >"$dir/socat.log" 2>&1 </dev/null &
  echo $! >"$dir/socat.pid"
  wait_port "$port" || { echo "socat did not start: $(cat "$dir/socat.log")" >&2; exit 1; }
  echo "$n gateways on pool $pool behind http://127.0.0.1:$port (logs in $dir)" >&2
  echo "http://127.0.0.1:$port"
}

stop() {
  local dir=$1 f
  for f in "$dir"/socat.pid "$dir"/gateway*.pid; do
    [ -f "$f" ] || continue
    kill -TERM "$(cat "$f")" 2>/dev/null || true
    rm -f "$f"
  done
}

case ${1:-} in
  start) [ $# -ge 2 ] || usage; start "$2" "${3:-}" ;;
  stop) [ $# -eq 2 ] || usage; stop "$2" ;;
  _pick) pick "$2" ;;
  *) usage ;;
esac
