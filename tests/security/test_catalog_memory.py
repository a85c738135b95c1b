"""Metadata calls cannot grow memory without bound (issue 61, item 1; docs/security.md, "Table
descriptions"): every table description the catalog replaced or deleted was kept until shutdown, so
20,000 TagResource calls on one table took ddbd from 12 to 291 MB, and 2,000 CreateTable +
DeleteTable cycles left 49 MB behind with no table left.

Each case churns the catalog through boto3 on a fresh server and checks that its RSS
(/proc/PID/status VmRSS) grew by less than GROWTH_MB over the calls, measured after a warm-up (the
allocator's and the store's own working set). Measured on f75c16a (the catalog keeping every
version), in order: +115 MB (2,000 TagResource calls of 50 long tags each, ~58 KB a call), +43 MB
(2,000 create and delete cycles), +46 MB (300 drops and re-creations of one index of a 20-GSI
table: several descriptions a cycle), +94 MB (1,500 changes under load); with the grace periods
-1.2, +1.2, +1.6 and +2.8 MB. The last case runs reads and writes on other HTTP threads, and the
background jobs (TTL, stream trim, table counts), while the descriptions they hold are replaced:
the sanitized pass runs it for use after free (a catalog that frees a version at the next change,
without waiting for the requests in flight, fails it there within a second: heap-use-after-free).

Every case also checks that the server never read a table outside a request or a hold (the catalog
then stops freeing and logs it: engine/catalog/catalog.h).
"""
import threading
import time

from conftest import make_client, proc_status_kb, rss_within, unique_name

GROWTH_MB = 16
OUTSIDE = "read outside a request or a hold"

KEY = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
       "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
       "BillingMode": "PAY_PER_REQUEST"}


def rss_mb(server):
    return proc_status_kb(server.proc.pid, "VmRSS") / 1024.0


def long_tags(i):
    """50 tags (the per-table limit) of 100-character keys and 250-character values, the values
    different for each i: every call replaces the whole set (a 20 KB description)."""
    return [{"Key": "k%02d-" % j + "x" * 96, "Value": ("%d-" % i + "v" * 250)[:250]} for j in range(50)]


def check_never_outside(server):
    assert OUTSIDE not in server.stderr_text()


def test_tag_resource_churn_keeps_one_description(server_factory):
    # the rates would hold 2,200 calls to 7 minutes: the subject here is what each call leaves
    srv = server_factory(["--in-memory", "--control-plane-rates", "off"])
    ddb = make_client(srv.endpoint)
    name = unique_name("tagged")
    arn = ddb.create_table(TableName=name, **KEY)["TableDescription"]["TableArn"]
    for i in range(200):
        ddb.tag_resource(ResourceArn=arn, Tags=long_tags(i))
    before = rss_mb(srv)
    for i in range(200, 2200):
        ddb.tag_resource(ResourceArn=arn, Tags=long_tags(i))
    grown = rss_mb(srv) - before
    tags = ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == sorted((t["Key"], t["Value"]) for t in long_tags(2199))
    assert rss_within(grown, GROWTH_MB), "RSS grew %.1f MB over 2,000 TagResource calls" % grown
    check_never_outside(srv)


def test_create_delete_cycles_leave_nothing(server_factory):
    srv = server_factory(["--in-memory"])
    ddb = make_client(srv.endpoint)
    name = unique_name("cycled")
    for _ in range(100):
        ddb.create_table(TableName=name, **KEY)
        ddb.delete_table(TableName=name)
    before = rss_mb(srv)
    for _ in range(2000):
        ddb.create_table(TableName=name, **KEY)
        ddb.delete_table(TableName=name)
    grown = rss_mb(srv) - before
    assert ddb.list_tables()["TableNames"] == []
    assert rss_within(grown, GROWTH_MB), "RSS grew %.1f MB over 2,000 CreateTable + DeleteTable cycles" % grown
    check_never_outside(srv)


