#!/usr/bin/env bash
# tests/rados/run.sh BUILD_DIR: the RADOS backend's tests (ctest rados.backend, label "rados").
# Starts a 3-OSD loopback cluster (deploy/ceph-cluster.sh) in a temporary directory, runs everything
# below against it, and stops it whatever happened. Exits 77 (ctest: skipped) when Ceph's daemons
# are not installed or ddbd was built without librados. Ends with "N passed, N failed" (suites,
# not cases) and the time in all.
#
# What runs where, and why:
#  1. Alone, first: the consistency run (tests/consistency/run.py --backend rados: 3 gateways,
#     clients on all of them, kill -9 and SIGSTOP of a gateway, an OSD killed and back, a gateway
#     cut from the cluster in a network namespace, tokens retried across gateways and transfers
#     there and back audited (promises.py); its history checked). It kills an OSD, which
#     stalls every client of the cluster until the OSD is marked down, so nothing runs beside it;
#     first, because the OSD that comes back is refilled from its peers, which is quick while the
#     pool is nearly empty; it leaves every placement group active+clean. On failure its history,
#     verdict and gateway logs stay in BUILD_DIR/consistency/.
#  2. The rest, two at a time (DDBD_RADOS_JOBS), longest first, each on a pool namespace of its own
#     (nothing of one touches another's): the C suites that need a cluster (DDBD_TEST_RADOS_CONF:
#     the storage contract suite, tests/unit/storage/rados/, tests/unit/engine/test_catalog_rados.c,
#     built as test_<folders>_<name> by tests/tests.cmake); the boto3 files against `ddbd --backend
#     rados` (DDBD_STORE_ARGS), each on ONE gateway or on TWO, never both (below); the JS SDK's
#     vector search suite (one gateway) and resource policy suite under --auth (two); the
#     two-gateway example (tests/rados/example.sh: deploy/rados-gateways.sh, when socat is
#     installed); test_rados_txn.py (transactions across two gateways, one killed mid-transaction),
#     test_rados_tasks.py (the background work's lease), test_rados_async.py (many requests at the
#     cluster from one event loop, --rados-inflight's bound, a request whose client has gone before a
#     worker took it not run, MCP's calls on the workers), test_rados_commit_unknown.py (a gateway
#     dead before its client heard of its write: the retry is not applied twice),
#     test_rados_promises.py (a ClientRequestToken retried on another gateway while the first call
#     is held: applied once; TransactGetItems' reads spread over time while values go A->B->A:
#     one moment's state),
#     test_rados_round_trips.py (the round trips a request waits for; a stale guess across two
#     gateways), test_rados_index_lag.py (--index-lag on two gateways: another gateway's write
#     shown at once, never beside the item's older entry), test_rados_faults.py's gateway cases, and
#     the model-based test (tests/model/test_random.py: random tables, operations and modes, every
#     answer checked against the reference model; its seed from the commit, as ctest model.random's)
#     on two gateways, requests alternating (12 servers of 150 operations; not the modes whose state
#     is each gateway's own: tests/model/backend.py), then on one (6 servers, every mode), each
#     server on a pool namespace of its own below the entry's.
#     Much of this time is waiting (leases, backups, replication, network round trips), which two
#     at a time overlap (step 2 took 334 s; one at a time, 668). Three at a time took 281 s, with
#     more load on the cases bound by time (leases, replication catching up): not the default.
#  3. Last, alone: test_rados_faults.py's OSD case, which kills an OSD for good (memstore: the pool
#     then runs on two replicas).
#
# One gateway or two: a file runs on two gateways (DDBD_GATEWAYS=2: tests/compat/conftest.py sends
# boto3's requests to them in turn) when what it tests is state the gateways share through the pool,
# which a second gateway must see and must not break: items, indexes, the catalog, transactions,
# stream and PITR numbering, snapshots, the background work and replication. A file of the request
# layer (validation and its messages, expression and PartiQL evaluation, capacity figures) runs on
# one: a second gateway would run the same code on the same store once more. Files whose servers are
# all their own RocksDB ones (test_metrics.py, test_namespaces.py, test_tracing.py but its RADOS case)
# run in the compat ctest only. Sizes that are for RocksDB (its caches, its speed) are smaller on RADOS
# in the files themselves (test_transact_concurrency.py, test_backups.py, test_scan.py, the contract
# suite's races).
#
# RUN_SERIAL in ctest: the cluster and two runs at a time take both cores, and the consistency run
# kills an OSD (its clients time out after 1 s): another test beside them would slow both and
# make the cases bound by time (leases, replication catching up) flaky.
set -uo pipefail

build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
slots=${DDBD_RADOS_JOBS:-2}

