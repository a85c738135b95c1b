"""Record and replay (issue 66, section 1; docs/record-replay.md): ddbd --record FILE and
/ddbd/record write every API request with its answer as a JSON line; `ddb replay FILE --check` sends
them to another server and compares every answer; the botocore hook of integrations/record/ writes
the same format from the client's side. Each server runs on a frozen clock at the same instant, so
the two runs see the same time and nothing here waits for time to pass."""
import json
import os
import stat
import subprocess
import sys

import boto3
import memcheck  # tests/harness/memcheck.py: `ddb replay` under valgrind with $DDBD_VALGRIND
import pytest

from conftest import ACCESS_KEY, DDBD_BIN, N, S, SECRET_KEY, make_client, raw_request, unique_name
from helpers import LoopbackServer, admin_call, key_client

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "integrations", "record"))
import ddbd_record  # noqa: E402  (integrations/record/ddbd_record.py)

DDB_BIN = os.path.join(os.path.dirname(DDBD_BIN), "ddb")
FROZEN = ["--clock", "frozen@1767225600000"]
RULES = {"key": "8c1f0e5b7a9d2c4e6f80", "attributes": {"email": "hash", "ssn": "redact", "notes": "drop"}}


def replay(path, endpoint, *args):
    argv = memcheck.wrap("ddb", [DDB_BIN, "replay", str(path), "--endpoint", endpoint] + list(args))
    return subprocess.run(argv, capture_output=True, text=True, timeout=120 * memcheck.SLOWDOWN)


def lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def usage(endpoint):
    status, report = admin_call(endpoint, "GET", "/ddbd/usage")
    assert status == 200, report
    return report


def workload(ddb, name):
    """Items, batches, transactions, paging, a GSI query and errors, as one client sends them."""
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "N"},
                                           {"AttributeName": "g", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                     GlobalSecondaryIndexes=[{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                              "Projection": {"ProjectionType": "ALL"}}])
    for i in range(6):
        ddb.put_item(TableName=name, Item={"pk": S("a"), "sk": N(i), "g": S("even" if i % 2 == 0 else "odd"),
                                           "tags": {"SS": ["x%d" % i, "y", "z"]}, "email": S("u%d@example.com" % i)})
    ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": {"pk": S("b"), "sk": N(i), "g": S("even")}}}
                                              for i in range(5)]})
    ddb.batch_get_item(RequestItems={name: {"Keys": [{"pk": S("a"), "sk": N(i)} for i in range(4)]}},
                       ReturnConsumedCapacity="TOTAL")
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": {"pk": S("t"), "sk": N(1), "ssn": S("123-45-6789")}}},
        {"Update": {"TableName": name, "Key": {"pk": S("a"), "sk": N(0)}, "UpdateExpression": "SET n = :one",
                    "ExpressionAttributeValues": {":one": N(1)}}}])
    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.transact_write_items(TransactItems=[
            {"ConditionCheck": {"TableName": name, "Key": {"pk": S("a"), "sk": N(1)},
                                "ConditionExpression": "attribute_not_exists(pk)"}}])
    ddb.transact_get_items(TransactItems=[{"Get": {"TableName": name, "Key": {"pk": S("t"), "sk": N(1)}}}])
    page = {"LastEvaluatedKey": None}
    start = {}
    while "LastEvaluatedKey" in page:  # three pages of two, and the last (empty) one
        page = ddb.query(TableName=name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("a")},
                         Limit=2, ReturnConsumedCapacity="INDEXES", **start)
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]} if "LastEvaluatedKey" in page else {}
    ddb.query(TableName=name, IndexName="byG", KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": S("even")})
    ddb.update_item(TableName=name, Key={"pk": S("a"), "sk": N(2)}, UpdateExpression="ADD c :one",
                    ExpressionAttributeValues={":one": N(5)}, ReturnValues="ALL_NEW")
    ddb.get_item(TableName=name, Key={"pk": S("a"), "sk": N(2)})
    ddb.scan(TableName=name, Select="COUNT")
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.put_item(TableName=name, Item={"pk": S("a"), "sk": N(3)}, ConditionExpression="attribute_not_exists(pk)")
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.get_item(TableName=name + "-missing", Key={"pk": S("a"), "sk": N(1)})
    with pytest.raises(ddb.exceptions.ClientError):  # ValidationException: no such key attribute
        ddb.get_item(TableName=name, Key={"nope": S("a")})
    ddb.delete_item(TableName=name, Key={"pk": S("b"), "sk": N(0)}, ReturnValues="ALL_OLD")
    ddb.describe_table(TableName=name)


@pytest.fixture
def recorded(server_factory, tmp_path):
    """A mixed workload recorded with --record: (the file, the original run's usage report)."""
    path = tmp_path / "traffic.jsonl"
    srv = server_factory(("--in-memory", "--admin", "--record", str(path)) + tuple(FROZEN))
    workload(make_client(srv.endpoint), unique_name("rr"))
    report = usage(srv.endpoint)
    assert srv.stop() == 0  # the last lines are written at the stop
    return path, report


def test_a_recording_holds_every_request_with_its_answer(recorded):
    path, _ = recorded
    recs = lines(path)
    ops = [r["op"] for r in recs]
    assert ops[0] == "CreateTable" and ops.count("PutItem") == 7 and ops.count("Query") == 5
    assert len(recs) == 25
    assert oct(stat.S_IMODE(os.stat(path).st_mode)) == oct(0o600)  # a recording is data
    for r in recs:
        assert r["v"] == 1 and r["t"] == 1767225600000 and r["start"] <= r["end"] and r["conn"]
        assert isinstance(r["request"], dict) and r["requestId"]
    failed = [r for r in recs if r["status"] != 200]
    assert [(r["op"], r["outcome"], r["error"]) for r in failed] == [
        ("TransactWriteItems", "error", "TransactionCanceledException"),
        ("PutItem", "error", "ConditionalCheckFailedException"),
        ("GetItem", "error", "ResourceNotFoundException"),
        ("GetItem", "error", "ValidationException")]
    assert failed[0]["response"]["__type"].endswith("#TransactionCanceledException")
    get = [r for r in recs if r["op"] == "GetItem" and r["status"] == 200][0]
    assert get["response"]["Item"]["c"] == {"N": "5"}


def test_a_replay_against_a_fresh_server_has_no_divergence_and_the_same_usage(recorded, server_factory):
    path, report = recorded
    fresh = server_factory(("--in-memory", "--admin") + tuple(FROZEN))
    r = replay(path, fresh.endpoint, "--as-fast-as-possible", "--check")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "replayed 25 requests" in r.stdout and ": 0 divergences" in r.stdout, r.stdout
    assert usage(fresh.endpoint) == report  # the replay's forecast is the original run's


def test_a_planted_difference_is_the_first_divergence_with_both_answers(recorded, server_factory, tmp_path):
    path, _ = recorded
    recs = lines(path)
    gets = [i for i, r in enumerate(recs) if r["op"] == "GetItem" and r["status"] == 200]
    recs[gets[0]]["response"]["Item"]["c"] = {"N": "6"}  # the server answers 5
    errs = [i for i, r in enumerate(recs) if r["error"] == "ResourceNotFoundException"]
    recs[errs[0]]["response"]["__type"] = "com.amazonaws.dynamodb.v20120810#ValidationException"
    recs[errs[0]]["error"] = "ValidationException"
    pages = [i for i, r in enumerate(recs) if r["op"] == "Query" and "LastEvaluatedKey" in r["response"]]
    recs[pages[0]]["response"]["LastEvaluatedKey"]["sk"] = N(9)
    planted = tmp_path / "planted.jsonl"
    planted.write_text("".join(json.dumps(r) + "\n" for r in recs))
    fresh = server_factory(("--in-memory",) + tuple(FROZEN))
    r = replay(planted, fresh.endpoint, "--as-fast-as-possible", "--check")
    assert r.returncode == 1, r.stdout + r.stderr
    out = r.stdout
    assert ": 3 divergences in 2 operations" in out, out
    g = out[out.index("divergence: GetItem (line %d," % (gets[0] + 1)):]
    assert "at .Item.c" in g.split("\n")[0]
    assert '"c":{"N":"6"}' in g.split("\n")[1] and g.split("\n")[1].lstrip().startswith("recorded: 200 ")
    assert '"c":{"N":"5"}' in g.split("\n")[2] and g.split("\n")[2].lstrip().startswith("replayed: 200 ")
    assert "divergence: GetItem (line %d," % (errs[0] + 1) not in out  # one per operation: the first
    q = out[out.index("divergence: Query (line %d," % (pages[0] + 1)):]
    assert "at .LastEvaluatedKey.sk" in q.split("\n")[0]
    assert "divergence: GetItem" in out and out.count("divergence: GetItem") == 1
    assert "(1 more GetItem divergence)" in out


def test_a_replay_keeps_going_without_check_and_says_what_it_sent(recorded, server_factory):
    path, _ = recorded
    fresh = server_factory(("--in-memory",) + tuple(FROZEN))
    r = replay(path, fresh.endpoint, "--speed", "1000")
    assert r.returncode == 0 and r.stdout.startswith("replayed 25 requests"), r.stdout + r.stderr
    assert "divergence" not in r.stdout


def test_the_schedule_follows_the_recorded_pace(tmp_path):
    """--dry-run prints each request's due time (ms from the start) and the requests it waits for:
    the pacing arithmetic and the order, with no server and no clock."""
    def rec(t, conn, start, end, op, req):
        return {"v": 1, "t": t, "conn": conn, "start": start, "end": end, "op": op, "request": req, "status": 200}
    a, b = {"pk": S("a")}, {"pk": S("b")}
    recs = [rec(1000, "1", 10, 20, "GetItem", {"TableName": "T", "Key": a}),
            rec(1500, "2", 15, 40, "PutItem", {"TableName": "T", "Item": dict(a, x=S("1"))}),
            rec(3000, "1", 30, 50, "PutItem", {"TableName": "T", "Item": dict(b, x=S("2"))}),
            rec(3000, "3", 45, 55, "GetItem", {"TableName": "T", "Key": a}),
            {"v": 1, "t": 3000, "conn": "3", "start": 60, "end": 70, "op": None, "requestText": "x"},
            rec(3500, "4", 56, 80, "Scan", {"TableName": "T"})]
    path = tmp_path / "paced.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))

    def schedule(*args):
        r = replay(path, "http://127.0.0.1:9", "--dry-run", *args)
        assert r.returncode == 0, r.stderr
        return sorted((s["line"], s["at"], s["after"]) for s in map(json.loads, r.stdout.splitlines()))

    # 3 after 1 (its connection); 2 and 3 (other items, 2 still running when 3 arrived) not ordered;
    # 4 reads the item 2 wrote before it arrived; 5 is not sent; the Scan after both writes, not the reads
    assert schedule() == [(1, 0, []), (2, 500, []), (3, 2000, [1]), (4, 2000, [2]), (5, 2000, []), (6, 2500, [2, 3])]
    assert [at for _, at, _ in schedule("--speed", "2")] == [0, 250, 1000, 1000, 1000, 1250]
    assert [at for _, at, _ in schedule("--as-fast-as-possible")] == [0] * 6
    bad = replay(path, "http://127.0.0.1:9", "--speed", "0")
    assert bad.returncode == 2 and "--speed: '0' is not a positive number" in bad.stderr
    both = replay(path, "http://127.0.0.1:9", "--speed", "2", "--as-fast-as-possible")
    assert both.returncode == 2 and "not both" in both.stderr
    (tmp_path / "bad.jsonl").write_text('{"v":1}\nnot json\n')
    r = replay(tmp_path / "bad.jsonl", "http://127.0.0.1:9")
    assert r.returncode == 2 and "line 2 is not a recorded request" in r.stderr


def two_clients(server_factory, tmp_path, steps, server=(), **create):
    """A recording of two boto3 clients (two connections) on one table, taking turns: steps is a
    list of (client 0 or 1, method, kwargs). Each call is answered before the next is sent, so
    every request arrived after all earlier ones were answered: the order of the whole session.
    `server`: more ddbd options; `create`: more CreateTable members."""
    path = tmp_path / "two.jsonl"
    srv = server_factory(("--in-memory", "--record", str(path)) + tuple(FROZEN) + tuple(server))
    clients = [make_client(srv.endpoint), make_client(srv.endpoint)]
    name = unique_name("tc")
    clients[0].create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], **create)
    for who, method, kwargs in steps:
        getattr(clients[who], method)(TableName=name, **kwargs)
    assert srv.stop() == 0
    recs = lines(path)
    assert len({r["conn"] for r in recs}) == 2  # one connection per client
    return path, recs


