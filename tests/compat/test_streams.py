"""DynamoDB Streams through boto3: StreamSpecification on CreateTable/UpdateTable, DescribeTable's
LatestStreamArn, ListStreams, DescribeStream, GetShardIterator and GetRecords, the records of every
kind of write in every view type (none for a write that changes nothing), transactions and batches,
errors, iterator expiry and the 24-hour trim on the server's clock (--admin), shard lineage across
a --shards change, and a reader that follows every shard of a busy table.

Expectations: the API reference, ScyllaDB's test/alternator/test_streams.py (run against DynamoDB:
malformed ARNs are ValidationException, unknown shards ResourceNotFoundException, StartingSequence
Number decimal), and DynamoDB Local 1.25 for texts DynamoDB's captures do not show.
"""
import base64
import re
import signal
import threading
import time

import pytest
from botocore.exceptions import ClientError

from conftest import ANY, N, REGION, S, assert_client_error, make_client, raw_request, unique_name
from helpers import admin_call, advance

VIEWS = ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]


@pytest.fixture(scope="module")
def streams(endpoint):
    return make_client(endpoint, service="dynamodbstreams")


def create(ddb, view="NEW_AND_OLD_IMAGES", range_key=False, name=None):
    name = name or unique_name("st")
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if range_key:
        attrs.append({"AttributeName": "sk", "AttributeType": "N"})
        schema.append({"AttributeName": "sk", "KeyType": "RANGE"})
    spec = {"StreamEnabled": True, "StreamViewType": view} if view else None
    params = dict(TableName=name, AttributeDefinitions=attrs, KeySchema=schema, BillingMode="PAY_PER_REQUEST")
    if spec:
        params["StreamSpecification"] = spec
    desc = ddb.create_table(**params)["TableDescription"]
    return name, desc.get("LatestStreamArn")


def all_shards(streams, arn):
    shards, start = [], None
    while True:
        kw = {"StreamArn": arn}
        if start:
            kw["ExclusiveStartShardId"] = start
        d = streams.describe_stream(**kw)["StreamDescription"]
        shards += d["Shards"]
        start = d.get("LastEvaluatedShardId")
        if not start:
            return shards


def drain(streams, iterator, limit=1000):
    """Records from an iterator until the shard ends (closed) or has nothing more (open)."""
    out = []
    while iterator:
        resp = streams.get_records(ShardIterator=iterator, Limit=limit)
        out += resp["Records"]
        nxt = resp.get("NextShardIterator")
        if not resp["Records"]:
            return out, nxt
        iterator = nxt
    return out, None


def read_stream(streams, arn):
    """Every record, parents before children, in shard order."""
    shards = all_shards(streams, arn)
    done, records = set(), []
    while len(done) < len(shards):
        progressed = False
        for sh in shards:
            sid = sh["ShardId"]
            if sid in done or (sh.get("ParentShardId") and sh["ParentShardId"] not in done):
                continue
            it = streams.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            got, _ = drain(streams, it)
            records += got
            done.add(sid)
            progressed = True
        assert progressed, "a shard's parent is missing"
    return records


# ---- tables and streams ----

