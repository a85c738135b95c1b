"""Eventual consistency on demand (issue 54, section 1; docs/testing.md, "Eventual consistency").

A GSI read right after a write finds it in ddbd today, and finds nothing in DynamoDB, whose GSIs
are eventually consistent; an eventually consistent read may return the item as it was. With
--index-lag / --stale-reads (or POST /ddbd/consistency per table) ddbd answers as production can,
repeatably (a seed); ConsistentRead reads and the base table under --index-lag stay current.
Time: the lag tests run on a frozen clock (--clock frozen) and step it (POST /ddbd/clock
{"advance": ms}): what a read sees at each step is exact, to the millisecond, on any machine.
The stale-read tests freeze it too: their 60 s windows never pass."""
import subprocess

import pytest

from conftest import DDBD_BIN, S, N, make_client, unique_name
from helpers import admin_call, advance, make_table

LAG_MS = 3000


def admin(srv, body=None, method=None):
    return admin_call(srv.endpoint, method or ("POST" if body is not None else "GET"), "/ddbd/consistency", body)


def gsi_table(ddb, name=None):
    return make_table(ddb, name, prefix="cons", gsi=("by_email", "email"))


def by_email(ddb, table, email, **kw):
    return ddb.query(TableName=table, IndexName="by_email", KeyConditionExpression="email = :e",
                     ExpressionAttributeValues={":e": S(email)}, **kw)["Items"]


def lagged(server_factory, lag, *extra):
    return server_factory(["--in-memory", "--admin", "--clock", "frozen", "--index-lag", lag] + list(extra))


def test_gsi_read_after_write_finds_the_item_by_default(server_factory):
    """Today's behaviour stays the default: the read-after-write the lag breaks passes."""
    srv = server_factory(["--in-memory"])
    ddb = make_client(srv.endpoint)
    t = gsi_table(ddb)
    ddb.put_item(TableName=t, Item={"pk": S("u1"), "email": S("a@x")})
    assert [i["pk"]["S"] for i in by_email(ddb, t, "a@x")] == ["u1"]


def test_index_lag_hides_a_new_item_from_the_gsi_until_the_lag_passed(server_factory):
    srv = lagged(server_factory, str(LAG_MS))
    ddb = make_client(srv.endpoint)
    t = gsi_table(ddb)
    ddb.put_item(TableName=t, Item={"pk": S("u1"), "email": S("a@x")})
    # the read-after-write of production: the GSI has not seen the put yet (Query and Scan alike)
    assert by_email(ddb, t, "a@x") == []
    assert ddb.scan(TableName=t, IndexName="by_email")["Items"] == []
    # the base table is current, eventually consistent or not
    assert ddb.get_item(TableName=t, Key={"pk": S("u1")})["Item"]["email"] == S("a@x")
    assert ddb.get_item(TableName=t, Key={"pk": S("u1")}, ConsistentRead=True)["Item"]["email"] == S("a@x")
    assert len(ddb.scan(TableName=t, ConsistentRead=True)["Items"]) == 1
    # it shows up when the lag has passed, not a millisecond before
    advance(srv, LAG_MS - 1)
    assert by_email(ddb, t, "a@x") == []
    advance(srv, 1)
    assert [i["pk"]["S"] for i in by_email(ddb, t, "a@x")] == ["u1"]