def by_arrival(recs):
    """The file's line numbers in arrival order (`start`): ddbd writes each HTTP thread's lines in
    batches, so two connections' lines need not be in the file in the order they came."""
    return [i + 1 for i in sorted(range(len(recs)), key=lambda i: recs[i]["start"])]


def order_line(out):
    return [line for line in out.splitlines() if line.startswith("order: ")][0]


def test_connections_that_do_not_conflict_are_replayed_side_by_side(server_factory, tmp_path):
    """Two clients writing items of their own, in turns: each request arrived after every earlier
    one was answered, yet only its own connection's previous request (and the table's creation)
    orders it, so the two connections are replayed side by side: both first puts are in flight at
    once, which a replay keeping the session's whole order never does."""
    steps = [(i % 2, "put_item", {"Item": {"pk": S("c%d-%d" % (i % 2, i)), "n": N(i)}}) for i in range(8)]
    path, recs = two_clients(server_factory, tmp_path, steps)
    r = replay(path, "http://127.0.0.1:9", "--dry-run")
    assert r.returncode == 0, r.stderr
    sched = {s["line"]: s for s in map(json.loads, r.stdout.splitlines())}
    conn_of = {i + 1: rec["conn"] for i, rec in enumerate(recs)}
    arrived = by_arrival(recs)
    assert sched[arrived[0]]["after"] == []  # the CreateTable
    for at, line in enumerate(arrived[1:], 1):
        same = [k for k in arrived[1:at] if conn_of[k] == conn_of[line]]
        assert sorted(sched[line]["after"]) == sorted(arrived[:1] + same[-1:]), (line, sched[line])  # not the other's
    fresh = server_factory(("--in-memory",) + tuple(FROZEN))
    r = replay(path, fresh.endpoint, "--as-fast-as-possible", "--check")
    assert r.returncode == 0 and ": 0 divergences" in r.stdout, r.stdout + r.stderr
    in_flight = int(order_line(r.stdout).split("at most ")[1].split()[0])
    assert in_flight >= 2, r.stdout  # the two connections' first puts went together


