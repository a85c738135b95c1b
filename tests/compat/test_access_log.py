"""--access-log FILE|-: one JSON line per API request (time, request id, operation, table, status,
error type, latency, consumed capacity), off by default, written in whole lines."""
import json
import os
import threading
import time

import pytest
from botocore.exceptions import ClientError

from conftest import make_client, raw_request

FIELDS = ["time", "requestId", "traceId", "operation", "table", "status", "errorType", "latencyMs", "readUnits",
          "writeUnits"]


def read_lines(path, want, timeout=5.0):
    """The log's lines once it holds `want` of them (lines are written when the server idles)."""
    deadline = time.monotonic() + timeout
    while True:
        text = open(path).read() if os.path.exists(path) else ""
        lines = text.splitlines()
        if len(lines) >= want or time.monotonic() > deadline:
            assert text == "" or text.endswith("\n")
            return [json.loads(line) for line in lines]
        time.sleep(0.02)


def create(ddb, name):
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])


def test_access_log_one_line_per_request_with_every_field(server_factory, tmp_path):
    path = str(tmp_path / "access.log")
    srv = server_factory(["--in-memory", "--access-log", path])
    ddb = make_client(srv.endpoint)
    ids = []

    def rid(resp):
        ids.append(resp["ResponseMetadata"]["RequestId"])
        return resp

    rid(ddb.create_table(TableName="al_a", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}]))
    rid(ddb.create_table(TableName="al_b", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}]))
    rid(ddb.put_item(TableName="al_a", Item={"pk": {"S": "1"}, "v": {"S": "x" * 1500}}))
    rid(ddb.get_item(TableName="al_a", Key={"pk": {"S": "1"}}))
    with pytest.raises(ClientError) as e:
        ddb.get_item(TableName="al_missing", Key={"pk": {"S": "1"}})
    ids.append(e.value.response["ResponseMetadata"]["RequestId"])
    rid(ddb.batch_write_item(RequestItems={"al_b": [{"PutRequest": {"Item": {"pk": {"S": "b"}}}}],
                                           "al_a": [{"PutRequest": {"Item": {"pk": {"S": "a"}}}}]}))
    rid(ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": "al_a", "Item": {"pk": {"S": "t"}}}},
        {"Put": {"TableName": "al_b", "Item": {"pk": {"S": "t"}}}},
        {"Put": {"TableName": "al_a", "Item": {"pk": {"S": "u"}}}}]))
    rid(ddb.list_tables())
    resp = raw_request(srv.endpoint, "NoSuchOperation", {})
    ids.append(resp.headers["x-amzn-requestid"])
    lines = read_lines(path, len(ids))
    assert len(lines) == len(ids)
    # each HTTP thread buffers its own lines, so requests that came over different connections
    # (raw_request's) may be written in either order: put the lines in request order by their ids
    assert sorted(l["requestId"] for l in lines) == sorted(ids)
    lines.sort(key=lambda l: ids.index(l["requestId"]))
    for line in lines:
        assert list(line) == FIELDS
        assert line["traceId"] is None  # no trace header and no --otlp-endpoint: untraced
        assert line["time"].endswith("Z") and len(line["time"]) == 24
        assert isinstance(line["latencyMs"], (int, float)) and line["latencyMs"] >= 0
    ops = [(l["operation"], l["table"], l["status"], l["errorType"]) for l in lines]
    assert ops == [("CreateTable", "al_a", 200, None), ("CreateTable", "al_b", 200, None),
                   ("PutItem", "al_a", 200, None), ("GetItem", "al_a", 200, None),
                   ("GetItem", "al_missing", 400, "ResourceNotFoundException"),
                   ("BatchWriteItem", "al_b,al_a", 200, None), ("TransactWriteItems", "al_a,al_b", 200, None),
                   ("ListTables", None, 200, None), (None, None, 400, "UnknownOperationException")]
    units = [(l["readUnits"], l["writeUnits"]) for l in lines]
    assert units[2] == (0, 2)      # 1.5 KB: two write units
    assert units[3] == (0.5, 0)    # eventually consistent read of 1.5 KB
    assert units[4] == (0, 0)      # failed: nothing consumed
    assert units[5] == (0, 2)
    assert units[6] == (0, 6)      # a transaction's writes count double
    assert len(set(l["requestId"] for l in lines)) == len(lines)


def test_access_log_to_stdout_whole_lines_under_concurrency(server_factory):
    srv = server_factory(["--in-memory", "--threads", "2", "--access-log", "-"])
    ddb = make_client(srv.endpoint)
    create(ddb, "al_c")
    n_threads, per_thread = 4, 150

    def work(k):
        c = make_client(srv.endpoint)
        for i in range(per_thread):
            c.put_item(TableName="al_c", Item={"pk": {"S": "%d-%d" % (k, i)}, "pad": {"S": "p" * (i % 300)}})

    threads = [threading.Thread(target=work, args=(k,)) for k in range(n_threads)]
    for t in threads:
        t.start()
    seen = 0
    while any(t.is_alive() for t in threads):   # read while the server writes: the file stays whole
        seen = max(seen, len(srv.stdout_text().splitlines()))
    for t in threads:
        t.join()
    assert seen > 0
    want = 1 + n_threads * per_thread
    deadline = time.monotonic() + 5
    while len(srv.stdout_text().splitlines()) < want and time.monotonic() < deadline:
        time.sleep(0.02)
    lines = [json.loads(l) for l in srv.stdout_text().splitlines()]  # each line whole JSON
    assert len(lines) == want
    assert sum(1 for l in lines if l["operation"] == "PutItem" and l["status"] == 200) == n_threads * per_thread


