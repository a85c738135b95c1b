"""--memory-budget (engine/history/retention.h): with --in-memory, history kept beyond the tables (stream
records, point-in-time histories, transaction tokens) has a limit per kind; past it the oldest
entries are trimmed, as DynamoDB trims what is older than its window, and /metrics shows each
kind's use and limit. Table data is never trimmed."""
import time

import pytest
from botocore.exceptions import ClientError

from conftest import assert_client_error, free_port, make_client
from test_metrics import scrape
from test_snapshots import restore, snapshot

BUDGET = 400000  # stream records get half: 200,000 bytes
STREAM_LIMIT = BUDGET // 8 * 4
ITEMS = 600
TRIMMED = "The data you are trying to access has been trimmed."
PAD = "x" * 300  # each record holds the new and old images: ~700 bytes


def make_stream_table(ddb, name="budget_t"):
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    return ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]


def write_items(ddb, name, n, version):
    for start in range(0, n, 25):
        ddb.batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": {"pk": {"S": "k%05d" % i}, "v": {"N": str(version)}, "pad": {"S": PAD}}}}
            for i in range(start, min(n, start + 25))]})


def retained(endpoint, kind):
    s = scrape(endpoint)
    return s['ddbd_retained_bytes{kind="%s"}' % kind], s['ddbd_retained_limit_bytes{kind="%s"}' % kind]


def wait_within_limit(endpoint, kind, limit, seconds=10):
    deadline = time.monotonic() + seconds
    while True:
        used, _ = retained(endpoint, kind)
        if used <= limit or time.monotonic() > deadline:
            return used
        time.sleep(0.05)


def read_all(streams, arn, shard_id, iterator_type="TRIM_HORIZON"):
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType=iterator_type)["ShardIterator"]
    records = []
    while it is not None:
        page = streams.get_records(ShardIterator=it, Limit=1000)
        records += page["Records"]
        if not page["Records"]:
            break
        it = page.get("NextShardIterator")
    return records


def test_stream_records_past_the_budget_are_trimmed_oldest_first_and_items_stay(server_factory):
    srv = server_factory(["--in-memory", "--shards", "1", "--memory-budget", str(BUDGET)])
    ddb = make_client(srv.endpoint)
    streams = make_client(srv.endpoint, service="dynamodbstreams")
    arn = make_stream_table(ddb)
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    assert retained(srv.endpoint, "stream_records") == (0, STREAM_LIMIT)
    assert retained(srv.endpoint, "pitr_history")[1] == BUDGET // 8 * 2
    assert retained(srv.endpoint, "kinesis_records")[1] == BUDGET // 8
    assert retained(srv.endpoint, "idempotency_tokens")[1] == BUDGET // 8
    oldest = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    first = streams.get_records(ShardIterator=oldest, Limit=1)  # nothing yet: the iterator stays at the start
    assert first["Records"] == []
    at_start = first["NextShardIterator"]

    write_items(ddb, "budget_t", ITEMS, 1)  # INSERTs
    write_items(ddb, "budget_t", ITEMS, 2)  # MODIFYs: both images; 1,200 records of ~500 bytes in all

    used = wait_within_limit(srv.endpoint, "stream_records", STREAM_LIMIT)
    assert 0 < used <= STREAM_LIMIT
    # the reader left at the first record finds it trimmed, as DynamoDB answers past 24 hours
    with pytest.raises(ClientError) as e:
        streams.get_records(ShardIterator=at_start)
    assert_client_error(e, "TrimmedDataAccessException", TRIMMED)
    # what is left is the newest records, in order, up to the last write
    records = read_all(streams, arn, shard)
    assert 0 < len(records) < 2 * ITEMS
    seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert seqs == sorted(seqs) and int(seqs[0]) > 1
    assert records[-1]["dynamodb"]["NewImage"]["pk"]["S"] == "k%05d" % (ITEMS - 1)
    assert records[-1]["dynamodb"]["NewImage"]["v"]["N"] == "2"
    # and a position below them is trimmed too, also for a new iterator
    with pytest.raises(ClientError) as e:
        streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER",
                                   SequenceNumber="%021d" % (seqs[0] - 1))
    assert_client_error(e, "TrimmedDataAccessException", TRIMMED)
    # the table itself is whole
    assert ddb.scan(TableName="budget_t", Select="COUNT")["Count"] == ITEMS
    item = ddb.get_item(TableName="budget_t", Key={"pk": {"S": "k00000"}}, ConsistentRead=True)["Item"]
    assert item["v"] == {"N": "2"} and item["pad"] == {"S": PAD}
    assert ddb.describe_table(TableName="budget_t")["Table"]["ItemCount"] == ITEMS