def test_describe_table_and_list_streams(ddb, streams):
    name, arn = create(ddb, "NEW_IMAGE")
    assert re.fullmatch(r"arn:aws:dynamodb:us-east-1:000000000000:table/%s/stream/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}" % name, arn)
    t = ddb.describe_table(TableName=name)["Table"]
    assert t["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert t["LatestStreamArn"] == arn and arn.endswith("/stream/" + t["LatestStreamLabel"])
    listed = streams.list_streams(TableName=name)["Streams"]
    assert listed == [{"StreamArn": arn, "TableName": name, "StreamLabel": t["LatestStreamLabel"]}]
    d = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert d["StreamStatus"] == "ENABLED" and d["StreamViewType"] == "NEW_IMAGE" and d["TableName"] == name
    assert d["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert d["Shards"] and all(s["SequenceNumberRange"]["StartingSequenceNumber"].isdecimal() for s in d["Shards"])
    assert all("EndingSequenceNumber" not in s["SequenceNumberRange"] and "ParentShardId" not in s for s in d["Shards"])
    assert all(re.fullmatch(r"shardId-\d{20}-[0-9a-f]{8}", s["ShardId"]) for s in d["Shards"])
    # a table created without a stream has none
    plain, none = create(ddb, None)
    assert none is None and "LatestStreamArn" not in ddb.describe_table(TableName=plain)["Table"]
    assert streams.list_streams(TableName=plain)["Streams"] == []


@pytest.mark.parametrize("view", VIEWS)
def test_records_of_every_write(ddb, streams, view):
    name, arn = create(ddb, view, range_key=True)
    k = {"pk": S("a"), "sk": N(1)}
    ddb.put_item(TableName=name, Item=dict(k, v=N(1)))
    ddb.put_item(TableName=name, Item=dict(k, v=N(1)))                       # changes nothing: no record
    ddb.update_item(TableName=name, Key=k, UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": N(2)})
    ddb.update_item(TableName=name, Key=k, UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": N(2)})
    ddb.delete_item(TableName=name, Key=k)
    ddb.delete_item(TableName=name, Key=k)                                    # absent: no record
    ddb.update_item(TableName=name, Key={"pk": S("b"), "sk": N(2)}, UpdateExpression="REMOVE x")  # creates nothing
    recs = read_stream(streams, arn)
    assert [r["eventName"] for r in recs] == ["INSERT", "MODIFY", "REMOVE"]
    new = {"INSERT": dict(k, v=N(1)), "MODIFY": dict(k, v=N(2)), "REMOVE": None}
    old = {"INSERT": None, "MODIFY": dict(k, v=N(1)), "REMOVE": dict(k, v=N(2))}
    seqs = []
    for r in recs:
        d = r["dynamodb"]
        assert r["eventSource"] == "aws:dynamodb" and r["eventVersion"] == "1.1" and r["awsRegion"] == REGION
        assert re.fullmatch(r"[0-9a-f]{32}", r["eventID"])
        assert d["Keys"] == k and d["StreamViewType"] == view
        want_new = new[r["eventName"]] if view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES") else None
        want_old = old[r["eventName"]] if view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") else None
        assert d.get("NewImage") == want_new and d.get("OldImage") == want_old
        # Keys + images, DynamoDB's sizes: pk 2+1, sk 2+2 (the number 1), v 1+2
        size = lambda img: 0 if img is None else 7 + 3
        assert d["SizeBytes"] == 7 + size(want_new) + size(want_old)
        assert abs(d["ApproximateCreationDateTime"].timestamp() - time.time()) < 120
        seqs.append(int(d["SequenceNumber"]))
        assert len(d["SequenceNumber"]) == 21
    assert seqs == sorted(seqs) and len(set(seqs)) == 3


def test_transactions_and_batches_write_records(ddb, streams):
    name, arn = create(ddb, "KEYS_ONLY")
    ddb.transact_write_items(TransactItems=[{"Put": {"TableName": name, "Item": {"pk": S("t%d" % i)}}} for i in range(3)])
    with pytest.raises(ClientError):  # cancelled: no record
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": name, "Item": {"pk": S("x1")}}},
            {"ConditionCheck": {"TableName": name, "Key": {"pk": S("t0")}, "ConditionExpression": "attribute_not_exists(pk)"}}])
    ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": {"pk": S("b%d" % i)}}} for i in range(4)] +
                                       [{"DeleteRequest": {"Key": {"pk": S("t0")}}}]})
    recs = read_stream(streams, arn)
    got = sorted((r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in recs)
    assert got == sorted([("INSERT", "t0"), ("INSERT", "t1"), ("INSERT", "t2"), ("REMOVE", "t0")] +
                         [("INSERT", "b%d" % i) for i in range(4)])
    assert all("NewImage" not in r["dynamodb"] and "OldImage" not in r["dynamodb"] for r in recs)


# ---- iterators ----

def one_shard_items(ddb, name, n):
    """n changes of one item: all in one shard, in order."""
    for i in range(n):
        ddb.put_item(TableName=name, Item={"pk": S("same"), "v": N(i)})


def shard_of_records(streams, arn):
    for sh in all_shards(streams, arn):
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=sh["ShardId"], ShardIteratorType="TRIM_HORIZON")
        if streams.get_records(ShardIterator=it["ShardIterator"], Limit=1)["Records"]:
            return sh["ShardId"]
    raise AssertionError("no shard has records")


