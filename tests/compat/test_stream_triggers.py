"""Stream triggers to a local function (--stream-trigger): a real HTTP function speaking the Lambda
Runtime Interface Emulator's invoke protocol receives every record of 10,000 writes exactly once,
in order per item, as Lambda delivers them ({"Records": [...]} with eventSourceARN), although some
invocations fail (an X-Amz-Function-Error answer, a 500) and are retried; with bisect a failing
batch is split and only the bad record waits.

The servers run on the frozen clock (--clock frozen): a batching window closes when the test steps
the clock past it, and a step ({"advance": ms}) answers once the trigger's worker made a whole pass,
so "nothing more arrives" is read at once. Waits here wait for deliveries (real work, a generous
deadline), never for time to pass. (That a commit wakes its trigger at once, a latency, is
test_stream_trigger_wake.py's, a timing test.)
"""
import json
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import DDBD_BIN, N, S, make_client
from helpers import advance

INVOKE = "/2015-03-31/functions/function/invocations"


class Function:
    """A local function: records what it processed; `fail(records, call)` decides a failure."""

    def __init__(self, fail=lambda records, call: None):
        self.records, self.calls, self.failures, self.lock = [], 0, 0, threading.Lock()
        self.arrived = []  # time.monotonic() of each record's arrival (test_stream_trigger_wake.py)
        self.fail = fail
        fn = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with fn.lock:
                    fn.calls += 1
                    call = fn.calls
                how = fn.fail(body["Records"], call) if self.path == INVOKE else "404"
                if how is None:
                    with fn.lock:
                        fn.records.extend(body["Records"])
                        fn.arrived.extend([time.monotonic()] * len(body["Records"]))
                    self.answer(200, b"null")
                    return
                with fn.lock:
                    fn.failures += 1
                if how == "error":  # the RIE's answer when the handler throws
                    self.answer(200, b'{"errorMessage":"boom","errorType":"Error"}', {"X-Amz-Function-Error": "Unhandled"})
                else:
                    self.answer(int(how), b"{}")

            def answer(self, status, data, headers=()):
                self.send_response(status)
                for k, v in dict(headers).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, n, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.records) >= n:
                    return
            time.sleep(0.05)
        raise AssertionError("the function got %d of %d records" % (len(self.records), n))


def create(client, name):
    return client.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})["TableDescription"]["LatestStreamArn"]


def versions_by_key(records):
    seen = {}
    for r in records:
        seen.setdefault(r["dynamodb"]["Keys"]["pk"]["S"], []).append(int(r["dynamodb"]["NewImage"]["v"]["N"]))
    return seen


def test_every_record_of_10k_writes_once_with_failures_retried(server_factory):
    # the 3rd invocation throws, the 7th answers 500: both are retried
    fn = Function(lambda records, call: "error" if call == 3 else "500" if call == 7 else None)
    try:
        server = server_factory(["--in-memory", "--admin", "--clock", "frozen",
                                 "--stream-trigger", "orders=%s,batch=100" % fn.url])
        client = make_client(server.endpoint)
        arn = create(client, "orders")
        keys, versions = 1000, 10
        for v in range(versions):
            for i in range(0, keys, 25):
                client.batch_write_item(RequestItems={"orders": [
                    {"PutRequest": {"Item": {"pk": S("k%04d" % k), "v": N(v)}}} for k in range(i, i + 25)]})
        fn.wait_for(keys * versions)
        advance(server, 0)  # a whole pass more: nothing more arrives
        assert len(fn.records) == keys * versions
        seen = versions_by_key(fn.records)
        assert len(seen) == keys and all(vs == list(range(versions)) for vs in seen.values())
        assert fn.failures == 2
        r = fn.records[0]
        assert r["eventSourceARN"] == arn and r["eventSource"] == "aws:dynamodb" and r["eventName"] == "INSERT"
        assert len({x["eventID"] for x in fn.records}) == keys * versions
        assert "not delivered" in server.stderr_text()
    finally:
        fn.close()


