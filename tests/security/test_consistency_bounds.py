"""/ddbd/consistency keeps what it is given bounded (docs/security.md, "The doors"): at most 256
tables with settings of their own, a table's log at most 20,000 changes (the oldest forgotten,
then seen at once), and a long window costs no more than that."""

from conftest import S, make_client, unique_name
from helpers import admin_call


def admin(srv, body=None):
    return admin_call(srv.endpoint, "POST" if body else "GET", "/ddbd/consistency", body)


def test_at_most_256_tables_have_settings(server_factory):
    srv = server_factory(["--in-memory", "--admin"])
    for i in range(256):
        assert admin(srv, {"table": "t%03d" % i, "staleReadsMs": 1000})[0] == 200
    assert admin(srv, {"table": "one_more", "staleReadsMs": 1000}) == (
        400, {"message": "too many tables have consistency settings (256)"})
    assert admin(srv, {"table": "t000"})[0] == 200  # a table already there may still change
    assert len(admin(srv)[1]["tables"]) == 256


def test_a_table_log_keeps_at_most_20000_changes(server_factory):
    srv = server_factory(["--in-memory", "--admin"])
    ddb = make_client(srv.endpoint)
    t = unique_name("bound")
    ddb.create_table(TableName=t, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    assert admin(srv, {"table": t, "staleReadsMs": 3600000, "indexLagMs": 3600000})[0] == 200
    for b in range(20100 // 25):
        ddb.batch_write_item(RequestItems={t: [{"PutRequest": {"Item": {"pk": S("k%d" % (b * 25 + i))}}}
                                               for i in range(25)]})
    kept = [x["changesKept"] for x in admin(srv)[1]["tables"] if x["table"] == t]
    assert kept == [20000]
    # the forgotten oldest are seen at once; a strongly consistent read always
    assert ddb.get_item(TableName=t, Key={"pk": S("k0")}, ConsistentRead=True)["Item"] == {"pk": S("k0")}
    # off: the log is freed
    assert admin(srv, {"table": t})[0] == 200
    assert [x["changesKept"] for x in admin(srv)[1]["tables"] if x["table"] == t] == [0]


def test_a_table_log_keeps_at_most_16_mib_of_images(server_factory):
    """20,000 items of 400 KB would be 8 GB: the log also stops at 16 MiB of images (and a read,
    which copies what it misses, with it)."""
    srv = server_factory(["--in-memory", "--admin"])
    ddb = make_client(srv.endpoint)
    t = unique_name("bound")
    ddb.create_table(TableName=t, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    assert admin(srv, {"table": t, "staleReadsMs": 3600000})[0] == 200
    for i in range(60):  # 60 x 300 KB: 18 MB
        ddb.put_item(TableName=t, Item={"pk": S("k%d" % i), "pad": S("x" * 300000)})
    kept = [x["changesKept"] for x in admin(srv)[1]["tables"] if x["table"] == t][0]
    assert 50 <= kept <= 56  # 16 MiB / 300 KB = 55.9 (one past it until the next write)
    assert ddb.scan(TableName=t, ConsistentRead=True)["Count"] >= 1
