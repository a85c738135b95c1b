"""Background work across RADOS gateways (docs/scale-out.md): every gateway finds the same persisted
tasks (index backfills, purges, backups, exports, imports, TTL and stream sweeps), and one at a
time runs them, the one holding the lease "lease/tasks" (server/engine/lease.h); the others stand by
and take the work over when the holder stops (at once) or dies (when its lease runs out). A backup
asked of a gateway that does not hold the lease is copied by the one that does, from the snapshot
the first took (named in the backup's record: storage.h's shared snapshots).

Runs only where tests/rados/run.sh points it at a loopback cluster (DDBD_STORE_ARGS with
`--backend rados`); skipped everywhere else.
"""
import re
import signal
import time

import pytest

from conftest import create_table_params, make_client, unique_name
from rados_helpers import gateway as rados_gateway, needs_cluster

LEASE_MS = 5000  # longer than a stopped holder's hand-over takes, so that one is told apart

pytestmark = needs_cluster


def gateway(ns):
    return rados_gateway(ns, DDBD_TASK_LEASE_MS=LEASE_MS)


def add_index(ddb, table, name):
    ddb.update_table(TableName=table, AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"}],
                     GlobalSecondaryIndexUpdates=[{"Create": {
                         "IndexName": "by-" + name,
                         "KeySchema": [{"AttributeName": name, "KeyType": "HASH"}],
                         "Projection": {"ProjectionType": "KEYS_ONLY"}}}])


def wait_active(ddb, table, index, deadline=60):
    end = time.time() + deadline
    while time.time() < end:
        t = ddb.describe_table(TableName=table)["Table"]
        ix = {g["IndexName"]: g["IndexStatus"] for g in t.get("GlobalSecondaryIndexes", [])}
        if ix.get(index) == "ACTIVE":
            return time.time()
        time.sleep(0.1)
    pytest.fail(f"{index} not ACTIVE after {deadline} s")


def backfills(gw, index):
    """How many times the gateway began backfilling the index (its start line, not its progress)."""
    return len(re.findall(rf"tasks: backfilling index {index} of table \S+$", gw.stderr_text(), re.M))


def holds_lease(gw):
    return "holds lease/tasks" in gw.stderr_text()


def test_one_gateway_runs_the_background_work_and_another_takes_it_over():
    ns = unique_name("tasks")
    gws = [gateway(ns), gateway(ns)]
    try:
        ddbs = [make_client(g.endpoint) for g in gws]
        table = unique_name("t")
        ddbs[0].create_table(**create_table_params(table))
        for i in range(40):
            ddbs[i % 2].put_item(TableName=table, Item={"pk": {"S": f"k{i}"}, "a": {"S": f"v{i % 4}"},
                                                         "b": {"S": f"w{i % 5}"}})
        # one index, asked of each gateway in turn: one of them backfills it, once
        add_index(ddbs[1], table, "a")
        wait_active(ddbs[0], table, "by-a")
        assert [holds_lease(g) for g in gws].count(True) == 1, "\n---\n".join(g.stderr_text() for g in gws)
        owner = 0 if holds_lease(gws[0]) else 1
        assert backfills(gws[owner], "by-a") == 1
        assert backfills(gws[1 - owner], "by-a") == 0
        got = ddbs[1 - owner].query(TableName=table, IndexName="by-a", KeyConditionExpression="a = :v",
                                    ExpressionAttributeValues={":v": {"S": "v1"}})["Items"]
        assert len(got) == 10

        # the holder dies: its lease runs out and the survivor runs the next backfill
        gws[owner].kill()
        t0 = time.time()
        survivor = ddbs[1 - owner]
        add_index(survivor, table, "b")
        done = wait_active(survivor, table, "by-b", deadline=LEASE_MS / 1000 + 30)
        assert holds_lease(gws[1 - owner])
        assert backfills(gws[1 - owner], "by-b") == 1
        assert done - t0 < LEASE_MS / 1000 + 15
        got = survivor.query(TableName=table, IndexName="by-b", KeyConditionExpression="b = :v",
                             ExpressionAttributeValues={":v": {"S": "w2"}})["Items"]
        assert len(got) == 8

        # a holder that stops cleanly gives the lease up: a new gateway takes it without waiting
        third = gateway(ns)
        gws.append(third)
        assert gws[1 - owner].stop(signal.SIGTERM) == 0
        t0 = time.time()
        while not holds_lease(third) and time.time() - t0 < LEASE_MS / 1000:
            time.sleep(0.05)
        assert holds_lease(third), third.stderr_text()[-2000:]
        assert time.time() - t0 < LEASE_MS / 1000 - 1  # its worker's next turn, not the lease's end
    finally:
        for g in gws:
            g.kill()


def test_a_backup_asked_of_another_gateway_is_copied_from_its_snapshot():
    ns = unique_name("bktasks")
    gws = [gateway(ns), gateway(ns)]
    try:
        ddbs = [make_client(g.endpoint) for g in gws]
        table = unique_name("t")
        ddbs[0].create_table(**create_table_params(table))
        deadline = time.time() + 10
        while [holds_lease(g) for g in gws].count(True) != 1 and time.time() < deadline:
            time.sleep(0.05)
        holder = 0 if holds_lease(gws[0]) else 1
        other = ddbs[1 - holder]
        for i in range(20):
            other.put_item(TableName=table, Item={"pk": {"S": f"k{i}"}, "v": {"N": "1"}})
        arn = other.create_backup(TableName=table, BackupName="bk1")["BackupDetails"]["BackupArn"]
        for i in range(20):  # after the backup: not in it, though its copy starts later
            other.put_item(TableName=table, Item={"pk": {"S": f"k{i}"}, "v": {"N": "2"}})
        other.put_item(TableName=table, Item={"pk": {"S": "late"}, "v": {"N": "2"}})
        deadline = time.time() + 60
        while other.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"] != "AVAILABLE":
            assert time.time() < deadline
            time.sleep(0.1)
        # the holder copied it: it logs so just after the status is committed, so a describe may
        # see AVAILABLE first (CI saw it, on a loaded machine)
        deadline = time.time() + 10
        while "AVAILABLE" not in gws[holder].stderr_text() and time.time() < deadline:
            time.sleep(0.05)
        assert "AVAILABLE" in gws[holder].stderr_text()
        assert "interrupted" not in gws[holder].stderr_text()
        other.restore_table_from_backup(BackupArn=arn, TargetTableName=table + "-r")
        deadline = time.time() + 60
        while other.describe_table(TableName=table + "-r")["Table"]["TableStatus"] != "ACTIVE":
            assert time.time() < deadline
            time.sleep(0.1)
        items = other.scan(TableName=table + "-r")["Items"]
        assert sorted((i["pk"]["S"], i["v"]["N"]) for i in items) == sorted((f"k{i}", "1") for i in range(20))
    finally:
        for g in gws:
            g.kill()
