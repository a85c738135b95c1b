"""GET /ddbd/usage's "warnings" (issue 53, section 4): the access patterns the requests observed
would pay for or trip on in DynamoDB. Each warning fires on its pattern, with its exact counts,
table and message, and stays quiet on the healthy pattern beside it (docs/usage.md lists the
rules and their thresholds). Every workload goes through boto3."""
import json
import time
import urllib.request

import pytest

from conftest import make_client, padded_item, unique_name
from helpers import admin_call

MONTH = 730 * 3600
WRITE_PRICE = 0.625  # prices.def, us-east-1 Standard: $ per million write request units
PAD = "v" * 1500


@pytest.fixture
def server(server_factory):
    # the frozen clock: "written less than 1000 ms before" is the server's time, stepped by the tests
    return server_factory(("--in-memory", "--admin", "--clock", "frozen"))


@pytest.fixture
def ddb(server):
    return make_client(server.endpoint)


def warnings_of(server, table):
    with urllib.request.urlopen(server.endpoint + "/ddbd/usage", timeout=5) as r:
        report = json.loads(r.read())
    return [w for w in report["warnings"] if w["table"] == table]


def create(ddb, name, sort=None, gsi=False):
    defs = [{"AttributeName": "pk", "AttributeType": "S"}]
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    extra = {}
    if sort:
        defs.append({"AttributeName": "sk", "AttributeType": "N"})
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
    if gsi:
        defs.append({"AttributeName": "g", "AttributeType": "S"})
        extra["GlobalSecondaryIndexes"] = [{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                            "Projection": {"ProjectionType": "ALL"}}]
    ddb.create_table(TableName=name, AttributeDefinitions=defs, KeySchema=keys, BillingMode="PAY_PER_REQUEST", **extra)
    return name


def batch_write(ddb, name, items):
    for i in range(0, len(items), 25):
        resp = ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": it}} for it in items[i:i + 25]]})
        assert resp["UnprocessedItems"] == {}


def scan_message(scans, share, scanned, read):
    return ("%d Scans consumed %.0f%% of the table's read units (%g of %g): a Scan reads every item of the table "
            "or index, and is charged for all it reads. Query by key instead (add a global secondary index for "
            "the access pattern), or keep the result where it is needed." % (scans, share, scanned, read))


def test_scans_share_of_read_units(server, ddb):
    hot, calm = create(ddb, unique_name("scan")), create(ddb, unique_name("noscan"))
    for name in (hot, calm):
        for i in range(10):  # 1,505 bytes each
            ddb.put_item(TableName=name, Item={"pk": {"S": "k%d" % i}, "v": {"S": PAD}})
        for i in range(4):  # 4 x 1 unit
            ddb.get_item(TableName=name, Key={"pk": {"S": "k%d" % i}}, ConsistentRead=True)
    # 10 x 1,505 = 15,050 bytes: 4 x 4 KB, eventually consistent: 2 units of the table's 6
    assert ddb.scan(TableName=hot)["Count"] == 10
    assert warnings_of(server, hot) == [{
        "warning": "scan", "table": hot, "counts": {"scans": 1, "scanReadUnits": 2, "readUnits": 6},
        "message": scan_message(1, 33, 2, 6)}]
    assert warnings_of(server, calm) == []
    # below the threshold: 20 units of GetItem, then the same 2-unit Scan (9 %)
    for i in range(16):
        ddb.get_item(TableName=calm, Key={"pk": {"S": "k%d" % (i % 10)}}, ConsistentRead=True)
    assert ddb.scan(TableName=calm)["Count"] == 10
    assert warnings_of(server, calm) == []


def filter_message(requests, read, kept):
    return ("Filters discarded %.0f%% of the items read (%d requests read %d items and returned %d): a filter "
            "applies after the read, and the read is what is charged. Make the filtered attribute part of the key "
            "(the sort key, or a global secondary index's) so the request reads only what it returns."
            % (100.0 * (read - kept) / read, requests, read, kept))


