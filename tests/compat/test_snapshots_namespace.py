"""Snapshots of one namespace (--admin --namespaces, docs/admin.md): `POST /ddbd/snapshots {"name",
"namespace"}` saves one account/region's tables, a restore of it resets that namespace alone while
the others keep their state and keep being served (the test runners' one-server-many-workers
fixture, docs/testing.md)."""
import json
import threading
import urllib.request

import pytest
from botocore.exceptions import ClientError

from helpers import admin_call as admin, key_client
from test_snapshots import restore

ACCOUNT = "000000000000"


def client(endpoint, region):
    return key_client(endpoint, "k", "s", region=region)


def streams(endpoint, region):
    return key_client(endpoint, "k", "s", region=region, service="dynamodbstreams")


def seed(db):
    db.create_table(TableName="users", BillingMode="PAY_PER_REQUEST",
                    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                          {"AttributeName": "email", "AttributeType": "S"}],
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                    GlobalSecondaryIndexes=[{"IndexName": "by_email",
                                             "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                                             "Projection": {"ProjectionType": "ALL"}}],
                    StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    db.create_table(TableName="events", BillingMode="PAY_PER_REQUEST",
                    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                          {"AttributeName": "ts", "AttributeType": "N"},
                                          {"AttributeName": "kind", "AttributeType": "S"}],
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "ts", "KeyType": "RANGE"}],
                    LocalSecondaryIndexes=[{"IndexName": "by_kind",
                                            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                          {"AttributeName": "kind", "KeyType": "RANGE"}],
                                            "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    db.update_time_to_live(TableName="events", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    db.tag_resource(ResourceArn=db.describe_table(TableName="events")["Table"]["TableArn"],
                    Tags=[{"Key": "team", "Value": "a"}])
    db.create_table(TableName="gone", BillingMode="PAY_PER_REQUEST",
                    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    db.put_item(TableName="gone", Item={"pk": {"S": "g"}})
    for i in range(50):
        db.put_item(TableName="users", Item={"pk": {"S": "u%d" % i}, "email": {"S": "e%d@x" % i}})
        db.put_item(TableName="events", Item={"pk": {"S": "p%d" % (i % 5)}, "ts": {"N": str(i)},
                                              "kind": {"S": "k%d" % (i % 3)}})


def state(db):
    """Tables, their settings, every item and every index's answers, sorted."""
    out = {}
    for name in sorted(db.list_tables()["TableNames"]):
        d = db.describe_table(TableName=name)["Table"]
        items = db.scan(TableName=name, ConsistentRead=True)["Items"]
        idx = {}
        for ix in d.get("GlobalSecondaryIndexes", []) + d.get("LocalSecondaryIndexes", []):
            idx[ix["IndexName"]] = (ix.get("IndexStatus"), ix["ItemCount"],
                                    sorted(json.dumps(i, sort_keys=True) for i in
                                           db.scan(TableName=name, IndexName=ix["IndexName"])["Items"]))
        ttl = db.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        tags = db.list_tags_of_resource(ResourceArn=d["TableArn"]).get("Tags", [])
        out[name] = (d["KeySchema"], d["ItemCount"], str(d["CreationDateTime"]), d["TableArn"],
                     d.get("StreamSpecification"), ttl, tags, idx,
                     sorted(json.dumps(i, sort_keys=True) for i in items))
    return out


def change(db, n):
    db.put_item(TableName="users", Item={"pk": {"S": "u1"}, "email": {"S": "changed%d@x" % n}})
    db.delete_item(TableName="users", Key={"pk": {"S": "u2"}})
    # events is reset in place (its description unchanged), users made again (its stream), gone too
    db.put_item(TableName="events", Item={"pk": {"S": "p0"}, "ts": {"N": "999"}, "kind": {"S": "new"}})
    db.delete_item(TableName="events", Key={"pk": {"S": "p1"}, "ts": {"N": "1"}})
    db.delete_table(TableName="gone")
    db.create_table(TableName="extra%d" % n, BillingMode="PAY_PER_REQUEST",
                    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    db.put_item(TableName="extra%d" % n, Item={"pk": {"S": "x"}})


def protect(db, table, on):
    """UpdateTable DeletionProtectionEnabled (a member botocore 1.29 lacks: added before signing)."""
    def add(request, **_):
        body = json.loads(request.data)
        body["DeletionProtectionEnabled"] = on
        request.data = json.dumps(body).encode()
    db.meta.events.register_first("before-sign.dynamodb.UpdateTable", add)
    try:
        db.update_table(TableName=table)
    finally:
        db.meta.events.unregister("before-sign.dynamodb.UpdateTable", add)


def save(ep, name, ns):
    status, body = admin(ep, "POST", "/ddbd/snapshots", {"name": name, "namespace": ns})
    assert status == 200, body
    return body


@pytest.mark.parametrize("storage", ["in-memory", "data-dir"])
def test_a_namespace_restore_resets_that_namespace_only(server_factory, tmp_path, storage):
    args = ["--in-memory"] if storage == "in-memory" else ["--data-dir", str(tmp_path / "data")]
    # (state() lists each table's tags, beyond DynamoDB's ten ListTagsOfResource a second)
    srv = server_factory(args + ["--admin", "--namespaces", "--regions", "aws,ddbd-*", "--control-plane-rates", "off"])
    ep = srv.endpoint
    mine, other = client(ep, "ddbd-gw0"), client(ep, "ddbd-gw1")
    seed(mine)
    seed(other)
    before = state(mine)
    assert save(ep, "gw0", ACCOUNT + ":ddbd-gw0")["name"] == "gw0"
    for n in range(2):
        change(mine, n)
        other.put_item(TableName="users", Item={"pk": {"S": "other%d" % n}, "email": {"S": "o@x"}})
        assert state(mine) != before
        assert restore(ep, "gw0")["restored"] == "gw0"
        assert state(mine) == before, "round %d" % n
        got = mine.query(TableName="users", IndexName="by_email", KeyConditionExpression="email = :e",
                         ExpressionAttributeValues={":e": {"S": "e1@x"}})["Items"]
        assert [i["pk"]["S"] for i in got] == ["u1"]
        kinds = mine.query(TableName="events", IndexName="by_kind", KeyConditionExpression="pk = :p AND kind = :k",
                           ExpressionAttributeValues={":p": {"S": "p0"}, ":k": {"S": "k0"}})["Items"]
        assert sorted(int(i["ts"]["N"]) for i in kinds) == [0, 15, 30, 45]
        # the other namespace kept every write, its own and the ones made before the restore
        assert other.get_item(TableName="users", Key={"pk": {"S": "other%d" % n}})["Item"]["email"] == {"S": "o@x"}
        assert len(other.scan(TableName="events")["Items"]) == 50
        assert len(other.scan(TableName="gone")["Items"]) == 1
    # writes work on the restored tables, through the index too; the default namespace never saw any of it
    mine.put_item(TableName="users", Item={"pk": {"S": "late"}, "email": {"S": "late@x"}})
    assert mine.query(TableName="users", IndexName="by_email", KeyConditionExpression="email = :e",
                      ExpressionAttributeValues={":e": {"S": "late@x"}})["Count"] == 1
    assert client(ep, "us-east-1").list_tables()["TableNames"] == []
    if storage == "data-dir":  # the restored namespace is what a restart opens
        restore(ep, "gw0")
        srv.stop()
        srv.start()
        assert state(client(ep, "ddbd-gw0")) == before
        assert len(client(ep, "ddbd-gw1").scan(TableName="users")["Items"]) == 52


def metrics(endpoint):
    with urllib.request.urlopen(endpoint + "/metrics", timeout=10) as r:
        return sorted(l for l in r.read().decode().splitlines() if l.startswith("ddbd_table_items"))


def stream_keys(db, st):
    """The keys of every record of the table users' latest stream, and its ARN."""
    arn = db.describe_table(TableName="users")["Table"]["LatestStreamArn"]
    keys = []
    for sh in st.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        it = st.get_shard_iterator(StreamArn=arn, ShardId=sh["ShardId"], ShardIteratorType="TRIM_HORIZON")
        keys += [r["dynamodb"]["Keys"]["pk"]["S"] for r in st.get_records(ShardIterator=it["ShardIterator"])["Records"]]
    return arn, keys


def test_a_restored_stream_is_a_new_empty_stream_and_figures_are_right(server_factory):
    srv = server_factory(["--in-memory", "--admin", "--namespaces", "--regions", "aws,ddbd-*"])
    db, st = client(srv.endpoint, "ddbd-gw0"), streams(srv.endpoint, "ddbd-gw0")
    seed(db)
    old_arn, old_keys = stream_keys(db, st)
    assert len(old_keys) == 50
    save(srv.endpoint, "s", ACCOUNT + ":ddbd-gw0")
    db.put_item(TableName="users", Item={"pk": {"S": "before-restore"}, "email": {"S": "b@x"}})
    restore(srv.endpoint, "s")
    d = db.describe_table(TableName="users")["Table"]
    assert d["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    arn, keys = stream_keys(db, st)
    assert arn != old_arn and keys == []  # neither the seed's records nor those of the writes undone
    db.put_item(TableName="users", Item={"pk": {"S": "after-restore"}, "email": {"S": "a@x"}})
    assert stream_keys(db, st) == (arn, ["after-restore"])
    # /metrics' items: the re-created table (users), the one reset in place (events), the deleted one
    db.delete_item(TableName="events", Key={"pk": {"S": "p1"}, "ts": {"N": "1"}})
    db.delete_table(TableName="gone")
    assert metrics(srv.endpoint) == ['ddbd_table_items{table="events"} 49', 'ddbd_table_items{table="users"} 51']
    restore(srv.endpoint, "s")
    assert metrics(srv.endpoint) == ['ddbd_table_items{table="events"} 50', 'ddbd_table_items{table="gone"} 1',
                                     'ddbd_table_items{table="users"} 50']


def test_other_namespaces_are_served_during_restores(server_factory):
    srv = server_factory(["--in-memory", "--admin", "--namespaces", "--regions", "aws,ddbd-*"])
    mine, other = client(srv.endpoint, "ddbd-gw0"), client(srv.endpoint, "ddbd-gw1")
    seed(mine)
    other.create_table(TableName="users", BillingMode="PAY_PER_REQUEST",
                       AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                       KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    save(srv.endpoint, "gw0", ACCOUNT + ":ddbd-gw0")
    stop, written, errors = threading.Event(), [], []

    def writer():
        n = 0
        while not stop.is_set():
            try:
                other.put_item(TableName="users", Item={"pk": {"S": "w%d" % n}})
                written.append(n)
            except ClientError as e:  # pragma: no cover - the failure the test is for
                errors.append(e)
            n += 1

    t = threading.Thread(target=writer)
    t.start()
    took = []
    while len(took) < 20 or len(written) < 100:  # restores and writes interleave
        took.append(restore(srv.endpoint, "gw0")["tookMs"])
    stop.set()
    t.join()
    assert errors == []
    got = {i["pk"]["S"] for i in other.scan(TableName="users", ConsistentRead=True)["Items"]}
    assert got == {"w%d" % n for n in written}
    print("namespace restore (2 tables, 100 items): median %.1f ms of %d" % (sorted(took)[len(took) // 2], len(took)))
    assert mine.scan(TableName="users")["Count"] == 50


def test_namespace_snapshot_errors(server_factory):
    srv = server_factory(["--in-memory", "--admin", "--namespaces", "--regions", "aws,ddbd-*"])
    ep = srv.endpoint
    db = client(ep, "ddbd-gw0")
    bad = (400, {"message": "\"namespace\" is \"<account>:<region>\", or \"\" for the default account in us-east-1"})
    for ns in ("nocolon", ":us-east-1", ACCOUNT + ":", "a:b/c", 7):
        assert admin(ep, "POST", "/ddbd/snapshots", {"name": "x", "namespace": ns}) == bad, ns
    assert admin(ep, "POST", "/ddbd/snapshots", {"name": "bad name!", "namespace": ""}) == (
        400, {"message": "a snapshot name is 1 to 64 of A-Z, a-z, 0-9, _ and -"})
    assert admin(ep, "POST", "/ddbd/snapshots/none/restore") == (404, {"message": "no snapshot named none"})
    # a namespace with no tables is a namespace like another: its restore deletes what was created since
    save(ep, "empty", ACCOUNT + ":ddbd-gw0")
    seed(db)
    restore(ep, "empty")
    assert db.list_tables()["TableNames"] == []
    # names are shared with whole-store snapshots
    assert admin(ep, "POST", "/ddbd/snapshots", {"name": "empty"}) == (409, {"message": "snapshot empty exists"})
    assert admin(ep, "POST", "/ddbd/snapshots", {"name": "whole"})[0] == 200
    assert admin(ep, "POST", "/ddbd/snapshots", {"name": "whole", "namespace": ""}) == (
        409, {"message": "snapshot whole exists"})
    status, listed = admin(ep, "GET", "/ddbd/snapshots")
    assert status == 200
    assert sorted((s["name"], s.get("namespace")) for s in listed["snapshots"]) == [
        ("empty", ACCOUNT + ":ddbd-gw0"), ("whole", None)]
    # the default account's us-east-1 is the default namespace, ""
    assert save(ep, "default", ACCOUNT + ":us-east-1")
    listed = admin(ep, "GET", "/ddbd/snapshots")[1]["snapshots"]
    assert [s["namespace"] for s in listed if s["name"] == "default"] == [""]
    # deletion protection is honoured: the restore changes nothing and says which table
    seed(db)
    protect(db, "users", True)
    status, body = admin(ep, "POST", "/ddbd/snapshots/empty/restore")
    assert status == 409
    assert body == {"message": "table users has deletion protection: nothing was restored"}
    assert sorted(db.list_tables()["TableNames"]) == ["events", "gone", "users"]
    protect(db, "users", False)
    restore(ep, "empty")
    # what a copy of the keyspaces cannot bring back is refused when saving
    db.create_table(TableName="pitr", BillingMode="PAY_PER_REQUEST",
                    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    db.update_continuous_backups(TableName="pitr",
                                 PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    assert admin(ep, "POST", "/ddbd/snapshots", {"name": "p", "namespace": ACCOUNT + ":ddbd-gw0"}) == (
        409, {"message": "table pitr cannot be saved in a namespace snapshot: point-in-time recovery is enabled"})
    # delete
    assert admin(ep, "DELETE", "/ddbd/snapshots/empty") == (200, {"deleted": "empty", "tookMs": 0})
    assert admin(ep, "POST", "/ddbd/snapshots/empty/restore") == (404, {"message": "no snapshot named empty"})


def test_a_namespace_snapshot_needs_namespaces(server_factory):
    srv = server_factory(["--in-memory", "--admin"])
    assert admin(srv.endpoint, "POST", "/ddbd/snapshots", {"name": "x", "namespace": ACCOUNT + ":eu-west-1"}) == (
        400, {"message": "a namespace snapshot of another account or region needs --namespaces"})