def test_access_log_off_by_default(server_factory):
    srv = server_factory(["--in-memory"])
    ddb = make_client(srv.endpoint)
    ddb.list_tables()
    time.sleep(0.2)
    assert srv.stdout_text() == ""


def test_access_log_unwritable_path_refuses_to_start(tmp_path):
    import subprocess
    from conftest import DDBD_BIN
    bad = str(tmp_path / "no" / "such" / "dir" / "access.log")
    proc = subprocess.run([DDBD_BIN, "--in-memory", "--port", "0", "--access-log", bad],
                          capture_output=True, timeout=10)
    assert proc.returncode != 0
    assert b"--access-log" in proc.stderr and bad.encode() in proc.stderr


def test_a_failed_condition_is_charged_alike_in_the_log_and_metrics(server_factory, tmp_path):
    """DynamoDB charges a write whose condition failed (the developer guide: "If a
    ConditionExpression evaluates to false during a conditional write, DynamoDB still consumes
    write capacity from the table"): the larger of the existing item and the one the write would
    have made, at least one unit. /metrics charged it; the access log (and the trace span, which
    takes the same figure) said writeUnits 0."""
    from test_metrics import scrape
    path = str(tmp_path / "access.log")
    srv = server_factory(["--in-memory", "--access-log", path])
    ddb = make_client(srv.endpoint)
    create(ddb, "al_cond")
    ddb.put_item(TableName="al_cond", Item={"pk": {"S": "big"}, "v": {"S": "x" * 2500}})   # 3 units
    calls = [
        lambda: ddb.put_item(TableName="al_cond", Item={"pk": {"S": "big"}},
                             ConditionExpression="attribute_not_exists(pk)"),              # 3 (old item)
        lambda: ddb.update_item(TableName="al_cond", Key={"pk": {"S": "none"}}, UpdateExpression="SET a = :a",
                                ExpressionAttributeValues={":a": {"S": "1"}},
                                ConditionExpression="attribute_exists(pk)"),               # 1 (no item)
        lambda: ddb.delete_item(TableName="al_cond", Key={"pk": {"S": "big"}},
                                ConditionExpression="attribute_not_exists(pk)"),           # 3
    ]
    for call in calls:
        with pytest.raises(ClientError) as e:
            call()
        assert e.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    lines = read_lines(path, 5)
    failed = [(l["operation"], l["status"], l["writeUnits"]) for l in lines[2:]]
    assert failed == [("PutItem", 400, 3), ("UpdateItem", 400, 1), ("DeleteItem", 400, 3)]
    s = scrape(srv.endpoint)
    assert s['ddbd_consumed_capacity_units_total{table="al_cond",kind="write"}'] == 3 + sum(w for _, _, w in failed)


def test_a_failed_condition_is_charged_the_item_it_would_have_written(server_factory, tmp_path):
    """The developer guide's write capacity: a refused write is charged "the size of the item. This
    item can be an existing item in the table or a new one you're attempting to create or update"
    (its example: 300 KB existing, 310 KB new, charged 310). A PutItem or UpdateItem refused on a
    missing key was charged 1 unit whatever it would have written."""
    path = str(tmp_path / "access.log")
    srv = server_factory(["--in-memory", "--access-log", path])
    ddb = make_client(srv.endpoint)
    create(ddb, "al_new")
    ddb.put_item(TableName="al_new", Item={"pk": {"S": "small"}})                             # 1 unit
    big = {"S": "x" * 2500}  # with its name and the key: 3 units
    calls = [
        lambda: ddb.put_item(TableName="al_new", Item={"pk": {"S": "none"}, "v": big},
                             ConditionExpression="attribute_exists(pk)"),                  # 3 (new item)
        lambda: ddb.put_item(TableName="al_new", Item={"pk": {"S": "small"}, "v": big},
                             ConditionExpression="attribute_not_exists(pk)"),              # 3 (new > old)
        lambda: ddb.update_item(TableName="al_new", Key={"pk": {"S": "none"}}, UpdateExpression="SET v = :v",
                                ExpressionAttributeValues={":v": big},
                                ConditionExpression="attribute_exists(pk)"),               # 3 (would make)
        lambda: ddb.delete_item(TableName="al_new", Key={"pk": {"S": "none"}},
                                ConditionExpression="attribute_exists(pk)"),               # 1 (nothing)
    ]
    for call in calls:
        with pytest.raises(ClientError) as e:
            call()
        assert e.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    lines = read_lines(path, 6)
    assert [(l["operation"], l["writeUnits"]) for l in lines[2:]] == [
        ("PutItem", 3), ("PutItem", 3), ("UpdateItem", 3), ("DeleteItem", 1)]
