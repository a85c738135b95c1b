"""DynamoDB Streams fidelity, from differences a third-party suite validated against DynamoDB found:
DescribeStream lists shards in ShardId order (creation order, parents before children, the same
through ExclusiveStartShardId paging), GetShardIterator takes a shard's own StartingSequenceNumber
before the shard has a record, a write that changes nothing by value (a map's keys or a set's
members in another order) makes no stream record and no index write, and an expired iterator's
message.

Expectations: ScyllaDB's test/alternator/test_streams.py (run against DynamoDB: list_shards()
asserts the shards come sorted and that ExclusiveStartShardId of the last one gives none;
test_get_shard_iterator takes AT_ and AFTER_SEQUENCE_NUMBER at a fresh shard's
StartingSequenceNumber), the API reference (GetShardIterator, DescribeStream, ExpiredIterator
Exception) and docs/compatibility.md's Streams section for the texts DynamoDB's captures lack.
"""
import re
import signal
import time

import pytest
from botocore.exceptions import ClientError

from conftest import N, S, assert_client_error, make_client
from helpers import advance
from test_streams import all_shards, create, read_stream

SHARD_ID = re.compile(r"^shardId-\d{20}-[0-9a-f]{8}$")


def shard_ids_paged(streams, arn, limit):
    ids, start = [], None
    while True:
        kw = {"StreamArn": arn, "Limit": limit}
        if start:
            kw["ExclusiveStartShardId"] = start
        d = streams.describe_stream(**kw)["StreamDescription"]
        assert len(d["Shards"]) <= limit
        ids += [s["ShardId"] for s in d["Shards"]]
        start = d.get("LastEvaluatedShardId")
        if not start:
            return ids
        assert start == ids[-1]


def check_order(streams, arn):
    shards = all_shards(streams, arn)
    ids = [s["ShardId"] for s in shards]
    assert all(SHARD_ID.match(i) for i in ids), ids
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)  # ShardId order
    for pos, s in enumerate(shards):  # parents first
        if "ParentShardId" in s:
            assert s["ParentShardId"] in ids[:pos]
    assert shard_ids_paged(streams, arn, 1) == ids
    assert shard_ids_paged(streams, arn, 3) == ids
    d = streams.describe_stream(StreamArn=arn, ExclusiveStartShardId=ids[-1])["StreamDescription"]
    assert d["Shards"] == [] and "LastEvaluatedShardId" not in d
    return shards


# ---- shard order ----

def test_shards_of_one_generation_list_in_shard_id_order(server_factory):
    # eight shards made in the same millisecond share their time part: the suffix orders them
    server = server_factory(["--in-memory", "--shards", "8"])
    ddb, streams = make_client(server.endpoint), make_client(server.endpoint, service="dynamodbstreams")
    for _ in range(3):
        name, arn = create(ddb, "KEYS_ONLY")
        shards = check_order(streams, arn)
        assert len(shards) == 8 and len({s["ShardId"][:28] for s in shards}) == 1


def test_shards_after_a_reshard_and_a_reenable_list_parents_first(server_factory, tmp_path):
    args = lambda n: ["--data-dir", str(tmp_path / "data"), "--shards", str(n)]
    server = server_factory(args(3))
    ddb = make_client(server.endpoint)
    name, arn = create(ddb, "NEW_IMAGE")
    for i in range(30):
        ddb.put_item(TableName=name, Item={"pk": S("k%d" % i), "v": N(0)})
    server.stop(signal.SIGTERM)
    server = server_factory(args(7), port=server.port)
    ddb, streams = make_client(server.endpoint), make_client(server.endpoint, service="dynamodbstreams")
    shards = check_order(streams, arn)
    assert [("ParentShardId" in s) for s in shards] == [False] * 3 + [True] * 7
    # the stream of a table enabled again, and of a table made again under the same name
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    time.sleep(0.002)
    arn2 = ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
                            )["TableDescription"]["LatestStreamArn"]
    assert len(check_order(streams, arn2)) == 7
    ddb.delete_table(TableName=name)
    time.sleep(0.002)
    _, arn3 = create(ddb, "KEYS_ONLY", name=name)
    assert len(check_order(streams, arn3)) == 7
    assert len(check_order(streams, arn)) == 10  # the first stream still lists as before


# ---- GetShardIterator at a shard's StartingSequenceNumber ----

def test_iterator_at_the_starting_sequence_number_of_an_empty_shard(server_factory):
    server = server_factory(["--in-memory", "--shards", "2"])
    ddb, streams = make_client(server.endpoint), make_client(server.endpoint, service="dynamodbstreams")
    name, arn = create(ddb, "NEW_IMAGE")
    shards = all_shards(streams, arn)
    at = {}
    for sh in shards:
        start = sh["SequenceNumberRange"]["StartingSequenceNumber"]
        for kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
            it = streams.get_shard_iterator(StreamArn=arn, ShardId=sh["ShardId"], ShardIteratorType=kind,
                                            SequenceNumber=start)["ShardIterator"]
            assert streams.get_records(ShardIterator=it)["Records"] == []
            if kind == "AT_SEQUENCE_NUMBER":
                at[sh["ShardId"]] = it
        # one past the start of an empty shard is past its end: no record has it
        beyond = "%021d" % (int(start) + 1)
        with pytest.raises(ClientError) as e:
            streams.get_shard_iterator(StreamArn=arn, ShardId=sh["ShardId"], ShardIteratorType="AT_SEQUENCE_NUMBER",
                                       SequenceNumber=beyond)
        assert_client_error(e, "ValidationException", "One or more parameter values were invalid: Invalid SequenceNumber")
    # the iterator at the start reads the shard's first record once it is written
    ddb.put_item(TableName=name, Item={"pk": S("a"), "v": N(1)})
    got = [r for it in at.values() for r in streams.get_records(ShardIterator=it)["Records"]]
    assert [r["dynamodb"]["NewImage"]["v"]["N"] for r in got] == ["1"]
    # closed shards: an empty one still takes its StartingSequenceNumber, and reads to its end
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    for sh in all_shards(streams, arn):
        rng = sh["SequenceNumberRange"]
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=sh["ShardId"], ShardIteratorType="AT_SEQUENCE_NUMBER",
                                        SequenceNumber=rng["StartingSequenceNumber"])["ShardIterator"]
        resp = streams.get_records(ShardIterator=it)
        assert "NextShardIterator" not in resp
        assert len(resp["Records"]) == int(rng["EndingSequenceNumber"]) - int(rng["StartingSequenceNumber"]) + 1
        with pytest.raises(ClientError) as e:
            streams.get_shard_iterator(StreamArn=arn, ShardId=sh["ShardId"], ShardIteratorType="AT_SEQUENCE_NUMBER",
                                       SequenceNumber="%021d" % (int(rng["StartingSequenceNumber"]) + 1))
        assert_client_error(e, "ValidationException", "One or more parameter values were invalid: Invalid SequenceNumber")


