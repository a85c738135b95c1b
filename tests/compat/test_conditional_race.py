"""Conditional writes are atomic: clients racing a condition on the same item never both win.

Each thread has its own boto3 client (its own connections). Rounds are started together with a
barrier so that every thread's request for a round is in flight at the same time.
"""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from conftest import hash_table, make_client, unique_name

THREADS = 8
ROUNDS = 50


@pytest.fixture(scope="module")
def table(ddb):
    yield from hash_table(ddb, "race")


def run_rounds(endpoint, attempt):
    """Runs attempt(client, thread, round) -> bool in THREADS threads for ROUNDS rounds, each
    round released by a barrier. Returns wins[round] = list of winning threads."""
    barrier = threading.Barrier(THREADS, timeout=30)
    wins = [[] for _ in range(ROUNDS)]
    lock = threading.Lock()

    def worker(thread):
        client = make_client(endpoint, max_pool_connections=2)
        for rnd in range(ROUNDS):
            barrier.wait()
            if attempt(client, thread, rnd):
                with lock:
                    wins[rnd].append(thread)
        return True

    with ThreadPoolExecutor(THREADS) as pool:
        assert all(pool.map(worker, range(THREADS)))
    return wins


def lost(exc):
    if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
        raise exc
    assert exc.response["Error"]["Message"] == "The conditional request failed"
    return False


def test_racing_creates_have_one_winner(ddb, endpoint, table):
    prefix = unique_name("create")

    def attempt(client, thread, rnd):
        try:
            client.put_item(TableName=table,
                            Item={"pk": {"S": "%s-%d" % (prefix, rnd)}, "owner": {"N": str(thread)}},
                            ConditionExpression="attribute_not_exists(pk)")
            return True
        except ClientError as e:
            return lost(e)

    wins = run_rounds(endpoint, attempt)
    for rnd, winners in enumerate(wins):
        assert len(winners) == 1, "round %d: winners %r" % (rnd, winners)
        item = ddb.get_item(TableName=table, Key={"pk": {"S": "%s-%d" % (prefix, rnd)}},
                            ConsistentRead=True)["Item"]
        assert item["owner"] == {"N": str(winners[0])}


def test_racing_compare_and_set_counter(ddb, endpoint, table):
    key = {"pk": {"S": unique_name("counter")}}
    ddb.put_item(TableName=table, Item=dict(key, v={"N": "0"}))

    def attempt(client, thread, rnd):
        # every thread expects the value the counter had at the start of the round
        try:
            client.update_item(TableName=table, Key=key, UpdateExpression="SET v = v + :one",
                               ConditionExpression="v = :expected",
                               ExpressionAttributeValues={":one": {"N": "1"},
                                                          ":expected": {"N": str(rnd)}})
            return True
        except ClientError as e:
            return lost(e)

    wins = run_rounds(endpoint, attempt)
    for rnd, winners in enumerate(wins):
        assert len(winners) == 1, "round %d: winners %r" % (rnd, winners)
    item = ddb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]
    assert item["v"] == {"N": str(sum(len(w) for w in wins))}
    assert item["v"] == {"N": str(ROUNDS)}


def test_free_running_optimistic_increments(ddb, endpoint, table):
    """Read, then increment on the condition that nobody changed it: the counter ends equal to
    the number of successful increments, and every thread eventually succeeds."""
    key = {"pk": {"S": unique_name("optimistic")}}
    ddb.put_item(TableName=table, Item=dict(key, v={"N": "0"}, seq={"L": []}))
    per_thread = 20

    def worker(thread):
        client = make_client(endpoint, max_pool_connections=2)
        done = failures = 0
        while done < per_thread:
            v = client.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]["v"]
            try:
                client.update_item(
                    TableName=table, Key=key,
                    UpdateExpression="SET v = v + :one, seq = list_append(seq, :me)",
                    ConditionExpression="v = :seen",
                    ExpressionAttributeValues={":one": {"N": "1"}, ":seen": v,
                                               ":me": {"L": [{"N": str(thread)}]}})
                done += 1
            except ClientError as e:
                lost(e)
                failures += 1
                assert failures < 10000
        return done

    with ThreadPoolExecutor(THREADS) as pool:
        total = sum(pool.map(worker, range(THREADS)))
    item = ddb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]
    assert total == THREADS * per_thread
    assert item["v"] == {"N": str(total)}
    log = [int(x["N"]) for x in item["seq"]["L"]]
    assert len(log) == total
    assert sorted(log) == sorted(t for t in range(THREADS) for _ in range(per_thread))


def test_concurrent_add_loses_no_increment(ddb, endpoint, table):
    key = {"pk": {"S": unique_name("add")}}
    per_thread = 50

    def worker(thread):
        client = make_client(endpoint, max_pool_connections=2)
        for _ in range(per_thread):
            client.update_item(TableName=table, Key=key, UpdateExpression="ADD c :one, s :me",
                               ExpressionAttributeValues={":one": {"N": "1"},
                                                          ":me": {"NS": [str(thread)]}})
        return True

    with ThreadPoolExecutor(THREADS) as pool:
        assert all(pool.map(worker, range(THREADS)))
    item = ddb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]
    assert item["c"] == {"N": str(THREADS * per_thread)}
    assert sorted(item["s"]["NS"], key=int) == [str(t) for t in range(THREADS)]


def test_racing_conditional_deletes_have_one_winner(ddb, endpoint, table):
    prefix = unique_name("del")
    for rnd in range(ROUNDS):
        ddb.put_item(TableName=table, Item={"pk": {"S": "%s-%d" % (prefix, rnd)}})

    def attempt(client, thread, rnd):
        try:
            client.delete_item(TableName=table, Key={"pk": {"S": "%s-%d" % (prefix, rnd)}},
                               ConditionExpression="attribute_exists(pk)")
            return True
        except ClientError as e:
            return lost(e)

    wins = run_rounds(endpoint, attempt)
    for rnd, winners in enumerate(wins):
        assert len(winners) == 1, "round %d: winners %r" % (rnd, winners)
