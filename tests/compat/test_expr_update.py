"""UpdateItem with UpdateExpression: SET (+, -, if_not_exists, list_append, nested members, list
indexes), REMOVE (attributes, members, list elements), ADD (numbers, sets), DELETE (sets), the
item created when absent, ReturnValues, ReturnConsumedCapacity, key attributes, number overflow,
the 400 KB limit after the update, and the errors raised while applying an update.

Semantics follow DynamoDB's documentation ("Using update expressions") and behaviour recorded
against DynamoDB by dynalite (test/updateItem.js) and Scylla's Alternator suite
(test_update_expression.py, test_returnvalues.py, test_number.py): the whole expression reads
the item as it was before the update; an index past the end of a list appends; REMOVE of list
elements uses the original indexes and closes the gaps; deleting every element of a set removes
the attribute; UPDATED_OLD / UPDATED_NEW return only what the expression touched, nested paths
inside their parents.
"""
import pytest
from botocore.exceptions import ClientError

from conftest import (L, M, MAX_ITEM_SIZE, N, S, assert_client_error, expect_error, item_size, norm, padded_item,
                      unique_name)
from helpers import get_item

INVALID = "One or more parameter values were invalid: "
BAD_TYPE = "An operand in the update expression has an incorrect data type"
NO_ATTR = "The provided expression refers to an attribute that does not exist in the item"
BAD_PATH = "The document path provided in the update expression is invalid for update"
OVERFLOW = "Number overflow. Attempting to store a number with magnitude larger than supported range"
TOO_BIG = "Item size to update has exceeded the maximum allowed size"
CCF = "ConditionalCheckFailedException"


def _create(ddb, name, schema):
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": t} for a, t, _ in schema],
        KeySchema=[{"AttributeName": a, "KeyType": k} for a, _, k in schema])


@pytest.fixture(scope="module")
def table(ddb):
    name = unique_name("upd")
    _create(ddb, name, [("pk", "S", "HASH")])
    yield name
    try:
        ddb.delete_table(TableName=name)
    except Exception:
        pass


@pytest.fixture(scope="module")
def range_table(ddb):
    name = unique_name("updr")
    _create(ddb, name, [("pk", "S", "HASH"), ("sk", "N", "RANGE")])
    yield name
    try:
        ddb.delete_table(TableName=name)
    except Exception:
        pass


def SS(*v):
    return {"SS": list(v)}


def NS(*v):
    return {"NS": [str(x) for x in v]}


def BS(*v):
    return {"BS": list(v)}


def update(ddb, table, key, expr=None, values=None, names=None, **extra):
    params = {"TableName": table, "Key": key}
    if expr is not None:
        params["UpdateExpression"] = expr
    if values:
        params["ExpressionAttributeValues"] = values
    if names:
        params["ExpressionAttributeNames"] = names
    params.update(extra)
    return ddb.update_item(**params)


def seeded(ddb, table, attrs):
    """A fresh key; the item is put with `attrs` unless attrs is None (absent item)."""
    key = {"pk": S(unique_name("u"))}
    if attrs is not None:
        ddb.put_item(TableName=table, Item=dict(key, **attrs))
    return key


