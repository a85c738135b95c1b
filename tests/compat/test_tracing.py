"""Tracing: the W3C traceparent and X-Amzn-Trace-Id headers are read (invalid ones ignored), the
trace id goes into the access log line and the latency histogram's OpenMetrics exemplars, and
--otlp-endpoint exports one span per API request (with its storage commit as a child) over OTLP/HTTP
JSON to a collector (otlp_collector.py), dropping and counting what a collector that is down or
slow cannot take, and posting what is queued at shutdown."""
import json
import os
import re
import shlex
import subprocess
import time

import pytest

from conftest import DDBD_BIN, STORE_ARGS, make_client, raw_request
from otlp_collector import Collector, attrs, unused_port

TP_TRACE, TP_PARENT = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
TRACEPARENT = "00-%s-%s-01" % (TP_TRACE, TP_PARENT)
XRAY_ROOT, XRAY_PARENT = "1-5759e988-bd862e3fe1be46a994272793", "53995c3f42cd8ad8"
XRAY_TRACE = "5759e988bd862e3fe1be46a994272793"


@pytest.fixture
def collector():
    c = Collector()
    yield c
    c.close()


def log_lines(path, want, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        lines = open(path).read().splitlines() if os.path.exists(path) else []
        if len(lines) >= want or time.monotonic() > deadline:
            return [json.loads(l) for l in lines]
        time.sleep(0.02)


def trace_ids(path, responses):
    """The access log's traceId of each response's request, in the order of `responses`: a line is
    written after its answer is sent, so the next request's line may come first."""
    by_id = {l["requestId"]: l["traceId"] for l in log_lines(path, len(responses))}
    return [by_id.get(r.headers["x-amzn-requestid"], "no line") for r in responses]


def create(endpoint, name):
    make_client(endpoint).create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])


def put(endpoint, table, headers=None, pk="a"):
    return raw_request(endpoint, "PutItem", {"TableName": table, "Item": {"pk": {"S": pk}}}, headers=headers)


def get_missing(endpoint, headers=None):
    return raw_request(endpoint, "GetItem", {"TableName": "tr_missing", "Key": {"pk": {"S": "a"}}}, headers=headers)


def metrics(endpoint, accept=None):
    return raw_request(endpoint, method="GET", path="/metrics", sign=False, content_type=None,
                       headers={"Accept": accept} if accept else None)


def metric_value(text, name):
    m = re.search(r"^%s (\d+)$" % re.escape(name), text, re.M)
    return int(m.group(1)) if m else None


def by_method(spans, method):
    return [s for s in spans if s["kind"] == 2 and attrs(s).get("rpc.method") == method]


@pytest.mark.timing
def test_traceparent_becomes_the_span_parent_and_the_log_trace_id(server_factory, collector, tmp_path):
    log = str(tmp_path / "access.log")
    srv = server_factory(["--in-memory", "--otlp-endpoint", collector.url, "--access-log", log])
    create(srv.endpoint, "tr_items")
    r = put(srv.endpoint, "tr_items", {"traceparent": TRACEPARENT})
    assert r.status == 200
    # DynamoDB answers with its own headers only: no trace header comes back
    assert "traceparent" not in r.headers and "x-amzn-trace-id" not in r.headers
    spans = collector.wait_spans(lambda s: s["traceId"] == TP_TRACE, want=2)
    root = [s for s in spans if s["kind"] == 2]
    assert len(root) == 1
    span = root[0]
    assert span["parentSpanId"] == TP_PARENT and re.fullmatch(r"[0-9a-f]{16}", span["spanId"])
    assert span["name"] == "DynamoDB.PutItem"
    a = attrs(span)
    assert a["rpc.system"] == "aws-api" and a["rpc.service"] == "DynamoDB" and a["rpc.method"] == "PutItem"
    assert a["aws.dynamodb.table_names"] == ["tr_items"]
    assert a["http.response.status_code"] == 200
    assert a["aws.request_id"] == r.headers["x-amzn-requestid"]
    assert "error.type" not in a and span["status"] == {}
    assert [json.loads(c) for c in a["aws.dynamodb.consumed_capacity"]] == [
        {"TableName": "tr_items", "CapacityUnits": 1.0, "ReadCapacityUnits": 0.0, "WriteCapacityUnits": 1.0}]
    start, end = int(span["startTimeUnixNano"]), int(span["endTimeUnixNano"])
    assert 0 < end - start < 10**9 and abs(start / 1e9 - time.time()) < 60
    commit = [s for s in spans if s["name"] == "storage.commit"]
    assert len(commit) == 1 and commit[0]["parentSpanId"] == span["spanId"] and commit[0]["kind"] == 1
    assert start <= int(commit[0]["startTimeUnixNano"]) <= int(commit[0]["endTimeUnixNano"]) <= end
    path, ctype, body = collector.posts[-1]
    assert path == "/v1/traces" and ctype == "application/json"
    assert body["resourceSpans"][0]["resource"]["attributes"] == [
        {"key": "service.name", "value": {"stringValue": "ddbd"}}]
    assert body["resourceSpans"][0]["scopeSpans"][0]["scope"]["name"] == "ddbd"
    lines = [l for l in log_lines(log, 2) if l["operation"] == "PutItem"]
    assert [l["traceId"] for l in lines] == [TP_TRACE]


