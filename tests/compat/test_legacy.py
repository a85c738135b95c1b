"""The legacy (pre-expression) parameters: Expected (Exists/Value, ComparisonOperator with
AttributeValueList for all 13 operators, ConditionalOperator AND/OR) on PutItem, UpdateItem and
DeleteItem; AttributeUpdates (PUT/ADD/DELETE) on UpdateItem; AttributesToGet on GetItem; and
their validation messages.

Semantics and messages as recorded against DynamoDB by dynalite (test/putItem.js,
updateItem.js, deleteItem.js, getItem.js, scan.js) and Scylla's Alternator suite
(test_expected.py): NE and NULL hold for a missing attribute, NOT_CONTAINS does not; comparing
different types is false; the arguments' types are validated before the item is read.
"""
import pytest
from botocore.exceptions import ClientError

from conftest import (ANY, B, MAX_ITEM_SIZE, N, S, assert_client_error, enveloped, expect_error, hash_table,
                      item_size, norm, padded_item, unique_name)
from helpers import get_item

INVALID = "One or more parameter values were invalid: "
CCF = "ConditionalCheckFailedException"


@pytest.fixture(scope="module")
def table(ddb):
    yield from hash_table(ddb, "legacy")


ITEM = {
    "pk": S("legacy"),
    "s": S("hello"),
    "n": N(10),
    "b": B(b"\x01\x02"),
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2"]},
    "bs": {"BS": [b"\x01"]},
    "l": {"L": [S("x"), N(1)]},
    "m": {"M": {"a": S("x")}},
    "t": {"BOOL": True},
    "nul": {"NULL": True},
}


@pytest.fixture(scope="module")
def item_table(ddb, table):
    ddb.put_item(TableName=table, Item=ITEM)
    return table


def expected_holds(ddb, table, expected, conditional_operator=None):
    params = {"TableName": table, "Item": ITEM, "Expected": expected}
    if conditional_operator:
        params["ConditionalOperator"] = conditional_operator
    try:
        ddb.put_item(**params)
        return True
    except ClientError as e:
        if e.response["Error"]["Code"] == CCF:
            assert e.response["Error"]["Message"] == "The conditional request failed"
            return False
        raise


def op(name, *values):
    return {"ComparisonOperator": name, "AttributeValueList": list(values)}