# (id, seed attributes or None for an absent item, UpdateExpression, values, names,
#  attributes of the item afterwards, without the key)
APPLY = [
    # --- SET ---
    ("set_creates_item", None, "SET a = :v", {":v": S("x")}, None, {"a": S("x")}),
    ("set_new_attribute", {"b": N(1)}, "SET a = :v", {":v": S("x")}, None,
     {"a": S("x"), "b": N(1)}),
    ("set_replaces_and_changes_type", {"a": N(1)}, "SET a = :v", {":v": SS("x")}, None,
     {"a": SS("x")}),
    ("set_lowercase_no_spaces", {"a": N(1)}, "set a=:v", {":v": N(2)}, None, {"a": N(2)}),
    ("set_several", None, "SET a = :v, b = :w, c = :v", {":v": N(1), ":w": L(S("w"))}, None,
     {"a": N(1), "b": L(S("w")), "c": N(1)}),
    ("set_whole_map", None, "SET m = :v", {":v": M(x=M(y=N(1)))}, None, {"m": M(x=M(y=N(1)))}),
    ("set_reserved_word_via_name", None, "SET #st = :v", {":v": S("on")}, {"#st": "status"},
     {"status": S("on")}),
    ("set_name_with_dot_via_name", None, "SET #d = :v", {":v": S("dot")}, {"#d": "a.b"},
     {"a.b": S("dot")}),
    ("set_copy_attribute", {"a": L(N(1))}, "SET b = a", None, None, {"a": L(N(1)), "b": L(N(1))}),
    ("set_copy_key_attribute", None, "SET b = pk", None, None, "COPY_PK"),
    ("set_reads_old_values", {"a": S("OLD")}, "SET a = :v, b = a", {":v": S("NEW")}, None,
     {"a": S("NEW"), "b": S("OLD")}),
    ("set_swap", {"a": N(1), "b": N(2)}, "SET a = b, b = a", None, None, {"a": N(2), "b": N(1)}),
    # arithmetic
    ("plus", {"n": N(10)}, "SET n = n + :v", {":v": N(5)}, None, {"n": N(15)}),
    ("minus", {"n": N(10)}, "SET n = n - :v", {":v": N(15)}, None, {"n": N(-5)}),
    ("value_minus_path", {"n": N(10)}, "SET n = :v - n", {":v": N(3)}, None, {"n": N(-7)}),
    ("two_values", None, "SET n = :a + :b", {":a": N("0.1"), ":b": N("0.2")}, None,
     {"n": N("0.3")}),
    ("decimals", {"n": N("1.5")}, "SET n = n + :v", {":v": N("2.25")}, None, {"n": N("3.75")}),
    ("to_zero", {"n": N(5)}, "SET n = n - :v", {":v": N(5)}, None, {"n": N(0)}),
    ("exponent_input", {"n": N(1)}, "SET n = n + :v", {":v": N("1E3")}, None, {"n": N(1001)}),
    ("38_digits_exact", {"n": N("12345678901234567890123456789012345678")}, "SET n = n - :v",
     {":v": N(1)}, None, {"n": N("12345678901234567890123456789012345677")}),
    ("no_double_rounding", None, "SET n = :a + :b",
     {":a": N(1), ":b": N("10000000000000000000000")}, None,
     {"n": N("10000000000000000000001")}),
    ("tiny_values", None, "SET n = :a + :b", {":a": N("1e-130"), ":b": N("1e-130")}, None,
     {"n": N("0." + "0" * 129 + "2")}),
    ("huge_but_in_range", None, "SET n = :a + :b", {":a": N("9e125"), ":b": N("9e124")}, None,
     {"n": N("99" + "0" * 124)}),
    ("parenthesised", {"n": N(10)}, "SET n = (n - :v)", {":v": N(3)}, None, {"n": N(7)}),
    ("paths_on_both_sides", {"a": N(2), "b": N(3)}, "SET c = a + b", None, None,
     {"a": N(2), "b": N(3), "c": N(5)}),
    ("nested_arithmetic", {"m": M(num=N(10))}, "SET m.num = m.num + :v", {":v": N(5)}, None,
     {"m": M(num=N(15))}),
    ("list_element_arithmetic", {"l": L(N(1), N(2))}, "SET l[1] = l[1] + :v", {":v": N(10)},
     None, {"l": L(N(1), N(12))}),
    # if_not_exists
    ("if_not_exists_missing", {"b": N(1)}, "SET a = if_not_exists(a, :d)", {":d": S("dflt")}, None,
     {"a": S("dflt"), "b": N(1)}),
    ("if_not_exists_present", {"a": N(5)}, "SET a = if_not_exists(a, :d)", {":d": N(0)}, None,
     {"a": N(5)}),
    ("counter_idiom_new", None, "SET c = if_not_exists(c, :zero) + :one",
     {":zero": N(0), ":one": N(1)}, None, {"c": N(1)}),
    ("counter_idiom_existing", {"c": N(5)}, "SET c = if_not_exists(c, :zero) + :one",
     {":zero": N(0), ":one": N(1)}, None, {"c": N(6)}),
    ("counter_idiom_reversed", {"c": N(5)}, "SET c = :one + if_not_exists(c, :zero)",
     {":zero": N(0), ":one": N(1)}, None, {"c": N(6)}),
    ("if_not_exists_other_path", {"x": S("src")}, "SET b = if_not_exists(b, x)", None, None,
     {"x": S("src"), "b": S("src")}),
    ("if_not_exists_nested", {"m": M()}, "SET m.x = if_not_exists(m.x, :d)", {":d": N(1)}, None,
     {"m": M(x=N(1))}),
    ("if_not_exists_different_path", {"a": N(1)}, "SET b = if_not_exists(a, :d)", {":d": N(0)},
     None, {"a": N(1), "b": N(1)}),
    # list_append
    ("list_append_end", {"l": L(S("a"), S("b"))}, "SET l = list_append(l, :v)",
     {":v": L(S("c"), S("d"))}, None, {"l": L(S("a"), S("b"), S("c"), S("d"))}),
    ("list_append_front", {"l": L(S("a"), S("b"))}, "SET l = list_append(:v, l)",
     {":v": L(S("z"))}, None, {"l": L(S("z"), S("a"), S("b"))}),
    ("list_append_empty", {"l": L(S("a"))}, "SET l = list_append(l, :v)", {":v": L()}, None,
     {"l": L(S("a"))}),
    ("list_append_if_not_exists", None, "SET l = list_append(if_not_exists(l, :e), :v)",
     {":e": L(), ":v": L(S("x"))}, None, {"l": L(S("x"))}),
    ("list_append_two_values", None, "SET l = list_append(:a, :b)",
     {":a": L(N(1)), ":b": L(L(N(2)), M(x=N(3)))}, None, {"l": L(N(1), L(N(2)), M(x=N(3)))}),
    ("list_append_nested", {"m": M(l=L(N(1)))}, "SET m.l = list_append(m.l, :v)",
     {":v": L(N(2))}, None, {"m": M(l=L(N(1), N(2)))}),
    ("list_append_into_new_attribute", {"l": L(N(1))}, "SET k = list_append(l, l)", None, None,
     {"l": L(N(1)), "k": L(N(1), N(1))}),
    # nested members and list indexes
    ("map_member_new", {"m": M(a=N(1))}, "SET m.b = :v", {":v": S("x")}, None,
     {"m": M(a=N(1), b=S("x"))}),
    ("map_member_replace", {"m": M(a=N(1))}, "SET m.a = :v", {":v": S("x")}, None,
     {"m": M(a=S("x"))}),
    ("map_member_deep", {"m": M(x=M(y=M()))}, "SET m.x.y.z = :v", {":v": N(1)}, None,
     {"m": M(x=M(y=M(z=N(1))))}),
    ("map_member_names", {"m": M()}, "SET #m.#k = :v", {":v": N(1)}, {"#m": "m", "#k": "status"},
     {"m": M(status=N(1))}),
    ("list_index_replace", {"l": L(S("a"), S("b"), S("c"))}, "SET l[1] = :v", {":v": S("x")},
     None, {"l": L(S("a"), S("x"), S("c"))}),
    ("list_index_past_end_appends", {"l": L(S("a"), S("b"), S("c"))}, "SET l[10] = :v",
     {":v": S("x")}, None, {"l": L(S("a"), S("b"), S("c"), S("x"))}),
    ("list_index_zero_of_empty", {"l": L()}, "SET l[0] = :v", {":v": S("x")}, None,
     {"l": L(S("x"))}),
    ("list_in_map_index", {"m": M(l=L(N(1), N(2)))}, "SET m.l[0] = :v", {":v": N(9)}, None,
     {"m": M(l=L(N(9), N(2)))}),
    ("map_in_list_member", {"l": L(M(a=N(1)))}, "SET l[0].b = :v", {":v": N(2)}, None,
     {"l": L(M(a=N(1), b=N(2)))}),
    ("two_members_of_one_map", {"m": M(a=N(1))}, "SET m.a = :v, m.b = :v", {":v": N(2)}, None,
     {"m": M(a=N(2), b=N(2))}),
    # --- REMOVE ---
    ("remove", {"a": N(1), "b": N(2)}, "REMOVE a", None, None, {"b": N(2)}),
    ("remove_several", {"a": N(1), "b": N(2), "c": N(3)}, "REMOVE a, c", None, None, {"b": N(2)}),
    ("remove_missing_is_noop", {"a": N(1)}, "REMOVE zz", None, None, {"a": N(1)}),
    ("remove_last_attribute_keeps_key", {"a": N(1)}, "REMOVE a", None, None, {}),
    ("remove_member", {"m": M(a=N(1), b=N(2))}, "REMOVE m.a", None, None, {"m": M(b=N(2))}),
    ("remove_missing_member", {"m": M(a=N(1))}, "REMOVE m.zz", None, None, {"m": M(a=N(1))}),
    ("remove_list_element_shifts", {"l": L(S("a"), S("b"), S("c"), S("d"))}, "REMOVE l[1]",
     None, None, {"l": L(S("a"), S("c"), S("d"))}),
    ("remove_two_list_elements_original_indexes", {"l": L(S("a"), S("b"), S("c"), S("d"))},
     "REMOVE l[1], l[2]", None, None, {"l": L(S("a"), S("d"))}),
    ("remove_list_elements_any_order", {"l": L(S("a"), S("b"), S("c"), S("d"))},
     "REMOVE l[3], l[0]", None, None, {"l": L(S("b"), S("c"))}),
    ("remove_last_list_element", {"l": L(S("a"), S("b"))}, "REMOVE l[1]", None, None,
     {"l": L(S("a"))}),
    ("remove_only_element_leaves_empty_list", {"l": L(S("a"))}, "REMOVE l[0]", None, None,
     {"l": L()}),
    ("remove_index_past_end_is_noop", {"l": L(S("a"))}, "REMOVE l[5]", None, None,
     {"l": L(S("a"))}),
    ("remove_nested_list_element", {"m": M(l=L(N(1), N(2), N(3)))}, "REMOVE m.l[0]", None, None,
     {"m": M(l=L(N(2), N(3)))}),
    ("remove_member_of_list_element", {"l": L(M(a=N(1), b=N(2)))}, "REMOVE l[0].a", None, None,
     {"l": L(M(b=N(2)))}),
    ("remove_via_name", {"status": N(1), "a": N(1)}, "REMOVE #s", None, {"#s": "status"},
     {"a": N(1)}),
    # --- ADD ---
    ("add_number", {"n": N(10)}, "ADD n :v", {":v": N(3)}, None, {"n": N(13)}),
    ("add_creates_number", {"b": N(1)}, "ADD n :v", {":v": N(3)}, None, {"n": N(3), "b": N(1)}),
    ("add_creates_item", None, "ADD n :v", {":v": N(3)}, None, {"n": N(3)}),
    ("add_negative", {"n": N(10)}, "ADD n :v", {":v": N(-15)}, None, {"n": N(-5)}),
    ("add_decimal", {"n": N("0.1")}, "ADD n :v", {":v": N("0.2")}, None, {"n": N("0.3")}),
    ("add_string_set", {"ss": SS("a", "b")}, "ADD ss :v", {":v": SS("b", "c")}, None,
     {"ss": SS("a", "b", "c")}),
    ("add_number_set", {"ns": NS(1, 2)}, "ADD ns :v", {":v": NS(2, "3.5")}, None,
     {"ns": NS(1, 2, "3.5")}),
    ("add_number_set_same_value", {"ns": NS(1, 2)}, "ADD ns :v", {":v": NS("1.0", "2E0")}, None,
     {"ns": NS(1, 2)}),
    ("add_binary_set", {"bs": BS(b"\x01")}, "ADD bs :v", {":v": BS(b"\x01", b"\xff")}, None,
     {"bs": BS(b"\x01", b"\xff")}),
    ("add_creates_set", None, "ADD ss :v", {":v": SS("x")}, None, {"ss": SS("x")}),
    ("add_two", {"n": N(1)}, "ADD n :one, ss :v", {":one": N(1), ":v": SS("x")}, None,
     {"n": N(2), "ss": SS("x")}),
    ("add_nested_number", {"m": M(n=N(1))}, "ADD m.n :v", {":v": N(1)}, None, {"m": M(n=N(2))}),
    ("add_via_name", {"status": N(1)}, "ADD #s :v", {":v": N(1)}, {"#s": "status"},
     {"status": N(2)}),
    # --- DELETE ---
    ("delete_from_string_set", {"ss": SS("a", "b", "c")}, "DELETE ss :v", {":v": SS("b")}, None,
     {"ss": SS("a", "c")}),
    ("delete_from_number_set", {"ns": NS(1, 2, 3)}, "DELETE ns :v", {":v": NS("1.0", 4)}, None,
     {"ns": NS(2, 3)}),
    ("delete_from_binary_set", {"bs": BS(b"\x01", b"\x02")}, "DELETE bs :v", {":v": BS(b"\x02")},
     None, {"bs": BS(b"\x01")}),
    ("delete_every_element_removes_attribute", {"ss": SS("a", "b"), "x": N(1)}, "DELETE ss :v",
     {":v": SS("a", "b", "z")}, None, {"x": N(1)}),
    ("delete_non_members_is_noop", {"ss": SS("a")}, "DELETE ss :v", {":v": SS("z")}, None,
     {"ss": SS("a")}),
    ("delete_from_missing_attribute", {"x": N(1)}, "DELETE ss :v", {":v": SS("z")}, None,
     {"x": N(1)}),
    ("delete_nested_set", {"m": M(ss=SS("a", "b"))}, "DELETE m.ss :v", {":v": SS("a")}, None,
     {"m": M(ss=SS("b"))}),
    # --- clauses together, in any order ---
    ("all_clauses", {"a": N(1), "ss": SS("a", "b"), "n": N(1)},
     "SET b = :v REMOVE a ADD n :one DELETE ss :x",
     {":v": S("b"), ":one": N(1), ":x": SS("a")}, None, {"b": S("b"), "n": N(2), "ss": SS("b")}),
    ("all_clauses_other_order", None, "REMOVE b DELETE c :c ADD d :d, e :e SET f = :f",
     {":c": SS("a", "b"), ":d": N(5), ":e": SS("a", "b"), ":f": L(S("a"), N(1))}, None,
     {"d": N(5), "e": SS("a", "b"), "f": L(S("a"), N(1))}),
    ("clauses_lowercase", {"a": N(1)}, "remove a set b = :v", {":v": N(2)}, None, {"b": N(2)}),
]


