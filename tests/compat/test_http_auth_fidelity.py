"""Authentication, HTTP and tag/account answers as DynamoDB gives them, where a conformance suite run
against DynamoDB found ddbd differing: the order of the signature checks (a stale date is "Signature
expired", 5 minutes either way, before the key is looked up, with --auth), a POST to a
path other than "/", `Content-Encoding: deflate` bodies, Accept-Encoding's weights and repeated
headers, the empty body of TagResource and UntagResource, and table ARNs of an account that is not
the caller's (docs/compatibility.md gives the sources of every expected message).
"""
import gzip
import http.client
import json
import urllib.request
import zlib

import pytest

from auth_helpers import (BAD_TOKEN, INVALID_SIG, MISMATCH, UNRECOGNIZED, assert_skewed, post, signed,
                          skewed, write_keys)
from conftest import JSON_10, S, make_client, raw_request, unique_name
from helpers import get_item

INCOMPLETE = "com.amazon.coral.service#IncompleteSignatureException"
MISSING = "com.amazon.coral.service#MissingAuthenticationTokenException"
ACCESS_DENIED = "com.amazon.coral.service#AccessDeniedException"
INTERNAL = {"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError", "message": "Internal server error"}
KEYS = "AKIDGOOD secretgood\nAKIDACCT secretacct 123456789012\n"


@pytest.fixture
def authed(server_factory, tmp_path_factory):
    return server_factory(args=("--in-memory", "--auth", write_keys(tmp_path_factory, KEYS)))


# ---- 1. the signature checks and their order ----

def test_stale_date_is_refused_before_the_key_is_looked_up(authed):
    when = skewed(-20)
    assert_skewed(post(authed.endpoint, signed(authed.endpoint, ak="AKIDNOBODY", when=when)), when)
    when = skewed(20)
    assert_skewed(post(authed.endpoint, signed(authed.endpoint, ak="AKIDNOBODY", when=when)), when, later=True)


def test_the_window_is_five_minutes(authed):
    when = skewed(-6)
    assert_skewed(post(authed.endpoint, signed(authed.endpoint, when=when)), when)
    when = skewed(6)
    assert_skewed(post(authed.endpoint, signed(authed.endpoint, when=when)), when, later=True)
    assert post(authed.endpoint, signed(authed.endpoint, when=skewed(-4))).status == 200
    assert post(authed.endpoint, signed(authed.endpoint, when=skewed(4))).status == 200