def test_writes_to_a_table_with_a_stream_keep_their_order_across_connections(server_factory, tmp_path):
    """The same two clients writing items of their own, on a table with a stream: its shards show the
    writes in their commit order, whatever their items, so each write waits for the other
    connection's write answered before it arrived, and the replay's records come in the recorded
    order (model seed 726526134: a lost answer moved the model's requests to a new connection, and
    a replay that wrote two items side by side put a shard's records in another order). Once the
    stream is disabled, the writes go side by side again."""
    steps = [(i % 2, "put_item", {"Item": {"pk": S("c%d-%d" % (i % 2, i)), "n": N(i)}}) for i in range(6)]
    steps.append((0, "update_table", {"StreamSpecification": {"StreamEnabled": False}}))
    steps += [(i % 2, "put_item", {"Item": {"pk": S("d%d-%d" % (i % 2, i))}}) for i in range(4)]
    path, recs = two_clients(server_factory, tmp_path, steps,
                             StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    r = replay(path, "http://127.0.0.1:9", "--dry-run")
    assert r.returncode == 0, r.stderr
    sched = {s["line"]: s for s in map(json.loads, r.stdout.splitlines())}
    conn_of = {i + 1: rec["conn"] for i, rec in enumerate(recs)}
    arrived = by_arrival(recs)
    for at in range(2, 7):  # each put after the one before it, on the other connection
        line, before = arrived[at], arrived[at - 1]
        assert conn_of[line] != conn_of[before] and before in sched[line]["after"], (line, sched[line])
    for at in range(9, 12):  # the stream disabled: after their own connection's request and the UpdateTable
        line, before = arrived[at], arrived[at - 1]
        assert conn_of[line] != conn_of[before] and before not in sched[line]["after"], (line, sched[line])
    fresh = server_factory(("--in-memory",) + tuple(FROZEN))
    r = replay(path, fresh.endpoint, "--as-fast-as-possible", "--check")
    assert r.returncode == 0 and ": 0 divergences" in r.stdout, r.stdout + r.stderr


def test_a_write_and_a_later_read_on_another_connection_stay_ordered(server_factory, tmp_path):
    """Client 0 writes an item, client 1 reads it, again and again with new values: each read
    arrived after the write was answered and sees it, so the replay sends it only once that write
    is answered again (a conflict: one item, a write), whatever the connections. Replayed several
    times against fresh servers, every read sees its write: 0 divergences."""
    steps = []
    for i in range(6):
        steps.append((0, "put_item", {"Item": {"pk": S("x"), "v": N(i)}}))
        steps.append((1, "get_item", {"Key": {"pk": S("x")}, "ConsistentRead": True}))
        steps.append((1, "put_item", {"Item": {"pk": S("other-%d" % i)}}))  # no conflict with client 0
    path, recs = two_clients(server_factory, tmp_path, steps)
    arrived = by_arrival(recs)
    assert [recs[k - 1]["response"]["Item"]["v"] for k in arrived if recs[k - 1]["op"] == "GetItem"] == [N(i) for i in range(6)]
    r = replay(path, "http://127.0.0.1:9", "--dry-run")
    sched = {s["line"]: s for s in map(json.loads, r.stdout.splitlines())}
    for i in range(6):
        put, get, other = arrived[1 + 3 * i], arrived[2 + 3 * i], arrived[3 + 3 * i]
        assert put in sched[get]["after"], sched[get]  # the read waits for the write it saw
        if i > 0:
            assert arrived[3 * i - 1] in sched[put]["after"], sched[put]  # and the next write for that read
        assert put not in sched[other]["after"]  # another item: not ordered by the write
    for _ in range(4):
        fresh = server_factory(("--in-memory",) + tuple(FROZEN))
        r = replay(path, fresh.endpoint, "--as-fast-as-possible", "--check")
        assert r.returncode == 0 and "replayed 19 requests" in r.stdout and ": 0 divergences" in r.stdout, r.stdout
        assert " 0 by conflict" not in order_line(r.stdout)


def test_under_enforced_capacity_a_tables_reads_keep_their_order_across_connections(server_factory, tmp_path):
    """Under --enforce-capacity whether a read is throttled depends on what the reads before it drew
    from the table's bucket, whatever their items: client 0 Scans a table of 1 RCU (drawing its
    bucket below zero), then client 1's GetItem is throttled. A Scan and a GetItem do not conflict,
    so a replay sent them side by side, and at times the other way round: the GetItem answered, the
    Scan throttled (model seed 5550632). The recorded throttle tells the replay that the table's
    capacity is enforced, and from then on its charged requests keep their order (the Scan before
    the throttled GetItem, the GetItem before the next Scan), while a DescribeTable, which draws
    nothing, waits for no Scan of the other connection."""
    path = tmp_path / "cap.jsonl"
    args = ("--in-memory", "--enforce-capacity") + tuple(FROZEN)
    srv = server_factory(args + ("--record", str(path)))
    clients = [make_client(srv.endpoint), make_client(srv.endpoint)]   # (one attempt a call)
    name = unique_name("cap")
    clients[0].create_table(TableName=name, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                            ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1000})
    for i in range(40):   # 40 items of 3 KB: a Scan of 120 KB draws 15 units (eventually consistent)
        clients[0].put_item(TableName=name, Item={"pk": S("k%02d" % i), "v": S("x" * 3000)})
    outcomes = []
    for _ in range(3):   # a new table's bucket holds a second's units: the first Scan overdraws it
        for who, call in ((0, lambda c: c.scan(TableName=name)), (1, lambda c: c.describe_table(TableName=name)),
                          (1, lambda c: c.get_item(TableName=name, Key={"pk": S("k00")}))):
            try:
                call(clients[who])
                outcomes.append("ok")
            except clients[who].exceptions.ProvisionedThroughputExceededException:
                outcomes.append("throttled")
    assert srv.stop() == 0
    assert outcomes[:3] == ["ok", "ok", "throttled"], outcomes
    recs = lines(path)
    arrived = by_arrival(recs)
    op_of = {i + 1: rec["op"] for i, rec in enumerate(recs)}
    r = replay(path, "http://127.0.0.1:9", "--dry-run")
    assert r.returncode == 0, r.stderr
    sched = {s["line"]: s for s in map(json.loads, r.stdout.splitlines())}
    reads = [k for k in arrived if op_of[k] in ("Scan", "GetItem")]
    for before, line in zip(reads, reads[1:]):   # each after the read before it, on the other connection
        assert before in sched[line]["after"], (line, op_of[line], before, sched[line])
    describes = [k for k in arrived if op_of[k] == "DescribeTable"]
    assert describes and all(not any(op_of[a] == "Scan" for a in sched[k]["after"]) for k in describes)  # (client 0's)
    for _ in range(3):
        fresh = server_factory(args)
        r = replay(path, fresh.endpoint, "--as-fast-as-possible", "--check")
        assert r.returncode == 0 and ": 0 divergences" in r.stdout, r.stdout + r.stderr


STALE = ("--stale-reads", "2000", "--consistency-seed", "7")


def test_under_stale_reads_a_tables_eventually_consistent_reads_keep_their_order_across_connections(
        server_factory, tmp_path):
    """Under --stale-reads each eventually consistent read of a table takes the next draw of the
    table's sequence, which says whether it misses the writes of the window, whatever its item.
    Client 0 reads the table's items 24 times, then client 1 reads once, and so on: reads do not
    conflict, so a replay sent client 0's reads one behind the other on its connection and client
    1's at once, ahead of them, and the draws went to other reads than recorded (model seed
    1866905931). Each such line says it drew (`draws`), and those reads keep their recorded order;
    a strongly consistent read and a write draw nothing, say nothing and wait for no read."""
    steps = [(0, "put_item", {"Item": {"pk": S("k%d" % i), "v": N(i)}}) for i in range(8)]
    for round_ in range(3):
        steps += [(0, "get_item", {"Key": {"pk": S("k%d" % (i % 8))}}) for i in range(24)]
        steps += [(1, "get_item", {"Key": {"pk": S("k%d" % round_)}}),
                  (1, "get_item", {"Key": {"pk": S("k%d" % round_)}, "ConsistentRead": True}),
                  (1, "scan", {}),
                  (1, "put_item", {"Item": {"pk": S("w%d" % round_)}})]
    path, recs = two_clients(server_factory, tmp_path, steps, server=STALE)
    arrived = by_arrival(recs)
    reads = [k for k in arrived if recs[k - 1]["op"] in ("GetItem", "Scan") and
             not recs[k - 1]["request"].get("ConsistentRead")]
    assert all(recs[k - 1].get("draws") == 1 for k in reads)
    assert all("draws" not in recs[k - 1] for k in arrived if k not in reads)
    missed = [("Item" not in recs[k - 1]["response"]) for k in reads if recs[k - 1]["op"] == "GetItem"]
    assert 10 < sum(missed) < len(missed) - 10, missed   # (the window's writes missed by about half)
    r = replay(path, "http://127.0.0.1:9", "--dry-run")
    assert r.returncode == 0, r.stderr
    sched = {s["line"]: s for s in map(json.loads, r.stdout.splitlines())}
    for before, line in zip(reads, reads[1:]):
        assert before in sched[line]["after"], (line, before, sched[line])
    for k in arrived:
        if k not in reads and recs[k - 1]["op"] != "CreateTable":
            assert not any(a in reads and recs[a - 1]["conn"] != recs[k - 1]["conn"] for a in sched[k]["after"])
    for _ in range(3):
        fresh = server_factory(("--in-memory",) + tuple(FROZEN) + STALE)
        r = replay(path, fresh.endpoint, "--as-fast-as-possible", "--check")
        assert r.returncode == 0 and ": 0 divergences" in r.stdout, r.stdout + r.stderr


def sent_behind(out):
    """How many requests the replay sent behind their connection's previous one, from its report."""
    tail = order_line(out).split("; ")[-1]
    assert tail.endswith(" sent behind their connection's previous request"), out
    return int(tail.split()[0])


