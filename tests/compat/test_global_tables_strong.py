"""Global tables with Multi-Region strong consistency (issue 26, item 2): UpdateTable with
MultiRegionConsistency STRONG makes a group of three regions (three replicas, or two and a witness)
in one call; every write lands in every replica in the same commit, so a read in any region sees
it at once and conditions are decided against the latest item; a write to an item another region
wrote less than --replication-lag ago is refused with ReplicatedWriteConflictException; the group is
torn down whole, in one call.

Debian's botocore has no MultiRegionConsistency, GlobalTableWitnessUpdates nor
ReplicatedWriteConflictException: those requests go as raw signed HTTP (test_global_tables.raw).
The rules and messages are DynamoDB's, as recorded against it (docs/compatibility.md, "Global
tables"); the three refusals whose text DynamoDB's recordings lack (transactions, time to live,
local secondary indexes) are ddbd's words and say so there.
"""
import threading
import time

import boto3
import pytest
from botocore.config import Config

from test_global_tables import EAST, EU, WEST, client, gateways, raised, raw, replica_list
from conftest import assert_client_error
from helpers import make_table, scan_all, wait_active

OHIO = "us-east-2"
THIRD = OHIO  # a STRONG group's third replica: one region set (US) with EAST and WEST


@pytest.fixture
def strong(server_factory):
    """One server, or on RADOS $DDBD_GATEWAYS gateways whose requests alternate (test_global_tables)."""
    server = gateways(server_factory, "--namespaces")
    return server, {r: client(server, r) for r in (EAST, WEST, EU, OHIO, "us-west-1")}


def gone(name):
    return "Requested resource not found: Table: %s not found" % name


def update(server, name, region=EAST, **body):
    return raw(server, region, "UpdateTable", dict(TableName=name, **body))


def refused(server, name, message, region=EAST, code="ValidationException", **body):
    status, out = update(server, name, region, **body)
    assert (status, out.get("__type", "").split("#")[-1], out.get("message")) == (400, code, message), out


def make_group(server, cs, witness=True):
    """A STRONG group made from EAST: WEST and a witness in OHIO, or WEST and THIRD."""
    name = make_table(cs[EAST])
    body = {"ReplicaUpdates": [{"Create": {"RegionName": WEST}}], "MultiRegionConsistency": "STRONG"}
    if witness:
        body["GlobalTableWitnessUpdates"] = [{"Create": {"RegionName": OHIO}}]
    else:
        body["ReplicaUpdates"].append({"Create": {"RegionName": THIRD}})
    status, out = update(server, name, **body)
    assert status == 200, out
    assert out["TableDescription"]["TableStatus"] == "UPDATING"
    for r in (EAST, WEST) + (() if witness else (THIRD,)):
        wait_active(cs[r], name)
    return name


