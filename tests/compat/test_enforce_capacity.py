"""--enforce-capacity: provisioned tables and indexes, and on-demand tables with OnDemandThroughput
maximums, throttle as DynamoDB does, so that an application's retry and back-off paths can be
tested: ProvisionedThroughputExceededException with DynamoDB's text (captured in public issues,
e.g. benhutchins/dyngoose#668), ThrottlingException for on-demand limits, 300 seconds of burst
capacity, batches that return what was throttled in UnprocessedItems / UnprocessedKeys (and fail
when nothing could be done, as the API reference says), transactions cancelled with the reason,
and the throttled keys in Contributor Insights. Off by default.

The server's clock is frozen (--clock frozen): no bucket refills between two calls however slow the
machine, and a test that needs time to pass steps the clock, so every figure is exact."""
import json
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import ACCESS_KEY, REGION, SECRET_KEY, assert_client_error, make_client, raw_request, unique_name
from helpers import advance

TABLE_TEXT = ("The level of configured provisioned throughput for the table was exceeded. Consider increasing "
              "your provisioning level with the UpdateTable API.")
MAX_TEXT = "Throughput exceeds the maximum OnDemandThroughput configured on table or index"
INDEX_WRITE_TEXT = ("The level of configured provisioned throughput for one or more global secondary indexes of the "
                    "table was exceeded. Consider increasing your provisioning level for the under-provisioned "
                    "global secondary indexes with the UpdateTable API")
INDEX_READ_TEXT = ("The level of configured provisioned throughput for the index was exceeded. Consider increasing "
                   "your provisioning level with the UpdateTable API.")
HOT_TEXT = ("Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your "
            "table or index so please try again shortly. If exceptions persist, check if you have a hot key: "
            "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html")


@pytest.fixture
def server(server_factory):
    return server_factory(("--in-memory", "--admin", "--enforce-capacity", "--clock", "frozen"))


def provisioned(ddb, rcu=1, wcu=1, sort=False, name=None):
    name = name or unique_name("cap")
    defs = [{"AttributeName": "pk", "AttributeType": "S"}]
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if sort:
        defs.append({"AttributeName": "sk", "AttributeType": "N"})
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
    ddb.create_table(TableName=name, AttributeDefinitions=defs, KeySchema=keys,
                     ProvisionedThroughput={"ReadCapacityUnits": rcu, "WriteCapacityUnits": wcu})
    return name


