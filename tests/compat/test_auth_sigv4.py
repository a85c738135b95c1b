"""SigV4 verification with --auth FILE: every request's signature is rebuilt and compared, and a
request that fails is refused with AWS's exception and message before anything else about it
(its body, its operation name) is looked at. Requests are signed with botocore's own signer, then
altered where a test needs a broken one. Without --auth any signature is accepted
(test_auth_options.py).
"""
import datetime
import json
import re
import subprocess

import pytest

from auth_helpers import (BAD_TOKEN, INVALID_SIG, MISMATCH, UNRECOGNIZED, amz, assert_skewed, post, post_path,
                          presigned_url, signed, skewed, write_keys)
from conftest import DDBD_BIN, raw_request
from helpers import error_of, key_client, signed_call

KEYS = """# ddbd --auth key file
AKIDGOOD secretgood 123456789012
AKIDTOKEN secrettoken 123456789012 token-123

  # a comment: a line whose first non-blank character is '#' (one after the fields is an error)
AKIDOTHER othersecret
"""


@pytest.fixture(scope="module")
def keyfile(tmp_path_factory):
    return write_keys(tmp_path_factory, KEYS)


@pytest.fixture
def server(server_factory, keyfile):
    return server_factory(args=("--in-memory", "--auth", keyfile))


def client(endpoint, ak="AKIDGOOD", sk="secretgood", token=None, region="us-east-1"):
    return key_client(endpoint, ak, sk, region=region, token=token)


def test_keys_of_the_file_sign_requests(server):
    assert client(server.endpoint).list_tables()["TableNames"] == []
    assert client(server.endpoint, "AKIDOTHER", "othersecret").list_tables()["TableNames"] == []
    # any region: a local endpoint serves them all
    assert client(server.endpoint, region="eu-west-3").list_tables()["TableNames"] == []


def test_wrong_secret_is_invalid_signature(server):
    assert error_of(lambda: client(server.endpoint, sk="secretbad").list_tables()) == \
        ("InvalidSignatureException", MISMATCH)


def test_unknown_access_key_is_unrecognized(server):
    assert error_of(lambda: client(server.endpoint, ak="AKIDNOBODY").list_tables()) == \
        ("UnrecognizedClientException", BAD_TOKEN)


def test_session_tokens(server):
    ok = client(server.endpoint, "AKIDTOKEN", "secrettoken", token="token-123")
    assert ok.list_tables()["TableNames"] == []
    for token in ("token-999", None):
        c = client(server.endpoint, "AKIDTOKEN", "secrettoken", token=token)
        assert error_of(c.list_tables) == ("UnrecognizedClientException", BAD_TOKEN)
    # a key without a token refuses one
    c = client(server.endpoint, token="token-123")
    assert error_of(c.list_tables) == ("UnrecognizedClientException", BAD_TOKEN)


def test_tampered_body(server):
    headers = signed(server.endpoint, body=b'{"Limit": 5}')
    r = post(server.endpoint, headers, body=b'{"Limit": 6}')
    assert r.status == 400
    assert r.json() == {"__type": INVALID_SIG, "message": MISMATCH}
    assert post(server.endpoint, headers, body=b'{"Limit": 5}').status == 200


def test_header_left_out_of_signed_headers(server):
    headers = signed(server.endpoint)
    auth = headers["Authorization"]
    assert "x-amz-target" in auth
    headers["Authorization"] = auth.replace(";x-amz-target", "")
    r = post(server.endpoint, headers)
    assert r.json() == {"__type": INVALID_SIG, "message": MISMATCH}


def test_a_signed_header_changed_after_signing(server):
    headers = signed(server.endpoint)
    headers["X-Amz-Target"] = "DynamoDB_20120810.DescribeLimits"
    assert post(server.endpoint, headers).json() == {"__type": INVALID_SIG, "message": MISMATCH}


def test_host_must_be_signed(server):
    headers = signed(server.endpoint)
    auth = headers["Authorization"]
    headers["Authorization"] = re.sub(r"(SignedHeaders=[^,]*?)\bhost;", r"\1", auth)
    assert headers["Authorization"] != auth
    assert post(server.endpoint, headers).json() == {
        "__type": INVALID_SIG,
        "message": "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."}


