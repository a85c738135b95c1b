"""TransactWriteItems and TransactGetItems through boto3: actions, all-or-nothing, every error
with its exact type, message and cancellation reasons, index entries, item collections,
capacity, idempotency tokens and injected conflicts.

Expectations: the API reference; ScyllaDB's test/alternator/test_transactions.py (run against
DynamoDB: reasons in action order, a validation error stops at the first action, expression
errors fail the whole request); DynamoDB Local 1.25 for the wording of the shape errors
(docs/compatibility.md lists where ddbd follows DynamoDB rather than DynamoDB Local).
"""
import json
import threading
import time

import pytest
from botocore.exceptions import ClientError

from conftest import (ANY, N, S, assert_client_error, body, make_client, raw_request, unique_name)
from helpers import advance, get_item

INVALID = "One or more parameter values were invalid: "
CANCELLED = "Transaction cancelled, please refer cancellation reasons for specific reasons [%s]"
CCF = "The conditional request failed"


@pytest.fixture(scope="module")
def tables(ddb):
    """Two tables: `h` keyed by pk (S), `hr` by pk (S) + sk (N)."""
    h, hr = unique_name("txh"), unique_name("txhr")
    ddb.create_table(TableName=h, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    ddb.create_table(TableName=hr, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "N"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                {"AttributeName": "sk", "KeyType": "RANGE"}])
    yield h, hr
    for t in (h, hr):
        ddb.delete_table(TableName=t)


def put(table, item, **kw):
    return {"Put": dict(TableName=table, Item=item, **kw)}


def cancelled(excinfo, codes):
    """Checks a TransactionCanceledException: the message and the reasons' codes; returns the reasons."""
    assert_client_error(excinfo, "TransactionCanceledException", CANCELLED % ", ".join(codes))
    reasons = excinfo.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == codes
    for r in reasons:
        assert ("Message" in r) == (r["Code"] != "None")
    return reasons


# ---- the actions ----

def test_every_action_applies_across_tables(ddb, tables):
    h, hr = tables
    p = unique_name("p")
    ddb.put_item(TableName=h, Item={"pk": S(p + "u"), "n": N(1)})
    ddb.put_item(TableName=h, Item={"pk": S(p + "d")})
    ddb.put_item(TableName=hr, Item={"pk": S(p), "sk": N(1), "x": S("here")})
    resp = body(ddb.transact_write_items(TransactItems=[
        put(h, {"pk": S(p + "new"), "a": S("A")}, ConditionExpression="attribute_not_exists(pk)"),
        {"Update": {"TableName": h, "Key": {"pk": S(p + "u")}, "UpdateExpression": "SET n = n + :one",
                    "ConditionExpression": "n = :was",
                    "ExpressionAttributeValues": {":one": N(1), ":was": N(1)}}},
        {"Delete": {"TableName": h, "Key": {"pk": S(p + "d")}, "ConditionExpression": "attribute_exists(pk)"}},
        {"ConditionCheck": {"TableName": hr, "Key": {"pk": S(p), "sk": N(1)},
                            "ConditionExpression": "#x = :here", "ExpressionAttributeNames": {"#x": "x"},
                            "ExpressionAttributeValues": {":here": S("here")}}},
        put(hr, {"pk": S(p), "sk": N(2)}),
    ]))
    assert resp == {}
    assert get_item(ddb, h, {"pk": S(p + "new")}) == {"pk": S(p + "new"), "a": S("A")}
    assert get_item(ddb, h, {"pk": S(p + "u")}) == {"pk": S(p + "u"), "n": N(2)}
    assert get_item(ddb, h, {"pk": S(p + "d")}) is None
    assert get_item(ddb, hr, {"pk": S(p), "sk": N(1)}) == {"pk": S(p), "sk": N(1), "x": S("here")}
    assert get_item(ddb, hr, {"pk": S(p), "sk": N(2)}) == {"pk": S(p), "sk": N(2)}


def test_put_replaces_and_update_creates(ddb, tables):
    h, _ = tables
    p = unique_name("p")
    ddb.put_item(TableName=h, Item={"pk": S(p), "old": S("x")})
    ddb.transact_write_items(TransactItems=[
        put(h, {"pk": S(p), "new": S("y")}),
        {"Update": {"TableName": h, "Key": {"pk": S(p + "2")}, "UpdateExpression": "SET c = :c",
                    "ExpressionAttributeValues": {":c": N(7)}}},
    ])
    assert get_item(ddb, h, {"pk": S(p)}) == {"pk": S(p), "new": S("y")}
    assert get_item(ddb, h, {"pk": S(p + "2")}) == {"pk": S(p + "2"), "c": N(7)}


def test_hundred_actions(ddb, tables):
    h, _ = tables
    p = unique_name("p")
    ddb.transact_write_items(TransactItems=[put(h, {"pk": S("%s-%d" % (p, i)), "i": N(i)}) for i in range(100)])
    got = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": h, "Key": {"pk": S("%s-%d" % (p, i))}}} for i in range(100)])["Responses"]
    assert [r["Item"]["i"]["N"] for r in got] == [str(i) for i in range(100)]


# ---- all or nothing, and the reasons ----

