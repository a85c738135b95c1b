"""Capacity is charged once, for every request (issue 53, section 1): every operation of the
operation table (proto/ops.def, read here) is either one that consumes capacity, called here with
ReturnConsumedCapacity, or named as one that does not. A consuming one is charged exactly what it
answered: the access log's readUnits + writeUnits and the table's ddbd_consumed_capacity_units_total
in /metrics move by the CapacityUnits its ConsumedCapacity reports; SearchVectors' by its
VectorSearchRequestBytes, in ddbd_vector_request_bytes_total (SearchVectors charged nothing before).
A new operation fails here until it is put in one list or the other."""
import json
import os
import re
import time
import urllib.request

import pytest

from conftest import raw_request, unique_name

OPS_DEF = os.path.join(os.path.dirname(__file__), "..", "..", "proto", "ops.def")
ROW_RE = re.compile(r'^X\((\w+),\s*\w+,\s*(\w+),\s*(\w+)', re.M)

# What DynamoDB charges nothing for (control plane, streams' shard reads, ddbd's bulk jobs, whose
# writes are the background import's): no ConsumedCapacity in their answers.
NOT_CONSUMING = set("""
CreateTable DeleteTable DescribeTable ListTables UpdateTable DescribeEndpoints DescribeLimits
DescribeContinuousBackups UpdateContinuousBackups DescribeTableReplicaAutoScaling
DescribeKinesisStreamingDestination DescribeContributorInsights ListStreams DescribeStream
GetShardIterator GetRecords UpdateTimeToLive DescribeTimeToLive TagResource UntagResource
ListTagsOfResource CreateBackup DescribeBackup ListBackups DeleteBackup RestoreTableFromBackup
ExportTableToPointInTime DescribeExport ListExports ImportTable DescribeImport ListImports
RestoreTableToPointInTime ListContributorInsights CreateGlobalTable DeleteResourcePolicy
DescribeGlobalTable DescribeGlobalTableSettings GetResourcePolicy ListGlobalTables PutResourcePolicy
UpdateGlobalTable UpdateGlobalTableSettings UpdateTableReplicaAutoScaling
EnableKinesisStreamingDestination DisableKinesisStreamingDestination UpdateKinesisStreamingDestination
UpdateContributorInsights StartBulkPutItems DescribeBulkOperation ListBulkOperations CancelBulkOperation
""".split())

DIMS = 3


def key(pk):
    return {"pk": {"S": pk}}


def consuming(t, v):
    """The request of each operation that consumes capacity, on table t (and v, with a vector index)."""
    return {
        "PutItem": {"TableName": t, "Item": {"pk": {"S": "p"}, "x": {"S": "y" * 1500}}},
        "GetItem": {"TableName": t, "Key": key("a"), "ConsistentRead": True},
        "UpdateItem": {"TableName": t, "Key": key("a"), "UpdateExpression": "SET n = :n",
                       "ExpressionAttributeValues": {":n": {"N": "1"}}},
        "DeleteItem": {"TableName": t, "Key": key("p")},
        "Query": {"TableName": t, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}},
        "Scan": {"TableName": t},
        "BatchGetItem": {"RequestItems": {t: {"Keys": [key("a"), key("b")]}}},
        "BatchWriteItem": {"RequestItems": {t: [{"PutRequest": {"Item": key("c")}},
                                                {"DeleteRequest": {"Key": key("b")}}]}},
        "TransactGetItems": {"TransactItems": [{"Get": {"TableName": t, "Key": key("a")}}]},
        "TransactWriteItems": {"TransactItems": [{"Put": {"TableName": t, "Item": key("d")}},
                                                 {"ConditionCheck": {"TableName": t, "Key": key("a"),
                                                                     "ConditionExpression": "attribute_exists(pk)"}}]},
        "ExecuteStatement": {"Statement": 'SELECT * FROM "%s" WHERE pk = \'a\'' % t},
        "BatchExecuteStatement": {"Statements": [{"Statement": 'SELECT * FROM "%s" WHERE pk = \'a\'' % t},
                                                 {"Statement": 'SELECT * FROM "%s" WHERE pk = \'b\'' % t}]},
        "ExecuteTransaction": {"TransactStatements": [{"Statement": 'INSERT INTO "%s" VALUE {\'pk\': \'f\'}' % t}]},
        "SearchVectors": {"TableName": v, "IndexName": "vix", "TopK": 2,
                          "SearchVector": [{"N": "0.1"}, {"N": "0.2"}, {"N": "0.3"}]},
    }


