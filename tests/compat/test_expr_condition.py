"""ConditionExpression on PutItem, UpdateItem and DeleteItem: every comparator, BETWEEN, IN,
AND/OR/NOT precedence and parentheses, the six functions, nested paths, #name and :value
substitution, comparisons across types and with missing attributes, ConditionalCheckFailedException
(HTTP 400, "The conditional request failed", nothing written) and
ReturnValuesOnConditionCheckFailure (raw HTTP: boto3 1.26 does not know the parameter).

Semantics follow DynamoDB's documentation ("Condition and filter expressions, operators and
functions") and behaviour recorded against DynamoDB by dynalite and Scylla's Alternator suites:
an attribute that is missing makes every comparison false except <>, which is true; comparing
values of different types is false (<> true); size() of a number, boolean or null is false, not
an error.
"""
import base64
from decimal import Decimal

import boto3
import pytest
from boto3.dynamodb.conditions import Attr
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import (ACCESS_KEY, assert_client_error, B, enveloped, hash_table, N, norm, raw_request, REGION, S,
                      SECRET_KEY, unique_name)

CCF = "ConditionalCheckFailedException"
CCF_MESSAGE = "The conditional request failed"


@pytest.fixture(scope="module")
def table(ddb):
    yield from hash_table(ddb, "cond")


ITEM = {
    "pk": S("cond"),
    "s": S("hello"),
    "s2": S("hello"),
    "cap": S("Hello"),
    "n": N(10),
    "n2": N(9),
    "nneg": N("-2.5"),
    "b": B(b"\x01\x02\x03"),
    "bhi": B(b"\x80"),
    "t": {"BOOL": True},
    "f": {"BOOL": False},
    "nul": {"NULL": True},
    "ss": {"SS": ["a", "b", "c"]},
    "ns": {"NS": ["1", "2", "3"]},
    "bs": {"BS": [b"\x01", b"\x02"]},
    "l": {"L": [S("x"), N(1), {"L": [S("deep")]}, {"M": {"c": S("in-list")}}, {"SS": ["q"]}]},
    "m": {"M": {"a": S("x"), "b": {"L": [N(0), {"M": {"c": N(5)}}]}, "num": N(7),
                "sub": {"M": {}}}},
    "empty_s": S(""),
    "empty_l": {"L": []},
    "empty_m": {"M": {}},
    "status": S("active"),
    "a.b": S("dotted"),
}


@pytest.fixture(scope="module")
def item_table(ddb, table):
    ddb.put_item(TableName=table, Item=ITEM)
    return table


def condition_holds(ddb, table, condition, values=None, names=None):
    """Re-puts ITEM under `condition`: True if written, False on ConditionalCheckFailed."""
    params = {"TableName": table, "Item": ITEM, "ConditionExpression": condition}
    if values:
        params["ExpressionAttributeValues"] = values
    if names:
        params["ExpressionAttributeNames"] = names
    try:
        ddb.put_item(**params)
        return True
    except ClientError as e:
        if e.response["Error"]["Code"] == CCF:
            assert e.response["Error"]["Message"] == CCF_MESSAGE
            assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 400
            return False
        raise


