"""Item collections of tables with local secondary indexes: their size is kept with every write,
reported by ReturnItemCollectionMetrics=SIZE, and limited (DynamoDB's 10 GB; the servers here
are started with --item-collection-limit so that a test reaches it with a few items).

A collection's size is its items' sizes plus their LSI entries' sizes (the projected attributes),
per partition key value. A write that would take a collection past the limit is refused with
ItemCollectionSizeLimitExceededException "Collection size exceeded." (DynamoDB's text, in its
developer guide's list of errors) and nothing is written; writes that shrink a collection are
always accepted.
"""
import tempfile

import pytest

from conftest import N, S, create_table_params, expect_error, item_size, make_client

LIMIT = 4000
TOO_BIG = "Collection size exceeded."


def lsi_table(ddb, name, projection="ALL"):
    ddb.create_table(**create_table_params(
        name, ("pk", "S"), ("sk", "S"),
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"},
                              {"AttributeName": "l", "AttributeType": "S"}],
        LocalSecondaryIndexes=[{"IndexName": "by_l", "Projection": {"ProjectionType": projection},
                                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                              {"AttributeName": "l", "KeyType": "RANGE"}]}]))
    return name


def item(pk, sk, pad, indexed=True):
    it = {"pk": S(pk), "sk": S(sk), "p": S("x" * pad)}
    if indexed:
        it["l"] = S("l" + sk)
    return it


@pytest.fixture
def limited(server_factory):
    server = server_factory(["--in-memory", "--item-collection-limit", str(LIMIT)])
    return make_client(server.endpoint)


def test_a_collection_cannot_grow_past_the_limit(limited):
    ddb = limited
    name = lsi_table(ddb, "coll_limit")
    # each item counts twice (the item and its ALL-projected LSI entry): ~1.4 KB per item
    first = item("a", "1", 700)
    per_item = 2 * item_size(first)
    ddb.put_item(TableName=name, Item=first)
    ddb.put_item(TableName=name, Item=item("a", "2", 700))
    assert 2 * per_item <= LIMIT < 3 * per_item
    expect_error(ddb.put_item, TOO_BIG, code="ItemCollectionSizeLimitExceededException",
                 TableName=name, Item=item("a", "3", 700))
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": S("a"), "sk": S("3")})
    assert ddb.query(TableName=name, IndexName="by_l", KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": S("a")})["Count"] == 2
    # another partition is another collection
    ddb.put_item(TableName=name, Item=item("b", "3", 700))
    # an update that grows an item past the limit is refused too, and changes nothing
    expect_error(ddb.update_item, TOO_BIG, code="ItemCollectionSizeLimitExceededException",
                 TableName=name, Key={"pk": S("a"), "sk": S("2")}, UpdateExpression="SET q = :q",
                 ExpressionAttributeValues={":q": S("y" * 800)})
    assert "q" not in ddb.get_item(TableName=name, Key={"pk": S("a"), "sk": S("2")})["Item"]
    # shrinking is always allowed, and makes room again
    ddb.delete_item(TableName=name, Key={"pk": S("a"), "sk": S("1")})
    ddb.put_item(TableName=name, Item=item("a", "3", 700))
    # items outside the LSI count only once
    ddb.put_item(TableName=name, Item=item("a", "4", 700, indexed=False))


def test_overwrites_count_the_difference(limited):
    ddb = limited
    name = lsi_table(ddb, "coll_overwrite")
    for _ in range(10):  # the same item written again and again does not accumulate
        ddb.put_item(TableName=name, Item=item("a", "1", 1500))
    ddb.put_item(TableName=name, Item=item("a", "1", 100))
    ddb.put_item(TableName=name, Item=item("a", "2", 1500))


def test_keys_only_lsi_entries_count_their_projection(limited):
    ddb = limited
    name = lsi_table(ddb, "coll_keys", projection="KEYS_ONLY")
    # items of ~1.2 KB with small KEYS_ONLY entries: three fit where ALL would allow two
    for sk in ("1", "2", "3"):
        ddb.put_item(TableName=name, Item=item("a", sk, 1200))
    expect_error(ddb.put_item, TOO_BIG, code="ItemCollectionSizeLimitExceededException",
                 TableName=name, Item=item("a", "4", 1200))


def test_tables_without_lsis_have_no_collection_limit(limited):
    ddb = limited
    name = "coll_plain"
    ddb.create_table(**create_table_params(name, ("pk", "S"), ("sk", "S")))
    for sk in range(8):
        ddb.put_item(TableName=name, Item={"pk": S("a"), "sk": S(str(sk)), "p": S("x" * 1000)})


def test_metrics_report_the_collection(limited):
    ddb = limited
    name = lsi_table(ddb, "coll_metrics")
    resp = ddb.put_item(TableName=name, Item=item("a", "1", 10), ReturnItemCollectionMetrics="SIZE")
    assert resp["ItemCollectionMetrics"] == {"ItemCollectionKey": {"pk": S("a")},
                                             "SizeEstimateRangeGB": [0.0, 1.0]}
    resp = ddb.batch_write_item(RequestItems={name: [
        {"PutRequest": {"Item": item("a", "2", 10)}}, {"PutRequest": {"Item": item("b", "1", 10)}},
        {"DeleteRequest": {"Key": {"pk": S("a"), "sk": S("1")}}}]}, ReturnItemCollectionMetrics="SIZE")
    metrics = resp["ItemCollectionMetrics"][name]
    assert sorted(m["ItemCollectionKey"]["pk"]["S"] for m in metrics) == ["a", "b"]
    assert all(m["SizeEstimateRangeGB"] == [0.0, 1.0] for m in metrics)


def test_sizes_survive_a_restart(server_factory):
    with tempfile.TemporaryDirectory() as d:
        args = ["--data-dir", d, "--item-collection-limit", str(LIMIT)]
        server = server_factory(args)
        ddb = make_client(server.endpoint)
        name = lsi_table(ddb, "coll_restart")
        ddb.put_item(TableName=name, Item=item("a", "1", 700))
        ddb.put_item(TableName=name, Item=item("a", "2", 700))
        server.stop()
        server = server_factory(args)
        ddb = make_client(server.endpoint)
        expect_error(ddb.put_item, TOO_BIG, code="ItemCollectionSizeLimitExceededException",
                     TableName=name, Item=item("a", "3", 700))
        server.stop()


def test_the_limit_option_is_checked(server_factory):
    from conftest import DdbdServer
    import subprocess
    import conftest
    out = subprocess.run([conftest.DDBD_BIN, "--item-collection-limit", "0"], capture_output=True, text=True)
    assert out.returncode != 0
    assert "--item-collection-limit must be a positive number of bytes" in out.stderr
    out = subprocess.run([conftest.DDBD_BIN, "--help"], capture_output=True, text=True)
    assert "--item-collection-limit BYTES" in out.stdout