def test_iterator_types_and_paging(ddb, streams):
    name, arn = create(ddb, "NEW_IMAGE")
    one_shard_items(ddb, name, 25)
    sid = shard_of_records(streams, arn)
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    pages = []
    while True:
        resp = streams.get_records(ShardIterator=it, Limit=10)
        if not resp["Records"]:
            break
        pages.append([int(r["dynamodb"]["NewImage"]["v"]["N"]) for r in resp["Records"]])
        it = resp["NextShardIterator"]
    assert pages == [list(range(0, 10)), list(range(10, 20)), list(range(20, 25))]
    assert "NextShardIterator" in resp  # an open shard always has a next iterator
    seqs = [r["dynamodb"]["SequenceNumber"] for r in
            streams.get_records(ShardIterator=streams.get_shard_iterator(
                StreamArn=arn, ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"])["Records"]]
    at = streams.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="AT_SEQUENCE_NUMBER",
                                    SequenceNumber=seqs[5])["ShardIterator"]
    assert streams.get_records(ShardIterator=at, Limit=1)["Records"][0]["dynamodb"]["SequenceNumber"] == seqs[5]
    after = streams.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                                       SequenceNumber=seqs[5])["ShardIterator"]
    assert streams.get_records(ShardIterator=after, Limit=1)["Records"][0]["dynamodb"]["SequenceNumber"] == seqs[6]
    latest = streams.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="LATEST")["ShardIterator"]
    assert streams.get_records(ShardIterator=latest)["Records"] == []
    ddb.put_item(TableName=name, Item={"pk": S("same"), "v": N(99)})
    assert [r["dynamodb"]["NewImage"]["v"]["N"] for r in streams.get_records(ShardIterator=latest)["Records"]] == ["99"]


