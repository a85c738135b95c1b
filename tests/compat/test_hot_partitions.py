"""Hot partitions as production would see them (issue 53, section 3; engine/capacity/hot.h, docs/usage.md).

DynamoDB serves at most 1,000 write units a second per partition, and adaptive capacity can isolate
a hot item in its own partition but no further, so one partition key written at 2,000 units a
second is throttled in production, while the same rate spread over many keys is not. ddbd observes
it by default (GET /ddbd/usage "hotPartitions", /metrics' ddbd_would_throttle_requests_total) and,
with --enforce-capacity, refuses as DynamoDB does, with the 2025 ThrottlingReasons.

The tests never depend on how fast Python sends: the server's clock is frozen (--clock frozen,
docs/admin.md) and set to the second a burst belongs to, so all of a burst falls in one second of
the server's clock, to the millisecond, whatever the machine's load. Items of 100 write units (a 100 KB item) reach
2,000 units a second in 20 requests.
"""
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import ACCESS_KEY, REGION, SECRET_KEY, raw_request, unique_name
from helpers import admin_answer as admin, clock

BIG = "x" * (100 * 1024 - 16)  # {"pk": <3 chars>, "v": BIG}: 2 + 3 + 1 + len(BIG) bytes, 100 write units
SECOND = 1893456000  # 2030-01-01T00:00:00Z: every request of a burst is sent at this second


def pin_clock(endpoint, second=SECOND):
    clock(endpoint, set=second * 1000)


def create(endpoint, name, **extra):
    body = {"TableName": name, "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}
    body.update(extra)
    resp = raw_request(endpoint, "CreateTable", body)
    assert resp.status == 200, resp.body


def put(endpoint, name, pk):
    return raw_request(endpoint, "PutItem", {"TableName": name, "Item": {"pk": {"S": pk}, "v": {"S": BIG}}})


def burst(endpoint, name, keys):
    """20 puts of 100 write units in one second of the server's clock: 2,000 units."""
    for i in range(20):
        pin_clock(endpoint)
        resp = put(endpoint, name, keys(i))
        assert resp.status == 200, resp.body
        assert resp.json() == {}


def hot_of(endpoint, name):
    report = admin(endpoint, "/ddbd/usage")["hotPartitions"]
    found = [t for t in report["tables"] if t["table"] == name]
    assert len(found) == 1, report
    return report, found[0]


def metric(endpoint, name):
    with urllib.request.urlopen(endpoint + "/metrics", timeout=5) as r:
        text = r.read().decode()
    line = 'ddbd_would_throttle_requests_total{table="%s",index=""} ' % name
    return [float(x[len(line):]) for x in text.splitlines() if x.startswith(line)]


@pytest.fixture
def server(server_factory):
    return server_factory(("--in-memory", "--admin", "--clock", "frozen"))


def test_one_hot_key_at_2000_writes_a_second_is_reported(server):
    e = server.endpoint
    name = unique_name("hot")
    create(e, name)
    burst(e, name, lambda i: "hot")  # nothing is refused: observing only
    report, t = hot_of(e, name)
    assert report["model"]["partitionWriteUnitsPerSecond"] == 1000
    assert report["model"]["memoryBytes"] > 0
    assert t["peakWriteUnitsPerSecond"] == 2000
    # the 11th to the 20th put go above 1,000 units in second SECOND: 10 requests
    assert t["throttled"] == [{
        "operation": "Write", "reason": "TableWriteKeyRangeThroughputExceeded", "partitionKey": {"S": "hot"},
        "requests": 10, "firstSecond": SECOND, "lastSecond": SECOND, "peakSecond": SECOND,
        "peakUnitsPerSecond": 2000, "limitUnitsPerSecond": 1000}]
    assert t["wouldHaveThrottledRequests"] == 10
    assert metric(e, name) == [10]
    # the table still holds every write: nothing was refused
    item = raw_request(e, "GetItem", {"TableName": name, "Key": {"pk": {"S": "hot"}}}).json()["Item"]
    assert item["v"] == {"S": BIG}


def test_the_same_rate_over_many_keys_is_not(server):
    e = server.endpoint
    name = unique_name("cool")
    create(e, name)
    burst(e, name, lambda i: "k%02d" % i)
    _, t = hot_of(e, name)
    assert t["peakWriteUnitsPerSecond"] == 2000  # the same 2,000 units in the same second
    assert t["throttled"] == []
    assert t["wouldHaveThrottledRequests"] == 0
    assert t["estimatedPartitions"] == 4  # a new on-demand table: 4,000 write units, 4 partitions
    assert metric(e, name) == [0]


def test_a_hot_key_among_many_cold_ones_is_still_reported(server):
    """1,200 units of one key and 48 one-unit writes of 48 other keys in the same second: the
    cold keys share the model's buckets with the hot one, and it is reported all the same."""
    e = server.endpoint
    name = unique_name("mixed")
    create(e, name)
    for i in range(12):
        pin_clock(e)
        assert put(e, name, "hot").status == 200
        for j in range(4):
            pin_clock(e)
            assert raw_request(e, "PutItem", {"TableName": name, "Item": {"pk": {"S": "c%d-%d" % (i, j)}}}).status == 200
    _, t = hot_of(e, name)
    assert t["peakWriteUnitsPerSecond"] == 1248
    assert [(r["reason"], r["partitionKey"]) for r in t["throttled"]] == [
        ("TableWriteKeyRangeThroughputExceeded", {"S": "hot"})]
    assert t["throttled"][0]["requests"] == 2, t["throttled"]  # the 11th and 12th


def test_a_gsi_partition_key_written_by_many_items_is_reported(server):
    """20 items of distinct keys, all with g = "OPEN", in a GSI that projects them whole: the
    table's partitions are cool, the GSI's "OPEN" partition takes 2,000 write units a second."""
    e = server.endpoint
    name = unique_name("gsihot")
    create(e, name, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                          {"AttributeName": "g", "AttributeType": "S"}],
           GlobalSecondaryIndexes=[{"IndexName": "byStatus", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                    "Projection": {"ProjectionType": "ALL"}}])
    for i in range(20):
        pin_clock(e)
        resp = raw_request(e, "PutItem", {"TableName": name, "Item": {
            "pk": {"S": "k%02d" % i}, "g": {"S": "OPEN"}, "v": {"S": BIG[:-6]}}})  # 100 units, here and in the GSI
        assert resp.status == 200, resp.body
    report, t = hot_of(e, name)
    assert t["throttled"] == [{
        "index": "byStatus", "operation": "Write", "reason": "IndexWriteKeyRangeThroughputExceeded",
        "partitionKey": {"S": "OPEN"}, "requests": 10, "firstSecond": SECOND, "lastSecond": SECOND,
        "peakSecond": SECOND, "peakUnitsPerSecond": 2000, "limitUnitsPerSecond": 1000}]
    assert t["wouldHaveThrottledRequests"] == 10
    with urllib.request.urlopen(e + "/metrics", timeout=5) as r:
        text = r.read().decode()
    assert 'ddbd_would_throttle_requests_total{table="%s",index="byStatus"} 10\n' % name in text
    assert 'ddbd_would_throttle_requests_total{table="%s",index=""} 0\n' % name in text