def test_a_connections_requests_go_behind_each_other_and_keep_its_order(server_factory, tmp_path):
    """One client writes an item and reads it back, again and again with new values: each request
    arrived after the one before it was answered. The replay does not wait for those answers: it
    sends each request behind the one before on one connection (HTTP/1.1 pipelining), and the server
    answers a connection's requests one after the other, so every read still sees the write before
    it (0 divergences) while many are in flight at once."""
    path = tmp_path / "one.jsonl"
    srv = server_factory(("--in-memory", "--record", str(path)) + tuple(FROZEN))
    ddb = make_client(srv.endpoint)
    name = unique_name("pl")
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    for i in range(30):
        ddb.put_item(TableName=name, Item={"pk": S("x"), "v": N(i)})
        ddb.get_item(TableName=name, Key={"pk": S("x")}, ConsistentRead=True)
    assert srv.stop() == 0
    assert len({r["conn"] for r in lines(path)}) == 1
    for _ in range(3):
        fresh = server_factory(("--in-memory",) + tuple(FROZEN))
        r = replay(path, fresh.endpoint, "--as-fast-as-possible", "--check")
        assert r.returncode == 0 and "replayed 61 requests" in r.stdout and ": 0 divergences" in r.stdout, r.stdout
        assert sent_behind(r.stdout) >= 45, r.stdout  # at most 16 on a connection: a few wait for an answer
        assert int(order_line(r.stdout).split("at most ")[1].split()[0]) >= 8, r.stdout
        assert " 0 by conflict" in order_line(r.stdout)  # its own connection's order covers its conflicts


class ClosingServer(LoopbackServer):
    """A stand-in server on loopback that answers every request `{}` and ends each connection after
    its `per_conn`-th answer (saying so with Connection: close when `says`), without executing what
    was sent behind it: what it executed, in order, is `seen` (each request's item's `n`)."""

    def __init__(self, per_conn, says=True):
        self.per_conn, self.says, self.seen, self.conns = per_conn, says, [], 0
        super().__init__()

    def accepted(self):
        with self.lock:
            self.conns += 1

    def serve(self, c):
        import socket
        answered = 0
        for _, body in requests_of(c):
            with self.lock:
                self.seen.append(json.loads(body)["Item"]["n"]["N"])
            answered += 1
            last = answered == self.per_conn
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\n"
                      + (b"Connection: close\r\n" if last and self.says else b"") + b"\r\n{}")
            if last:  # what came behind it is dropped, unread, as a server that closes does
                c.shutdown(socket.SHUT_WR)
                while c.recv(65536):
                    pass
                break
        c.close()


def replay_into(srv, path, *args):
    """`ddb replay` of path into the stand-in server srv, which is closed after."""
    try:
        return replay(path, srv.endpoint, *args)
    finally:
        srv.close()


def requests_of(c):
    """Each HTTP request read from socket c, as it comes: its head's lines (lower case) and its
    body; until the peer closes."""
    buf = b""
    while True:
        head_end = buf.find(b"\r\n\r\n")
        if head_end >= 0:
            head = buf[:head_end].decode().lower().split("\r\n")
            clen = int([h.split(":", 1)[1] for h in head if h.startswith("content-length:")][0])
            if len(buf) >= head_end + 4 + clen:
                body, buf = buf[head_end + 4:head_end + 4 + clen], buf[head_end + 4 + clen:]
                yield head, body
                continue
        data = c.recv(65536)
        if not data:
            return
        buf += data


@pytest.mark.parametrize("says", [True, False], ids=["connection-close", "unannounced"])
def test_requests_behind_an_answer_that_closes_its_connection_are_sent_again(tmp_path, says):
    """A server that ends a connection after its third answer (saying so with Connection: close, or
    not, as a proxy with a limit of requests a connection may) never read the requests the replay
    had sent behind that one: they go again, in order, on a new connection, and each is executed
    once."""
    path = tmp_path / "closing.jsonl"
    with open(path, "w") as f:
        for i in range(20):
            f.write(json.dumps({"v": 1, "t": 1767225600000, "conn": "1", "start": 10 * i + 1, "end": 10 * i + 5,
                                "op": "PutItem", "request": {"TableName": "tbl", "Item": {"pk": S("k"), "n": N(i)}},
                                "status": 200, "outcome": "ok", "error": None, "response": {}}) + "\n")
    srv = ClosingServer(per_conn=3, says=says)
    r = replay_into(srv, path, "--as-fast-as-possible", "--check")
    assert r.returncode == 0 and "replayed 20 requests" in r.stdout, r.stdout + r.stderr
    assert ": 0 divergences" in r.stdout, r.stdout
    assert "without an answer" not in r.stdout
    assert srv.seen == [str(i) for i in range(20)]  # each once, in the connection's order
    assert srv.conns == 7 and sent_behind(r.stdout) >= 10, r.stdout  # three answers a connection


@pytest.mark.parametrize("token", [None, "replay-session-token"], ids=["key", "session-token"])
def test_a_replay_is_signed_as_a_server_that_checks_signatures_takes(recorded, server_factory, tmp_path, token):
    """Replayed into a ddbd that verifies every SigV4 signature (--auth), with the key's credentials
    in the environment (and its session token, a signed header then), every request is taken and
    answered as recorded; with a wrong secret every one is refused (the signature does not match)."""
    path, _ = recorded
    keys = tmp_path / "keys"
    keys.write_text("AKIDREPLAY replay-secret-key 123456789012" + (" " + token if token else "") + "\n")
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDREPLAY", AWS_SECRET_ACCESS_KEY="replay-secret-key")
    env.pop("AWS_SESSION_TOKEN", None)
    if token:
        env["AWS_SESSION_TOKEN"] = token
    argv = memcheck.wrap("ddb", [DDB_BIN, "replay", str(path), "--as-fast-as-possible", "--check", "--endpoint"])
    fresh = server_factory(("--in-memory", "--auth", str(keys)) + tuple(FROZEN))
    r = subprocess.run(argv + [fresh.endpoint], capture_output=True, text=True, timeout=120 * memcheck.SLOWDOWN, env=env)
    assert r.returncode == 0 and "replayed 25 requests" in r.stdout and ": 0 divergences" in r.stdout, r.stdout + r.stderr
    wrong = server_factory(("--in-memory", "--auth", str(keys)) + tuple(FROZEN))
    env["AWS_SECRET_ACCESS_KEY"] = "not-the-secret"
    r = subprocess.run(argv + [wrong.endpoint], capture_output=True, text=True, timeout=120 * memcheck.SLOWDOWN, env=env)
    assert r.returncode == 1 and "replayed 25 requests" in r.stdout and ": 25 divergences" in r.stdout, r.stdout
    assert "InvalidSignatureException" in r.stdout, r.stdout


def test_the_admin_door_starts_and_stops_a_redacted_recording(server_factory, tmp_path):
    srv = server_factory(("--in-memory", "--admin") + tuple(FROZEN))
    ddb = make_client(srv.endpoint)
    name = unique_name("rd")
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    path = tmp_path / "door.jsonl"
    assert admin_call(srv.endpoint, "GET", "/ddbd/record") == (200, {"recording": False})
    status, state = admin_call(srv.endpoint, "POST", "/ddbd/record", {"file": str(path), "redact": RULES})
    assert status == 200 and state == {"recording": True, "file": str(path), "requests": 0, "redacted": True,
                                    "bytes": 0, "buffered": 0, "stopped": None}
    assert admin_call(srv.endpoint, "POST", "/ddbd/record", {"file": str(tmp_path / "x")})[0] == 409  # one at a time
    item = {"pk": S("p1"), "email": S("ann@example.com"), "ssn": S("123-45-6789"), "notes": S("private"),
            "tags": {"SS": ["a", "b"]}}
    ddb.put_item(TableName=name, Item=item)
    ddb.get_item(TableName=name, Key={"pk": S("p1")})
    ddb.query(TableName=name, KeyConditionExpression="pk = :p", FilterExpression="email = :email",
              ExpressionAttributeValues={":p": S("p1"), ":email": S("ann@example.com")})
    assert admin_call(srv.endpoint, "DELETE", "/ddbd/record") == (200, {"recording": False, "requests": 3})
    assert admin_call(srv.endpoint, "DELETE", "/ddbd/record")[0] == 404
    ddb.get_item(TableName=name, Key={"pk": S("p1")})  # not recorded
    text = path.read_text()
    for raw in ("ann@example.com", "123-45-6789", "private"):
        assert raw not in text  # nothing of the raw values is left
    recs = lines(path)
    assert len(recs) == 3 and all(r["redacted"] for r in recs)
    put = recs[0]["request"]["Item"]
    email = ddbd_record.Rules(RULES)._scalar("S", "ann@example.com", "hash")  # the SDK recorder's hash is ddbd's
    assert put == {"pk": S("p1"), "email": S(email), "ssn": S("REDACTED"), "tags": {"SS": ["a", "b"]}}
    assert recs[1]["response"]["Item"]["email"] == S(email) and "notes" not in recs[1]["response"]["Item"]
    assert recs[2]["request"]["ExpressionAttributeValues"][":email"] == S(email)  # joins still hold
    assert oct(stat.S_IMODE(os.stat(path).st_mode)) == oct(0o600)
    # the admin door writes only a new file: never over an existing one
    status, answer = admin_call(srv.endpoint, "POST", "/ddbd/record", {"file": str(path)})
    assert status == 409 and "exists" in answer["message"]
    # a redacted recording replays without divergence: equal values stay equal
    fresh = server_factory(("--in-memory",) + tuple(FROZEN))
    make_client(fresh.endpoint).create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    r = replay(path, fresh.endpoint, "--as-fast-as-possible", "--check")
    assert r.returncode == 0 and ": 0 divergences" in r.stdout, r.stdout + r.stderr


