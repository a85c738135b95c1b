"""`ddb replay` where a recording or a target is out of the ordinary (issue 72; docs/record-replay.md):
answers nested past ddbd's depth limit and times past any clock's range are said, never a crash;
--no-pipelining for a server that runs a connection's pipelined requests out of order; an SDK
recorder's recording, whose order across connections was never observed, is flagged; the clock steps
taken while recording are replayed. The servers run on a frozen clock at one instant; nothing here
waits for time to pass. DDB_BIN points the tests at another ddb (the sanitized build's)."""
import json
import os
import re
import subprocess
import sys
import threading

import pytest

from conftest import DDBD_BIN, N, S, make_client, unique_name
from helpers import LoopbackServer, admin_call

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "integrations", "record"))
import ddbd_record  # noqa: E402  (integrations/record/ddbd_record.py)

DDB_BIN = os.environ.get("DDB_BIN") or os.path.join(os.path.dirname(DDBD_BIN), "ddb")
T0 = 1767225600000
FROZEN = ["--clock", "frozen@%d" % T0]
DEEP = 100000


def replay(path, endpoint, *args):
    argv = [DDB_BIN, "replay", str(path), "--endpoint", endpoint] + list(args)
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert "Sanitizer" not in r.stderr and "runtime error" not in r.stderr, r.stderr[-3000:]  # a sanitized ddb's
    return r


def line(i, op="PutItem", request=None, response="{}", conn="1", t=T0):
    """One recorded request as text (the answer's text given as is: it may be no Python value)."""
    request = request if request is not None else {"TableName": "tbl", "Item": {"pk": S("k"), "n": N(i)}}
    return ('{"v":1,"t":%s,"conn":"%s","start":%d,"end":%d,"op":"%s","request":%s,"status":200,"outcome":"ok",'
            '"error":null,"response":%s}\n' % (t, conn, 10 * i + 1, 10 * i + 5, op, json.dumps(request), response))


class StandIn(LoopbackServer):
    """A server on loopback that answers each request with answer(body text) (a JSON text) and runs
    the requests that arrived together in one read last first (`reverse`), as a server that hands a
    connection's pipelined requests to workers does; what it ran, in order, is `ran` (each request's
    item's `n`). HTTP/1.1 answers still go in order."""

    def __init__(self, answer=lambda body: "{}", reverse=False):
        self.answer, self.reverse, self.ran = answer, reverse, []
        super().__init__()

    @staticmethod
    def requests(buf):
        """The whole requests at the head of buf (their bodies) and what is left."""
        bodies = []
        while True:
            head_end = buf.find(b"\r\n\r\n")
            if head_end < 0:
                return bodies, buf
            head = buf[:head_end].decode().lower().split("\r\n")
            clen = int([h.split(":", 1)[1] for h in head if h.startswith("content-length:")][0])
            if len(buf) < head_end + 4 + clen:
                return bodies, buf
            bodies.append(buf[head_end + 4:head_end + 4 + clen].decode())
            buf = buf[head_end + 4 + clen:]

    def serve(self, c):
        buf = b""
        while True:
            data = c.recv(1 << 20)
            if not data:
                c.close()
                return
            bodies, buf = self.requests(buf + data)
            for body in (reversed(bodies) if self.reverse else bodies):
                try:
                    n = json.loads(body)["Item"]["n"]["N"]
                except (ValueError, KeyError, TypeError):
                    n = None
                with self.lock:
                    self.ran.append(n)
            out = b""
            for body in bodies:
                text = self.answer(body).encode()
                out += (b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: %d\r\n\r\n"
                        % len(text)) + text
            c.sendall(out)


