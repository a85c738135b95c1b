"""Two gateways on one store share the catalog (docs/scale-out.md, "The catalog across gateways").

Run by tests/rados/run.sh with DDBD_GATEWAYS=2 (the session starts two `ddbd --backend rados` on
one pool namespace); skipped with one gateway. Each test drives the two gateways through clients
of their own: a table created, changed or deleted through one is usable, changed or gone on the
other as soon as the call returns (no retry, no wait); CreateTable of one name raced on both
gateways creates it once; a deleted table's items never surface in a table created again under
its name (table ids are never reused); a BatchWriteItem put that keeps losing to another
gateway's commits comes back in UnprocessedItems; a write another gateway decided before an index
was added lands before the index's backfill reads the table.
"""
import shlex
import threading
import time

import pytest
from botocore.exceptions import ClientError

from conftest import STORE_ARGS, create_table_params, make_client, unique_name


@pytest.fixture(scope="module")
def gateways(ddbd_server):
    peers = getattr(ddbd_server, "peers", [])
    if len(peers) < 2:
        pytest.skip("needs two gateways on one store (DDBD_GATEWAYS=2, tests/rados/run.sh)")
    return [make_client(p) for p in peers[:2]]


def key(v):
    return {"pk": {"S": v}}


def test_changes_through_either_gateway_are_seen_by_the_other_at_once(gateways):
    a, b = gateways
    name = unique_name("gw")
    a.create_table(**create_table_params(name))
    b.put_item(TableName=name, Item=key("x"))  # usable on B as soon as A answered
    assert a.get_item(TableName=name, Key=key("x"))["Item"] == key("x")
    assert b.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"

    arn = b.describe_table(TableName=name)["Table"]["TableArn"]
    b.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "b"}])
    assert a.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "k", "Value": "b"}]
    a.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "a"}])
    assert b.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "k", "Value": "a"}]

    a.update_table(TableName=name, BillingMode="PROVISIONED",
                   ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    assert b.describe_table(TableName=name)["Table"]["ProvisionedThroughput"]["ReadCapacityUnits"] == 5

    b.delete_table(TableName=name)
    with pytest.raises(ClientError) as e:
        a.put_item(TableName=name, Item=key("y"))
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        a.describe_table(TableName=name)
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_an_index_added_through_one_gateway_is_maintained_by_the_other(gateways):
    a, b = gateways
    name = unique_name("gwix")
    a.create_table(**create_table_params(name))
    a.update_table(TableName=name, AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                   GlobalSecondaryIndexUpdates=[{"Create": {
                       "IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                       "Projection": {"ProjectionType": "ALL"}}}])
    b.put_item(TableName=name, Item={"pk": {"S": "1"}, "g": {"S": "G"}})
    for _ in range(200):  # the index becomes ACTIVE once its (empty) backfill is done
        if a.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE":
            break
        threading.Event().wait(0.05)
    got = a.query(TableName=name, IndexName="byg", KeyConditionExpression="g = :g",
                  ExpressionAttributeValues={":g": {"S": "G"}})["Items"]
    assert got == [{"pk": {"S": "1"}, "g": {"S": "G"}}]
    a.delete_table(TableName=name)


def test_create_table_raced_on_both_gateways_creates_it_once(gateways):
    for _ in range(8):
        name = unique_name("gwrace")
        start = threading.Barrier(2)
        outcome = []

        def create(client):
            start.wait()
            try:
                client.create_table(**create_table_params(name))
                outcome.append("created")
            except ClientError as e:
                outcome.append(e.response["Error"]["Code"])

        threads = [threading.Thread(target=create, args=(c,)) for c in gateways]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcome) == ["ResourceInUseException", "created"]
        for c in gateways:
            assert c.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"
        gateways[0].delete_table(TableName=name)


def test_a_table_created_again_never_shows_the_old_ones_items(gateways):
    a, b = gateways
    name = unique_name("gwid")
    for round_ in range(3):
        creator, other = (a, b) if round_ % 2 == 0 else (b, a)
        creator.create_table(**create_table_params(name))
        assert other.scan(TableName=name)["Items"] == []
        other.put_item(TableName=name, Item=key("round%d" % round_))
        creator.delete_table(TableName=name)


def test_a_batch_put_that_keeps_losing_to_another_gateway_is_left_unprocessed(ddbd_server, gateways,
                                                                             server_factory, monkeypatch):
    """A third gateway that retries no lost commit (DDBD_RADOS_COMMIT_RETRIES=0) sends batches of a
    put of a key gateway A updates without pause and a put of a new key: a put that lost comes back
    in UnprocessedItems, as sent (DynamoDB's place for writes it did not do; SDKs send them again),
    the other put is done, and the call never fails as a whole with TransactionConflictException."""
    a = gateways[0]
    monkeypatch.setenv("DDBD_RADOS_COMMIT_RETRIES", "0")
    c = make_client(server_factory(shlex.split(STORE_ARGS)).endpoint)
    name = unique_name("gwbatch")
    a.create_table(**create_table_params(name))
    stop = threading.Event()

    def hammer():
        client = make_client(ddbd_server.peers[0])
        while not stop.is_set():
            try:
                client.update_item(TableName=name, Key=key("hot"), UpdateExpression="ADD n :one",
                                   ExpressionAttributeValues={":one": {"N": "1"}})
            except ClientError as e:  # C's put may win often enough to wear out A's retries
                assert e.response["Error"]["Code"] == "TransactionConflictException"

    threads = [threading.Thread(target=hammer) for _ in range(3)]
    for t in threads:
        t.start()
    left, last_done, calls, deadline = 0, None, 0, time.monotonic() + 30
    try:
        while (left < 3 or last_done is None) and time.monotonic() < deadline:
            hot = {"PutRequest": {"Item": {"pk": {"S": "hot"}, "v": {"S": "b%d" % calls}}}}
            cold = {"PutRequest": {"Item": {"pk": {"S": "cold%d" % calls}}}}
            got = c.batch_write_item(RequestItems={name: [hot, cold]})["UnprocessedItems"]
            assert got in ({}, {name: [hot]})
            left += got != {}
            last_done = last_done if got else calls
            calls += 1
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert left >= 3, "no put lost to gateway A in %d batches: the test proved nothing" % calls
    item = a.get_item(TableName=name, Key=key("hot"), ConsistentRead=True)["Item"]
    assert item["v"] == {"S": "b%d" % last_done}  # an unprocessed put was not written
    for i in range(calls):
        assert "Item" in a.get_item(TableName=name, Key=key("cold%d" % i), ConsistentRead=True)
    a.delete_table(TableName=name)


def test_a_write_decided_before_an_index_on_another_gateway_is_in_the_backfill(gateways, server_factory,
                                                                                monkeypatch):
    """Gateway C holds every write it decided for 1.5 s before writing it (DDBD_DELAY_POINT): a
    PutItem decided there without the index gateway A then adds must land before A's backfill
    reads the table (C drains it before acknowledging the change), so the index has the item."""
    a = gateways[0]
    monkeypatch.setenv("DDBD_DELAY_POINT", "write-decided:1500")
    c = make_client(server_factory(shlex.split(STORE_ARGS)).endpoint)
    name = unique_name("gwfence")
    a.create_table(**create_table_params(name))
    item = {"pk": {"S": "late"}, "g": {"S": "G"}}
    put = threading.Thread(target=c.put_item, kwargs={"TableName": name, "Item": item})
    put.start()
    time.sleep(0.5)  # decided on C, not yet written
    a.update_table(TableName=name, AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                   GlobalSecondaryIndexUpdates=[{"Create": {
                       "IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                       "Projection": {"ProjectionType": "ALL"}}}])
    put.join()
    for _ in range(200):
        if a.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE":
            break
        time.sleep(0.05)
    assert a.get_item(TableName=name, Key=key("late"), ConsistentRead=True)["Item"] == item
    got = a.query(TableName=name, IndexName="byg", KeyConditionExpression="g = :g",
                  ExpressionAttributeValues={":g": {"S": "G"}})["Items"]
    assert got == [item], "the backfill read the table before the write decided on C landed"
    a.delete_table(TableName=name)