def test_bad_rules_and_files_are_refused(server_factory, tmp_path):
    srv = server_factory(("--in-memory", "--admin"))
    status, answer = admin_call(srv.endpoint, "POST", "/ddbd/record",
                                {"file": str(tmp_path / "a"), "redact": {"attributes": {"email": "scramble"}}})
    assert status == 400 and '"hash", "redact", "drop" or "keep"' in answer["message"]
    assert admin_call(srv.endpoint, "POST", "/ddbd/record", {})[0] == 400
    status, answer = admin_call(srv.endpoint, "POST", "/ddbd/record", {"file": str(tmp_path / "no" / "such")})
    assert status == 400 and "cannot open" in answer["message"]
    (tmp_path / "rules.json").write_text('{"attributes": []}')
    r = subprocess.run([DDBD_BIN, "--in-memory", "--port", "0", "--record", str(tmp_path / "r.jsonl"),
                        "--record-redact", str(tmp_path / "rules.json")], capture_output=True, text=True, timeout=30)
    assert r.returncode != 0 and "--record-redact" in r.stderr and "attributes" in r.stderr
    r = subprocess.run([DDBD_BIN, "--in-memory", "--port", "0", "--record", str(tmp_path / "no" / "r.jsonl")],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 0 and "--record" in r.stderr and "cannot open" in r.stderr


def test_record_redact_applies_to_record(server_factory, tmp_path):
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(RULES))
    path = tmp_path / "t.jsonl"
    srv = server_factory(("--in-memory", "--record", str(path), "--record-redact", str(rules)))
    ddb = make_client(srv.endpoint)
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.put_item(TableName="nope", Item={"pk": S("p"), "email": S("ann@example.com"), "notes": S("n")})
    assert srv.stop() == 0
    (rec,) = lines(path)
    assert rec["redacted"] and rec["request"]["Item"] == {
        "pk": S("p"), "email": S(ddbd_record.Rules(RULES)._scalar("S", "ann@example.com", "hash"))}


def test_the_botocore_hook_records_a_session_the_replay_accepts(server_factory, tmp_path):
    srv = server_factory(("--in-memory",) + tuple(FROZEN))
    path = tmp_path / "boto.jsonl"
    ddb = make_client(srv.endpoint)
    recorder = ddbd_record.Recorder(str(path))
    recorder.attach(ddb)
    workload(ddb, unique_name("bh"))
    recorder.close()
    recs = lines(path)
    assert len(recs) == 25 and recs[0]["op"] == "CreateTable" and recs[0]["conn"].startswith("py-")
    assert oct(stat.S_IMODE(os.stat(path).st_mode)) == oct(0o600)
    assert [r["error"] for r in recs if r["status"] != 200] == [
        "TransactionCanceledException", "ConditionalCheckFailedException", "ResourceNotFoundException",
        "ValidationException"]
    fresh = server_factory(("--in-memory",) + tuple(FROZEN))
    r = replay(path, fresh.endpoint, "--as-fast-as-possible", "--check")
    assert r.returncode == 0 and ": 0 divergences" in r.stdout, r.stdout + r.stderr


def test_the_botocore_hook_samples_and_redacts(server_factory, tmp_path):
    srv = server_factory(("--in-memory",))
    ddb = make_client(srv.endpoint)
    none = ddbd_record.Recorder(str(tmp_path / "none.jsonl"), sample=0)
    none.attach(ddb)
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.get_item(TableName="nope", Key={"pk": S("a")})
    none.close()
    assert (tmp_path / "none.jsonl").read_text() == ""
    ddb = make_client(srv.endpoint)
    rec = ddbd_record.Recorder(str(tmp_path / "red.jsonl"), redact=RULES)
    rec.attach(ddb)
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.put_item(TableName="nope", Item={"pk": S("a"), "ssn": S("123-45-6789"), "notes": S("n"),
                                             "email": S("ann@example.com")})
    rec.close()
    text = (tmp_path / "red.jsonl").read_text()
    assert "123-45-6789" not in text and "ann@example.com" not in text
    (line,) = lines(tmp_path / "red.jsonl")
    assert line["request"]["Item"] == {"pk": S("a"), "ssn": S("REDACTED"),
                                       "email": S(ddbd_record.Rules(RULES)._scalar("S", "ann@example.com", "hash"))}
    assert line["outcome"] == "error" and line["error"] == "ResourceNotFoundException" and line["status"] == 400
    with pytest.raises(ValueError):
        ddbd_record.Recorder(str(tmp_path / "x"), sample=2)


def test_an_injected_fault_is_recorded_and_not_compared(server_factory, tmp_path):
    """A request an injected fault hit is recorded with outcome "fault" and the fault's name; a
    replay does not send one an injected error answered (it never ran: sent, it would do what the
    recording's server never did, found by tests/model) and says so."""
    path = tmp_path / "faults.jsonl"
    srv = server_factory(("--in-memory", "--record", str(path),
                          "--fault", "operation=GetItem,error=InternalServerError,count=1") + tuple(FROZEN))
    ddb = make_client(srv.endpoint)
    with pytest.raises(ddb.exceptions.ClientError):
        ddb.get_item(TableName="nope", Key={"pk": S("a")})
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.get_item(TableName="nope", Key={"pk": S("a")})
    assert srv.stop() == 0
    fault, after = lines(path)
    assert (fault["outcome"], fault["fault"], fault["error"], fault["status"]) == (
        "fault", "InternalServerError", "InternalServerError", 500)
    assert (after["outcome"], after["error"]) == ("error", "ResourceNotFoundException") and "fault" not in after
    fresh = server_factory(("--in-memory",) + tuple(FROZEN))
    r = replay(path, fresh.endpoint, "--as-fast-as-possible", "--check")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("replayed 1 request over 1 connection (1 skipped: no operation, or a body kept "
                                "only in part, or an injected error's, which never ran): 0 divergences"), r.stdout