# (id, condition, ExpressionAttributeValues, ExpressionAttributeNames, expected truth)
CASES = [
    # --- comparators on numbers (numeric, not lexicographic) ---
    ("n_eq", "n = :v", {":v": N(10)}, None, True),
    ("n_eq_other_spelling", "n = :v", {":v": N("10.00")}, None, True),
    ("n_eq_false", "n = :v", {":v": N(11)}, None, False),
    ("n_ne_true", "n <> :v", {":v": N(11)}, None, True),
    ("n_ne_false", "n <> :v", {":v": N(10)}, None, False),
    ("n_lt_true", "n < :v", {":v": N(11)}, None, True),
    ("n_lt_equal", "n < :v", {":v": N(10)}, None, False),
    ("n_le_equal", "n <= :v", {":v": N(10)}, None, True),
    ("n_le_false", "n <= :v", {":v": N("9.99")}, None, False),
    ("n_gt_true", "n > :v", {":v": N(9)}, None, True),
    ("n_gt_equal", "n > :v", {":v": N(10)}, None, False),
    ("n_ge_equal", "n >= :v", {":v": N(10)}, None, True),
    ("n_ge_false", "n >= :v", {":v": N(100)}, None, False),
    ("numeric_not_lexicographic", "n > n2", None, None, True),
    ("negative_decimal", "nneg < :v", {":v": N("-2.4")}, None, True),
    ("value_on_left", ":v < n", {":v": N(2)}, None, True),
    ("path_vs_path", "m.num < n", None, None, True),
    # --- strings compare by UTF-8 bytes, binaries as unsigned bytes ---
    ("s_eq_path", "s = s2", None, None, True),
    ("s_lt", "s < :v", {":v": S("help")}, None, True),
    ("s_gt_false", "s > :v", {":v": S("help")}, None, False),
    ("uppercase_sorts_first", "cap < s", None, None, True),
    ("s_prefix_is_smaller", ":v < s", {":v": S("hell")}, None, True),
    ("b_lt", "b < :v", {":v": B(b"\x01\x03")}, None, True),
    ("b_unsigned", "bhi > :v", {":v": B(b"\x7f")}, None, True),
    ("b_eq", "b = :v", {":v": B(b"\x01\x02\x03")}, None, True),
    # --- other types: equality only ---
    ("bool_eq", "t = :v", {":v": {"BOOL": True}}, None, True),
    ("bool_eq_false", "t = :v", {":v": {"BOOL": False}}, None, False),
    ("bool_ne", "t <> f", None, None, True),
    ("null_eq", "nul = :v", {":v": {"NULL": True}}, None, True),
    ("ss_eq_any_order", "ss = :v", {":v": {"SS": ["c", "a", "b"]}}, None, True),
    ("ss_eq_subset_false", "ss = :v", {":v": {"SS": ["a", "b"]}}, None, False),
    ("ns_eq_normalized", "ns = :v", {":v": {"NS": ["3", "2.0", "1"]}}, None, True),
    ("bs_eq", "bs = :v", {":v": {"BS": [b"\x02", b"\x01"]}}, None, True),
    ("list_elem_eq_list", "l[2] = :v", {":v": {"L": [S("deep")]}}, None, True),
    ("map_elem_eq_map", "m.b[1] = :v", {":v": {"M": {"c": N(5)}}}, None, True),
    ("empty_string_eq", "empty_s = :v", {":v": S("")}, None, True),
    # --- different types: = false, <> true, ordering false ---
    ("n_eq_string", "n = :v", {":v": S("10")}, None, False),
    ("n_ne_string", "n <> :v", {":v": S("10")}, None, True),
    ("n_lt_string", "n < :v", {":v": S("z")}, None, False),
    ("n_ge_string", "n >= :v", {":v": S("1")}, None, False),
    ("s_gt_number", "s > :v", {":v": N(1)}, None, False),
    ("s_eq_binary", "s = :v", {":v": B(b"hello")}, None, False),
    ("list_attr_lt_number", "l < :v", {":v": N(1)}, None, False),
    ("bool_eq_number", "t = :v", {":v": N(1)}, None, False),
    # --- missing attributes ---
    ("missing_eq", "nope = :v", {":v": N(1)}, None, False),
    ("missing_ne", "nope <> :v", {":v": N(1)}, None, True),
    ("missing_lt", "nope < :v", {":v": N(1)}, None, False),
    ("missing_ge", "nope >= :v", {":v": N(1)}, None, False),
    ("value_gt_missing", ":v > nope", {":v": N(1)}, None, False),
    ("two_missing_eq", "nope = nada", None, None, False),
    ("two_missing_ne", "nope <> nada", None, None, True),
    ("two_missing_le", "nope <= nada", None, None, False),
    ("missing_nested", "m.zz = :v", {":v": N(1)}, None, False),
    ("missing_index", "l[9] = :v", {":v": N(1)}, None, False),
    ("index_into_non_list", "s[0] = :v", {":v": S("h")}, None, False),
    ("member_of_non_map", "s.x = :v", {":v": S("h")}, None, False),
    # --- BETWEEN (inclusive) ---
    ("between_inside", "n BETWEEN :lo AND :hi", {":lo": N(9), ":hi": N(11)}, None, True),
    ("between_bounds_equal", "n BETWEEN :lo AND :hi", {":lo": N(10), ":hi": N(10)}, None, True),
    ("between_at_low", "n BETWEEN :lo AND :hi", {":lo": N(10), ":hi": N(20)}, None, True),
    ("between_at_high", "n BETWEEN :lo AND :hi", {":lo": N(1), ":hi": N(10)}, None, True),
    ("between_below", "n BETWEEN :lo AND :hi", {":lo": N(11), ":hi": N(20)}, None, False),
    ("between_strings", "s between :lo and :hi", {":lo": S("a"), ":hi": S("z")}, None, True),
    ("between_binary", "b BETWEEN :lo AND :hi", {":lo": B(b"\x01"), ":hi": B(b"\x02")}, None,
     True),
    ("between_other_type", "s BETWEEN :lo AND :hi", {":lo": N(1), ":hi": N(2)}, None, False),
    ("between_missing", "nope BETWEEN :lo AND :hi", {":lo": N(1), ":hi": N(2)}, None, False),
    ("between_paths", "n BETWEEN n2 AND :hi", {":hi": N(10)}, None, True),
    ("between_item_bounds_reversed", "n BETWEEN :lo AND n2", {":lo": N(11)}, None, False),
    ("between_then_and", "n BETWEEN :lo AND :hi AND s = s2", {":lo": N(1), ":hi": N(20)}, None,
     True),
    # --- IN ---
    ("in_second", "n IN (:a, :b)", {":a": N(1), ":b": N(10)}, None, True),
    ("in_none", "n IN (:a, :b)", {":a": N(1), ":b": N(2)}, None, False),
    ("in_mixed_types", "n IN (:a, :b)", {":a": S("10"), ":b": N("1e1")}, None, True),
    ("in_single", "s IN (:a)", {":a": S("hello")}, None, True),
    ("in_set_value", "ss IN (:a)", {":a": {"SS": ["b", "c", "a"]}}, None, True),
    ("in_paths", "n IN (n2, m.num)", None, None, False),
    ("in_missing", "nope IN (:a)", {":a": N(1)}, None, False),
    ("in_lowercase", "s in (:a, :b)", {":a": S("x"), ":b": S("hello")}, None, True),
    # --- AND / OR / NOT: NOT binds tighter than AND, AND tighter than OR ---
    ("and_true", "n = :ten AND s = s2", {":ten": N(10)}, None, True),
    ("and_false", "n = :ten AND s <> s2", {":ten": N(10)}, None, False),
    ("or_true", "n = :one OR s = s2", {":one": N(1)}, None, True),
    ("or_false", "n = :one OR s <> s2", {":one": N(1)}, None, False),
    ("not_true", "NOT n = :one", {":one": N(1)}, None, True),
    ("not_false", "NOT n = :ten", {":ten": N(10)}, None, False),
    ("not_not", "NOT NOT n = :ten", {":ten": N(10)}, None, True),
    ("keywords_case_insensitive", "n = :ten aNd nOt n = :one oR n = :one",
     {":ten": N(10), ":one": N(1)}, None, True),
    # T OR (F AND F) = T; left-to-right would give (T OR F) AND F = F
    ("and_before_or", "n = :ten OR n = :one AND n = :one", {":ten": N(10), ":one": N(1)}, None,
     True),
    # (F AND F) OR T = T either way; F AND (F OR T) would be F
    ("and_before_or_2", "n = :one AND n = :one OR n = :ten", {":ten": N(10), ":one": N(1)}, None,
     True),
    # (NOT F) AND F = F; NOT (F AND F) would be T
    ("not_before_and", "NOT n = :one AND n = :one", {":one": N(1)}, None, False),
    # (NOT T) OR T = T; NOT (T OR T) would be F
    ("not_before_or", "NOT n = :ten OR n = :ten", {":ten": N(10)}, None, True),
    ("parens_change_or", "(n = :ten OR n = :one) AND n = :one", {":ten": N(10), ":one": N(1)},
     None, False),
    ("parens_change_and", "n = :one AND (n = :one OR n = :ten)", {":ten": N(10), ":one": N(1)},
     None, False),
    ("parens_true", "n = :ten AND (n = :one OR n = :ten)", {":ten": N(10), ":one": N(1)}, None,
     True),
    ("not_parens", "NOT (n = :one OR n = :ten)", {":ten": N(10), ":one": N(1)}, None, False),
    ("nested_parens", "(n = :one OR (s = s2 AND (t = :t OR n2 = :one)))",
     {":one": N(1), ":t": {"BOOL": True}}, None, True),
    ("single_parens_ok", "(n = :ten)", {":ten": N(10)}, None, True),
    # --- attribute_exists / attribute_not_exists ---
    ("exists_top", "attribute_exists(s)", None, None, True),
    ("exists_key", "attribute_exists(pk)", None, None, True),
    ("exists_missing", "attribute_exists(nope)", None, None, False),
    ("not_exists_missing", "attribute_not_exists(nope)", None, None, True),
    ("not_exists_present", "attribute_not_exists(s)", None, None, False),
    ("exists_null_attribute", "attribute_exists(nul)", None, None, True),
    ("exists_empty_string", "attribute_exists(empty_s)", None, None, True),
    ("exists_map_member", "attribute_exists(m.a)", None, None, True),
    ("exists_map_member_missing", "attribute_exists(m.zz)", None, None, False),
    ("exists_list_element", "attribute_exists(l[4])", None, None, True),
    ("exists_list_element_missing", "attribute_exists(l[5])", None, None, False),
    ("exists_deep", "attribute_exists(m.b[1].c)", None, None, True),
    ("not_exists_deep", "attribute_not_exists(m.b[1].zz)", None, None, True),
    ("exists_with_spaces", "attribute_exists ( s )", None, None, True),
    # --- attribute_type: all ten type names ---
    *[("type_%s" % t, "attribute_type(%s, :t)" % attr, {":t": S(t)}, None, True)
      for attr, t in [("s", "S"), ("ss", "SS"), ("n", "N"), ("ns", "NS"), ("b", "B"),
                      ("bs", "BS"), ("t", "BOOL"), ("nul", "NULL"), ("l", "L"), ("m", "M")]],
    *[("type_not_%s" % t, "attribute_type(%s, :t)" % attr, {":t": S(t)}, None, False)
      for attr, t in [("s", "SS"), ("ss", "S"), ("n", "NS"), ("ns", "N"), ("b", "BS"),
                      ("bs", "B"), ("t", "NULL"), ("nul", "BOOL"), ("l", "M"), ("m", "L")]],
    ("type_missing", "attribute_type(nope, :t)", {":t": S("S")}, None, False),
    ("type_nested", "attribute_type(m.b[1].c, :t)", {":t": S("N")}, None, True),
    # --- begins_with ---
    ("begins_with", "begins_with(s, :p)", {":p": S("hel")}, None, True),
    ("begins_with_whole", "begins_with(s, :p)", {":p": S("hello")}, None, True),
    ("begins_with_false", "begins_with(s, :p)", {":p": S("help")}, None, False),
    ("begins_with_longer", "begins_with(s, :p)", {":p": S("hello!")}, None, False),
    ("begins_with_case", "begins_with(s, :p)", {":p": S("Hel")}, None, False),
    ("begins_with_binary", "begins_with(b, :p)", {":p": B(b"\x01\x02")}, None, True),
    ("begins_with_binary_false", "begins_with(b, :p)", {":p": B(b"\x02")}, None, False),
    ("begins_with_on_number", "begins_with(n, :p)", {":p": S("1")}, None, False),
    ("begins_with_missing", "begins_with(nope, :p)", {":p": S("a")}, None, False),
    ("begins_with_nested", "begins_with(m.a, :p)", {":p": S("x")}, None, True),
    ("begins_with_string_vs_binary", "begins_with(s, :p)", {":p": B(b"he")}, None, False),
    # --- contains: substring, set membership, list element ---
    ("contains_substring", "contains(s, :v)", {":v": S("ell")}, None, True),
    ("contains_substring_false", "contains(s, :v)", {":v": S("xyz")}, None, False),
    ("contains_ss", "contains(ss, :v)", {":v": S("b")}, None, True),
    ("contains_ss_false", "contains(ss, :v)", {":v": S("z")}, None, False),
    ("contains_ss_number", "contains(ss, :v)", {":v": N(1)}, None, False),
    ("contains_ns", "contains(ns, :v)", {":v": N(2)}, None, True),
    ("contains_ns_false", "contains(ns, :v)", {":v": N(4)}, None, False),
    ("contains_bs", "contains(bs, :v)", {":v": B(b"\x02")}, None, True),
    ("contains_binary_substring", "contains(b, :v)", {":v": B(b"\x02\x03")}, None, True),
    ("contains_list_string", "contains(l, :v)", {":v": S("x")}, None, True),
    ("contains_list_number", "contains(l, :v)", {":v": N(1)}, None, True),
    ("contains_list_list", "contains(l, :v)", {":v": {"L": [S("deep")]}}, None, True),
    ("contains_list_map", "contains(l, :v)", {":v": {"M": {"c": S("in-list")}}}, None, True),
    ("contains_list_set", "contains(l, :v)", {":v": {"SS": ["q"]}}, None, True),
    ("contains_list_not_recursive", "contains(l, :v)", {":v": S("deep")}, None, False),
    ("contains_missing", "contains(nope, :v)", {":v": S("a")}, None, False),
    ("contains_number_attr", "contains(n, :v)", {":v": N(1)}, None, False),
    ("contains_path_operand", "contains(s, m.a)", None, None, False),
    ("contains_path_operand_true", "contains(l, m.a)", None, None, True),
    # --- size in comparisons ---
    ("size_string", "size(s) = :v", {":v": N(5)}, None, True),
    ("size_empty_string", "size(empty_s) = :v", {":v": N(0)}, None, True),
    ("size_binary", "size(b) = :v", {":v": N(3)}, None, True),
    ("size_ss", "size(ss) = :v", {":v": N(3)}, None, True),
    ("size_ns", "size(ns) = :v", {":v": N(3)}, None, True),
    ("size_bs", "size(bs) = :v", {":v": N(2)}, None, True),
    ("size_list", "size(l) = :v", {":v": N(5)}, None, True),
    ("size_empty_list", "size(empty_l) = :v", {":v": N(0)}, None, True),
    ("size_map", "size(m) = :v", {":v": N(4)}, None, True),
    ("size_empty_map", "size(empty_m) = :v", {":v": N(0)}, None, True),
    ("size_nested_list", "size(m.b) = :v", {":v": N(2)}, None, True),
    ("size_list_element", "size(l[2]) = :v", {":v": N(1)}, None, True),
    ("size_ne", "size(s) <> :v", {":v": N(4)}, None, True),
    ("size_lt", "size(s) < :v", {":v": N(6)}, None, True),
    ("size_le", "size(s) <= :v", {":v": N(5)}, None, True),
    ("size_gt", "size(s) > :v", {":v": N(5)}, None, False),
    ("size_ge", "size(s) >= :v", {":v": N(5)}, None, True),
    ("size_vs_size", "size(s) > size(ss)", None, None, True),
    ("size_vs_path", "size(ss) < n", None, None, True),
    ("size_between", "size(s) BETWEEN :lo AND :hi", {":lo": N(1), ":hi": N(10)}, None, True),
    ("size_in", "size(s) IN (:a, :b)", {":a": N(4), ":b": N(5)}, None, True),
    ("size_vs_string", "size(s) = :v", {":v": S("5")}, None, False),
    ("size_of_number", "size(n) = :v", {":v": N(2)}, None, False),
    ("size_of_bool", "size(t) = :v", {":v": N(1)}, None, False),
    ("size_of_null", "size(nul) = :v", {":v": N(1)}, None, False),
    ("size_of_missing", "size(nope) >= :v", {":v": N(0)}, None, False),
    # --- nested paths, #names (reserved words, dots) ---
    ("nested_deep", "m.b[1].c = :v", {":v": N(5)}, None, True),
    ("nested_names", "#m.#b[1].#c = :v", {":v": N(5)}, {"#m": "m", "#b": "b", "#c": "c"}, True),
    ("list_then_map", "l[3].c = :v", {":v": S("in-list")}, None, True),
    ("index_past_end", "m.b[5].c = :v", {":v": N(5)}, None, False),
    ("reserved_word_via_name", "#st = :v", {":v": S("active")}, {"#st": "status"}, True),
    ("name_with_dot_via_name", "#d = :v", {":v": S("dotted")}, {"#d": "a.b"}, True),
    ("dot_is_a_path", "a.b = :v", {":v": S("dotted")}, None, False),
    ("one_name_twice", "#x = :v OR #x = :w", {":v": N(1), ":w": N(10)}, {"#x": "n"}, True),
    ("one_value_twice", "n = :v OR n2 = :v", {":v": N(9)}, None, True),
    ("names_in_functions", "attribute_exists(#s) AND begins_with(#s, :p)", {":p": S("he")},
     {"#s": "s"}, True),
    ("whitespace", "  n\t=\n:v  ", {":v": N(10)}, None, True),
]