def on_demand_sorted(ddb, prefix):
    """An on-demand table keyed on pk (S) and sk (N)."""
    name = unique_name(prefix)
    ddb.create_table(TableName=name, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                                           {"AttributeName": "sk", "AttributeType": "N"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                     BillingMode="PAY_PER_REQUEST")
    return name


def put(ddb, table, pk, **extra):
    return ddb.put_item(TableName=table, Item={"pk": {"S": pk}, **extra})


def drain_writes(ddb, table):
    """Writes until the table throttles; returns the error and how many went in."""
    for n in range(1000):
        try:
            put(ddb, table, "k%d" % n)
        except ClientError as e:
            return e, n
    raise AssertionError("never throttled")


def test_provisioned_writes_throttle_with_dynamodbs_error(server):
    ddb = make_client(server.endpoint)  # no retries: the error itself
    table = provisioned(ddb)
    e, n = drain_writes(ddb, table)
    assert n == 1  # a new table holds one second of its capacity; a request needs a unit
    assert e.response["Error"] == {"Code": "ProvisionedThroughputExceededException", "Message": TABLE_TEXT}
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    resp = raw_request(server.endpoint, "PutItem", {"TableName": table, "Item": {"pk": {"S": "x"}}})
    assert resp.status == 400 and resp.json() == {
        "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException", "message": TABLE_TEXT,
        # the 2025 member (API_ThrottlingReason): ResourceType+OperationType+LimitType, and the table's ARN
        "ThrottlingReasons": [{"reason": "TableWriteProvisionedThroughputExceeded",
                               "resource": "arn:aws:dynamodb:us-east-1:000000000000:table/" + table}]}


def test_the_sdks_retries_get_through(server):
    """boto3's own retry logic: throttled attempts are retried with back-off until the bucket refills,
    and the response metadata counts them. The clock stands still, so each throttled attempt's back-off
    is played as one second of server time (the bucket's 5 units): the first write is retried once,
    and the four after it take what that second refilled."""
    plain = make_client(server.endpoint)
    table = provisioned(plain, wcu=5)
    assert drain_writes(plain, table)[1] == 5
    retrying = boto3.client("dynamodb", endpoint_url=server.endpoint, region_name=REGION,
                            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                            config=Config(retries={"mode": "standard", "max_attempts": 10}))
    throttled = []

    def backoff_passes(response=None, **_):
        if response is not None and response[1].get("Error", {}).get("Code") == "ProvisionedThroughputExceededException":
            throttled.append(1)
            advance(server, 1000)

    retrying.meta.events.register("needs-retry.dynamodb.PutItem", backoff_passes)
    retried = [put(retrying, table, "r%d" % i)["ResponseMetadata"]["RetryAttempts"] for i in range(5)]
    assert retried == [1, 0, 0, 0, 0] and len(throttled) == 1
    with pytest.raises(ClientError) as e:  # the second's 5 units are spent
        put(plain, table, "r5")
    assert_client_error(e, "ProvisionedThroughputExceededException", TABLE_TEXT)


def test_burst_capacity_is_300_seconds(server):
    ddb = make_client(server.endpoint)
    table = provisioned(ddb)
    drain_writes(ddb, table)
    advance(server, 600 * 1000)  # ten minutes unused: the bucket holds five of them
    e, n = drain_writes(ddb, table)
    assert n == 300
    assert e.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    advance(server, 1500)  # a second and a half refills one unit and a half: one write, then none
    put(ddb, table, "after")
    with pytest.raises(ClientError) as e:
        put(ddb, table, "after2")
    assert_client_error(e, "ProvisionedThroughputExceededException", TABLE_TEXT)
    advance(server, 500)  # the half unit left and this half make one
    put(ddb, table, "after2")


def test_reads_throttle_and_charge_what_they_consumed(server):
    ddb = make_client(server.endpoint)
    table = provisioned(ddb, rcu=1, wcu=100)
    put(ddb, table, "a")
    statuses = []
    for _ in range(10):
        try:
            ddb.get_item(TableName=table, Key={"pk": {"S": "a"}}, ConsistentRead=True)
            statuses.append("ok")
        except ClientError as e:
            assert_client_error(e_wrap(e), "ProvisionedThroughputExceededException", TABLE_TEXT)
            statuses.append("throttled")
    assert statuses == ["ok"] + ["throttled"] * 9  # one second's unit, and the clock stands
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}})
    assert_client_error(e, "ProvisionedThroughputExceededException", TABLE_TEXT)
    with pytest.raises(ClientError) as e:
        ddb.scan(TableName=table)
    assert_client_error(e, "ProvisionedThroughputExceededException", TABLE_TEXT)


class e_wrap:
    def __init__(self, e):
        self.value = e


def test_batches_return_the_throttled_part(server):
    ddb = make_client(server.endpoint)
    table = provisioned(ddb, rcu=1, wcu=1)
    requests = [{"PutRequest": {"Item": {"pk": {"S": "b%d" % i}}}} for i in range(25)]
    got = ddb.batch_write_item(RequestItems={table: requests})
    left = got["UnprocessedItems"][table]
    assert len(left) == 24 and left == requests[1:]
    # nothing could be written: the batch fails with the error
    with pytest.raises(ClientError) as e:
        ddb.batch_write_item(RequestItems={table: left})
    assert_client_error(e, "ProvisionedThroughputExceededException", TABLE_TEXT)

    keys = [{"pk": {"S": "b%d" % i}} for i in range(25)]
    got = ddb.batch_get_item(RequestItems={table: {"Keys": keys, "ConsistentRead": True}})
    unread = got["UnprocessedKeys"][table]["Keys"]
    assert len(unread) == 24 and unread == keys[1:]
    assert got["Responses"][table] == [{"pk": {"S": "b0"}}]
    with pytest.raises(ClientError) as e:
        ddb.batch_get_item(RequestItems={table: {"Keys": unread}})
    assert_client_error(e, "ProvisionedThroughputExceededException", TABLE_TEXT)


