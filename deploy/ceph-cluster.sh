#!/usr/bin/env bash
# deploy/ceph-cluster.sh: a throwaway 3-OSD Ceph cluster on the loopback address, for the RADOS
# backend's tests and for trying `ddbd --backend rados` on one machine (docs/scale-out.md).
#
#   deploy/ceph-cluster.sh start DIR   one monitor, one manager, three OSDs under DIR and a pool
#                                      "ddbd" (3 replicas); prints the path of DIR/ceph.conf last,
#                                      once a write through the pool is answered (~7 s; the manager,
#                                      which `ceph -s` and `ceph pg stat` wait for, ~10 s later)
#   deploy/ceph-cluster.sh stop DIR    stops every daemon that start DIR started, by its pid file
#
# Debian 12's ceph-mon, ceph-osd and ceph-mgr (deploy/ddbd.sh deps-test installs them). Every
# daemon binds 127.0.0.1 only (msgr2, port CEPH_PORT, default 3300 + a number derived from DIR so
# two clusters on one machine do not collide), with authentication off: the cluster is reachable
# only from this machine and holds test data.
#
# The OSDs use memstore, Ceph's in-memory object store: no disk image to create or format (an OSD
# is ready in a second, where bluestore on a file needs a mkfs of a sparse file and a larger cache),
# nothing written to the disk of a CI machine, and a small, capped memory footprint
# (CEPH_OSD_BYTES, default 1 GiB each, used only as data arrives). What it costs: the data lives in
# the OSD processes; a stopped OSD loses its copy and is refilled from its two peers when it comes
# back (which is what a fault test of one OSD needs), and `stop` loses the cluster's data.
# One host, so the CRUSH rule places replicas on OSDs rather than hosts (chooseleaf type 0).
set -euo pipefail

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}