# (id, Expected, ConditionalOperator, truth)
EXPECTED = [
    # Value / Exists
    ("value_equal", {"s": {"Value": S("hello")}}, None, True),
    ("value_other", {"s": {"Value": S("x")}}, None, False),
    ("value_missing", {"nope": {"Value": S("x")}}, None, False),
    ("value_other_type", {"n": {"Value": S("10")}}, None, False),
    ("value_set_any_order", {"ss": {"Value": {"SS": ["b", "a"]}}}, None, True),
    ("value_list", {"l": {"Value": {"L": [S("x"), N(1)]}}}, None, True),
    ("exists_true_value", {"s": {"Exists": True, "Value": S("hello")}}, None, True),
    ("exists_true_value_other", {"s": {"Exists": True, "Value": S("x")}}, None, False),
    ("exists_false_missing", {"nope": {"Exists": False}}, None, True),
    ("exists_false_present", {"s": {"Exists": False}}, None, False),
    ("exists_false_null_attribute", {"nul": {"Exists": False}}, None, False),
    # EQ / NE
    ("EQ", {"s": op("EQ", S("hello"))}, None, True),
    ("EQ_false", {"s": op("EQ", S("x"))}, None, False),
    ("EQ_number_spelling", {"n": op("EQ", N("1e1"))}, None, True),
    ("EQ_other_type", {"n": op("EQ", S("10"))}, None, False),
    ("EQ_missing", {"nope": op("EQ", S("x"))}, None, False),
    ("EQ_set", {"ns": op("EQ", {"NS": ["2", "1"]})}, None, True),
    ("EQ_map", {"m": op("EQ", {"M": {"a": S("x")}})}, None, True),
    ("EQ_bool", {"t": op("EQ", {"BOOL": True})}, None, True),
    ("NE", {"s": op("NE", S("x"))}, None, True),
    ("NE_false", {"s": op("NE", S("hello"))}, None, False),
    ("NE_missing", {"nope": op("NE", S("x"))}, None, True),
    ("NE_other_type", {"n": op("NE", S("10"))}, None, True),
    # ordering
    ("LE_equal", {"n": op("LE", N(10))}, None, True),
    ("LE_false", {"n": op("LE", N(9))}, None, False),
    ("LE_string", {"s": op("LE", S("help"))}, None, True),
    ("LE_other_type", {"n": op("LE", S("z"))}, None, False),
    ("LT", {"n": op("LT", N(11))}, None, True),
    ("LT_equal", {"n": op("LT", N(10))}, None, False),
    ("LT_binary", {"b": op("LT", B(b"\x01\x03"))}, None, True),
    ("LT_missing", {"nope": op("LT", N(1))}, None, False),
    ("GE_equal", {"n": op("GE", N(10))}, None, True),
    ("GE_false", {"n": op("GE", N(11))}, None, False),
    ("GT", {"n": op("GT", N("9.5"))}, None, True),
    ("GT_string_false", {"s": op("GT", S("hello"))}, None, False),
    # NULL / NOT_NULL
    ("NOT_NULL", {"s": {"ComparisonOperator": "NOT_NULL"}}, None, True),
    ("NOT_NULL_null_attribute", {"nul": {"ComparisonOperator": "NOT_NULL"}}, None, True),
    ("NOT_NULL_missing", {"nope": {"ComparisonOperator": "NOT_NULL"}}, None, False),
    ("NULL_missing", {"nope": {"ComparisonOperator": "NULL"}}, None, True),
    ("NULL_present", {"s": {"ComparisonOperator": "NULL"}}, None, False),
    # CONTAINS / NOT_CONTAINS
    ("CONTAINS_substring", {"s": op("CONTAINS", S("ell"))}, None, True),
    ("CONTAINS_substring_false", {"s": op("CONTAINS", S("xyz"))}, None, False),
    ("CONTAINS_string_set", {"ss": op("CONTAINS", S("a"))}, None, True),
    ("CONTAINS_number_set", {"ns": op("CONTAINS", N(2))}, None, True),
    ("CONTAINS_number_set_false", {"ns": op("CONTAINS", N(3))}, None, False),
    ("CONTAINS_binary", {"b": op("CONTAINS", B(b"\x02"))}, None, True),
    ("CONTAINS_list", {"l": op("CONTAINS", N(1))}, None, True),
    ("CONTAINS_missing", {"nope": op("CONTAINS", S("a"))}, None, False),
    ("NOT_CONTAINS", {"s": op("NOT_CONTAINS", S("xyz"))}, None, True),
    ("NOT_CONTAINS_false", {"s": op("NOT_CONTAINS", S("ell"))}, None, False),
    ("NOT_CONTAINS_set", {"ss": op("NOT_CONTAINS", S("z"))}, None, True),
    ("NOT_CONTAINS_set_false", {"ss": op("NOT_CONTAINS", S("b"))}, None, False),
    ("NOT_CONTAINS_missing", {"nope": op("NOT_CONTAINS", S("a"))}, None, False),
    # BEGINS_WITH
    ("BEGINS_WITH", {"s": op("BEGINS_WITH", S("he"))}, None, True),
    ("BEGINS_WITH_false", {"s": op("BEGINS_WITH", S("x"))}, None, False),
    ("BEGINS_WITH_binary", {"b": op("BEGINS_WITH", B(b"\x01"))}, None, True),
    ("BEGINS_WITH_on_number", {"n": op("BEGINS_WITH", S("1"))}, None, False),
    ("BEGINS_WITH_missing", {"nope": op("BEGINS_WITH", S("a"))}, None, False),
    # IN
    ("IN", {"n": op("IN", N(1), N(10))}, None, True),
    ("IN_false", {"n": op("IN", N(1), N(2))}, None, False),
    ("IN_string", {"s": op("IN", S("hello"))}, None, True),
    ("IN_is_not_set_membership", {"ns": op("IN", N(1))}, None, False),
    ("IN_missing", {"nope": op("IN", N(1))}, None, False),
    # BETWEEN
    ("BETWEEN", {"n": op("BETWEEN", N(9), N(11))}, None, True),
    ("BETWEEN_inclusive", {"n": op("BETWEEN", N(10), N(10))}, None, True),
    ("BETWEEN_false", {"n": op("BETWEEN", N(11), N(12))}, None, False),
    ("BETWEEN_strings", {"s": op("BETWEEN", S("a"), S("z"))}, None, True),
    ("BETWEEN_other_type", {"s": op("BETWEEN", N(1), N(2))}, None, False),
    ("BETWEEN_missing", {"nope": op("BETWEEN", N(1), N(2))}, None, False),
    # several conditions
    ("and_default", {"s": op("EQ", S("hello")), "n": op("EQ", N(10))}, None, True),
    ("and_default_false", {"s": op("EQ", S("hello")), "n": op("EQ", N(11))}, None, False),
    ("and_explicit", {"s": {"Value": S("hello")}, "nope": {"Exists": False}}, "AND", True),
    ("or_one_true", {"s": op("EQ", S("x")), "n": op("EQ", N(10))}, "OR", True),
    ("or_none_true", {"s": op("EQ", S("x")), "n": op("EQ", N(11))}, "OR", False),
    ("or_mixed_forms", {"s": {"Value": S("x")}, "nope": {"Exists": False},
                        "n": op("GT", N(100))}, "OR", True),
    ("three_and", {"s": {"Value": S("hello")}, "nope": {"Exists": False},
                   "n": op("GE", N(10))}, None, True),
]


