"""Compressed request and response bodies, as DynamoDB handles them.

Requests: Content-Encoding: gzip bodies are inflated (boto3's request compression sends them);
other encodings and broken gzip are InternalServerError (500) and change nothing; the inflated
size is limited to --max-body (413). Responses: Accept-Encoding gzip/deflate compresses answers of
4096 bytes or more, the coding chosen by DynamoDB's rules, x-amz-crc32 over the compressed bytes.
The expectations follow what ScyllaDB's Alternator tests record of DynamoDB itself.
"""
import gzip
import json
import zlib

import pytest

from conftest import ACCESS_KEY, SECRET_KEY, S, make_client, raw_request, unique_name
from helpers import get_item

THRESHOLD = 4096


@pytest.fixture(scope="module")
def table(endpoint):
    c = make_client(endpoint)
    name = unique_name("gz")
    c.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    yield name
    c.delete_table(TableName=name)


def put_body(table, pk, extra=""):
    return '{"TableName": "%s", "Item": {"pk": {"S": "%s"}%s}}' % (table, pk, extra)


def test_signature_covers_the_body_as_sent(server_factory, tmp_path):
    """With --auth the signature is of the compressed bytes; they are inflated after it is checked."""
    keys = tmp_path / "keys"
    keys.write_text("%s %s\n" % (ACCESS_KEY, SECRET_KEY))
    srv = server_factory(["--in-memory", "--auth", str(keys)])
    make_client(srv.endpoint).create_table(
        TableName="signed", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    r = raw_request(srv.endpoint, "PutItem", gzip.compress(put_body("signed", "s").encode()),
                    headers={"Content-Encoding": "gzip"})
    assert r.status == 200, r.body
    assert get_item(make_client(srv.endpoint), "signed", {"pk": S("s")}) == {"pk": S("s")}
    # a body that is no gzip is refused only after its signature: a bad one is a signature error
    r = raw_request(srv.endpoint, "PutItem", b"not gzip", headers={"Content-Encoding": "gzip"}, sign=False)
    assert r.status == 400 and "MissingAuthenticationToken" in r.json()["__type"]


@pytest.mark.parametrize("how", ["one", "two members", "junk after it"])
def test_gzip_request(endpoint, table, how):
    """Bytes after the last member that do not start another are ignored, as DynamoDB answers 200
    (Java's GZIPInputStream; issue 42)."""
    body = put_body(table, "g-" + how, ', "v": {"S": "%s"}' % ("z" * 5000)).encode()
    data = {"one": lambda: gzip.compress(body),
            "two members": lambda: gzip.compress(body[:10]) + gzip.compress(body[10:]),
            "junk after it": lambda: gzip.compress(body) + b"junk\x00\x1f"}[how]()
    r = raw_request(endpoint, "PutItem", data, headers={"Content-Encoding": "gzip"})
    assert r.status == 200, r.body
    assert get_item(make_client(endpoint), table, {"pk": S("g-" + how)})["v"] == S("z" * 5000)


@pytest.mark.parametrize("encoding, data", [
    ("gzip", lambda b: b),                          # not gzip at all
    ("gzip", lambda b: gzip.compress(b)[:-1]),      # its trailer cut short
    ("gzip", lambda b: b""),                        # empty
    ("garbage", lambda b: b),
    ("deflate", lambda b: b),                       # not zlib at all
    ("deflate", lambda b: zlib.compress(b) + b"junk"),  # junk after its one stream
])
def test_undecodable_request_is_500_and_changes_nothing(endpoint, table, encoding, data):
    pk = unique_name("bad")
    r = raw_request(endpoint, "PutItem", data(put_body(table, pk).encode()), headers={"Content-Encoding": encoding})
    assert r.status == 500, r.body
    assert r.json() == {"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError",
                        "message": "Internal server error"}
    assert get_item(make_client(endpoint), table, {"pk": S(pk)}) is None


def test_identity_encoding_is_no_encoding(endpoint, table):
    r = raw_request(endpoint, "PutItem", put_body(table, "ident"), headers={"Content-Encoding": "identity"})
    assert r.status == 200, r.body


def test_inflated_size_is_limited(endpoint, table):
    """16 MiB, the limit of a plain body, also limits what a small gzip body inflates to."""
    body = put_body(table, "huge")
    body = body[:-1] + " " * (17 * 1024 * 1024) + body[-1]
    data = gzip.compress(body.encode())
    assert len(data) < 100000
    r = raw_request(endpoint, "PutItem", data, headers={"Content-Encoding": "gzip"})
    assert r.status == 413, r.body
    assert r.json() == {"__type": "com.amazon.coral.service#RequestEntityTooLargeException",
                        "message": "Request size exceeded 16777216 bytes"}
    assert get_item(make_client(endpoint), table, {"pk": S("huge")}) is None


def get_raw(endpoint, table, pk, accept=None, projection=None):
    req = {"TableName": table, "Key": {"pk": {"S": pk}}}
    if projection:
        req["ProjectionExpression"] = projection
    return raw_request(endpoint, "GetItem", json.dumps(req), headers={"Accept-Encoding": accept} if accept else None)


def decoded(r):
    enc = r.headers.get("content-encoding")
    if enc == "gzip":
        return json.loads(gzip.decompress(r.body))
    if enc == "deflate":
        return json.loads(zlib.decompress(r.body))
    assert enc is None
    return r.json()


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_large_answers_are_compressed(endpoint, table, encoding):
    data = "x" * (THRESHOLD - 25)
    make_client(endpoint).put_item(TableName=table, Item={"pk": S("big-" + encoding), "x": S(data)})
    plain = get_raw(endpoint, table, "big-" + encoding, projection="pk, x")
    assert "content-encoding" not in plain.headers and len(plain.body) >= THRESHOLD
    r = get_raw(endpoint, table, "big-" + encoding, accept=encoding, projection="pk, x")
    assert r.headers["content-encoding"] == encoding
    assert len(r.body) * 30 < len(plain.body)
    assert int(r.headers["content-length"]) == len(r.body)
    # x-amz-crc32 is the CRC-32 of the bytes sent, compressed
    assert int(r.headers["x-amz-crc32"]) == zlib.crc32(r.body)
    assert decoded(r) == json.loads(plain.body)
    # an answer under 4096 bytes goes uncompressed
    small = get_raw(endpoint, table, "big-" + encoding, accept=encoding, projection="x")
    assert len(small.body) < THRESHOLD and "content-encoding" not in small.headers


@pytest.mark.parametrize("accept, expected", [
    ("identity", None), ("", None), ("br", None), ("zstd", None), ("compress", None), ("x-gzip", None),
    ("gzip, deflate", "gzip"), ("br, identity, deflate, gzip", "deflate"), ("GZIP, identity", "gzip"),
    ("dog, gzip ,, cat", "gzip"), ("gzip;q=0.8, deflate;q=0.5", "gzip"),
    ("br, gzip;q=0, deflate; q = 0.5 , identity;q=0", "deflate"),
    ("*", "gzip"), ("*, deflate;q=0.5", "gzip"), ("*, deflate", "deflate"), ("*, identity", "gzip"),
    ("*, gzip;q=0.5", "deflate"), ("gzip ;q=0", None), ("identity;q=0", None), ("*;q=0", None),
    ("*;q=0.5,identity", "gzip"), ("gzip;q=0.5,identity;q=0.8", "gzip"), ("br;q=0.8,identity;q=0.5,*;q=0", None),
    ('"gzip"', None), ("gzip br", None), ("gzip:q=1", None), ("deflate;q=0.5, gzip;q=31", "gzip"),
    ("gzip;q=31,deflate;q=51", "gzip"), ("deflate;q=0.5, gzip;q=0.2", "deflate"),
    ("deflate;q=0.5, gzip;q=1;q=0.2", "gzip"), ("deflate;q=0.5,gzip;q=0.", "deflate"),
    ("deflate;q=0.5,gzip;q=0.x", "gzip"), ("deflate;q=-0.5,gzip;q=0.2", "gzip"),
    # the weight follows the first "q=", inside another parameter too (the first four: Alternator's record)
    ("gzip;nq=0;q=1", None), ("gzip;q= 0;q=1", None), ("gzip; q=0;q=1", None), ("gzip;q =0;q=1", "gzip"),
    ("gzip;nq=1;q=0 ", "gzip"),
    ("gzip;q=0, gzip;q=1, gzip;q=0", "gzip"), ("br,identity;q=0.5,gzip;q=0.0001", "gzip"),
])
def test_accept_encoding_choice(endpoint, table, accept, expected):
    make_client(endpoint).put_item(TableName=table, Item={"pk": S("acc"), "x": S("x" * THRESHOLD)})
    r = get_raw(endpoint, table, "acc", accept=accept)
    assert r.headers.get("content-encoding") == expected
    assert decoded(r)["Item"]["x"] == {"S": "x" * THRESHOLD}