def test_stream_errors(ddb, streams):
    name, arn = create(ddb, "KEYS_ONLY")
    ddb.put_item(TableName=name, Item={"pk": S("x")})
    sid = shard_of_records(streams, arn)
    cases = [
        (streams.describe_stream, {"StreamArn": "arn:aws:dynamodb:us-east-1:000000000000:table/%s/stream/2000-01-01T00:00:00.000" % name},
         "ResourceNotFoundException", "Requested resource not found: Stream: arn:aws:dynamodb:us-east-1:000000000000:table/%s/stream/2000-01-01T00:00:00.000 not found" % name),
        (streams.describe_stream, {"StreamArn": "x" * 40}, "ValidationException", "Invalid StreamArn"),
        (streams.describe_stream, {}, "ValidationException",
         "1 validation error detected: Value null at 'streamArn' failed to satisfy constraint: Member must not be null"),
        (streams.get_shard_iterator, {"StreamArn": arn, "ShardId": "shardId-00000000000000000000-00000000",
                                      "ShardIteratorType": "LATEST"},
         "ResourceNotFoundException", "Requested resource not found: Shard: shardId-00000000000000000000-00000000 not found"),
        (streams.get_shard_iterator, {"StreamArn": arn, "ShardId": sid, "ShardIteratorType": "AT_SEQUENCE_NUMBER"},
         "ValidationException", "One or more parameter values were invalid: SequenceNumber must be passed for this iterator type"),
        (streams.get_shard_iterator, {"StreamArn": arn, "ShardId": sid, "ShardIteratorType": "LATEST",
                                      "SequenceNumber": "0" * 21},
         "ValidationException", "One or more parameter values were invalid: SequenceNumber should not be passed for this iterator type"),
        (streams.get_shard_iterator, {"StreamArn": arn, "ShardId": sid, "ShardIteratorType": "AT_SEQUENCE_NUMBER",
                                      "SequenceNumber": "9" * 21},
         "ValidationException", "One or more parameter values were invalid: Invalid SequenceNumber"),
        (streams.get_shard_iterator, {"StreamArn": arn, "ShardId": sid, "ShardIteratorType": "SOMEWHERE"},
         "ValidationException", "1 validation error detected: Value 'SOMEWHERE' at 'shardIteratorType' failed to satisfy "
         "constraint: Member must satisfy enum value set: [TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER]"),
        (streams.get_records, {"ShardIterator": "not an iterator"}, "ValidationException", "Invalid ShardIterator"),
        (streams.get_records, {"ShardIterator": "x", "Limit": 1001}, "ValidationException",
         "1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000"),
        (streams.list_streams, {"ExclusiveStartStreamArn": "y" * 40}, "ValidationException", "Invalid ExclusiveStartStreamArn"),
        (streams.list_streams, {"TableName": "no_such_table"}, "ResourceNotFoundException",
         "Requested resource not found: Table: no_such_table not found"),
    ]
    for call, params, code, msg in cases:
        with pytest.raises(ClientError) as e:
            call(**params)
        assert_client_error(e, code, msg)
    # a forged iterator (another shard's position under this one's signature) is refused
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    head, tail = it.rsplit("|", 1)
    forged = head + "|" + ("A" if tail[0] != "A" else "B") + tail[1:]
    with pytest.raises(ClientError) as e:
        streams.get_records(ShardIterator=forged)
    assert_client_error(e, "ValidationException", "Invalid ShardIterator")
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    assert_client_error(e, "ValidationException", "Table already has an enabled stream: TableName: %s" % name)


def siphash24(key, data):
    """SipHash-2-4 (Aumasson and Bernstein's reference), as ddbd's libsodium crypto_shorthash."""
    mask = (1 << 64) - 1
    rotl = lambda x, b: ((x << b) | (x >> (64 - b))) & mask
    k0, k1 = int.from_bytes(key[:8], "little"), int.from_bytes(key[8:], "little")
    v = [k0 ^ 0x736f6d6570736575, k1 ^ 0x646f72616e646f6d, k0 ^ 0x6c7967656e657261, k1 ^ 0x7465646279746573]

    def rounds(n):
        for _ in range(n):
            v[0] = (v[0] + v[1]) & mask; v[1] = rotl(v[1], 13) ^ v[0]; v[0] = rotl(v[0], 32)
            v[2] = (v[2] + v[3]) & mask; v[3] = rotl(v[3], 16) ^ v[2]
            v[0] = (v[0] + v[3]) & mask; v[3] = rotl(v[3], 21) ^ v[0]
            v[2] = (v[2] + v[1]) & mask; v[1] = rotl(v[1], 17) ^ v[2]; v[2] = rotl(v[2], 32)

    tail = len(data) % 8
    for i in range(0, len(data) - tail, 8):
        m = int.from_bytes(data[i:i + 8], "little")
        v[3] ^= m
        rounds(2)
        v[0] ^= m
    m = int.from_bytes(data[len(data) - tail:] + bytes(7 - tail), "little") | ((len(data) & 0xff) << 56)
    v[3] ^= m
    rounds(2)
    v[0] ^= m
    v[2] ^= 0xff
    rounds(4)
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def test_iterators_are_signed_with_a_secret_not_the_public_partition_key(ddb, streams):
    """Partitions hash under one fixed key since issue 52 (the same scan order everywhere), which is
    in the source; shard iterators are signed with a secret of the directory's own, so one made with
    that public key (here: an iterator kept alive a day past its 15 minutes) is refused."""
    assert siphash24(bytes(range(16)), bytes(range(15))) == 0xa129ca6149be45e5  # the reference's vector
    name, arn = create(ddb, "KEYS_ONLY")
    ddb.put_item(TableName=name, Item={"pk": S("x")})
    sid = shard_of_records(streams, arn)
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    head, tail = it.rsplit("|", 1)
    raw = base64.urlsafe_b64decode(tail + "=" * (-len(tail) % 4))
    assert len(raw) == 36
    payload = raw[:20] + (int.from_bytes(raw[20:28], "big") + 86400000).to_bytes(8, "big")
    mac = siphash24(b"ddbd partitions1", payload).to_bytes(8, "big")
    forged = head + "|" + base64.urlsafe_b64encode(payload + mac).decode().rstrip("=")
    with pytest.raises(ClientError) as e:
        streams.get_records(ShardIterator=forged)
    assert_client_error(e, "ValidationException", "Invalid ShardIterator")
    assert len(streams.get_records(ShardIterator=it)["Records"]) == 1  # the real one reads