def test_bisect_holds_back_only_the_bad_record(server_factory):
    # any batch holding "poison" fails its first four times; with bisect the others get through
    poisoned = {"left": 4}

    def fail(records, call):
        if any(r["dynamodb"]["Keys"]["pk"]["S"] == "poison" for r in records) and poisoned["left"] > 0:
            poisoned["left"] -= 1
            return "error"
        return None

    fn = Function(fail)
    try:
        server = server_factory(["--in-memory", "--stream-trigger", "bis=%s,batch=16,bisect" % fn.url])
        client = make_client(server.endpoint)
        create(client, "bis")
        for i in range(8):
            client.put_item(TableName="bis", Item={"pk": S("a%d" % i), "v": N(0)})
        client.put_item(TableName="bis", Item={"pk": S("poison"), "v": N(0)})
        fn.wait_for(9)
        seen = versions_by_key(fn.records)
        assert sorted(seen) == sorted(["a%d" % i for i in range(8)] + ["poison"])
        assert all(v == [0] for v in seen.values())
        assert len(fn.records) == 9 and poisoned["left"] == 0
    finally:
        fn.close()


def test_window_batches_records_and_checkpoints_survive_restart(server_factory, tmp_path):
    """window=2500: records wait until 2.5 s of the server's clock have passed since the batch's first,
    then go in one call a shard; on the frozen clock that is exact: nothing at 2,499 ms, the 20
    records in two calls (the two shards their keys fall in) at 2,500. After a restart the checkpoint holds: only the new record is delivered."""
    fn = Function()
    try:
        args = ["--data-dir", str(tmp_path / "d"), "--admin", "--clock", "frozen", "--shards", "2",  # (not the CPUs')
                "--stream-trigger", "win=%s,batch=50,window=2500" % fn.url]
        server = server_factory(args)
        client = make_client(server.endpoint)
        create(client, "win")
        for i in range(20):
            client.put_item(TableName="win", Item={"pk": S("k%d" % i), "v": N(0)})
        advance(server, 2499)
        assert (fn.calls, len(fn.records)) == (0, 0)  # the window is open
        advance(server, 1)
        # the window gathered them: one call for each of the two shards (--shards 2) the keys fall in
        assert (fn.calls, len(fn.records)) == (2, 20)
        server.stop()
        server = server_factory(args, port=server.port)
        client = make_client(server.endpoint)
        client.put_item(TableName="win", Item={"pk": S("k0"), "v": N(1)})
        advance(server, 2500)
        assert (fn.calls, len(fn.records)) == (3, 21)  # nothing delivered twice after the restart
        assert versions_by_key(fn.records[20:]) == {"k0": [1]}
    finally:
        fn.close()


@pytest.mark.parametrize("value", ["orders", "=http://x", "t=ftp://x", "t=http://h:1,batch=0", "t=http://h:1,nope"])
def test_option_is_checked(value):
    out = subprocess.run([DDBD_BIN, "--stream-trigger", value], capture_output=True, text=True, timeout=10)
    assert out.returncode == 2 and "--stream-trigger" in out.stderr


def test_a_trigger_on_a_table_without_a_stream_says_so(server_factory):
    """Issue 76, item 5: a trigger on a table with no stream delivered nothing and said nothing. Now
    the log says it, once, and says it again when the stream is enabled and delivery starts."""
    fn = Function()
    try:
        srv = server_factory(["--in-memory", "--admin", "--clock", "frozen", "--stream-trigger",
                              "quiet=%s" % fn.url])
        c = make_client(srv.endpoint)
        advance(srv, 10)  # a whole pass: no table yet
        assert "trigger quiet: there is no table quiet (yet)" in srv.stderr_text()
        c.create_table(TableName="quiet", BillingMode="PAY_PER_REQUEST",
                       AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                       KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        c.put_item(TableName="quiet", Item={"pk": S("a"), "v": N("1")})
        advance(srv, 10)
        log = srv.stderr_text()
        assert "trigger quiet: the table has no stream enabled, so its changes reach no trigger" in log, log
        advance(srv, 10)
        assert srv.stderr_text().count("the table has no stream enabled") == 1  # said once, not every pass
        c.update_table(TableName="quiet", StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        c.put_item(TableName="quiet", Item={"pk": S("b"), "v": N("2")})
        advance(srv, 10)
        fn.wait_for(1)
        assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in fn.records] == ["b"]
        assert "trigger quiet: the table's stream is enabled" in srv.stderr_text()
    finally:
        fn.close()