@pytest.mark.parametrize("expected, conditional_operator, truth", [c[1:] for c in EXPECTED],
                         ids=[c[0] for c in EXPECTED])
def test_expected(ddb, item_table, expected, conditional_operator, truth):
    assert expected_holds(ddb, item_table, expected, conditional_operator) is truth
    assert norm(get_item(ddb, item_table, {"pk": ITEM["pk"]})) == norm(ITEM)


def test_expected_on_absent_item(ddb, table):
    key = {"pk": S(unique_name("abs"))}
    with pytest.raises(ClientError) as excinfo:
        ddb.put_item(TableName=table, Item=key, Expected={"pk": {"Value": key["pk"]}})
    assert_client_error(excinfo, CCF, "The conditional request failed")
    with pytest.raises(ClientError) as excinfo:
        ddb.put_item(TableName=table, Item=key, Expected={"pk": {"ComparisonOperator": "NOT_NULL"}})
    assert_client_error(excinfo, CCF, "The conditional request failed")
    assert get_item(ddb, table, key) is None
    ddb.put_item(TableName=table, Item=key, Expected={"pk": {"Exists": False}})
    with pytest.raises(ClientError) as excinfo:
        ddb.put_item(TableName=table, Item=key, Expected={"pk": {"ComparisonOperator": "NULL"}})
    assert_client_error(excinfo, CCF, "The conditional request failed")
    assert get_item(ddb, table, key) == key


def test_expected_on_delete(ddb, table):
    key = {"pk": S(unique_name("del"))}
    ddb.put_item(TableName=table, Item=dict(key, v=N(1)))
    with pytest.raises(ClientError) as excinfo:
        ddb.delete_item(TableName=table, Key=key, Expected={"v": {"Exists": False}})
    assert_client_error(excinfo, CCF, "The conditional request failed")
    with pytest.raises(ClientError) as excinfo:
        ddb.delete_item(TableName=table, Key=key, Expected={"v": op("GT", N(1))},
                        ReturnValues="ALL_OLD")
    assert_client_error(excinfo, CCF, "The conditional request failed")
    resp = ddb.delete_item(TableName=table, Key=key, ReturnValues="ALL_OLD",
                           Expected={"v": {"Exists": True, "Value": N(1)}, "w": {"Exists": False}})
    assert resp["Attributes"] == dict(key, v=N(1))
    assert get_item(ddb, table, key) is None


def test_expected_on_update(ddb, table):
    key = {"pk": S(unique_name("upd"))}
    ddb.put_item(TableName=table, Item=dict(key, v=N(1)))
    with pytest.raises(ClientError) as excinfo:
        ddb.update_item(TableName=table, Key=key, Expected={"v": op("EQ", N(2))},
                        AttributeUpdates={"v": {"Action": "ADD", "Value": N(1)}})
    assert_client_error(excinfo, CCF, "The conditional request failed")
    resp = ddb.update_item(TableName=table, Key=key, Expected={"v": op("EQ", N(1))},
                           AttributeUpdates={"v": {"Action": "ADD", "Value": N(1)}},
                           ReturnValues="UPDATED_NEW")
    assert resp["Attributes"] == {"v": N(2)}
    # Expected with no AttributeUpdates at all
    resp = ddb.update_item(TableName=table, Key=key, Expected={"v": {"Value": N(2)}},
                           ReturnValues="ALL_NEW")
    assert resp["Attributes"] == dict(key, v=N(2))


