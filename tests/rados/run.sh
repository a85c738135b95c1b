#!/usr/bin/env bash
# tests/rados/run.sh BUILD_DIR: the RADOS backend's tests (ctest label "rados"). Starts a 3-OSD
# loopback cluster (deploy/ceph-cluster.sh) in a temporary directory, runs the storage contract
# suite and the C unit tests that need a cluster on it (DDBD_TEST_RADOS_CONF: tests/unit/storage/
# rados/ and tests/unit/engine/test_catalog_rados.c, built as test_<folders>_<name> by
# tests/tests.cmake), then the boto3 files listed below against `ddbd --backend rados`
# (DDBD_STORE_ARGS, one pool namespace per file), then nearly all of them (and a few that run on
# two gateways only) against two gateways (GATEWAY_FILES), the JS SDK's vector search suite
# (tests/js/vectors.test.mjs) on one gateway and its resource policy suite under --auth
# (tests/js/resource_policy_auth.test.mjs) on two, the two-gateway example (tests/rados/example.sh:
# deploy/rados-gateways.sh, when socat is installed), then
# test_rados_txn.py (transactions across two gateways, one killed mid-transaction),
# test_rados_tasks.py (the background work's lease), then
# test_rados_faults.py (a gateway killed, an OSD killed during writes), and stops the cluster
# whatever happened. Exits 77 (ctest: skipped) when Ceph's daemons are not installed or
# ddbd was built without librados. Ends with "N passed, N failed" (suites, not cases).
set -uo pipefail

build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# The boto3 files that pass on RADOS today and exercise the store through the session server (files
# that start servers of their own test RocksDB directories), and test_global_tables.py, whose
# servers are gateways on the file's namespace (regions of one server: --namespaces). Not listed:
# the files about --data-dir servers, TLS, auth, the CLI and the HTTP layer (docs/scale-out.md).
# The slow ones are run on two gateways only (below): they test the store's concurrency, which two
# gateways test more of.
COMPAT_FILES=(${DDBD_RADOS_COMPAT_FILES:-
  test_items.py test_query.py test_batch.py test_capacity.py
  test_errors.py test_fidelity_sweep.py test_value_layers.py test_legacy.py test_table_validation.py
  test_tables.py test_tags.py test_namespaces.py test_metrics.py test_tracing.py
  test_expr_condition.py test_expr_errors.py test_expr_projection.py test_expr_update.py
  test_transactions.py test_conditional_race.py
  test_gsi.py test_gsi_multi_attribute.py test_lsi.py test_index_writes.py test_index_capacity.py
  test_index_updatetable.py test_item_collections.py
  test_partiql.py test_partiql_batch.py test_partiql_equivalence.py
  test_ttl.py test_streams.py test_stream_triggers.py
  test_backups.py
  test_pitr.py
  test_export_pitr.py
  test_global_tables.py})
