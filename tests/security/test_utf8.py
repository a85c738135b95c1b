"""A string that is not Unicode is refused at the door and never stored (issue 41, item 6).

Before, ddbd kept whatever yajl let through: overlong forms (C0 AF for '/', the classic way past a
filter), encoded surrogates (ED A0 80), code points above U+10FFFF (F4 90 80 80, F5..F7 leads), and
\\u escapes of half a surrogate pair (\\udc00 stored as ED B0 80, a lone \\ud800 silently turned
into '?', \\ud800\\u0041 into U+10041). It stored them and sent them back, and one such item made
every boto3 Scan of its table fail with UnicodeDecodeError.

The answer is the one DynamoDB gives a body it cannot deserialize: 400
{"__type":"com.amazon.coral.service#SerializationException"} without a message (compat/test_http.py,
dynalite's, checked against DynamoDB; the SDK threads aws/aws-sdk-js#46 and
totemstech/node-dynamodb#9 show DynamoDB's answer, message null, to bodies it could not read).
DynamoDB Local 1.25.1, probed with these bodies (2026-11-25), differs and is not followed: it
answers 500 InternalFailure (which SDKs retry) to a bad lead or continuation byte, decodes overlong
forms (C0 AF became '/'), and keeps surrogates, raw or escaped, answering them as \\uD800 escapes;
ddbd stores UTF-8 and cannot keep half a pair (docs/compatibility.md). A whole surrogate pair
escape is a character and is kept.
"""
import pytest

from conftest import make_client, raw_request

SERIALIZATION = {"__type": "com.amazon.coral.service#SerializationException"}

INVALID = {
    "overlong_2": b"\xc0\xaf",
    "overlong_3": b"\xe0\x80\xaf",
    "overlong_4": b"\xf0\x80\x80\xaf",
    "surrogate_high": b"\xed\xa0\x80",
    "surrogate_low": b"\xed\xbf\xbf",
    "above_10ffff": b"\xf4\x90\x80\x80",
    "lead_f5": b"\xf5\x80\x80\x80",
    "escape_lone_high": b"\\ud800",
    "escape_lone_low": b"\\udc00",
    "escape_high_then_char": b"\\ud800\\u0041",
    "escape_high_then_high": b"\\ud800\\ud800",
    "escape_low_then_high": b"\\udc00\\ud800",
    "escape_high_then_text": b"\\ud800x",
}

# refused on main already (yajl's own check), and in the flood below
YAJL_REFUSED = [b"\xff", b"\x80", b"\xe2\x82", b"\xf0\x9f\x98", b"\xc2A"]

VALID = {
    "two_bytes": ("\u00e9".encode(), "\u00e9"),
    "three_bytes": ("\u20ac".encode(), "\u20ac"),
    "four_bytes": ("\U0001F600".encode(), "\U0001F600"),
    "last_code_point": ("\U0010FFFF".encode(), "\U0010FFFF"),
    "before_surrogates": ("\ud7ff".encode(), "\ud7ff"),
    "after_surrogates": ("\ue000".encode(), "\ue000"),
    "escaped_pair": (b"\\ud83d\\ude00", "\U0001F600"),
    "escaped_backslash_then_u": (b"\\\\ud800", "\\ud800"),
    "escaped_nul": (b"\\u0000", "\x00"),
}


def put_body(table, pk, value, where="value"):
    """A PutItem body with `value` (raw JSON string bytes) as a string value, attribute name or key."""
    name = b"v" if where != "name" else b"n" + value
    val = b"a" + value + b"b" if where == "value" else b"x"
    key = pk.encode() if where != "key" else pk.encode() + value
    return (b'{"TableName":"' + table.encode() + b'","Item":{"pk":{"S":"' + key + b'"},"' + name +
            b'":{"S":"' + val + b'"}}}')


def assert_refused(resp):
    assert resp.status == 400, (resp.status, resp.body)
    assert resp.json() == SERIALIZATION


@pytest.mark.parametrize("where", ["value", "name", "key"])
@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_unicode_is_refused_and_not_stored(endpoint, ddb, make_table, case, where):
    table = make_table()
    assert_refused(raw_request(endpoint, "PutItem", put_body(table, "k", INVALID[case], where)))
    # nothing was stored: the table is empty, and boto3 reads it
    assert ddb.scan(TableName=table, ConsistentRead=True)["Items"] == []


@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_unicode_is_refused_in_every_operation(endpoint, ddb, make_table, case):
    table = make_table()
    ddb.put_item(TableName=table, Item={"pk": {"S": "k"}})
    bad = INVALID[case]
    for op, body in [
        ("UpdateItem", b'{"TableName":"' + table.encode() + b'","Key":{"pk":{"S":"k"}},'
                       b'"UpdateExpression":"SET v = :v","ExpressionAttributeValues":{":v":{"S":"' + bad + b'"}}}'),
        ("ExecuteStatement", b'{"Statement":"INSERT INTO \\"' + table.encode() + b'\\" VALUE {\'pk\': \'' + bad +
                             b'\'}"}'),
        ("BatchWriteItem", b'{"RequestItems":{"' + table.encode() + b'":[{"PutRequest":{"Item":{"pk":{"S":"' + bad +
                           b'"}}}}]}}'),
        ("GetItem", b'{"TableName":"' + table.encode() + b'","Key":{"pk":{"S":"' + bad + b'"}}}'),
        ("CreateTable", b'{"TableName":"t' + bad + b'"}'),
    ]:
        assert_refused(raw_request(endpoint, op, body))
    assert ddb.scan(TableName=table, ConsistentRead=True)["Items"] == [{"pk": {"S": "k"}}]


@pytest.mark.parametrize("case", sorted(VALID))
def test_valid_unicode_is_kept_and_its_neighbours_refused(endpoint, ddb, make_table, case):
    table = make_table()
    raw, text = VALID[case]
    resp = raw_request(endpoint, "PutItem", put_body(table, "k", raw))
    assert resp.status == 200, resp.body
    # the same text with an overlong '/' or half a pair after it is refused
    assert_refused(raw_request(endpoint, "PutItem", put_body(table, "k2", raw + b"\xc0\xaf")))
    assert_refused(raw_request(endpoint, "PutItem", put_body(table, "k3", raw + b"\\udc00")))
    assert ddb.scan(TableName=table, ConsistentRead=True)["Items"] == [{"pk": {"S": "k"}, "v": {"S": "a" + text + "b"}}]


def test_a_scan_works_after_a_flood_of_invalid_bodies(endpoint, make_table):
    client = make_client(endpoint)
    table = make_table()
    client.put_item(TableName=table, Item={"pk": {"S": "good"}, "v": {"S": "\u00e9\U0001F600"}})
    forms = list(INVALID.values()) + YAJL_REFUSED
    for i in range(200):  # bounded: every form, many keys
        bad = forms[i % len(forms)]
        assert_refused(raw_request(endpoint, "PutItem", put_body(table, "k%d" % i, bad)))
    assert client.scan(TableName=table, ConsistentRead=True)["Items"] == [
        {"pk": {"S": "good"}, "v": {"S": "\u00e9\U0001F600"}}]