def test_a_batch_throttled_and_held_back_is_replayed_without_what_its_answer_held(server_factory, tmp_path):
    """Under --enforce-capacity a batch an injected fault answered holds back its last keys and
    writes, and what was throttled as well, which need not be last: a BatchGetItem whose first
    table's key is throttled reads the second table's first keys; a BatchWriteItem whose first
    table's write is throttled makes the second table's first write. The replay sends what the
    answer did not hold (model seed 2396: it left out the last ones, so it read a held key in
    place of the one read, and charged the table half), and the item written is there."""
    path, seen = tmp_path / "held.jsonl", tmp_path / "seen.jsonl"
    args = ("--in-memory", "--enforce-capacity") + tuple(FROZEN)
    faults = ("--fault", "operation=BatchGetItem,error=UnprocessedKeys,count=1",
              "--fault", "operation=BatchWriteItem,error=UnprocessedItems,count=1")
    srv = server_factory(args + faults + ("--record", str(path)))
    ddb = make_client(srv.endpoint)   # (one attempt a call)
    for name, rcu, wcu in (("hot", 1, 1000), ("tight", 1000, 1), ("cold", 1000, 1000)):
        ddb.create_table(TableName=name, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         ProvisionedThroughput={"ReadCapacityUnits": rcu, "WriteCapacityUnits": wcu})
    for i in range(10):   # 30 KB: the Scan below draws 4 units of hot's 1
        ddb.put_item(TableName="hot", Item={"pk": S("h%d" % i), "v": S("x" * 3000)})
    for i in range(4):
        ddb.put_item(TableName="cold", Item={"pk": S("k%d" % i)})
    ddb.scan(TableName="hot")
    ddb.put_item(TableName="tight", Item={"pk": S("t0"), "v": S("x" * 3000)})   # 3 units of tight's 1
    got = ddb.batch_get_item(RequestItems={"hot": {"Keys": [{"pk": S("h0")}]},
                                           "cold": {"Keys": [{"pk": S("k%d" % i)} for i in range(4)]}},
                             ReturnConsumedCapacity="TOTAL")
    assert got["UnprocessedKeys"] == {"hot": {"Keys": [{"pk": S("h0")}]},
                                      "cold": {"Keys": [{"pk": S("k2")}, {"pk": S("k3")}]}}, got
    assert sorted(i["pk"]["S"] for i in got["Responses"]["cold"]) == ["k0", "k1"]
    put = ddb.batch_write_item(RequestItems={
        "tight": [{"PutRequest": {"Item": {"pk": S("t1")}}}],
        "cold": [{"PutRequest": {"Item": {"pk": S("c%d" % i)}}} for i in range(3)]})
    assert put["UnprocessedItems"] == {"tight": [{"PutRequest": {"Item": {"pk": S("t1")}}}],
                                       "cold": [{"PutRequest": {"Item": {"pk": S("c%d" % i)}}} for i in (1, 2)]}
    assert "Item" in ddb.get_item(TableName="cold", Key={"pk": S("c0")}, ConsistentRead=True)
    assert srv.stop() == 0
    target = server_factory(args + ("--record", str(seen)))
    r = replay(path, target.endpoint, "--as-fast-as-possible")
    assert r.returncode == 0, r.stdout + r.stderr
    assert target.stop() == 0
    sent = {rec["op"]: rec["request"] for rec in lines(seen) if rec["op"] in ("BatchGetItem", "BatchWriteItem")}
    assert sent["BatchGetItem"]["RequestItems"] == {"cold": {"Keys": [{"pk": S("k0")}, {"pk": S("k1")}]}}
    assert sent["BatchWriteItem"]["RequestItems"] == {"cold": [{"PutRequest": {"Item": {"pk": S("c0")}}}]}
    fresh = server_factory(args)
    r = replay(path, fresh.endpoint, "--as-fast-as-possible", "--check")
    assert r.returncode == 0 and ": 0 divergences" in r.stdout, r.stdout + r.stderr