def test_index_lag_keeps_the_old_entry_of_a_moved_or_deleted_item(server_factory):
    srv = lagged(server_factory, str(LAG_MS))
    ddb = make_client(srv.endpoint)
    t = gsi_table(ddb)
    ddb.put_item(TableName=t, Item={"pk": S("u1"), "email": S("old@x"), "n": N("1")})
    ddb.put_item(TableName=t, Item={"pk": S("u2"), "email": S("old@x"), "n": N("1")})
    advance(srv, LAG_MS)
    assert len(by_email(ddb, t, "old@x")) == 2
    ddb.put_item(TableName=t, Item={"pk": S("u1"), "email": S("new@x"), "n": N("2")})
    ddb.delete_item(TableName=t, Key={"pk": S("u2")})
    # the index still has both items as they were: the old key, the old attributes, the deleted one
    old = by_email(ddb, t, "old@x")
    assert sorted((i["pk"]["S"], i["n"]["N"]) for i in old) == [("u1", "1"), ("u2", "1")]
    assert by_email(ddb, t, "new@x") == []
    # a page at a time, as an SDK's paginator reads: the same items, LastEvaluatedKey between them
    first = ddb.query(TableName=t, IndexName="by_email", KeyConditionExpression="email = :e",
                      ExpressionAttributeValues={":e": S("old@x")}, Limit=1)
    rest = ddb.query(TableName=t, IndexName="by_email", KeyConditionExpression="email = :e",
                     ExpressionAttributeValues={":e": S("old@x")}, Limit=5,
                     ExclusiveStartKey=first["LastEvaluatedKey"])
    assert sorted(i["pk"]["S"] for i in first["Items"] + rest["Items"]) == ["u1", "u2"]
    # backwards too, in the index's order (entries of one key ordered by the table's key)
    back = ddb.query(TableName=t, IndexName="by_email", KeyConditionExpression="email = :e",
                     ExpressionAttributeValues={":e": S("old@x")}, ScanIndexForward=False)["Items"]
    forward = by_email(ddb, t, "old@x")
    assert [i["pk"]["S"] for i in back] == [i["pk"]["S"] for i in reversed(forward)]
    # the table itself is current
    assert ddb.get_item(TableName=t, Key={"pk": S("u2")}, ConsistentRead=True).get("Item") is None
    advance(srv, LAG_MS)
    assert [i["pk"]["S"] for i in by_email(ddb, t, "new@x")] == ["u1"]
    assert by_email(ddb, t, "old@x") == []


def test_index_lag_drawn_between_min_and_max_repeats_with_the_seed(server_factory):
    """--index-lag MIN-MAX: each write's lag drawn from the seed; the same seed, the same lags, to
    the millisecond (the boundary of each is checked on both sides, on two servers)."""
    # seed 192 draws lags of 1642, 1013, 1697, 1989, 2278 and 4603 ms for u0..u5 (each drawn from
    # the change itself: its table, key and new image, consistency.c lag_draw)
    lags = {"u0": 1642, "u1": 1013, "u2": 1697, "u3": 1989, "u4": 2278, "u5": 4603}
    for _ in range(2):
        srv = lagged(server_factory, "1000-6000", "--consistency-seed", "192")
        ddb = make_client(srv.endpoint)
        t = gsi_table(ddb, "lagged")
        for k in range(6):
            ddb.put_item(TableName=t, Item={"pk": S("u%d" % k), "email": S("a@x")})
        at = 0
        for pk, lag in sorted(lags.items(), key=lambda kv: kv[1]):
            advance(srv, lag - 1 - at)
            at = lag
            before = sorted(i["pk"]["S"] for i in by_email(ddb, t, "a@x"))
            advance(srv, 1)
            after = sorted(i["pk"]["S"] for i in by_email(ddb, t, "a@x"))
            assert before == sorted(p for p, l in lags.items() if l < lag)
            assert after == sorted(before + [pk])


def stale_pattern(ddb, t, reads=16):
    return ["new" if ddb.get_item(TableName=t, Key={"pk": S("k")}).get("Item", {}).get("v") == S("new") else "old"
            for _ in range(reads)]


def test_stale_reads_repeat_exactly_with_the_same_seed(server_factory):
    srv = server_factory(["--in-memory", "--admin", "--clock", "frozen"])
    ddb = make_client(srv.endpoint)
    t = gsi_table(ddb)
    patterns = []
    for _ in range(2):
        ddb.put_item(TableName=t, Item={"pk": S("k"), "v": S("old")})  # before: not in the window
        assert admin(srv, {"table": t, "staleReadsMs": 60000, "seed": 7})[0] == 200
        ddb.put_item(TableName=t, Item={"pk": S("k"), "v": S("new")})
        patterns.append(stale_pattern(ddb, t))
        # ConsistentRead is never stale
        assert all(ddb.get_item(TableName=t, Key={"pk": S("k")}, ConsistentRead=True)["Item"]["v"] == S("new")
                   for _ in range(8))
        assert admin(srv, {"table": t})[0] == 200  # off: the log is forgotten
    assert patterns[0] == patterns[1]
    assert "old" in patterns[0] and "new" in patterns[0]  # some reads were served by a lagging replica
    # another seed, another sequence
    ddb.put_item(TableName=t, Item={"pk": S("k"), "v": S("old")})
    admin(srv, {"table": t, "staleReadsMs": 60000, "seed": 8})
    ddb.put_item(TableName=t, Item={"pk": S("k"), "v": S("new")})
    assert stale_pattern(ddb, t) != patterns[0]


