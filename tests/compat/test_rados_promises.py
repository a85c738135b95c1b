"""Two promises of docs/scale-out.md that must hold on any number of RADOS gateways (issue 50):

- a transaction's ClientRequestToken: a client whose call to gateway A is slow retries it, same
  token, on gateway B. The transaction is applied once, and each call answers as DynamoDB answers an
  idempotent retry: success (or TransactionInProgressException while the other runs), never a
  second application, nor a TransactionCanceledException for a token whose transaction succeeded.
  A is held with a delay point (faults.h) after deciding (transact-before-commit: B commits first,
  A's commit then loses its compare and decides again), or after marking its objects and past its
  intent's lease (rados-txn-before-commit: B rolls A's intent back and commits, A decides again).
  For TransactWriteItems and PartiQL's ExecuteTransaction.
- TransactGetItems returns one moment's state: its reads of two objects spread over time by the
  delay point rados-read-spread, transfers land between them that take a value there and back
  (A->B->A), so that two reads in a row see the same bytes, one of them a state that never
  existed; the answer must still be one that did (the balances add up).

Runs only where tests/rados/run.sh points it at a loopback cluster (DDBD_STORE_ARGS with
`--backend rados`); skipped everywhere else.
"""
import signal
import threading
import time

import pytest
from botocore.exceptions import ClientError

from conftest import DdbdServer, create_table_params, make_client, unique_name
from helpers import admin_call
from rados_helpers import gateway as rados_gateway, needs_cluster, rados_args

pytestmark = needs_cluster

LEASE_MS = 1000  # a pending intent older than this is rolled back by whoever meets it
HOLD_MS = 3000   # how long gateway A is held at its delay point


def gateway(ns, delay=None):
    env = {"DDBD_DELAY_POINT": delay} if delay else {}
    return rados_gateway(ns, DDBD_RADOS_INTENT_LEASE_MS=LEASE_MS, **env)


def outcome(call):
    try:
        call()
        return "ok"
    except ClientError as e:
        return e.response["Error"]["Code"]


def in_thread(call):
    """Runs call() in a thread; returns a function that waits for it and gives its outcome."""
    box = []
    t = threading.Thread(target=lambda: box.append(outcome(call)))
    t.start()

    def join():
        t.join(timeout=60)
        assert box, "the held call did not return"
        return box[0]
    return join


def n_of(ddb, table, key):
    """The item's n and v."""
    item = ddb.get_item(TableName=table, Key={"pk": {"S": key}}, ConsistentRead=True)["Item"]
    return (item["n"]["N"], item["v"]["N"])