def test_wrong_service_in_scope(server):
    headers = signed(server.endpoint, service="dynamo")
    assert post(server.endpoint, headers).json() == {
        "__type": INVALID_SIG, "message": "Credential should be scoped to correct service: 'dynamodb'. "}


def test_malformed_region_in_scope(server):
    headers = signed(server.endpoint, region="us_east_1")
    assert post(server.endpoint, headers).json() == {
        "__type": INVALID_SIG, "message": "Credential should be scoped to a valid region. "}


def test_scope_date_must_be_the_requests(server):
    headers = signed(server.endpoint)
    day = headers["X-Amz-Date"][:8]
    other = "20200101" if day != "20200101" else "20200102"
    headers["Authorization"] = headers["Authorization"].replace("/%s/" % day, "/%s/" % other)
    assert post(server.endpoint, headers).json() == {
        "__type": INVALID_SIG,
        "message": "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
                   "from HTTP: '%s' != '%s', from '%s'." % (other, day, headers["X-Amz-Date"])}


def test_signature_expired(server):
    when = skewed(-20)
    assert_skewed(post(server.endpoint, signed(server.endpoint, when=when)), when)


def test_signature_not_yet_current(server):
    when = skewed(20)
    assert_skewed(post(server.endpoint, signed(server.endpoint, when=when)), when, later=True)


def test_within_the_skew_is_accepted(server):
    assert post(server.endpoint, signed(server.endpoint, when=skewed(-4))).status == 200


def test_signature_is_checked_before_the_operation_and_the_body(server):
    # a request that cannot be authenticated gets nothing else checked
    headers = signed(server.endpoint, sk="secretbad", target="Frobnicate")
    assert post(server.endpoint, headers).json() == {"__type": INVALID_SIG, "message": MISMATCH}
    headers = signed(server.endpoint, sk="secretbad", body=b"not json")
    assert post(server.endpoint, headers, body=b"not json").json() == {"__type": INVALID_SIG,
                                                                       "message": MISMATCH}
    headers = signed(server.endpoint, ak="AKIDNOBODY", target="Frobnicate")
    assert post(server.endpoint, headers).json() == {"__type": UNRECOGNIZED, "message": BAD_TOKEN}
    # and a good signature still gets the operation's own errors
    headers = signed(server.endpoint, target="Frobnicate")
    assert post(server.endpoint, headers).json() == {
        "__type": "com.amazon.coral.service#UnknownOperationException"}


def test_missing_authorization_with_auth_on(server):
    r = raw_request(server.endpoint, "ListTables", {}, sign=False)
    assert r.json() == {"__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
                        "message": "Request is missing Authentication Token"}