def test_a_recording_of_two_regions_replays_each_request_in_its_region(server_factory, tmp_path):
    """--namespaces: a region is a namespace of its own, so a request belongs to the region it was
    signed for. The recording says which ("region"), and `ddb replay` signs each request for it
    (issue 72: the model-based test's global tables recorded; before, every request was replayed
    in --region's, and us-west-2's table was created a second time in us-east-1)."""
    path = tmp_path / "regions.jsonl"
    args = ("--in-memory", "--admin", "--namespaces") + tuple(FROZEN)
    srv = server_factory(args + ("--record", str(path)))
    east = make_client(srv.endpoint)
    west = boto3.client("dynamodb", endpoint_url=srv.endpoint, region_name="us-west-2", aws_access_key_id=ACCESS_KEY,
                        aws_secret_access_key=SECRET_KEY)
    name = unique_name("rg")
    for n, ddb in enumerate((east, west)):
        ddb.create_table(TableName=name, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
        ddb.put_item(TableName=name, Item={"pk": S("k"), "n": N(n)})
    assert west.get_item(TableName=name, Key={"pk": S("k")})["Item"]["n"] == N(1)
    assert srv.stop() == 0
    # in the order the requests came (each HTTP thread writes its own lines: the file interleaves
    # two connections' by when each flushed, which a slow sanitized server showed)
    assert [r["region"] for r in sorted(lines(path), key=lambda r: r["start"])] == ["us-east-1"] * 2 + ["us-west-2"] * 3
    r = replay(path, server_factory(args).endpoint, "--as-fast-as-possible", "--check")
    assert r.returncode == 0 and "replayed 5 requests" in r.stdout and ": 0 divergences" in r.stdout, r.stdout + r.stderr
    # --region still signs every request for one region: us-west-2's CreateTable then finds the table.
    # The divergence names the file's line, which is where that request's thread flushed it (the
    # file's first line in CI once, not its third)
    west_create = [n for n, rec in enumerate(lines(path), 1) if (rec["op"], rec["region"]) == ("CreateTable", "us-west-2")]
    assert len(west_create) == 1
    r = replay(path, server_factory(args).endpoint, "--as-fast-as-possible", "--check", "--region", "us-east-1")
    assert r.returncode == 1 and f"divergence: CreateTable (line {west_create[0]}," in r.stdout, r.stdout + r.stderr


def consume(streams, arn):
    """Every record of the stream, shard by shard, each shard read on with its NextShardIterator
    until a read finds nothing (as a consumer polls): their eventNames."""
    names = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while it:
            page = streams.get_records(ShardIterator=it, Limit=2)
            names += [r["eventName"] for r in page["Records"]]
            it = page.get("NextShardIterator") if page["Records"] else None
    return names


def replayed_both_ways(path, server_factory, args, again):
    """The recording at `path` replayed with --check into a server of `args`: no divergence; then
    without --check into one that records what it answered to `again`: those lines."""
    n = len(lines(path))
    r = replay(path, server_factory(args).endpoint, "--as-fast-as-possible", "--check")
    assert r.returncode == 0 and "replayed %d requests" % n in r.stdout and ": 0 divergences" in r.stdout, \
        r.stdout + r.stderr
    target = server_factory(args + ("--record", str(again)))
    r = replay(path, target.endpoint, "--as-fast-as-possible")
    assert r.returncode == 0, r.stdout + r.stderr
    assert target.stop() == 0
    return lines(again)


def test_a_stream_consumer_is_replayed_with_the_replays_own_iterators(server_factory, tmp_path):
    """A shard iterator is a token of the server that handed it out: the replayed server refuses the
    recorded ones. `ddb replay` sends each GetRecords with the iterator the replay got where the
    recording got the recorded one (from GetShardIterator, or the GetRecords before it), once that
    answer is in, even on one connection, with --check or without (docs/record-replay.md, "Streams").
    Before, every replayed GetRecords answered 400, and libddb sent the Streams operations with
    DynamoDB's X-Amz-Target (UnknownOperationException)."""
    path, again = tmp_path / "streams.jsonl", tmp_path / "again.jsonl"
    args = ("--in-memory", "--admin", "--shards", "2") + tuple(FROZEN)
    srv = server_factory(args + ("--record", str(path)))
    ddb = make_client(srv.endpoint)
    streams = make_client(srv.endpoint, service="dynamodbstreams")
    name = unique_name("rs")
    arn = ddb.create_table(TableName=name, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                           KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST",
                           StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
                           )["TableDescription"]["LatestStreamArn"]
    for i in range(5):
        ddb.put_item(TableName=name, Item={"pk": S("k%d" % i), "n": N(i)})
    ddb.update_item(TableName=name, Key={"pk": S("k1")}, UpdateExpression="SET n = :n", ExpressionAttributeValues={":n": N(9)})
    ddb.delete_item(TableName=name, Key={"pk": S("k2")})
    assert sorted(consume(streams, arn)) == ["INSERT"] * 5 + ["MODIFY", "REMOVE"]
    assert srv.stop() == 0
    recs = lines(path)
    reads = [r for r in recs if r["op"] == "GetRecords"]
    assert len(reads) >= 4 and all(r["status"] == 200 for r in reads)
    assert any(r["request"]["ShardIterator"] in [x["response"].get("NextShardIterator") for x in reads] for r in reads)

    # (without --check, the answers are read for their iterators only)
    replayed = [x for x in replayed_both_ways(path, server_factory, args, again) if x["op"] == "GetRecords"]
    assert [x["status"] for x in replayed] == [200] * len(reads)
    assert sorted(e["eventName"] for x in replayed for e in x["response"]["Records"]) == ["INSERT"] * 5 + ["MODIFY", "REMOVE"]


def test_bodies_with_newlines_escapes_and_other_scripts_are_recorded_as_one_line_each(server_factory, tmp_path):
    """A recording copies a body that is plain ASCII without newlines as it is, and looks further
    only when a body is not (issue 74): a newline after the first byte that is not plain ASCII (é,
    an escape) is still a blank, and the line holds the same JSON as the body."""
    path = tmp_path / "t.jsonl"
    srv = server_factory(("--in-memory", "--record", str(path)) + tuple(FROZEN))
    make_client(srv.endpoint).create_table(
        TableName="nlt", BillingMode="PAY_PER_REQUEST", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    item = {"pk": S("é\"x"), "v": S("a\\b\u00e9\u4e2d\U0001f600 " + "y" * 40), "w": S("plain " * 10)}
    bodies = [
        '{"TableName": "nlt",\r\n "Item": ' + json.dumps(item, ensure_ascii=False, indent=1) + "}\n",  # é first
        '{"TableName":"nlt","Item":' + json.dumps(item) + "\n}",  # \" and \u escapes first, then a newline
        json.dumps({"TableName": "nlt", "Key": {"pk": item["pk"]}}, ensure_ascii=False, indent="\t"),
        json.dumps({"TableName": "nlt", "Key": {"pk": item["pk"]}}),
    ]
    for body, op in zip(bodies, ["PutItem", "PutItem", "GetItem", "GetItem"]):
        r = raw_request(srv.endpoint, op, body)
        assert r.status == 200, r.body
    assert srv.stop() == 0
    raw = path.read_bytes().decode("utf-8")
    assert raw.count("\n") == 5 and raw.endswith("}\n")  # CreateTable's line and one a body
    recs = sorted(lines(path), key=lambda line: line["start"])[1:]
    assert [rec["request"] for rec in recs] == [json.loads(body) for body in bodies]
    assert [rec["response"] for rec in recs] == [{}, {}, {"Item": item}, {"Item": item}]


def wait_for(ddb, describe, status):
    """Polls `describe()` (a Describe* call's state) until it is `status`, as a client waits for a
    job the server runs behind its answers. Bounded by polls, not by time."""
    for _ in range(3000):
        if describe() == status:
            return
    raise AssertionError("not %s after 3000 polls" % status)


def test_backups_and_restores_are_replayed_with_the_replays_own_backup_arns(server_factory, tmp_path):
    """A backup's ARN ends in an id with a random part: the replayed server makes others, and refuses
    the recorded ones. `ddb replay` sends DescribeBackup, RestoreTableFromBackup, DeleteBackup and
    ListBackups' ExclusiveStartBackupArn with the ARN the replay's CreateBackup (or ListBackups) got
    where the recording's got the recorded one, and polls of a restore's table again until it is
    ACTIVE as recorded (docs/record-replay.md, "Tokens and ids", "Polls"). Before, every restore
    was refused (BackupNotFoundException) and the restored tables' reads found none."""
    path, again = tmp_path / "backups.jsonl", tmp_path / "again.jsonl"
    args = ("--in-memory", "--admin") + tuple(FROZEN)
    srv = server_factory(args + ("--record", str(path)))
    ddb = make_client(srv.endpoint)
    name = unique_name("rb")
    ddb.create_table(TableName=name, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
    arns = []
    for i in range(3):
        ddb.put_item(TableName=name, Item={"pk": S("k%d" % i), "n": N(i)})
        arns.append(ddb.create_backup(TableName=name, BackupName="bk%d" % i)["BackupDetails"]["BackupArn"])
    for arn in arns:
        wait_for(ddb, lambda: ddb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"],
                 "AVAILABLE")
    first = ddb.list_backups(TableName=name, Limit=1)
    listed = [first["BackupSummaries"][0]["BackupArn"]]
    listed += [b["BackupArn"] for b in ddb.list_backups(TableName=name, ExclusiveStartBackupArn=first["LastEvaluatedBackupArn"])["BackupSummaries"]]
    assert listed == arns
    counts = []
    for i, arn in enumerate(listed):  # (restored from the ARNs ListBackups gave, as a console does)
        target = "%s-r%d" % (name, i)
        ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn)
        wait_for(ddb, lambda: ddb.describe_table(TableName=target)["Table"]["TableStatus"], "ACTIVE")
        counts.append(ddb.scan(TableName=target, ConsistentRead=True)["Count"])
    assert counts == [1, 2, 3]
    ddb.delete_backup(BackupArn=arns[0])
    assert srv.stop() == 0
    recs = lines(path)
    assert sum(r["op"] == "RestoreTableFromBackup" and r["status"] == 200 for r in recs) == 3

    # without --check too: the same restores, each of its backup, the replay's own ARNs in them
    again = replayed_both_ways(path, server_factory, args, again)
    got = [x for x in again if x["op"] in ("RestoreTableFromBackup", "Scan", "DeleteBackup")]
    assert [x["status"] for x in got] == [200] * 7
    assert [x["response"]["Count"] for x in got if x["op"] == "Scan"] == [1, 2, 3]
    made = [x["response"]["BackupDetails"]["BackupArn"] for x in again if x["op"] == "CreateBackup"]
    assert len(made) == 3 and not set(made) & set(arns)
    assert [x["request"]["BackupArn"] for x in got if x["op"] != "Scan"] == made + made[:1]


class PollServer(LoopbackServer):
    """A stand-in server on loopback whose table is CREATING for its first `creating`
    DescribeTables, then ACTIVE; it answers anything else `{}`. What it was sent, in order, is
    `seen` (each request's operation)."""

    def __init__(self, creating):
        self.creating, self.seen = creating, []
        super().__init__()

    def serve(self, c):
        for head, _ in requests_of(c):
            op = [h.split(":", 1)[1].strip() for h in head if h.startswith("x-amz-target:")][0].split(".")[1]
            with self.lock:
                self.seen.append(op)
                status = "CREATING" if op == "describetable" and self.seen.count(op) <= self.creating else "ACTIVE"
            body = json.dumps({"Table": {"TableName": "tbl", "TableStatus": status}} if op == "describetable" else {})
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: %d\r\n\r\n%s"
                      % (len(body), body.encode()))
        c.close()


def poll_recording(path, statuses):
    """A recording of one connection: a DescribeTable answered each of `statuses` in turn, then a
    GetItem."""
    with open(path, "w") as f:
        reqs = [("DescribeTable", {"TableName": "tbl"}, {"Table": {"TableName": "tbl", "TableStatus": s}}) for s in statuses]
        reqs.append(("GetItem", {"TableName": "tbl", "Key": {"pk": S("k")}}, {}))
        for i, (op, req, ans) in enumerate(reqs):
            f.write(json.dumps({"v": 1, "t": 1767225600000, "conn": "1", "start": 10 * i + 1, "end": 10 * i + 5, "op": op,
                                "request": req, "status": 200, "outcome": "ok", "error": None, "response": ans}) + "\n")


@pytest.mark.parametrize("check", [True, False], ids=["check", "no-check"])
def test_a_poll_is_sent_again_until_the_replayed_job_got_as_far_as_recorded(tmp_path, check):
    """The recording's DescribeTable found the table ACTIVE; the replayed server's is CREATING for
    three more polls (its restore, backfill or import slower this time). The poll is sent again
    until the table is ACTIVE, and only then the GetItem that followed it on its connection, which
    is therefore not sent behind the poll (docs/record-replay.md, "Polls")."""
    path = tmp_path / "poll.jsonl"
    poll_recording(path, ["ACTIVE"])
    srv = PollServer(creating=3)
    r = replay_into(srv, path, "--as-fast-as-possible", *(["--check"] if check else []))
    assert r.returncode == 0 and "replayed 2 requests" in r.stdout, r.stdout + r.stderr
    assert srv.seen == ["describetable"] * 4 + ["getitem"]
    assert "polls sent 3 more times, until their job got as far as recorded" in r.stdout
    assert (": 0 divergences" in r.stdout) == check, r.stdout


def test_a_poll_recorded_while_its_job_ran_is_not_compared(tmp_path):
    """The recording's polls found the table CREATING twice, then ACTIVE; the replayed server's is
    ACTIVE at once (its job was faster this time). The in-progress polls are not compared (how far
    a job got is its timing, not the server's answer) and not sent again; the last one is compared,
    and a real difference in it is still a divergence."""
    path = tmp_path / "poll.jsonl"
    poll_recording(path, ["CREATING", "CREATING", "ACTIVE"])
    srv = PollServer(creating=0)
    r = replay_into(srv, path, "--as-fast-as-possible", "--check")
    assert r.returncode == 0 and "replayed 4 requests" in r.stdout, r.stdout + r.stderr
    assert ": 0 divergences (2 polls of a job recorded in progress: not compared)" in r.stdout, r.stdout
    assert srv.seen == ["describetable"] * 3 + ["getitem"] and "more time" not in r.stdout
    # the recording's last poll found the table ARCHIVED, no job in progress: the replayed ACTIVE differs
    poll_recording(path, ["CREATING", "ARCHIVED"])
    srv = PollServer(creating=0)
    r = replay_into(srv, path, "--as-fast-as-possible", "--check")
    assert r.returncode == 1 and "(1 poll of a job recorded in progress: not compared)" in r.stdout, r.stdout
    assert "divergence: DescribeTable (line 2, connection 1): at .Table.TableStatus" in r.stdout, r.stdout


def signed_door(endpoint, path, body, ak, sk):
    """A POST of body to the admin door's path, signed with key (ak, sk): its status."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    import urllib.error
    import urllib.request
    data = json.dumps(body).encode()
    req = AWSRequest(method="POST", url=endpoint + path, data=data, headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(ak, sk), "dynamodb", "us-east-1").add_auth(req)
    try:
        with urllib.request.urlopen(urllib.request.Request(endpoint + path, data=data, method="POST",
                                                           headers=dict(req.headers.items())), timeout=30) as resp:
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code


def test_a_recording_of_several_keys_is_replayed_with_each_lines_key(server_factory, tmp_path):
    """Under --auth each line records the key its signature was verified with (`key`), and `ddb
    replay --keys FILE` (the server's key file) signs each request with it: the reader's refused
    write is refused again and its read allowed, the writer's writes made (docs/record-replay.md,
    "Keys"); a clock step goes to the admin door signed with the replay's own key, which --auth
    takes from a key with rights=admin. Signed with one key for all, as before, the reader's refusal
    is not repeated; and before, the door's call went unsigned and was refused."""
    keys, path = tmp_path / "keys", tmp_path / "keys.jsonl"
    keys.write_text("# writer, reader (a session token's key too)\n"
                    "AKIDWRITER writer-secret 000000000000 name=writer rights=admin\n"
                    "AKIDREADER reader-secret 000000000000 reader-token name=reader allow=read\n")
    args = ("--in-memory", "--admin", "--auth", str(keys)) + tuple(FROZEN)
    srv = server_factory(args + ("--record", str(path)))
    writer = key_client(srv.endpoint, "AKIDWRITER", "writer-secret")
    reader = key_client(srv.endpoint, "AKIDREADER", "reader-secret", token="reader-token")
    name = unique_name("rk")
    writer.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    writer.put_item(TableName=name, Item={"pk": S("a"), "n": N(1)})
    assert signed_door(srv.endpoint, "/ddbd/clock", {"advance": 1000}, "AKIDWRITER", "writer-secret") == 200
    assert reader.get_item(TableName=name, Key={"pk": S("a")})["Item"]["n"] == N(1)
    with pytest.raises(Exception) as denied:
        reader.put_item(TableName=name, Item={"pk": S("b")})
    assert "AccessDeniedException" in str(denied.value)
    assert srv.stop() == 0
    recs = sorted(lines(path), key=lambda r: r["start"])
    assert [r.get("key") for r in recs] == ["AKIDWRITER"] * 2 + [None] + ["AKIDREADER"] * 2  # (the step: a door's)

    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDWRITER", AWS_SECRET_ACCESS_KEY="writer-secret")
    argv = memcheck.wrap("ddb", [DDB_BIN, "replay", str(path), "--as-fast-as-possible", "--check", "--endpoint"])
    r = subprocess.run(argv + [server_factory(args).endpoint, "--keys", str(keys)], capture_output=True, text=True,
                       timeout=120 * memcheck.SLOWDOWN, env=env)
    assert r.returncode == 0 and "replayed 5 requests" in r.stdout and ": 0 divergences" in r.stdout, r.stdout + r.stderr
    assert "; 1 clock step" in r.stdout, r.stdout
    # the replay's own key without rights=admin: the clock step is refused, and said so
    reader_env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDREADER", AWS_SECRET_ACCESS_KEY="reader-secret",
                      AWS_SESSION_TOKEN="reader-token")
    r = subprocess.run(argv + [server_factory(args).endpoint, "--keys", str(keys)], capture_output=True, text=True,
                       timeout=120 * memcheck.SLOWDOWN, env=reader_env)
    assert r.returncode == 1 and "was refused (status 400): replaying one needs the target's admin door (ddbd " \
        "--admin) and, under --auth, a key with rights=admin ($AWS_ACCESS_KEY_ID)" in r.stderr, r.stdout + r.stderr
    # without --keys every request goes with the writer's key: the reader's write is made
    r = subprocess.run(argv + [server_factory(args).endpoint], capture_output=True, text=True,
                       timeout=120 * memcheck.SLOWDOWN, env=env)
    assert r.returncode == 1 and ": 1 divergence in 1 operation" in r.stdout, r.stdout + r.stderr
    assert "divergence: PutItem (line" in r.stdout and "status 200, recorded 400" in r.stdout, r.stdout
    # a key file with a line that is no key is refused before anything is sent
    (tmp_path / "bad").write_text("AKIDONLY\n")
    r = replay(path, "http://127.0.0.1:9", "--keys", str(tmp_path / "bad"))
    assert r.returncode == 2 and "--keys: '%s' line 1 is no key" % (tmp_path / "bad") in r.stderr, r.stderr
    r = replay(path, "http://127.0.0.1:9", "--keys", str(tmp_path / "none"))
    assert r.returncode == 2 and "--keys: cannot read '%s'" % (tmp_path / "none") in r.stderr, r.stderr


