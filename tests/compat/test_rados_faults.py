"""The RADOS backend under faults (docs/scale-out.md): an OSD killed while a client writes, a
gateway killed and started again, and a gateway killed while it has every gateway's writes paused
for a point-in-time snapshot. Runs only where tests/rados/run.sh points it at a loopback
cluster (DDBD_CEPH_DIR: the directory deploy/ceph-cluster.sh started; DDBD_STORE_ARGS: the
`--backend rados ...` arguments); skipped everywhere else.

The OSD case is destructive (memstore: the killed OSD's copy is gone, the pool runs on two
replicas), so run.sh runs it last and alone (`-k osd`), the others among its other files.
"""
import os
import signal
import threading
import time

import pytest

from conftest import DdbdServer, create_table_params, make_client, unique_name
from rados_helpers import STORE_ARGS, gateway, rados_args

CEPH_DIR = os.environ.get("DDBD_CEPH_DIR", "")

pytestmark = pytest.mark.skipif(not CEPH_DIR or "--backend rados" not in STORE_ARGS,
                                reason="needs a loopback Ceph cluster (tests/rados/run.sh)")


def test_gateway_killed_and_restarted_loses_nothing_acknowledged():
    ns = unique_name("gwkill")
    first = DdbdServer(rados_args(ns)).start()
    ddb = make_client(first.endpoint)
    table = unique_name("t")
    ddb.create_table(**create_table_params(table))
    for i in range(200):
        ddb.put_item(TableName=table, Item={"pk": {"S": "k%d" % i}, "v": {"N": str(i)}})
    first.kill()  # SIGKILL: no shutdown at all
    second = DdbdServer(rados_args(ns)).start()
    try:
        ddb = make_client(second.endpoint)
        for i in range(200):
            item = ddb.get_item(TableName=table, Key={"pk": {"S": "k%d" % i}}, ConsistentRead=True)
            assert item["Item"]["v"]["N"] == str(i)
    finally:
        second.stop(signal.SIGTERM)


def test_a_snapshot_taker_killed_while_writes_are_paused_leaves_the_others_writing():
    """CreateBackup on A pauses every gateway's writes, then A dies before the pool snapshot (crash
    point rados-snapshot-paused): B resumes by itself (10 s), and its own backups work once A's
    snapshot lock (30 s) has run out."""
    ns = unique_name("snapkill")
    taker = gateway(ns, DDBD_CRASH_POINT="rados-snapshot-paused")
    other = gateway(ns)
    try:
        b = make_client(other.endpoint)
        table = unique_name("t")
        b.create_table(**create_table_params(table))
        b.put_item(TableName=table, Item={"pk": {"S": "before"}})
        with pytest.raises(Exception):
            make_client(taker.endpoint).create_backup(
                TableName=table, BackupName="dies")
        assert taker.proc.wait(timeout=10) == -signal.SIGKILL
        t0 = time.monotonic()
        b.put_item(TableName=table, Item={"pk": {"S": "after"}})  # waits for B to resume
        assert time.monotonic() - t0 < 20
        assert "writes resumed after" in other.stderr_text()
        arn = b.create_backup(TableName=table, BackupName="lives")["BackupDetails"]["BackupArn"]
        deadline = time.monotonic() + 60
        while b.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"] != "AVAILABLE":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert b.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupSizeBytes"] > 0
    finally:
        taker.kill()
        other.stop(signal.SIGTERM)


def test_osd_killed_during_writes_keeps_every_acknowledged_write():
    server = DdbdServer(rados_args(unique_name("osdkill"))).start()
    try:
        ddb = make_client(server.endpoint)  # its 30 s read timeout outlasts re-peering (8 s heartbeat grace)
        table = unique_name("t")
        ddb.create_table(**create_table_params(table))
        acked, errors, stop = [], [], threading.Event()

        def writer():
            i = 0
            while not stop.is_set() and i < 100000:
                try:
                    ddb.put_item(TableName=table, Item={"pk": {"S": "k%d" % i}, "v": {"N": str(i)}})
                    acked.append(i)
                except Exception as e:  # noqa: BLE001: counted, then the write goes on
                    errors.append(repr(e))
                i += 1

        t = threading.Thread(target=writer)
        t.start()
        while len(acked) < 100:
            time.sleep(0.05)
        with open(os.path.join(CEPH_DIR, "run", "osd.2.pid")) as f:
            os.kill(int(f.read().strip()), signal.SIGKILL)
        killed_at = len(acked)
        deadline = time.monotonic() + 90
        while len(acked) < killed_at + 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        stop.set()
        t.join()
        # the cluster kept serving on two replicas: writes went on after the kill
        assert len(acked) >= killed_at + 200, (killed_at, len(acked), errors[:3])
        for i in acked:
            item = ddb.get_item(TableName=table, Key={"pk": {"S": "k%d" % i}}, ConsistentRead=True)
            assert item.get("Item", {}).get("v", {}).get("N") == str(i), i
    finally:
        server.stop(signal.SIGTERM)