def test_order_of_the_checks_with_auth(authed):
    e = authed.endpoint
    r = post(e, {"Content-Type": JSON_10, "X-Amz-Target": "DynamoDB_20120810.ListTables"})
    assert (r.status, r.json()) == (400, {"__type": MISSING, "message": "Request is missing Authentication Token"})
    headers = signed(e)
    del headers["X-Amz-Date"]
    r = post(e, headers)
    assert r.status == 400 and r.json()["__type"] == INCOMPLETE
    assert r.json()["message"].startswith(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
    r = post(e, signed(e, ak="AKIDNOBODY"))
    assert (r.status, r.json()) == (400, {"__type": UNRECOGNIZED, "message": BAD_TOKEN})
    r = post(e, signed(e, sk="secretbad"))
    assert (r.status, r.json()) == (400, {"__type": INVALID_SIG, "message": MISMATCH})


def test_stale_date_without_auth_is_accepted(endpoint):
    # without --auth ddbd stands in for DynamoDB Local, which checks no date: hand-signed harnesses
    # send a fixed one (docs/compatibility.md, a deliberate difference); --auth checks it (above)
    for minutes in (-20, 20, -60 * 24 * 300):
        assert post(endpoint, signed(endpoint, ak="ANYKEY", when=skewed(minutes))).status == 200
    r = post(endpoint, signed(endpoint, body=b"not json", when=skewed(-20)), body=b"not json")
    assert (r.status, r.json()["__type"]) == (400, "com.amazon.coral.service#SerializationException")


def test_the_signature_clock_is_the_wall_clock(server_factory):
    # --admin moves the data's clock (TTL, streams), not the one clients sign with
    srv = server_factory(args=("--in-memory", "--admin"))
    req = urllib.request.Request(srv.endpoint + "/ddbd/clock", data=json.dumps({"advance": 86400000}).encode(),
                                 method="POST", headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=10).read()
    assert post(srv.endpoint, signed(srv.endpoint)).status == 200


# ---- 2. a path other than "/" ----

@pytest.mark.parametrize("path", ["/garbage", "/garbage/", "//", "/ListTables"])
def test_post_to_another_path_is_not_routed(endpoint, path):
    r = post(endpoint, signed(endpoint, path=path), path=path)
    assert r.status == 404
    assert r.body == b"<UnknownOperationException/>\n"


def test_post_to_another_path_with_auth(authed):
    r = post(authed.endpoint, signed(authed.endpoint, path="/garbage"), path="/garbage")
    assert (r.status, r.body) == (404, b"<UnknownOperationException/>\n")


# ---- 3. Content-Encoding: deflate ----

@pytest.fixture(scope="module")
def table(endpoint):
    name = unique_name("enc")
    make_client(endpoint).create_table(TableName=name, AttributeDefinitions=[{"AttributeName": "pk",
                                                                              "AttributeType": "S"}],
                                       KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                                       BillingMode="PAY_PER_REQUEST")
    return name


def put_body(table, pk):
    return json.dumps({"TableName": table, "Item": {"pk": S(pk), "v": S("z" * 3000)}}).encode()


def test_deflate_request(endpoint, table):
    r = raw_request(endpoint, "PutItem", zlib.compress(put_body(table, "deflated")),
                    headers={"Content-Encoding": "deflate"})
    assert (r.status, r.json()) == (200, {})
    assert get_item(make_client(endpoint), table, {"pk": S("deflated")})["v"] == S("z" * 3000)
    r = raw_request(endpoint, "PutItem", zlib.compress(put_body(table, "DEFLATED")),
                    headers={"Content-Encoding": " Deflate "})
    assert r.status == 200


@pytest.mark.parametrize("data", [
    lambda b: zlib.compress(b)[2:-4],        # raw deflate, without zlib's header and checksum
    lambda b: zlib.compress(b)[:-1],         # its checksum cut short
    lambda b: b"",                           # empty
])
def test_undecodable_deflate_is_500_and_changes_nothing(endpoint, table, data):
    pk = unique_name("bad")
    r = raw_request(endpoint, "PutItem", data(put_body(table, pk)), headers={"Content-Encoding": "deflate"})
    assert (r.status, r.json()) == (500, INTERNAL)
    assert get_item(make_client(endpoint), table, {"pk": S(pk)}) is None


def test_deflate_inflating_past_the_limit_is_413(endpoint, table):
    body = put_body(table, "huge")
    data = zlib.compress(body[:-1] + b" " * (17 * 1024 * 1024) + body[-1:])
    assert len(data) < 100000
    r = raw_request(endpoint, "PutItem", data, headers={"Content-Encoding": "deflate"})
    assert (r.status, r.json()) == (413, {"__type": "com.amazon.coral.service#RequestEntityTooLargeException",
                                          "message": "Request size exceeded 16777216 bytes"})
    assert get_item(make_client(endpoint), table, {"pk": S("huge")}) is None


# ---- 4. Accept-Encoding ----

def get_with_headers(endpoint, table, accept_headers):
    """GetItem of the large item with each (name, value) of accept_headers sent as its own header."""
    body = json.dumps({"TableName": table, "Key": {"pk": S("big")}}).encode()
    headers = signed(endpoint, body=body, target="GetItem")
    host, port = endpoint.replace("http://", "").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.putrequest("POST", "/", skip_accept_encoding=True)
        for k, v in list(headers.items()) + accept_headers:
            conn.putheader(k, v)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        return resp.getheader("content-encoding"), resp.read()
    finally:
        conn.close()


@pytest.mark.parametrize("accept, expected", [
    ([("Accept-Encoding", "gzip;q =0;q=1")], "gzip"),        # "q =0" is no weight: the first is q=1
    ([("Accept-Encoding", "deflate;q =0;q=1")], "deflate"),
    ([("Accept-Encoding", "gzip; q=0")], None),               # blanks before the q are allowed
    # the weight is what follows the first "q=", inside another parameter too, as DynamoDB reads it
    # (Alternator's test_compressed_response.py, its answers DynamoDB's; docs/compatibility.md)
    ([("Accept-Encoding", "gzip;nq=0;q=1")], None),
    ([("Accept-Encoding", "gzip;nq=1;q=0")], "gzip"),
    # sent twice, only the first header counts, as DynamoDB reads it (issue 42; docs/compatibility.md)
    ([("Accept-Encoding", "gzip"), ("Accept-Encoding", "identity")], "gzip"),
    ([("Accept-Encoding", "identity"), ("Accept-Encoding", "deflate")], None),
    ([("Accept-Encoding", "deflate;q=0.5"), ("Accept-Encoding", "gzip")], "deflate"),
])
def test_accept_encoding(endpoint, table, accept, expected):
    make_client(endpoint).put_item(TableName=table, Item={"pk": S("big"), "x": S("x" * 5000)})
    coding, body = get_with_headers(endpoint, table, accept)
    assert coding == expected
    if coding == "gzip":
        body = gzip.decompress(body)
    elif coding == "deflate":
        body = zlib.decompress(body)
    assert json.loads(body)["Item"]["x"] == S("x" * 5000)


# ---- 5. operations whose output has no members answer with an empty body ----

def test_tag_and_untag_answer_an_empty_body(endpoint, table):
    arn = make_client(endpoint).describe_table(TableName=table)["Table"]["TableArn"]
    for target, req in (("TagResource", {"ResourceArn": arn, "Tags": [{"Key": "k", "Value": "v"}]}),
                        ("UntagResource", {"ResourceArn": arn, "TagKeys": ["k"]})):
        r = raw_request(endpoint, target, req)
        assert r.status == 200
        assert r.body == b""
        assert r.headers["content-length"] == "0"
        assert r.headers["x-amz-crc32"] == "0"
    # an operation with output members keeps its JSON, an empty one included
    r = raw_request(endpoint, "ListTagsOfResource", {"ResourceArn": arn})
    assert (r.status, r.body) == (200, b'{"Tags":[]}')
    # an error of either is still JSON
    r = raw_request(endpoint, "TagResource", {"ResourceArn": arn, "Tags": []})
    assert r.status == 400 and r.json()["message"] == "Atleast one Tag needs to be provided as Input."
    # and the SDK reads the empty answer
    c = make_client(endpoint)
    c.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "b"}])
    assert c.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "a", "Value": "b"}]
    c.untag_resource(ResourceArn=arn, TagKeys=["a"])