[ $# -eq 2 ] || usage
cmd=$1
dir=$2

need() {
  for b in ceph-mon ceph-osd ceph-mgr ceph monmaptool; do
    command -v "$b" >/dev/null || {
      echo "$0: $b not found: install ceph-mon ceph-osd ceph-mgr (deploy/ddbd.sh deps-test)" >&2
      exit 1
    }
  done
}

# Kills the daemons whose pid files are under DIR/run (each was started by `start DIR`), then waits.
stop_cluster() {
  local pids=() f p
  for f in "$dir"/run/*.pid; do
    [ -e "$f" ] || continue
    p=$(cat "$f" 2>/dev/null || true)
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
      kill "$p" 2>/dev/null || true
      pids+=("$p")
    fi
    rm -f "$f"
  done
  for _ in $(seq 50); do
    local alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && return 0
    sleep 0.2
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
}

write_conf() {
  local port=$1 fsid=$2
  cat >"$dir/ceph.conf" <<EOF
# made by deploy/ceph-cluster.sh: a loopback test cluster, authentication off
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$port]
public addr = 127.0.0.1
public network = 127.0.0.1/32
ms bind msgr1 = false
ms bind msgr2 = true
auth cluster required = none
auth service required = none
auth client required = none
run dir = $dir/run
log file = $dir/log/\$name.log
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid
osd pool default size = 3
osd pool default min size = 2
osd pool default pg num = 16
osd pool default pgp num = 16
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool delete = true
mon allow pool size one = true
mon warn on pool no redundancy = false
# a small machine: few threads, small caches
ms async op threads = 1
osd op num shards = 1
osd op num threads per shard = 2
osd memory target = 536870912
# a shared test disk: warn and refuse late (kept in order: nearfull < backfillfull < full)
mon osd nearfull ratio = .95
mon osd backfillfull ratio = .96
mon osd full ratio = .97
osd failsafe full ratio = .99
mon data avail warn = 2
mon data avail crit = 1
mon warn on insecure global id reclaim allowed = false
mgr initial modules =
[client]
# clients (ddbd, the ceph CLI) are many and short-lived: no admin socket each, one log
admin socket =
log file = $dir/log/client.log
[mon]
mon data = $dir/mon.\$id
mon cluster log file = $dir/log/cluster.log
# every OSD is on this one host, and the monitor counts failure reports by host: the two survivors
# of a killed OSD made one report of the two it needs, so only a refused reconnect (a report that
# marks down at once) marked the OSD down, and once none came for over 90 s (rados.backend's OSD
# case). Counted by OSD, a killed OSD is marked down after the heartbeat grace whatever the
# reconnects do.
mon osd reporter subtree level = osd
[mgr]
mgr data = $dir/mgr.\$id
[osd]
osd data = $dir/osd.\$id
osd objectstore = memstore
memstore device bytes = ${CEPH_OSD_BYTES:-1073741824}
osd heartbeat grace = 8
osd heartbeat interval = 2
# an OSD back from a kill (memstore: empty) refilled at full speed; the defaults pace recovery for
# disks (0.1 s between operations: 9 objects a second on this cluster)
osd recovery sleep = 0
osd recovery sleep hdd = 0
osd recovery sleep hybrid = 0
osd recovery max active = 16
osd max backfills = 16
# the OSDs share one address: they must not look like one host that went away
osd crush update on start = true
EOF
}

ceph_cmd() {
  ceph -c "$dir/ceph.conf" --connect-timeout 20 "$@"
}

# One OSD: an id from the monitor, its memstore made, the daemon started.
start_osd() {
  local uuid id
  uuid=$(cat /proc/sys/kernel/random/uuid)
  id=$(ceph_cmd osd new "$uuid")
  mkdir -p "$dir/osd.$id"
  ceph-osd -c "$dir/ceph.conf" -i "$id" --mkfs --osd-uuid "$uuid" >"$dir/log/mkfs-osd.$id.log" 2>&1
  ceph-osd -c "$dir/ceph.conf" -i "$id" 2>>"$dir/log/stderr.log"
}

start_cluster() {
  local port fsid i
  need
  if [ -e "$dir/ceph.conf" ] && ls "$dir"/run/*.pid >/dev/null 2>&1; then
    echo "$0: a cluster already runs under $dir (stop it first)" >&2
    exit 1
  fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  rm -rf "$dir"/mon.* "$dir"/osd.* "$dir"/mgr.* "$dir"/run "$dir"/log "$dir"/monmap
  mkdir -p "$dir/run" "$dir/log"
  port=${CEPH_PORT:-$((3300 + $(printf '%s' "$dir" | cksum | cut -d' ' -f1) % 600))}
  fsid=$(cat /proc/sys/kernel/random/uuid)
  write_conf "$port" "$fsid"

  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$port]" "$dir/monmap" >/dev/null
  ceph-mon -c "$dir/ceph.conf" --mkfs -i a --monmap "$dir/monmap" >"$dir/log/mkfs-mon.log" 2>&1
  ceph-mon -c "$dir/ceph.conf" -i a 2>>"$dir/log/stderr.log"
  ceph_cmd -s >/dev/null

  mkdir -p "$dir/mgr.x"
  ceph-mgr -c "$dir/ceph.conf" -i x 2>>"$dir/log/stderr.log"

  # the three OSDs made and started at once, and the pool made meanwhile (its placement groups wait
  # for the OSDs): each `ceph` call costs a second of the CLI's start, one after another ~10 s
  local pids=()
  for i in 0 1 2; do
    start_osd &
    pids+=($!)
  done
  ceph_cmd osd pool create ddbd 16 16 replicated >/dev/null 2>&1
  ceph_cmd osd pool application enable ddbd ddbd >/dev/null 2>&1 || true
  for p in "${pids[@]}"; do
    wait "$p" || { echo "$0: an OSD did not start (logs in $dir/log)" >&2; stop_cluster; exit 1; }
  done
  # Ready when the three OSDs are up and a write through the pool is answered: its placement groups
  # are then active, or a moment from it (a request waits for its group). Not `ceph pg stat`'s
  # active+clean: that is the manager's, which takes 10 s more to start on a busy machine.
  for _ in $(seq 150); do
    if [ "$(ceph_cmd osd stat -f json 2>/dev/null | sed -n 's/.*"num_up_osds":\([0-9]*\).*/\1/p')" = 3 ] &&
      timeout 60 rados -c "$dir/ceph.conf" -p ddbd put ceph-cluster.sh.probe /dev/null 2>/dev/null &&
      rados -c "$dir/ceph.conf" -p ddbd rm ceph-cluster.sh.probe 2>/dev/null; then
      echo "$dir/ceph.conf"
      return 0
    fi
    sleep 0.2
  done
  echo "$0: the cluster under $dir did not become healthy: $(ceph_cmd -s 2>&1 | tr '\n' ' ')" >&2
  stop_cluster
  exit 1
}

case "$cmd" in
start) start_cluster ;;
stop)
  [ -d "$dir" ] || exit 0
  stop_cluster
  ;;
*) usage ;;
esac