def test_filters_that_discard_most_of_what_they_read(server, ddb):
    name = create(ddb, unique_name("filter"), sort=True)
    batch_write(ddb, name, [{"pk": {"S": "p"}, "sk": {"N": str(n)}, "kind": {"S": "rare" if n % 50 == 0 else "common"}}
                            for n in range(200)])
    q = dict(TableName=name, KeyConditionExpression="pk = :p", FilterExpression="kind = :k")
    # healthy: the filter keeps 196 of the 200 read
    resp = ddb.query(ExpressionAttributeValues={":p": {"S": "p"}, ":k": {"S": "common"}}, **q)
    assert (resp["Count"], resp["ScannedCount"]) == (196, 200)
    assert warnings_of(server, name) == []
    # then one that keeps 4 of 200: 2 requests read 400 items and returned 200 (50 %): still quiet
    resp = ddb.query(ExpressionAttributeValues={":p": {"S": "p"}, ":k": {"S": "rare"}}, **q)
    assert (resp["Count"], resp["ScannedCount"]) == (4, 200)
    assert warnings_of(server, name) == []

    def scans(n):
        for _ in range(n):
            resp = ddb.scan(TableName=name, FilterExpression="kind = :k", ExpressionAttributeValues={":k": {"S": "rare"}})
            assert (resp["Count"], resp["ScannedCount"]) == (4, 200)
        return [w for w in warnings_of(server, name) if w["warning"] == "filter"]
    # three Scans of that filter: 5 requests read 1,000 and returned 212 (1 in 4.7 kept): quiet
    assert scans(3) == []
    # three more: 8 requests read 1,600 and returned 224 (1 in 7.1 kept, 86 % discarded)
    assert scans(3) == [{"warning": "filter", "table": name,
                         "counts": {"requests": 8, "scannedCount": 1600, "count": 224},
                         "message": filter_message(8, 1600, 224)}]


def test_items_near_the_400_kb_limit(server, ddb):
    big, small = create(ddb, unique_name("big")), create(ddb, unique_name("small"))
    ddb.put_item(TableName=big, Item=padded_item({"pk": {"S": "a"}}, 350000))
    ddb.put_item(TableName=big, Item=padded_item({"pk": {"S": "b"}}, 310000))
    ddb.put_item(TableName=big, Item=padded_item({"pk": {"S": "c"}}, 200000))
    ddb.put_item(TableName=small, Item=padded_item({"pk": {"S": "a"}}, 300 * 1024 - 1))
    assert warnings_of(server, big) == [{
        "warning": "largeItems", "table": big, "counts": {"items": 2, "largestBytes": 350000},
        "message": "2 writes of items of 300 KB or more (the largest 350000 bytes), near DynamoDB's 400 KB item "
                   "limit: each costs a write unit per KB, and every read of it up to 100 read units. Keep large "
                   "attributes in S3 with a pointer in the item, compress them, or split the item."}]
    assert warnings_of(server, small) == []


