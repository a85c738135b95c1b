"""RADOS requests off the event loops (server/http/offload.h, docs/scale-out.md): a request that
waits for the cluster holds a request worker, not its loop, so ONE loop (--threads 1) has many
requests at the cluster at once, up to --rados-inflight; past that bound and its queue, DynamoDB's
503 ServiceUnavailable. The cluster's wait is made long and certain with a delay point
(DDBD_DELAY_POINT=write-decided:MS, server/base/faults.h: every single-item write sleeps there).

- 32 PutItems sent at once to `--threads 1` end in about one delay, not 32, and a GetItem sent while
  they sleep answers at once; with --rados-inflight 0 (each request on its loop, as before) they
  take one delay each, one after another;
- --rados-inflight 1: one request at the cluster and 4 waiting; the others answered 503 at once;
- clients that close their connections while their requests are on the workers: the server stays
  up and serves, and SIGTERM with requests on the workers answers them before exiting 0;
- a write whose client resets its connection while the write waits for a worker is never run (h2o
  reads no socket whose request is pending: the worker looks at it before it starts the job); one
  already running when its client resets runs to its end (all or nothing);
- an MCP tool call (--mcp-http) runs on a worker too: a GetItem answers while a call is held.

Runs only where tests/rados/run.sh points it at a loopback cluster (DDBD_STORE_ARGS with
`--backend rados`); skipped everywhere else.
"""
import json
import re
import signal
import socket
import threading
import time
import urllib.error
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import (ACCESS_KEY, REGION, SECRET_KEY, DdbdServer, create_table_params, make_client, raw_request,
                      sign_headers, unique_name)
from rados_helpers import needs_cluster, rados_args

pytestmark = needs_cluster

DELAY_MS = 300
OVERLOADED = {"__type": "com.amazon.coral.availability#ServiceUnavailableException",
              "message": "DynamoDB is currently unavailable. (This should be a temporary state.)"}


def slow_gateway(*extra, delay_ms=DELAY_MS):
    """One loop (--threads 1) on a namespace of its own, every item write held `delay_ms` there."""
    args = rados_args(unique_name("async")) + ["--threads", "1"] + list(extra)
    return DdbdServer(args, env={"DDBD_DELAY_POINT": "write-decided:%d" % delay_ms}).start()


def table_on(server):
    table = unique_name("t")
    make_client(server.endpoint).create_table(**create_table_params(table))
    return table


def put_body(table, key):
    return {"TableName": table, "Item": {"pk": {"S": key}, "v": {"N": "1"}}}


def concurrent_puts(endpoint, table, n):
    """Sends n PutItems at once, each on a connection of its own: their responses and the seconds
    until the last one came."""
    results = [None] * n
    start = threading.Barrier(n + 1)

    def one(i):
        start.wait()
        results[i] = raw_request(endpoint, "PutItem", put_body(table, "k%d" % i))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.monotonic()
    for t in threads:
        t.join(timeout=60)
    return results, time.monotonic() - t0


def metric(endpoint, name):
    """One figure of GET /metrics."""
    with urllib.request.urlopen(endpoint + "/metrics", timeout=5) as resp:
        text = resp.read().decode()
    return int(re.search(r"^%s (\d+)$" % name, text, re.M).group(1))


def requests_on_workers(endpoint):
    """GET /metrics' ddbd_rados_requests (the requests on the request workers now)."""
    return metric(endpoint, "ddbd_rados_requests")


def test_one_loop_has_many_writes_at_the_cluster_at_once():
    server = slow_gateway()
    try:
        table = table_on(server)
        ddb = make_client(server.endpoint)
        ddb.put_item(TableName=table, Item={"pk": {"S": "read-me"}})
        got = {}

        def read_while_they_sleep():
            time.sleep(DELAY_MS / 3000)
            t0 = time.monotonic()
            got["item"] = make_client(server.endpoint).get_item(TableName=table, Key={"pk": {"S": "read-me"}})
            got["seconds"] = time.monotonic() - t0
            got["on_workers"] = requests_on_workers(server.endpoint)

        reader = threading.Thread(target=read_while_they_sleep)
        reader.start()
        results, seconds = concurrent_puts(server.endpoint, table, 32)
        reader.join()
        assert [r.status for r in results] == [200] * 32
        # one after another they would take 32 x 300 ms = 9.6 s; a stripe lock shared by two of the
        # keys (1 in 8) adds a delay
        assert seconds < 3.0, "32 writes took %.1f s on one loop" % seconds
        assert got["item"]["Item"]["pk"]["S"] == "read-me"
        assert got["seconds"] < DELAY_MS / 1000, "a GetItem waited %.2f s behind the writes" % got["seconds"]
        assert got["on_workers"] >= 16  # (the writes still sleeping; /metrics itself runs on the loop)
        scan = ddb.scan(TableName=table, ConsistentRead=True)
        assert scan["Count"] == 33
    finally:
        assert server.stop(signal.SIGTERM) == 0