def gsi(k):
    return {"IndexName": "index%02d" % k, "KeySchema": [{"AttributeName": "g%02d" % k, "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}


def settled(ddb, name, count):
    """Waits until the table has `count` indexes, every one ACTIVE (the background job builds and
    drops them), and answers its description."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        d = ddb.describe_table(TableName=name)["Table"]
        ixs = d.get("GlobalSecondaryIndexes", [])
        if len(ixs) == count and all(ix["IndexStatus"] == "ACTIVE" for ix in ixs):
            return d
        time.sleep(0.002)
    raise AssertionError("the table's indexes did not settle: %r" % ixs)


def test_an_index_dropped_and_recreated_keeps_no_old_description(server_factory):
    srv = server_factory(["--in-memory"])
    ddb = make_client(srv.endpoint)
    name = unique_name("indexed")
    defs = KEY["AttributeDefinitions"] + [{"AttributeName": "g%02d" % k, "AttributeType": "S"} for k in range(20)]
    ddb.create_table(TableName=name, KeySchema=KEY["KeySchema"], AttributeDefinitions=defs,
                     BillingMode="PAY_PER_REQUEST", GlobalSecondaryIndexes=[gsi(k) for k in range(20)])

    def cycle():
        ddb.update_table(TableName=name, AttributeDefinitions=defs,
                         GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "index00"}}])
        settled(ddb, name, 19)
        ddb.update_table(TableName=name, AttributeDefinitions=defs, GlobalSecondaryIndexUpdates=[{"Create": gsi(0)}])
        settled(ddb, name, 20)

    for _ in range(20):
        cycle()
    before = rss_mb(srv)
    for _ in range(300):
        cycle()
    grown = rss_mb(srv) - before
    assert rss_within(grown, GROWTH_MB), "RSS grew %.1f MB over 300 drops and re-creations of an index" % grown
    check_never_outside(srv)


def test_requests_and_jobs_keep_their_description_while_it_is_replaced(server_factory):
    """Three clients read and write the table (GetItem, a Scan of its 300 items, Query, PutItem) on
    other connections, spread over four HTTP threads, while three others replace its description
    1,500 times between them, back to back; the background jobs read it too (TTL, the stream's trim,
    the table counts). Every read finds its items; nothing a request or a job holds is freed under
    it (the sanitized pass stops on a use after free: a catalog that freed a version at the next
    change, without the grace period, does within a few hundred changes)."""
    srv = server_factory(["--in-memory", "--threads", "4", "--ttl-interval", "1", "--control-plane-rates", "off"])
    ddb = make_client(srv.endpoint)
    name = unique_name("busy")
    arn = ddb.create_table(TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
                           **KEY)["TableDescription"]["TableArn"]
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    for i in range(300):
        ddb.put_item(TableName=name, Item={"pk": {"S": "item%03d" % i}, "v": {"S": "x" * 200}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "fixed"}, "v": {"S": "kept"}})
    stop = threading.Event()
    errors = []

    def use(i):
        c = make_client(srv.endpoint)
        n = 0
        try:
            while not stop.is_set():
                got = c.get_item(TableName=name, Key={"pk": {"S": "fixed"}}).get("Item")
                if got != {"pk": {"S": "fixed"}, "v": {"S": "kept"}}:
                    errors.append(got)
                kept = [it for it in c.scan(TableName=name)["Items"] if it["pk"]["S"].startswith("item")]
                if len(kept) != 300:
                    errors.append("a scan found %d of the 300 items" % len(kept))
                c.put_item(TableName=name, Item={"pk": {"S": "w%d-%d" % (i, n % 50)}, "expires": {"N": "1"}})
                c.query(TableName=name, KeyConditionExpression="pk = :k",
                        ExpressionAttributeValues={":k": {"S": "fixed"}})
                n += 1
        except Exception as e:  # noqa: BLE001 (any failure of a reader is the test's)
            errors.append(repr(e))

    def change(k):
        c = make_client(srv.endpoint)
        try:
            for i in range(k, 1500, 3):
                if i % 3 == 2:
                    c.update_table(TableName=name, TableClass="STANDARD" if i % 2 else "STANDARD_INFREQUENT_ACCESS")
                else:
                    c.tag_resource(ResourceArn=arn, Tags=long_tags(i))
        except Exception as e:  # noqa: BLE001
            errors.append(repr(e))

    readers = [threading.Thread(target=use, args=(i,)) for i in range(3)]
    for t in readers:
        t.start()
    before = rss_mb(srv)
    changers = [threading.Thread(target=change, args=(k,)) for k in range(3)]
    for t in changers:
        t.start()
    for t in changers:
        t.join(120)
    stop.set()
    for t in readers:
        t.join(30)
    grown = rss_mb(srv) - before
    assert errors == [], srv.stderr_text()[-3000:]  # (a sanitizer's report, if the server stopped)
    assert srv.proc.poll() is None
    assert ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"
    assert rss_within(grown, GROWTH_MB), "RSS grew %.1f MB over 1,500 changes under load" % grown
    check_never_outside(srv)