def test_answers_nested_past_ddbds_limit_are_divergences_not_a_crash(tmp_path):
    """A recorded answer, or a received one, nested 100,000 deep (a SIGSEGV before; under ASan from
    10,000) is reported as a divergence saying so: --check makes a tree of no answer deeper than
    ddbd itself reads back (DDB_JSON_RECORD_DEPTH, 256 levels). An answer 256 deep is compared."""
    deep = '{"Item":{"a":' + "[" * DEEP + "]" * DEEP + "}}"
    ok = '{"Item":{"a":' + "[" * 250 + "]" * 250 + "}}"
    path = tmp_path / "deep.jsonl"
    path.write_text(line(0, "GetItem", {"TableName": "tbl", "Key": {"pk": S("k")}}, deep) +
                    line(1, "PutItem") +
                    line(2, "Query", {"TableName": "tbl"}, ok) +
                    # a body that is not JSON, beside a deep answer: its text alone is read
                    '{"v":1,"t":%d,"conn":"1","start":100,"end":105,"op":"Scan","requestText":"not json",'
                    '"status":200,"outcome":"ok","error":null,"response":%s}\n' % (T0, deep))

    def answer(body):
        if body.startswith("{") and '"Item"' in body:
            return '{"Attributes":' + "[" * DEEP + "]" * DEEP + "}"  # the PutItem's: too deep
        return ok if body.startswith("{") and "Key" not in body else "{}"
    srv = StandIn(answer)
    try:
        r = replay(path, srv.endpoint, "--as-fast-as-possible", "--check")
    finally:
        srv.close()
    assert r.returncode == 1, (r.returncode, r.stdout[-2000:], r.stderr[-2000:])  # not -11 (SIGSEGV) nor 134
    out = r.stdout
    assert ("divergence: GetItem (line 1, connection 1): the recorded answer nests deeper than 256 levels "
            "(ddbd's limit): not compared") in out, out[:3000]
    assert ("divergence: PutItem (line 2, connection 1): the replayed answer nests deeper than 256 levels "
            "(ddbd's limit): not compared") in out, out[:3000]
    assert "divergence: Scan (line 4, connection 1): the recorded answer nests deeper" in out, out[:3000]
    assert "divergence: Query" not in out  # 250 deep: read, compared, the same
    assert "replayed 4 requests over 1 connection: 3 divergences in 3 operations" in out
    assert len(out) < 40000  # a deep answer is shown cut short


@pytest.mark.parametrize("member,text", [("t", "1e300"), ("t", "9223372036854775808"), ("t", "-9223372036854775809"),
                                         ("t", "-1e300"), ("t", "9007199254740993"), ("start", "1e300"),
                                         ("end", "18446744073709551616")])
def test_times_past_any_clocks_range_are_refused_with_the_line(tmp_path, member, text):
    """A time no clock holds (past +-2^53: not exact in a double, and t - t0 overflows a long long
    past +-2^63; UBSan aborted on both) is refused, naming the line and the member: exit status 2."""
    good = line(0)
    bad = line(1).replace('"%s":%d' % (member, {"t": T0, "start": 11, "end": 15}[member]), '"%s":%s' % (member, text))
    assert bad != line(1)
    path = tmp_path / "times.jsonl"
    path.write_text(good + bad)
    for args in (["--dry-run"], ["--as-fast-as-possible"]):
        r = replay(path, "http://127.0.0.1:9", *args)
        assert r.returncode == 2, (r.stdout, r.stderr)
        assert ('ddb: replay: line 2: "%s" is %s, out of range (a time is an integer from -2^53 to 2^53)'
                % (member, text)) in r.stderr, r.stderr


def test_times_at_the_range_edges_and_absent_members_are_read(tmp_path):
    """2^53 and -2^53 are times; a request without Key or Item, and a line without conn, are read
    and scheduled (the scanner once did arithmetic on their null spans: UBSan's abort)."""
    path = tmp_path / "edges.jsonl"
    path.write_text(line(0, t=-9007199254740992) + line(1, t=9007199254740992) +
                    line(2, "GetItem", {"TableName": "tbl"}) + line(3, "PutItem", {"TableName": "tbl"}) +
                    '{"v":1,"t":%d,"start":50,"end":55,"op":"BatchGetItem","request":{},"status":200}\n' % T0)
    r = replay(path, "http://127.0.0.1:9", "--dry-run")
    assert r.returncode == 0, r.stderr
    sched = [json.loads(s) for s in r.stdout.splitlines()]
    assert [s["line"] for s in sched] == [1, 2, 3, 4, 5]
    assert sched[1]["at"] == 2 ** 54  # ms from the first (-2^53): exact