def transact_write(table, token, conditional):
    """ADD n 1 to x and y; when conditional, x's also SETs v from 1 to 2 on condition v = 1."""
    x = {"Update": {"TableName": table, "Key": {"pk": {"S": "x"}}, "UpdateExpression": "ADD n :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}}
    if conditional:
        x["Update"].update(UpdateExpression="SET v = :new ADD n :one", ConditionExpression="v = :old",
                           ExpressionAttributeValues={":one": {"N": "1"}, ":old": {"N": "1"}, ":new": {"N": "2"}})
    y = {"Update": {"TableName": table, "Key": {"pk": {"S": "y"}}, "UpdateExpression": "ADD n :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}}
    return lambda c: c.transact_write_items(ClientRequestToken=token, TransactItems=[x, y])


def execute_transaction(table, token, conditional):
    """The same in PartiQL: n + 1 on x and y; when conditional, x's also sets v = 2 WHERE v = 1."""
    x = 'UPDATE "%s" SET n = n + 1 WHERE pk = \'x\'' % table
    if conditional:
        x = 'UPDATE "%s" SET n = n + 1 SET v = 2 WHERE pk = \'x\' AND v = 1' % table
    y = 'UPDATE "%s" SET n = n + 1 WHERE pk = \'y\'' % table
    return lambda c: c.execute_transaction(ClientRequestToken=token,
                                           TransactStatements=[{"Statement": x}, {"Statement": y}])


@pytest.mark.parametrize("point", ["transact-before-commit", "rados-txn-before-commit"])
@pytest.mark.parametrize("api", [transact_write, execute_transaction], ids=["TransactWriteItems", "ExecuteTransaction"])
def test_a_token_retried_on_another_gateway_while_the_first_call_is_held_is_applied_once(point, api):
    ns = unique_name("token")
    b = gateway(ns)
    a = None
    try:
        ddb = make_client(b.endpoint)
        table = unique_name("t")
        ddb.create_table(**create_table_params(table))
        a = gateway(ns, delay="%s:%d" % (point, HOLD_MS))  # started after the table exists
        for rounds, conditional in enumerate((False, True), start=1):
            for k in ("x", "y"):
                ddb.update_item(TableName=table, Key={"pk": {"S": k}},
                                UpdateExpression="SET v = :one, n = if_not_exists(n, :zero)",
                                ExpressionAttributeValues={":one": {"N": "1"}, ":zero": {"N": "0"}})
            send = api(table, unique_name("tok"), conditional)
            first = in_thread(lambda: send(make_client(a.endpoint)))
            time.sleep(1.0)  # A holds the call at its delay point
            retried = outcome(lambda: send(make_client(b.endpoint)))
            held = first()
            assert retried in ("ok", "TransactionInProgressException"), (point, conditional, retried)
            assert held == "ok", (point, conditional, held, a.stderr_text()[-2000:])
            # applied once: n grew by one per round (on x and on y), and x's v is 2 after the conditional round
            assert n_of(ddb, table, "x") == (str(rounds), "2" if conditional else "1"), (point, conditional)
            assert n_of(ddb, table, "y")[0] == str(rounds), (point, conditional)
            # and a third call, anywhere, is a replay that applies nothing
            assert outcome(lambda: send(make_client(a.endpoint))) == "ok"
            assert n_of(ddb, table, "y")[0] == str(rounds)
    finally:
        if a is not None:
            a.stop(signal.SIGTERM)
        b.stop(signal.SIGTERM)


HELD_ANSWER_MS = 60000  # an injected latency on gateway A's answers, on its frozen clock


def test_a_held_answer_s_token_is_in_progress_on_every_gateway():
    """Gateway A commits a transaction and holds its answer (an injected latency, on A's frozen
    clock). Until the answer goes, its token is TransactionInProgressException on A (A's calls in
    flight) and on B, which learns it from the token's record: B answered 200, a replay, while A
    still held the first call. Once the answer has gone (both clocks past it), a replay anywhere."""
    ns = unique_name("held")
    args = rados_args(ns) + ["--admin", "--clock", "frozen"]
    a = DdbdServer(args).start()
    b = DdbdServer(args).start()  # started after A: its frozen clock is not behind A's
    try:
        ddb = make_client(b.endpoint)
        table = unique_name("t")
        ddb.create_table(**create_table_params(table))
        for k in ("x", "y"):
            ddb.update_item(TableName=table, Key={"pk": {"S": k}}, UpdateExpression="SET v = :one, n = :zero",
                            ExpressionAttributeValues={":one": {"N": "1"}, ":zero": {"N": "0"}})
        assert admin_call(a.endpoint, "POST", "/ddbd/faults", {"faults": [
            {"operation": "TransactWriteItems", "latency_ms": HELD_ANSWER_MS, "count": 1}]})[0] == 200
        send = transact_write(table, unique_name("tok"), False)
        first = in_thread(lambda: send(make_client(a.endpoint)))
        for _ in range(600):  # A's commit (real time), its answer then held by A's clock
            if n_of(ddb, table, "y")[0] == "1":
                break
            time.sleep(0.05)
        assert n_of(ddb, table, "y")[0] == "1"
        assert outcome(lambda: send(make_client(a.endpoint))) == "TransactionInProgressException"
        assert outcome(lambda: send(make_client(b.endpoint))) == "TransactionInProgressException"
        assert admin_call(a.endpoint, "POST", "/ddbd/clock", {"advance": HELD_ANSWER_MS})[0] == 200
        assert first() == "ok"
        # B's clock past the answer's release too (frozen apart from A's since their starts)
        assert admin_call(b.endpoint, "POST", "/ddbd/clock", {"advance": 2 * HELD_ANSWER_MS})[0] == 200
        assert outcome(lambda: send(make_client(b.endpoint))) == "ok"
        assert n_of(ddb, table, "y")[0] == "1"  # applied once
    finally:
        for g in (a, b):
            g.stop(signal.SIGTERM)


SPREAD_MS = 2000  # each object's read of TransactGetItems after the first, and each read again, waits this


def test_transact_get_items_across_gateways_never_returns_a_state_that_never_existed():
    """x (in one table) and y (in another: another object) hold 100 and 0; transfers of 50 between
    them run on gateway B while gateway A's TransactGetItems reads x at 0, y at SPREAD, x again at
    2 SPREAD and y again at 3 SPREAD (rados-read-spread). Transfers x->y at 0.5 SPREAD, back at
    1.5 SPREAD, x->y again at 2.5 SPREAD make both reads (100, 50): the same bytes twice, a sum of
    150 that no moment had. The answer must add up to 100."""
    ns = unique_name("moment")
    b = gateway(ns)
    a = None
    try:
        ddb = make_client(b.endpoint)
        tables = [unique_name("tx"), unique_name("ty")]
        for t in tables:
            ddb.create_table(**create_table_params(t))
        ddb.put_item(TableName=tables[0], Item={"pk": {"S": "x"}, "bal": {"N": "100"}})
        ddb.put_item(TableName=tables[1], Item={"pk": {"S": "y"}, "bal": {"N": "0"}})
        a = gateway(ns, delay="rados-read-spread:%d" % SPREAD_MS)

        def move(src, dst):
            ddb.transact_write_items(TransactItems=[
                {"Update": {"TableName": tables[src], "Key": {"pk": {"S": "xy"[src]}},
                            "UpdateExpression": "SET bal = bal - :a", "ExpressionAttributeValues": {":a": {"N": "50"}}}},
                {"Update": {"TableName": tables[dst], "Key": {"pk": {"S": "xy"[dst]}},
                            "UpdateExpression": "SET bal = bal + :a", "ExpressionAttributeValues": {":a": {"N": "50"}}}}])

        got = []
        reader = threading.Thread(target=lambda: got.append(make_client(a.endpoint).transact_get_items(
            TransactItems=[{"Get": {"TableName": tables[0], "Key": {"pk": {"S": "x"}}}},
                           {"Get": {"TableName": tables[1], "Key": {"pk": {"S": "y"}}}}])))
        t0 = time.monotonic()
        reader.start()
        for at, (src, dst) in zip((0.5, 1.5, 2.5), ((0, 1), (1, 0), (0, 1))):
            time.sleep(max(0.0, t0 + at * SPREAD_MS / 1000.0 - time.monotonic()))
            move(src, dst)
        reader.join(timeout=120)
        assert got, "TransactGetItems did not return"
        bals = [int(r["Item"]["bal"]["N"]) for r in got[0]["Responses"]]
        assert sum(bals) == 100, bals
    finally:
        if a is not None:
            a.stop(signal.SIGTERM)
        b.stop(signal.SIGTERM)
