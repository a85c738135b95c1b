"""One seed, one run (issue 60, item 2): with the same seeds and the same requests, what ddbd draws
repeats exactly, whatever the machine's load, because every draw is the n-th of a seeded sequence
and every window is on the frozen clock:

- --write-conflict-rate's and --transaction-conflict-rate's refusals (and which action of a
  transaction is the conflicting one): --fault-seed's sequence (server/base/faults.h); before,
  they came from the system's random generator, so two runs differed;
- --fault rules' probabilities: each rule's own sequence (api/faults/inject.h);
- --stale-reads' and --index-lag's draws: each table's sequence, --consistency-seed.

Each case runs the same requests on two servers started alike and compares what each answered,
then once with another seed, which must differ (the draws are not all the same by accident).
"""
import pytest
from botocore.exceptions import ClientError

from conftest import make_client
from helpers import admin_call

FROZEN = ("--in-memory", "--admin", "--clock", "frozen@1700000000000")


def table(c, name="seeded", gsi=False):
    extra = {}
    defs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if gsi:
        defs.append({"AttributeName": "g", "AttributeType": "S"})
        extra["GlobalSecondaryIndexes"] = [{"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                            "Projection": {"ProjectionType": "ALL"}}]
    c.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], AttributeDefinitions=defs,
                   BillingMode="PAY_PER_REQUEST", **extra)
    return name


def outcome(fn):
    try:
        fn()
        return "ok"
    except ClientError as e:
        reasons = e.response.get("CancellationReasons")
        return e.response["Error"]["Code"] + ("" if not reasons else ":" + ",".join(r["Code"] for r in reasons))


def conflicts_run(server_factory, seed):
    s = server_factory(FROZEN + ("--fault-seed", str(seed), "--write-conflict-rate", "0.4",
                                 "--transaction-conflict-rate", "0.4"))
    c = make_client(s.endpoint)
    name = table(c)
    seen = []
    for i in range(30):
        seen.append(outcome(lambda: c.put_item(TableName=name, Item={"pk": {"S": "k%d" % i}})))
        seen.append(outcome(lambda: c.transact_write_items(TransactItems=[
            {"Put": {"TableName": name, "Item": {"pk": {"S": "t%d-%d" % (i, j)}}}} for j in range(4)])))
    return seen


def test_the_conflict_rates_repeat_with_their_seed(server_factory):
    first = conflicts_run(server_factory, 7)
    assert "ok" in first and "TransactionConflictException" in first
    assert any(o.startswith("TransactionCanceledException:") for o in first)
    assert len({o for o in first if o.startswith("TransactionCanceledException:")}) > 1  # which action: drawn
    assert conflicts_run(server_factory, 7) == first
    assert conflicts_run(server_factory, 8) != first


def faults_and_lags_run(server_factory, seed):
    s = server_factory(FROZEN + ("--fault-seed", str(seed), "--consistency-seed", str(seed),
                                 "--index-lag", "100-900", "--stale-reads", "1000",
                                 "--fault", "operation=GetItem,error=ThrottlingException,probability=0.3"))
    c = make_client(s.endpoint)
    name = table(c, gsi=True)
    seen = []
    for i in range(40):
        c.put_item(TableName=name, Item={"pk": {"S": "k%d" % (i % 5)}, "g": {"S": "g%d" % i}})
        seen.append(outcome(lambda: c.get_item(TableName=name, Key={"pk": {"S": "k%d" % (i % 5)}})))
        got = c.query(TableName=name, KeyConditionExpression="pk = :k", ConsistentRead=True,
                      ExpressionAttributeValues={":k": {"S": "k%d" % (i % 5)}})["Items"][0]["g"]["S"]
        assert got == "g%d" % i  # a strongly consistent read is never stale
        # the write of 4 steps ago (200 ms): seen or not, by its drawn lag of 100 to 900 ms
        seen.append(len(c.query(TableName=name, IndexName="byg", KeyConditionExpression="g = :g",
                                ExpressionAttributeValues={":g": {"S": "g%d" % (i - 4)}})["Items"]))
        assert admin_call(s.endpoint, "POST", "/ddbd/clock", {"advance": 50})[0] == 200
    return seen


def test_faults_stale_reads_and_lags_repeat_with_their_seed(server_factory):
    first = faults_and_lags_run(server_factory, 11)
    assert "ThrottlingException" in first and "ok" in first
    assert 0 in first and 1 in first  # some GSI reads saw their write, some did not yet
    assert faults_and_lags_run(server_factory, 11) == first
    assert faults_and_lags_run(server_factory, 12) != first