def test_a_partition_read_past_3000_units_a_second_is_reported(server):
    """Strongly consistent Queries of one partition of 10 items of 100 KB: 250 read units each
    (1,000 KB / 4 KB), so the 13th in one second goes past 3,000."""
    e = server.endpoint
    name = unique_name("hotr")
    create(e, name, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                          {"AttributeName": "sk", "AttributeType": "N"}],
           KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}])
    pin_clock(e, SECOND - 60)
    for i in range(10):
        item = {"pk": {"S": "hot"}, "sk": {"N": str(i)}, "v": {"S": BIG[:4096 * 25 - 16]}}  # 25 read units
        assert raw_request(e, "PutItem", {"TableName": name, "Item": item}).status == 200
    query = {"TableName": name, "KeyConditionExpression": "pk = :p", "ConsistentRead": True,
             "ExpressionAttributeValues": {":p": {"S": "hot"}}, "ReturnConsumedCapacity": "TOTAL"}
    for i in range(13):
        pin_clock(e)
        resp = raw_request(e, "Query", query)
        assert resp.status == 200 and resp.json()["Count"] == 10, resp.body
        assert resp.json()["ConsumedCapacity"]["CapacityUnits"] == 250
    _, t = hot_of(e, name)
    assert t["peakReadUnitsPerSecond"] == 3250
    assert [(r["operation"], r["reason"], r["partitionKey"], r["requests"], r["peakUnitsPerSecond"],
             r["limitUnitsPerSecond"]) for r in t["throttled"]] == [
        ("Read", "TableReadKeyRangeThroughputExceeded", {"S": "hot"}, 1, 3250, 3000)]