# Run against two gateways on one pool namespace, boto3's requests alternating between them
# (DDBD_GATEWAYS=2: tests/compat/conftest.py): every file above but test_metrics.py (its servers
# are its own, on RocksDB), after
# test_rados_gateways.py (the shared catalog). Two gateways only: test_scan.py and test_paging.py
# (~10 s each), test_transact_concurrency.py (10,000 two-phase transactions, ~40 s),
# test_index_backfill.py (a GSI backfilled while writers on both gateways change the table; 1,500
# items on RADOS, ~30-60 s) and test_vectors_raw.py (SearchVectors, which on RADOS reads the index
# from the pool: every search sent to both gateways, ~7 s). test_global_tables.py on two gateways
# also kills the one replicating and checks the other takes the replication over (~12 s);
# test_global_tables_strong.py (multi-Region strong consistency: every write mirrored into every
# replica in one commit, made through either gateway, ~10 s) and test_global_tables_peer.py (two
# servers of two gateways each, each the other's --region-peer, one killed whole and restarted,
# ~30 s) on two only. One name per line.
GATEWAY_FILES=(${DDBD_RADOS_GATEWAY_FILES:-
  test_rados_gateways.py
  test_items.py
  test_query.py
  test_scan.py
  test_batch.py
  test_paging.py
  test_capacity.py
  test_errors.py
  test_fidelity_sweep.py
  test_value_layers.py
  test_legacy.py
  test_table_validation.py
  test_tables.py
  test_tags.py
  test_namespaces.py
  test_expr_condition.py
  test_expr_errors.py
  test_expr_projection.py
  test_expr_update.py
  test_transactions.py
  test_conditional_race.py
  test_transact_concurrency.py
  test_gsi.py
  test_gsi_multi_attribute.py
  test_lsi.py
  test_index_writes.py
  test_index_capacity.py
  test_index_updatetable.py
  test_index_backfill.py
  test_vectors_raw.py
  test_item_collections.py
  test_partiql.py
  test_partiql_batch.py
  test_partiql_equivalence.py
  test_ttl.py
  test_streams.py
  test_stream_triggers.py
  test_backups.py
  test_pitr.py
  test_export_pitr.py
  test_global_tables.py
  test_global_tables_strong.py
  test_global_tables_peer.py
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
run() { # name, command...
  local name=$1 t=$(date +%s)
  shift
  if "$@" >"$dir/out.txt" 2>&1; then
    passed=$((passed + 1))
    echo "ok   $name ($(($(date +%s) - t)) s): $(tail -n 1 "$dir/out.txt")"
  else
    failed=$((failed + 1))
    echo "FAIL $name ($(($(date +%s) - t)) s):"
    tail -n 40 "$dir/out.txt"
  fi
}

export DDBD_TEST_RADOS_CONF=$conf
run test_storage_contract "$build/test_storage_contract"
run test_storage_rados_gateways "$build/test_storage_rados_gateways"
run test_storage_rados_seq "$build/test_storage_rados_seq"
run test_engine_catalog_rados "$build/test_engine_catalog_rados"
unset DDBD_TEST_RADOS_CONF
for f in "${COMPAT_FILES[@]}"; do
  ns="compat-$$-${f%.py}"
  run "$f" env DDBD_BIN="$build/ddbd" \
    DDBD_STORE_ARGS="--backend rados --rados-conf $conf --rados-pool ddbd/$ns" \
    bash -c "cd '$root/tests/compat' && /usr/bin/python3 -m pytest -q -p no:cacheprovider '$f'"
done
for f in "${GATEWAY_FILES[@]}"; do
  ns="gw2-$$-${f%.py}"
  run "$f (2 gateways)" env DDBD_BIN="$build/ddbd" DDBD_GATEWAYS=2 \
    DDBD_STORE_ARGS="--backend rados --rados-conf $conf --rados-pool ddbd/$ns" \
    bash -c "cd '$root/tests/compat' && /usr/bin/python3 -m pytest -q -p no:cacheprovider '$f'"
done
# the JS SDK v3 suite of vector search (Debian's boto3 predates SearchVectors) against a gateway;
# its kill -9 test keeps its own --data-dir server. Then resource policies under --auth (Debian's
# boto3 predates them too) on two gateways, each request sent to the other than the one before.
if command -v node >/dev/null && [ -d "$root/tests/js/node_modules" ]; then
  run "js/vectors.test.mjs" env DDBD_BIN="$build/ddbd" \
    DDBD_STORE_ARGS="--backend rados --rados-conf $conf --rados-pool ddbd/js-$$" \
    bash -c "cd '$root/tests/js' && node --test vectors.test.mjs"
  run "js/resource_policy_auth.test.mjs (2 gateways)" env DDBD_BIN="$build/ddbd" DDBD_GATEWAYS=2 \
    DDBD_STORE_ARGS="--backend rados --rados-conf $conf --rados-pool ddbd/js-rbp-$$" \
    bash -c "cd '$root/tests/js' && node --test resource_policy_auth.test.mjs"
else
  echo "skip js/*.test.mjs: node or tests/js/node_modules missing (deploy/ddbd.sh deps-test)"
fi
if command -v socat >/dev/null; then
  run "deploy/rados-gateways.sh" bash "$root/tests/rados/example.sh" "$build" "$conf"
else
  echo "skip deploy/rados-gateways.sh: socat is not installed (deploy/ddbd.sh deps-test)"
fi
# two gateways on one namespace: transfers racing across them, a gateway killed mid-transaction
run test_rados_txn.py env DDBD_BIN="$build/ddbd" \
  DDBD_STORE_ARGS="--backend rados --rados-conf $conf --rados-pool ddbd/txn-$$" \
  bash -c "cd '$root/tests/compat' && /usr/bin/python3 -m pytest -q -p no:cacheprovider test_rados_txn.py"
# one gateway runs the background work, another takes it over
run test_rados_tasks.py env DDBD_BIN="$build/ddbd" \
  DDBD_STORE_ARGS="--backend rados --rados-conf $conf --rados-pool ddbd/tasks-$$" \
  bash -c "cd '$root/tests/compat' && /usr/bin/python3 -m pytest -q -p no:cacheprovider test_rados_tasks.py"
# last: it kills an OSD (the cluster then runs on two replicas)
run test_rados_faults.py env DDBD_BIN="$build/ddbd" DDBD_CEPH_DIR="$dir" \
  DDBD_STORE_ARGS="--backend rados --rados-conf $conf --rados-pool ddbd/faults-$$" \
  bash -c "cd '$root/tests/compat' && /usr/bin/python3 -m pytest -q -p no:cacheprovider test_rados_faults.py"
echo "rados: $(($(date +%s) - t0)) s in all"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