def test_disable_reenable_and_delete(ddb, streams):
    name, arn = create(ddb, "NEW_AND_OLD_IMAGES")
    ddb.put_item(TableName=name, Item={"pk": S("k"), "v": N(1)})
    t = ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})["TableDescription"]
    assert "StreamSpecification" not in t and t["LatestStreamArn"] == arn
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    assert_client_error(e, "ValidationException", "Table has no stream to disable: TableName: %s" % name)
    ddb.put_item(TableName=name, Item={"pk": S("k"), "v": N(2)})  # not recorded: the stream is disabled
    d = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert d["StreamStatus"] == "DISABLED"
    assert all("EndingSequenceNumber" in s["SequenceNumberRange"] for s in d["Shards"])
    recs = read_stream(streams, arn)  # readable, and every shard ends (no next iterator once drained)
    assert [r["dynamodb"]["NewImage"]["v"]["N"] for r in recs] == ["1"]
    for sh in d["Shards"]:
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=sh["ShardId"], ShardIteratorType="TRIM_HORIZON")
        assert drain(streams, it["ShardIterator"])[1] is None
    time.sleep(0.002)
    t = ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    arn2 = t["TableDescription"]["LatestStreamArn"]
    assert arn2 != arn and t["TableDescription"]["StreamSpecification"]["StreamViewType"] == "KEYS_ONLY"
    listed = streams.list_streams(TableName=name)["Streams"]
    assert [s["StreamArn"] for s in listed] == [arn2, arn]  # newest first
    page = streams.list_streams(TableName=name, Limit=1)
    assert [s["StreamArn"] for s in page["Streams"]] == [arn2] and page["LastEvaluatedStreamArn"] == arn2
    page = streams.list_streams(TableName=name, Limit=1, ExclusiveStartStreamArn=arn2)
    assert [s["StreamArn"] for s in page["Streams"]] == [arn] and "LastEvaluatedStreamArn" not in page
    ddb.put_item(TableName=name, Item={"pk": S("k"), "v": N(3)})
    ddb.delete_table(TableName=name)
    d = streams.describe_stream(StreamArn=arn2)["StreamDescription"]
    assert d["StreamStatus"] == "DISABLED"  # readable for 24 hours after its table went
    assert [r["eventName"] for r in read_stream(streams, arn2)] == ["MODIFY"]


# ---- the clock: iterator expiry and the 24-hour trim ----