@pytest.mark.parametrize("seed, expr, values, names, after", [c[1:] for c in APPLY],
                         ids=[c[0] for c in APPLY])
def test_update_applies(ddb, table, seed, expr, values, names, after):
    key = seeded(ddb, table, seed)
    resp = update(ddb, table, key, expr, values, names)
    assert resp.keys() == {"ResponseMetadata"}
    if after == "COPY_PK":
        after = {"b": key["pk"]}
    assert norm(get_item(ddb, table, key)) == norm(dict(key, **after))


def test_update_without_expression_creates_key_only_item(ddb, table):
    key = seeded(ddb, table, None)
    assert update(ddb, table, key).keys() == {"ResponseMetadata"}
    assert get_item(ddb, table, key) == key
    # and leaves an existing item alone
    ddb.put_item(TableName=table, Item=dict(key, a=N(1)))
    update(ddb, table, key)
    assert get_item(ddb, table, key) == dict(key, a=N(1))


def test_remove_only_update_does_not_create_item(ddb, table):
    key = seeded(ddb, table, None)
    resp = update(ddb, table, key, "REMOVE a, b", ReturnValues="ALL_NEW")
    assert "Attributes" not in resp
    assert get_item(ddb, table, key) is None


def test_update_creates_item_on_range_table(ddb, range_table):
    key = {"pk": S("h"), "sk": N("1.50")}
    resp = update(ddb, range_table, key, "SET a = :v", {":v": N(1)}, ReturnValues="ALL_NEW")
    assert resp["Attributes"] == {"pk": S("h"), "sk": N("1.5"), "a": N(1)}