def test_aws_cli_signs_with_a_file_key(server, tmp_path):
    env = {"AWS_ACCESS_KEY_ID": "AKIDGOOD", "AWS_SECRET_ACCESS_KEY": "secretgood",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(tmp_path / "none"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"), "PATH": "/usr/bin:/bin",
           "HOME": str(tmp_path)}
    out = subprocess.run(["aws", "dynamodb", "list-tables", "--endpoint-url", server.endpoint],
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"TableNames": []}
    env["AWS_SECRET_ACCESS_KEY"] = "wrong"
    out = subprocess.run(["aws", "dynamodb", "list-tables", "--endpoint-url", server.endpoint],
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 254
    assert "InvalidSignatureException" in out.stderr


def test_a_malformed_key_file_stops_the_server(tmp_path):
    bad = tmp_path / "keys"
    bad.write_text("AKIDONLY\n")
    out = subprocess.run([DDBD_BIN, "--in-memory", "--port", "0", "--auth", str(bad)],
                         capture_output=True, text=True, timeout=10)
    assert out.returncode != 0
    assert "expected ACCESS_KEY_ID SECRET_ACCESS_KEY" in out.stderr
    out = subprocess.run([DDBD_BIN, "--in-memory", "--port", "0", "--auth", str(tmp_path / "absent")],
                         capture_output=True, text=True, timeout=10)
    assert out.returncode != 0
    assert "No such file or directory" in out.stderr
    # the file is named as the file (issue 56: it read "cannot open in-memory: --auth ...")
    assert " error --auth %s: No such file or directory\n" % (tmp_path / "absent") in out.stderr, out.stderr
    assert "cannot open in-memory" not in out.stderr


def test_presigned_query_string_signatures(server):
    path, headers = presigned_url(server.endpoint, "AKIDGOOD", "secretgood")
    assert "X-Amz-Signature=" in path
    # authenticated: what is left to refuse is the empty body
    r = post_path(server.endpoint, path, headers)
    assert r.json()["__type"] == "com.amazon.coral.service#SerializationException"
    tampered = re.sub(r"X-Amz-Signature=[0-9a-f]", "X-Amz-Signature=x", path)
    assert post_path(server.endpoint, tampered, headers).json() == {"__type": INVALID_SIG, "message": MISMATCH}
    no_date = re.sub(r"&X-Amz-Date=[^&]*", "", path)
    assert post_path(server.endpoint, no_date, headers).json() == {
        "__type": "com.amazon.coral.service#IncompleteSignatureException",
        "message": "AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string "
                   "parameters."}


def test_presigned_url_expires(server):
    when = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=90)
    path, headers = presigned_url(server.endpoint, "AKIDGOOD", "secretgood", expires=30, when=when)
    body = post_path(server.endpoint, path, headers).json()
    assert body["__type"] == INVALID_SIG
    assert re.fullmatch(r"Signature expired: %s is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 30 sec\.\)"
                        % amz(when), body["message"]), body["message"]
    path, headers = presigned_url(server.endpoint, "AKIDGOOD", "secretgood", expires=300, when=when)
    assert post_path(server.endpoint, path, headers).json()["__type"] == \
        "com.amazon.coral.service#SerializationException"


# ---- access policies: allow= and tables= on a key ----

# one account: its keys share its tables (a key of another account is a cross-account caller, which
# needs the table's resource-based policy: tests/security/test_authz_accounts.py)
POLICY_KEYS = """AKIDREAD readsecret 111122223333 name=reader allow=read
AKIDORD ordsecret 111122223333 name=orders-app allow=GetItem,PutItem,Query,dynamodb:Describe* tables=orders,orders_*
AKIDALL allsecret 111122223333
"""


@pytest.fixture
def policy_server(server_factory, tmp_path):
    path = tmp_path / "keys"
    path.write_text(POLICY_KEYS)
    srv = server_factory(args=("--in-memory", "--auth", str(path)))
    admin = client(srv.endpoint, "AKIDALL", "allsecret")
    for t in ("orders", "orders_2026", "secrets"):
        admin.create_table(TableName=t, BillingMode="PAY_PER_REQUEST",
                           AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                           KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        admin.put_item(TableName=t, Item={"pk": {"S": "a"}})
    return srv


def denied(user, account, action, table=None, region="us-east-1"):
    resource = "arn:aws:dynamodb:%s:%s:table/%s" % (region, account, table) if table else "*"
    return ("AccessDeniedException",
            "User: arn:aws:iam::%s:user/%s is not authorized to perform: dynamodb:%s on resource: %s "
            "because no identity-based policy allows the dynamodb:%s action" % (account, user, action, resource,
                                                                               action))


def test_read_only_key(policy_server):
    c = client(policy_server.endpoint, "AKIDREAD", "readsecret")
    assert c.get_item(TableName="secrets", Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}
    assert len(c.list_tables()["TableNames"]) == 3
    assert c.execute_statement(Statement="SELECT * FROM \"orders\" WHERE pk = 'a'")["Items"]
    assert error_of(lambda: c.put_item(TableName="orders", Item={"pk": {"S": "b"}})) == \
        denied("reader", "111122223333", "PutItem", "orders")
    assert error_of(lambda: c.delete_table(TableName="secrets")) == \
        denied("reader", "111122223333", "DeleteTable", "secrets")
    assert error_of(lambda: c.execute_statement(Statement="DELETE FROM \"orders\" WHERE pk = 'a'")) == \
        denied("reader", "111122223333", "PartiQLDelete", "orders")
    assert error_of(lambda: c.batch_write_item(RequestItems={"orders": [
        {"PutRequest": {"Item": {"pk": {"S": "x"}}}}]})) == denied("reader", "111122223333", "BatchWriteItem", "orders")


def test_table_allow_list_with_wildcards(policy_server):
    c = client(policy_server.endpoint, "AKIDORD", "ordsecret", region="eu-west-1")
    c.put_item(TableName="orders", Item={"pk": {"S": "b"}})
    c.put_item(TableName="orders_2026", Item={"pk": {"S": "b"}})
    assert c.describe_table(TableName="orders")["Table"]["TableName"] == "orders"
    assert error_of(lambda: c.get_item(TableName="secrets", Key={"pk": {"S": "a"}})) == \
        denied("orders-app", "111122223333", "GetItem", "secrets", region="eu-west-1")
    assert error_of(lambda: c.scan(TableName="orders")) == \
        denied("orders-app", "111122223333", "Scan", "orders", region="eu-west-1")
    # every table of a batch or a transaction is checked, a transaction's elements for the actions
    # IAM authorizes them by (a Put by dynamodb:PutItem); ListTables has no table
    assert error_of(lambda: c.transact_write_items(TransactItems=[
        {"Put": {"TableName": "orders", "Item": {"pk": {"S": "c"}}}},
        {"Put": {"TableName": "secrets", "Item": {"pk": {"S": "c"}}}}])) == \
        denied("orders-app", "111122223333", "PutItem", "secrets", region="eu-west-1")
    assert error_of(lambda: c.transact_write_items(TransactItems=[
        {"Delete": {"TableName": "orders", "Key": {"pk": {"S": "c"}}}}])) == \
        denied("orders-app", "111122223333", "DeleteItem", "orders", region="eu-west-1")
    assert error_of(c.list_tables) == denied("orders-app", "111122223333", "ListTables", region="eu-west-1")
    admin = client(policy_server.endpoint, "AKIDALL", "allsecret")
    assert "Item" not in admin.get_item(TableName="secrets", Key={"pk": {"S": "c"}})


def test_search_vectors_is_a_read_action(policy_server):
    """SearchVectors is dynamodb:SearchVectors, one of allow=read's actions, decided on the vector
    index's ARN (the developer guide's "Security and access control" of vector search)."""
    ep = policy_server.endpoint
    status, out = signed_call(ep, "AKIDALL", "allsecret", "CreateTable", {
        "TableName": "orders_vec", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "VectorIndexes": [{"IndexName": "vix", "VectorAttribute": {"AttributeName": "v"}, "Dimensions": 2,
                           "DistanceFunction": "EUCLIDEAN", "Projection": {"ProjectionType": "KEYS_ONLY"}}]})
    assert status == 200, out
    assert signed_call(ep, "AKIDALL", "allsecret", "PutItem", {
        "TableName": "orders_vec", "Item": {"pk": {"S": "a"}, "v": {"L": [{"N": "1"}, {"N": "2"}]}}})[0] == 200
    search = {"TableName": "orders_vec", "IndexName": "vix", "TopK": 1, "SearchVector": [{"N": "1"}, {"N": "2"}]}
    status, out = signed_call(ep, "AKIDREAD", "readsecret", "SearchVectors", search)
    assert status == 200 and [r["Item"]["pk"]["S"] for r in out["SearchResults"]] == ["a"], out
    # orders-app may call GetItem, PutItem, Query and Describe* on orders_*: not SearchVectors
    status, out = signed_call(ep, "AKIDORD", "ordsecret", "SearchVectors", search)
    assert status == 400 and (out["__type"].split("#")[-1], out["message"]) == \
        denied("orders-app", "111122223333", "SearchVectors", "orders_vec/index/vix"), out