# ---------------------------------------------------------------------------------------------
# Expected validation
# ---------------------------------------------------------------------------------------------

EXPECTED_ERRORS = [
    ("no_value_no_exists", {"a": {}}, INVALID + "Value must be provided when Exists is null for "
                                                "Attribute: a"),
    ("exists_true_no_value", {"a": {"Exists": True}},
     INVALID + "Value must be provided when Exists is true for Attribute: a"),
    ("exists_false_with_value", {"a": {"Exists": False, "Value": S("a")}},
     INVALID + "Value cannot be used when Exists is false for Attribute: a"),
    ("operator_alone", {"a": {"ComparisonOperator": "LT"}},
     INVALID + "Value or AttributeValueList must be used with ComparisonOperator: LT for "
               "Attribute: a"),
    ("operator_and_exists", {"a": {"Exists": True, "ComparisonOperator": "LT"}},
     INVALID + "Exists and ComparisonOperator cannot be used together for Attribute: a"),
    ("value_and_list", {"a": {"AttributeValueList": [S("a")], "Value": S("a"),
                              "ComparisonOperator": "LT"}},
     INVALID + "Value and AttributeValueList cannot be used together for Attribute: a"),
    ("list_without_operator", {"a": {"AttributeValueList": [S("a")]}},
     INVALID + "AttributeValueList can only be used with a ComparisonOperator for Attribute: a"),
    ("list_with_exists", {"a": {"Exists": True, "AttributeValueList": [S("a")]}},
     INVALID + "AttributeValueList can only be used with a ComparisonOperator for Attribute: a"),
    *[("arguments_%s_%d" % (o, len(vals)), {"a": op(o, *vals)},
       INVALID + "Invalid number of argument(s) for the %s ComparisonOperator" % o)
      for o, vals in [("EQ", []), ("EQ", [S("a"), S("b")]), ("NE", [S("a"), S("b")]),
                      ("LT", [S("a"), S("b")]), ("CONTAINS", [S("a"), S("b")]),
                      ("BEGINS_WITH", []), ("NULL", [S("a")]), ("NOT_NULL", [S("a")]),
                      ("IN", []), ("BETWEEN", [N(1)]), ("BETWEEN", [N(1), N(2), N(3)])]],
    ("NULL_with_value", {"a": {"Value": S("a"), "ComparisonOperator": "NULL"}},
     INVALID + "Invalid number of argument(s) for the NULL ComparisonOperator"),
    ("BETWEEN_with_value", {"a": {"Value": S("a"), "ComparisonOperator": "BETWEEN"}},
     INVALID + "Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
    *[("%s_%s" % (o, t), {"a": op(o, *([v] * (2 if o == "BETWEEN" else 1)))},
       INVALID + "ComparisonOperator %s is not valid for %s AttributeValue type" % (o, t))
      for o, t, v in [("LT", "BOOL", {"BOOL": True}), ("LE", "NULL", {"NULL": True}),
                      ("GT", "SS", {"SS": ["a"]}), ("GE", "NS", {"NS": ["1"]}),
                      ("LT", "BS", {"BS": [b"a"]}), ("GT", "M", {"M": {}}), ("LE", "L", {"L": []}),
                      ("IN", "BOOL", {"BOOL": True}), ("IN", "L", {"L": []}),
                      ("CONTAINS", "SS", {"SS": ["a"]}), ("CONTAINS", "M", {"M": {}}),
                      ("NOT_CONTAINS", "L", {"L": []}), ("NOT_CONTAINS", "NS", {"NS": ["1"]}),
                      ("BEGINS_WITH", "N", N(1)), ("BEGINS_WITH", "BOOL", {"BOOL": True}),
                      ("BEGINS_WITH", "SS", {"SS": ["a"]}), ("BETWEEN", "BOOL", {"BOOL": True}),
                      ("BETWEEN", "L", {"L": []})]],
    ("IN_mixed_types", {"a": op("IN", S("b"), N(1))},
     INVALID + "AttributeValues inside AttributeValueList must be of same type"),
    ("BETWEEN_reversed", {"a": op("BETWEEN", S("b"), S("a"))},
     "The BETWEEN condition was provided a range where the lower bound is greater than the "
     "upper bound"),
    ("operator_not_in_enum", {"a": {"ComparisonOperator": "XX", "AttributeValueList": [S("a")]}},
     "1 validation error detected: Value 'XX' at 'expected.a.member.comparisonOperator' failed "
     "to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, "
     "NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"),
]


@pytest.mark.parametrize("op_name", ["put_item", "delete_item"])
@pytest.mark.parametrize("expected, message", [c[1:] for c in EXPECTED_ERRORS],
                         ids=[c[0] for c in EXPECTED_ERRORS])
def test_expected_validation(ddb, table, op_name, expected, message):
    key = {"pk": S("validation")}
    params = {"TableName": table, "Expected": expected}
    if op_name == "put_item":
        params["Item"] = key
    else:
        params["Key"] = key
    expect_error(lambda: getattr(ddb, op_name)(**params), enveloped(op_name, message))
    assert get_item(ddb, table, key) is None


def test_conditional_operator_validation(ddb, table):
    # the 2026 layer's enum text, "[ALL, OR]" as AWS prints it (the conformance suite's captures,
    # eu-west-2 and us-east-1, 2026-10-09); without the Item, the older aggregated form
    expect_error(
        lambda: ddb.put_item(TableName=table, Item={"pk": S("v")}, ConditionalOperator="AN",
                             Expected={"a": {"Exists": False}, "b": {"Exists": False}}),
        "1 validation error detected: Failed to satisfy constraint: Member must satisfy enum value set: [ALL, OR]")
    expect_error(
        lambda: ddb.update_item(TableName=table, ConditionalOperator="XOR", AttributeUpdates={"x": {
            "Action": "PUT", "Value": S("1")}}, Expected={"a": {"Exists": False}, "b": {"Exists": False}}),
        "2 validation errors detected: Value 'XOR' at 'conditionalOperator' failed to satisfy "
        "constraint: Member must satisfy enum value set: [OR, AND]; Value null at 'key' failed to satisfy "
        "constraint: Member must not be null")


def test_legacy_and_expression_parameters_do_not_mix(ddb, table):
    expect_error(
        lambda: ddb.put_item(TableName=table, Item={"pk": S("v")}, Expected={"a": {"Exists": False}},
                             ConditionExpression="attribute_not_exists(a)"),
        enveloped("put_item", "Can not use both expression and non-expression parameters in the same request: "
                  "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"))
    expect_error(
        lambda: ddb.put_item(TableName=table, Item={"pk": S("v")}, Expected={"a": {"Exists": False}},
                             ExpressionAttributeNames={"#a": "a"}),
        enveloped("put_item", "ExpressionAttributeNames can only be specified when using expressions"))
    expect_error(
        lambda: ddb.put_item(TableName=table, Item={"pk": S("v")}, Expected={"a": {"Exists": False}},
                             ExpressionAttributeValues={":a": S("a")}),
        enveloped("put_item", "ExpressionAttributeValues can only be specified when using expressions: "
                  "ConditionExpression is null"))


# ---------------------------------------------------------------------------------------------
# AttributeUpdates
# ---------------------------------------------------------------------------------------------

def attr_update(ddb, table, key, updates, **extra):
    return ddb.update_item(TableName=table, Key=key, AttributeUpdates=updates, **extra)


# (id, seed attributes or None, AttributeUpdates, attributes afterwards without the key)
ATTRIBUTE_UPDATES = [
    ("put_new", {"a": N(1)}, {"b": {"Action": "PUT", "Value": S("x")}}, {"a": N(1), "b": S("x")}),
    ("put_replace", {"a": N(1)}, {"a": {"Action": "PUT", "Value": {"SS": ["x"]}}},
     {"a": {"SS": ["x"]}}),
    ("put_is_default_action", {"a": N(1)}, {"a": {"Value": S("x")}}, {"a": S("x")}),
    ("put_creates_item", None, {"a": {"Action": "PUT", "Value": S("x")}}, {"a": S("x")}),
    ("delete_attribute", {"a": N(1), "b": N(2)}, {"a": {"Action": "DELETE"}}, {"b": N(2)}),
    ("delete_missing_attribute", {"a": N(1)}, {"zz": {"Action": "DELETE"}}, {"a": N(1)}),
    ("delete_set_values", {"ss": {"SS": ["a", "b", "c"]}},
     {"ss": {"Action": "DELETE", "Value": {"SS": ["b", "z"]}}}, {"ss": {"SS": ["a", "c"]}}),
    ("delete_number_set_values", {"ns": {"NS": ["1", "2", "3"]}},
     {"ns": {"Action": "DELETE", "Value": {"NS": ["1", "4"]}}}, {"ns": {"NS": ["2", "3"]}}),
    ("delete_all_set_values", {"ss": {"SS": ["a"]}, "x": N(1)},
     {"ss": {"Action": "DELETE", "Value": {"SS": ["a"]}}}, {"x": N(1)}),
    ("delete_set_values_missing_attribute", {"x": N(1)},
     {"ss": {"Action": "DELETE", "Value": {"SS": ["a"]}}}, {"x": N(1)}),
    ("add_number", {"n": N(1)}, {"n": {"Action": "ADD", "Value": N(3)}}, {"n": N(4)}),
    ("add_number_missing", {"x": N(1)}, {"n": {"Action": "ADD", "Value": N("-2.5")}},
     {"x": N(1), "n": N("-2.5")}),
    ("add_string_set", {"ss": {"SS": ["a", "b"]}},
     {"ss": {"Action": "ADD", "Value": {"SS": ["b", "c", "d"]}}},
     {"ss": {"SS": ["a", "b", "c", "d"]}}),
    ("add_number_set", {"ns": {"NS": ["1", "2"]}},
     {"ns": {"Action": "ADD", "Value": {"NS": ["2", "3", "4"]}}},
     {"ns": {"NS": ["1", "2", "3", "4"]}}),
    ("add_binary_set", {"bs": {"BS": [b"\x01\x02", b"\x02"]}},
     {"bs": {"Action": "ADD", "Value": {"BS": [b"\x02", b"\x01"]}}},
     {"bs": {"BS": [b"\x01\x02", b"\x02", b"\x01"]}}),
    ("add_set_missing", None, {"ss": {"Action": "ADD", "Value": {"SS": ["a"]}}},
     {"ss": {"SS": ["a"]}}),
    ("add_list_appends", {"l": {"L": [S("a"), N(1)]}},
     {"l": {"Action": "ADD", "Value": {"L": [S("b"), N(2)]}}},
     {"l": {"L": [S("a"), N(1), S("b"), N(2)]}}),
    ("add_list_missing", None, {"l": {"Action": "ADD", "Value": {"L": [S("a")]}}},
     {"l": {"L": [S("a")]}}),
    ("several_actions", {"name": S("old"), "cnt": N(1), "extra": S("x")},
     {"name": {"Action": "PUT", "Value": S("new")}, "cnt": {"Action": "ADD", "Value": N(9)},
      "extra": {"Action": "DELETE"}}, {"name": S("new"), "cnt": N(10)}),
    ("valid_adds_on_absent_item", None,
     {"b": {"Action": "DELETE"}, "c": {"Action": "DELETE", "Value": {"SS": ["a", "b"]}},
      "d": {"Action": "ADD", "Value": N(5)}, "e": {"Action": "ADD", "Value": {"SS": ["a", "b"]}},
      "f": {"Action": "ADD", "Value": {"L": [S("a"), N(1)]}}},
     {"d": N(5), "e": {"SS": ["a", "b"]}, "f": {"L": [S("a"), N(1)]}}),
    ("empty_updates_create_key_only_item", None, {}, {}),
]


@pytest.mark.parametrize("seed, updates, after", [c[1:] for c in ATTRIBUTE_UPDATES],
                         ids=[c[0] for c in ATTRIBUTE_UPDATES])
def test_attribute_updates(ddb, table, seed, updates, after):
    key = {"pk": S(unique_name("au"))}
    if seed is not None:
        ddb.put_item(TableName=table, Item=dict(key, **seed))
    assert attr_update(ddb, table, key, updates).keys() == {"ResponseMetadata"}
    assert norm(get_item(ddb, table, key)) == norm(dict(key, **after))


def test_attribute_updates_return_values(ddb, table):
    key = {"pk": S(unique_name("aurv"))}
    resp = attr_update(ddb, table, key, {"b": {"Value": S("a")}}, ReturnValues="ALL_OLD")
    assert "Attributes" not in resp
    resp = attr_update(ddb, table, key, {"b": {"Value": S("b")}}, ReturnValues="ALL_OLD")
    assert resp["Attributes"] == dict(key, b=S("a"))
    resp = attr_update(ddb, table, key, {"b": {"Value": S("c")}, "c": {"Value": S("c")}},
                       ReturnValues="UPDATED_OLD")
    assert resp["Attributes"] == {"b": S("b")}
    resp = attr_update(ddb, table, key, {"b": {"Value": S("d")}}, ReturnValues="ALL_NEW")
    assert resp["Attributes"] == dict(key, b=S("d"), c=S("c"))
    resp = attr_update(ddb, table, key, {"b": {"Action": "DELETE"}, "c": {"Value": S("e")}},
                       ReturnValues="UPDATED_NEW")
    assert resp["Attributes"] == {"c": S("e")}
    # a nested map is returned whole: AttributeUpdates works on top-level attributes
    attr_update(ddb, table, key, {"m": {"Value": {"M": {"a": S("a"), "b": {"L": []}}}},
                                  "n": {"Value": N(1)}})
    resp = attr_update(ddb, table, key, {"m": {"Value": {"M": {"a": S("b"), "b": {"L": []}}}},
                                         "n": {"Action": "ADD", "Value": N(1)}},
                       ReturnValues="UPDATED_OLD")
    assert resp["Attributes"] == {"m": {"M": {"a": S("a"), "b": {"L": []}}}, "n": N(1)}
    resp = attr_update(ddb, table, key, {}, ReturnValues="UPDATED_NEW")
    assert "Attributes" not in resp
    resp = attr_update(ddb, table, key, {"n": {"Action": "ADD", "Value": N(1)}},
                       ReturnValues="UPDATED_NEW", ReturnConsumedCapacity="TOTAL")
    assert resp["Attributes"] == {"n": N(3)}
    assert resp["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 1.0}


ATTRIBUTE_UPDATE_ERRORS = [
    ("no_action_no_value", {"a": {}},
     INVALID + "Only DELETE action is allowed when no attribute value is specified"),
    ("put_without_value", {"a": {"Action": "PUT"}},
     INVALID + "Only DELETE action is allowed when no attribute value is specified"),
    ("add_without_value", {"a": {"Action": "ADD"}},
     INVALID + "Only DELETE action is allowed when no attribute value is specified"),
    *[("delete_value_%s" % t, {"a": {"Action": "DELETE", "Value": v}},
       INVALID + "DELETE action with value is not supported for the type %s" % t)
      for t, v in [("S", S("1")), ("N", N(1)), ("B", B(b"b")), ("NULL", {"NULL": True}),
                   ("BOOL", {"BOOL": True}), ("M", {"M": {}}), ("L", {"L": []})]],
    *[("add_value_%s" % t, {"a": {"Action": "ADD", "Value": v}},
       INVALID + "ADD action is not supported for the type %s" % t)
      for t, v in [("S", S("1")), ("B", B(b"b")), ("NULL", {"NULL": True}),
                   ("BOOL", {"BOOL": True}), ("M", {"M": {}})]],
    ("key_put", {"pk": {"Action": "PUT", "Value": S("other")}},
     INVALID + "Cannot update attribute pk. This attribute is part of the key"),
    ("key_default_action", {"x": {"Value": N(1)}, "pk": {"Value": S("other")}},
     INVALID + "Cannot update attribute pk. This attribute is part of the key"),
    ("key_delete", {"pk": {"Action": "DELETE"}},
     INVALID + "Cannot update attribute pk. This attribute is part of the key"),
]


@pytest.mark.parametrize("updates, message", [c[1:] for c in ATTRIBUTE_UPDATE_ERRORS],
                         ids=[c[0] for c in ATTRIBUTE_UPDATE_ERRORS])
def test_attribute_updates_validation(ddb, table, updates, message):
    key = {"pk": S(unique_name("auv"))}
    expect_error(lambda: attr_update(ddb, table, key, updates), enveloped("update_item", message))
    assert get_item(ddb, table, key) is None


@pytest.mark.parametrize("updates", [
    {"ss": {"Action": "DELETE", "Value": {"NS": ["1"]}}},
    {"ss": {"Action": "DELETE", "Value": {"BS": [b"a"]}}},
    {"n": {"Action": "DELETE", "Value": {"NS": ["1"]}}},
    {"ss": {"Action": "ADD", "Value": {"NS": ["1"]}}},
    {"ns": {"Action": "ADD", "Value": N(1)}},
    {"s": {"Action": "ADD", "Value": N(1)}},
    {"n": {"Action": "ADD", "Value": {"SS": ["a"]}}},
    {"l": {"Action": "ADD", "Value": N(1)}},
], ids=["delete_NS_from_SS", "delete_BS_from_SS", "delete_NS_from_N", "add_NS_to_SS",
        "add_N_to_NS", "add_N_to_S", "add_SS_to_N", "add_N_to_L"])
def test_attribute_updates_type_mismatch(ddb, table, updates):
    key = {"pk": S(unique_name("aut"))}
    seed = dict(key, ss={"SS": ["1"]}, n=N(1), ns={"NS": ["1"]}, s=S("s"), l={"L": []})
    ddb.put_item(TableName=table, Item=seed)
    expect_error(lambda: attr_update(ddb, table, key, updates),
                      "Type mismatch for attribute to update")
    assert norm(get_item(ddb, table, key)) == norm(seed)


def test_attribute_updates_action_enum(ddb, table):
    with pytest.raises(ClientError) as excinfo:
        attr_update(ddb, table, {"pk": S("enum")}, {"a": {"Action": "SET", "Value": N(1)}})
    assert_client_error(excinfo, "ValidationException", ANY)
    assert excinfo.value.response["Error"]["Message"].startswith(
        "1 validation error detected: Value 'SET' at 'attributeUpdates.a.member.action' failed to "
        "satisfy constraint: Member must satisfy enum value set: [")


def test_attribute_updates_item_too_big(ddb, table):
    key = {"pk": S(unique_name("aubig"))}
    ddb.put_item(TableName=table, Item=padded_item(key, MAX_ITEM_SIZE - 10))
    expect_error(lambda: attr_update(ddb, table, key, {"q": {"Value": S("x" * 10)}}),
                      "Item size to update has exceeded the maximum allowed size")
    attr_update(ddb, table, key, {"q": {"Value": S("x" * 9)}})
    assert item_size(get_item(ddb, table, key)) == MAX_ITEM_SIZE


# ---------------------------------------------------------------------------------------------
# AttributesToGet
# ---------------------------------------------------------------------------------------------

def test_attributes_to_get(ddb, item_table):
    key = {"pk": ITEM["pk"]}

    def fetch(names):
        return ddb.get_item(TableName=item_table, Key=key, AttributesToGet=names,
                            ConsistentRead=True)

    assert fetch(["s", "n"])["Item"] == {"s": ITEM["s"], "n": ITEM["n"]}
    assert fetch(["pk"])["Item"] == key
    assert fetch(["nul", "nope"])["Item"] == {"nul": ITEM["nul"]}
    assert fetch(["nope"]).get("Item", {}) == {}
    # names are not paths: "m.a" is an attribute called m.a, and reserved words are fine
    assert fetch(["m.a", "status", "m"])["Item"] == {"m": ITEM["m"]}


def test_attributes_to_get_validation(ddb, item_table):
    key = {"pk": ITEM["pk"]}
    expect_error(
        lambda: ddb.get_item(TableName=item_table, Key=key, AttributesToGet=["a", "a"]),
        INVALID + "Duplicate value in attribute name: a")
    expect_error(
        lambda: ddb.get_item(TableName=item_table, Key=key, AttributesToGet=[]),
        "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy "
        "constraint: Member must have length greater than or equal to 1")
    expect_error(
        lambda: ddb.get_item(TableName=item_table, Key=key, AttributesToGet=["s"],
                             ProjectionExpression="s"),
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributesToGet} Expression parameters: "
        "{ProjectionExpression}")
    expect_error(
        lambda: ddb.get_item(TableName=item_table, Key=key, AttributesToGet=["s"],
                             ExpressionAttributeNames={"#s": "s"}),
        "ExpressionAttributeNames can only be specified when using expressions")


@pytest.mark.parametrize("names", [[""], ["s", ""]], ids=["empty", "among-others"])
@pytest.mark.parametrize("op", ["get_item", "batch_get_item", "query", "scan"])
def test_attributes_to_get_refuses_an_empty_name(ddb, item_table, op, names):
    """DynamoDB refuses an empty name in AttributesToGet (issue 42; ddbd answered {}); worded as an
    item's empty attribute name is, "Empty attribute name", by every operation that takes it."""
    key = {"pk": ITEM["pk"]}
    calls = {
        "get_item": lambda: ddb.get_item(TableName=item_table, Key=key, AttributesToGet=names),
        "batch_get_item": lambda: ddb.batch_get_item(
            RequestItems={item_table: {"Keys": [key], "AttributesToGet": names}}),
        "query": lambda: ddb.query(TableName=item_table, AttributesToGet=names, KeyConditions={
            "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [ITEM["pk"]]}}),
        "scan": lambda: ddb.scan(TableName=item_table, AttributesToGet=names),
    }
    expect_error(calls[op], "Empty attribute name")