def test_a_closer_where_a_value_goes_is_no_value_and_the_replay_goes_on(tmp_path):
    """A recorded CreateTable whose KeySchema holds a '}' where an element goes ("[}": no JSON, found by
    fuzz_replay) held the reader at that '}' for ever: the scanner took it for an empty value and
    never moved past it. It is read as no schema, and the line is replayed as recorded."""
    path = tmp_path / "closer.jsonl"
    path.write_text('{"v":1,"t":%d,"conn":"1","start":1,"end":5,"op":"CreateTable","status":200,"outcome":"ok",'
                    '"request":{"TableName":"tbl","KeySchema":[}]}}\n' % T0
                    + line(1, "GetItem", {"TableName": "tbl", "Key": {"pk": S("k")}}))
    r = replay(path, "http://127.0.0.1:9", "--dry-run")
    assert r.returncode == 0, r.stderr
    assert [json.loads(s)["op"] for s in r.stdout.splitlines()] == ["CreateTable", "GetItem"]


def test_no_pipelining_sends_a_connections_next_request_once_its_previous_is_answered(tmp_path):
    """A server that runs the requests it read together last first (it answers them in order, as
    HTTP/1.1 says, but runs them side by side) breaks a connection's order when the replay sends a
    request behind the one before (pipelining). --no-pipelining sends each once the previous is
    answered: the server runs the recording's order, and nothing is sent behind another."""
    path = tmp_path / "one-conn.jsonl"
    path.write_text("".join(line(i) for i in range(40)))
    srv = StandIn(reverse=True)
    try:
        r = replay(path, srv.endpoint, "--as-fast-as-possible", "--check", "--no-pipelining")
        assert r.returncode == 0, r.stdout + r.stderr
        assert srv.ran == [str(i) for i in range(40)]
        assert "replayed 40 requests over 1 connection: 0 divergences" in r.stdout
        # at most one in flight; how many waited for their previous one's answer depends on whether
        # it came before the replayer read the next line (CI's faster machine: fewer than 39)
        m = re.search(r"at most (\d+) in flight; waits: (\d+) by connection", r.stdout)
        assert m and m.group(1) == "1" and int(m.group(2)) <= 39, r.stdout
        assert "; 0 sent behind their connection's previous request" in r.stdout
        help_text = subprocess.run([DDB_BIN, "help", "replay"], capture_output=True, text=True).stdout
        assert "--no-pipelining" in help_text
    finally:
        srv.close()