def test_xray_header_root_and_parent_and_a_failing_request(server_factory, collector, tmp_path):
    log = str(tmp_path / "access.log")
    srv = server_factory(["--in-memory", "--otlp-endpoint", collector.url, "--access-log", log])
    # other fields (an ALB's Self=, Lineage=) are passed over, in any order
    hdr = "Self=1-67891234-12456789abcdef012345678;Root=%s; Parent=%s ;Sampled=1;Lineage=a87bd80c:1" % (
        XRAY_ROOT, XRAY_PARENT)
    r = get_missing(srv.endpoint, {"X-Amzn-Trace-Id": hdr})
    assert r.status == 400 and r.json()["__type"].endswith("#ResourceNotFoundException")
    assert "x-amzn-trace-id" not in r.headers
    [span] = collector.wait_spans(lambda s: s["traceId"] == XRAY_TRACE)
    assert span["parentSpanId"] == XRAY_PARENT and span["name"] == "DynamoDB.GetItem"
    a = attrs(span)
    assert a["error.type"] == "ResourceNotFoundException" and a["http.response.status_code"] == 400
    assert a["aws.dynamodb.table_names"] == ["tr_missing"] and "aws.dynamodb.consumed_capacity" not in a
    assert span["status"] == {"code": 2, "message": "ResourceNotFoundException"}
    assert [l["traceId"] for l in log_lines(log, 1)] == [XRAY_TRACE]


INVALID_TRACEPARENTS = [
    "00-%s-%s-01" % (TP_TRACE.upper(), TP_PARENT),     # upper-case hex
    "00-%s-%s-01" % ("0" * 32, TP_PARENT),             # all-zero trace id
    "00-%s-%s-01" % (TP_TRACE, "0" * 16),              # all-zero parent id
    "ff-%s-%s-01" % (TP_TRACE, TP_PARENT),             # version ff
    "00-%s-%s-01-extra" % (TP_TRACE, TP_PARENT),       # version 00 is exactly 55 characters
    "00-%s-%s-0" % (TP_TRACE, TP_PARENT),              # short flags
    "00_%s-%s-01" % (TP_TRACE, TP_PARENT),             # separator
    "00-%s-%s-0g" % (TP_TRACE, TP_PARENT),             # not hex
]
INVALID_XRAY = [
    "Parent=%s;Sampled=1" % XRAY_PARENT,               # no Root
    "Root=2-5759e988-bd862e3fe1be46a994272793",        # Root version 2
    "Root=1-5759e988-bd862e3fe1be46a99427279",         # short
    "Root=1-5759e988-bd862e3fe1be46a99427279z",        # not hex
    "Root=%s;Parent=53995c3f42cd8ad" % XRAY_ROOT,      # short Parent
    "Root=%s;Sampled=2" % XRAY_ROOT,                   # bad Sampled
    "Root=%s;garbage" % XRAY_ROOT,                     # a field without '='
]