# ---- 6. table ARNs of an account that is not the caller's ----

def denied(account, op, arn, user=None):
    """The refusal, naming the caller as IAM does: its key's user (as every other refusal of --auth
    names it; issue 42: it said root), else (no --auth) its account's root."""
    who = "user/" + user if user else "root"
    return {"__type": ACCESS_DENIED,
            "message": "User: arn:aws:iam::%s:%s is not authorized to perform: dynamodb:%s on resource: %s "
                       "because no resource-based policy allows the dynamodb:%s action" % (account, who, op, arn, op)}


def signed_call(endpoint, target, req, ak, sk):
    body = json.dumps(req).encode()
    return post(endpoint, signed(endpoint, body=body, target=target, ak=ak, sk=sk), body=body)


def test_the_callers_account_is_its_keys(authed):
    """A key of account 123456789012 (without --namespaces) is shown its own account in ARNs, may
    name its own ARNs, and is refused the default account's: before, the default account stood for
    every key's, so an ARN of another account passed for the caller's."""
    e, ak, sk = authed.endpoint, "AKIDACCT", "secretacct"
    name = unique_name("acct")
    r = signed_call(e, "CreateTable", {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
                                       "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                                       "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}, ak, sk)
    own = "arn:aws:dynamodb:us-east-1:123456789012:table/" + name
    assert r.status == 200 and r.json()["TableDescription"]["TableArn"] == own
    assert signed_call(e, "ListTagsOfResource", {"ResourceArn": own}, ak, sk).json() == {"Tags": []}
    other = "arn:aws:dynamodb:us-east-1:000000000000:table/" + name
    for target, req in (("ListTagsOfResource", {"ResourceArn": other}),
                        ("TagResource", {"ResourceArn": other, "Tags": [{"Key": "k", "Value": "v"}]}),
                        ("UntagResource", {"ResourceArn": other, "TagKeys": ["k"]}),
                        ("DescribeTable", {"TableName": other})):
        r = signed_call(e, target, req, ak, sk)
        assert (r.status, r.json()) == (400, denied("123456789012", target, other, "AKIDACCT"))
    # a key with no account is the default account's, and refused 123456789012's ARNs
    r = signed_call(e, "ListTagsOfResource", {"ResourceArn": own}, "AKIDGOOD", "secretgood")
    assert (r.status, r.json()) == (400, denied("000000000000", "ListTagsOfResource", own, "AKIDGOOD"))


def test_table_arn_members_of_another_account(endpoint, table):
    other = "arn:aws:dynamodb:us-east-1:123456789012:table/" + table
    r = raw_request(endpoint, "ExportTableToPointInTime", {"TableArn": other, "S3Bucket": "bucket"})
    assert (r.status, r.json()) == (400, denied("000000000000", "ExportTableToPointInTime", other))
    r = raw_request(endpoint, "RestoreTableToPointInTime", {"SourceTableArn": other, "TargetTableName": unique_name("r"),
                                                            "UseLatestRestorableTime": True})
    assert (r.status, r.json()) == (400, denied("000000000000", "RestoreTableToPointInTime", other))