def counter_clients(srv, recorder=None, clients=3, adds=15):
    """clients boto3 clients (threads), each adding 1 to one counter adds times, answers UPDATED_NEW:
    every answer depends on the order the server ran them in."""
    name = unique_name("ctr")
    ddb = make_client(srv.endpoint)
    if recorder is not None:
        recorder.attach(ddb)
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])

    def run():
        c = make_client(srv.endpoint)
        if recorder is not None:
            recorder.attach(c)
        for _ in range(adds):
            c.update_item(TableName=name, Key={"pk": S("c")}, UpdateExpression="ADD n :one",
                          ExpressionAttributeValues={":one": N(1)}, ReturnValues="UPDATED_NEW")
    threads = [threading.Thread(target=run) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return name


UNOBSERVED = ("; recorded by an SDK recorder, its order across connections was never observed: divergences may be "
              "that order, not bugs")


def test_an_sdk_recorders_recording_of_concurrent_clients_says_its_order_was_never_observed(server_factory, tmp_path):
    """Three clients adding to one counter, recorded by the botocore hook: the hook's start and end
    are each client's, so which add the server ran first is not in the recording and a replay may
    run them otherwise (48-54 divergences in the issue's run). --check says so on its report line;
    a ddbd recording of the same (the server's own order) does not."""
    path = tmp_path / "sdk.jsonl"
    srv = server_factory(("--in-memory",) + tuple(FROZEN))
    with ddbd_record.Recorder(str(path)) as rec:
        counter_clients(srv, rec)
    recs = [json.loads(x) for x in open(path)]
    assert len(recs) == 46 and all(r["recorder"] == "ddbd_record.py" for r in recs)
    fresh = server_factory(("--in-memory",) + tuple(FROZEN))
    r = replay(path, fresh.endpoint, "--as-fast-as-possible", "--check")
    first = [x for x in r.stdout.splitlines() if x.startswith("replayed 46 requests")]
    assert first and first[0].endswith(UNOBSERVED), r.stdout

    served = tmp_path / "ddbd.jsonl"
    rec_srv = server_factory(("--in-memory", "--record", str(served)) + tuple(FROZEN))
    counter_clients(rec_srv)
    assert rec_srv.stop() == 0
    fresh = server_factory(("--in-memory",) + tuple(FROZEN))
    r = replay(served, fresh.endpoint, "--as-fast-as-possible", "--check")
    assert "replayed 46 requests" in r.stdout and "never observed" not in r.stdout, r.stdout


def test_one_sdk_connection_or_an_older_sdk_line_is_flagged_only_across_connections(server_factory, tmp_path):
    """The flag is about the order across connections: one SDK connection's recording (its own order
    is its client's) is not flagged; lines from before the "recorder" member are known by their
    connection's name (py-PID-THREAD, js-PID-N)."""
    fresh = server_factory(("--in-memory",) + tuple(FROZEN))
    one = tmp_path / "one.jsonl"
    one.write_text(line(0, "ListTables", {}, '{"TableNames":[]}', conn="py-1-2"))
    r = replay(one, fresh.endpoint, "--as-fast-as-possible", "--check")
    assert r.returncode == 0 and "never observed" not in r.stdout, r.stdout
    two = tmp_path / "two.jsonl"
    two.write_text(line(0, "ListTables", {}, '{"TableNames":[]}', conn="py-1-2") +
                   line(1, "ListTables", {}, '{"TableNames":[]}', conn="js-7-1"))
    r = replay(two, fresh.endpoint, "--as-fast-as-possible", "--check")
    assert r.returncode == 0 and r.stdout.splitlines()[0].endswith(UNOBSERVED), r.stdout


def ttl_session(srv):
    """A table with TTL, an item expiring in an hour, the clock stepped a day (the TTL sweep deletes
    it at the step), and a Scan: the item is gone."""
    name = unique_name("ttl")
    ddb = make_client(srv.endpoint)
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    ddb.put_item(TableName=name, Item={"pk": S("a"), "exp": N(T0 // 1000 + 3600)})
    ddb.put_item(TableName=name, Item={"pk": S("b")})
    assert ddb.scan(TableName=name, Select="COUNT")["Count"] == 2
    status, _ = admin_call(srv.endpoint, "POST", "/ddbd/clock", {"advance": 86400000})
    assert status == 200
    assert ddb.scan(TableName=name, Select="COUNT")["Count"] == 1
    ddb.put_item(TableName=name, Item={"pk": S("c"), "exp": N(T0 // 1000 + 86400 + 60)})
    return name


def test_the_clock_steps_taken_while_recording_are_replayed_in_their_place(server_factory, tmp_path):
    """A step of the clock (POST /ddbd/clock) taken while recording is a line of the recording, and
    the replay takes it on the target's admin door after every request before it and before every
    request after it: the TTL delete it made happens there too, and the replay of the session into
    a fresh frozen-clock server has 0 divergences (the Scan after the step saw 2 items before)."""
    path = tmp_path / "ttl.jsonl"
    srv = server_factory(("--in-memory", "--admin", "--record", str(path)) + tuple(FROZEN))
    ttl_session(srv)
    assert srv.stop() == 0
    recs = [json.loads(x) for x in open(path)]
    steps = [r for r in recs if "clock" in r]
    assert len(recs) == 8 and len(steps) == 1, recs
    assert steps[0]["clock"] == {"advance": 86400000} and steps[0]["op"] is None and steps[0]["status"] == 200
    assert steps[0]["response"]["now"] == T0 + 86400000 and steps[0]["t"] == T0 + 86400000
    fresh = server_factory(("--in-memory", "--admin") + tuple(FROZEN))
    r = replay(path, fresh.endpoint, "--as-fast-as-possible", "--check")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "replayed 8 requests over 2 connections: 0 divergences; 1 clock step" in r.stdout, r.stdout
    assert admin_call(fresh.endpoint, "GET", "/ddbd/clock")[1]["now"] == T0 + 86400000

    closed = server_factory(("--in-memory",) + tuple(FROZEN))  # no admin door: the step is refused, said
    r = replay(path, closed.endpoint, "--as-fast-as-possible", "--check")
    assert r.returncode == 1
    assert ("ddb: replay: a clock step (line %d) was refused (status 404): replaying one needs the target's admin "
            "door (ddbd --admin)" % (recs.index(steps[0]) + 1)) in r.stderr, r.stderr
    assert "divergence: /ddbd/clock" in r.stdout and "divergence: Scan" in r.stdout, r.stdout