def test_failed_condition_applies_nothing_and_reports_every_action(ddb, tables):
    h, hr = tables
    p = unique_name("p")
    ddb.put_item(TableName=h, Item={"pk": S(p + "u"), "n": N(1)})
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            put(h, {"pk": S(p + "1")}),
            {"Update": {"TableName": h, "Key": {"pk": S(p + "u")}, "UpdateExpression": "SET n = :two",
                        "ExpressionAttributeValues": {":two": N(2)}}},
            {"ConditionCheck": {"TableName": hr, "Key": {"pk": S(p), "sk": N(1)},
                                "ConditionExpression": "attribute_exists(pk)"}},
            put(h, {"pk": S(p + "4")}, ConditionExpression="attribute_exists(pk)"),
        ])
    reasons = cancelled(e, ["None", "None", "ConditionalCheckFailed", "ConditionalCheckFailed"])
    assert reasons[2]["Message"] == CCF and reasons[3]["Message"] == CCF
    assert "Item" not in reasons[2]
    assert get_item(ddb, h, {"pk": S(p + "1")}) is None
    assert get_item(ddb, h, {"pk": S(p + "u")}) == {"pk": S(p + "u"), "n": N(1)}
    assert get_item(ddb, h, {"pk": S(p + "4")}) is None


def test_return_values_on_condition_check_failure(ddb, tables):
    h, _ = tables
    p = unique_name("p")
    item = {"pk": S(p), "x": N(42), "y": S("dog")}
    ddb.put_item(TableName=h, Item=item)
    update = {"TableName": h, "Key": {"pk": S(p)}, "UpdateExpression": "SET x = x + :one",
              "ConditionExpression": "x = :v", "ExpressionAttributeValues": {":one": N(1), ":v": N(43)}}
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            {"Update": dict(update, ReturnValuesOnConditionCheckFailure="ALL_OLD")},
            {"ConditionCheck": {"TableName": h, "Key": {"pk": S(p + "absent")}, "ConditionExpression": "attribute_exists(pk)",
                                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        ])
    reasons = cancelled(e, ["ConditionalCheckFailed", "ConditionalCheckFailed"])
    assert reasons[0]["Item"] == item
    assert "Item" not in reasons[1]  # nothing there to return
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[{"Update": dict(update, ReturnValuesOnConditionCheckFailure="NONE")}])
    assert "Item" not in cancelled(e, ["ConditionalCheckFailed"])[0]


def test_error_body_on_the_wire(endpoint, tables):
    """The body as DynamoDB sends it: capital-M Message, CancellationReasons in action order."""
    h, _ = tables
    p = unique_name("p")
    resp = raw_request(endpoint, "TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": h, "Item": {"pk": S(p)}}},
        {"Put": {"TableName": h, "Item": {"pk": S(p + "b")}, "ConditionExpression": "attribute_exists(pk)"}}]})
    assert resp.status == 400
    assert resp.json() == {
        "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
        "Message": CANCELLED % "None, ConditionalCheckFailed",
        "CancellationReasons": [{"Code": "None"}, {"Code": "ConditionalCheckFailed", "Message": CCF}]}


def test_key_validation_error_stops_at_the_first_action(ddb, tables):
    h, hr = tables
    p = unique_name("p")
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            put(h, {"pk": S(p)}, ConditionExpression="attribute_exists(pk)"),
            put(h, {"pk": N(7)}),
            put(h, {"pk": N(8)}),
        ])
    reasons = cancelled(e, ["None", "ValidationError", "None"])
    assert reasons[1]["Message"] == INVALID + "Type mismatch for key pk expected: S actual: N"
    for items, msg in [
        ([put(hr, {"pk": S(p)})], INVALID + "Missing the key sk in the item"),
        ([{"Delete": {"TableName": h, "Key": {"pk": S(p), "x": S("1")}}}],
         "The provided key element does not match the schema"),
        ([{"Update": {"TableName": h, "Key": {"pk": S(p)}, "UpdateExpression": "SET pk = :v",
                      "ExpressionAttributeValues": {":v": S("b")}}}],
         INVALID + "Cannot update attribute pk. This attribute is part of the key"),
    ]:
        with pytest.raises(ClientError) as e:
            ddb.transact_write_items(TransactItems=items)
        assert cancelled(e, ["ValidationError"])[0]["Message"] == msg
    assert get_item(ddb, h, {"pk": S(p)}) is None


@pytest.mark.parametrize("action", ["Put", "Update", "Delete", "ConditionCheck"])
@pytest.mark.parametrize("value,kind", [(S(""), "string"), ({"B": b""}, "binary")])
def test_empty_key_value_refuses_the_whole_request(ddb, make_table, action, value, kind):
    # captured against AWS (October 2026): an empty key value is refused up front, with no
    # cancellation reasons, whichever action carries it
    t = make_table(hash_key=("pk", "S" if kind == "string" else "B"))
    body = {"TableName": t, "Key": {"pk": value}}
    if action == "Put":
        body = {"TableName": t, "Item": {"pk": value}}
    elif action == "Update":
        body.update(UpdateExpression="SET a = :v", ExpressionAttributeValues={":v": S("x")})
    elif action == "ConditionCheck":
        body["ConditionExpression"] = "attribute_not_exists(pk)"
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[{action: body}])
    assert_client_error(e, "ValidationException",
                        "One or more parameter values are not valid. The AttributeValue for a key attribute "
                        "cannot contain an empty %s value. Key: pk" % kind)