def test_transactions_are_cancelled_with_the_reason(server):
    ddb = make_client(server.endpoint)
    table = provisioned(ddb)
    drain_writes(ddb, table)
    other = provisioned(ddb, wcu=100)
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": other, "Item": {"pk": {"S": "x"}}}},
            {"Put": {"TableName": table, "Item": {"pk": {"S": "x"}}}}])
    assert_client_error(e, "TransactionCanceledException", "Transaction cancelled, please refer cancellation "
                        "reasons for specific reasons [None, ProvisionedThroughputExceeded]")
    assert e.value.response["CancellationReasons"] == [
        {"Code": "None"}, {"Code": "ProvisionedThroughputExceeded", "Message": TABLE_TEXT}]
    # nothing of it was written
    assert "Item" not in ddb.get_item(TableName=other, Key={"pk": {"S": "x"}})


def test_a_provisioned_gsi_holds_writes_back_and_throttles_its_queries(server):
    """The GSI has 1 unit of each, the table 100: writes that reach the index stop when the index is
    out of write capacity (its back-pressure), and a Query on it is throttled on its own reads."""
    ddb = make_client(server.endpoint)
    name = unique_name("gsi")
    ddb.create_table(TableName=name, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                                           {"AttributeName": "g", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     ProvisionedThroughput={"ReadCapacityUnits": 100, "WriteCapacityUnits": 100},
                     GlobalSecondaryIndexes=[{"IndexName": "gsi", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                              "Projection": {"ProjectionType": "ALL"},
                                              "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}])
    put(ddb, name, "a", g={"S": "x"})
    with pytest.raises(ClientError) as e:
        put(ddb, name, "b", g={"S": "y"})
    assert_client_error(e, "ProvisionedThroughputExceededException", INDEX_WRITE_TEXT)
    query = dict(TableName=name, IndexName="gsi", KeyConditionExpression="g = :g",
                 ExpressionAttributeValues={":g": {"S": "x"}})
    ddb.query(**query)
    with pytest.raises(ClientError) as e:
        ddb.query(**query)
    assert_client_error(e, "ProvisionedThroughputExceededException", INDEX_READ_TEXT)
    # ThrottlingReasons name the index, by its ARN, and what it ran out of
    arn = "arn:aws:dynamodb:us-east-1:000000000000:table/%s/index/gsi" % name
    resp = raw_request(server.endpoint, "Query", query)
    assert resp.status == 400 and resp.json()["ThrottlingReasons"] == [
        {"reason": "IndexReadProvisionedThroughputExceeded", "resource": arn}]
    resp = raw_request(server.endpoint, "PutItem", {"TableName": name, "Item": {"pk": {"S": "c"}, "g": {"S": "z"}}})
    assert resp.status == 400 and resp.json()["ThrottlingReasons"] == [
        {"reason": "IndexWriteProvisionedThroughputExceeded", "resource": arn}]
    # the table's own reads are not the index's
    ddb.get_item(TableName=name, Key={"pk": {"S": "a"}})


def test_on_demand_maximum_throttles_with_throttling_exception(server):
    ddb = make_client(server.endpoint)
    name = unique_name("od")
    ddb.create_table(TableName=name, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
    resp = raw_request(server.endpoint, "UpdateTable", {"TableName": name, "OnDemandThroughput": {
        "MaxReadRequestUnits": 1, "MaxWriteRequestUnits": 1}})
    assert resp.status == 200, resp.body
    e, n = drain_writes(ddb, name)
    assert n == 1
    assert e.response["Error"] == {"Code": "ThrottlingException", "Message": MAX_TEXT}
    resp = raw_request(server.endpoint, "PutItem", {"TableName": name, "Item": {"pk": {"S": "again"}}})
    # ThrottlingException's model names the member in lower camel case (the other two capitalise it)
    assert resp.status == 400 and resp.json()["throttlingReasons"] == [
        {"reason": "TableWriteMaxOnDemandThroughputExceeded",
         "resource": "arn:aws:dynamodb:us-east-1:000000000000:table/" + name}]


def test_a_throttled_statement_of_a_batch_is_coded_throttling_error(server):
    """A BatchExecuteStatement statement an on-demand maximum throttles answers its slot with the
    Code the API reference's BatchStatementError lists, ThrottlingError (an ExecuteTransaction's
    cancellation reason the same); ddbd answered "Throttling", which no SDK's enum knows (issue 72:
    the model-based test's global tables under --enforce-capacity)."""
    ddb = make_client(server.endpoint)
    name = unique_name("od")
    ddb.create_table(TableName=name, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
    resp = raw_request(server.endpoint, "UpdateTable", {"TableName": name, "OnDemandThroughput": {
        "MaxReadRequestUnits": 1, "MaxWriteRequestUnits": 1}})
    assert resp.status == 200, resp.body
    resp = ddb.batch_execute_statement(Statements=[
        {"Statement": "INSERT INTO \"%s\" VALUE {'pk': 'k%d'}" % (name, n)} for n in range(2)])
    assert "Error" not in resp["Responses"][0], resp["Responses"]
    assert resp["Responses"][1]["Error"] == {"Code": "ThrottlingError", "Message": MAX_TEXT}
    with pytest.raises(ClientError) as e:
        ddb.execute_transaction(TransactStatements=[{"Statement": "INSERT INTO \"%s\" VALUE {'pk': 'k9'}" % name}])
    assert [r["Code"] for r in e.value.response["CancellationReasons"]] == ["ThrottlingError"]


def test_a_hot_partition_of_an_on_demand_table_throttles(server):
    """1,000 write units a second per partition, a new partition holding one second of them: on the
    frozen clock, 40 batches of 25 one-unit writes to a hot key all go in, then a batch of which
    nothing can be written fails whole (the API reference) and PutItem is refused with
    ThrottlingException; 10 ms later 10 units have come back, so a batch writes 10 of its 25 and
    returns 15 unprocessed. Another partition is not held back."""
    ddb = make_client(server.endpoint)
    name = on_demand_sorted(ddb, "hot")

    def batch(first):
        return ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": {
            "pk": {"S": "hot"}, "sk": {"N": str(first + i)}}}} for i in range(25)]})

    for b in range(40):
        assert batch(b * 25)["UnprocessedItems"] == {}
    with pytest.raises(ClientError) as e:
        batch(1000)
    assert_client_error(e, "ThrottlingException", HOT_TEXT)
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName=name, Item={"pk": {"S": "hot"}, "sk": {"N": "-1"}})
    assert_client_error(e, "ThrottlingException", HOT_TEXT)
    advance(server, 10)
    left = batch(2000)["UnprocessedItems"][name]
    assert [r["PutRequest"]["Item"]["sk"]["N"] for r in left] == [str(2010 + i) for i in range(15)]
    ddb.put_item(TableName=name, Item={"pk": {"S": "cold"}, "sk": {"N": "1"}})
    count = ddb.query(TableName=name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={
        ":p": {"S": "hot"}}, Select="COUNT", ConsistentRead=True)["Count"]
    assert count == 1010


