"""Redaction that redacts (issue 73, item 3; docs/record-replay.md, "Redaction").

Before, `hash` without a key was an HMAC of an empty key in ddbd and in both SDK recorders, so a
dictionary of 1,003 addresses found three emails and an age again in a recording; the legacy
members (AttributeUpdates' Value, Expected, ScanFilter, QueryFilter, KeyConditions'
AttributeValueList) were written in clear under rules that redact the same attribute in an Item;
and a placeholder not named after its attribute (":u" for "email") kept its raw value. Each case
fails on such a server. ddbd's lines are compared with the Python recorder's Rules on the same
requests: the two redact alike (the JS recorder's test is tests/js/record.test.mjs).
"""
import json
import os
import sys

import pytest

from conftest import S, DdbdServer, make_client
from helpers import admin_call

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "integrations", "record"))
import ddbd_record  # noqa: E402  (integrations/record/ddbd_record.py)

FROZEN = ("--clock", "frozen@1767225600000")
KEY = "5f3a9c0e7b1d4a62c8e9"
RULES = {"key": KEY, "attributes": {"email": "hash", "age": "redact", "ssn": "redact", "notes": "drop"}}
WEAK = ["", "k1", " " * 16, "\t \n" * 6, "a" * 40, "abababababababab", "a secret of your own",
        "a secret of 16 characters or more"]
WEAK_MESSAGE = ('redaction rules: "hash" needs a "key" of 16 bytes or more, of 6 different characters or more, not '
                'blank and not an example of the docs (without one, a value is found again by hashing guesses; '
                'make one: openssl rand -hex 32)')
EMAILS = ["ann@example.com", "bob@example.com", "cy@example.com"]


@pytest.fixture
def srv(tmp_path):
    s = DdbdServer(args=("--in-memory", "--admin") + FROZEN).start()
    yield s
    s.stop()


@pytest.mark.parametrize("key", WEAK + [None])
def test_hash_without_a_strong_key_is_refused_by_ddbd_and_the_recorder(srv, tmp_path, key):
    rules = {"attributes": {"email": "hash"}}
    if key is not None:
        rules["key"] = key
    status, out = admin_call(srv.endpoint, "POST", "/ddbd/record", {"file": str(tmp_path / "r.jsonl"), "redact": rules})
    assert (status, out.get("message")) == (400, WEAK_MESSAGE)
    with pytest.raises(ValueError) as e:
        ddbd_record.Rules(rules)
    assert str(e.value) == WEAK_MESSAGE
    with pytest.raises(ValueError):  # "*": "hash" too
        ddbd_record.Rules({"key": key or "", "attributes": {"*": "hash"}})


def test_a_weak_key_stops_the_start(tmp_path):
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"key": "a secret of your own", "attributes": {"email": "hash"}}))
    s = DdbdServer(args=("--in-memory", "--record", str(tmp_path / "r.jsonl"), "--record-redact", str(rules)))
    with pytest.raises(BaseException):
        s.start(timeout=5)
    assert WEAK_MESSAGE in s.stderr_text()
    plain = {"attributes": {"ssn": "redact"}}  # no hash: no key needed
    rules.write_text(json.dumps(plain))
    s = DdbdServer(args=("--in-memory", "--record", str(tmp_path / "r.jsonl"), "--record-redact", str(rules))).start()
    s.stop()
    ddbd_record.Rules(plain)


def requests(ddb, name):
    """Legacy members and placeholders not named after their attributes, on items of EMAILS."""
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    for i, email in enumerate(EMAILS):
        ddb.put_item(TableName=name, Item={"pk": S("p%d" % i), "email": S(email), "age": {"N": str(40 + i)}})
    ddb.update_item(TableName=name, Key={"pk": S("p0")},
                    AttributeUpdates={"email": {"Value": S("ann@example.com"), "Action": "PUT"},
                                      "notes": {"Value": S("private"), "Action": "PUT"}},
                    Expected={"email": {"Value": S("ann@example.com")},
                              "age": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "40"}, {"N": "41"}]}})
    ddb.scan(TableName=name, ScanFilter={"email": {"ComparisonOperator": "IN",
                                                   "AttributeValueList": [S("bob@example.com"), S("cy@example.com")]}})
    ddb.query(TableName=name, KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [S("p1")]}},
              QueryFilter={"email": {"ComparisonOperator": "EQ", "AttributeValueList": [S("bob@example.com")]}})
    ddb.query(TableName=name, KeyConditionExpression="pk = :p",
              FilterExpression="(#e = :u OR begins_with(email, :pre)) AND age BETWEEN :lo AND :hi AND NOT ssn IN (:s1, :s2)",
              ExpressionAttributeNames={"#e": "email"},
              ExpressionAttributeValues={":p": S("p1"), ":u": S("bob@example.com"), ":pre": S("cy@"),
                                         ":lo": {"N": "41"}, ":hi": {"N": "42"}, ":s1": S("123-45-6789"),
                                         ":s2": S("987-65-4321")})
    ddb.update_item(TableName=name, Key={"pk": S("p2")}, UpdateExpression="SET #m = :new, age = age + :one",
                    ConditionExpression="attribute_exists(pk) AND size(email) > :n",
                    ExpressionAttributeNames={"#m": "email"},
                    ExpressionAttributeValues={":new": S("cy@example.com"), ":one": {"N": "1"}, ":n": {"N": "3"}})


def test_legacy_members_and_placeholders_follow_their_attributes(srv, tmp_path):
    path = tmp_path / "r.jsonl"
    assert admin_call(srv.endpoint, "POST", "/ddbd/record", {"file": str(path), "redact": RULES})[0] == 200
    sent = []
    ddb = make_client(srv.endpoint)
    ddb.meta.events.register("before-send.dynamodb", lambda request=None, **_: sent.append(json.loads(request.body)))
    requests(ddb, "redacted")
    assert admin_call(srv.endpoint, "DELETE", "/ddbd/record")[0] == 200
    text = path.read_text()
    for raw in EMAILS + ["cy@", "private", "123-45-6789", "987-65-4321"]:
        assert raw not in text
    recs = [json.loads(line) for line in text.splitlines()]
    rules = ddbd_record.Rules(RULES)
    assert [r["request"] for r in recs] == [rules.redact(body) for body in sent]  # ddbd's and the recorder's alike
    ann = rules._scalar("S", "ann@example.com", "hash")
    update = recs[4]["request"]
    assert update["AttributeUpdates"] == {"email": {"Value": S(ann), "Action": "PUT"}}  # notes: dropped
    assert update["Expected"] == {"email": {"Value": S(ann)},
                                  "age": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "0"}, {"N": "0"}]}}
    query = recs[7]["request"]["ExpressionAttributeValues"]
    assert query[":p"] == S("p1")  # pk's rule: keep
    assert query[":u"] == S(rules._scalar("S", "bob@example.com", "hash"))  # :u beside #e, email
    assert query[":pre"] == S(rules._scalar("S", "cy@", "hash"))  # in begins_with(email, ...)
    assert query[":lo"] == query[":hi"] == {"N": "0"}  # age's bounds
    assert query[":s1"] == query[":s2"] == S("REDACTED")  # ssn's list
    update = recs[8]["request"]["ExpressionAttributeValues"]
    assert update[":new"] == S(rules._scalar("S", "cy@example.com", "hash"))
    assert update[":one"] == {"N": "0"}  # beside age
    assert update[":n"] == {"N": rules._scalar("N", "3", "hash")}  # beside size(email): email's (the safe side)