# test_global_tables.py's step case runs on one gateway, the rest of the file on two (a step waits for
# its own gateway's workers: on two, the replication and the TTL sweep may be two gateways').
# The boto3 files on one gateway, then on two (one name per line; DDBD_RADOS_COMPAT_FILES and
# DDBD_RADOS_GATEWAY_FILES replace a list). The rest of the files in tests/compat/ are about
# --data-dir servers, TLS, auth, the CLI and the HTTP layer (docs/scale-out.md).
COMPAT_FILES=(${DDBD_RADOS_COMPAT_FILES:-
  test_errors.py
  test_fidelity_sweep.py
  test_value_layers.py
  test_legacy.py
  test_table_validation.py
  test_capacity.py
  test_index_capacity.py
  test_expr_condition.py
  test_expr_errors.py
  test_expr_projection.py
  test_expr_update.py
  test_partiql.py
  test_partiql_batch.py
  test_partiql_equivalence.py
  test_tracing.py::test_rados_round_trips_are_child_spans
  test_global_tables.py::test_a_step_replicates_before_it_sweeps
})
# test_global_tables.py on two gateways also kills the one replicating and checks the other takes
# the replication over; test_global_tables_peer.py runs two servers of two gateways each, each the
# other's --region-peer, one killed whole and restarted; test_index_backfill.py backfills a GSI
# while writers on both gateways change the table (1,500 items on RADOS); test_vectors_raw.py sends
# every search to both gateways.
GATEWAY_FILES=(${DDBD_RADOS_GATEWAY_FILES:-
  test_global_tables.py
  test_backups.py
  test_index_backfill.py
  test_vectors_raw.py
  test_transact_concurrency.py
  test_scan.py
  test_pitr.py
  test_paging.py
  test_global_tables_strong.py
  test_global_tables_peer.py
  test_index_updatetable.py
  test_index_writes.py
  test_transactions.py
  test_streams.py
  test_batch.py
  test_gsi.py
  test_tags.py
  test_conditional_race.py
  test_query.py
  test_lsi.py
  test_stream_triggers.py
  test_items.py
  test_rados_gateways.py
  test_ttl.py
  test_tables.py
  test_gsi_multi_attribute.py
  test_item_collections.py
  test_export_pitr.py
})

for b in ceph-mon ceph-osd ceph-mgr; do
  command -v "$b" >/dev/null || { echo "skipped: $b is not installed (deploy/ddbd.sh deps-test)"; exit 77; }
done
if "$build/ddbd" --backend rados --rados-pool x --rados-conf /nonexistent --port 0 2>&1 | grep -q "without librados"; then
  echo "skipped: ddbd was built without librados (librados-dev)"
  exit 77
fi