def test_throttled_keys_feed_contributor_insights(server):
    ddb = make_client(server.endpoint)
    table = provisioned(ddb)
    resp = raw_request(server.endpoint, "UpdateContributorInsights", {
        "TableName": table, "ContributorInsightsAction": "ENABLE", "ContributorInsightsMode": "THROTTLED_KEYS"})
    assert resp.status == 200
    drain_writes(ddb, table)
    for _ in range(3):
        with pytest.raises(ClientError):
            put(ddb, table, "victim")
    with urllib.request.urlopen(server.endpoint + "/ddbd/contributor-insights/" + table) as r:
        top = json.loads(r.read())
    assert top["PKT"][0] == {"PartitionKey": {"S": "victim"}, "ThrottleCount": 3.0}
    assert top["PKC"] == []


def test_off_by_default(server_factory):
    srv = server_factory(("--in-memory",))
    ddb = make_client(srv.endpoint)
    table = provisioned(ddb)
    for i in range(30):
        put(ddb, table, "k%d" % i)


def test_a_partition_is_limited_in_units_not_requests(server):
    """A partition writes 1,000 units a second (one second of burst), counted as DynamoDB counts
    them: a 20 KB item is 20 units. ddbd counted one unit a request, so 20 KB items wrote 26,000
    units a second to one partition with nothing throttled. On the frozen clock: batches of 25 such
    writes to one partition key write 50 items (1,000 units) and then nothing; a second later 50 more,
    and ten seconds later still only 50 (the burst is one second)."""
    ddb = make_client(server.endpoint)
    name = on_demand_sorted(ddb, "units")
    pad = "x" * (20 * 1024 - 40)
    sk = [0]

    def batches(n):
        written = []
        for _ in range(n):
            batch = [{"PutRequest": {"Item": {"pk": {"S": "hot"}, "sk": {"N": str(sk[0] + i)}, "p": {"S": pad}}}}
                     for i in range(25)]
            sk[0] += 25
            try:
                left = len(ddb.batch_write_item(RequestItems={name: batch})["UnprocessedItems"].get(name, []))
            except ClientError as e:  # nothing at all could be written: the batch fails whole
                assert e.response["Error"] == {"Code": "ThrottlingException", "Message": HOT_TEXT}
                left = 25
            written.append(25 - left)
        return written

    assert batches(3) == [25, 25, 0]
    advance(server, 1000)
    assert batches(3) == [25, 25, 0]
    advance(server, 10000)
    assert batches(3) == [25, 25, 0]