@pytest.mark.parametrize("headers", [{"traceparent": v} for v in INVALID_TRACEPARENTS] +
                         [{"X-Amzn-Trace-Id": v} for v in INVALID_XRAY],
                         ids=lambda h: "%s=%s" % next(iter(h.items())))
def test_invalid_trace_headers_are_ignored(server_factory, collector, tmp_path, headers):
    log = str(tmp_path / "access.log")
    srv = server_factory(["--in-memory", "--otlp-endpoint", collector.url, "--access-log", log])
    r = get_missing(srv.endpoint, headers)
    assert r.status == 400  # the request itself is served as ever
    [span] = collector.wait_spans(lambda s: s["kind"] == 2)
    # a new trace of its own, with no parent
    assert span["traceId"] not in (TP_TRACE, TP_TRACE.upper(), XRAY_TRACE, "0" * 32)
    assert re.fullmatch(r"[0-9a-f]{32}", span["traceId"]) and "parentSpanId" not in span
    assert [l["traceId"] for l in log_lines(log, 1)] == [span["traceId"]]


def test_trace_header_choice_and_untraced_requests_without_export(server_factory, tmp_path):
    log = str(tmp_path / "access.log")
    srv = server_factory(["--in-memory", "--access-log", log])
    later = "01-%s-%s-01-more" % (TP_TRACE, TP_PARENT)  # a later version may carry more
    responses = [get_missing(srv.endpoint, {"traceparent": later})]
    # traceparent wins over X-Amzn-Trace-Id; an invalid one leaves X-Amzn-Trace-Id to be read
    responses.append(get_missing(srv.endpoint, {"traceparent": TRACEPARENT, "X-Amzn-Trace-Id": "Root=" + XRAY_ROOT}))
    responses.append(get_missing(srv.endpoint, {"traceparent": "00-zz", "X-Amzn-Trace-Id": "Root=" + XRAY_ROOT}))
    # two traceparent headers are not one valid one
    responses.append(get_missing(srv.endpoint, {"traceparent": TRACEPARENT, "TraceParent": TRACEPARENT}))
    responses.append(get_missing(srv.endpoint))
    assert trace_ids(log, responses) == [TP_TRACE, TP_TRACE, XRAY_TRACE, None, None]


@pytest.mark.timing
def test_unsampled_caller_is_logged_not_exported(server_factory, collector, tmp_path):
    log = str(tmp_path / "access.log")
    srv = server_factory(["--in-memory", "--otlp-endpoint", collector.url, "--access-log", log])
    responses = [get_missing(srv.endpoint, {"traceparent": "00-%s-%s-00" % (TP_TRACE, TP_PARENT)}),
                 get_missing(srv.endpoint, {"X-Amzn-Trace-Id": "Root=%s;Sampled=0" % XRAY_ROOT}),
                 get_missing(srv.endpoint, {"X-Amzn-Trace-Id": "Root=%s;Sampled=?" % XRAY_ROOT})]
    assert trace_ids(log, responses) == [TP_TRACE, XRAY_TRACE, XRAY_TRACE]
    time.sleep(0.5)
    assert [s["traceId"] for s in collector.spans()] == [XRAY_TRACE]  # only the one left to us (Sampled=?)


def test_openmetrics_exemplars_only_when_asked(server_factory):
    srv = server_factory(["--in-memory"])
    assert get_missing(srv.endpoint, {"traceparent": TRACEPARENT}).status == 400
    plain = metrics(srv.endpoint)
    assert plain.status == 200 and plain.headers["content-type"] == "text/plain; version=0.0.4"
    text = plain.body.decode()
    assert " # {" not in text and "# EOF" not in text
    assert "# TYPE ddbd_requests_total counter" in text
    for accept in ["application/openmetrics-text; version=1.0.0",
                   "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"]:
        om = metrics(srv.endpoint, accept)
        assert om.headers["content-type"] == "application/openmetrics-text; version=1.0.0; charset=utf-8"
        text = om.body.decode()
        assert text.endswith("\n# EOF\n")
        assert "# TYPE ddbd_requests counter" in text and "# TYPE ddbd_requests_total" not in text
        assert 'ddbd_requests_total{operation="GetItem",outcome="error"} 1' in text
        ex = re.findall(r'^ddbd_request_duration_seconds_bucket\{operation="GetItem",le="([^"]+)"\} 1 '
                        r'# \{trace_id="([0-9a-f]{32})"\} ([0-9.]+) ([0-9.]+)$', text, re.M)
        assert len(ex) == 1 and ex[0][1] == TP_TRACE
        assert abs(float(ex[0][3]) - time.time()) < 60 and float(ex[0][2]) <= float(ex[0][0])
        assert text.count(" # {") == 1  # one traced request: one exemplar
    # an untraced request is no exemplar
    get_missing(srv.endpoint)
    text = metrics(srv.endpoint, "application/openmetrics-text").body.decode()
    assert text.count(" # {trace_id=") == 1