def test_inflight_0_runs_each_request_on_its_loop_one_at_a_time():
    server = slow_gateway("--rados-inflight", "0")
    try:
        table = table_on(server)
        results, seconds = concurrent_puts(server.endpoint, table, 6)
        assert [r.status for r in results] == [200] * 6
        assert seconds >= 6 * DELAY_MS / 1000 * 0.9, "6 writes took %.1f s on one loop" % seconds
        with urllib.request.urlopen(server.endpoint + "/metrics", timeout=5) as resp:
            assert "ddbd_rados_requests" not in resp.read().decode()  # no workers
    finally:
        assert server.stop(signal.SIGTERM) == 0


def test_past_the_bound_and_its_queue_the_answer_is_503_service_unavailable():
    """--rados-inflight 1: one write at the cluster, 4 more waiting; of 8 sent at once, 3 are
    answered 503 at once, as DynamoDB answers when it is overloaded (SDKs retry it)."""
    server = slow_gateway("--rados-inflight", "1")
    try:
        table = table_on(server)
        results, _ = concurrent_puts(server.endpoint, table, 8)
        statuses = sorted(r.status for r in results)
        assert statuses == [200] * 5 + [503] * 3
        for r in results:
            if r.status == 503:
                assert r.json() == OVERLOADED
                assert r.headers["content-type"] == "application/x-amz-json-1.0"
                assert len(r.headers["x-amzn-requestid"]) == 52
        # the bound is of requests in flight: once they are answered, the next ones pass
        assert raw_request(server.endpoint, "PutItem", put_body(table, "after")).status == 200
    finally:
        assert server.stop(signal.SIGTERM) == 0


def signed_put(endpoint, table, key):
    """A signed PutItem's bytes as sent on the wire."""
    body = json.dumps(put_body(table, key)).encode()
    headers = sign_headers(endpoint, body, {"Content-Type": "application/x-amz-json-1.0",
                                            "X-Amz-Target": "DynamoDB_20120810.PutItem"})
    head = "POST / HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n" % (endpoint[7:], len(body))
    head += "".join("%s: %s\r\n" % kv for kv in headers.items())
    return head.encode() + b"\r\n" + body


def test_clients_gone_while_their_requests_are_on_the_workers():
    server = slow_gateway()
    try:
        table = table_on(server)
        host, port = "127.0.0.1", server.port
        for i in range(20):
            s = socket.create_connection((host, port))
            s.sendall(signed_put(server.endpoint, table, "gone%d" % i))
            if i % 2:  # a reset, not a close
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            time.sleep(0.01)
            s.close()
        time.sleep(DELAY_MS / 1000 * 2)  # their answers are sent to no one
        assert server.proc.poll() is None
        ddb = make_client(server.endpoint)
        ddb.put_item(TableName=table, Item={"pk": {"S": "after"}})
        assert ddb.get_item(TableName=table, Key={"pk": {"S": "after"}}, ConsistentRead=True)["Item"]
    finally:
        assert server.stop(signal.SIGTERM) == 0


def test_sigterm_answers_the_requests_on_the_workers_first():
    server = slow_gateway(delay_ms=1000)
    table = table_on(server)
    results = {}
    threads = [threading.Thread(target=lambda i=i: results.__setitem__(
        i, raw_request(server.endpoint, "PutItem", put_body(table, "k%d" % i)))) for i in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.3)  # all four sleeping on the workers
    assert server.stop(signal.SIGTERM) == 0
    for t in threads:
        t.join(timeout=10)
    assert sorted(r.status for r in results.values()) == [200] * 4