def test_strong_rules_and_messages(strong):
    server, cs = strong
    name = make_table(cs[EAST])
    one = [{"Create": {"RegionName": WEST}}]
    count = "Unsupported replica count for global tables with MultiRegionConsistency set to STRONG."
    refused(server, name, count, ReplicaUpdates=one, MultiRegionConsistency="STRONG")
    refused(server, name, count, MultiRegionConsistency="STRONG",
            ReplicaUpdates=one + [{"Create": {"RegionName": EU}}, {"Create": {"RegionName": OHIO}}])
    refused(server, name, "Only Replica Create actions are supported when MultiRegionConsistency parameter is "
            "provided.", ReplicaUpdates=[{"Delete": {"RegionName": WEST}}], MultiRegionConsistency="STRONG")
    refused(server, name, "Cannot target multiple regions with the same action", ReplicaUpdates=one,
            MultiRegionConsistency="STRONG", GlobalTableWitnessUpdates=[{"Create": {"RegionName": WEST}}])
    refused(server, name, "Cannot add a witness in the same region as an existing replica when creating a global "
            "table with MultiRegionConsistency set to STRONG.", ReplicaUpdates=one, MultiRegionConsistency="STRONG",
            GlobalTableWitnessUpdates=[{"Create": {"RegionName": EAST}}])
    refused(server, name, "Unsupported Region(s) specified for global tables with MultiRegionConsistency set to "
            "STRONG: [us-west-1].", ReplicaUpdates=one + [{"Create": {"RegionName": "us-west-1"}}],
            MultiRegionConsistency="STRONG")
    # every replica and the witness in one region set, the source's (the API reference); DynamoDB's
    # text for a mix was not captured: the unsupported-region one, naming the others (compatibility.md)
    refused(server, name, "Unsupported Region(s) specified for global tables with MultiRegionConsistency set to "
            "STRONG: [eu-west-1].", ReplicaUpdates=one + [{"Create": {"RegionName": EU}}],
            MultiRegionConsistency="STRONG")
    refused(server, name, "Unsupported Region(s) specified for global tables with MultiRegionConsistency set to "
            "STRONG: [eu-west-1].", ReplicaUpdates=one, MultiRegionConsistency="STRONG",
            GlobalTableWitnessUpdates=[{"Create": {"RegionName": EU}}])
    refused(server, name, "MultiRegionConsistency must be set as STRONG when GlobalTableWitnessUpdates parameter is "
            "present.", ReplicaUpdates=one, GlobalTableWitnessUpdates=[{"Create": {"RegionName": OHIO}}])
    refused(server, name, "Requests that modify replicas or witnesses must not also modify other fields",
            ReplicaUpdates=one, MultiRegionConsistency="STRONG", DeletionProtectionEnabled=True,
            GlobalTableWitnessUpdates=[{"Create": {"RegionName": OHIO}}])
    # what ddbd does not serve on a STRONG table is refused in its own words (docs/compatibility.md)
    lsi = make_table(cs[EAST], KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                          {"AttributeName": "sk", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "x")],
                     LocalSecondaryIndexes=[{"IndexName": "byx", "Projection": {"ProjectionType": "ALL"},
                                             "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                           {"AttributeName": "x", "KeyType": "RANGE"}]}])
    refused(server, lsi, "One or more parameter values were invalid: a table with local secondary indexes cannot "
            "become a global table with MultiRegionConsistency set to STRONG",
            ReplicaUpdates=one + [{"Create": {"RegionName": THIRD}}], MultiRegionConsistency="STRONG")
    ttl = make_table(cs[EAST])
    cs[EAST].update_time_to_live(TableName=ttl, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    refused(server, ttl, "One or more parameter values were invalid: a table with time to live enabled cannot become a "
            "global table with MultiRegionConsistency set to STRONG",
            ReplicaUpdates=one + [{"Create": {"RegionName": THIRD}}], MultiRegionConsistency="STRONG")
    # MultiRegionConsistency with another change is refused, not dropped
    refused(server, name, "Requests that modify replicas or witnesses must not also modify other fields",
            MultiRegionConsistency="EVENTUAL", DeletionProtectionEnabled=True)
    assert raw(server, EAST, "DescribeTable", {"TableName": name})[1]["Table"].get("DeletionProtectionEnabled") is False
    # a witness change alone changes nothing (DynamoDB's generic answer)
    status, out = update(server, name, GlobalTableWitnessUpdates=[{"Delete": {"RegionName": OHIO}}])
    assert status == 400 and out["message"].startswith("At least one of ProvisionedThroughput, BillingMode"), out
    # an EVENTUAL group cannot become STRONG
    status, out = update(server, name, ReplicaUpdates=one)
    assert status == 200, out
    wait_active(cs[WEST], name)
    refused(server, name, count, ReplicaUpdates=[{"Create": {"RegionName": EU}}], MultiRegionConsistency="STRONG")
    assert "MultiRegionConsistency" not in raw(server, EAST, "DescribeTable", {"TableName": name})[1]["Table"]
    name = make_table(cs[EAST])
    # nothing above changed the table
    assert "Replicas" not in cs[EAST].describe_table(TableName=name)["Table"]
    assert "Table" not in raw(server, WEST, "DescribeTable", {"TableName": name})[1]


def test_strong_group_with_witness_described(strong):
    server, cs = strong
    name = make_group(server, cs, witness=True)
    east = raw(server, EAST, "DescribeTable", {"TableName": name})[1]["Table"]
    assert east["GlobalTableVersion"] == "2019.11.21"
    assert east["MultiRegionConsistency"] == "STRONG"
    assert replica_list(east) == [{"RegionName": WEST, "ReplicaStatus": "ACTIVE"}]
    assert east["GlobalTableWitnesses"] == [{"RegionName": OHIO, "WitnessStatus": "ACTIVE"}]
    west = raw(server, WEST, "DescribeTable", {"TableName": name})[1]["Table"]
    assert replica_list(west) == [{"RegionName": EAST, "ReplicaStatus": "ACTIVE"}]
    assert west["MultiRegionConsistency"] == "STRONG" and west["GlobalTableWitnesses"] == east["GlobalTableWitnesses"]
    assert "StreamSpecification" not in west  # MRSC does not replicate through streams: none was turned on
    # the witness region holds no table
    assert_client_error(raised(lambda: cs[OHIO].describe_table(TableName=name)), "ResourceNotFoundException", gone(name))
    # a STRONG group is frozen: no replica can be added, its consistency not changed
    refused(server, name, "Cannot add replicas to a global table with strong MultiRegionConsistency",
            ReplicaUpdates=[{"Create": {"RegionName": EU}}])
    refused(server, name, "MultiRegionConsistency parameter is unsupported on existing global table",
            ReplicaUpdates=[{"Create": {"RegionName": EU}}], MultiRegionConsistency="EVENTUAL")


def test_strong_writes_are_everywhere_at_once(strong):
    server, cs = strong
    name = make_group(server, cs, witness=False)
    regions = (EAST, WEST, THIRD)
    for i in range(60):  # every write read back at once in another region, no waiting
        src, dst = regions[i % 3], regions[(i + 1) % 3]
        cs[src].put_item(TableName=name, Item={"pk": {"S": "k%d" % (i % 7)}, "v": {"N": str(i)}})
        got = cs[dst].get_item(TableName=name, Key={"pk": {"S": "k%d" % (i % 7)}}, ConsistentRead=True)
        assert got["Item"]["v"] == {"N": str(i)}, (src, dst, got)
    # conditions are decided against the latest item, wherever it was written
    cs[EAST].put_item(TableName=name, Item={"pk": {"S": "once"}})
    assert_client_error(raised(lambda: cs[WEST].put_item(TableName=name, Item={"pk": {"S": "once"}},
                                                           ConditionExpression="attribute_not_exists(pk)")),
                        "ConditionalCheckFailedException", "The conditional request failed")
    cs[THIRD].delete_item(TableName=name, Key={"pk": {"S": "once"}})
    assert "Item" not in cs[EAST].get_item(TableName=name, Key={"pk": {"S": "once"}}, ConsistentRead=True)
    # counters incremented from the three regions at once lose nothing

    def bump(region, n):
        for _ in range(n):
            cs[region].update_item(TableName=name, Key={"pk": {"S": "ctr"}}, UpdateExpression="ADD c :one",
                                   ExpressionAttributeValues={":one": {"N": "1"}})
    threads = [threading.Thread(target=bump, args=(r, 40)) for r in regions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for r in regions:
        got = cs[r].get_item(TableName=name, Key={"pk": {"S": "ctr"}}, ConsistentRead=True)["Item"]
        assert got["c"] == {"N": "120"}, (r, got)
    assert [scan_all(cs[r], name, order="pk") for r in (WEST, THIRD)] == [scan_all(cs[EAST], name, order="pk")] * 2
    assert len(scan_all(cs[EAST], name, order="pk")) == 8
    # the asynchronous worker adds nothing: the item counts stay as written
    time.sleep(0.3)
    assert scan_all(cs[EAST], name, order="pk") == scan_all(cs[THIRD], name, order="pk")


def test_replicated_write_conflict(server_factory):
    server = gateways(server_factory, "--namespaces", "--replication-lag", "1500")
    cs = {r: client(server, r) for r in (EAST, WEST, OHIO)}
    name = make_group(server, cs, witness=True)
    item = {"pk": {"S": "hot"}, "v": {"N": "1"}}
    assert raw(server, EAST, "PutItem", {"TableName": name, "Item": item})[0] == 200
    status, out = raw(server, WEST, "PutItem", {"TableName": name, "Item": dict(item, v={"N": "2"})})
    assert (status, out["__type"], out["message"]) == (
        400, "com.amazonaws.dynamodb.v20120810#ReplicatedWriteConflictException",
        "The request was rejected because one or more items in the request are being modified by a request in "
        "another Region."), out
    # nothing changed; its own region may write it again, and another item is free
    assert cs[WEST].get_item(TableName=name, Key={"pk": {"S": "hot"}})["Item"]["v"] == {"N": "1"}
    assert raw(server, EAST, "PutItem", {"TableName": name, "Item": dict(item, v={"N": "3"})})[0] == 200
    assert raw(server, WEST, "PutItem", {"TableName": name, "Item": {"pk": {"S": "cold"}}})[0] == 200
    assert raw(server, WEST, "UpdateItem", {"TableName": name, "Key": {"pk": {"S": "hot"}},
                                            "UpdateExpression": "SET w = :w",
                                            "ExpressionAttributeValues": {":w": {"S": "x"}}})[0] == 400
    assert raw(server, WEST, "DeleteItem", {"TableName": name, "Key": {"pk": {"S": "hot"}}})[0] == 400
    time.sleep(1.6)  # the other region's write has landed: the item is free again
    assert raw(server, WEST, "PutItem", {"TableName": name, "Item": dict(item, v={"N": "4"})})[0] == 200
    assert cs[EAST].get_item(TableName=name, Key={"pk": {"S": "hot"}}, ConsistentRead=True)["Item"]["v"] == {"N": "4"}


def test_strong_refusals_transactions_ttl(strong):
    server, cs = strong
    name = make_group(server, cs, witness=True)
    exc = raised(lambda: cs[EAST].transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": {"pk": {"S": "t"}}}}]))
    assert_client_error(exc, "ValidationException", "One or more parameter values were invalid: transactions are not "
                        "supported on a global table with MultiRegionConsistency set to STRONG (table: %s)" % name)
    exc = raised(lambda: cs[WEST].execute_transaction(TransactStatements=[
        {"Statement": "INSERT INTO \"%s\" VALUE {'pk': 't'}" % name}]))
    assert_client_error(exc, "ValidationException", "One or more parameter values were invalid: transactions are not "
                        "supported on a global table with MultiRegionConsistency set to STRONG (table: %s)" % name)
    exc = raised(lambda: cs[WEST].update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}))
    assert_client_error(exc, "ValidationException", "One or more parameter values were invalid: time to live is not "
                        "supported on a global table with MultiRegionConsistency set to STRONG")
    assert scan_all(cs[EAST], name, order="pk") == []


def test_strong_group_torn_down_whole(strong):
    server, cs = strong
    name = make_group(server, cs, witness=True)
    only = "Deletion of only one table replica is not supported for global tables with MultiRegionConsistency set " \
           "to STRONG."
    assert_client_error(raised(lambda: cs[WEST].delete_table(TableName=name)), "ValidationException", only)
    refused(server, name, "Update table delete operation does not include all witnesses.",
            ReplicaUpdates=[{"Delete": {"RegionName": WEST}}])
    refused(server, name, "Update global table operation failed because one or more witnesses were not part of the "
            "global table. Please retry the request without these witnesses: [eu-west-1].",
            ReplicaUpdates=[{"Delete": {"RegionName": WEST}}], GlobalTableWitnessUpdates=[{"Delete": {"RegionName": EU}}])
    cs[EAST].put_item(TableName=name, Item={"pk": {"S": "kept"}})
    status, out = update(server, name, ReplicaUpdates=[{"Delete": {"RegionName": WEST}}],
                         GlobalTableWitnessUpdates=[{"Delete": {"RegionName": OHIO}}])
    assert status == 200, out
    d = raw(server, EAST, "DescribeTable", {"TableName": name})[1]["Table"]
    for member in ("GlobalTableVersion", "Replicas", "MultiRegionConsistency", "GlobalTableWitnesses"):
        assert member not in d, d
    assert_client_error(raised(lambda: cs[WEST].describe_table(TableName=name)), "ResourceNotFoundException", gone(name))
    assert scan_all(cs[EAST], name, order="pk") == [{"pk": {"S": "kept"}}]
    cs[EAST].delete_table(TableName=name)  # a regional table again: deleted as any

    # three replicas: one Delete alone is refused, both in one call tear it down
    name = make_group(server, cs, witness=False)
    refused(server, name, only, ReplicaUpdates=[{"Delete": {"RegionName": THIRD}}])
    status, out = update(server, name, ReplicaUpdates=[{"Delete": {"RegionName": THIRD}},
                                                       {"Delete": {"RegionName": WEST}}])
    assert status == 200, out
    assert "Replicas" not in cs[EAST].describe_table(TableName=name)["Table"]
    for r in (WEST, THIRD):
        assert_client_error(raised(lambda: cs[r].describe_table(TableName=name)), "ResourceNotFoundException", gone(name))


def test_strong_streams_and_batches(strong):
    server, cs = strong
    name = make_table(cs[EAST], StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    cs[EAST].put_item(TableName=name, Item={"pk": {"S": "before"}})  # filled into the new replicas
    status, out = update(server, name, ReplicaUpdates=[{"Create": {"RegionName": WEST}},
                                                       {"Create": {"RegionName": THIRD}}], MultiRegionConsistency="STRONG")
    assert status == 200, out
    for r in (EAST, WEST, THIRD):
        wait_active(cs[r], name)
    # a batch in one region is in all of them at once
    cs[THIRD].batch_write_item(RequestItems={name: [{"PutRequest": {"Item": {"pk": {"S": "b%d" % i}}}}
                                                 for i in range(5)]})
    cs[WEST].update_item(TableName=name, Key={"pk": {"S": "b0"}}, UpdateExpression="SET x = :x",
                         ExpressionAttributeValues={":x": {"N": "1"}})
    cs[WEST].batch_write_item(RequestItems={name: [{"DeleteRequest": {"Key": {"pk": {"S": "b4"}}}}]})
    assert [scan_all(cs[r], name, order="pk") for r in (WEST, THIRD)] == [scan_all(cs[EAST], name, order="pk")] * 2
    assert len(scan_all(cs[EAST], name, order="pk")) == 5
    # every replica kept its stream, and each shows the same changes (the fill's copy aside)
    seen = {}
    for r in (EAST, WEST, THIRD):
        sc = boto3.client("dynamodbstreams", endpoint_url=server.endpoint, region_name=r, aws_access_key_id="AKIDGT",
                          aws_secret_access_key="secret", config=Config(retries={"total_max_attempts": 1}))
        arn = cs[r].describe_table(TableName=name)["Table"]["LatestStreamArn"]
        recs = []
        for shard in sc.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            it = sc.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                       ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            recs += sc.get_records(ShardIterator=it)["Records"]
        seen[r] = sorted((x["eventName"], x["dynamodb"]["Keys"]["pk"]["S"], x["dynamodb"]["SequenceNumber"] != "")
                         for x in recs if x["dynamodb"]["Keys"]["pk"]["S"] != "before")
    assert seen[EAST] == seen[WEST] == seen[THIRD]
    assert seen[EAST].count(("INSERT", "b0", True)) == 1 and seen[EAST].count(("MODIFY", "b0", True)) == 1
    assert ("REMOVE", "b4", True) in seen[EAST] and len(seen[EAST]) == 7


def test_strong_reads_are_linearizable_across_regions(strong):
    """A history checker: writers in three regions ADD 1 to one counter while readers in each region
    read it (ConsistentRead). Every read must see at least every increment acknowledged before it
    was sent, at most every increment sent before it was answered, and a reader's values never go
    back: what one commit in every replica gives, and what an asynchronous copy would break."""
    server, cs = strong
    name = make_group(server, cs, witness=False)
    regions = (EAST, WEST, THIRD)
    cs[EAST].put_item(TableName=name, Item={"pk": {"S": "c"}, "n": {"N": "0"}})
    lock = threading.Lock()
    acked, sent, stop = [0], [0], threading.Event()
    history, errors = [], []

    def writer(region):
        c = client(server, region)
        for _ in range(60):
            with lock:
                sent[0] += 1
            c.update_item(TableName=name, Key={"pk": {"S": "c"}}, UpdateExpression="ADD n :one",
                          ExpressionAttributeValues={":one": {"N": "1"}})
            with lock:
                acked[0] += 1

    def reader(region):
        c, last = client(server, region), -1
        try:
            while not stop.is_set():
                with lock:
                    lo = acked[0]
                v = int(c.get_item(TableName=name, Key={"pk": {"S": "c"}}, ConsistentRead=True)["Item"]["n"]["N"])
                with lock:
                    hi = sent[0]
                history.append((region, lo, v, hi))
                if not lo <= v <= hi or v < last:
                    errors.append((region, lo, v, hi, last))
                last = v
        except Exception as e:  # noqa: BLE001 (reported below)
            errors.append(repr(e))

    writers = [threading.Thread(target=writer, args=(r,)) for r in regions]
    readers = [threading.Thread(target=reader, args=(r,)) for r in regions]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    for t in readers:
        t.join()
    assert errors == [], errors[:5]
    assert len(history) > 30
    for r in regions:
        assert cs[r].get_item(TableName=name, Key={"pk": {"S": "c"}}, ConsistentRead=True)["Item"]["n"] == {"N": "180"}