def test_a_budget_of_0_keeps_every_record(server_factory):
    srv = server_factory(["--in-memory", "--shards", "1", "--memory-budget", "0"])
    ddb = make_client(srv.endpoint)
    streams = make_client(srv.endpoint, service="dynamodbstreams")
    arn = make_stream_table(ddb)
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    write_items(ddb, "budget_t", ITEMS, 1)
    write_items(ddb, "budget_t", ITEMS, 2)
    used, limit = retained(srv.endpoint, "stream_records")
    assert limit == 0 and used > STREAM_LIMIT
    records = read_all(streams, arn, shard)
    assert len(records) == 2 * ITEMS and records[0]["dynamodb"]["SequenceNumber"].lstrip("0") == "1"


def test_the_oldest_records_go_first_whatever_their_stream(server_factory):
    """A deleted table's stream stays readable for 24 hours, its records counted; past the budget
    they are the oldest of all and go first, the other stream's newest stay."""
    srv = server_factory(["--in-memory", "--shards", "1", "--memory-budget", str(BUDGET)])
    ddb = make_client(srv.endpoint)
    streams = make_client(srv.endpoint, service="dynamodbstreams")
    old_arn = make_stream_table(ddb)
    old_shard = streams.describe_stream(StreamArn=old_arn)["StreamDescription"]["Shards"][0]["ShardId"]
    write_items(ddb, "budget_t", 100, 1)
    used, _ = retained(srv.endpoint, "stream_records")
    assert 100 * 300 < used < 100 * 600
    ddb.delete_table(TableName="budget_t")
    assert len(read_all(streams, old_arn, old_shard)) == 100
    arn = make_stream_table(ddb, "budget_u")
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    write_items(ddb, "budget_u", ITEMS, 1)
    write_items(ddb, "budget_u", ITEMS, 2)
    assert 0 < wait_within_limit(srv.endpoint, "stream_records", STREAM_LIMIT) <= STREAM_LIMIT
    assert read_all(streams, old_arn, old_shard) == []
    newest = read_all(streams, arn, shard)
    assert newest and newest[-1]["dynamodb"]["NewImage"]["v"]["N"] == "2"


def test_a_snapshot_restore_counts_what_the_restored_store_holds(server_factory):
    """The counts are exact: after a snapshot restore they are counted again from the store, and
    come back to what they were when the snapshot was saved."""
    srv = server_factory(["--in-memory", "--shards", "1", "--admin", "--memory-budget", str(BUDGET)])
    ddb = make_client(srv.endpoint)
    make_stream_table(ddb)
    write_items(ddb, "budget_t", 100, 1)
    ddb.transact_write_items(ClientRequestToken="snap-token", TransactItems=[
        {"Put": {"TableName": "budget_t", "Item": {"pk": {"S": "tx"}}}}])
    saved = {k: retained(srv.endpoint, k)[0] for k in ("stream_records", "idempotency_tokens")}
    assert saved["stream_records"] > 0 and saved["idempotency_tokens"] == len("txn/token/snap-token") + 40
    snapshot(srv.endpoint, "s")
    write_items(ddb, "budget_t", 100, 2)
    assert retained(srv.endpoint, "stream_records")[0] > saved["stream_records"]
    restore(srv.endpoint, "s")
    assert {k: retained(srv.endpoint, k)[0] for k in saved} == saved


