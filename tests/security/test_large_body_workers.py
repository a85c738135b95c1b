"""A long parse does not hold the other connections of its loop (issue 73, item 1; docs/security.md,
"Connections and request bodies").

Each body below is 15-52 KB gzipped and 11-17 MB inflated. Built within the request's bounds, it
still cost its loop the reading of the whole body: 0.07-0.16 s on an idle machine, 0.4-0.8 s on a
loaded one, while every other connection of that loop waited (a GetItem sent meanwhile waited as
long). Now a body of 1 MiB or more, as sent or inflated, is inflated, parsed and run on a
large-body worker (one per loop), and its loop answers the others meanwhile. Each case checks the
exact answer, that the request ran on a worker (ddbd_large_body_requests_total), that the peak RSS
grows less than 20 MB above the idle server's, and that a GetItem on the same single loop is
answered while the large bodies are being read.
"""
import gzip
import re
import threading

import pytest

from conftest import make_client, numbers_list, proc_status_kb, raw_request, rss_within, timing_holds
from helpers import make_table

VALIDATION = "com.amazon.coral.validate#ValidationException"
SERIALIZATION = {"__type": "com.amazon.coral.service#SerializationException"}
TABLE = "large_bodies"
GET = '{"Get":{"TableName":"%s","Key":{"pk":{"S":"k"}}}}' % TABLE


def small_answer(server, op, body):
    r = raw_request(server.endpoint, op, body)
    assert r.status == 400, r.body[:300]
    return VALIDATION, r.json()["message"]


# (name, operation, large body, the answer or a small body of the same fault whose answer it gets)
BODIES = [
    ("expression-value-of-1.3M-numbers", "DeleteItem",
     '{"TableName":"%s","Key":{"pk":{"S":"k"}},"ConditionExpression":"a = :v","ExpressionAttributeValues":{":v":%s}}'
     % (TABLE, numbers_list(1300000)), (VALIDATION, "Item size has exceeded the maximum allowed size")),
    ("transact-get-items-of-250000", "TransactGetItems", '{"TransactItems":[%s]}' % ",".join([GET] * 250000),
     '{"TransactItems":[%s]}' % ",".join([GET] * 101)),
    ("batch-get-item-of-700000-keys", "BatchGetItem",
     '{"RequestItems":{"%s":{"Keys":[%s]}}}' % (TABLE, ",".join(['{"pk":{"S":"k"}}'] * 700000)),
     (VALIDATION, "1 validation error detected: Value at 'RequestItems.%s.member.Keys' failed to satisfy constraint: "
      "Member must have length less than or equal to 100" % TABLE)),
    # an unknown member is read and dropped, as DynamoDB's deserializer drops it: the GetItem is answered
    ("unknown-member-of-15-MB", "GetItem",
     '{"TableName":"%s","Key":{"pk":{"S":"k"}},"X":[%s]}' % (TABLE, ",".join(["1"] * 7500000)), None),
]


def server_with_table(server_factory):
    server = server_factory(["--in-memory", "--threads", "1"])
    ddb = make_client(server.endpoint)
    make_table(ddb, TABLE)
    ddb.put_item(TableName=TABLE, Item={"pk": {"S": "k"}, "v": {"N": "7"}})
    return server, ddb


def large_runs(server):
    """ddbd_large_body_requests_total, or None where ddbd has no such workers."""
    r = raw_request(server.endpoint, body=b"", method="GET", path="/metrics", content_type=None)
    m = re.search(r"^ddbd_large_body_requests_total (\d+)$", r.body.decode(), re.M)
    return int(m.group(1)) if m else None


def send(server, op, compressed):
    return raw_request(server.endpoint, op, compressed, headers={"Content-Encoding": "gzip"})