# ---------------------------------------------------------------------------------------------
# ReturnValues
# ---------------------------------------------------------------------------------------------

def test_return_values_none(ddb, table):
    key = seeded(ddb, table, {"a": S("hi"), "b": S("dog")})
    assert "Attributes" not in update(ddb, table, key, "SET b = :v", {":v": S("cat")})
    assert "Attributes" not in update(ddb, table, key, "SET b = :v", {":v": S("cow")},
                                      ReturnValues="NONE")


def test_return_values_all_old(ddb, table):
    key = seeded(ddb, table, {"a": S("hi"), "b": S("dog")})
    resp = update(ddb, table, key, "SET b = :v", {":v": S("cat")}, ReturnValues="ALL_OLD")
    assert resp["Attributes"] == dict(key, a=S("hi"), b=S("dog"))
    absent = seeded(ddb, table, None)
    resp = update(ddb, table, absent, "SET b = :v", {":v": S("cat")}, ReturnValues="ALL_OLD")
    assert "Attributes" not in resp


def test_return_values_updated_old(ddb, table):
    key = seeded(ddb, table, {"a": S("hi"), "b": S("dog")})
    resp = update(ddb, table, key, "SET b = :v, c = :w", {":v": S("cat"), ":w": S("new")},
                  ReturnValues="UPDATED_OLD")
    assert resp["Attributes"] == {"b": S("dog")}
    # same value written again still counts as updated
    resp = update(ddb, table, key, "SET b = :v", {":v": S("cat")}, ReturnValues="UPDATED_OLD")
    assert resp["Attributes"] == {"b": S("cat")}
    # removed attributes are returned with their old value
    resp = update(ddb, table, key, "REMOVE b", ReturnValues="UPDATED_OLD")
    assert resp["Attributes"] == {"b": S("cat")}
    # writing only attributes that did not exist returns nothing
    resp = update(ddb, table, key, "SET b = :v", {":v": S("cat")}, ReturnValues="UPDATED_OLD")
    assert "Attributes" not in resp
    resp = update(ddb, table, key, "SET b = :v, d = :w", {":v": S("x"), ":w": S("y")},
                  ReturnValues="UPDATED_OLD")
    assert resp["Attributes"] == {"b": S("cat")}
    resp = update(ddb, table, key, "ADD n :one", {":one": N(1)}, ReturnValues="UPDATED_OLD")
    assert "Attributes" not in resp
    resp = update(ddb, table, key, "ADD n :one", {":one": N(1)}, ReturnValues="UPDATED_OLD")
    assert resp["Attributes"] == {"n": N(1)}