dir=$(mktemp -d /tmp/ddbd-ceph-XXXXXX)
cleanup() {
  kill $(jobs -p) 2>/dev/null
  wait 2>/dev/null
  "$root/deploy/ceph-cluster.sh" stop "$dir" >/dev/null 2>&1
  rm -rf "$dir"
}
trap cleanup EXIT
t0=$(date +%s)
if ! conf=$("$root/deploy/ceph-cluster.sh" start "$dir" | tail -n 1); then
  echo "the cluster did not start; its logs:"
  tail -n 20 "$dir"/log/*.log
  exit 1
fi
echo "cluster up in $(($(date +%s) - t0)) s: $conf"

passed=0 failed=0
report() { # name, seconds, exit status, output file
  if [ "$3" -eq 0 ]; then
    passed=$((passed + 1))
    echo "ok   $1 ($2 s): $(tail -n 1 "$4")"
  else
    failed=$((failed + 1))
    echo "FAIL $1 ($2 s):"
    tail -n 40 "$4"
  fi
}

# The queue of step 1: names and commands (each run by bash -c).
names=() cmds=()
add() { # name, command
  names+=("$1")
  cmds+=("$2")
}
# runs the queue, $slots at a time, reporting each as it ends
run_queue() {
  local next=0 running=0 pid rc
  local -A name_of start_of out_of
  while [ $next -lt ${#names[@]} ] || [ $running -gt 0 ]; do
    if [ $next -lt ${#names[@]} ] && [ $running -lt "$slots" ]; then
      bash -c "${cmds[next]}" >"$dir/out.$next.txt" 2>&1 &
      name_of[$!]=${names[next]} start_of[$!]=$(date +%s) out_of[$!]=$dir/out.$next.txt
      next=$((next + 1)) running=$((running + 1))
      continue
    fi
    wait -n -p pid
    rc=$?
    running=$((running - 1))
    report "${name_of[$pid]}" $(($(date +%s) - start_of[$pid])) $rc "${out_of[$pid]}"
  done
}
# a pytest run in tests/compat: name, environment (NAME=VALUE ...), then pytest's arguments
compat() {
  local name=$1 env=$2
  shift 2
  add "$name" "cd '$root/tests/compat' && env DDBD_BIN='$build/ddbd' $env /usr/bin/python3 -m pytest -q -p no:cacheprovider $*"
}
store() { # the --backend rados arguments on pool namespace $1
  echo "DDBD_STORE_ARGS='--backend rados --rados-conf $conf --rados-pool ddbd/$1'"
}

# Step 1: the consistency run, alone (it kills an OSD; see the header)
add "consistency (3 gateways, kill,stop,osd,partition)" "env DDBD_BIN='$build/ddbd' /usr/bin/python3 \
  '$root/tests/consistency/run.py' --backend rados --ceph-dir '$dir' --pool ddbd/consistency-$$ --seconds 60 \
  --clients 8 --out '$build/consistency'"
slots=1 run_queue
names=() cmds=()

# Step 2, longest first (the lists above are in that order: seconds measured in this run, two at a
# time; the order only keeps a long one from starting last)
add test_storage_contract "DDBD_TEST_RADOS_CONF='$conf' '$build/test_storage_contract'"
compat test_rados_faults.py "$(store "faults-$$") DDBD_CEPH_DIR='$dir'" test_rados_faults.py -k "'not osd'"
compat test_rados_tasks.py "$(store "tasks-$$")" test_rados_tasks.py
add test_storage_rados_gateways "DDBD_TEST_RADOS_CONF='$conf' '$build/test_storage_rados_gateways'"
for f in "${GATEWAY_FILES[@]}"; do
  compat "$f (2 gateways)" "DDBD_GATEWAYS=2 $(store "gw2-$$-${f%.py}")" "$f"
done
compat test_rados_txn.py "$(store "txn-$$")" test_rados_txn.py
compat test_rados_async.py "$(store "async-$$")" test_rados_async.py
compat test_rados_commit_unknown.py "$(store "unknown-$$")" test_rados_commit_unknown.py
compat test_rados_promises.py "$(store "promises-$$")" test_rados_promises.py
compat test_rados_round_trips.py "$(store "rtrip-$$")" test_rados_round_trips.py
compat test_rados_index_lag.py "$(store "lag-$$")" test_rados_index_lag.py
for f in "${COMPAT_FILES[@]}"; do
  base=${f%%::*}
  compat "$f" "$(store "compat-$$-${base%.py}")" "$f"
done
# the model-based test (tests/model/, as ctest model.random: its seed from the commit), a few servers
# of 150 operations: on two gateways, each request to the other than the one before, then on one
model() { # name, environment
  add "$1" "cd '$root/tests/model' && env DDBD_BIN='$build/ddbd' DDB_REPLAY_BIN='$build/ddb' DDB_MODEL_SEED_FROM=commit \
    DDB_MODEL_OPS=150 $2 /usr/bin/python3 -m pytest -q -s -p no:cacheprovider test_random.py"
}
model "model (2 gateways)" "DDBD_GATEWAYS=2 DDB_MODEL_RUNS=12 $(store "model2-$$")"
model "model" "DDB_MODEL_RUNS=6 $(store "model1-$$")"
add test_storage_rados_seq "DDBD_TEST_RADOS_CONF='$conf' '$build/test_storage_rados_seq'"
add test_engine_catalog_rados "DDBD_TEST_RADOS_CONF='$conf' '$build/test_engine_catalog_rados'"
# the JS SDK v3 suite of vector search (Debian's boto3 predates SearchVectors) against a gateway;
# its kill -9 test keeps its own --data-dir server. Then resource policies under --auth (Debian's
# boto3 predates them too) on two gateways, each request sent to the other than the one before.
if command -v node >/dev/null && [ -d "$root/tests/js/node_modules" ]; then
  add "js/vectors.test.mjs" "cd '$root/tests/js' && env DDBD_BIN='$build/ddbd' $(store "js-$$") node --test vectors.test.mjs"
  add "js/resource_policy_auth.test.mjs (2 gateways)" "cd '$root/tests/js' && env DDBD_BIN='$build/ddbd' DDBD_GATEWAYS=2 \
    $(store "js-rbp-$$") node --test resource_policy_auth.test.mjs"
else
  echo "skip js/*.test.mjs: node or tests/js/node_modules missing (deploy/ddbd.sh deps-test)"
fi
if command -v socat >/dev/null; then
  add "deploy/rados-gateways.sh" "bash '$root/tests/rados/example.sh' '$build' '$conf'"
else
  echo "skip deploy/rados-gateways.sh: socat is not installed (deploy/ddbd.sh deps-test)"
fi
run_queue

# Step 3, last: an OSD killed for good
names=() cmds=()
compat "test_rados_faults.py (OSD)" "$(store "faults-osd-$$") DDBD_CEPH_DIR='$dir'" test_rados_faults.py -k osd
slots=1 run_queue

echo "rados: $(($(date +%s) - t0)) s in all"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