def test_iterators_expire_and_records_are_trimmed(server_factory):
    """On the frozen clock: an iterator serves until its 15 minutes are out, then is refused; a record
    is trimmed 24 hours after it was written, and a disabled stream goes 24 hours after; each step
    answers once the trim it made due has run."""
    server = server_factory(["--in-memory", "--admin", "--clock", "frozen"])
    ddb, streams = make_client(server.endpoint), make_client(server.endpoint, service="dynamodbstreams")
    name, arn = create(ddb, "NEW_IMAGE")
    ddb.put_item(TableName=name, Item={"pk": S("same"), "v": N(1)})
    sid = shard_of_records(streams, arn)
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    first_seq = streams.get_records(ShardIterator=it)["Records"][0]["dynamodb"]["SequenceNumber"]
    advance(server.endpoint, 15 * 60 * 1000 - 1000)               # a second short of 15 minutes: it serves
    assert streams.get_records(ShardIterator=it)["Records"][0]["dynamodb"]["SequenceNumber"] == first_seq
    advance(server.endpoint, 61 * 1000)                           # 16 minutes
    with pytest.raises(ClientError) as e:
        streams.get_records(ShardIterator=it)
    assert_client_error(e, "ExpiredIteratorException", ANY)
    assert e.value.response["Error"]["Message"].startswith("Iterator expired. The iterator was created at time ")
    advance(server.endpoint, (23 * 60 + 30) * 60 * 1000)          # 23 h 46 min after the first record
    ddb.put_item(TableName=name, Item={"pk": S("same"), "v": N(2)})
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    advance(server.endpoint, 14 * 60 * 1000 + 30 * 1000)         # 24 h 0.5 min: the first record is trimmed
    with pytest.raises(ClientError) as e:
        streams.get_records(ShardIterator=it)
    assert_client_error(e, "TrimmedDataAccessException", "The data you are trying to access has been trimmed.")
    with pytest.raises(ClientError) as e:
        streams.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=first_seq)
    assert_client_error(e, "TrimmedDataAccessException", "The data you are trying to access has been trimmed.")
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert [r["dynamodb"]["NewImage"]["v"]["N"] for r in streams.get_records(ShardIterator=it)["Records"]] == ["2"]
    # a disabled stream goes 24 hours after
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    advance(server.endpoint, 23 * 3600 * 1000)                    # 23 hours: still listed
    assert [x["StreamArn"] for x in streams.list_streams(TableName=name)["Streams"]] == [arn]
    advance(server.endpoint, 2 * 3600 * 1000)
    assert streams.list_streams(TableName=name)["Streams"] == []
    with pytest.raises(ClientError) as e:
        streams.describe_stream(StreamArn=arn)
    assert_client_error(e, "ResourceNotFoundException", ANY)


def test_a_shard_the_trim_emptied_numbers_on_after_a_restart(server_factory, tmp_path):
    """The day's trim deletes every record of a quiet shard; after a restart its next record is still
    numbered above them, so a consumer that orders or dedupes by SequenceNumber, or keeps the last
    one as its checkpoint, does not take it for an old one. The shard's floor was kept in memory
    only, and its numbering began at 1 again (found by the model: a global table's replica, whose
    replication goes on from its checkpoint, missed every later write, seed 1142746203)."""
    start = 1700000000000
    args = lambda at: ["--data-dir", str(tmp_path / "data"), "--shards", "1", "--admin", "--clock", "frozen@%d" % at]
    server = server_factory(args(start))
    ddb, streams = make_client(server.endpoint), make_client(server.endpoint, service="dynamodbstreams")
    name, arn = create(ddb, "NEW_IMAGE")
    for v in range(3):
        ddb.put_item(TableName=name, Item={"pk": S("k"), "v": N(v)})
    sid = shard_of_records(streams, arn)
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    checkpoint = drain(streams, it)[0][-1]["dynamodb"]["SequenceNumber"]
    day = 24 * 3600 * 1000 + 5000
    advance(server.endpoint, day)  # answers once the trim it made due has run: the shard is empty
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert drain(streams, it)[0] == []
    server.stop(signal.SIGTERM)
    server = server_factory(args(start + day), port=server.port)
    ddb, streams = make_client(server.endpoint), make_client(server.endpoint, service="dynamodbstreams")
    ddb.put_item(TableName=name, Item={"pk": S("k"), "v": N(3)})
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    after = drain(streams, it)[0]
    assert [r["dynamodb"]["NewImage"]["v"]["N"] for r in after] == ["3"]
    assert int(after[0]["dynamodb"]["SequenceNumber"]) > int(checkpoint), (after[0], checkpoint)


