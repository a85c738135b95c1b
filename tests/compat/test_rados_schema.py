"""Schema changes against writes in flight on another RADOS gateway (docs/scale-out.md).

A write that gateway B decided under a table's old description must land before gateway A's
index backfill scans the table, or the new index misses the item for good. B holds such a write
between its decision and its RADOS write (delay point rados-commit-decided, faults.h) while A adds
a global secondary index; A's schema change waits for B to reload its catalog and finish that
write (the cross-gateway barrier, storage/rados_rw.c rs_barrier), so the backfill finds the item.

Runs only where tests/rados/run.sh points it at a loopback cluster (DDBD_STORE_ARGS with
`--backend rados`); skipped everywhere else.
"""
import threading
import time

import pytest

from conftest import make_client, unique_name
from rados_helpers import gateway, needs_cluster

HOLD_MS = 1500

pytestmark = needs_cluster


def wait_index_active(ddb, table, index, deadline=60):
    end = time.time() + deadline
    while time.time() < end:
        t = ddb.describe_table(TableName=table)["Table"]
        ix = {g["IndexName"]: g for g in t.get("GlobalSecondaryIndexes", [])}
        if index in ix and ix[index]["IndexStatus"] == "ACTIVE":
            return
        time.sleep(0.2)
    pytest.fail(f"{index} not ACTIVE after {deadline} s")


def test_backfill_waits_for_a_write_decided_under_the_old_description_on_another_gateway():
    ns = unique_name("schema")
    a = gateway(ns)
    b = gateway(ns, DDBD_DELAY_POINT=f"rados-commit-decided:{HOLD_MS}")
    try:
        da, db = make_client(a.endpoint), make_client(b.endpoint)
        table = unique_name("t")
        da.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        db.describe_table(TableName=table)  # B has it (the create's notify)

        put_done = {}

        def late_put():  # decided on B with no index, written HOLD_MS later
            t0 = time.time()
            db.put_item(TableName=table, Item={"pk": {"S": "late"}, "g": {"S": "x"}})
            put_done["s"] = time.time() - t0

        th = threading.Thread(target=late_put)
        th.start()
        time.sleep(0.3)  # B has decided and holds the write
        t0 = time.time()
        da.update_table(TableName=table,
                        AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                        GlobalSecondaryIndexUpdates=[{"Create": {
                            "IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                            "Projection": {"ProjectionType": "ALL"}}}])
        waited = time.time() - t0
        th.join(30)
        assert put_done["s"] >= HOLD_MS / 1000 * 0.9  # the delay point held it
        # A's UpdateTable returned once B had finished the write it held
        assert waited >= (HOLD_MS - 300) / 1000 * 0.8, waited
        wait_index_active(da, table, "byg")
        for d in (da, db):
            got = d.query(TableName=table, IndexName="byg", KeyConditionExpression="g = :g",
                          ExpressionAttributeValues={":g": {"S": "x"}})["Items"]
            assert [i["pk"]["S"] for i in got] == ["late"]
    finally:
        b.stop()
        a.stop()