def test_stale_reads_reach_batch_get_query_scan_and_partiql(server_factory):
    srv = server_factory(["--in-memory", "--clock", "frozen", "--stale-reads", "60000", "--consistency-seed", "3"])
    ddb = make_client(srv.endpoint)
    t = unique_name("cons")
    ddb.create_table(TableName=t, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    ddb.put_item(TableName=t, Item={"pk": S("k"), "v": S("new")})  # in the window: before it, no item
    seen = {"batch": set(), "query": set(), "scan": set(), "partiql": set()}
    for _ in range(12):
        got = ddb.batch_get_item(RequestItems={t: {"Keys": [{"pk": S("k")}]}})["Responses"][t]
        seen["batch"].add(len(got))
        got = ddb.query(TableName=t, KeyConditionExpression="pk = :k", ExpressionAttributeValues={":k": S("k")})
        seen["query"].add(got["Count"])
        seen["scan"].add(ddb.scan(TableName=t)["Count"])
        seen["partiql"].add(len(ddb.execute_statement(Statement='SELECT * FROM "%s" WHERE pk = ?' % t,
                                                      Parameters=[S("k")])["Items"]))
    assert seen == {"batch": {0, 1}, "query": {0, 1}, "scan": {0, 1}, "partiql": {0, 1}}
    for _ in range(6):  # strongly consistent: always there
        assert ddb.batch_get_item(RequestItems={t: {"Keys": [{"pk": S("k")}], "ConsistentRead": True}}
                                  )["Responses"][t] != []
        assert ddb.scan(TableName=t, ConsistentRead=True)["Count"] == 1
        assert len(ddb.execute_statement(Statement='SELECT * FROM "%s" WHERE pk = ?' % t, Parameters=[S("k")],
                                         ConsistentRead=True)["Items"]) == 1


def test_admin_door_sets_one_table_and_lists_it(server_factory):
    srv = server_factory(["--in-memory", "--admin"])
    ddb = make_client(srv.endpoint)
    lagged, other = gsi_table(ddb), gsi_table(ddb)
    status, state = admin(srv, {"table": lagged, "indexLagMs": "2000-4000", "seed": 5})
    assert status == 200
    assert {"table": lagged, "indexLagMs": "2000-4000", "staleReadsMs": 0, "seed": 5, "changesKept": 0} in state["tables"]
    assert admin(srv)[1]["tables"] == state["tables"]
    for t in (lagged, other):
        ddb.put_item(TableName=t, Item={"pk": S("u1"), "email": S("a@x")})
    assert by_email(ddb, lagged, "a@x") == []
    assert len(by_email(ddb, other, "a@x")) == 1
    # off again: at once
    assert admin(srv, {"table": lagged})[0] == 200
    assert len(by_email(ddb, lagged, "a@x")) == 1


@pytest.mark.parametrize("body", [
    {}, {"table": "x"}, {"table": "ok_name", "indexLagMs": -1}, {"table": "ok_name", "indexLagMs": "5-2"},
    {"table": "ok_name", "indexLagMs": 3600001}, {"table": "ok_name", "staleReadsMs": "9"},
    {"table": "ok_name", "seed": -4}, {"table": "bad name!"}, ["ok_name"],
    {"table": "ok_name", "indexLag": 500}, {"table": "ok_name", "indexLagMs": 500, "stale": 9}])  # misspelt: refused, not ignored
def test_admin_door_refuses_a_bad_setting(server_factory, body):
    srv = server_factory(["--in-memory", "--admin"])
    status, answer = admin(srv, body)
    assert status == 400
    assert answer == {"message": 'expected {"table": "T", "indexLagMs": ms | "MIN-MAX", "staleReadsMs": ms, '
                                 '"seed": n} (ms from 0 to 3600000)'}
    assert admin(srv)[1]["tables"] == []


@pytest.mark.parametrize("value", ["x", "5-", "-5", "9-3", "3600001", "1-3600001", ""])
def test_a_bad_index_lag_is_refused_at_start(value):
    out = subprocess.run([DDBD_BIN, "--in-memory", "--index-lag", value], capture_output=True, text=True, timeout=30)
    assert out.returncode != 0
    assert "--index-lag wants MS or MIN-MAX, each from 0 to 3600000 ms (got '%s')" % value in out.stderr