@pytest.mark.timing
@pytest.mark.parametrize("name,op,body,expect", BODIES, ids=[b[0] for b in BODIES])
def test_a_large_body_is_read_on_a_worker_its_loop_free(server_factory, name, op, body, expect):
    server, ddb = server_with_table(server_factory)
    if isinstance(expect, str):
        expect = small_answer(server, op, expect)
    compressed = gzip.compress(body.encode(), 9)
    assert len(compressed) < 64 * 1024
    idle = proc_status_kb(server.proc.pid, "VmHWM")
    r = send(server, op, compressed)
    grew = (proc_status_kb(server.proc.pid, "VmHWM") - idle) / 1024.0
    if expect is None:
        assert r.status == 200 and r.json() == {"Item": {"pk": {"S": "k"}, "v": {"N": "7"}}}, r.body[:300]
    else:
        assert r.status == 400 and (r.json()["__type"], r.json()["message"]) == expect, r.body[:300]
    assert large_runs(server) == 1
    assert rss_within(grew, 20), "the peak RSS grew %.1f MB above the idle server's" % grew

    # four such bodies at once on the single loop: its worker reads them one after the other while
    # the loop answers a GetItem (before, the GetItem waited behind whichever the loop had taken)
    answers, probe = [], {}

    def hostile():
        answers.append(send(server, op, compressed))

    senders = [threading.Thread(target=hostile) for _ in range(4)]
    for t in senders:
        t.start()
    while large_runs(server) < 2:  # (a metrics call the loop answers: the first is on the worker)
        pass
    probe["item"] = ddb.get_item(TableName=TABLE, Key={"pk": {"S": "k"}}).get("Item")
    probe["before"] = len(answers)
    for t in senders:
        t.join(120)
    assert probe["item"] == {"pk": {"S": "k"}, "v": {"N": "7"}}
    assert timing_holds(probe["before"] < 4), "the GetItem was answered after the four large bodies"
    assert [a.status for a in answers] == [r.status] * 4 and all(a.body == r.body for a in answers)
    assert large_runs(server) == 5


def test_a_malformed_tail_past_a_bound_is_still_a_serialization_exception(server_factory):
    # the worker reads the whole body as the loop did: a fault after 700,000 keys (past Keys' bound
    # of 100) is the body's, as DynamoDB, which reads a body whole before validating it, answers it
    server, _ = server_with_table(server_factory)
    body = '{"RequestItems":{"%s":{"Keys":[%s,}}}' % (TABLE, ",".join(['{"pk":{"S":"k"}}'] * 700000))
    r = send(server, "BatchGetItem", gzip.compress(body.encode(), 9))
    assert r.status == 400 and r.json() == SERIALIZATION, r.body[:300]
    r = send(server, "BatchGetItem", gzip.compress(body.replace(",}}}", "]}}}").encode(), 9))
    assert r.status == 400 and r.json()["message"].endswith("Member must have length less than or equal to 100")
    # a broken gzip stream past the first MiB: DynamoDB's 500, as for any broken body
    broken = bytearray(gzip.compress(body.encode(), 9))
    broken[len(broken) // 2] ^= 0xFF
    r = send(server, "BatchGetItem", bytes(broken))
    assert r.status == 500 and r.json() == {"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError",
                                            "message": "Internal server error"}, r.body[:300]
    assert large_runs(server) == 3


def test_a_large_plain_write_is_run_on_the_worker_and_applied(server_factory):
    # a 1.1 MB BatchWriteItem as sent (25 items of 45 KB), written from the worker's thread
    server, ddb = server_with_table(server_factory)
    items = [{"pk": {"S": "w%d" % i}, "pad": {"S": chr(97 + i) * 45000}} for i in range(25)]
    r = raw_request(server.endpoint, "BatchWriteItem",
                    {"RequestItems": {TABLE: [{"PutRequest": {"Item": item}} for item in items]}})
    assert r.status == 200 and r.json() == {"UnprocessedItems": {}}, r.body[:300]
    assert large_runs(server) == 1
    for item in (items[0], items[24]):
        assert ddb.get_item(TableName=TABLE, Key={"pk": item["pk"]}, ConsistentRead=True)["Item"] == item
    # a smaller body stays on its loop
    ddb.put_item(TableName=TABLE, Item={"pk": {"S": "small"}, "pad": {"S": "x" * 300000}})
    assert large_runs(server) == 1