def test_openmetrics_page_parses_as_openmetrics(server_factory, collector):
    """The whole page (the engine's and the exporter's figures too) read by the Python client's
    strict OpenMetrics parser (Debian: python3-prometheus-client, installed by deploy/ddbd.sh deps)."""
    from prometheus_client.openmetrics import parser  # pylint: disable=import-outside-toplevel
    srv = server_factory(["--in-memory", "--otlp-endpoint", collector.url])
    create(srv.endpoint, "tr_om")
    for i in range(5):
        put(srv.endpoint, "tr_om", {"traceparent": "00-%s-%s-01" % ("%032x" % (i + 1), TP_PARENT)}, pk=str(i))
    text = metrics(srv.endpoint, "application/openmetrics-text").body.decode()
    families = {f.name: f for f in parser.text_string_to_metric_families(text)}
    assert families["ddbd_requests"].type == "counter"
    assert families["ddbd_otlp_spans_dropped"].type == "counter"
    exemplars = [s.exemplar for s in families["ddbd_request_duration_seconds"].samples
                 if s.exemplar and s.labels["operation"] == "PutItem"]
    assert {e.labels["trace_id"] for e in exemplars} <= {"%032x" % (i + 1) for i in range(5)}
    assert any(e.labels["trace_id"] == "%032x" % 5 for e in exemplars)  # the latest one is kept


@pytest.mark.timing
def test_collector_down_spans_dropped_counted_server_unaffected(server_factory):
    srv = server_factory(["--in-memory", "--otlp-endpoint", "http://127.0.0.1:%d" % unused_port()])
    create(srv.endpoint, "tr_down")
    t0 = time.monotonic()
    for i in range(50):
        assert put(srv.endpoint, "tr_down", pk=str(i)).status == 200
    assert time.monotonic() - t0 < 5  # never waiting for the collector
    deadline = time.monotonic() + 10
    while True:
        text = metrics(srv.endpoint).body.decode()
        if metric_value(text, "ddbd_otlp_spans_dropped_total") == 51 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert metric_value(text, "ddbd_otlp_spans_dropped_total") == 51  # CreateTable and the 50 puts
    assert metric_value(text, "ddbd_otlp_spans_exported_total") == 0
    assert metric_value(text, "ddbd_otlp_spans_queued") == 0
    assert srv.stop() == 0
    assert "cannot post spans to 127.0.0.1" in srv.stderr_text()


def test_collector_unavailable_is_retried_then_dropped(server_factory):
    c = Collector(status=503)
    try:
        srv = server_factory(["--in-memory", "--otlp-endpoint", c.url])
        assert get_missing(srv.endpoint).status == 400
        deadline = time.monotonic() + 10
        while metric_value(metrics(srv.endpoint).body.decode(), "ddbd_otlp_spans_dropped_total") != 1:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        # one batch, tried four times (backoff 100, 200, 400 ms), then given up
        assert len(c.posts) == 4 and len({json.dumps(p[2]) for p in c.posts}) == 1
        c.status = 200
        assert get_missing(srv.endpoint).status == 400
        assert len(c.wait_spans(lambda s: True, want=5)) == 5
        # counted once the exporter has the collector's answer, a moment after the collector has
        # the spans (on a loaded machine, after the test's first look)
        deadline = time.monotonic() + 10
        while metric_value(metrics(srv.endpoint).body.decode(), "ddbd_otlp_spans_exported_total") != 1:
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        c.close()