def test_update_making_an_item_too_large_is_a_reason(ddb, tables):
    h, _ = tables
    p = unique_name("p")
    ddb.put_item(TableName=h, Item={"pk": S(p), "a": S("x" * 300000)})
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[
            put(h, {"pk": S(p + "ok")}),
            {"Update": {"TableName": h, "Key": {"pk": S(p)}, "UpdateExpression": "SET b = :b",
                        "ExpressionAttributeValues": {":b": S("y" * 200000)}}}])
    assert cancelled(e, ["None", "ValidationError"])[1]["Message"] == \
        "Item size to update has exceeded the maximum allowed size"
    assert get_item(ddb, h, {"pk": S(p + "ok")}) is None


# ---- whole-request errors, in DynamoDB's order ----

def shape(msg):
    return "1 validation error detected: " + msg


@pytest.mark.parametrize("params,message", [
    ({}, shape("Value null at 'transactItems' failed to satisfy constraint: Member must not be null")),
    ({"TransactItems": []}, shape("Value '[]' at 'transactItems' failed to satisfy constraint: "
                                  "Member must have length greater than or equal to 1")),
    ({"TransactItems": [{}]}, "Invalid Request: TransactWriteRequest should contain Delete or Put or Update request"),
    ({"TransactItems": [{"Put": {"TableName": "H", "Item": {"pk": S("a")}},
                         "Delete": {"TableName": "H", "Key": {"pk": S("a")}}}]},
     "TransactItems can only contain one of Check, Put, Update or Delete"),
    ({"TransactItems": [{"ConditionCheck": {"TableName": "H", "Key": {"pk": S("a")}}}]},
     shape("Value null at 'transactItems.1.member.conditionCheck.conditionExpression' failed to satisfy "
           "constraint: Member must not be null")),
    ({"TransactItems": [{"Update": {"TableName": "H", "Key": {"pk": S("a")}}}]},
     shape("Value null at 'transactItems.1.member.update.updateExpression' failed to satisfy constraint: "
           "Member must not be null")),
    ({"TransactItems": [{"Put": {"TableName": "H"}}]},
     shape("Value null at 'transactItems.1.member.put.item' failed to satisfy constraint: Member must not be null")),
    ({"TransactItems": [{"Put": {"Item": {"pk": S("a")}}}]},
     shape("Value null at 'transactItems.1.member.put.tableName' failed to satisfy constraint: "
           "Member must not be null")),
    ({"TransactItems": [{"Put": {"TableName": "H", "Item": {"pk": S("a")},
                                 "ReturnValuesOnConditionCheckFailure": "dog"}}]},
     shape("Value 'dog' at 'transactItems.1.member.put.returnValuesOnConditionCheckFailure' failed to satisfy "
           "constraint: Member must satisfy enum value set: [ALL_OLD, NONE]")),
    ({"TransactItems": [{"Put": {"TableName": "H", "Item": {"pk": S("a")}}}], "ClientRequestToken": "x" * 37},
     shape("Value '%s' at 'clientRequestToken' failed to satisfy constraint: Member must have length less than "
           "or equal to 36" % ("x" * 37))),
    ({"TransactItems": [{"Put": {"TableName": "H", "Item": {"pk": S("a")}}}], "ReturnConsumedCapacity": "X"},
     shape("Value 'X' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value "
           "set: [INDEXES, TOTAL, NONE]")),
    ({"TransactItems": [{"Put": {"TableName": "H", "Item": {"pk": S("a")}, "ConditionExpression": "hello!"}}]},
     'Invalid ConditionExpression: Syntax error; token: "!", near: "hello!"'),
    ({"TransactItems": [{"Put": {"TableName": "H", "Item": {"pk": S("a")},
                                 "ConditionExpression": "attribute_exists(#x)"}}]},
     "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; "
     "attribute name: #x"),
    ({"TransactItems": [{"Put": {"TableName": "H", "Item": {"pk": S("a")}, "ConditionExpression": "attribute_exists(pk)",
                                 "ExpressionAttributeValues": {":xyz": N(7)}}}]},
     "Value provided in ExpressionAttributeValues unused in expressions: keys: {:xyz}"),
    ({"TransactItems": [{"Put": {"TableName": "H", "Item": {"pk": S("a"), "x": S("y" * 410000)}}}]},
     "Item size has exceeded the maximum allowed size"),
])
def test_request_validation(ddb, tables, params, message):
    h, _ = tables
    params = json.loads(json.dumps(params).replace('"H"', json.dumps(h)))
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(**params)
    assert_client_error(e, "ValidationException", message)


def test_more_than_100_actions(ddb, tables):
    h, _ = tables
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[put(h, {"pk": S(str(i))}) for i in range(101)])
    assert_client_error(e, "ValidationException", ANY)
    msg = e.value.response["Error"]["Message"]
    assert msg.startswith("1 validation error detected: Value '[") and \
        msg.endswith("' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100")


