"""Commit result unknown (issue 43, item 4): a RADOS gateway dies after its write reached the
cluster and before its client heard of it, and the client retries on another gateway. The retry
must not apply the write a second time:

- a conditional UpdateItem (SET v and ADD n, if v is still the old value): the retry fails its
  condition, and the item shows the write once;
- a TransactWriteItems of ADDs with a ClientRequestToken: the retry with the same token succeeds
  without applying the ADDs again, whether the gateway died after the intent's commit point, before
  applying it (crash point rados-txn-after-commit: the other gateway rolls it forward), or after
  applying it whole (rados-commit-written).

The gateway is killed with crash points (server/base/faults.h), in its request worker
(server/http/offload.h) like any request on RADOS. Runs only where tests/rados/run.sh points it at a
loopback cluster (DDBD_STORE_ARGS with `--backend rados`); skipped everywhere else.
"""
import signal

import pytest
from botocore.exceptions import ClientError

from conftest import create_table_params, make_client, unique_name
from rados_helpers import gateway as rados_gateway, needs_cluster

pytestmark = needs_cluster

LEASE_MS = 1000  # a pending intent older than this is rolled back by whoever meets it


def gateway(ns, crash=None):
    env = {"DDBD_CRASH_POINT": crash} if crash else {}
    return rados_gateway(ns, DDBD_RADOS_INTENT_LEASE_MS=LEASE_MS, **env)


def lost_answer(ns, point, send):
    """A gateway with `point` armed gets the request (send(client)) and dies before answering."""
    dying = gateway(ns, crash=point)
    try:
        with pytest.raises(Exception) as e:
            send(make_client(dying.endpoint))
        assert dying.proc.wait(timeout=10) == -signal.SIGKILL, (repr(e.value), dying.stderr_text()[-2000:])
    finally:
        dying.kill()


def item(ddb, table, key):
    return ddb.get_item(TableName=table, Key={"pk": {"S": key}}, ConsistentRead=True)["Item"]


def survivor_with_table():
    ns = unique_name("unknown")
    survivor = gateway(ns)
    ddb = make_client(survivor.endpoint)
    table = unique_name("t")
    ddb.create_table(**create_table_params(table))
    return ns, survivor, ddb, table


def test_a_conditional_update_retried_after_a_lost_answer_is_applied_once():
    ns, survivor, ddb, table = survivor_with_table()
    try:
        ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "v": {"N": "1"}, "n": {"N": "0"}})
        request = dict(TableName=table, Key={"pk": {"S": "a"}}, UpdateExpression="SET v = :new ADD n :one",
                       ConditionExpression="v = :old",
                       ExpressionAttributeValues={":old": {"N": "1"}, ":new": {"N": "2"}, ":one": {"N": "1"}})
        lost_answer(ns, "rados-commit-written", lambda c: c.update_item(**request))
        with pytest.raises(ClientError) as e:
            ddb.update_item(**request)
        assert e.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
        got = item(ddb, table, "a")
        assert (got["v"]["N"], got["n"]["N"]) == ("2", "1")
    finally:
        survivor.stop(signal.SIGTERM)


def test_a_transaction_retried_with_its_token_after_a_lost_answer_is_applied_once():
    ns, survivor, ddb, table = survivor_with_table()
    try:
        keys = ["x", "y"]
        for k in keys:
            ddb.put_item(TableName=table, Item={"pk": {"S": k}, "n": {"N": "0"}})
        for rounds, point in enumerate(("rados-txn-after-commit", "rados-commit-written"), start=1):
            request = dict(ClientRequestToken=unique_name("token"), TransactItems=[
                {"Update": {"TableName": table, "Key": {"pk": {"S": k}}, "UpdateExpression": "ADD n :one",
                            "ExpressionAttributeValues": {":one": {"N": "1"}}}} for k in keys])
            lost_answer(ns, point, lambda c: c.transact_write_items(**request))
            ddb.transact_write_items(**request)  # the same token: DynamoDB's idempotent retry
            assert [item(ddb, table, k)["n"]["N"] for k in keys] == [str(rounds)] * 2, point
    finally:
        survivor.stop(signal.SIGTERM)