@pytest.mark.timing
def test_spans_queued_at_shutdown_are_posted(server_factory, collector):
    srv = server_factory(["--in-memory", "--otlp-endpoint", collector.url])
    for _ in range(5):
        get_missing(srv.endpoint)
    t0 = time.monotonic()
    assert srv.stop() == 0
    assert time.monotonic() - t0 < 5
    assert len([s for s in collector.spans() if s["kind"] == 2]) == 5


def test_otlp_endpoint_must_be_http():
    run = subprocess.run([DDBD_BIN, "--in-memory", "--port", "0", "--otlp-endpoint", "https://collector:4318"],
                         capture_output=True, text=True, timeout=10)
    assert run.returncode == 1
    assert "--otlp-endpoint https://collector:4318: the URL must be http://HOST[:PORT][/PATH]" in run.stderr


@pytest.mark.timing
def test_hung_collector_holds_shutdown_one_timeout_at_most(server_factory):
    c = Collector(delay=30)  # accepts a post and never answers in time
    try:
        srv = server_factory(["--in-memory", "--otlp-endpoint", c.url])
        ddb = make_client(srv.endpoint)
        for _ in range(600):  # three batches queue behind the one stuck in its post
            with pytest.raises(Exception):
                ddb.get_item(TableName="tr_missing", Key={"pk": {"S": "a"}})
        t0 = time.monotonic()
        assert srv.stop() == 0
        assert time.monotonic() - t0 < 5  # one 2 s timeout, not one per batch or try
    finally:
        c.close()


@pytest.mark.skipif("rados" not in STORE_ARGS, reason="RADOS only (tests/rados/run.sh sets DDBD_STORE_ARGS)")
def test_rados_round_trips_are_child_spans(server_factory, collector):
    srv = server_factory(shlex.split(STORE_ARGS) + ["--otlp-endpoint", collector.url], timeout=60)
    create(srv.endpoint, "tr_rados")
    assert put(srv.endpoint, "tr_rados", {"traceparent": TRACEPARENT}).status == 200
    get = "00-%s-%s-01" % ("1" * 32, TP_PARENT)
    assert raw_request(srv.endpoint, "GetItem", {"TableName": "tr_rados", "Key": {"pk": {"S": "a"}}},
                       headers={"traceparent": get}).status == 200
    spans = collector.wait_spans(lambda s: s["traceId"] in (TP_TRACE, "1" * 32), want=5)
    by_name = {}
    for s in spans:
        by_name.setdefault((s["traceId"], s["name"]), []).append(s)
    [put_span] = by_name[(TP_TRACE, "DynamoDB.PutItem")]
    [commit] = by_name[(TP_TRACE, "storage.commit")]
    assert commit["parentSpanId"] == put_span["spanId"]
    # the commit writes the item's object (a new item: guessed absent, so no read first, docs/scale-out.md):
    # its round trips inside the commit
    trips = by_name.get((TP_TRACE, "rados.read"), []) + by_name[(TP_TRACE, "rados.write")]
    assert by_name[(TP_TRACE, "rados.write")] and all(t["parentSpanId"] == commit["spanId"] for t in trips)
    for t in trips:
        assert int(commit["startTimeUnixNano"]) <= int(t["startTimeUnixNano"]) <= int(t["endTimeUnixNano"]) \
            <= int(commit["endTimeUnixNano"])
    [get_span] = by_name[("1" * 32, "DynamoDB.GetItem")]
    [read] = by_name[("1" * 32, "rados.read")]
    assert read["parentSpanId"] == get_span["spanId"]