def test_batches_return_the_throttled_part_under_the_arn_as_sent(server):
    """DynamoDB answers a table named by its ARN under the ARN as sent (ExtendDB's
    tests/test_table_arn_as_name.py, run against DynamoDB); UnprocessedItems and UnprocessedKeys are
    keyed so, and can be sent again as they are."""
    ddb = make_client(server.endpoint)
    table = provisioned(ddb, rcu=1, wcu=1)
    arn = "arn:aws:dynamodb:%s:000000000000:table/%s" % (REGION, table)
    requests = [{"PutRequest": {"Item": {"pk": {"S": "a%d" % i}}}} for i in range(25)]
    got = ddb.batch_write_item(RequestItems={arn: requests})
    assert list(got["UnprocessedItems"]) == [arn] and got["UnprocessedItems"][arn] == requests[1:]
    keys = [{"pk": {"S": "a%d" % i}} for i in range(25)]
    got = ddb.batch_get_item(RequestItems={arn: {"Keys": keys, "ConsistentRead": True}})
    assert list(got["Responses"]) == [arn] and list(got["UnprocessedKeys"]) == [arn]
    assert got["UnprocessedKeys"][arn] == {"Keys": keys[1:], "ConsistentRead": True}


def test_a_transactions_throttled_reads_feed_contributor_insights(server):
    """Every refused read tells Contributor Insights (the reads' one admission, engine/capacity/meter.h):
    TransactGetItems' too, which asked the buckets itself before issue 53 and was not counted."""
    ddb = make_client(server.endpoint)
    table = provisioned(ddb, rcu=1, wcu=100)
    resp = raw_request(server.endpoint, "UpdateContributorInsights", {
        "TableName": table, "ContributorInsightsAction": "ENABLE", "ContributorInsightsMode": "THROTTLED_KEYS"})
    assert resp.status == 200
    put(ddb, table, "victim", pad={"S": "x" * 3000})
    for _ in range(10):  # empties the table's read bucket (1 unit a second): one GetItem refused
        try:
            ddb.get_item(TableName=table, Key={"pk": {"S": "victim"}}, ConsistentRead=True)
        except ClientError:
            break
    else:
        raise AssertionError("never throttled")
    for _ in range(2):
        with pytest.raises(ClientError) as e:
            ddb.transact_get_items(TransactItems=[{"Get": {"TableName": table, "Key": {"pk": {"S": "victim"}}}}])
        assert e.value.response["CancellationReasons"] == [{"Code": "ProvisionedThroughputExceeded",
                                                            "Message": TABLE_TEXT}]
    with urllib.request.urlopen(server.endpoint + "/ddbd/contributor-insights/" + table) as r:
        top = json.loads(r.read())
    assert top["PKT"] == [{"PartitionKey": {"S": "victim"}, "ThrottleCount": 3.0}]  # the GetItem, both transactions
