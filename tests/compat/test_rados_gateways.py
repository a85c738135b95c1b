"""Two gateways on one store share the catalog (docs/scale-out.md, "The catalog across gateways").

Run by tests/rados/run.sh with DDBD_GATEWAYS=2 (the session starts two `ddbd --backend rados` on
one pool namespace); skipped with one gateway. Each test drives the two gateways through clients
of their own: a table created, changed or deleted through one is usable, changed or gone on the
other as soon as the call returns (no retry, no wait); CreateTable of one name raced on both
gateways creates it once; a deleted table's items never surface in a table created again under
its name (table ids are never reused); a BatchWriteItem put that keeps losing to another
gateway's commits comes back in UnprocessedItems; a write another gateway decided before an index
was added lands before the index's backfill reads the table; a table one gateway serves already is
not refused by another whose copy has not heard of it yet.
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


def test_a_table_another_gateway_serves_is_not_refused_before_its_announcement(gateways, server_factory,
                                                                                monkeypatch):
    """Gateway C holds every catalog change's announcement for 10 s (DDBD_DELAY_POINT): its
    CreateTable is in C's copy, and served there, while A and B have not heard of it. A client that
    found the table on C (DescribeTable, as a waiter polls) and then writes through B must not be
    told it is not there: B reads the stored description before it refuses (model seed 5019: a
    restore finished on one gateway, its table scanned through the other)."""
    a, b = gateways
    monkeypatch.setenv("DDBD_DELAY_POINT", "rados-meta-announce:10000")
    c_server = server_factory(shlex.split(STORE_ARGS))
    c, c_poll = make_client(c_server.endpoint), make_client(c_server.endpoint)
    name = unique_name("gwearly")
    create = threading.Thread(target=c.create_table, kwargs=create_table_params(name))
    create.start()
    for _ in range(400):
        try:
            if c_poll.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE":
                break
        except ClientError as e:
            assert e.response["Error"]["Code"] == "ResourceNotFoundException"
        time.sleep(0.01)
    b.put_item(TableName=name, Item=key("early"))   # refused ResourceNotFoundException before the fix
    assert a.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"
    assert create.is_alive(), "C announced its change before B was asked: the test proved nothing"
    assert a.get_item(TableName=name, Key=key("early"), ConsistentRead=True)["Item"] == key("early")
    with pytest.raises(ClientError) as e:
        b.get_item(TableName=name + "-none", Key=key("x"))
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert e.value.response["Error"]["Message"] == "Requested resource not found"
    create.join()
    a.delete_table(TableName=name)


def test_an_index_another_gateway_built_is_read_before_its_announcement(server_factory, monkeypatch):
    """Two gateways of a namespace of their own: C1, started first, holds the background work and
    holds each catalog change's announcement for 4 s (DDBD_DELAY_POINT: less than its lease of the
    work, 10 s, which a longer hold of the worker's thread lets C2 take over); C2 adds a GSI, which
    C1 backfills. Once C1 shows the index ACTIVE, C2 (which has not heard yet) answers a Query of it
    rather than "Cannot read from backfilling global secondary index"."""
    if "--rados-pool" not in STORE_ARGS:
        pytest.skip("needs the RADOS backend (tests/rados/run.sh)")
    args = shlex.split(STORE_ARGS)
    at = args.index("--rados-pool") + 1
    args[at] = "%s-ix%d" % (args[at], time.monotonic_ns() % 1000000)
    monkeypatch.setenv("DDBD_DELAY_POINT", "rados-meta-announce:4000")
    c1_server = server_factory(args)
    monkeypatch.delenv("DDBD_DELAY_POINT")
    c2_server = server_factory(args)
    c1, c2 = make_client(c1_server.endpoint), make_client(c2_server.endpoint)
    assert "holds lease/tasks" in c1_server.stderr_text()
    name = unique_name("gwix")
    c2.create_table(**create_table_params(name))
    for i in range(20):
        c2.put_item(TableName=name, Item={"pk": {"S": "p%d" % i}, "g": {"S": "G"}})
    c2.update_table(TableName=name, AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                    GlobalSecondaryIndexUpdates=[{"Create": {
                        "IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "ALL"}}}])
    for _ in range(3000):
        if c1.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE":
            break
        time.sleep(0.01)
    assert c2.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]["IndexStatus"] == "CREATING", \
        "C1's announcement reached C2 first: the test proved nothing"
    got = c2.query(TableName=name, IndexName="byg", KeyConditionExpression="g = :g",
                   ExpressionAttributeValues={":g": {"S": "G"}})["Items"]   # refused before the fix
    # (the Query read the stored description: C2 describes the index as built from then on)
    assert c2.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"
    assert sorted(i["pk"]["S"] for i in got) == sorted("p%d" % i for i in range(20))
    assert "backfilling index" not in c2_server.stderr_text(), "C2 took the backfill over: the test proved nothing"
    c2.delete_table(TableName=name)