def test_return_values_all_new(ddb, table):
    key = seeded(ddb, table, {"a": S("hi"), "b": S("dog")})
    resp = update(ddb, table, key, "SET b = :v", {":v": S("cat")}, ReturnValues="ALL_NEW")
    assert resp["Attributes"] == dict(key, a=S("hi"), b=S("cat"))
    resp = update(ddb, table, key, "REMOVE b", ReturnValues="ALL_NEW")
    assert resp["Attributes"] == dict(key, a=S("hi"))
    absent = seeded(ddb, table, None)
    resp = update(ddb, table, absent, "SET b = :v", {":v": S("cat")}, ReturnValues="ALL_NEW")
    assert resp["Attributes"] == dict(absent, b=S("cat"))


def test_return_values_updated_new(ddb, table):
    key = seeded(ddb, table, {"a": S("hi"), "b": S("dog")})
    resp = update(ddb, table, key, "SET b = :v, c = :w", {":v": S("cat"), ":w": S("hello")},
                  ReturnValues="UPDATED_NEW")
    assert resp["Attributes"] == {"b": S("cat"), "c": S("hello")}
    resp = update(ddb, table, key, "REMOVE b", ReturnValues="UPDATED_NEW")
    assert "Attributes" not in resp
    resp = update(ddb, table, key, "SET a = :v, b = :w REMOVE c", {":v": S("x"), ":w": S("y")},
                  ReturnValues="UPDATED_NEW")
    assert resp["Attributes"] == {"a": S("x"), "b": S("y")}
    resp = update(ddb, table, key, "ADD n :v", {":v": N(5)}, ReturnValues="UPDATED_NEW")
    assert resp["Attributes"] == {"n": N(5)}
    resp = update(ddb, table, key, "SET n = n + :v", {":v": N(5)}, ReturnValues="UPDATED_NEW")
    assert resp["Attributes"] == {"n": N(10)}
    # the key of a newly created item is not an updated attribute
    absent = seeded(ddb, table, None)
    resp = update(ddb, table, absent, "SET a = :v", {":v": N(1)}, ReturnValues="UPDATED_NEW")
    assert resp["Attributes"] == {"a": N(1)}