@pytest.mark.parametrize("condition, values, names, expected",
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_condition_truth_table(ddb, item_table, condition, values, names, expected):
    assert condition_holds(ddb, item_table, condition, values, names) is expected
    got = ddb.get_item(TableName=item_table, Key={"pk": ITEM["pk"]}, ConsistentRead=True)
    assert norm(got["Item"]) == norm(ITEM)


# ---------------------------------------------------------------------------------------------
# Each operation honours the condition; a failed condition writes nothing
# ---------------------------------------------------------------------------------------------

def expect_ccf(call):
    with pytest.raises(ClientError) as excinfo:
        call()
    assert_client_error(excinfo, CCF, CCF_MESSAGE)


def get(ddb, table, pk):
    return ddb.get_item(TableName=table, Key={"pk": S(pk)}, ConsistentRead=True).get("Item")


@pytest.mark.parametrize("op", ["put_item", "update_item", "delete_item"])
def test_each_operation_honours_condition(ddb, table, op):
    pk = unique_name("op")
    seed = {"pk": S(pk), "v": N(1), "keep": S("k")}
    ddb.put_item(TableName=table, Item=seed)
    params = {"TableName": table}
    if op == "put_item":
        params["Item"] = {"pk": S(pk), "v": N(2)}
    else:
        params["Key"] = {"pk": S(pk)}
    if op == "update_item":
        params["UpdateExpression"] = "SET v = :new"
    fail = dict(params, ConditionExpression="v = :old",
                ExpressionAttributeValues={":old": N(2)})
    ok = dict(params, ConditionExpression="v = :old",
              ExpressionAttributeValues={":old": N(1)})
    if op == "update_item":
        fail["ExpressionAttributeValues"][":new"] = N(2)
        ok["ExpressionAttributeValues"][":new"] = N(2)
    expect_ccf(lambda: getattr(ddb, op)(**fail))
    assert get(ddb, table, pk) == seed
    assert getattr(ddb, op)(**ok).keys() == {"ResponseMetadata"}
    after = get(ddb, table, pk)
    if op == "put_item":
        assert after == {"pk": S(pk), "v": N(2)}
    elif op == "update_item":
        assert after == {"pk": S(pk), "v": N(2), "keep": S("k")}
    else:
        assert after is None


def test_condition_sees_value_before_update(ddb, table):
    pk = unique_name("old")
    ddb.put_item(TableName=table, Item={"pk": S(pk), "v": N(1)})
    got = ddb.update_item(TableName=table, Key={"pk": S(pk)}, UpdateExpression="SET v = v + :one",
                          ConditionExpression="v = :one", ExpressionAttributeValues={":one": N(1)},
                          ReturnValues="ALL_NEW")
    assert got["Attributes"] == {"pk": S(pk), "v": N(2)}
    expect_ccf(lambda: ddb.update_item(
        TableName=table, Key={"pk": S(pk)}, UpdateExpression="SET v = v + :one",
        ConditionExpression="v = :one", ExpressionAttributeValues={":one": N(1)},
        ReturnValues="ALL_NEW"))
    assert get(ddb, table, pk) == {"pk": S(pk), "v": N(2)}


def test_conditions_on_an_absent_item(ddb, table):
    pk = unique_name("absent")
    key = {"pk": S(pk)}
    # failing conditions on an absent item create nothing
    expect_ccf(lambda: ddb.update_item(TableName=table, Key=key, UpdateExpression="SET a = :v",
                                       ConditionExpression="attribute_exists(pk)",
                                       ExpressionAttributeValues={":v": N(1)}))
    expect_ccf(lambda: ddb.update_item(TableName=table, Key=key, UpdateExpression="SET a = :v",
                                       ConditionExpression="a = :v",
                                       ExpressionAttributeValues={":v": N(1)}))
    expect_ccf(lambda: ddb.delete_item(TableName=table, Key=key,
                                       ConditionExpression="attribute_exists(pk)"))
    expect_ccf(lambda: ddb.put_item(TableName=table, Item=dict(key, a=N(1)),
                                    ConditionExpression="size(pk) > :z",
                                    ExpressionAttributeValues={":z": N(0)}))
    assert get(ddb, table, pk) is None
    # conditions that hold on an absent item
    ddb.delete_item(TableName=table, Key=key, ConditionExpression="attribute_not_exists(pk)")
    ddb.update_item(TableName=table, Key=key, ConditionExpression="pk <> :p",
                    ExpressionAttributeValues={":p": S(pk)})
    assert get(ddb, table, pk) == key
    # now the item exists: the same condition fails
    expect_ccf(lambda: ddb.update_item(TableName=table, Key=key, ConditionExpression="pk <> :p",
                                       ExpressionAttributeValues={":p": S(pk)}))
    pk2 = unique_name("absent")
    ddb.put_item(TableName=table, Item={"pk": S(pk2), "a": N(1)},
                 ConditionExpression="attribute_not_exists(pk) AND NOT a = :v",
                 ExpressionAttributeValues={":v": N(1)})
    expect_ccf(lambda: ddb.put_item(TableName=table, Item={"pk": S(pk2), "a": N(2)},
                                    ConditionExpression="attribute_not_exists(pk)"))
    assert get(ddb, table, pk2) == {"pk": S(pk2), "a": N(1)}


def test_in_accepts_100_operands(ddb, item_table):
    values = {":v%d" % i: N(i + 100) for i in range(100)}
    cond = "n IN (%s)" % ", ".join(values)
    assert condition_holds(ddb, item_table, cond, values) is False
    values[":v99"] = N(10)
    assert condition_holds(ddb, item_table, cond, values) is True


def test_in_refuses_101_operands(ddb, item_table):
    values = {":v%d" % i: N(i) for i in range(101)}
    with pytest.raises(ClientError) as excinfo:
        condition_holds(ddb, item_table, "n IN (%s)" % ", ".join(values), values)
    assert_client_error(excinfo, "ValidationException",
                        enveloped("put_item", "Invalid ConditionExpression: The IN operator is provided with too "
                                  "many operands; number of operands: 101"))


# ---------------------------------------------------------------------------------------------
# The ConditionalCheckFailedException on the wire, and ReturnValuesOnConditionCheckFailure
# (boto3 1.26 does not know that parameter, so these go over raw HTTP)
# ---------------------------------------------------------------------------------------------

CCF_TYPE = "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"


def b64(data):
    return base64.b64encode(data).decode()


OLD_ITEM_JSON = {"v": {"N": "1"}, "b": {"B": b64(b"\x00\xff")}, "ss": {"SS": ["x", "y"]},
                 "m": {"M": {"l": {"L": [{"NULL": True}, {"BOOL": False}]}}}}


def seed_raw(endpoint, table):
    pk = unique_name("rv")
    item = dict(OLD_ITEM_JSON, pk={"S": pk})
    r = raw_request(endpoint, "PutItem", {"TableName": table, "Item": item})
    assert r.status == 200, r.body
    return pk, item


def failing_request(op, table, pk, extra):
    body = {"TableName": table, "ConditionExpression": "v = :two",
            "ExpressionAttributeValues": {":two": {"N": "2"}}}
    if op == "PutItem":
        body["Item"] = {"pk": {"S": pk}, "v": {"N": "3"}}
    else:
        body["Key"] = {"pk": {"S": pk}}
    if op == "UpdateItem":
        body["UpdateExpression"] = "SET v = :three"
        body["ExpressionAttributeValues"][":three"] = {"N": "3"}
    body.update(extra)
    return body


def sorted_sets(item):
    return norm(item)


@pytest.mark.parametrize("op", ["PutItem", "UpdateItem", "DeleteItem"])
def test_ccf_on_the_wire_without_item(endpoint, table, op):
    pk, item = seed_raw(endpoint, table)
    for extra in ({}, {"ReturnValuesOnConditionCheckFailure": "NONE"}):
        r = raw_request(endpoint, op, failing_request(op, table, pk, extra))
        assert r.status == 400
        assert r.headers["content-type"] == "application/x-amz-json-1.0"
        assert r.json() == {"__type": CCF_TYPE, "message": CCF_MESSAGE}


# ---------------------------------------------------------------------------------------------
# boto3's resource API: boto3.dynamodb.conditions builds the expressions (#n0, :v0, ...)
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def resource_table(endpoint, table):
    resource = boto3.resource("dynamodb", endpoint_url=endpoint, region_name=REGION,
                              aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                              config=Config(retries={"total_max_attempts": 1},
                                            connect_timeout=5, read_timeout=30))
    return resource.Table(table)


RESOURCE_ITEM = {"pk": "resource", "n": Decimal(10), "s": "hello", "tags": {"a", "b"},
                 "m": {"x": {"y": Decimal(3)}}, "l": ["p", Decimal(2)], "t": True, "nul": None}

RESOURCE_CASES = [
    ("eq", Attr("n").eq(10), True),
    ("ne", Attr("n").ne(10), False),
    ("lt", Attr("n").lt(11), True),
    ("lte", Attr("n").lte(9), False),
    ("gt", Attr("n").gt(9), True),
    ("gte", Attr("n").gte(10), True),
    ("between", Attr("n").between(1, 10), True),
    ("between_false", Attr("n").between(11, 20), False),
    ("is_in", Attr("s").is_in(["x", "hello"]), True),
    ("begins_with", Attr("s").begins_with("he"), True),
    ("contains_string", Attr("s").contains("ll"), True),
    ("contains_set", Attr("tags").contains("b"), True),
    ("contains_list", Attr("l").contains(2), True),
    ("exists", Attr("nul").exists(), True),
    ("not_exists", Attr("nope").not_exists(), True),
    ("attribute_type", Attr("tags").attribute_type("SS"), True),
    ("attribute_type_false", Attr("tags").attribute_type("NS"), False),
    ("size", Attr("tags").size().eq(2), True),
    ("nested_path", Attr("m.x.y").eq(3), True),
    ("list_index", Attr("l[0]").eq("p"), True),
    ("and", Attr("n").eq(10) & Attr("s").eq("hello"), True),
    ("or", Attr("n").eq(1) | Attr("s").eq("hello"), True),
    ("not", ~Attr("n").eq(10), False),
    ("precedence", Attr("n").eq(10) | Attr("n").eq(1) & Attr("n").eq(1), True),
    ("grouping", (Attr("n").eq(10) | Attr("n").eq(1)) & Attr("n").eq(1), False),
    ("reserved_word_names", Attr("status").not_exists() & Attr("size").not_exists(), True),
]


@pytest.mark.parametrize("condition, expected", [c[1:] for c in RESOURCE_CASES],
                         ids=[c[0] for c in RESOURCE_CASES])
def test_resource_api_conditions(resource_table, condition, expected):
    resource_table.put_item(Item=RESOURCE_ITEM)
    try:
        resource_table.put_item(Item=RESOURCE_ITEM, ConditionExpression=condition)
        passed = True
    except ClientError as e:
        assert e.response["Error"]["Code"] == CCF, e.response
        passed = False
    assert passed is expected


def test_resource_api_conditional_update_and_delete(resource_table):
    resource_table.put_item(Item={"pk": "res2", "version": 1, "state": "new"})
    got = resource_table.update_item(
        Key={"pk": "res2"}, UpdateExpression="SET version = version + :one, #s = :s",
        ConditionExpression=Attr("version").eq(1) & Attr("state").is_in(["new", "old"]),
        ExpressionAttributeNames={"#s": "state"},
        ExpressionAttributeValues={":one": 1, ":s": "done"}, ReturnValues="ALL_NEW")
    assert got["Attributes"] == {"pk": "res2", "version": 2, "state": "done"}
    with pytest.raises(ClientError) as excinfo:
        resource_table.delete_item(Key={"pk": "res2"}, ConditionExpression=Attr("version").eq(1))
    assert_client_error(excinfo, CCF, CCF_MESSAGE)
    resource_table.delete_item(Key={"pk": "res2"}, ConditionExpression=Attr("version").eq(2))
    assert "Item" not in resource_table.get_item(Key={"pk": "res2"}, ConsistentRead=True)


# ---------------------------------------------------------------------------------------------
# ReturnValuesOnConditionCheckFailure (last in the file, so that a server failure here does not
# hide the results above)
# ---------------------------------------------------------------------------------------------

def test_return_values_on_condition_check_failure_is_validated(endpoint, table):
    pk, _ = seed_raw(endpoint, table)
    r = raw_request(endpoint, "PutItem", failing_request(
        "PutItem", table, pk, {"ReturnValuesOnConditionCheckFailure": "ALL_NEW"}))
    assert r.status == 400
    assert r.json()["__type"] == "com.amazon.coral.validate#ValidationException"


def test_condition_passing_with_return_values_on_failure_is_a_normal_write(endpoint, table):
    pk, item = seed_raw(endpoint, table)
    r = raw_request(endpoint, "UpdateItem", {
        "TableName": table, "Key": {"pk": {"S": pk}}, "UpdateExpression": "SET v = :two",
        "ConditionExpression": "v = :one", "ReturnValues": "UPDATED_NEW",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        "ExpressionAttributeValues": {":one": {"N": "1"}, ":two": {"N": "2"}}})
    assert r.status == 200, r.body
    assert r.json() == {"Attributes": {"v": {"N": "2"}}}


@pytest.mark.parametrize("op", ["PutItem", "UpdateItem", "DeleteItem"])
def test_return_values_on_condition_check_failure_all_old(endpoint, table, op):
    pk, item = seed_raw(endpoint, table)
    r = raw_request(endpoint, op, failing_request(
        op, table, pk, {"ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                        "ReturnValues": "ALL_OLD"}))
    assert r.status == 400
    body = r.json()
    assert body["__type"] == CCF_TYPE
    assert body["message"] == CCF_MESSAGE
    assert sorted_sets(body["Item"]) == sorted_sets(item)
    assert set(body) == {"__type", "message", "Item"}
    # nothing was written
    got = raw_request(endpoint, "GetItem", {"TableName": table, "Key": {"pk": {"S": pk}},
                                            "ConsistentRead": True}).json()
    assert sorted_sets(got["Item"]) == sorted_sets(item)


@pytest.mark.parametrize("op", ["PutItem", "UpdateItem", "DeleteItem"])
def test_return_values_on_condition_check_failure_absent_item(endpoint, table, op):
    pk = unique_name("rv_absent")
    r = raw_request(endpoint, op, failing_request(
        op, table, pk, {"ReturnValuesOnConditionCheckFailure": "ALL_OLD"}))
    assert r.status == 400
    assert r.json() == {"__type": CCF_TYPE, "message": CCF_MESSAGE}