def test_global_secondary_index_written_but_never_read(server, ddb):
    unread, read = create(ddb, unique_name("gsi"), gsi=True), create(ddb, unique_name("gsiq"), gsi=True)
    for name in (unread, read):
        for i in range(3):  # 2 + 2 + 1 + 2 + 1 + 1,500 = 1,508 bytes: 2 units on the table, 2 on the index
            ddb.put_item(TableName=name, Item={"pk": {"S": "k%d" % i}, "g": {"S": "g%d" % i}, "v": {"S": PAD}})
    assert ddb.query(TableName=read, IndexName="byG", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": {"S": "g1"}})["Count"] == 1
    got = warnings_of(server, unread)
    monthly = got[0]["counts"].pop("monthlyCost")
    assert got == [{
        "warning": "unreadIndex", "table": unread, "index": "byG",
        "counts": {"writeUnits": 6, "writeCost": pytest.approx(6 * WRITE_PRICE / 1e6)},
        "message": "Global secondary index byG was written (6 write units) but never read: every write to the "
                   "table that changes its attributes is billed again to it. Delete it if no access pattern "
                   "queries it, or project fewer attributes into it."}]
    assert 0 < monthly <= 6 * WRITE_PRICE / 1e6 * MONTH
    assert warnings_of(server, read) == []


def test_ttl_attribute_in_milliseconds_or_a_string(server, ddb):
    bad, good, off = create(ddb, unique_name("ttl")), create(ddb, unique_name("ttlok")), create(ddb, unique_name("ttloff"))
    for name in (bad, good):
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    now = int(time.time())
    for i in range(3):
        ddb.put_item(TableName=bad, Item={"pk": {"S": "ms%d" % i}, "exp": {"N": str(now * 1000)}})
    for i in range(2):
        ddb.put_item(TableName=bad, Item={"pk": {"S": "s%d" % i}, "exp": {"S": str(now)}})
    ddb.put_item(TableName=bad, Item={"pk": {"S": "ok"}, "exp": {"N": str(now)}})
    ddb.put_item(TableName=bad, Item={"pk": {"S": "none"}})  # no TTL attribute: not counted
    ddb.update_item(TableName=good, Key={"pk": {"S": "u"}}, UpdateExpression="SET exp = :e",
                    ExpressionAttributeValues={":e": {"N": str(now + 3600)}})
    ddb.put_item(TableName=good, Item={"pk": {"S": "ok"}, "exp": {"N": str(now)}})
    # TTL not enabled: DynamoDB expires nothing there whatever the attribute holds, nothing to say
    ddb.put_item(TableName=off, Item={"pk": {"S": "ms"}, "exp": {"N": str(now * 1000)}})
    assert warnings_of(server, bad) == [
        {"warning": "ttlMilliseconds", "table": bad, "counts": {"writes": 6, "milliseconds": 3},
         "message": "3 of 6 writes set the TTL attribute exp to a number above 1e11: milliseconds, not seconds "
                    "since the epoch, so DynamoDB expires those items a thousand times later than meant. Store "
                    "seconds (the milliseconds divided by 1000)."},
        {"warning": "ttlString", "table": bad, "counts": {"writes": 6, "strings": 2},
         "message": "2 of 6 writes set the TTL attribute exp to a string: DynamoDB expires only items whose TTL "
                    "attribute is a Number, so these never expire. Store the expiry time as a Number of seconds "
                    "since the epoch."}]
    assert warnings_of(server, good) == []
    assert warnings_of(server, off) == []


def items(pks, sks):
    return [{"pk": {"S": pk}, "sk": {"N": str(sk)}} for pk in pks for sk in sks]


def test_bulk_load_sorted_by_partition_key(server, ddb):
    sorted_, mixed, distinct = (create(ddb, unique_name(p), sort=True) for p in ("sorted", "mixed", "distinct"))
    # keys longer than the 48 bytes compared, alike in those: told apart by their hashes
    pks = ["tenant#%s#u%02d" % ("x" * 60, i) for i in range(10)]
    batch_write(ddb, sorted_, items(pks, range(20)))  # u00's 20 items, then u01's, ...
    # healthy: the same 200 items, one of each key in turn; or 200 keys in order, two items each (an
    # item created, then its sibling: 2 writes a key, below the 4 a sorted load takes)
    batch_write(ddb, mixed, [{"pk": {"S": pk}, "sk": {"N": str(sk)}} for sk in range(20) for pk in pks])
    batch_write(ddb, distinct, items(["d%03d" % i for i in range(200)], [0, 1]))
    assert warnings_of(server, sorted_) == [{
        "warning": "sortedLoad", "table": sorted_, "counts": {"loads": 1, "writes": 200},
        "message": "1 bulk loads wrote items in partition key order, one key's items after another's (200 writes "
                   "in runs of 100 or more): DynamoDB keeps a partition key's items in one partition, so such a "
                   "load writes one partition at a time, at 1,000 write units a second at most. Shuffle the load, "
                   "or interleave partition keys (one item of each key in turn)."}]
    assert warnings_of(server, mixed) == []
    assert warnings_of(server, distinct) == []


def test_eventually_consistent_read_right_after_a_write(server_factory):
    """On the frozen clock (issue 60): "right after" is the server's time, so a read 999 ms after
    the write warns and one 1,000 ms after does not, however slow the machine is."""
    server = server_factory(("--in-memory", "--admin", "--clock", "frozen"))
    ddb = make_client(server.endpoint)
    name = create(ddb, unique_name("raw"))
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}})
    ddb.get_item(TableName=name, Key={"pk": {"S": "a"}}, ConsistentRead=True)  # consistent: fine
    assert admin_call(server.endpoint, "POST", "/ddbd/clock", {"advance": 1000})[0] == 200
    ddb.get_item(TableName=name, Key={"pk": {"S": "a"}})  # a second later: fine
    ddb.get_item(TableName=name, Key={"pk": {"S": "never-written"}})
    assert warnings_of(server, name) == []
    ddb.put_item(TableName=name, Item={"pk": {"S": "b"}})
    assert admin_call(server.endpoint, "POST", "/ddbd/clock", {"advance": 999})[0] == 200
    ddb.get_item(TableName=name, Key={"pk": {"S": "b"}})  # 999 ms after its write, however slow the machine
    ddb.batch_get_item(RequestItems={name: {"Keys": [{"pk": {"S": "b"}}, {"pk": {"S": "a"}}]}})
    assert warnings_of(server, name) == [{
        "warning": "readAfterWrite", "table": name, "counts": {"reads": 2},
        "message": "2 eventually consistent reads of an item written less than 1000 ms before: DynamoDB may "
                   "return the item as it was before the write. Read with ConsistentRead where the write must be "
                   "seen, or use the write's own response (ReturnValues)."}]