def reset(sock):
    """Closes `sock` with a TCP reset (SO_LINGER 0), as a client that gave up does."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    sock.close()


def wait_workers_idle(endpoint, seconds=30):
    deadline = time.monotonic() + seconds
    while requests_on_workers(endpoint) != 0:
        assert time.monotonic() < deadline, "the workers are still busy"
        time.sleep(0.05)


def test_a_write_whose_client_has_gone_before_a_worker_took_it_never_lands():
    """--rados-inflight 1: write A holds the one worker at the delay point; write B waits behind it.
    Both clients reset their connections. A had started: it lands (a write is all or nothing). B had
    not: it never runs, and /metrics counts it. A client that stays is served as before."""
    server = slow_gateway("--rados-inflight", "1", delay_ms=1500)
    try:
        table = table_on(server)
        a = socket.create_connection(("127.0.0.1", server.port))
        a.sendall(signed_put(server.endpoint, table, "started"))
        time.sleep(0.3)  # A sleeps on the worker
        b = socket.create_connection(("127.0.0.1", server.port))
        b.sendall(signed_put(server.endpoint, table, "queued"))
        time.sleep(0.3)
        assert requests_on_workers(server.endpoint) == 2  # A running, B waiting
        reset(b)
        reset(a)
        wait_workers_idle(server.endpoint)
        ddb = make_client(server.endpoint)
        assert ddb.get_item(TableName=table, Key={"pk": {"S": "started"}}, ConsistentRead=True)["Item"]
        assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "queued"}}, ConsistentRead=True)
        assert ddb.scan(TableName=table, ConsistentRead=True)["Count"] == 1
        assert metric(server.endpoint, "ddbd_rados_requests_skipped_total") == 1
        # a client that waits its turn behind a busy worker is served
        results, _ = concurrent_puts(server.endpoint, table, 2)
        assert [r.status for r in results] == [200, 200]
        assert metric(server.endpoint, "ddbd_rados_requests_skipped_total") == 1
    finally:
        assert server.stop(signal.SIGTERM) == 0


def mcp_post(endpoint, message, method="POST"):
    """One JSON-RPC message to /mcp, signed: (HTTP status, Content-Type, body)."""
    body = json.dumps(message).encode() if method == "POST" else b""
    req = AWSRequest(method=method, url=endpoint + "/mcp", data=body, headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "dynamodb", REGION).add_auth(req)
    r = urllib.request.Request(endpoint + "/mcp", data=body if method == "POST" else None,
                               headers=dict(req.headers.items()), method=method)
    try:
        with urllib.request.urlopen(r, timeout=30) as resp:
            return resp.status, resp.headers.get("Content-Type"), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read()


def mcp_call(endpoint, tool, arguments):
    """tools/call over --mcp-http, signed: (HTTP status, the JSON-RPC answer)."""
    status, _, body = mcp_post(endpoint, {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                                          "params": {"name": tool, "arguments": arguments}})
    return status, json.loads(body)


def mcp_keys(tmp_path):
    keys = tmp_path / "keys"  # (--mcp-http asks for --auth: the tests' own key)
    keys.write_text("%s %s 000000000000 name=tester\n" % (ACCESS_KEY, SECRET_KEY))
    return str(keys)


def test_an_mcp_tool_call_does_not_hold_the_loop(tmp_path):
    """One loop (--threads 1): an MCP put_item held 2 s at the delay point runs on a worker, so a
    GetItem sent meanwhile answers at once (on the loop, it waited for the call)."""
    server = slow_gateway("--auth", mcp_keys(tmp_path), "--mcp-http", "--mcp-allow-writes", delay_ms=2000)
    try:
        table = table_on(server)
        got = {}

        def call():
            got["mcp"] = mcp_call(server.endpoint, "put_item",
                                  {"TableName": table, "Item": {"pk": {"S": "by-mcp"}}})

        caller = threading.Thread(target=call)
        caller.start()
        time.sleep(0.5)  # the call sleeps at the delay point
        ddb = make_client(server.endpoint)
        t0 = time.monotonic()
        assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "by-mcp"}}, ConsistentRead=True)
        seconds = time.monotonic() - t0
        caller.join(timeout=30)
        assert seconds < 1.0, "a GetItem waited %.2f s behind an MCP call" % seconds
        status, answer = got["mcp"]
        assert status == 200 and answer["result"]["isError"] is False, answer
        assert ddb.get_item(TableName=table, Key={"pk": {"S": "by-mcp"}}, ConsistentRead=True)["Item"]
    finally:
        assert server.stop(signal.SIGTERM) == 0


def test_mcp_answers_from_the_workers_as_from_the_loop(tmp_path):
    """Every kind of /mcp answer comes back from a worker whole: a result, a tool's error, a
    notification's 202 without a body, GET's 405, a message that is not JSON-RPC; past the bound
    (--rados-inflight 1, the worker held and its queue full), 503 with DynamoDB's message."""
    server = slow_gateway("--auth", mcp_keys(tmp_path), "--mcp-http", "--mcp-allow-writes",
                          "--rados-inflight", "1", delay_ms=1500)
    try:
        ep = server.endpoint
        status, answer = mcp_call(ep, "get_item", {"TableName": "missing", "Key": {"pk": {"S": "k"}}})
        assert status == 200 and answer["result"]["isError"] is True
        assert json.loads(answer["result"]["content"][0]["text"])["__type"].endswith("ResourceNotFoundException")
        status, _, body = mcp_post(ep, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
        assert status == 200 and any(t["name"] == "get_item" for t in json.loads(body)["result"]["tools"])
        assert mcp_post(ep, {"jsonrpc": "2.0", "method": "notifications/initialized"})[0::2] == (202, b"")
        assert mcp_post(ep, None, method="GET")[0] == 405
        status, _, body = mcp_post(ep, [1, 2])
        assert status == 400 and "error" in json.loads(body)
        # the one worker held by a write, its queue of 4 full: the next call is refused at once
        table = unique_name("t")
        make_client(ep).create_table(**create_table_params(table))
        held = [threading.Thread(target=mcp_call, args=(ep, "put_item",
                                                        {"TableName": table, "Item": {"pk": {"S": str(i)}}}))
                for i in range(5)]
        for t in held:
            t.start()
            time.sleep(0.05)
        time.sleep(0.3)
        t0 = time.monotonic()
        status, ctype, body = mcp_post(ep, {"jsonrpc": "2.0", "id": 3, "method": "tools/list"})
        assert time.monotonic() - t0 < 1.0
        assert (status, ctype) == (503, "application/json")
        assert json.loads(body) == {"message": OVERLOADED["message"]}
        for t in held:
            t.join(timeout=30)
        assert make_client(ep).scan(TableName=table, ConsistentRead=True)["Count"] == 5
    finally:
        assert server.stop(signal.SIGTERM) == 0


def test_an_mcp_call_whose_client_has_gone_before_a_worker_took_it_never_runs(tmp_path):
    """As an API request: --rados-inflight 1, a write holds the worker, an MCP put_item waits behind
    it and its client resets: the tool never runs."""
    server = slow_gateway("--auth", mcp_keys(tmp_path), "--mcp-http", "--mcp-allow-writes",
                          "--rados-inflight", "1", delay_ms=1500)
    try:
        ep = server.endpoint
        table = table_on(server)
        holder = threading.Thread(target=raw_request, args=(ep, "PutItem", put_body(table, "holder")))
        holder.start()
        time.sleep(0.3)  # the holder sleeps on the worker
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
            "name": "put_item", "arguments": {"TableName": table, "Item": {"pk": {"S": "by-mcp"}}}}}).encode()
        req = AWSRequest(method="POST", url=ep + "/mcp", data=body, headers={"Content-Type": "application/json"})
        SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "dynamodb", REGION).add_auth(req)
        head = "POST /mcp HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n" % (ep[7:], len(body))
        head += "".join("%s: %s\r\n" % kv for kv in req.headers.items())
        s = socket.create_connection(("127.0.0.1", server.port))
        s.sendall(head.encode() + b"\r\n" + body)
        time.sleep(0.3)  # queued behind the holder
        reset(s)
        holder.join(timeout=30)
        time.sleep(2.5)  # the call's turn, and its delay had it run
        ddb = make_client(ep)
        assert ddb.get_item(TableName=table, Key={"pk": {"S": "holder"}}, ConsistentRead=True)["Item"]
        assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "by-mcp"}}, ConsistentRead=True)
    finally:
        assert server.stop(signal.SIGTERM) == 0
