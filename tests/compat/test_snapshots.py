"""Snapshots for test isolation (--admin, docs/admin.md): save the whole store under a name, list,
restore it (exactly, in milliseconds, safely with requests in flight), delete; 404 without --admin."""
import json
import threading
import time
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import make_client, raw_request
from helpers import admin_call


def snapshot(endpoint, name):
    status, body = admin_call(endpoint, "POST", "/ddbd/snapshots", {"name": name})
    assert status == 200, body
    return body


def restore(endpoint, name):
    status, body = admin_call(endpoint, "POST", "/ddbd/snapshots/%s/restore" % name)
    assert status == 200, body
    return body


def create_tables(ddb):
    ddb.create_table(TableName="snap_users", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "email", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     GlobalSecondaryIndexes=[{"IndexName": "by_email",
                                              "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                                              "Projection": {"ProjectionType": "ALL"}}])
    ddb.create_table(TableName="snap_events", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "ts", "AttributeType": "N"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "ts", "KeyType": "RANGE"}])
    for i in range(60):
        ddb.put_item(TableName="snap_users", Item={"pk": {"S": "u%d" % i}, "email": {"S": "e%d@x" % i},
                                                   "n": {"N": str(i)}})
    for i in range(40):
        ddb.put_item(TableName="snap_events", Item={"pk": {"S": "p%d" % (i % 4)}, "ts": {"N": str(i)}})


def state(ddb):
    """Every table's description essentials and every item, sorted."""
    out = {}
    for name in sorted(ddb.list_tables()["TableNames"]):
        d = ddb.describe_table(TableName=name)["Table"]
        items = ddb.scan(TableName=name, ConsistentRead=True)["Items"]
        out[name] = (json.dumps(d["KeySchema"]), sorted(g["IndexName"] for g in d.get("GlobalSecondaryIndexes", [])),
                     d["ItemCount"], sorted(json.dumps(i, sort_keys=True) for i in items))
    return out


def change_everything(ddb, round_):
    ddb.put_item(TableName="snap_users", Item={"pk": {"S": "u1"}, "email": {"S": "changed%d@x" % round_}})
    ddb.delete_item(TableName="snap_users", Key={"pk": {"S": "u2"}})
    ddb.update_item(TableName="snap_users", Key={"pk": {"S": "u3"}}, UpdateExpression="SET n = n + :one",
                    ExpressionAttributeValues={":one": {"N": "1"}})
    ddb.put_item(TableName="snap_users", Item={"pk": {"S": "new%d" % round_}, "email": {"S": "n@x"}})
    ddb.delete_table(TableName="snap_events")
    ddb.create_table(TableName="snap_extra_%d" % round_, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    ddb.put_item(TableName="snap_extra_%d" % round_, Item={"pk": {"S": "x"}})


@pytest.mark.parametrize("storage", ["in-memory", "data-dir"])
def test_snapshot_restore_brings_everything_exactly_back_twice(server_factory, tmp_path, storage):
    args = ["--in-memory"] if storage == "in-memory" else ["--data-dir", str(tmp_path / "data")]
    srv = server_factory(args + ["--admin"])
    ddb = make_client(srv.endpoint)
    create_tables(ddb)
    before = state(ddb)
    made_after = time.time()
    saved = snapshot(srv.endpoint, "base")
    assert saved["name"] == "base" and saved["tookMs"] >= 0
    for round_ in range(2):
        change_everything(ddb, round_)
        assert state(ddb) != before
        took = restore(srv.endpoint, "base")
        assert took["restored"] == "base"
        assert state(ddb) == before, "round %d" % round_
        got = ddb.query(TableName="snap_users", IndexName="by_email", KeyConditionExpression="email = :e",
                        ExpressionAttributeValues={":e": {"S": "e1@x"}})["Items"]
        assert [i["pk"]["S"] for i in got] == ["u1"]  # the index came back with the items
    status, listed = admin_call(srv.endpoint, "GET", "/ddbd/snapshots")
    assert status == 200 and [s["name"] for s in listed["snapshots"]] == ["base"]
    # (the system's clock, as the files' times: bounds that hold however long the rounds took)
    assert made_after - 1 <= listed["snapshots"][0]["createdAt"] / 1000 <= time.time() + 1
    # the store works normally after a restore: writes, a new snapshot of the new state, metrics
    ddb.put_item(TableName="snap_events", Item={"pk": {"S": "after"}, "ts": {"N": "1"}})
    snapshot(srv.endpoint, "second")
    ddb.delete_item(TableName="snap_events", Key={"pk": {"S": "after"}, "ts": {"N": "1"}})
    restore(srv.endpoint, "second")
    assert ddb.get_item(TableName="snap_events", Key={"pk": {"S": "after"}, "ts": {"N": "1"}})["Item"]
    with urllib.request.urlopen(srv.endpoint + "/metrics", timeout=10) as r:
        metrics = r.read().decode()
    assert 'ddbd_table_items{table="snap_events"} 41' in metrics
    assert 'ddbd_table_items{table="snap_users"} 60' in metrics


def test_snapshot_errors_and_delete(server_factory):
    srv = server_factory(["--in-memory", "--admin"])
    ep = srv.endpoint
    assert admin_call(ep, "POST", "/ddbd/snapshots/missing/restore") == (404, {"message": "no snapshot named missing"})
    assert admin_call(ep, "POST", "/ddbd/snapshots", {"name": "bad name!"})[0] == 400
    assert admin_call(ep, "POST", "/ddbd/snapshots", {"nom": "x"})[0] == 400
    assert admin_call(ep, "POST", "/ddbd/snapshots", {"name": "a"})[0] == 200
    assert admin_call(ep, "POST", "/ddbd/snapshots", {"name": "a"}) == (409, {"message": "snapshot a exists"})
    assert admin_call(ep, "DELETE", "/ddbd/snapshots/a") == (200, {"deleted": "a", "tookMs": 0})
    assert admin_call(ep, "DELETE", "/ddbd/snapshots/a")[0] == 404
    assert admin_call(ep, "POST", "/ddbd/snapshots/a/restore")[0] == 404
    assert admin_call(ep, "GET", "/ddbd/snapshots") == (200, {"snapshots": []})
    assert admin_call(ep, "GET", "/ddbd/snapshots/a/nope")[0] == 404


def test_snapshot_endpoints_are_404_without_admin(server_factory):
    srv = server_factory(["--in-memory"])
    unknown = raw_request(srv.endpoint, method="GET", path="/no/such/path", sign=False)
    for method, path in (("GET", "/ddbd/snapshots"), ("DELETE", "/ddbd/snapshots/x")):
        resp = raw_request(srv.endpoint, method=method, path=path, sign=False)
        assert (resp.status, resp.body) == (unknown.status, unknown.body) == (404, b"<UnknownOperationException/>\n")


def test_snapshot_restore_with_requests_in_flight(server_factory):
    """Requests running while snapshots are restored wait and then succeed (none fails or sees a
    half-restored store); the last restore leaves exactly the snapshot."""
    srv = server_factory(["--in-memory", "--admin", "--threads", "2"])
    ddb = make_client(srv.endpoint)
    create_tables(ddb)
    before = state(ddb)
    snapshot(srv.endpoint, "base")
    stop = threading.Event()
    errors, done = [], [0]

    def traffic(k):
        c = make_client(srv.endpoint)
        i = 0
        while not stop.is_set():
            try:
                c.put_item(TableName="snap_users", Item={"pk": {"S": "w%d_%d" % (k, i)}, "email": {"S": "w@x"}})
                c.get_item(TableName="snap_users", Key={"pk": {"S": "u5"}})
                c.query(TableName="snap_events", KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": {"S": "p1"}})
                c.scan(TableName="snap_users", Limit=20)
                done[0] += 1
            except ClientError as e:  # pragma: no cover - reported below
                errors.append(e.response["Error"])
            i += 1

    threads = [threading.Thread(target=traffic, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()

    def rounds(n):
        """Waits for n more rounds of traffic (real work, so a generous deadline)."""
        until, deadline = done[0] + n, time.monotonic() + 120
        while done[0] < until and not errors:
            assert time.monotonic() < deadline, "no traffic"
            time.sleep(0.01)
    rounds(1)
    for _ in range(5):
        restore(srv.endpoint, "base")
        rounds(1)  # requests in flight between restores
    stop.set()
    for t in threads:
        t.join()
    assert errors == []
    assert done[0] > 0
    restore(srv.endpoint, "base")
    assert state(ddb) == before


def test_snapshot_restore_survives_restart_and_interrupted_restore_completes(server_factory, tmp_path):
    data = tmp_path / "data"
    srv = server_factory(["--data-dir", str(data), "--admin"])
    ddb = make_client(srv.endpoint)
    create_tables(ddb)
    before = state(ddb)
    snapshot(srv.endpoint, "base")
    change_everything(ddb, 0)
    restore(srv.endpoint, "base")
    assert srv.stop() == 0
    srv = server_factory(["--data-dir", str(data), "--admin"])
    ddb = make_client(srv.endpoint)
    assert state(ddb) == before
    assert [s["name"] for s in admin_call(srv.endpoint, "GET", "/ddbd/snapshots")[1]["snapshots"]] == ["base"]
    # a crash while the files were being replaced: the marker names the snapshot, the next start completes it
    change_everything(ddb, 1)
    assert srv.stop() == 0
    (data / "ddbd-snapshots" / ".restoring").write_text("base")
    srv = server_factory(["--data-dir", str(data), "--admin"])
    assert "completing the restore of base" in srv.stderr_text()
    assert state(make_client(srv.endpoint)) == before
    assert not (data / "ddbd-snapshots" / ".restoring").exists()