def test_payload_over_4mb(ddb, tables):
    h, _ = tables
    p = unique_name("p")
    items = [put(h, {"pk": S("%s%02d" % (p, i)), "x": S("x" * 100000)}) for i in range(50)]
    per = len(p) + 2 + 2 + 1 + 100000  # pk name + value, x name + value
    n = 4 * 1024 * 1024 // per + 1     # the action that crosses 4 MB
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=items)
    assert_client_error(e, "ValidationException",
                        "Transaction payload size cannot exceed 4MB. Payload Size: %d" % (n * per))
    # 30 such items (3 MB) are fine, and a delete of 5 MB of items is a small payload
    ddb.transact_write_items(TransactItems=items[:30])
    assert get_item(ddb, h, {"pk": S(p + "29")})["x"] == S("x" * 100000)


def test_multiple_operations_on_one_item(ddb, tables):
    h, hr = tables
    p = unique_name("p")
    msg = "Transaction request cannot include multiple operations on one item"
    for items in ([put(h, {"pk": S(p)}), put(h, {"pk": S(p)})],
                  [put(h, {"pk": S(p)}), {"ConditionCheck": {"TableName": h, "Key": {"pk": S(p)},
                                                             "ConditionExpression": "attribute_not_exists(pk)"}}],
                  [put(hr, {"pk": S(p), "sk": N(1)}), put(hr, {"pk": S(p), "sk": N("1.0")})]):
        with pytest.raises(ClientError) as e:
            ddb.transact_write_items(TransactItems=items)
        assert_client_error(e, "ValidationException", msg)
    # the same key in two tables is two items
    ddb.transact_write_items(TransactItems=[put(h, {"pk": S(p)}), put(hr, {"pk": S(p), "sk": N(1)})])


def test_missing_table(ddb, tables):
    h, _ = tables
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[put(h, {"pk": S("a")}), put("no_such_table", {"pk": S("a")})])
    assert_client_error(e, "ResourceNotFoundException", "Requested resource not found")
    with pytest.raises(ClientError) as e:
        ddb.transact_get_items(TransactItems=[{"Get": {"TableName": "no_such_table", "Key": {"pk": S("a")}}}])
    assert_client_error(e, "ResourceNotFoundException", "Requested resource not found")


# ---- TransactGetItems ----

def test_get_items_in_order_with_projections(ddb, tables):
    h, hr = tables
    p = unique_name("p")
    ddb.put_item(TableName=h, Item={"pk": S(p), "x": N(1), "y": N(2), "z": N(3)})
    ddb.put_item(TableName=hr, Item={"pk": S(p), "sk": N(5), "v": S("v")})
    resp = body(ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": h, "Key": {"pk": S(p)}, "ProjectionExpression": "#x, z",
                 "ExpressionAttributeNames": {"#x": "x"}}},
        {"Get": {"TableName": h, "Key": {"pk": S(p + "absent")}}},
        {"Get": {"TableName": hr, "Key": {"pk": S(p), "sk": N(5)}}},
    ], ReturnConsumedCapacity="TOTAL"))
    assert resp["Responses"] == [{"Item": {"x": N(1), "z": N(3)}}, {}, {"Item": {"pk": S(p), "sk": N(5), "v": S("v")}}]
    assert resp["ConsumedCapacity"] == [
        {"TableName": h, "CapacityUnits": 4.0, "ReadCapacityUnits": 4.0},
        {"TableName": hr, "CapacityUnits": 2.0, "ReadCapacityUnits": 2.0}]


def test_get_errors(ddb, tables):
    h, hr = tables
    for params, message in [
        ({"TransactItems": []}, shape("Value '[]' at 'transactItems' failed to satisfy constraint: "
                                      "Member must have length greater than or equal to 1")),
        ({"TransactItems": [{}]}, shape("Value null at 'transactItems.1.member.get' failed to satisfy constraint: "
                                        "Member must not be null")),
        ({"TransactItems": [{"Get": {"TableName": h, "Key": {"pk": S("a")}, "ProjectionExpression": "#x",
                                     "ExpressionAttributeNames": {"#x": "x", "#q": "q"}}}]},
         "Value provided in ExpressionAttributeNames unused in expressions: keys: {#q}"),
        ({"TransactItems": [{"Get": {"TableName": h, "Key": {"pk": S("a")}}}] * 2},
         "Transaction request cannot include multiple operations on one item"),
        # equal numbers are one item, however spelled (DynamoDB Local 1.25 answers the same)
        ({"TransactItems": [{"Get": {"TableName": hr, "Key": {"pk": S("a"), "sk": N(n)}}} for n in ("1000", "1e3")]},
         "Transaction request cannot include multiple operations on one item"),
    ]:
        with pytest.raises(ClientError) as e:
            ddb.transact_get_items(**params)
        assert_client_error(e, "ValidationException", message)
    with pytest.raises(ClientError) as e:
        ddb.transact_get_items(TransactItems=[{"Get": {"TableName": h, "Key": {"pk": N(1)}}}])
    assert cancelled(e, ["ValidationError"])[0]["Message"] == "The provided key element does not match the schema"


# ---- capacity ----