def test_exports_are_replayed_with_the_replays_own_export_arns_and_next_tokens(server_factory, tmp_path):
    """An export's ARN, and ListExports' NextToken (an export's id), end in a random part: a replay
    sends DescribeExport and ListExports' next page with the replay's own, from its
    ExportTableToPointInTime and ListExports answers, and polls an export again until it is
    COMPLETED as recorded (docs/record-replay.md, "Tokens and ids", "Polls"). Before, each
    DescribeExport was refused (ExportNotFoundException) and each next page (ValidationException)."""
    path = tmp_path / "exports.jsonl"
    for side in ("rec", "rep"):
        (tmp_path / side / "bk").mkdir(parents=True)

    def args(side):
        return ("--in-memory", "--admin", "--export-dir", str(tmp_path / side)) + tuple(FROZEN)
    srv = server_factory(args("rec") + ("--record", str(path)))
    ddb = make_client(srv.endpoint)
    name = unique_name("rx")
    arn = ddb.create_table(TableName=name, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                           KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                           BillingMode="PAY_PER_REQUEST")["TableDescription"]["TableArn"]
    ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    arns = []
    for i in range(3):
        ddb.put_item(TableName=name, Item={"pk": S("k%d" % i)})
        arns.append(ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket="bk", S3Prefix="p%d" % i)
                    ["ExportDescription"]["ExportArn"])
        wait_for(ddb, lambda: ddb.describe_export(ExportArn=arns[-1])["ExportDescription"]["ExportStatus"], "COMPLETED")
    listed, page = [], {"TableArn": arn, "MaxResults": 1}
    while True:
        got = ddb.list_exports(**page)
        listed += [e["ExportArn"] for e in got["ExportSummaries"]]
        if "NextToken" not in got:
            break
        page["NextToken"] = got["NextToken"]
    assert sorted(listed) == sorted(arns)
    assert srv.stop() == 0
    recs = lines(path)
    assert sum(r["op"] == "ListExports" and "NextToken" in r["request"] for r in recs) >= 2

    r = replay(path, server_factory(args("rep")).endpoint, "--as-fast-as-possible", "--check")
    assert r.returncode == 0 and "replayed %d requests" % len(recs) in r.stdout and ": 0 divergences" in r.stdout, \
        r.stdout + r.stderr