def served_operations():
    rows = ROW_RE.findall(open(OPS_DEF).read())
    assert len(rows) > 60
    return [name for name, _service, state in rows if state == "HANDLED"]


def call(endpoint, op, body):
    resp = raw_request(endpoint, op, body)
    assert resp.status == 200, (op, resp.status, resp.body)
    return resp


def reported(answer):
    """The units (or, for SearchVectors, the bytes) a ConsumedCapacity reports."""
    cc = answer["ConsumedCapacity"]
    if isinstance(cc, dict) and "VectorSearchRequestBytes" in cc:
        return cc["VectorSearchRequestBytes"]
    return sum(c["CapacityUnits"] for c in (cc if isinstance(cc, list) else [cc]))


def metrics(endpoint):
    with urllib.request.urlopen(endpoint + "/metrics", timeout=5) as r:
        text = r.read().decode()
    out = {}
    for m in re.finditer(r'^(ddbd_consumed_capacity_units_total|ddbd_vector_request_bytes_total)'
                         r'\{table="([^"]+)",kind="(\w+)"\} ([0-9.]+)$', text, re.M):
        out[(m.group(1), m.group(2), m.group(3))] = float(m.group(4))
    return out


def charged_in_metrics(before, after, op, t, v):
    if op == "SearchVectors":
        k = ("ddbd_vector_request_bytes_total", v, "search")
        return after[k] - before.get(k, 0)
    return sum(after[("ddbd_consumed_capacity_units_total", t, kind)] -
               before.get(("ddbd_consumed_capacity_units_total", t, kind), 0) for kind in ("read", "write"))


def log_lines(path, request_ids, timeout=10.0):
    """The access log's lines by request id, once it holds every one asked for (written when idle)."""
    deadline = time.monotonic() + timeout
    while True:
        text = open(path).read() if os.path.exists(path) else ""
        lines = {}
        for line in text.splitlines():
            rec = json.loads(line)
            lines[rec["requestId"]] = rec
        if all(r in lines for r in request_ids) or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


@pytest.fixture
def setup(server_factory, tmp_path):
    log = str(tmp_path / "access.log")
    srv = server_factory(["--in-memory", "--access-log", log])
    t, v = unique_name("charge"), unique_name("chargevec")
    call(srv.endpoint, "CreateTable", {
        "TableName": t, "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
    call(srv.endpoint, "CreateTable", {
        "TableName": v, "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "VectorIndexes": [{"IndexName": "vix", "VectorAttribute": {"AttributeName": "emb"}, "Dimensions": DIMS,
                           "DistanceFunction": "COSINE", "Projection": {"ProjectionType": "ALL"}}]})
    for pk in ("a", "b"):
        call(srv.endpoint, "PutItem", {"TableName": t, "Item": {"pk": {"S": pk}, "x": {"S": "z" * 5000}}})
    for i in range(3):
        call(srv.endpoint, "PutItem", {"TableName": v, "Item": {
            "pk": {"S": "v%d" % i}, "emb": {"L": [{"N": str(0.1 * (i + j + 1))} for j in range(DIMS)]}}})
    return srv, log, t, v