# ---- writes that change nothing by value ----

def test_a_write_equal_by_value_makes_no_record(ddb):
    streams = make_client(ddb.meta.endpoint_url, service="dynamodbstreams")
    name, arn = create(ddb, "NEW_AND_OLD_IMAGES")
    key = {"pk": S("k")}
    ddb.put_item(TableName=name, Item={"pk": S("k"), "m": {"M": {"a": N(1), "b": {"M": {"x": S("1"), "y": S("2")}}}},
                                       "ss": {"SS": ["p", "q", "r"]}, "ns": {"NS": ["1", "2.5"]}, "n": N("1.50")})
    # each of these sets an equal value written another way: the item does not change
    ddb.update_item(TableName=name, Key=key, UpdateExpression="SET m = :m",
                    ExpressionAttributeValues={":m": {"M": {"b": {"M": {"y": S("2"), "x": S("1")}}, "a": N("1.0")}}})
    ddb.update_item(TableName=name, Key=key, UpdateExpression="SET ss = :s, ns = :n, n = :x",
                    ExpressionAttributeValues={":s": {"SS": ["r", "p", "q"]}, ":n": {"NS": ["2.50", "1"]},
                                               ":x": N("1.5")})
    ddb.put_item(TableName=name, Item={"n": N("1.5"), "ns": {"NS": ["2.5", "1"]}, "ss": {"SS": ["q", "r", "p"]},
                                       "m": {"M": {"b": {"M": {"y": S("2"), "x": S("1")}}, "a": N(1)}},
                                       "pk": S("k")})
    # a list is ordered: another order is a change
    ddb.update_item(TableName=name, Key=key, UpdateExpression="SET l = :l",
                    ExpressionAttributeValues={":l": {"L": [N(1), N(2)]}})
    ddb.update_item(TableName=name, Key=key, UpdateExpression="SET l = :l",
                    ExpressionAttributeValues={":l": {"L": [N(2), N(1)]}})
    recs = read_stream(streams, arn)
    assert [r["eventName"] for r in recs] == ["INSERT", "MODIFY", "MODIFY"]
    assert recs[2]["dynamodb"]["NewImage"]["l"] == {"L": [N(2), N(1)]}


def test_an_index_entry_equal_by_value_is_not_written(ddb, make_table):
    gsi = {"IndexName": "gix", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
           "Projection": {"ProjectionType": "ALL"}}
    attrs = [{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "g")]
    name = make_table(AttributeDefinitions=attrs, GlobalSecondaryIndexes=[gsi])
    key = {"pk": S("k")}
    ddb.put_item(TableName=name, Item={"pk": S("k"), "g": S("G"), "m": {"M": {"a": N(1), "b": N(2)}}})

    def index_units(m):
        resp = ddb.update_item(TableName=name, Key=key, UpdateExpression="SET m = :m", ReturnConsumedCapacity="INDEXES",
                               ExpressionAttributeValues={":m": {"M": m}})
        return resp["ConsumedCapacity"].get("GlobalSecondaryIndexes", {}).get("gix", {}).get("CapacityUnits", 0)

    same = index_units({"a": N(1), "b": N(2)})
    assert index_units({"b": N(2), "a": N(1)}) == same  # equal by value: no index write either
    assert index_units({"b": N(3), "a": N(1)}) > same


# ---- iterator expiry ----

def test_an_expired_iterator_says_when_it_was_made(server_factory):
    # the frozen clock, at 2030-01-01T00:00:00Z (a Tuesday): the message's two times are exact
    server = server_factory(["--in-memory", "--admin", "--clock", "frozen@1893456000000"])
    ddb, streams = make_client(server.endpoint), make_client(server.endpoint, service="dynamodbstreams")
    name, arn = create(ddb, "KEYS_ONLY")
    sid = all_shards(streams, arn)[0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="LATEST")["ShardIterator"]
    advance(server.endpoint, 15 * 60 * 1000 - 5000)
    streams.get_records(ShardIterator=it)  # not yet
    advance(server.endpoint, 10 * 1000)
    with pytest.raises(ClientError) as e:
        streams.get_records(ShardIterator=it)
    assert_client_error(e, "ExpiredIteratorException",
                        "Iterator expired. The iterator was created at time Tue Jan 01 00:00:00 UTC 2030 while right "
                        "now it is Tue Jan 01 00:15:05 UTC 2030 which is further in the future than the tolerated "
                        "delay of 900000 milliseconds.")
