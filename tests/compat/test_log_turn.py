"""Without --sync an acknowledged write is in the write-ahead log (in the OS's cache) and survives
kill -9, while its log append waits in the log's buffer until its loop's turn ends
(server/base/log_turn.h): every answer that reflects a buffered append is held until then.

The loop's turn end has a fault point (server/base/faults.h) before it writes the buffers: a delay
there shows the answers wait for it, and a kill -9 right after each answer (during another turn's
delay, where an answer sent before its write was in the log would lose it) shows that no
acknowledged write is lost, through a GSI write across RocksDB databases too. A crash at the
point shows that the answer never left.
"""
import json
import signal
import socket
import threading
import time

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError, ReadTimeoutError

from conftest import N, S, DdbdServer, make_client, sign_headers
from helpers import admin_answer, admin_call, clock
from otlp_collector import Collector, attrs

DELAY_MS = 400


def start(tmp_path, port=None, env=None, args=()):
    # four shards, a RocksDB database each: an item and its index entry are mostly in two
    return DdbdServer(["--data-dir", str(tmp_path / "data"), "--shards", "4", "--threads", "1"] + list(args),
                      port=port, env=env).start()


def make_tables(c):
    c.create_table(TableName="plain", BillingMode="PAY_PER_REQUEST",
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    c.create_table(TableName="tbl", BillingMode="PAY_PER_REQUEST",
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "g", "AttributeType": "S"}],
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   GlobalSecondaryIndexes=[{"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                            "Projection": {"ProjectionType": "ALL"}}])


def test_an_answer_waits_for_its_log_append_and_survives_kill_9(tmp_path):
    server = start(tmp_path)
    c = make_client(server.endpoint)
    make_tables(c)
    server.stop(signal.SIGTERM)
    for i in range(3):
        server = start(tmp_path, port=server.port, env={"DDBD_DELAY_POINT": "turn-answers-held:%d" % DELAY_MS})
        try:
            c.put_item(TableName="tbl", Item={"pk": S("k%d" % i), "g": S("g%d" % i), "v": N(i)})
            t0 = time.monotonic()  # (an item in one database: its append only in the buffer till then)
            c.put_item(TableName="plain", Item={"pk": S("k%d" % i), "v": N(i)})
            took = time.monotonic() - t0
            server.proc.send_signal(signal.SIGKILL)  # at once: nothing later flushes for it
            assert server.proc.wait(timeout=10) == -signal.SIGKILL
        finally:
            server.kill()
        server = start(tmp_path, port=server.port)
        try:
            for j in range(i + 1):
                got = c.get_item(TableName="plain", Key={"pk": S("k%d" % j)}, ConsistentRead=True)
                assert got.get("Item", {}).get("v") == N(j), (i, j, got)
                got = c.get_item(TableName="tbl", Key={"pk": S("k%d" % j)}, ConsistentRead=True)
                assert got.get("Item", {}).get("v") == N(j), (i, j, got)
                idx = c.query(TableName="tbl", IndexName="byg", KeyConditionExpression="g = :g",
                              ExpressionAttributeValues={":g": S("g%d" % j)})["Items"]
                assert [x["pk"]["S"] for x in idx] == ["k%d" % j]
            assert took >= DELAY_MS / 1000 * 0.9, took  # the answer waited for the turn's end
        finally:
            server.stop(signal.SIGTERM)


def test_a_write_killed_before_its_turns_end_was_never_answered(tmp_path):
    server = start(tmp_path)
    c = make_client(server.endpoint)
    make_tables(c)
    server.stop(signal.SIGTERM)
    server = start(tmp_path, port=server.port, env={"DDBD_CRASH_POINT": "turn-answers-held"})
    try:
        with pytest.raises((EndpointConnectionError, ConnectionClosedError, ReadTimeoutError)):
            c.put_item(TableName="tbl", Item={"pk": S("lost"), "g": S("x"), "v": N(1)})
        assert server.proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        server.kill()
    server = start(tmp_path, port=server.port)
    try:
        # unanswered, so either outcome is DynamoDB's; whole if there: item and index entry together
        got = c.get_item(TableName="tbl", Key={"pk": S("lost")}, ConsistentRead=True)
        idx = c.query(TableName="tbl", IndexName="byg", KeyConditionExpression="g = :g",
                      ExpressionAttributeValues={":g": S("x")})["Items"]
        assert ("Item" in got) == (len(idx) == 1), (got, idx)
    finally:
        server.stop(signal.SIGTERM)


def answer_of(call, **params):
    """(request id, status, error code or None) of one call, as the client got it."""
    try:
        meta, code = call(**params)["ResponseMetadata"], None
    except ClientError as e:
        meta, code = e.response["ResponseMetadata"], e.response["Error"]["Code"]
    return meta["RequestId"], meta["HTTPStatusCode"], code


def test_a_failed_log_write_is_the_answer_the_logs_say(tmp_path):
    """The turn's log write failing (DDBD_FAIL_POINT log-buffer-write, as a disk's error), the answers
    held for it go out as InternalServerError, and the access log, the recording and the trace spans
    say so: a 500, not the success each would have been (server/base/held_lines.h). An answer an
    injected latency delays past its turn does not go out before the log has its write: a 500 too,
    its lines alike."""
    server = start(tmp_path)
    c = make_client(server.endpoint)
    make_tables(c)
    server.stop(signal.SIGTERM)
    record, access, collector = tmp_path / "rec.jsonl", tmp_path / "access.jsonl", Collector()
    server = start(tmp_path, port=server.port, env={"DDBD_FAIL_POINT": "log-buffer-write"},
                   args=["--admin", "--record", str(record), "--access-log", str(access),
                         "--otlp-endpoint", collector.url])
    try:
        got = [answer_of(c.put_item, TableName="plain", Item={"pk": S("new")}),
               # (a read of the item still in the buffer owes its write too)
               answer_of(c.get_item, TableName="plain", Key={"pk": S("new")}, ConsistentRead=True)]
        status, _ = admin_call(server.endpoint, "POST", "/ddbd/faults",
                               {"faults": [{"operation": "PutItem", "latency_ms": 50, "count": 1}]})
        assert status == 200
        got.append(answer_of(c.put_item, TableName="plain", Item={"pk": S("late")}))
        assert [g[1:] for g in got] == [(500, "InternalServerError")] * 3, got
        assert server.stop(signal.SIGTERM) is not None  # (both files written, the spans posted)
    finally:
        server.kill()
        collector.close()
    spans = {attrs(sp).get("aws.request_id"): attrs(sp) for sp in collector.spans()}
    with open(record) as f:
        recorded = {line["requestId"]: line for line in map(json.loads, f)}
    with open(access) as f:
        logged = {line["requestId"]: line for line in map(json.loads, f)}
    for rid, _, _ in got:
        line = recorded[rid]
        assert (line["status"], line["outcome"], line["error"]) == (500, "error", "InternalServerError"), line
        assert line["response"]["__type"].endswith("#InternalServerError"), line
        assert (logged[rid]["status"], logged[rid]["errorType"]) == (500, "InternalServerError"), logged[rid]
        assert (spans[rid]["http.response.status_code"], spans[rid].get("error.type")) == (500, "InternalServerError")


def signed_bytes(port, op, body):
    """An HTTP/1.1 request of `op`, signed as an SDK signs it (conftest's sign_headers), as the bytes sent."""
    data = json.dumps(body).encode()
    headers = sign_headers("http://127.0.0.1:%d" % port, data, {"Content-Type": "application/x-amz-json-1.0",
                                                                "X-Amz-Target": "DynamoDB_20120810." + op})
    head = "".join("%s: %s\r\n" % kv for kv in headers.items())
    return ("POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: %d\r\n%s\r\n" % (port, len(data), head)).encode() + data


def pipelined(port, requests):
    """Sends the requests on one connection at once (HTTP/1.1 pipelining): the server takes each in
    turn as the one before it is answered. Their (status, body) in order."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"".join(requests))
        f, got = sock.makefile("rb"), []
        for _ in requests:
            status, length = int(f.readline().split()[1]), 0
            for line in iter(f.readline, b"\r\n"):
                name, _, value = line.decode().partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            got.append((status, f.read(length)))
        return got


def test_a_delayed_answer_does_not_wait_for_a_later_turns_log_write(tmp_path):
    """An answer an injected latency delays is settled when it is made: what it reflects was in the
    log file then (or it is InternalServerError already). When its delay ends in a later turn, that
    turn's log write is not its own: the turn's write failing, it still goes out as it was made and
    as its log line says, not as the turn's InternalServerError. One connection's pipelined requests
    make the turns: the clock's step and a read that owes a write run in the turn after a held
    answer's (the delay point there), which is when the delayed answer's tick comes due. The loop's
    order within a turn is h2o's (a pipelined request is not always taken before the loop's ticks),
    so the scene is played three times: without the fix (http/respond.c, `settled`) the test failed
    in 10 of 12 runs, and it cannot fail with it."""
    server = start(tmp_path)
    c = make_client(server.endpoint)
    make_tables(c)
    server.stop(signal.SIGTERM)
    access = tmp_path / "access.jsonl"
    server = start(tmp_path, port=server.port,
                   env={"DDBD_FAIL_POINT": "log-buffer-write", "DDBD_DELAY_POINT": "turn-answers-held:150"},
                   args=["--admin", "--access-log", str(access)])
    late = []
    try:
        clock(server, freeze=True)
        # a write whose log write fails: its append stays in the buffer, so a read of it owes one too
        assert answer_of(c.put_item, TableName="plain", Item={"pk": S("new")})[1:] == (500, "InternalServerError")
        step = ("POST /ddbd/clock HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                "Content-Length: 16\r\n\r\n{\"advance\": 100}").encode()
        read = signed_bytes(server.port, "GetItem", {"TableName": "plain", "Key": {"pk": S("new")},
                                                     "ConsistentRead": True})
        for i in range(3):
            admin_answer(server, "/ddbd/faults", {"faults": [{"operation": "DescribeLimits", "latency_ms": 50,
                                                              "count": 1}]})
            # (an answer that reads nothing, so it owes no log write)
            reader = threading.Thread(target=lambda: late.append(answer_of(c.describe_limits)))
            reader.start()
            for _ in range(3000):  # (its answer made, waiting for the frozen clock)
                if admin_answer(server, "/ddbd/faults")["faults"][i]["remaining"] == 0:
                    break
                time.sleep(0.01)
            got = pipelined(server.port, [read, step, read])
            assert [g[0] for g in got] == [500, 200, 500], got
            reader.join(timeout=30)
        assert [x[1:] for x in late] == [(200, None)] * 3, late
        assert server.stop(signal.SIGTERM) is not None
    finally:
        server.kill()
    with open(access) as f:
        logged = {line["requestId"]: line for line in map(json.loads, f)}
    for rid, _, _ in late:
        assert logged[rid]["status"] == 200, logged[rid]