def test_return_values_nested_paths(ddb, table):
    key = seeded(ddb, table, {"a": M(b=S("dog"), c=L(N(1), N(2), N(3))), "d": S("cat")})
    resp = update(ddb, table, key, "SET a.b = :v", {":v": S("hi")}, ReturnValues="ALL_OLD")
    assert resp["Attributes"] == dict(key, a=M(b=S("dog"), c=L(N(1), N(2), N(3))), d=S("cat"))
    resp = update(ddb, table, key, "SET a.b = :v", {":v": S("yo")}, ReturnValues="UPDATED_OLD")
    assert resp["Attributes"] == {"a": M(b=S("hi"))}
    resp = update(ddb, table, key, "SET a.c[1] = :v", {":v": N(7)}, ReturnValues="UPDATED_OLD")
    assert resp["Attributes"] == {"a": M(c=L(N(2)))}
    resp = update(ddb, table, key, "SET a.c[1] = :v, a.b = :w", {":v": N(8), ":w": S("dog")},
                  ReturnValues="UPDATED_OLD")
    assert resp["Attributes"] == {"a": M(b=S("yo"), c=L(N(7)))}
    resp = update(ddb, table, key, "SET a.b = :v", {":v": S("hello")}, ReturnValues="UPDATED_NEW")
    assert resp["Attributes"] == {"a": M(b=S("hello"))}
    resp = update(ddb, table, key, "SET a.c[1] = :v", {":v": N(4)}, ReturnValues="UPDATED_NEW")
    assert resp["Attributes"] == {"a": M(c=L(N(4)))}
    resp = update(ddb, table, key, "SET a.b = :v", {":v": S("x")}, ReturnValues="ALL_NEW")
    assert resp["Attributes"] == dict(key, a=M(b=S("x"), c=L(N(1), N(4), N(3))), d=S("cat"))
    # a new member: nothing old, the new value under its parent
    resp = update(ddb, table, key, "SET a.x1 = :v", {":v": N(8)}, ReturnValues="UPDATED_OLD")
    assert "Attributes" not in resp
    resp = update(ddb, table, key, "SET a.x2 = :v", {":v": N(8)}, ReturnValues="UPDATED_NEW")
    assert resp["Attributes"] == {"a": M(x2=N(8))}
    # REMOVE of two list elements, one of them past the end
    resp = update(ddb, table, key, "REMOVE a.c[1], a.c[3]", ReturnValues="UPDATED_OLD")
    assert resp["Attributes"] == {"a": M(c=L(N(4)))}
    assert get_item(ddb, table, key)["a"] == M(b=S("x"), c=L(N(1), N(3)), x1=N(8), x2=N(8))


@pytest.mark.parametrize("rv", ["ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"])
def test_return_values_with_failed_condition(ddb, table, rv):
    key = seeded(ddb, table, {"a": N(1)})
    with pytest.raises(ClientError) as excinfo:
        update(ddb, table, key, "SET a = :v", {":v": N(2)}, ConditionExpression="a = :v",
               ReturnValues=rv)
    assert_client_error(excinfo, CCF, "The conditional request failed")
    assert get_item(ddb, table, key) == dict(key, a=N(1))


# ---------------------------------------------------------------------------------------------
# ReturnConsumedCapacity: ceil(max(old, new item size) / 1 KB) write units
# ---------------------------------------------------------------------------------------------

def capacity(table, units, indexes=False):
    c = {"TableName": table, "CapacityUnits": units}
    if indexes:
        c["Table"] = {"CapacityUnits": units}
    return c