def test_a_hot_key_spread_over_seconds_is_not(server):
    """The limit is per second: 2,000 units over three seconds stay under 1,000 in each."""
    e = server.endpoint
    name = unique_name("slow")
    create(e, name)
    for i in range(20):
        pin_clock(e, SECOND + 100 + i // 7)  # 7, 7 and 6 puts: 700, 700, 600 units a second
        assert put(e, name, "hot").status == 200
    _, t = hot_of(e, name)
    assert t["peakWriteUnitsPerSecond"] == 700
    assert t["throttled"] == []


def test_a_provisioned_table_spends_its_burst_then_would_throttle(server):
    """A provisioned table of 1 write unit a second keeps 300 seconds of unused capacity (burst
    capacity): after 400 idle seconds it takes 300 units in one second, not 400."""
    e = server.endpoint
    name = unique_name("prov")
    create(e, name, BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    pin_clock(e, SECOND + 1000)  # its first second: 1 unit, taken
    assert raw_request(e, "PutItem", {"TableName": name, "Item": {"pk": {"S": "a"}}}).status == 200
    for i in range(3):  # 400 seconds later: 3 x 100 units of the 300 kept
        pin_clock(e, SECOND + 1400)
        assert put(e, name, "k%d" % i).status == 200
    _, t = hot_of(e, name)
    assert t["throttled"] == []
    pin_clock(e, SECOND + 1400)
    assert put(e, name, "k3").status == 200  # observed, not refused
    _, t = hot_of(e, name)
    assert [(r["reason"], r["requests"], r["limitUnitsPerSecond"], r["firstSecond"]) for r in t["throttled"]] == [
        ("TableWriteProvisionedThroughputExceeded", 1, 1, SECOND + 1400)]
    assert t["estimatedPartitions"] == 1


def test_with_enforce_capacity_the_hot_key_is_throttled_as_dynamodb_does(server_factory):
    srv = server_factory(("--in-memory", "--admin", "--enforce-capacity", "--clock", "frozen"))
    e = srv.endpoint
    name = unique_name("hotx")
    create(e, name)
    # 1,000 units, a partition's second, are let in (ten puts of 100), and the frozen clock refills
    # nothing: the eleventh is refused
    pin_clock(e)
    for sent in range(1, 14):
        resp = put(e, name, "hot")
        if resp.status != 200:
            break
    assert sent == 11
    assert resp.status == 400
    assert resp.json() == {
        "__type": "com.amazon.coral.availability#ThrottlingException",  # as DynamoDB sends it
        "message": "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically "
                   "scaling your table or index so please try again shortly. If exceptions persist, check if you "
                   "have a hot key: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
                   "bp-partition-key-design.html",
        # lower camel case: ThrottlingException's model member (ProvisionedThroughputExceeded's is capitalised)
        "throttlingReasons": [{"reason": "TableWriteKeyRangeThroughputExceeded",
                               "resource": "arn:aws:dynamodb:us-east-1:000000000000:table/" + name}]}
    # an SDK retries it as in production: with the clock five seconds back, the partition's bucket
    # stays empty for every try, and the SDK gives up with DynamoDB's exception
    retrying = boto3.client("dynamodb", endpoint_url=e, region_name=REGION, aws_access_key_id=ACCESS_KEY,
                            aws_secret_access_key=SECRET_KEY,
                            config=Config(retries={"mode": "legacy", "max_attempts": 2}))
    pin_clock(e, SECOND - 5)
    with pytest.raises(ClientError) as err:
        retrying.put_item(TableName=name, Item={"pk": {"S": "hot"}, "v": {"S": BIG}})
    assert err.value.response["Error"]["Code"] == "ThrottlingException"
    assert err.value.response["ResponseMetadata"]["RetryAttempts"] == 2


def test_with_enforce_capacity_the_same_rate_over_many_keys_is_let_in(server_factory):
    srv = server_factory(("--in-memory", "--admin", "--enforce-capacity", "--clock", "frozen"))
    e = srv.endpoint
    name = unique_name("coolx")
    create(e, name)
    burst(e, name, lambda i: "k%02d" % i)  # 2,000 units in one second, every put let in
    _, t = hot_of(e, name)
    assert t["peakWriteUnitsPerSecond"] == 2000
    assert t["throttled"] == []


def test_the_model_s_memory_is_fixed_whatever_the_tables(server):
    """More tables than the model's 256 slots: the memory stays what it was, the tables idle the
    longest give their slots up, and the latest hot table is still reported."""
    e = server.endpoint
    before = admin(e, "/ddbd/usage")["hotPartitions"]["model"]["memoryBytes"]
    for i in range(300):
        name = "many%03d" % i
        create(e, name)
        pin_clock(e, SECOND + 10000 + i)  # each table's load in a second of its own
        assert raw_request(e, "PutItem", {"TableName": name, "Item": {"pk": {"S": "a"}}}).status == 200
    hot = unique_name("last")
    create(e, hot)
    burst(e, hot, lambda i: "hot")
    report, t = hot_of(e, hot)
    assert report["model"]["memoryBytes"] == before
    assert len(report["tables"]) <= 256
    assert t["wouldHaveThrottledRequests"] == 10
