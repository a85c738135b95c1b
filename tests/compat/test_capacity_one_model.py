"""One capacity model (issue 75): what --enforce-capacity refuses is what the hot-partition report
(GET /ddbd/usage "hotPartitions", docs/usage.md) says production would have throttled, request for
request, because both ask the one token bucket (engine/capacity/bucket.h). Before, the throttle and
the report each ran a simulation of their own, and they disagreed at the boundaries pinned here:

- a partition's second: the report counted a key's units per calendar second and forgot the
  second before, the throttle's bucket refills continuously (DynamoDB's token bucket, one second
  of burst): 1,000 units at 12:00:00.5 and 1,000 more at 12:00:01.0 leave half a second's refill,
  5 of the last 10 puts are refused, and the report said none would be;
- the last unit: the throttle lets a request in while its bucket holds one unit and takes what
  it consumed afterwards (a bucket may go below zero), the report counted a request that took the
  bucket below zero as throttled: a 10 WCU table's fourth 3-unit write is let in by one and was
  reported by the other;
- a clock moved back: the report gave a provisioned table 300 seconds of burst when the server's
  clock was stepped back, the throttle's buckets stand as they stood (issue 72).

Each case runs the same boto3 requests, at the same moments of the frozen clock, on a server with
--enforce-capacity and one without, and compares the requests refused by the one with the
requests the other's report counts, and their reasons.
"""
import json

import pytest
from botocore.exceptions import ClientError

from conftest import make_client, unique_name
from helpers import admin_call

FROZEN_AT = 1893456000000  # 2030-01-01T00:00:00Z: every table is created at this moment


def pad(units):
    """A value that makes {"pk": <3 chars>, "v": pad} `units` write units (1 KB each)."""
    return "x" * (units * 1024 - 6)


def table(c, **capacity):
    name = unique_name("one")
    c.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   **(capacity or {"BillingMode": "PAY_PER_REQUEST"}))
    return name


def report_of(endpoint, name):
    """The report's would-be-throttled requests of `name`, by reason."""
    status, usage = admin_call(endpoint, "GET", "/ddbd/usage")
    assert status == 200, usage
    counts = {}
    for t in usage["hotPartitions"]["tables"]:
        for r in t["throttled"] if t["table"] == name else ():
            counts[r["reason"]] = counts.get(r["reason"], 0) + r["requests"]
    return counts


def run(server, capacity, steps):
    """Sends `steps` ((ms after FROZEN_AT, partition key, write units), ...) as PutItems: the
    indexes of the requests refused (enforcing) or reported (observing), with their reasons."""
    c = make_client(server.endpoint)  # no retries: each request once
    name = table(c, **capacity)
    bodies = []  # boto3 parses no ThrottlingReasons: the answer as sent
    c.meta.events.register("needs-retry.dynamodb.PutItem",
                           lambda response=None, **_: bodies.append(json.loads(response[0].content or b"{}")))
    enforcing = "--enforce-capacity" in server.argv
    seen, before = [], {}
    for i, (ms, pk, units) in enumerate(steps):
        assert admin_call(server.endpoint, "POST", "/ddbd/clock", {"set": FROZEN_AT + ms})[0] == 200
        try:
            c.put_item(TableName=name, Item={"pk": {"S": pk}, "v": {"S": pad(units)}})
        except ClientError as e:
            assert enforcing, e.response
            sent = bodies[-1]
            seen.append((i, (sent.get("ThrottlingReasons") or sent["throttlingReasons"])[0]["reason"]))
        if not enforcing:
            now = report_of(server.endpoint, name)
            seen += [(i, r) for r in sorted(now) if now[r] > before.get(r, 0)]
            before = now
    return seen


@pytest.fixture
def servers(server_factory):
    base = ("--in-memory", "--admin", "--clock", "frozen@%d" % FROZEN_AT)
    return server_factory(base + ("--enforce-capacity",)), server_factory(base)


def both(servers, capacity, steps):
    refused, reported = (run(s, capacity, steps) for s in servers)
    assert refused == reported
    return refused


def test_a_partitions_bucket_carries_over_the_second(servers):
    steps = [(500, "hot", 100)] * 10 + [(1000, "hot", 100)] * 10
    assert both(servers, {}, steps) == [(i, "TableWriteKeyRangeThroughputExceeded") for i in range(15, 20)]


def test_a_request_is_let_in_while_its_table_holds_a_unit(servers):
    provisioned = {"ProvisionedThroughput": {"ReadCapacityUnits": 10, "WriteCapacityUnits": 10}}
    steps = [(0, "k%02d" % i, 3) for i in range(6)]  # 10 units held: 7, 4, 1, then -2 and none
    assert both(servers, provisioned, steps) == [(4, "TableWriteProvisionedThroughputExceeded"),
                                                 (5, "TableWriteProvisionedThroughputExceeded")]


def test_a_clock_moved_back_fills_no_bucket(servers):
    provisioned = {"ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}
    steps = [(0, "a01", 1), (-5000, "a02", 1), (-5000, "a03", 1), (-4500, "a04", 1), (-4000, "a05", 1)]
    # its first second's unit, then nothing until the clock has run a second again (half a
    # second: half a unit)
    assert both(servers, provisioned, steps) == [(1, "TableWriteProvisionedThroughputExceeded"),
                                                 (2, "TableWriteProvisionedThroughputExceeded"),
                                                 (3, "TableWriteProvisionedThroughputExceeded")]