def test_undelivered_kinesis_records_past_the_budget_are_dropped(server_factory):
    """A Kinesis destination whose endpoint is down keeps its records (ENABLING: DescribeStream is
    retried); past their share of the budget the oldest are dropped, whatever the worker's backoff."""
    srv = server_factory(["--in-memory", "--memory-budget", str(BUDGET),
                          "--kinesis-endpoint", "http://127.0.0.1:%d" % free_port()])
    ddb = make_client(srv.endpoint)
    ddb.create_table(TableName="budget_k", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    got = ddb.enable_kinesis_streaming_destination(
        TableName="budget_k", StreamArn="arn:aws:kinesis:us-east-1:000000000000:stream/budget")
    assert got["DestinationStatus"] == "ENABLING"
    write_items(ddb, "budget_k", 50, 1)
    used, limit = retained(srv.endpoint, "kinesis_records")
    assert limit == BUDGET // 8 and 50 * 300 < used < limit
    time.sleep(1)  # the worker's backoff grows while the endpoint is down
    write_items(ddb, "budget_k", ITEMS, 2)  # 600 records of ~700 bytes: past its 50,000
    assert 0 < wait_within_limit(srv.endpoint, "kinesis_records", limit) <= limit
    assert "dropped undelivered: Kinesis records passed their share of --memory-budget" in srv.stderr_text()
    assert ddb.scan(TableName="budget_k", Select="COUNT")["Count"] == ITEMS


def test_transaction_tokens_past_the_budget_are_trimmed(server_factory):
    """ClientRequestTokens are kept 10 minutes; past their share of the budget the tokens that
    expire first go, and the count stays within the limit."""
    srv = server_factory(["--in-memory", "--memory-budget", "16000"])  # tokens: 2,000 bytes
    ddb = make_client(srv.endpoint)
    ddb.create_table(TableName="budget_tx", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    for i in range(60):  # ~86 bytes each: 5,000 bytes
        ddb.transact_write_items(ClientRequestToken="token-%04d" % i, TransactItems=[
            {"Put": {"TableName": "budget_tx", "Item": {"pk": {"S": "t%d" % i}}}}])
    assert 0 < wait_within_limit(srv.endpoint, "idempotency_tokens", 2000) <= 2000
    # the newest token is still remembered: its replay succeeds without applying twice
    ddb.delete_item(TableName="budget_tx", Key={"pk": {"S": "t59"}})
    ddb.transact_write_items(ClientRequestToken="token-0059", TransactItems=[
        {"Put": {"TableName": "budget_tx", "Item": {"pk": {"S": "t59"}}}}])
    assert "Item" not in ddb.get_item(TableName="budget_tx", Key={"pk": {"S": "t59"}}, ConsistentRead=True)
    assert ddb.scan(TableName="budget_tx", Select="COUNT")["Count"] == 59


def test_pitr_history_past_the_budget_is_folded_into_the_base(server_factory):
    """A point-in-time history past its share: its oldest records are folded into the base, so
    EarliestRestorableDateTime moves up, and a restore to the latest time still gives every item."""
    srv = server_factory(["--in-memory", "--shards", "1", "--memory-budget", str(BUDGET)])
    limit = BUDGET // 8 * 2
    ddb = make_client(srv.endpoint)
    ddb.create_table(TableName="budget_p", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    write_items(ddb, "budget_p", ITEMS, 0)
    p = ddb.update_continuous_backups(TableName="budget_p", PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    start = p["EarliestRestorableDateTime"]
    time.sleep(0.01)
    write_items(ddb, "budget_p", ITEMS, 1)  # 1,200 records of ~340 bytes: past its 100,000
    write_items(ddb, "budget_p", ITEMS, 2)
    assert 0 < wait_within_limit(srv.endpoint, "pitr_history", limit) <= limit
    p = ddb.describe_continuous_backups(TableName="budget_p")["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"]
    assert p["EarliestRestorableDateTime"] > start
    ddb.restore_table_to_point_in_time(SourceTableName="budget_p", TargetTableName="budget_r",
                                       UseLatestRestorableTime=True)
    deadline = time.monotonic() + 30
    while ddb.describe_table(TableName="budget_r")["Table"]["TableStatus"] != "ACTIVE":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    restored, page = {}, {"TableName": "budget_r", "ConsistentRead": True}
    while True:
        r = ddb.scan(**page)
        restored.update({i["pk"]["S"]: i["v"]["N"] for i in r["Items"]})
        if "LastEvaluatedKey" not in r:
            break
        page["ExclusiveStartKey"] = r["LastEvaluatedKey"]
    assert len(restored) == ITEMS and set(restored.values()) == {"2"}
    # disabling recovery drops the history (a purge in the background): its count goes with it
    ddb.update_continuous_backups(TableName="budget_p", PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": False})
    assert wait_within_limit(srv.endpoint, "pitr_history", 0) == 0