def test_a_batchs_writes_are_one_commit_whatever_their_tables(server_factory, collector):
    """BatchWriteItem commits its items together (engine/mutation.h's ddb_mutate_each), those of
    two tables in one storage.commit_each span, not a commit each nor a commit a table; an item
    that moves an item collection's size (a table with an LSI) still commits alone. Every item
    lands."""
    srv = server_factory(["--in-memory", "--otlp-endpoint", collector.url])
    ddb = make_client(srv.endpoint)
    create(srv.endpoint, "tr_batch")
    create(srv.endpoint, "tr_batch2")
    ddb.create_table(
        TableName="tr_lsi", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "l")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        LocalSecondaryIndexes=[{"IndexName": "byL", "Projection": {"ProjectionType": "KEYS_ONLY"},
                                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                              {"AttributeName": "l", "KeyType": "RANGE"}]}])
    items = {"tr_batch": [{"PutRequest": {"Item": {"pk": {"S": "b%02d" % i}, "v": {"N": str(i)}}}}
                          for i in range(12)],
             "tr_batch2": [{"PutRequest": {"Item": {"pk": {"S": "b%02d" % i}, "w": {"N": str(i)}}}}
                           for i in range(11)],
             "tr_lsi": [{"PutRequest": {"Item": {"pk": {"S": "p"}, "sk": {"S": "s%d" % i}, "l": {"S": "x"}}}}
                        for i in range(2)]}
    r = raw_request(srv.endpoint, "BatchWriteItem", {"RequestItems": items}, headers={"traceparent": TRACEPARENT})
    assert r.status == 200 and r.json() == {"UnprocessedItems": {}}
    spans = collector.wait_spans(lambda s: s["traceId"] == TP_TRACE, want=4)
    [root] = [s for s in spans if s["kind"] == 2]
    assert root["name"] == "DynamoDB.BatchWriteItem"
    names = sorted(s["name"] for s in spans if s["parentSpanId"] == root["spanId"])
    assert names == ["storage.commit", "storage.commit", "storage.commit_each"], names
    assert ddb.scan(TableName="tr_batch", Select="COUNT")["Count"] == 12
    assert ddb.get_item(TableName="tr_batch", Key={"pk": {"S": "b03"}})["Item"]["v"] == {"N": "3"}
    assert ddb.scan(TableName="tr_batch2", Select="COUNT")["Count"] == 11
    assert ddb.get_item(TableName="tr_batch2", Key={"pk": {"S": "b03"}})["Item"] == {"pk": {"S": "b03"}, "w": {"N": "3"}}
    assert ddb.query(TableName="tr_lsi", IndexName="byL", KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": {"S": "p"}})["Count"] == 2


def test_a_partiql_batchs_writes_are_committed_together(server_factory, collector):
    """BatchExecuteStatement's writes run as BatchWriteItem's (ddb_mutate_each): each statement on
    its own item with its own outcome, committed together. An INSERT of an item that is there fails
    its own slot (DuplicateItem), decided with the writes before it in one storage.commit_each, and
    the statements after it still run, in another; run one at a time, they were 21 commits."""
    srv = server_factory(["--in-memory", "--otlp-endpoint", collector.url])
    ddb = make_client(srv.endpoint)
    create(srv.endpoint, "tr_pq")
    ddb.put_item(TableName="tr_pq", Item={"pk": {"S": "there"}})
    keys = ["p%02d" % i for i in range(10)] + ["there"] + ["q%02d" % i for i in range(10)]
    stmts = [{"Statement": "INSERT INTO tr_pq VALUE {'pk': '%s', 'v': 1}" % k} for k in keys]
    r = raw_request(srv.endpoint, "BatchExecuteStatement", {"Statements": stmts}, headers={"traceparent": TRACEPARENT})
    assert r.status == 200
    codes = [x.get("Error", {}).get("Code") for x in r.json()["Responses"]]
    assert codes == [None] * 10 + ["DuplicateItem"] + [None] * 10, r.json()
    spans = collector.wait_spans(lambda s: s["traceId"] == TP_TRACE, want=4)
    [root] = [s for s in spans if s["kind"] == 2]
    assert root["name"] == "DynamoDB.BatchExecuteStatement"
    names = sorted(s["name"] for s in spans if s["parentSpanId"] == root["spanId"])
    assert names == ["storage.commit_each", "storage.commit_each"], names
    assert ddb.scan(TableName="tr_pq", Select="COUNT")["Count"] == 21
    assert "v" not in ddb.get_item(TableName="tr_pq", Key={"pk": {"S": "there"}})["Item"]