def test_a_childs_older_records_wait_for_their_parents_trim(server_factory, tmp_path):
    """With the clock moved back a child shard's record may be older than its parent's: the trim
    takes a generation's records only once every earlier generation's are gone, so a consumer,
    which reads a parent before its children, never meets an item's later change trimmed and its
    earlier one kept (found by the model: an INSERT, a step back of an hour, a restart with more
    shards, the item put again, a step of a day; seed 6243)."""
    start, back, day = 1700000000000, 3600 * 1000, 24 * 3600 * 1000 + 5000
    args = lambda n, at: ["--data-dir", str(tmp_path / "data"), "--shards", str(n), "--admin",
                          "--clock", "frozen@%d" % at]
    server = server_factory(args(1, start))
    ddb = make_client(server.endpoint)
    name, arn = create(ddb, "NEW_IMAGE")
    ddb.put_item(TableName=name, Item={"pk": S("k"), "v": N(1)})
    assert admin_call(server.endpoint, "POST", "/ddbd/clock", {"set": start - back})[0] == 200
    server.stop(signal.SIGTERM)
    server = server_factory(args(2, start - back), port=server.port)
    ddb, streams = make_client(server.endpoint), make_client(server.endpoint, service="dynamodbstreams")
    ddb.put_item(TableName=name, Item={"pk": S("k"), "v": N(2)})  # in a child shard, an hour older
    advance(server.endpoint, day)  # past the child's record by a day, not the parent's
    assert [r["dynamodb"]["NewImage"]["v"]["N"] for r in read_stream(streams, arn)] == ["1", "2"]
    advance(server.endpoint, back)  # past both: both go, the parent's first
    assert read_stream(streams, arn) == []


# ---- shards: lineage across a --shards change, and a busy table ----

def check_per_item_order(records, keys, versions):
    seen = {}
    for r in records:
        k = r["dynamodb"]["Keys"]["pk"]["S"]
        seen.setdefault(k, []).append(int(r["dynamodb"]["NewImage"]["v"]["N"]))
    assert sorted(seen) == sorted(keys)
    for k in keys:
        assert seen[k] == list(range(versions)), (k, seen[k])