def test_return_consumed_capacity(ddb, table):
    key = {"pk": S(unique_name("cap"))}
    big = padded_item(key, 1025)
    resp = update(ddb, table, key, "SET p = :p", {":p": big["p"]}, ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == capacity(table, 2.0)
    # shrinking costs the old (larger) size, then the small size
    resp = update(ddb, table, key, "SET p = :p", {":p": S("x")}, ReturnConsumedCapacity="INDEXES")
    assert resp["ConsumedCapacity"] == capacity(table, 2.0, indexes=True)
    resp = update(ddb, table, key, "SET p = :p", {":p": S("y")}, ReturnConsumedCapacity="TOTAL",
                  ReturnValues="ALL_NEW")
    assert resp["ConsumedCapacity"] == capacity(table, 1.0)
    assert resp["Attributes"] == dict(key, p=S("y"))
    resp = update(ddb, table, key, "SET p = :p", {":p": padded_item(key, 2049)["p"]},
                  ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == capacity(table, 3.0)
    assert "ConsumedCapacity" not in update(ddb, table, key, "REMOVE p",
                                            ReturnConsumedCapacity="NONE")


# ---------------------------------------------------------------------------------------------
# Errors while applying the update: nothing is written
# ---------------------------------------------------------------------------------------------

RUNTIME_ERRORS = [
    ("plus_string", "SET x = s + :one", {":one": N(1)}, BAD_TYPE),
    ("minus_set", "SET x = :one - ns", {":one": N(1)}, BAD_TYPE),
    ("plus_missing", "SET x = nope + :one", {":one": N(1)}, NO_ATTR),
    ("copy_missing", "SET x = nope", None, NO_ATTR),
    ("copy_missing_member", "SET x = m.nope", None, NO_ATTR),
    ("list_append_string", "SET x = list_append(s, :l)", {":l": L(N(1))}, BAD_TYPE),
    ("list_append_missing", "SET x = list_append(nope, :l)", {":l": L(N(1))}, NO_ATTR),
    ("add_number_to_string", "ADD s :one", {":one": N(1)}, BAD_TYPE),
    ("add_number_set_to_string_set", "ADD ss :v", {":v": NS(1)}, BAD_TYPE),
    ("add_number_to_number_set", "ADD ns :v", {":v": N(1)}, BAD_TYPE),
    ("add_string_set_to_number", "ADD n :v", {":v": SS("a")}, BAD_TYPE),
    ("delete_number_set_from_string_set", "DELETE ss :v", {":v": NS(1)}, BAD_TYPE),
    ("delete_set_from_number", "DELETE n :v", {":v": NS(1)}, BAD_TYPE),
    ("delete_set_from_list", "DELETE l :v", {":v": SS("a")}, BAD_TYPE),
    ("set_member_of_missing_map", "SET nope.x = :v", {":v": N(1)}, BAD_PATH),
    ("set_member_of_missing_member", "SET m.nope.x = :v", {":v": N(1)}, BAD_PATH),
    ("set_member_of_string", "SET s.x = :v", {":v": N(1)}, BAD_PATH),
    ("set_index_of_missing", "SET nope[0] = :v", {":v": N(1)}, BAD_PATH),
    ("set_index_of_map", "SET m[0] = :v", {":v": N(1)}, BAD_PATH),
    ("set_member_of_list", "SET l.x = :v", {":v": N(1)}, BAD_PATH),
    ("remove_member_of_string", "REMOVE s.x", None, BAD_PATH),
    ("remove_index_of_map", "REMOVE m[0]", None, BAD_PATH),
    ("add_member_of_string", "ADD s.x :one", {":one": N(1)}, BAD_PATH),
    ("delete_index_of_map", "DELETE m[1] :v", {":v": SS("a")}, BAD_PATH),
]

RUNTIME_SEED = {"s": S("str"), "n": N(1), "ss": SS("a"), "ns": NS(1), "l": L(N(1)),
                "m": M(a=N(1))}


@pytest.mark.parametrize("expr, values, message", [c[1:] for c in RUNTIME_ERRORS],
                         ids=[c[0] for c in RUNTIME_ERRORS])
def test_update_runtime_errors(ddb, table, expr, values, message):
    key = seeded(ddb, table, RUNTIME_SEED)
    expect_error(lambda: update(ddb, table, key, expr, values), message)
    assert norm(get_item(ddb, table, key)) == norm(dict(key, **RUNTIME_SEED))


@pytest.mark.parametrize("expr", ["SET a.b = :v", "SET a[0] = :v"])
def test_nested_set_on_absent_item(ddb, table, expr):
    key = seeded(ddb, table, None)
    expect_error(lambda: update(ddb, table, key, expr, {":v": N(1)}), BAD_PATH)
    assert get_item(ddb, table, key) is None


# ---------------------------------------------------------------------------------------------
# Key attributes cannot be updated
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("expr, values", [
    ("SET pk = :v", {":v": S("other")}),
    ("SET pk = pk", None),
    ("SET a = :v, pk = :v", {":v": S("other")}),
    ("REMOVE pk", None),
    ("SET b = :v REMOVE a, pk", {":v": N(1)}),
    ("ADD pk :v", {":v": N(1)}),
    ("DELETE pk :v", {":v": SS("a")}),
    ("SET #k = :v", {":v": S("other")}),
], ids=["set", "set_self", "set_second", "remove", "remove_second", "add", "delete",
        "set_via_name"])
def test_cannot_update_hash_key(ddb, table, expr, values):
    key = seeded(ddb, table, {"a": N(1)})
    names = {"#k": "pk"} if "#k" in expr else None
    expect_error(lambda: update(ddb, table, key, expr, values, names),
                      INVALID + "Cannot update attribute pk. This attribute is part of the key")
    assert get_item(ddb, table, key) == dict(key, a=N(1))


@pytest.mark.parametrize("expr, values", [
    ("SET sk = :v", {":v": N(2)}),
    ("ADD sk :v", {":v": N(1)}),
    ("REMOVE sk", None),
])
def test_cannot_update_range_key(ddb, range_table, expr, values):
    key = {"pk": S(unique_name("rk")), "sk": N(1)}
    expect_error(lambda: update(ddb, range_table, key, expr, values),
                      INVALID + "Cannot update attribute sk. This attribute is part of the key")
    assert get_item(ddb, range_table, key) is None


def test_key_attributes_may_be_read_and_conditioned(ddb, range_table):
    key = {"pk": S(unique_name("rk")), "sk": N(7)}
    resp = update(ddb, range_table, key, "SET a = sk + :one, b = pk", {":one": N(1)},
                  ConditionExpression="attribute_not_exists(pk)", ReturnValues="ALL_NEW")
    assert resp["Attributes"] == dict(key, a=N(8), b=key["pk"])


# ---------------------------------------------------------------------------------------------
# Numbers: exact decimal arithmetic, overflow refused
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed, expr, values", [
    (None, "SET n = :a + :b", {":a": N("9e125"), ":b": N("9e125")}),
    (None, "SET n = :a - :b", {":a": N("9e125"), ":b": N("-9e125")}),
    (None, "SET n = :a - :b", {":a": N("-9e125"), ":b": N("9e125")}),
    ({"n": N("9.9999999999999999999999999999999999999E+125")}, "SET n = n + :v",
     {":v": N("1E+125")}),
    ({"n": N("9.9999999999999999999999999999999999999E+125")}, "ADD n :v", {":v": N("1E+125")}),
    # 1e50 + 1 needs 51 significant digits: DynamoDB refuses it with the same message
    (None, "SET n = :a + :b", {":a": N("1e50"), ":b": N(1)}),
    (None, "SET n = :a - :b", {":a": N("1e50"), ":b": N(1)}),
], ids=["sum", "difference", "negative", "plus_path", "add", "precision_plus",
        "precision_minus"])
