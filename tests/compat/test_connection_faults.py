"""Faults of the connection (issue 60, item 4; server/api/faults/inject.h): the request is carried out and
its answer is broken on the way back, as a network or a load balancer breaks one. What a client
must then survive is the retry of a request that was applied:

- ConnectionReset: the connection is reset instead of the answer's end (botocore:
  ConnectionClosedError);
- TruncatedBody: half the body of the Content-Length, then the connection closed;
- BadCrc32: an x-amz-crc32 that is not the body's (botocore: ChecksumError).

Each is checked from raw HTTP (what is on the wire), through boto3 without retries (the SDK's own
error, and the write applied all the same) and with them (the retry succeeds), and a
TransactWriteItems whose answer is lost is applied once on the SDK's retry, which repeats its
ClientRequestToken.
"""
import http.client
import json
import zlib

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ChecksumError, ConnectionClosedError

from conftest import ACCESS_KEY, REGION, SECRET_KEY, unique_name
from helpers import admin_call, key_client

KINDS = ["ConnectionReset", "TruncatedBody", "BadCrc32"]


def client(endpoint, attempts):
    return key_client(endpoint, ACCESS_KEY, SECRET_KEY, region=REGION, attempts=attempts, read_timeout=30)


@pytest.fixture(scope="module")
def server(server_factory_module):
    return server_factory_module(["--in-memory", "--admin"])


@pytest.fixture(scope="module")
def server_factory_module():
    from conftest import DdbdServer
    started = []

    def start(args):
        s = DdbdServer(args)
        started.append(s)
        return s.start()
    yield start
    for s in started:
        s.stop()


def table(c):
    name = unique_name("connfault")
    c.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    return name


def arm(server, kind, name, operation="PutItem"):
    """The one rule in force: the next `operation` on table `name` breaks its answer by `kind`."""
    assert admin_call(server.endpoint, "DELETE", "/ddbd/faults")[0] == 200
    status, answer = admin_call(server.endpoint, "POST", "/ddbd/faults",
                                {"faults": [{"operation": operation, "table": name, "error": kind, "count": 1}]})
    assert status == 200, answer


def injected(server):
    status, answer = admin_call(server.endpoint, "GET", "/ddbd/faults")
    assert status == 200
    return [(f["error"], f["injected"], f.get("remaining")) for f in answer["faults"]]


def raw_put(server, name, key):
    """A signed PutItem on a raw socket: (status, headers, the body's bytes read, error of the read)."""
    body = json.dumps({"TableName": name, "Item": {"pk": {"S": key}}, "ReturnValues": "NONE",
                       "ReturnConsumedCapacity": "TOTAL"})
    host, port = server.endpoint.split("//")[1].split(":")
    req = AWSRequest(method="POST", url=server.endpoint + "/", data=body.encode(), headers={
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.PutItem"})
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "dynamodb", REGION).add_auth(req)
    headers = dict(req.headers.items())
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.request("POST", "/", body=body.encode(), headers=headers)
    resp = conn.getresponse()
    got, err = b"", None
    try:
        got = resp.read()
    except http.client.IncompleteRead as e:
        got, err = e.partial, "IncompleteRead"
    except ConnectionResetError:
        err = "ConnectionResetError"
    conn.close()
    return resp.status, dict((k.lower(), v) for k, v in resp.getheaders()), got, err


def test_what_each_breaks_on_the_wire(server):
    c = client(server.endpoint, 1)
    name = table(c)
    answers = {}
    for kind in KINDS:
        arm(server, kind, name)
        answers[kind] = raw_put(server, name, "wire-" + kind)
        assert injected(server) == [(kind, 1, 0)]
    status, headers, body, err = answers["BadCrc32"]
    assert (status, err) == (200, None)
    assert json.loads(body) == {"ConsumedCapacity": {"TableName": name, "CapacityUnits": 1.0}}
    assert int(headers["x-amz-crc32"]) != zlib.crc32(body)
    status, headers, body, err = answers["TruncatedBody"]
    assert status == 200 and err == "IncompleteRead"
    assert len(body) == int(headers["content-length"]) // 2
    status, headers, body, err = answers["ConnectionReset"]
    assert status == 200 and err in ("ConnectionResetError", "IncompleteRead") and len(body) < int(headers["content-length"])
    # each request was carried out before its answer broke
    for kind in KINDS:
        assert "Item" in c.get_item(TableName=name, Key={"pk": {"S": "wire-" + kind}}, ConsistentRead=True)


@pytest.mark.parametrize("kind, error", [("ConnectionReset", ConnectionClosedError),
                                         ("TruncatedBody", ChecksumError),
                                         ("BadCrc32", ChecksumError)])
def test_the_sdk_sees_its_error_and_the_write_is_applied(server, kind, error):
    c = client(server.endpoint, 1)
    name = table(c)
    arm(server, kind, name)
    with pytest.raises(error):
        c.put_item(TableName=name, Item={"pk": {"S": "applied"}})
    assert "Item" in c.get_item(TableName=name, Key={"pk": {"S": "applied"}}, ConsistentRead=True)
    assert injected(server) == [(kind, 1, 0)]


@pytest.mark.parametrize("kind", KINDS)
def test_the_sdks_retry_gets_through(server, kind):
    c = client(server.endpoint, 3)
    name = table(c)
    arm(server, kind, name)
    out = c.put_item(TableName=name, Item={"pk": {"S": "retried"}})
    assert out["ResponseMetadata"]["RetryAttempts"] == 1
    assert injected(server) == [(kind, 1, 0)]


@pytest.mark.parametrize("kind", KINDS)
def test_a_transaction_whose_answer_is_lost_applies_once(server, kind):
    """boto3 fills ClientRequestToken and sends it again on the retry: the second call finds the
    first's record and answers without applying it again (the counter is 1, not 2)."""
    c = client(server.endpoint, 3)
    name = table(c)
    arm(server, kind, name, operation="TransactWriteItems")
    out = c.transact_write_items(TransactItems=[{"Update": {
        "TableName": name, "Key": {"pk": {"S": "counter"}}, "UpdateExpression": "ADD n :one",
        "ExpressionAttributeValues": {":one": {"N": "1"}}}}])
    assert out["ResponseMetadata"]["RetryAttempts"] == 1
    item = c.get_item(TableName=name, Key={"pk": {"S": "counter"}}, ConsistentRead=True)["Item"]
    assert item["n"] == {"N": "1"}


def test_a_connection_fault_is_a_rule_like_any_other(server):
    assert admin_call(server.endpoint, "DELETE", "/ddbd/faults")[0] == 200
    status, answer = admin_call(server.endpoint, "POST", "/ddbd/faults",
                                {"faults": [{"operation": "GetItem", "error": "BadCrc32", "probability": 0.5}]})
    assert status == 200, answer
    assert injected(server) == [("BadCrc32", 0, None)]  # (no count: nothing remaining to show)
    assert admin_call(server.endpoint, "DELETE", "/ddbd/faults")[0] == 200