def test_every_operation_is_classified():
    """Each served operation of ops.def is in exactly one list: a new one must be placed."""
    ops = served_operations()
    requests = consuming("t", "v")
    unplaced = [op for op in ops if op not in requests and op not in NOT_CONSUMING]
    assert unplaced == [], "classify these in test_charge_every_operation.py: %s" % unplaced
    assert set(requests) <= set(ops) and NOT_CONSUMING <= set(ops)
    assert not set(requests) & NOT_CONSUMING


def test_every_consuming_operation_is_charged_what_it_answered(setup):
    srv, log, t, v = setup
    ids = {}
    for op, body in consuming(t, v).items():
        before = metrics(srv.endpoint)
        resp = call(srv.endpoint, op, dict(body, ReturnConsumedCapacity="TOTAL"))
        answer = resp.json()
        units = reported(answer)
        assert units > 0, (op, answer)
        assert charged_in_metrics(before, metrics(srv.endpoint), op, t, v) == pytest.approx(units), op
        ids[op] = (resp.headers["x-amzn-requestid"], units)
    lines = log_lines(log, [rid for rid, _ in ids.values()])
    for op, (rid, units) in ids.items():
        rec = lines[rid]
        assert rec["operation"] == op
        if op != "SearchVectors":  # its bytes are no capacity units
            assert rec["readUnits"] + rec["writeUnits"] == pytest.approx(units), (op, rec)


def test_charged_whatever_return_consumed_capacity_says(setup):
    """The charge does not depend on the client asking for ConsumedCapacity: each operation charged
    with ReturnConsumedCapacity NONE moves /metrics as much as with TOTAL."""
    srv, _log, t, v = setup
    for op, body in consuming(t, v).items():
        if op in ("PutItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems", "ExecuteTransaction"):
            continue  # their second call would write something else (an item made or gone)
        before = metrics(srv.endpoint)
        total = reported(call(srv.endpoint, op, dict(body, ReturnConsumedCapacity="TOTAL")).json())
        middle = metrics(srv.endpoint)
        call(srv.endpoint, op, dict(body, ReturnConsumedCapacity="NONE"))
        after = metrics(srv.endpoint)
        assert charged_in_metrics(middle, after, op, t, v) == pytest.approx(total), op
        assert charged_in_metrics(before, middle, op, t, v) == pytest.approx(total), op


def test_a_refused_write_is_charged_and_an_error_is_not(setup):
    """A write its condition refuses consumes write capacity (the developer guide's conditional
    writes): charged though it answers ConditionalCheckFailedException; a request refused by
    validation or for a missing table consumes nothing."""
    srv, log, t, _v = setup
    before = metrics(srv.endpoint)
    resp = raw_request(srv.endpoint, "PutItem", {"TableName": t, "Item": key("a"),
                                                 "ConditionExpression": "attribute_not_exists(pk)"})
    assert resp.status == 400 and resp.json()["__type"].endswith("ConditionalCheckFailedException")
    after = metrics(srv.endpoint)
    # the existing item's size: 5,000 bytes and its key, 5 write units
    assert after[("ddbd_consumed_capacity_units_total", t, "write")] - \
        before[("ddbd_consumed_capacity_units_total", t, "write")] == 5
    refused = resp.headers["x-amzn-requestid"]
    missing = raw_request(srv.endpoint, "GetItem", {"TableName": "nope", "Key": key("a")})
    assert missing.status == 400
    bad = raw_request(srv.endpoint, "GetItem", {"TableName": t, "Key": {"pk": {"N": "1"}}})
    assert bad.status == 400
    assert metrics(srv.endpoint) == after
    lines = log_lines(log, [refused, missing.headers["x-amzn-requestid"], bad.headers["x-amzn-requestid"]])
    assert lines[refused]["writeUnits"] == 5
    assert lines[missing.headers["x-amzn-requestid"]]["readUnits"] == 0
    assert lines[bad.headers["x-amzn-requestid"]]["readUnits"] == 0
