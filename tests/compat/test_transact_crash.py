"""kill -9 in the middle of TransactWriteItems leaves all of the transaction or none of it.

The server arms a crash point (server/faults.h) through DDBD_CRASH_POINT and kills itself with
SIGKILL there (also between the parts of a write across RocksDB databases); the test restarts it
on the same data directory and checks every item, the index entries and the ClientRequestToken. Then a kill -9 at random moments under a load of transfers:
after each restart the balances still add up.
"""
import os
import random
import signal
import threading
import time

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ConnectionClosedError

from conftest import N, S, DdbdServer, make_client

ACCOUNTS = 20
START = 100


def create_accounts(client):
    client.create_table(
        TableName="acct", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "owner", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "byowner", "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}])
    for i in range(ACCOUNTS):
        client.put_item(TableName="acct", Item={"pk": S("a%02d" % i), "bal": N(START), "owner": S("o%d" % (i % 3))})


def transfer(src, dst, amount, token=None):
    params = {"TransactItems": [
        {"Update": {"TableName": "acct", "Key": {"pk": S(src)}, "UpdateExpression": "SET bal = bal - :a",
                    "ConditionExpression": "bal >= :a", "ExpressionAttributeValues": {":a": N(amount)}}},
        {"Update": {"TableName": "acct", "Key": {"pk": S(dst)}, "UpdateExpression": "SET bal = bal + :a, #o = :o",
                    "ExpressionAttributeNames": {"#o": "owner"},
                    "ExpressionAttributeValues": {":a": N(amount), ":o": S("moved")}}},
        {"Put": {"TableName": "acct", "Item": {"pk": S("log-%s-%s-%d" % (src, dst, amount)), "owner": S("log")}}},
    ]}
    if token:
        params["ClientRequestToken"] = token
    return params


def balances(client):
    items = client.scan(TableName="acct", ConsistentRead=True)["Items"]
    return {i["pk"]["S"]: int(i["bal"]["N"]) for i in items if "bal" in i}


def start(tmp_path, port=None, crash=None):
    env_before = os.environ.get("DDBD_CRASH_POINT")
    if crash:
        os.environ["DDBD_CRASH_POINT"] = crash
    try:
        # four shards, a RocksDB database each: a transaction's items, index entries and token span
        # them (xdb-between-parts: the kill after its first part, which the restart completes)
        return DdbdServer(["--data-dir", str(tmp_path / "data"), "--shards", "4"], port=port).start()
    finally:
        if env_before is None:
            os.environ.pop("DDBD_CRASH_POINT", None)
        else:
            os.environ["DDBD_CRASH_POINT"] = env_before


def owners(client, owner):
    return sorted(i["pk"]["S"] for i in client.query(
        TableName="acct", IndexName="byowner", KeyConditionExpression="#o = :o",
        ExpressionAttributeNames={"#o": "owner"}, ExpressionAttributeValues={":o": S(owner)})["Items"])


@pytest.mark.parametrize("point,applied", [("transact-before-commit", False), ("transact-after-commit", True),
                                           ("xdb-between-parts", True)])
def test_crash_point(tmp_path, point, applied):
    server = start(tmp_path)
    client = make_client(server.endpoint)
    create_accounts(client)
    server.stop(signal.SIGTERM)
    server = start(tmp_path, port=server.port, crash=point)
    try:
        with pytest.raises((EndpointConnectionError, ConnectionClosedError)):
            client.transact_write_items(**transfer("a00", "a01", 30, token="tok-1"))
        assert server.proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        server.kill()
    server = start(tmp_path, port=server.port)
    try:
        bal = balances(client)
        assert sum(bal.values()) == ACCOUNTS * START
        assert (bal["a00"], bal["a01"]) == ((70, 130) if applied else (100, 100))
        logged = client.get_item(TableName="acct", Key={"pk": S("log-a00-a01-30")}, ConsistentRead=True)
        assert ("Item" in logged) == applied
        assert ("a01" in owners(client, "moved")) == applied
        assert ("a01" in owners(client, "o1")) == (not applied)
        # the client's retry with its token: applied exactly once either way
        client.transact_write_items(**transfer("a00", "a01", 30, token="tok-1"))
        bal = balances(client)
        assert (bal["a00"], bal["a01"]) == (70, 130)
    finally:
        server.stop(signal.SIGTERM)


def test_kill_under_load(tmp_path):
    """Rounds of transfers from 4 threads, killed at a random moment; the total always holds."""
    server = start(tmp_path)
    port = server.port
    create_accounts(make_client(server.endpoint))
    rng = random.Random(7)
    for round_ in range(5):
        stop = threading.Event()

        def work(seed):
            r = random.Random(seed)
            client = make_client(server.endpoint)
            while not stop.is_set():
                src, dst = r.sample(range(ACCOUNTS), 2)
                try:
                    client.transact_write_items(**transfer("a%02d" % src, "a%02d" % dst, r.randint(1, 20)))
                except ClientError:
                    pass
                except Exception:
                    return  # the server is gone

        threads = [threading.Thread(target=work, args=(round_ * 10 + k,)) for k in range(4)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.3, 1.0))
        server.kill()
        stop.set()
        for t in threads:
            t.join()
        server = start(tmp_path, port=port)
        bal = balances(make_client(server.endpoint))
        assert sum(bal.values()) == ACCOUNTS * START, "round %d: %r" % (round_, bal)
        assert min(bal.values()) >= 0
    assert any(v != START for v in bal.values())  # transfers did land between the kills
    server.stop(signal.SIGTERM)