def test_write_capacity_is_doubled_per_table(ddb, tables):
    h, hr = tables
    p = unique_name("p")
    ddb.put_item(TableName=h, Item={"pk": S(p + "c"), "big": S("x" * 2500)})
    resp = ddb.transact_write_items(ReturnConsumedCapacity="INDEXES", TransactItems=[
        put(h, {"pk": S(p), "a": S("x" * 1500)}),            # 2 KB: 2 units, doubled
        {"ConditionCheck": {"TableName": h, "Key": {"pk": S(p + "c")},  # a check is billed as a write
                            "ConditionExpression": "attribute_exists(pk)"}},
        {"Delete": {"TableName": hr, "Key": {"pk": S(p), "sk": N(1)}}},  # absent: 1 unit, doubled
    ])
    assert resp["ConsumedCapacity"] == [
        {"TableName": h, "CapacityUnits": 10.0, "WriteCapacityUnits": 10.0,
         "Table": {"CapacityUnits": 10.0, "WriteCapacityUnits": 10.0}},
        {"TableName": hr, "CapacityUnits": 2.0, "WriteCapacityUnits": 2.0,
         "Table": {"CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}}]
    assert "ConsumedCapacity" not in ddb.transact_write_items(TransactItems=[put(h, {"pk": S(p)})])


# ---- idempotency ----

def increment(table, key, token=None):
    params = {"TransactItems": [{"Update": {"TableName": table, "Key": key, "UpdateExpression": "ADD n :one",
                                            "ExpressionAttributeValues": {":one": N(1)}}}]}
    if token:
        params["ClientRequestToken"] = token
    return params


def test_client_request_token(ddb, tables):
    h, _ = tables
    p = unique_name("p")
    key = {"pk": S(p)}
    ddb.transact_write_items(**increment(h, key))
    ddb.transact_write_items(**increment(h, key))
    assert get_item(ddb, h, key)["n"] == N(2)  # without a token, twice
    token = unique_name("tok")
    first = ddb.transact_write_items(ReturnConsumedCapacity="TOTAL", **increment(h, key, token))
    again = ddb.transact_write_items(ReturnConsumedCapacity="TOTAL", **increment(h, key, token))
    assert get_item(ddb, h, key)["n"] == N(3)  # with one, once
    assert first["ConsumedCapacity"] == [{"TableName": h, "CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}]
    # the retry reads the stored result: read units
    assert again["ConsumedCapacity"] == [{"TableName": h, "CapacityUnits": 2.0, "ReadCapacityUnits": 2.0}]
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(**increment(h, {"pk": S(p + "other")}, token))
    assert_client_error(e, "IdempotentParameterMismatchException", ANY)
    assert get_item(ddb, h, {"pk": S(p + "other")}) is None


def test_failed_transaction_does_not_keep_its_token(ddb, tables):
    h, _ = tables
    p = unique_name("p")
    token = unique_name("tok")
    params = {"ClientRequestToken": token, "TransactItems": [
        put(h, {"pk": S(p)}, ConditionExpression="attribute_exists(pk)")]}
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(**params)
    cancelled(e, ["ConditionalCheckFailed"])
    ddb.put_item(TableName=h, Item={"pk": S(p), "was": S("here")})
    ddb.transact_write_items(**params)  # runs for real this time
    assert get_item(ddb, h, {"pk": S(p)}) == {"pk": S(p)}


def test_concurrent_calls_with_one_token_apply_once(ddb, tables):
    h, _ = tables
    p = unique_name("p")
    key = {"pk": S(p)}
    outcomes = []

    def call(token):
        client = make_client(ddb.meta.endpoint_url)
        for _ in range(5):
            try:
                client.transact_write_items(**increment(h, key, token))
                outcomes.append("ok")
            except ClientError as e:
                outcomes.append(e.response["Error"]["Code"])

    for round_ in range(10):
        token = "%s-%d" % (p, round_)
        threads = [threading.Thread(target=call, args=(token,)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert set(outcomes) <= {"ok", "TransactionInProgressException"}
    assert get_item(ddb, h, key)["n"] == N(10)


def test_token_expires(server_factory):
    server = server_factory(["--in-memory", "--idempotency-window", "1"])
    client = make_client(server.endpoint)
    client.create_table(TableName="tok", BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    client.transact_write_items(**increment("tok", {"pk": S("a")}, "t1"))
    client.transact_write_items(**increment("tok", {"pk": S("a")}, "t1"))
    assert get_item(client, "tok", {"pk": S("a")})["n"] == N(1)
    time.sleep(2.5)  # past the window (and the background sweep): a new request
    client.transact_write_items(**increment("tok", {"pk": S("a")}, "t1"))
    assert get_item(client, "tok", {"pk": S("a")})["n"] == N(2)
    time.sleep(2.5)
    client.transact_write_items(**increment("tok", {"pk": S("b")}, "t1"))  # expired: no mismatch either
    assert get_item(client, "tok", {"pk": S("b")})["n"] == N(1)


def test_token_survives_restart(server_factory, tmp_path):
    args = ["--data-dir", str(tmp_path / "data")]
    server = server_factory(args)
    client = make_client(server.endpoint)
    client.create_table(TableName="tok", BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    client.transact_write_items(**increment("tok", {"pk": S("a")}, "t1"))
    server.kill()
    server = server_factory(args, port=server.port)
    client.transact_write_items(**increment("tok", {"pk": S("a")}, "t1"))
    assert get_item(client, "tok", {"pk": S("a")})["n"] == N(1)
    with pytest.raises(ClientError) as e:
        client.transact_write_items(**increment("tok", {"pk": S("b")}, "t1"))
    assert_client_error(e, "IdempotentParameterMismatchException", ANY)


# ---- indexes and item collections ----

def test_index_entries_commit_with_the_transaction(ddb, make_table):
    t = make_table(AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "g", "AttributeType": "S"}],
                   GlobalSecondaryIndexes=[{"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                            "Projection": {"ProjectionType": "ALL"}}])
    ddb.put_item(TableName=t, Item={"pk": S("moved"), "g": S("old")})
    with pytest.raises(ClientError):
        ddb.transact_write_items(TransactItems=[
            put(t, {"pk": S("a"), "g": S("new")}),
            {"Update": {"TableName": t, "Key": {"pk": S("moved")}, "UpdateExpression": "SET g = :n",
                        "ConditionExpression": "g = :nope", "ExpressionAttributeValues": {":n": S("new"), ":nope": S("x")}}}])
    q = lambda g: sorted(i["pk"]["S"] for i in ddb.query(TableName=t, IndexName="byg", KeyConditionExpression="g = :g",
                                                        ExpressionAttributeValues={":g": S(g)})["Items"])
    assert q("new") == [] and q("old") == ["moved"]
    resp = ddb.transact_write_items(ReturnConsumedCapacity="INDEXES", TransactItems=[
        put(t, {"pk": S("a"), "g": S("new")}),
        {"Update": {"TableName": t, "Key": {"pk": S("moved")}, "UpdateExpression": "SET g = :n",
                    "ExpressionAttributeValues": {":n": S("new")}}}])
    assert q("new") == ["a", "moved"] and q("old") == []
    # the table's units doubled, the index entries' not (a put, and a move: delete and put), as
    # DynamoDB charges them (docs/usage.md, "Transactions and indexes"; test_usage_rules.py)
    assert resp["ConsumedCapacity"] == [{
        "TableName": t, "CapacityUnits": 7.0, "WriteCapacityUnits": 7.0,
        "Table": {"CapacityUnits": 4.0, "WriteCapacityUnits": 4.0},
        "GlobalSecondaryIndexes": {"byg": {"CapacityUnits": 3.0, "WriteCapacityUnits": 3.0}}}]
    # a Put whose index key has the wrong type is this action's ValidationError
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[put(t, {"pk": S("b")}), put(t, {"pk": S("c"), "g": N(1)})])
    assert cancelled(e, ["None", "ValidationError"])[1]["Message"] == \
        INVALID + "Type mismatch for Index Key g Expected: S Actual: N IndexName: byg"


def test_item_collection_limit_and_metrics(server_factory):
    server = server_factory(["--in-memory", "--item-collection-limit", "2000"])
    client = make_client(server.endpoint)
    client.create_table(
        TableName="coll", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"},
                              {"AttributeName": "l", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        LocalSecondaryIndexes=[{"IndexName": "byl", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                                 {"AttributeName": "l", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    resp = client.transact_write_items(ReturnItemCollectionMetrics="SIZE", TransactItems=[
        put("coll", {"pk": S("a"), "sk": S("1"), "x": S("x" * 500)}),
        put("coll", {"pk": S("a"), "sk": S("2"), "x": S("x" * 500)}),
        put("coll", {"pk": S("b"), "sk": S("1")})])
    assert resp["ItemCollectionMetrics"] == {"coll": [
        {"ItemCollectionKey": {"pk": S("a")}, "SizeEstimateRangeGB": [0.0, 1.0]},
        {"ItemCollectionKey": {"pk": S("b")}, "SizeEstimateRangeGB": [0.0, 1.0]}]}
    # two puts that together pass the limit, in one transaction: the later one is the reason
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[
            put("coll", {"pk": S("b"), "sk": S("2"), "x": S("x" * 1000)}),
            put("coll", {"pk": S("b"), "sk": S("3"), "x": S("x" * 1000)})])
    reasons = cancelled(e, ["None", "ItemCollectionSizeLimitExceeded"])
    assert reasons[1]["Message"] == "Collection size exceeded."
    assert get_item(client, "coll", {"pk": S("b"), "sk": S("2")}) is None


# ---- injected conflicts ----

def test_injected_transaction_conflicts(server_factory):
    server = server_factory(["--in-memory", "--transaction-conflict-rate", "1", "--write-conflict-rate", "1"])
    client = make_client(server.endpoint)
    client.create_table(TableName="conf", BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[put("conf", {"pk": S("a")}), put("conf", {"pk": S("b")})])
    assert_client_error(e, "TransactionCanceledException", ANY)
    reasons = e.value.response["CancellationReasons"]
    assert sorted(r["Code"] for r in reasons) == ["None", "TransactionConflict"]
    assert [r.get("Message") for r in reasons if r["Code"] != "None"] == ["Transaction is ongoing for the item"]
    with pytest.raises(ClientError) as e:
        client.transact_get_items(TransactItems=[{"Get": {"TableName": "conf", "Key": {"pk": S("a")}}}])
    cancelled(e, ["TransactionConflict"])
    with pytest.raises(ClientError) as e:
        client.put_item(TableName="conf", Item={"pk": S("a")})
    assert_client_error(e, "TransactionConflictException", "Transaction is ongoing for the item")
    assert client.scan(TableName="conf")["Count"] == 0


def test_injected_conflicts_are_a_fraction(server_factory):
    server = server_factory(["--in-memory", "--transaction-conflict-rate", "0.5"])
    client = make_client(server.endpoint)
    client.create_table(TableName="half", BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    ok = 0
    for i in range(200):
        try:
            client.transact_write_items(TransactItems=[put("half", {"pk": S(str(i))})])
            ok += 1
        except ClientError as e:
            assert e.response["Error"]["Code"] == "TransactionCanceledException"
    assert 50 < ok < 150
    assert client.scan(TableName="half", Select="COUNT")["Count"] == ok
    client.put_item(TableName="half", Item={"pk": S("single")})  # single writes are not affected


def test_conflict_rate_option_is_checked(server_factory):
    import subprocess
    from conftest import DDBD_BIN
    out = subprocess.run([DDBD_BIN, "--transaction-conflict-rate", "2"], capture_output=True, text=True, timeout=10)
    assert out.returncode == 2
    assert "--transaction-conflict-rate must be a fraction from 0 to 1" in out.stderr


IN_PROGRESS = "The transaction with the given request token is already in progress."


def held_call(server, table, key, token, hold_ms):
    """A TransactWriteItems with `token` whose answer an injected latency holds hold_ms (issue 60),
    started on a thread of its own; returns (thread, outcomes) once it has committed (the item
    incremented), its answer still held and its token still in progress."""
    from helpers import admin_call
    status, answer = admin_call(server.endpoint, "POST", "/ddbd/faults",
                                {"faults": [{"operation": "TransactWriteItems", "latency_ms": hold_ms, "count": 1}]})
    assert status == 200, answer
    client, outcomes = make_client(server.endpoint), []
    t = threading.Thread(target=lambda: outcomes.append(client.transact_write_items(**increment(table, key, token))))
    t.start()
    deadline = time.monotonic() + 10  # (its arrival; what it waits for is the server's clock)
    while (get_item(client, table, key) or {}).get("n") != N(1):
        assert time.monotonic() < deadline and t.is_alive(), outcomes
        time.sleep(0.01)
    return t, outcomes


def token_server(server_factory, window="2"):
    server = server_factory(["--in-memory", "--admin", "--clock", "frozen", "--idempotency-window", window])
    client = make_client(server.endpoint)
    client.create_table(TableName="held", BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    return server, client


def test_a_call_held_by_a_latency_fault_is_in_progress(server_factory):
    """DynamoDB answers TransactionInProgressException to a call whose token's first call still runs:
    here the first call's answer is held 6 s by an injected latency (on the server's clock), and a
    second call with the token, and one with the token and other parameters, arrive meanwhile. Once
    the clock has passed the hold, the first call answers and the token replays. On main (4726060)
    the token left the calls in progress at the commit, before the held answer: a replay."""
    server, client = token_server(server_factory)
    key = {"pk": S("a")}
    t, first = held_call(server, "held", key, "tok-1", 6000)
    with pytest.raises(ClientError) as e:
        client.transact_write_items(**increment("held", key, "tok-1"))
    assert_client_error(e, "TransactionInProgressException", IN_PROGRESS)
    other = increment("held", {"pk": S("b")}, "tok-1")  # the same token, other parameters: in progress too
    r = raw_request(server.endpoint, "TransactWriteItems", other)
    # "Message", capitalised, as the type's model names it (tests/js/error_members.test.mjs)
    assert (r.status, r.json()) == (400, {"__type": "com.amazonaws.dynamodb.v20120810#TransactionInProgressException",
                                          "Message": IN_PROGRESS})
    assert t.is_alive() and first == []
    advance(server.endpoint, 6000)
    t.join(timeout=30)
    assert not t.is_alive() and len(first) == 1
    client.transact_write_items(**increment("held", key, "tok-1"))  # a replay now
    assert get_item(client, "held", key)["n"] == N(1)
    assert get_item(client, "held", {"pk": S("b")}) is None


def test_a_held_token_lives_from_its_completion(server_factory):
    """--idempotency-window 2 and a first call held 6 s (issue 60): the token's record lives 2 s from
    the call's completion (its commit, then the held answer), so a retry right after the held
    answer replays: the item is incremented once. Past the window from the completion, the token
    is new again, to the millisecond (the clock is frozen). On main (4726060) the record counted from
    the decision, 4 s expired when the answer came: the retry applied again."""
    server, client = token_server(server_factory)
    key = {"pk": S("a")}
    t, first = held_call(server, "held", key, "tok-2", 6000)
    advance(server.endpoint, 6000)
    t.join(timeout=30)
    assert len(first) == 1
    client.transact_write_items(**increment("held", key, "tok-2"))  # the SDK's retry after the long call
    assert get_item(client, "held", key)["n"] == N(1)
    advance(server.endpoint, 1999)
    client.transact_write_items(**increment("held", key, "tok-2"))  # still within the window
    assert get_item(client, "held", key)["n"] == N(1)
    advance(server.endpoint, 1)  # 2 s after the completion: the token is new again
    client.transact_write_items(**increment("held", key, "tok-2"))
    assert get_item(client, "held", key)["n"] == N(2)


def free_thread_connection(endpoint, ready, tries=50):
    """A keep-alive connection to the server that answers /metrics while a call sleeps at a delay
    point (--threads 2: the kernel spreads connections over both loops; one on the sleeping loop
    waits, and is left), once ready(metrics text) holds."""
    import http.client
    host, port = endpoint.replace("http://", "").split(":")
    deadline = time.monotonic() + 10  # (the first call's arrival)
    for _ in range(tries):
        conn = http.client.HTTPConnection(host, int(port), timeout=0.5)
        try:
            while time.monotonic() < deadline:
                conn.request("GET", "/metrics")
                if ready(conn.getresponse().read().decode()):
                    return conn
                time.sleep(0.005)
        except (TimeoutError, OSError):
            conn.close()  # on the sleeping loop
    raise AssertionError("no connection reached a free loop")


def test_a_token_held_between_decision_and_commit_lives_from_its_commit(server_factory, monkeypatch):
    """The clock moves 6 s between the transaction's decision and its commit (a delay point holds the
    call there): the token's record lives --idempotency-window 2 s from the commit, so the retry
    replays it (incremented once). On main (4726060) the record's expiry was taken before the
    decision, already 4 s past when it was written: the retry applied again."""
    # the step below must land while the call is held: 15 s of real time is room for it on a loaded
    # machine (4 s was not, beside one CPU-bound process per core: the step came after the commit)
    monkeypatch.setenv("DDBD_DELAY_POINT", "transact-before-commit:15000")
    server = server_factory(["--in-memory", "--admin", "--clock", "frozen", "--threads", "2",
                             "--idempotency-window", "2"])
    monkeypatch.delenv("DDBD_DELAY_POINT")
    client = make_client(server.endpoint)
    client.create_table(TableName="held", BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    from helpers import admin_call
    # a 1 ms latency marks the call's arrival in /metrics (and holds its answer until a 1 ms step)
    assert admin_call(server.endpoint, "POST", "/ddbd/faults",
                      {"faults": [{"operation": "TransactWriteItems", "latency_ms": 1, "count": 1}]})[0] == 200
    key, first = {"pk": S("a")}, []
    t = threading.Thread(target=lambda: first.append(client.transact_write_items(**increment("held", key, "tok-3"))))
    t.start()
    conn = free_thread_connection(server.endpoint, lambda m: 'operation="TransactWriteItems",error="Latency"} 1' in m)
    conn.timeout = 30
    conn.request("POST", "/ddbd/clock", body=json.dumps({"advance": 6000}), headers={"Content-Type": "application/json"})
    assert conn.getresponse().status == 200  # while the call sleeps between its decision and its commit
    conn.close()
    probe = make_client(server.endpoint)
    while (get_item(probe, "held", key) or {}).get("n") != N(1):  # (its commit, once the delay has run)
        time.sleep(0.01)
    advance(server.endpoint, 1)  # its answer, held 1 ms of the server's clock
    t.join(timeout=30)
    assert len(first) == 1
    client.transact_write_items(**increment("held", key, "tok-3"))  # the retry: a replay
    assert get_item(client, "held", key)["n"] == N(1)


def test_transaction_in_progress(server_factory, monkeypatch):
    """Calls whose token's first call is still running: the first is held 3 s before its commit by a
    delay point, which blocks its event-loop thread. Probes go out 50 ms apart, each on a new
    connection, until one lands on a free thread (the kernel spreads connections over the threads'
    listeners) and gets TransactionInProgressException; a probe that lands on the held thread waits
    behind it and gets the replay."""
    monkeypatch.setenv("DDBD_DELAY_POINT", "transact-before-commit:3000")
    server = server_factory(["--in-memory", "--threads", "4"])
    monkeypatch.delenv("DDBD_DELAY_POINT")
    client = make_client(server.endpoint)
    client.create_table(TableName="slow", BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    first, others = [], []
    t = threading.Thread(target=lambda: first.append(client.transact_write_items(**increment("slow", {"pk": S("a")}, "held"))))
    t.start()
    time.sleep(0.3)

    def again():
        try:
            make_client(server.endpoint).transact_write_items(**increment("slow", {"pk": S("a")}, "held"))
            others.append(("ok", None))
        except ClientError as e:
            others.append((e.response["Error"]["Code"], e.response["Error"]["Message"]))

    threads = []
    while len(threads) < 20 and t.is_alive() and not any(code != "ok" for code, _ in others):
        threads.append(threading.Thread(target=again))
        threads[-1].start()
        time.sleep(0.05)
    for x in threads + [t]:
        x.join()
    assert len(first) == 1
    assert ("TransactionInProgressException", "The transaction with the given request token is already in progress.") \
        in others
    assert set(others) <= {("ok", None), ("TransactionInProgressException",
                                          "The transaction with the given request token is already in progress.")}
    assert get_item(client, "slow", {"pk": S("a")})["n"] == N(1)