def shard_records(streams, arn, shards):
    """(ShardId, record) of each record of `shards`, each read from TRIM_HORIZON."""
    out = []
    for sh in shards:
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=sh["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records, _ = drain(streams, it)
        out += [(sh["ShardId"], r) for r in records]
    return out


def test_lineage_across_a_shard_count_change(server_factory, tmp_path):
    args = lambda n: ["--data-dir", str(tmp_path / "data"), "--shards", str(n)]
    server = server_factory(args(2))
    ddb = make_client(server.endpoint)
    name, arn = create(ddb, "NEW_IMAGE")
    keys = ["k%03d" % i for i in range(60)]
    for v in range(2):
        for k in keys:
            ddb.put_item(TableName=name, Item={"pk": S(k), "v": N(v)})
    server.stop(signal.SIGTERM)
    server = server_factory(args(4), port=server.port)
    ddb, streams = make_client(server.endpoint), make_client(server.endpoint, service="dynamodbstreams")
    for k in keys:
        ddb.put_item(TableName=name, Item={"pk": S(k), "v": N(2)})
    shards = all_shards(streams, arn)
    old = [s for s in shards if "ParentShardId" not in s]
    new = [s for s in shards if "ParentShardId" in s]
    assert len(old) == 2 and len(new) == 4
    assert all("EndingSequenceNumber" in s["SequenceNumberRange"] for s in old)
    # the first generation numbers each shard's records from 1: the closed shards end at what they
    # hold, 120 in all
    assert sum(int(s["SequenceNumberRange"]["EndingSequenceNumber"]) for s in old) == 2 * len(keys)
    assert all("EndingSequenceNumber" not in s["SequenceNumberRange"] for s in new)
    assert {s["ParentShardId"] for s in new} == {s["ShardId"] for s in old}
    # and the children's numbers start above every parent's (DynamoDB's DescribeStream example: a
    # child starting at 820400000000000001192334 below a parent ending at 20500000000000000910398)
    top = max(int(s["SequenceNumberRange"]["EndingSequenceNumber"]) for s in old)
    assert all(int(s["SequenceNumberRange"]["StartingSequenceNumber"]) > top for s in new), (top, new)
    # ShardFilter is newer than Debian's boto3: raw HTTP
    children = raw_request(server.endpoint, "DynamoDBStreams_20120810.DescribeStream", {
        "StreamArn": arn, "ShardFilter": {"Type": "CHILD_SHARDS", "ShardId": old[0]["ShardId"]}}).json()
    assert sorted(s["ShardId"] for s in children["StreamDescription"]["Shards"]) == \
        sorted(s["ShardId"] for s in new if s["ParentShardId"] == old[0]["ShardId"])
    records = read_stream(streams, arn)
    check_per_item_order(records, keys, 3)
    # so an item's records are in number order across the reshard too (a consumer that orders or
    # dedupes by SequenceNumber)
    numbers = {}
    for r in records:
        numbers.setdefault(r["dynamodb"]["Keys"]["pk"]["S"], []).append(int(r["dynamodb"]["SequenceNumber"]))
    assert all(n == sorted(n) and len(set(n)) == 3 for n in numbers.values()), numbers
    # a child's number names its record (AT_SEQUENCE_NUMBER), one of its parent's is below its range
    child, first = shard_records(streams, arn, new)[0]
    at = streams.get_shard_iterator(StreamArn=arn, ShardId=child, ShardIteratorType="AT_SEQUENCE_NUMBER",
                                    SequenceNumber=first["dynamodb"]["SequenceNumber"])["ShardIterator"]
    assert streams.get_records(ShardIterator=at)["Records"][0]["dynamodb"] == first["dynamodb"]
    with pytest.raises(ClientError) as e:
        streams.get_shard_iterator(StreamArn=arn, ShardId=child, ShardIteratorType="AT_SEQUENCE_NUMBER",
                                   SequenceNumber="%021d" % top)
    assert e.value.response["Error"]["Code"] == "TrimmedDataAccessException"
    # fewer shards later: the stream keeps its layout (shards never merge)
    server.stop(signal.SIGTERM)
    server = server_factory(args(1), port=server.port)
    streams = make_client(server.endpoint, service="dynamodbstreams")
    assert len(all_shards(streams, arn)) == 6


def test_reader_follows_every_shard_of_a_busy_table(ddb, streams):
    name, arn = create(ddb, "NEW_IMAGE")
    writers, per, versions = 8, 10, 6
    keys = ["w%d-%d" % (w, i) for w in range(writers) for i in range(per)]
    stop = threading.Event()
    got = []

    def writer(w):
        client = make_client(ddb.meta.endpoint_url)
        for v in range(versions):
            for i in range(per):
                client.put_item(TableName=name, Item={"pk": S("w%d-%d" % (w, i)), "v": N(v)})

    def reader():
        # one pass after another over every shard, from where the last pass stopped
        client = make_client(ddb.meta.endpoint_url, service="dynamodbstreams")
        iters = {}
        while True:
            final = stop.is_set()
            for sh in all_shards(client, arn):
                sid = sh["ShardId"]
                if sid not in iters:
                    iters[sid] = client.get_shard_iterator(StreamArn=arn, ShardId=sid,
                                                           ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
                records, nxt = drain(client, iters[sid])
                got.extend(records)
                iters[sid] = nxt
            if final:
                return

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
    rd = threading.Thread(target=reader)
    rd.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    rd.join()
    check_per_item_order(got, keys, versions)