def test_arithmetic_overflow(ddb, table, seed, expr, values):
    key = seeded(ddb, table, seed)
    before = get_item(ddb, table, key)
    expect_error(lambda: update(ddb, table, key, expr, values), OVERFLOW)
    assert get_item(ddb, table, key) == before


# ---------------------------------------------------------------------------------------------
# The 400 KB item limit applies to the item after the update
# ---------------------------------------------------------------------------------------------

def test_item_over_400kb_after_update(ddb, table):
    key = {"pk": S(unique_name("big"))}
    item = padded_item(key, MAX_ITEM_SIZE - 100)
    ddb.put_item(TableName=table, Item=item)
    # "extra" (5 bytes) + 95 bytes: exactly 400 KB is fine
    expect_error(lambda: update(ddb, table, key, "SET extra = :v", {":v": S("x" * 96)}),
                      TOO_BIG)
    assert item_size(get_item(ddb, table, key)) == MAX_ITEM_SIZE - 100
    update(ddb, table, key, "SET extra = :v", {":v": S("x" * 95)})
    assert item_size(get_item(ddb, table, key)) == MAX_ITEM_SIZE
    expect_error(lambda: update(ddb, table, key, "SET q = list_append(:a, :a)",
                                     {":a": L(S("y" * 200))}), TOO_BIG)
    expect_error(lambda: update(ddb, table, key, "SET extra2 = extra"), TOO_BIG)
    # shrinking is fine
    update(ddb, table, key, "REMOVE extra SET p = :v", {":v": S("small")})
    assert get_item(ddb, table, key) == dict(key, p=S("small"))


def test_update_creating_item_over_400kb(ddb, table):
    key = {"pk": S(unique_name("big"))}
    padded = padded_item(key, MAX_ITEM_SIZE + 1)
    expect_error(lambda: update(ddb, table, key, "SET p = :v", {":v": padded["p"]}), TOO_BIG)
    assert get_item(ddb, table, key) is None


# ---------------------------------------------------------------------------------------------
# boto3's resource API (Python values, Decimal numbers, Python sets)
# ---------------------------------------------------------------------------------------------

def test_resource_api_update(endpoint, table):
    import boto3
    from decimal import Decimal
    from botocore.config import Config
    from conftest import ACCESS_KEY, REGION, SECRET_KEY
    resource = boto3.resource("dynamodb", endpoint_url=endpoint, region_name=REGION,
                              aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                              config=Config(retries={"total_max_attempts": 1}))
    t = resource.Table(table)
    pk = unique_name("res")
    resp = t.update_item(
        Key={"pk": pk},
        UpdateExpression="SET cnt = if_not_exists(cnt, :zero) + :inc, tags = :tags, "
                         "hist = list_append(if_not_exists(hist, :empty), :h) ADD seen :s",
        ExpressionAttributeValues={":zero": 0, ":inc": Decimal("2.5"), ":tags": {"x", "y"},
                                   ":empty": [], ":h": ["first"], ":s": {1, 2}},
        ReturnValues="ALL_NEW")
    assert resp["Attributes"] == {"pk": pk, "cnt": Decimal("2.5"), "tags": {"x", "y"},
                                  "hist": ["first"], "seen": {Decimal(1), Decimal(2)}}
    resp = t.update_item(
        Key={"pk": pk}, UpdateExpression="SET cnt = cnt - :inc DELETE tags :t",
        ExpressionAttributeValues={":inc": Decimal("0.5"), ":t": {"x"}},
        ReturnValues="UPDATED_NEW")
    assert resp["Attributes"] == {"cnt": Decimal(2), "tags": {"y"}}
    t.update_item(Key={"pk": pk}, UpdateExpression="SET hist[5] = :h",
                  ExpressionAttributeValues={":h": "second"})
    assert t.get_item(Key={"pk": pk}, ConsistentRead=True)["Item"] == {
        "pk": pk, "cnt": Decimal(2), "tags": {"y"}, "hist": ["first", "second"],
        "seen": {Decimal(1), Decimal(2)}}
