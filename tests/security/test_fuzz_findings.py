"""What the shape-aware fuzzer (tests/js/shape_fuzz.mjs, issue 49) found outside the areas other
changes of issue 49 fix, each as the minimal request that once stopped the server or answered wrong.

- POST /ddbd/clock {"offset": 9223372036854775807} (or "advance"/"set" past it, or a 38-digit number,
  which strtoll clamps to the same): the next reading of the clock overflowed a signed 64-bit sum
  (server/base/clock.c), which the sanitizer build stops on. The admin API now refuses a clock
  before the epoch or past the end of year 9999, the clock left as it was.
- DescribeStream {"StreamArn": ..., "Limit": null}: a null Limit read as 0, then a NULL
  LastEvaluatedShardId written (server/ops/ops_streams.c); ListStreams and GetRecords answered an
  empty page. A null Limit is now no Limit, as DynamoDB reads any null member.
"""
import json
import time

import pytest

from conftest import DdbdServer, raw_request

CLOCK_MAX_MS = 253402300799999
REFUSED = {"message": "the clock must stay between the epoch and the end of year 9999 "
                      "(0 to 253402300799999 ms since the epoch)"}


@pytest.fixture(scope="module")
def admin_server():
    srv = DdbdServer(args=("--in-memory", "--admin")).start()
    yield srv
    srv.stop()


def clock(srv, body=None):
    r = raw_request(srv.endpoint, body=json.dumps(body) if isinstance(body, dict) else (body or b""),
                    method="POST" if body is not None else "GET", path="/ddbd/clock",
                    content_type="application/json", sign=False)
    return r.status, r.json()


@pytest.mark.parametrize("body", [
    '{"offset": 9223372036854775807}',
    '{"offset": 9223372036854775808}',
    '{"offset": 12345678901234567890123456789012345678}',
    '{"offset": -9223372036854775808}',
    '{"advance": 9223372036854775807}',
    '{"advance": -9223372036854775807}',
    '{"set": 9223372036854775807}',
    '{"set": -1}',
    '{"set": %d}' % (CLOCK_MAX_MS + 1),
])
def test_a_clock_past_its_range_is_refused_and_the_server_keeps_serving(admin_server, body):
    status, got = clock(admin_server, body.encode())
    assert (status, got) == (400, REFUSED)
    assert admin_server.proc.poll() is None, admin_server.stderr_text()[-2000:]
    status, now = clock(admin_server)
    assert status == 200 and now["offset"] == 0
    r = raw_request(admin_server.endpoint, "ListTables", {})
    assert r.status == 200
    assert "runtime error" not in admin_server.stderr_text()


def test_the_clock_moves_to_the_end_of_its_range_and_back(admin_server):
    status, got = clock(admin_server, {"set": CLOCK_MAX_MS})
    assert status == 200 and CLOCK_MAX_MS - 1000 <= got["now"] <= CLOCK_MAX_MS + 1000  # (it runs on)
    status, got = clock(admin_server, {"advance": 1000})
    assert (status, got) == (400, REFUSED)
    r = raw_request(admin_server.endpoint, "ListTables", {})
    assert r.status == 200
    status, got = clock(admin_server, {"offset": 0})
    assert status == 200 and got["offset"] == 0


# ---- DescribeStream {"Limit": null} ----
# A null member is an absent one (the AWS JSON protocol's deserializer, dynalite's `== null`), but the
# Streams operations read Limit as present: DescribeStream took a limit of 0 and wrote a NULL
# LastEvaluatedShardId (ops_streams.c), which the sanitizer build stops on; ListStreams and GetRecords
# answered an empty page.

@pytest.fixture(scope="module")
def stream_server():
    srv = DdbdServer().start()
    raw_request(srv.endpoint, "CreateTable", {
        "TableName": "fuzz_stream", "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}})
    raw_request(srv.endpoint, "PutItem", {"TableName": "fuzz_stream", "Item": {"pk": {"S": "a"}}})
    yield srv
    srv.stop()


def streams_call(srv, op, body):
    r = raw_request(srv.endpoint, "DynamoDBStreams_20120810." + op, body)
    return r.status, r.json()


def test_describe_stream_with_a_null_limit_answers_as_without_one(stream_server):
    arn = raw_request(stream_server.endpoint, "DescribeTable", {"TableName": "fuzz_stream"}).json()["Table"]["LatestStreamArn"]
    want = streams_call(stream_server, "DescribeStream", {"StreamArn": arn})
    assert want[0] == 200 and len(want[1]["StreamDescription"]["Shards"]) >= 1
    assert streams_call(stream_server, "DescribeStream", {"StreamArn": arn, "Limit": None}) == want
    # the same member twice, the last one null: the last one counts
    r = raw_request(stream_server.endpoint, "DynamoDBStreams_20120810.DescribeStream",
                    '{"StreamArn":"%s","Limit":1,"Limit":null}' % arn)
    assert (r.status, r.json()) == want
    assert stream_server.proc.poll() is None, stream_server.stderr_text()[-2000:]


def test_list_streams_and_get_records_with_a_null_limit_answer_as_without_one(stream_server):
    assert (streams_call(stream_server, "ListStreams", {"TableName": "fuzz_stream", "Limit": None})
            == streams_call(stream_server, "ListStreams", {"TableName": "fuzz_stream"}))
    arn = raw_request(stream_server.endpoint, "DescribeTable", {"TableName": "fuzz_stream"}).json()["Table"]["LatestStreamArn"]
    shards = [sh["ShardId"] for sh in
              streams_call(stream_server, "DescribeStream", {"StreamArn": arn})[1]["StreamDescription"]["Shards"]]

    def records(extra):  # every shard's, from its start (the item is in one of them)
        out = []
        for shard in shards:
            it = streams_call(stream_server, "GetShardIterator", {"StreamArn": arn, "ShardId": shard,
                                                                  "ShardIteratorType": "TRIM_HORIZON"})[1]["ShardIterator"]
            status, got = streams_call(stream_server, "GetRecords", dict({"ShardIterator": it}, **extra))
            assert status == 200, got
            out += [rec["dynamodb"]["Keys"] for rec in got.get("Records", [])]
        return out
    for _ in range(100):  # (the record is readable once its write is published)
        if records({}):
            break
        time.sleep(0.05)
    assert records({"Limit": None}) == records({}) == [{"pk": {"S": "a"}}]
    assert "runtime error" not in stream_server.stderr_text()
