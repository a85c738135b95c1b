"""A full or failing disk: the request gets InternalServerError, the server stays up, nothing
acknowledged is lost or half-written (items and their index entries), and writes resume when the
disk has room again.

The faults are armed through the admin API (docs/admin.md): `free_bytes` makes the disk guard read
a full disk (the same path a real one takes: --min-free-disk), `write_errors` makes every storage
write fail as an I/O error would.
"""
import threading
import time

import pytest
from botocore.exceptions import ClientError

from conftest import N, S, DdbdServer, make_client
from helpers import admin_answer, make_table


def storage_faults(endpoint, body=None):
    """The storage faults of /ddbd/faults' answer, after POSTing `body` when given (it lists the
    request faults too: test_injected_faults.py)."""
    answer = admin_answer(endpoint, "/ddbd/faults", body)
    assert answer.pop("faults") == []
    answer.pop("seed")
    return answer


def start(tmp_path):
    return DdbdServer(["--data-dir", str(tmp_path / "data"), "--admin"]).start()


def assert_internal_error(call, **kw):
    with pytest.raises(ClientError) as e:
        call(**kw)
    err = e.value.response
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert err["Error"]["Code"] == "InternalServerError"
    assert err["Error"]["Message"] == "Internal server error"


def every_write_fails(c, expected, deletes_refused):
    """Every write that adds fails; a delete too on a failing disk, but not on a full one, where
    deletes are how a user frees space (tests/security/test_disk_full.py)."""
    assert_internal_error(c.put_item, TableName="disk", Item={"pk": S("new"), "g": S("x")})
    assert_internal_error(c.update_item, TableName="disk", Key={"pk": S("k0")}, UpdateExpression="SET v = :v",
                          ExpressionAttributeValues={":v": N(99)})
    if deletes_refused:
        assert_internal_error(c.delete_item, TableName="disk", Key={"pk": S("k1")})
    else:
        c.delete_item(TableName="disk", Key={"pk": S("k1")})
        del expected["k1"]
    assert_internal_error(c.transact_write_items, TransactItems=[
        {"Put": {"TableName": "disk", "Item": {"pk": S("t1"), "g": S("x")}}},
        {"Delete": {"TableName": "disk", "Key": {"pk": S("k2")}}}])
    assert_internal_error(c.execute_statement, Statement="INSERT INTO disk VALUE {'pk': 'pq', 'g': 'x'}")
    assert_internal_error(c.create_table, TableName="disk2", BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    # a batch whose writes all fail: nothing of it is stored
    try:
        r = c.batch_write_item(RequestItems={"disk": [{"PutRequest": {"Item": {"pk": S("b%d" % i), "g": S("x")}}}
                                                      for i in range(3)]})
        assert len(r.get("UnprocessedItems", {}).get("disk", [])) == 3
    except ClientError as e:
        assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 500


def assert_state(c, expected):
    items = {i["pk"]["S"]: i for p in c.get_paginator("scan").paginate(TableName="disk", ConsistentRead=True)
             for i in p["Items"]}
    assert items == expected
    by_index = [i for p in c.get_paginator("query").paginate(
        TableName="disk", IndexName="byg", KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": S("x")}) for i in p["Items"]]
    assert sorted(i["pk"]["S"] for i in by_index) == sorted(k for k, v in expected.items() if v.get("g") == S("x"))
    assert c.list_tables()["TableNames"] == ["disk"]


@pytest.mark.parametrize("fault", [{"free_bytes": 0}, {"write_errors": True}])
def test_failing_disk_loses_nothing_and_writes_resume(tmp_path, fault):
    srv = start(tmp_path)
    try:
        c = make_client(srv.endpoint)
        make_table(c, "disk", gsi=True)
        expected = {}
        for i in range(20):
            item = {"pk": S("k%d" % i), "g": S("x"), "v": N(i)}
            c.put_item(TableName="disk", Item=item)
            expected["k%d" % i] = item
        assert storage_faults(srv.endpoint, fault) == {"write_errors": bool(fault.get("write_errors")),
                                              "free_bytes": fault.get("free_bytes"), "stuck_resume": False}
        every_write_fails(c, expected, "write_errors" in fault)
        # reads go on, and see exactly what was acknowledged
        assert_state(c, expected)
        assert c.get_item(TableName="disk", Key={"pk": S("k0")})["Item"] == expected["k0"]
        assert storage_faults(srv.endpoint, {}) == {"write_errors": False, "free_bytes": None, "stuck_resume": False}
        c.put_item(TableName="disk", Item={"pk": S("after"), "g": S("x")})
        expected["after"] = {"pk": S("after"), "g": S("x")}
        assert_state(c, expected)
        if "free_bytes" in fault:
            assert "disk nearly full" in srv.stderr_text() and "writes resume" in srv.stderr_text()
    finally:
        srv.kill()
    # and after a kill -9, all of it is still there
    srv = start(tmp_path)
    try:
        assert_state(make_client(srv.endpoint), expected)
    finally:
        srv.stop()


def test_disk_fills_under_load(tmp_path):
    """Writers keep going while the disk fills and empties: every acknowledged write is there."""
    srv = start(tmp_path)
    c = make_client(srv.endpoint)
    make_table(c, "disk", gsi=True)
    acked, refused, other = [], [], []
    stop = threading.Event()

    def writer(w):
        cl = make_client(srv.endpoint)
        i = 0
        while not stop.is_set():
            key = "w%d-%d" % (w, i)
            i += 1
            try:
                cl.put_item(TableName="disk", Item={"pk": S(key), "g": S("x")})
                acked.append(key)
            except ClientError as e:
                (refused if e.response["Error"]["Code"] == "InternalServerError" else other).append(key)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()

    for _ in range(3):
        time.sleep(0.2)
        storage_faults(srv.endpoint, {"free_bytes": 1000})
        time.sleep(0.2)
        storage_faults(srv.endpoint, {})
    time.sleep(0.2)
    stop.set()
    for t in threads:
        t.join()
    assert refused and acked and not other
    assert srv.proc.poll() is None
    srv.kill()
    srv = start(tmp_path)
    try:
        c = make_client(srv.endpoint)
        keys = {i["pk"]["S"] for p in c.get_paginator("scan").paginate(TableName="disk", ConsistentRead=True)
                for i in p["Items"]}
        assert set(acked) <= keys
        assert not (set(refused) & keys)
    finally:
        srv.stop()


def test_real_free_space_below_the_reserve_refuses_writes(tmp_path):
    """--min-free-disk above what the file system has: the guard's own statvfs reading refuses."""
    srv = DdbdServer(["--data-dir", str(tmp_path / "data"), "--min-free-disk", str(10 ** 18)]).start()
    try:
        c = make_client(srv.endpoint)
        assert_internal_error(c.create_table, TableName="never", BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        assert c.list_tables()["TableNames"] == []
        assert "disk nearly full" in srv.stderr_text()
    finally:
        srv.stop()
