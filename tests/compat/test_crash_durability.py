"""Durability under kill -9: in the default mode an acknowledged write survives the process being
killed at any moment. 20 rounds: writers put items under load (PutItem, BatchWriteItem, UpdateItem),
ddbd is killed with SIGKILL at a random moment, restarted on the same data directory, and every write
that was acknowledged before the kill must be there, intact; the restart must be ready in under a
second. (Transactions' crash points are test_transact_crash.py's.)
"""
import random
import signal
import threading
import time

from botocore.exceptions import ConnectionClosedError, EndpointConnectionError, ReadTimeoutError

from conftest import make_client

ROUNDS = 20
WRITERS = 4
TABLE = "crash_durability"


def create(ddb):
    ddb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])


def writer(ddb, round_no, wid, acked, stop):
    n = 0
    while not stop.is_set():
        key = "r%02d-w%d-%06d" % (round_no, wid, n)
        value = {"pk": {"S": key}, "round": {"N": str(round_no)}, "blob": {"S": key * 8}}
        try:
            if n % 3 == 0:
                ddb.put_item(TableName=TABLE, Item=value)
            elif n % 3 == 1:
                ddb.batch_write_item(RequestItems={TABLE: [{"PutRequest": {"Item": value}}]})
            else:
                ddb.update_item(TableName=TABLE, Key={"pk": {"S": key}},
                                UpdateExpression="SET #r = :r, #b = :b", ExpressionAttributeNames={"#r": "round", "#b": "blob"},
                                ExpressionAttributeValues={":r": value["round"], ":b": value["blob"]})
        except (ConnectionError, OSError, EndpointConnectionError, ConnectionClosedError, ReadTimeoutError):
            return  # the server went away: this write was never acknowledged
        acked.append(key)
        n += 1


def verify(ddb, keys):
    for i in range(0, len(keys), 100):
        chunk = keys[i:i + 100]
        resp = ddb.batch_get_item(RequestItems={TABLE: {"Keys": [{"pk": {"S": k}} for k in chunk],
                                                        "ConsistentRead": True}})
        assert resp["UnprocessedKeys"] == {}
        got = {it["pk"]["S"]: it for it in resp["Responses"][TABLE]}
        missing = [k for k in chunk if k not in got]
        assert not missing, "acknowledged writes lost: %s" % missing[:5]
        for k in chunk:
            assert got[k]["blob"] == {"S": k * 8}, k


def test_acknowledged_writes_survive_kill_9(server_factory, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    rng = random.Random(20261122)
    all_acked = []
    server = server_factory(["--data-dir", str(data)])
    create(make_client(server.endpoint))
    for round_no in range(ROUNDS):
        acked, stop = [], threading.Event()
        clients = [make_client(server.endpoint) for _ in range(WRITERS)]  # made before the clock starts
        threads = [threading.Thread(target=writer, args=(clients[w], round_no, w, acked, stop))
                   for w in range(WRITERS)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.1, 0.5))
        server.proc.send_signal(signal.SIGKILL)  # at a random moment, writes in flight
        server.proc.wait()
        stop.set()
        for t in threads:
            t.join()
        all_acked.extend(acked)
        server = server_factory(["--data-dir", str(data)])
        assert server.ready_seconds < 1.0, "restart took %.2f s" % server.ready_seconds
        verify(make_client(server.endpoint), list(acked))
    assert len(all_acked) > ROUNDS * 50, len(all_acked)
    verify(make_client(server.endpoint), all_acked)
    assert server.stop(signal.SIGTERM) == 0
