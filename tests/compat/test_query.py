"""Query: key conditions (expression and legacy), ordering, Limit paging, filters, projections,
Select, ConsistentRead, consumed capacity, and DynamoDB's exact validation errors.

Expected texts come from DynamoDB itself (architect/dynalite's test/query.js, which was recorded
against DynamoDB, and moto's aws_verified Select tests). Ordering: numbers by value, strings by
their UTF-8 bytes, binaries by unsigned bytes. Paging: Limit counts items evaluated before the
filter; LastEvaluatedKey is the key of the last item evaluated and is present whenever the page
stopped on Limit, so a last page that is exactly full is followed by an empty page without one.
"""
from decimal import Decimal

import pytest
from botocore.exceptions import ClientError

from conftest import (ANY, all_pages, assert_client_error, batch_put, body, create_table_params, expect_error,
                      padded_item, unique_name)

PREFIX = "1 validation error detected: "
INVALID = "One or more parameter values were invalid: "

# Sort keys of the three ordering tables, in canonical form (as DynamoDB returns them).
NUM_KEYS = ["-1000", "-99.9", "-10", "-1.5", "-1", "-0.01", "0", "0.001", "0.5", "1", "1.25", "2",
            "9.99", "10", "10.5", "99", "100", "1000000",
            "12345678901234567890123456789012345678", "-12345678901234567890123456789012345678",
            "0." + "0" * 129 + "1", "-0." + "0" * 129 + "1", "99" + "0" * 124, "-99" + "0" * 124]
STR_KEYS = ["!", "0", "1", "10", "2", "A", "B", "Z", "a", "aa", "ab", "abc", "abd", "b", "z", "~",
            "\u00e9", "\u00e9t\u00e9", "\u0100", "\u20ac", "\uff5e", "\U0001F600", "\U0001F600x"]
BIN_KEYS = [b"\x00", b"\x00\x00", b"\x00\x01", b"\x01", b"\x01\x00", b"\x7f", b"\x80", b"\x80\x00",
            b"\xfe", b"\xfe\xff", b"\xff", b"\xff\x00", b"\xff\xff", b"abc", b"abd"]
KEYS = {"N": NUM_KEYS, "S": STR_KEYS, "B": BIN_KEYS}
PART = "p"
OTHER_PARTS = ["pp", "o", "p0"]  # neighbouring partitions holding the same sort keys


def order(kind, value):
    if kind == "N":
        return Decimal(value)
    if kind == "S":
        return value.encode("utf-8")
    return bytes(value)


def sorted_keys(kind):
    return sorted(KEYS[kind], key=lambda v: order(kind, v))


def make_item(kind, part, value, i):
    return {"pk": {"S": part}, "sk": {kind: value}, "v": {"N": str(i)},
            "even": {"BOOL": i % 2 == 0}, "x": {"S": "x%d" % i}}


def expected_items(kind, pred=lambda v: True, forward=True):
    items = [make_item(kind, PART, v, i) for i, v in enumerate(sorted_keys(kind)) if pred(v)]
    return items if forward else items[::-1]


def key_of(item):
    return {"pk": item["pk"], "sk": item["sk"]}


@pytest.fixture(scope="module")
def tables(ddb):
    """Range tables with N, S and B sort keys, all keys in partition 'p' and its neighbours; a
    hash-only table; and a range table with S sort keys for error cases."""
    names = {}
    for kind in ("N", "S", "B"):
        names[kind] = unique_name("q_%s" % kind)
        ddb.create_table(**create_table_params(names[kind], ("pk", "S"), ("sk", kind)))
    names["hash"] = unique_name("q_hash")
    ddb.create_table(**create_table_params(names["hash"], ("pk", "S")))
    names["range"] = unique_name("q_range")
    ddb.create_table(**create_table_params(names["range"], ("pk", "S"), ("sk", "S")))
    for kind in ("N", "S", "B"):
        items = []
        for part in [PART] + OTHER_PARTS:
            items += [make_item(kind, part, v, i) for i, v in enumerate(sorted_keys(kind))]
        batch_put(ddb, names[kind], items)
    batch_put(ddb, names["hash"], [{"pk": {"S": s}, "x": {"S": s}} for s in ("a", "b", "c")])
    batch_put(ddb, names["range"],
              [{"pk": {"S": "a"}, "sk": {"S": s}, "x": {"S": s}} for s in ("1", "2", "3")])
    yield names
    for name in names.values():
        ddb.delete_table(TableName=name)


# ---------------------------------------------------------------------------------------------
# Key conditions and ordering
# ---------------------------------------------------------------------------------------------

EXPR = {"=": "sk = :a", "<": "sk < :a", "<=": "sk <= :a", ">": "sk > :a", ">=": "sk >= :a",
        "BETWEEN": "sk BETWEEN :a AND :b", "begins_with": "begins_with(sk, :a)"}
LEGACY = {"=": "EQ", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE", "BETWEEN": "BETWEEN",
          "begins_with": "BEGINS_WITH"}


def predicate(kind, op, args):
    a = [order(kind, x) for x in args]

    def pred(v):
        o = order(kind, v)
        return {"=": lambda: o == a[0], "<": lambda: o < a[0], "<=": lambda: o <= a[0],
                ">": lambda: o > a[0], ">=": lambda: o >= a[0],
                "BETWEEN": lambda: a[0] <= o <= a[1],
                "begins_with": lambda: o.startswith(a[0])}[op]()
    return pred


def query_params(table, kind, cond, form):
    """Query parameters for partition PART with an optional sort-key condition (op, args)."""
    if form == "expression":
        params = {"KeyConditionExpression": "pk = :p",
                  "ExpressionAttributeValues": {":p": {"S": PART}}}
        if cond:
            op, args = cond
            params["KeyConditionExpression"] += " AND " + EXPR[op]
            for name, arg in zip((":a", ":b"), args):
                params["ExpressionAttributeValues"][name] = {kind: arg}
    else:
        params = {"KeyConditions": {"pk": {"ComparisonOperator": "EQ",
                                           "AttributeValueList": [{"S": PART}]}}}
        if cond:
            op, args = cond
            params["KeyConditions"]["sk"] = {"ComparisonOperator": LEGACY[op],
                                             "AttributeValueList": [{kind: x} for x in args]}
    params["TableName"] = table
    return params


CONDITIONS = [
    ("N", None),
    ("N", ("=", ["1"])), ("N", ("=", ["3"])), ("N", ("=", ["-0.01"])),
    ("N", ("<", ["0"])), ("N", ("<", ["-1000"])), ("N", ("<=", ["-1"])), ("N", (">", ["-0.01"])),
    ("N", (">", ["1000000"])), ("N", (">=", ["10"])), ("N", ("BETWEEN", ["-10", "10"])),
    ("N", ("BETWEEN", ["-1.5", "-1.5"])), ("N", ("BETWEEN", ["-0.001", "0.001"])),
    ("N", ("<", ["0." + "0" * 129 + "1"])), ("N", (">=", ["-0." + "0" * 129 + "1"])),
    ("N", (">", ["99" + "0" * 123])),
    ("S", None),
    ("S", ("=", ["ab"])), ("S", ("=", ["aaa"])), ("S", ("<", ["a"])), ("S", ("<=", ["a"])),
    ("S", (">", ["z"])), ("S", (">=", ["\u00e9"])), ("S", ("<", ["\U0001F600"])),
    ("S", ("BETWEEN", ["10", "b"])), ("S", ("BETWEEN", ["\uff5e", "\U0001F600"])),
    ("S", ("begins_with", ["a"])), ("S", ("begins_with", ["ab"])), ("S", ("begins_with", ["\u00e9"])),
    ("S", ("begins_with", ["\U0001F600"])), ("S", ("begins_with", ["zz"])),
    ("S", ("begins_with", ["!"])),
    ("B", None),
    ("B", ("=", [b"\xff\xff"])), ("B", ("<", [b"\x80"])), ("B", ("<=", [b"\x00\x01"])),
    ("B", (">", [b"\x7f"])), ("B", (">=", [b"\xfe\xff"])), ("B", ("BETWEEN", [b"\x00\x01", b"\xfe"])),
    ("B", ("begins_with", [b"\x00"])), ("B", ("begins_with", [b"\xff"])),
    ("B", ("begins_with", [b"\xfe"])), ("B", ("begins_with", [b"ab"])),
    ("B", ("begins_with", [b"\xff\xff"])),
]


def cond_id(case):
    kind, cond = case
    if cond is None:
        return kind + "-all"
    return "%s-%s-%s" % (kind, cond[0], "-".join(repr(a)[:12] for a in cond[1]))


@pytest.mark.parametrize("forward", [True, False], ids=["fwd", "rev"])
@pytest.mark.parametrize("form", ["expression", "legacy"])
@pytest.mark.parametrize("case", CONDITIONS, ids=[cond_id(c) for c in CONDITIONS])
def test_key_condition_and_order(ddb, tables, case, form, forward):
    kind, cond = case
    params = query_params(tables[kind], kind, cond, form)
    params["ScanIndexForward"] = forward
    expected = expected_items(kind, predicate(kind, *cond) if cond else (lambda v: True), forward)
    resp = body(ddb.query(**params))
    assert resp == {"Items": expected, "Count": len(expected), "ScannedCount": len(expected)}


def test_scan_index_forward_defaults_to_ascending(ddb, tables):
    resp = ddb.query(**query_params(tables["S"], "S", None, "expression"))
    assert [it["sk"]["S"] for it in resp["Items"]] == sorted_keys("S")


@pytest.mark.parametrize("expression, values, op", [
    (":a > sk", {":a": {"N": "1"}}, ("<", ["1"])),
    (":a <= sk", {":a": {"N": "1"}}, (">=", ["1"])),
    (":a = sk", {":a": {"N": "1"}}, ("=", ["1"])),
    ("(sk > :a)", {":a": {"N": "1"}}, (">", ["1"])),
])
def test_key_condition_operand_order_and_parentheses(ddb, tables, expression, values, op):
    values = dict(values, **{":p": {"S": PART}})
    resp = ddb.query(TableName=tables["N"], KeyConditionExpression="pk = :p AND " + expression,
                     ExpressionAttributeValues=values)
    assert resp["Items"] == expected_items("N", predicate("N", *op))


def test_key_condition_with_attribute_names_and_parentheses(ddb, tables):
    resp = ddb.query(TableName=tables["S"], KeyConditionExpression="(#p = :p) AND (#s BETWEEN :a AND :b)",
                     ExpressionAttributeNames={"#p": "pk", "#s": "sk"},
                     ExpressionAttributeValues={":p": {"S": PART}, ":a": {"S": "a"}, ":b": {"S": "b"}})
    assert resp["Items"] == expected_items("S", predicate("S", "BETWEEN", ["a", "b"]))


def test_key_condition_reserved_word_through_attribute_names(ddb, make_table):
    table = make_table(("name", "S"), ("date", "N"))
    batch_put(ddb, table, [{"name": {"S": "n"}, "date": {"N": str(i)}} for i in range(5)])
    resp = ddb.query(TableName=table, KeyConditionExpression="#n = :n AND #d > :d",
                     ExpressionAttributeNames={"#n": "name", "#d": "date"},
                     ExpressionAttributeValues={":n": {"S": "n"}, ":d": {"N": "2"}})
    assert resp["Items"] == [{"name": {"S": "n"}, "date": {"N": str(i)}} for i in (3, 4)]


def test_query_other_partition_and_missing_partition(ddb, tables):
    resp = ddb.query(TableName=tables["N"], KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": {"S": "pp"}})
    assert [it["sk"]["N"] for it in resp["Items"]] == sorted_keys("N")
    assert all(it["pk"] == {"S": "pp"} for it in resp["Items"])
    for part in ("q", "p\u0000", "ppp", "P"):
        resp = body(ddb.query(TableName=tables["N"], KeyConditionExpression="pk = :p",
                              ExpressionAttributeValues={":p": {"S": part}}))
        assert resp == {"Items": [], "Count": 0, "ScannedCount": 0}


def test_query_hash_only_table(ddb, tables):
    for form in ("expression", "legacy"):
        if form == "expression":
            params = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "b"}}}
        else:
            params = {"KeyConditions": {"pk": {"ComparisonOperator": "EQ",
                                               "AttributeValueList": [{"S": "b"}]}}}
        resp = body(ddb.query(TableName=tables["hash"], **params))
        assert resp == {"Items": [{"pk": {"S": "b"}, "x": {"S": "b"}}], "Count": 1, "ScannedCount": 1}


def test_number_key_equality_ignores_spelling(ddb, tables):
    for spelling in ("1.0", "01", "1E0", "0.1e1", "100e-2"):
        resp = ddb.query(TableName=tables["N"], KeyConditionExpression="pk = :p AND sk = :a",
                         ExpressionAttributeValues={":p": {"S": PART}, ":a": {"N": spelling}})
        assert resp["Items"] == expected_items("N", lambda v: v == "1"), spelling


def test_string_sort_key_with_nul_and_control_bytes(ddb, make_table):
    table = make_table(("pk", "S"), ("sk", "S"))
    values = ["a", "a\u0000", "a\u0000\u0000", "a\u0001", "a\u0000b", "\u0000", "\u007f", "b"]
    batch_put(ddb, table, [{"pk": {"S": "p"}, "sk": {"S": v}} for v in values])
    resp = ddb.query(TableName=table, KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": {"S": "p"}})
    assert [it["sk"]["S"] for it in resp["Items"]] == sorted(values, key=lambda v: v.encode())
    resp = ddb.query(TableName=table, KeyConditionExpression="pk = :p AND begins_with(sk, :a)",
                     ExpressionAttributeValues={":p": {"S": "p"}, ":a": {"S": "a\u0000"}})
    assert [it["sk"]["S"] for it in resp["Items"]] == ["a\u0000", "a\u0000\u0000", "a\u0000b"]


def test_binary_hash_and_number_hash_keys(ddb, make_table):
    btable = make_table(("pk", "B"), ("sk", "N"))
    batch_put(ddb, btable, [{"pk": {"B": p}, "sk": {"N": str(i)}}
                            for p in (b"\x00", b"\x00\x00", b"\xff") for i in range(3)])
    resp = ddb.query(TableName=btable, KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": {"B": b"\x00"}}, ScanIndexForward=False)
    assert resp["Items"] == [{"pk": {"B": b"\x00"}, "sk": {"N": str(i)}} for i in (2, 1, 0)]
    ntable = make_table(("pk", "N"), ("sk", "B"))
    batch_put(ddb, ntable, [{"pk": {"N": p}, "sk": {"B": bytes([i])}}
                            for p in ("-1", "1", "10") for i in (0, 128, 255)])
    resp = ddb.query(TableName=ntable, KeyConditionExpression="pk = :p AND sk > :s",
                     ExpressionAttributeValues={":p": {"N": "1.0"}, ":s": {"B": b"\x00"}})
    assert resp["Items"] == [{"pk": {"N": "1"}, "sk": {"B": bytes([i])}} for i in (128, 255)]


# ---------------------------------------------------------------------------------------------
# Limit and pagination
# ---------------------------------------------------------------------------------------------


def check_limit_pages(pages, expected, limit):
    """Every item exactly once, in order; every page but the last holds exactly `limit` items and
    ends with LastEvaluatedKey = its last item's key; the last page (empty when the one before was
    exactly full) has none."""
    n = len(expected)
    assert len(pages) == n // limit + 1, [len(p["Items"]) for p in pages]
    for i, page in enumerate(pages[:-1]):
        chunk = expected[i * limit:(i + 1) * limit]
        assert page == {"Items": chunk, "Count": limit, "ScannedCount": limit,
                        "LastEvaluatedKey": key_of(chunk[-1])}, "page %d" % i
    rest = expected[(n // limit) * limit:]
    assert pages[-1] == {"Items": rest, "Count": len(rest), "ScannedCount": len(rest)}


PAGING = [
    ("N", None), ("N", (">=", ["-1"])), ("N", ("BETWEEN", ["-10", "100"])),
    ("S", None), ("S", ("begins_with", ["a"])), ("S", ("<", ["\u20ac"])),
    ("B", None), ("B", (">", [b"\x00"])), ("B", ("begins_with", [b"\xff"])),
]


@pytest.mark.parametrize("forward", [True, False], ids=["fwd", "rev"])
@pytest.mark.parametrize("case", PAGING, ids=[cond_id(c) for c in PAGING])
def test_limit_pages_return_every_item_once_in_order(ddb, tables, case, forward):
    kind, cond = case
    expected = expected_items(kind, predicate(kind, *cond) if cond else (lambda v: True), forward)
    n = len(expected)
    divisors = [d for d in range(1, n + 1) if n % d == 0]
    limits = sorted(set([1, 2, 3, 5, 7, n - 1, n, n + 1, 1000] + divisors) - {0})
    for limit in limits:
        params = query_params(tables[kind], kind, cond, "expression")
        params.update(Limit=limit, ScanIndexForward=forward)
        check_limit_pages(all_pages(ddb.query, params), expected, limit)


@pytest.mark.parametrize("form", ["expression", "legacy"])
def test_limit_exact_multiple_ends_with_empty_page(ddb, tables, form):
    expected = expected_items("S", predicate("S", "begins_with", ["a"]))
    assert len(expected) == 5
    params = query_params(tables["S"], "S", ("begins_with", ["a"]), form)
    params["Limit"] = 5
    first = body(ddb.query(**params))
    assert first == {"Items": expected, "Count": 5, "ScannedCount": 5,
                     "LastEvaluatedKey": key_of(expected[-1])}
    params["ExclusiveStartKey"] = first["LastEvaluatedKey"]
    assert body(ddb.query(**params)) == {"Items": [], "Count": 0, "ScannedCount": 0}


def test_limit_larger_than_result_has_no_last_evaluated_key(ddb, tables):
    params = query_params(tables["S"], "S", ("begins_with", ["a"]), "expression")
    params["Limit"] = 6
    assert "LastEvaluatedKey" not in ddb.query(**params)


@pytest.mark.parametrize("forward", [True, False], ids=["fwd", "rev"])
@pytest.mark.parametrize("page_size", [1, 4, 6, 23, 24, 25])
def test_boto3_paginator(ddb, tables, forward, page_size):
    expected = expected_items("N", forward=forward)
    paginator = ddb.get_paginator("query")
    pages = list(paginator.paginate(TableName=tables["N"], KeyConditionExpression="pk = :p",
                                    ExpressionAttributeValues={":p": {"S": PART}},
                                    ScanIndexForward=forward,
                                    PaginationConfig={"PageSize": page_size}))
    items = [it for page in pages for it in page["Items"]]
    assert items == expected
    assert len(pages) == len(expected) // page_size + 1
    assert all(page["Count"] == len(page["Items"]) for page in pages)
    assert "LastEvaluatedKey" not in pages[-1]
    built = paginator.paginate(TableName=tables["N"], KeyConditionExpression="pk = :p",
                               ExpressionAttributeValues={":p": {"S": PART}},
                               ScanIndexForward=forward,
                               PaginationConfig={"PageSize": page_size}).build_full_result()
    assert built["Items"] == expected
    assert built["Count"] == built["ScannedCount"] == len(expected)


@pytest.mark.parametrize("forward", [True, False], ids=["fwd", "rev"])
def test_exclusive_start_key_not_from_a_page(ddb, tables, forward):
    """Any key in the range is a valid start, whether or not an item has it."""
    for start, pred in [("0.75", lambda v: (Decimal(v) > Decimal("0.75")) == forward),
                        ("1", lambda v: (Decimal(v) > 1) if forward else (Decimal(v) < 1)),
                        ("-1000", lambda v: Decimal(v) > -1000 if forward else Decimal(v) < -1000),
                        ("5000000", lambda v: Decimal(v) > 5000000 if forward else Decimal(v) < 5000000)]:
        resp = body(ddb.query(TableName=tables["N"], KeyConditionExpression="pk = :p",
                              ExpressionAttributeValues={":p": {"S": PART}}, ScanIndexForward=forward,
                              ExclusiveStartKey={"pk": {"S": PART}, "sk": {"N": start}}))
        expected = expected_items("N", pred, forward)
        assert resp == {"Items": expected, "Count": len(expected), "ScannedCount": len(expected)}, start


def test_exclusive_start_key_with_sort_condition_and_reverse(ddb, tables):
    resp = body(ddb.query(TableName=tables["S"], KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
                          ExpressionAttributeValues={":p": {"S": PART}, ":a": {"S": "a"}, ":b": {"S": "z"}},
                          ScanIndexForward=False, Limit=3,
                          ExclusiveStartKey={"pk": {"S": PART}, "sk": {"S": "b"}}))
    expected = expected_items("S", lambda v: "a" <= v < "b", forward=False)[:3]
    assert resp == {"Items": expected, "Count": 3, "ScannedCount": 3,
                    "LastEvaluatedKey": key_of(expected[-1])}


def test_exclusive_start_key_at_last_item_gives_empty_page(ddb, tables):
    last = expected_items("B")[-1]
    resp = body(ddb.query(TableName=tables["B"], KeyConditionExpression="pk = :p",
                          ExpressionAttributeValues={":p": {"S": PART}}, ExclusiveStartKey=key_of(last)))
    assert resp == {"Items": [], "Count": 0, "ScannedCount": 0}


# ---------------------------------------------------------------------------------------------
# Filters: Count vs ScannedCount; Limit counts items evaluated before the filter
# ---------------------------------------------------------------------------------------------

def test_filter_expression_count_and_scanned_count(ddb, tables):
    expected = [it for it in expected_items("N") if it["even"]["BOOL"]]
    resp = body(ddb.query(TableName=tables["N"], KeyConditionExpression="pk = :p",
                          FilterExpression="even = :t",
                          ExpressionAttributeValues={":p": {"S": PART}, ":t": {"BOOL": True}}))
    assert resp == {"Items": expected, "Count": len(expected), "ScannedCount": len(NUM_KEYS)}


@pytest.mark.parametrize("forward", [True, False], ids=["fwd", "rev"])
@pytest.mark.parametrize("limit", [1, 2, 3, 4, 6, 8, 12, 24, 25])
def test_filter_with_limit_pages(ddb, tables, limit, forward):
    """v % 4 == 0 matches; pages stop after `limit` evaluated items, and the LastEvaluatedKey is
    the last evaluated item even when the filter dropped it (or dropped every item on the page)."""
    everything = expected_items("N", forward=forward)
    params = {"TableName": tables["N"], "KeyConditionExpression": "pk = :p",
              "FilterExpression": "v IN (:a, :b, :c, :d, :e, :f)", "Limit": limit,
              "ScanIndexForward": forward,
              "ExpressionAttributeValues": dict({":p": {"S": PART}},
                                                **{":" + c: {"N": str(4 * i)} for i, c in enumerate("abcdef")})}
    pages = all_pages(ddb.query, params)
    n = len(everything)
    assert len(pages) == n // limit + 1
    for i, page in enumerate(pages):
        chunk = everything[i * limit:(i + 1) * limit]
        matches = [it for it in chunk if int(it["v"]["N"]) % 4 == 0]
        want = {"Items": matches, "Count": len(matches), "ScannedCount": len(chunk)}
        if i < len(pages) - 1:
            want["LastEvaluatedKey"] = key_of(chunk[-1])
        assert page == want, "page %d" % i


def test_filter_matching_nothing_still_pages(ddb, tables):
    resp = body(ddb.query(TableName=tables["S"], KeyConditionExpression="pk = :p",
                          FilterExpression="attribute_not_exists(v)", Limit=4,
                          ExpressionAttributeValues={":p": {"S": PART}}))
    assert resp == {"Items": [], "Count": 0, "ScannedCount": 4,
                    "LastEvaluatedKey": key_of(expected_items("S")[3])}


@pytest.mark.parametrize("query_filter, operator, want", [
    ({"even": {"ComparisonOperator": "EQ", "AttributeValueList": [{"BOOL": False}]}}, None,
     lambda i: i % 2 == 1),
    ({"v": {"ComparisonOperator": "LT", "AttributeValueList": [{"N": "3"}]},
      "x": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "x10"}]}}, "OR",
     lambda i: i < 3 or i == 10),
    ({"v": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "3"}]},
      "v2": {"ComparisonOperator": "NULL"}}, "AND", lambda i: i >= 3),
    ({"x": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "x1"}]}}, None,
     lambda i: str(i).startswith("1")),
    ({"v": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "5"}, {"N": "7"}]}}, None,
     lambda i: 5 <= i <= 7),
    ({"v": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "1"}, {"N": "20"}]}}, None,
     lambda i: i in (1, 20)),
    ({"missing": {"ComparisonOperator": "NOT_NULL"}}, None, lambda i: False),
])
def test_legacy_query_filter(ddb, tables, query_filter, operator, want):
    params = {"TableName": tables["S"],
              "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": PART}]}},
              "QueryFilter": query_filter}
    if operator:
        params["ConditionalOperator"] = operator
    resp = body(ddb.query(**params))
    expected = [it for it in expected_items("S") if want(int(it["v"]["N"]))]
    assert resp == {"Items": expected, "Count": len(expected), "ScannedCount": len(STR_KEYS)}


# ---------------------------------------------------------------------------------------------
# Projections and Select
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def proj_table(ddb):
    name = unique_name("q_proj")
    ddb.create_table(**create_table_params(name, ("pk", "S"), ("sk", "S")))
    items = [
        {"pk": {"S": "a"}, "sk": {"S": "1"}, "b": {"S": "b1"}, "d": {"S": "d1"},
         "m": {"M": {"x": {"S": "mx"}, "y": {"N": "1"}}}, "l": {"L": [{"S": "l0"}, {"S": "l1"}, {"S": "l2"}]}},
        {"pk": {"S": "a"}, "sk": {"S": "2"}, "b": {"S": "b2"}},
        {"pk": {"S": "a"}, "sk": {"S": "3"}, "b": {"S": "b3"}, "d": {"S": "d3"}, "e": {"S": "e3"}},
    ]
    batch_put(ddb, name, items)
    yield name
    ddb.delete_table(TableName=name)


KC = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}}
KC_LEGACY = {"KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}}}
PROJECTED = [{"b": {"S": "b1"}, "d": {"S": "d1"}}, {"b": {"S": "b2"}}, {"b": {"S": "b3"}, "d": {"S": "d3"}}]


@pytest.mark.parametrize("params", [
    dict(KC_LEGACY, AttributesToGet=["b", "d"]),
    dict(KC_LEGACY, AttributesToGet=["b", "d"], Select="SPECIFIC_ATTRIBUTES"),
    dict(KC, ProjectionExpression="b, d"),
    dict(KC, ProjectionExpression="#b, #d", ExpressionAttributeNames={"#b": "b", "#d": "d"}),
    dict(KC, ProjectionExpression="d,b", Select="SPECIFIC_ATTRIBUTES"),
], ids=["AttributesToGet", "AttributesToGet+SPECIFIC", "expr", "expr-names", "expr+SPECIFIC"])
def test_projection(ddb, proj_table, params):
    resp = body(ddb.query(TableName=proj_table, **params))
    assert resp == {"Items": PROJECTED, "Count": 3, "ScannedCount": 3}


def test_nested_projection(ddb, proj_table):
    resp = body(ddb.query(TableName=proj_table, ProjectionExpression="l[2], l[0], m.x, e, sk", **KC))
    assert resp["Items"] == [
        {"sk": {"S": "1"}, "m": {"M": {"x": {"S": "mx"}}}, "l": {"L": [{"S": "l0"}, {"S": "l2"}]}},
        {"sk": {"S": "2"}},
        {"sk": {"S": "3"}, "e": {"S": "e3"}}]


def test_projection_of_missing_attributes_gives_empty_items(ddb, proj_table):
    resp = body(ddb.query(TableName=proj_table, ProjectionExpression="zz", **KC))
    assert resp == {"Items": [{}, {}, {}], "Count": 3, "ScannedCount": 3}


@pytest.mark.parametrize("select", [None, "ALL_ATTRIBUTES"])
def test_select_all_attributes(ddb, proj_table, select):
    params = dict(KC, Select=select) if select else dict(KC)
    resp = body(ddb.query(TableName=proj_table, **params))
    assert [it["sk"]["S"] for it in resp["Items"]] == ["1", "2", "3"]
    assert resp["Items"][0]["m"] == {"M": {"x": {"S": "mx"}, "y": {"N": "1"}}}
    assert resp["Count"] == resp["ScannedCount"] == 3


def test_select_count(ddb, proj_table):
    assert body(ddb.query(TableName=proj_table, Select="COUNT", **KC)) == {"Count": 3, "ScannedCount": 3}
    resp = body(ddb.query(TableName=proj_table, Select="COUNT", Limit=2, **KC))
    assert resp == {"Count": 2, "ScannedCount": 2,
                    "LastEvaluatedKey": {"pk": {"S": "a"}, "sk": {"S": "2"}}}
    resp = body(ddb.query(TableName=proj_table, Select="COUNT", Limit=2, FilterExpression="attribute_exists(d)",
                          KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}}))
    assert resp == {"Count": 1, "ScannedCount": 2,
                    "LastEvaluatedKey": {"pk": {"S": "a"}, "sk": {"S": "2"}}}


@pytest.mark.parametrize("params, message", [
    (dict(KC_LEGACY, Select="ALL_ATTRIBUTES", AttributesToGet=["b"]),
     "Cannot specify the AttributesToGet when choosing to get ALL_ATTRIBUTES"),
    (dict(KC, Select="ALL_ATTRIBUTES", ProjectionExpression="b"),
     "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES"),
    (dict(KC_LEGACY, Select="COUNT", AttributesToGet=["b"]),
     "Cannot specify the AttributesToGet when choosing to get only the Count"),
    (dict(KC, Select="COUNT", ProjectionExpression="b"),
     "Cannot specify the ProjectionExpression when choosing to get only the Count"),
    (dict(KC, Select="ALL_PROJECTED_ATTRIBUTES", ProjectionExpression="b"),
     "Cannot specify the ProjectionExpression when choosing to get ALL_PROJECTED_ATTRIBUTES"),
    (dict(KC_LEGACY, Select="ALL_PROJECTED_ATTRIBUTES", AttributesToGet=["b"]),
     "Cannot specify the AttributesToGet when choosing to get ALL_PROJECTED_ATTRIBUTES"),
    (dict(KC, Select="ALL_PROJECTED_ATTRIBUTES"),
     "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"),
    (dict(KC, Select="SPECIFIC_ATTRIBUTES"),
     "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"),
    (dict(KC_LEGACY, Select="SPECIFIC_ATTRIBUTES"),
     "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"),
], ids=["ALL+ATG", "ALL+PE", "COUNT+ATG", "COUNT+PE", "PROJ+PE", "PROJ+ATG", "PROJ-no-index",
        "SPECIFIC-none", "SPECIFIC-none-legacy"])
def test_select_projection_rules(ddb, proj_table, params, message):
    """Query wraps these in the '1 validation error detected: ' envelope (Scan does not)."""
    expect_error(ddb.query, PREFIX + message, TableName=proj_table, **params)


def test_select_enum_is_case_sensitive(ddb, proj_table):
    expect_error(ddb.query, PREFIX + "Value 'count' at 'select' failed to satisfy constraint: Member must "
                 "satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]",
                 TableName=proj_table, Select="count", **KC)


# ---------------------------------------------------------------------------------------------
# ConsistentRead and ReturnConsumedCapacity
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cap_table(ddb):
    """Partition 'c': items 00..09 of exactly 1000 bytes; partition 'd': 1000, 1000, 1000, 1096, 100
    bytes (the first four sum to exactly 4096)."""
    name = unique_name("q_cap")
    ddb.create_table(**create_table_params(name, ("pk", "S"), ("sk", "S")))
    items = [padded_item({"pk": {"S": "c"}, "sk": {"S": "%02d" % i}}, 1000) for i in range(10)]
    items += [padded_item({"pk": {"S": "d"}, "sk": {"S": "%02d" % i}}, size)
              for i, size in enumerate([1000, 1000, 1000, 1096, 100])]
    batch_put(ddb, name, items)
    yield name
    ddb.delete_table(TableName=name)


def cap_query(ddb, table, part, **extra):
    params = {"TableName": table, "KeyConditionExpression": "pk = :p",
              "ExpressionAttributeValues": dict({":p": {"S": part}}, **extra.pop("values", {}))}
    params.update(extra)
    return ddb.query(**params)


@pytest.mark.parametrize("part, extra, units", [
    ("c", {}, 3),                                   # 10 000 bytes
    ("c", {"Limit": 4}, 1),                         # 4 000 bytes
    ("c", {"Limit": 5}, 2),                         # 5 000 bytes
    ("c", {"Select": "COUNT"}, 3),
    ("c", {"ProjectionExpression": "sk"}, 3),       # capacity counts whole items
    ("c", {"FilterExpression": "attribute_not_exists(p)"}, 3),  # and items the filter drops
    ("d", {"Limit": 4}, 1),                         # exactly 4096 bytes
    ("d", {}, 2),                                   # 4196 bytes
    ("none", {}, 1),                                # nothing read: the minimum
    ("c", {"KeyConditionExpression": "pk = :p AND sk > :s", "values": {":s": {"S": "99"}}}, 1),
])
def test_consumed_capacity(ddb, cap_table, part, extra, units):
    for consistent in (False, True):
        for rcc in ("TOTAL", "INDEXES"):
            resp = cap_query(ddb, cap_table, part, ConsistentRead=consistent, ReturnConsumedCapacity=rcc,
                             **dict(extra))
            want = {"TableName": cap_table, "CapacityUnits": units if consistent else units / 2}
            if rcc == "INDEXES":
                want["Table"] = {"CapacityUnits": want["CapacityUnits"]}
            assert resp["ConsumedCapacity"] == want, (consistent, rcc)


def test_consumed_capacity_none_or_absent(ddb, cap_table):
    assert "ConsumedCapacity" not in cap_query(ddb, cap_table, "c")
    assert "ConsumedCapacity" not in cap_query(ddb, cap_table, "c", ReturnConsumedCapacity="NONE")


def test_consumed_capacity_per_page(ddb, cap_table):
    """Each page is charged for its own evaluated items."""
    units, start = [], None
    while True:
        extra = {"ExclusiveStartKey": start} if start else {}
        resp = cap_query(ddb, cap_table, "c", Limit=3, ReturnConsumedCapacity="TOTAL", **extra)
        units.append(resp["ConsumedCapacity"]["CapacityUnits"])
        start = resp.get("LastEvaluatedKey")
        if not start:
            break
    assert units == [0.5, 0.5, 0.5, 0.5]  # 3000, 3000, 3000, 1000 bytes


def test_consistent_read_sees_latest_write(ddb, make_table):
    table = make_table(("pk", "S"), ("sk", "N"))
    for i in range(20):
        ddb.put_item(TableName=table, Item={"pk": {"S": "w"}, "sk": {"N": str(i)}})
        resp = ddb.query(TableName=table, KeyConditionExpression="pk = :p", ConsistentRead=True,
                         ExpressionAttributeValues={":p": {"S": "w"}}, Select="COUNT")
        assert resp["Count"] == i + 1


# ---------------------------------------------------------------------------------------------
# ExclusiveStartKey errors (DynamoDB's order: value validation, then key shape, then bounds)
# ---------------------------------------------------------------------------------------------

KEY_MISMATCH = "The provided key element does not match the schema"
START_INVALID = "The provided starting key is invalid"
SAME_SIZE = "Exclusive Start Key must have same size as table's key schema"


@pytest.mark.parametrize("table_kind, esk, message", [
    ("range", {"pk": {}}, START_INVALID + ": Supplied AttributeValue is empty, must contain exactly one "
     "of the supported datatypes"),
    ("range", {"pk": {"S": "a", "N": "1"}}, START_INVALID + ": Supplied AttributeValue has more than "
     "one datatypes set, must contain exactly one of the supported datatypes"),
    ("range", {"pk": {"NULL": False}}, START_INVALID + ": " + INVALID +
     "Null attribute value types must have the value of true"),
    # short of the partition key: the size (DynamoDB Local 1.25; an app's suite pins it against
    # AWS); any other wrong set of names, extra attributes included, is "invalid" (dynalite's
    # query cases, the conformance suite: test_query_scan_fidelity.py)
    ("range", {}, SAME_SIZE),
    ("range", {"sk": {"S": "1"}}, SAME_SIZE),
    ("range", {"pk": {"S": "a"}}, START_INVALID),
    ("range", {"pk": {"S": "a"}, "x": {"N": "1"}}, START_INVALID),
    ("range", {"pk": {"S": "a"}, "sk": {"S": "1"}, "x": {"S": "1"}}, START_INVALID),
    ("range", {"pk": {"S": "a"}, "sk": {"N": "1"}}, KEY_MISMATCH),
    ("range", {"pk": {"S": "a"}, "sk": {"B": b"a"}}, KEY_MISMATCH),
    ("range", {"pk": {"B": b"a"}, "sk": {"S": "a"}}, KEY_MISMATCH),
    ("hash", {}, SAME_SIZE),
    ("hash", {"sk": {"S": "a"}}, START_INVALID),
    ("hash", {"pk": {"S": "a"}, "sk": {"S": "a"}}, START_INVALID),
    ("hash", {"pk": {"N": "1"}}, KEY_MISMATCH),
    ("hash", {"pk": {"B": b"a"}}, KEY_MISMATCH),
])
def test_exclusive_start_key_invalid(ddb, tables, table_kind, esk, message):
    expect_error(ddb.query, message, TableName=tables[table_kind], KeyConditionExpression="pk = :p",
                 ExpressionAttributeValues={":p": {"S": "b"}}, ExclusiveStartKey=esk)


EXCLUSIVE_INVALID = "The provided exclusive start key is invalid: ExclusiveStartKey: "


@pytest.mark.parametrize("esk, shown", [
    ({"pk": {"S": "b"}}, "{pk=AttributeValue: {S:b}}"),  # the partition's one item
    ({"pk": {"S": "KPQ4X3JE19"}}, "{pk=AttributeValue: {S:KPQ4X3JE19}}"),  # no such item, as recorded
])
def test_exclusive_start_key_on_a_hash_only_table(ddb, tables, esk, shown):
    """A hash-only table's partition is its one item, so a Query of it cannot be restarted:
    DynamoDB refuses a well-formed start key whole, echoing it as a Java map (ScyllaDB's
    test_query.py, commit c049992a93: "... ExclusiveStartKey: {p=AttributeValue: {S:KPQ4X3JE19}}").
    ddbd answered an empty page."""
    for params in ({"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "b"}}},
                   {"KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "b"}]}}}):
        expect_error(ddb.query, EXCLUSIVE_INVALID + shown, TableName=tables["hash"], ExclusiveStartKey=esk, **params)


def test_hash_only_query_hands_out_no_start_key(ddb, tables, make_table):
    """The page that holds a hash-only partition's item is its last, even at Limit 1: no
    LastEvaluatedKey the next call would be refused with, so a paginator stops; a Scan of the same
    table and a Query of a hash-only GSI still page."""
    resp = body(ddb.query(TableName=tables["hash"], KeyConditionExpression="pk = :p", Limit=1,
                          ExpressionAttributeValues={":p": {"S": "b"}}))
    assert resp == {"Items": [{"pk": {"S": "b"}, "x": {"S": "b"}}], "Count": 1, "ScannedCount": 1}
    pages = list(ddb.get_paginator("query").paginate(
        TableName=tables["hash"], KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "b"}},
        PaginationConfig={"PageSize": 1}))
    assert [p["Count"] for p in pages] == [1]
    scan = ddb.scan(TableName=tables["hash"], Limit=1)
    assert "LastEvaluatedKey" in scan
    scan = ddb.scan(TableName=tables["hash"], Limit=1, ExclusiveStartKey=scan["LastEvaluatedKey"])
    assert scan["Count"] == 1
    # an index's partition holds many items: its pages go on from a start key
    name = make_table(AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                            {"AttributeName": "g", "AttributeType": "S"}],
                      GlobalSecondaryIndexes=[{"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                               "Projection": {"ProjectionType": "ALL"}}])
    batch_put(ddb, name, [{"pk": {"S": s}, "g": {"S": "same"}} for s in ("a", "b")])
    first = ddb.query(TableName=name, IndexName="byg", KeyConditionExpression="g = :g", Limit=1,
                      ExpressionAttributeValues={":g": {"S": "same"}})
    rest = ddb.query(TableName=name, IndexName="byg", KeyConditionExpression="g = :g", Limit=1,
                     ExpressionAttributeValues={":g": {"S": "same"}}, ExclusiveStartKey=first["LastEvaluatedKey"])
    assert sorted(i["pk"]["S"] for i in first["Items"] + rest["Items"]) == ["a", "b"]


@pytest.mark.parametrize("condition, values, message", [
    ("pk = :a", {":a": {"S": "b"}},
     "The provided starting key is outside query boundaries based on provided conditions"),
    ("pk = :a AND sk > :a", {":a": {"S": "b"}},
     "The provided starting key does not match the range key predicate"),
    ("pk = :a AND sk < :a", {":a": {"S": "b"}},
     "The query can return at most one row and cannot be restarted"),
    ("pk = :a AND begins_with(sk, :b)", {":a": {"S": "a"}, ":b": {"S": "b"}},
     "The provided starting key does not match the range key predicate"),
    ("pk = :a AND sk BETWEEN :b AND :c", {":a": {"S": "a"}, ":b": {"S": "b"}, ":c": {"S": "c"}},
     "The provided starting key does not match the range key predicate"),
])
def test_exclusive_start_key_outside_conditions(ddb, tables, condition, values, message):
    expect_error(ddb.query, message, TableName=tables["range"], KeyConditionExpression=condition,
                 ExpressionAttributeValues=values,
                 ExclusiveStartKey={"pk": {"S": "a"}, "sk": {"S": "a"}})


def test_exclusive_start_key_outside_conditions_legacy(ddb, tables):
    conds = {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "b"}]}}
    esk = {"pk": {"S": "a"}, "sk": {"S": "a"}}
    expect_error(ddb.query, "The provided starting key is outside query boundaries based on provided conditions",
                 TableName=tables["range"], KeyConditions=conds, ExclusiveStartKey=esk)
    conds["sk"] = {"ComparisonOperator": "GT", "AttributeValueList": [{"S": "a"}]}
    expect_error(ddb.query, "The provided starting key does not match the range key predicate",
                 TableName=tables["range"], KeyConditions=conds, ExclusiveStartKey=esk)


def test_exclusive_start_key_checked_after_table_exists(ddb):
    expect_error(ddb.query, "Requested resource not found", code="ResourceNotFoundException",
                 TableName=unique_name("q_missing"), KeyConditionExpression="z = :a",
                 ExpressionAttributeValues={":a": {"N": "1"}}, ExclusiveStartKey={"b": {"S": "a"}})


# ---------------------------------------------------------------------------------------------
# Key condition errors
# ---------------------------------------------------------------------------------------------

NOT_SUPPORTED = "Query key condition not supported"
TYPE_MISMATCH = INVALID + "Condition parameter type does not match schema type"


@pytest.mark.parametrize("table_kind, condition, values, message", [
    ("N", "sk = :n", {":n": {"N": "1"}}, "Query condition missed key schema element: pk"),
    ("N", "pk = :p AND x = :n", {":p": {"S": "p"}, ":n": {"N": "1"}},
     "Query condition missed key schema element: sk"),
    ("N", "pk = :n", {":n": {"N": "1"}}, TYPE_MISMATCH),
    ("N", "pk = :p AND sk = :s", {":p": {"S": "p"}, ":s": {"S": "1"}}, TYPE_MISMATCH),
    ("N", "pk = :p AND sk BETWEEN :s AND :n", {":p": {"S": "p"}, ":s": {"N": "5"}, ":n": {"N": "1"}},
     "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or "
     "equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: "
     "AttributeValue: {N:1}"),
    ("S", "pk = :p AND sk BETWEEN :b AND :a", {":p": {"S": "p"}, ":a": {"S": "a"}, ":b": {"S": "b"}},
     "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or "
     "equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound operand: "
     "AttributeValue: {S:a}"),
    ("S", "pk = :p AND sk BETWEEN :b AND :n", {":p": {"S": "p"}, ":b": {"N": "1"}, ":n": {"S": "a"}},
     "Invalid KeyConditionExpression: The BETWEEN operator requires same data type for lower and upper "
     "bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}"),
    ("N", "pk = :p AND begins_with(sk, :n)", {":p": {"S": "p"}, ":n": {"N": "1"}},
     "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or "
     "function: begins_with, operand type: N"),
    ("hash", "pk = :p AND x = :p", {":p": {"S": "a"}}, NOT_SUPPORTED),
    ("hash", "pk > :p", {":p": {"S": "a"}}, NOT_SUPPORTED),
    ("hash", ":p <= pk", {":p": {"S": "a"}}, NOT_SUPPORTED),
    ("hash", "begins_with(pk, :p)", {":p": {"S": "a"}}, NOT_SUPPORTED),
    ("hash", "pk BETWEEN :p AND :p", {":p": {"S": "a"}}, NOT_SUPPORTED),
    ("hash", "y = :p and z = :p", {":p": {"S": "a"}}, NOT_SUPPORTED),
    ("hash", ":p > pk", {":p": {"N": "1"}}, TYPE_MISMATCH),
])
def test_key_condition_schema_errors(ddb, tables, table_kind, condition, values, message):
    expect_error(ddb.query, message, TableName=tables[table_kind], KeyConditionExpression=condition,
                 ExpressionAttributeValues=values)


# These are checked before the table is looked up, so any table shows them (dynalite's recorded cases).
@pytest.mark.parametrize("condition, values, message", [
    ("", None, "Invalid KeyConditionExpression: The expression can not be empty;"),
    ("pk = :nope", None,
     "Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; "
     "attribute value: :nope"),
    ("#nope = :p", {":p": {"S": "a"}},
     "Invalid KeyConditionExpression: An expression attribute name used in the document path is not "
     "defined; attribute name: #nope"),
    ("pk = :p AND status = :p", {":p": {"S": "a"}},
     "Invalid KeyConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"),
    ("a > b and size(b) > c or a > c", None, "Invalid operator used in KeyConditionExpression: OR"),
    ("a in (b, size(c), d)", None, "Invalid operator used in KeyConditionExpression: IN"),
    ("attribute_exists(a)", None, "Invalid operator used in KeyConditionExpression: attribute_exists"),
    ("attribute_not_exists(a)", None, "Invalid operator used in KeyConditionExpression: attribute_not_exists"),
    ("contains(a.d, b)", None, "Invalid operator used in KeyConditionExpression: contains"),
    ("not a > b", None, "Invalid operator used in KeyConditionExpression: NOT"),
    ("a <> b", None, "Invalid operator used in KeyConditionExpression: <>"),
    ("attribute_type(a, :a)", {":a": {"S": "S"}}, "Invalid operator used in KeyConditionExpression: attribute_type"),
    (":a between size(b) and size(a) and b > :b", {":a": {"S": "1"}, ":b": {"S": "1"}},
     "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its "
     "first operand"),
    ("begins_with(:a, b) and a > :b", {":a": {"S": "1"}, ":b": {"S": "1"}},
     "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as "
     "its first operand"),
    ("size(b) > a AND a.b > b AND b > c", None, "KeyConditionExpressions cannot contain nested operations"),
    ("a > size(b.d)", None, "KeyConditionExpressions cannot contain nested operations"),
    ("b > a.b", None, "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"),
    ("begins_with(a, b)", None, "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"),
    ("b.d > a AND c.d > e.f", None, "KeyConditionExpressions cannot have conditions on nested attributes"),
    ("b[0] > a", None, "KeyConditionExpressions cannot have conditions on nested attributes"),
    (":b > :a AND a < :b", {":a": {"N": "1"}, ":b": {"N": "1"}},
     "Invalid condition in KeyConditionExpression: No key attribute specified"),
    # these two as AWS words them since 2026 (paritysuite's captures; dynalite had the older forms)
    ("b > :a AND b < :a and c = :a and d = :a", {":a": {"N": "1"}},
     "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key"),
    (":a = a and b = :a and :a = c", {":a": {"S": "a"}},
     "The number of query conditions (3) exceeds the number of key attributes defined in the schema (2)"),
])
def test_key_condition_expression_errors(ddb, tables, condition, values, message):
    params = {"TableName": tables["range"], "KeyConditionExpression": condition}
    if values:
        params["ExpressionAttributeValues"] = values
    expect_error(ddb.query, message, **params)


@pytest.mark.parametrize("condition", ["things are not gonna be ok", "a > 4", "(size(a))[0] > a", "pk = "])
def test_key_condition_syntax_error(ddb, tables, condition):
    with pytest.raises(ClientError) as excinfo:
        ddb.query(TableName=tables["range"], KeyConditionExpression=condition)
    assert_client_error(excinfo, "ValidationException", ANY)
    assert excinfo.value.response["Error"]["Message"].startswith("Invalid KeyConditionExpression: Syntax error; ")


def eq(value):
    return {"ComparisonOperator": "EQ", "AttributeValueList": [value]}


@pytest.mark.parametrize("table_kind, conditions, message", [
    ("hash", {"pk": {"ComparisonOperator": "NE", "AttributeValueList": [{"S": "a"}]}},
     "Attempted conditional constraint is not an indexable operation"),
    ("hash", {"pk": {"ComparisonOperator": "NULL"}}, "Attempted conditional constraint is not an indexable operation"),
    ("hash", {"pk": {"ComparisonOperator": "IN", "AttributeValueList": [{"S": "a"}]}},
     "Attempted conditional constraint is not an indexable operation"),
    ("range", {"pk": eq({"S": "a"}), "sk": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "a"}]}},
     "Attempted conditional constraint is not an indexable operation"),
    ("range", {"pk": eq({"S": "a"}), "sk": {"ComparisonOperator": "NOT_NULL"}},
     "Attempted conditional constraint is not an indexable operation"),
    ("hash", {"pk": {"ComparisonOperator": "GT", "AttributeValueList": [{"S": "a"}]}}, NOT_SUPPORTED),
    ("hash", {"pk": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "a"}]}}, NOT_SUPPORTED),
    ("hash", {"pk": eq({"S": "a"}), "x": eq({"S": "a"})}, NOT_SUPPORTED),
    ("range", {"sk": eq({"S": "a"})}, "Query condition missed key schema element: pk"),
    ("range", {"pk": eq({"N": "1"})}, TYPE_MISMATCH),
    ("N", {"pk": eq({"S": "p"}), "sk": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"N": "1"}]}},
     INVALID + "ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"),
    ("range", {"pk": eq({"S": "a"}), "sk": {"ComparisonOperator": "BETWEEN",
                                            "AttributeValueList": [{"S": "b"}, {"S": "a"}]}},
     "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"),
    ("range", {"pk": {"ComparisonOperator": "EQ"}},
     INVALID + "Invalid number of argument(s) for the EQ ComparisonOperator"),
    ("range", {"pk": eq({"S": "a"}), "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"S": "a"}]}},
     INVALID + "Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
    ("range", {}, "Conditions can be of length 1 or 2 only"),
    ("range", {"pk": eq({"S": "a"}), "sk": eq({"S": "a"}), "x": eq({"S": "a"})},
     "Conditions can be of length 1 or 2 only"),
])
def test_legacy_key_conditions_errors(ddb, tables, table_kind, conditions, message):
    expect_error(ddb.query, message, TableName=tables[table_kind], KeyConditions=conditions)


def test_neither_key_conditions_nor_expression(ddb, tables):
    expect_error(ddb.query, "Either the KeyConditions or KeyConditionExpression parameter must be specified "
                 "in the request.", TableName=tables["range"])


def test_key_conditions_and_expression_together(ddb, tables):
    expect_error(ddb.query, "Can not use both expression and non-expression parameters in the same request: "
                 "Non-expression parameters: {KeyConditions} Expression parameters: {KeyConditionExpression}",
                 TableName=tables["range"], KeyConditions={"pk": eq({"S": "a"})},
                 KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}})


@pytest.mark.parametrize("table_kind, filter_expression, key", [
    ("range", "sk = :b", "sk"),
    ("range", "attribute_exists(sk.c) AND c = :b", "sk"),
    ("range", "sk[1] = :b", "sk"),
    ("range", "pk = :b", "pk"),
    ("range", "x = :b OR pk = :b", "pk"),
    ("hash", "pk = :b", "pk"),
])
def test_filter_expression_on_key_attribute(ddb, tables, table_kind, filter_expression, key):
    expect_error(ddb.query, "Filter Expression can only contain non-primary key attributes: Primary key "
                 "attribute: " + key, TableName=tables[table_kind], KeyConditionExpression="pk = :a",
                 FilterExpression=filter_expression,
                 ExpressionAttributeValues={":a": {"S": "1"}, ":b": {"N": "1"}})


@pytest.mark.parametrize("table_kind, key", [("range", "sk"), ("range", "pk"), ("hash", "pk")])
def test_query_filter_on_key_attribute(ddb, tables, table_kind, key):
    expect_error(ddb.query, "QueryFilter can only contain non-primary key attributes: Primary key attribute: "
                 + key, TableName=tables[table_kind], KeyConditions={"pk": eq({"S": "a"})},
                 QueryFilter={key: eq({"S": "a"})})


# ---------------------------------------------------------------------------------------------
# Parameter validation, missing tables and indexes
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("params, message", [
    ({"Limit": 0}, PREFIX + "Value at 'Limit' failed to satisfy constraint: Member must have value "
     "greater than or equal to 1"),
    ({"Limit": -1}, PREFIX + "Value at 'Limit' failed to satisfy constraint: Member must have value "
     "greater than or equal to 1"),
    ({"ReturnConsumedCapacity": "hi"}, PREFIX + "Value 'hi' at 'returnConsumedCapacity' failed to satisfy "
     "constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"),
    ({"Select": "hi"}, PREFIX + "Value 'hi' at 'select' failed to satisfy constraint: Member must satisfy "
     "enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]"),
    ({"IndexName": "a;"}, "2 validation errors detected: Value 'a;' at 'indexName' failed to satisfy "
     "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'a;' at "
     "'indexName' failed to satisfy constraint: Member must have length greater than or equal to 3"),
])
def test_parameter_validation(ddb, tables, params, message):
    expect_error(ddb.query, message, TableName=tables["range"], KeyConditionExpression="pk = :a",
                 ExpressionAttributeValues={":a": {"S": "a"}}, **params)


def test_missing_table(ddb):
    expect_error(ddb.query, "Requested resource not found", code="ResourceNotFoundException",
                 TableName=unique_name("q_missing"), KeyConditionExpression="pk = :a",
                 ExpressionAttributeValues={":a": {"S": "a"}})


def test_unknown_index(ddb, tables):
    expect_error(ddb.query, "The table does not have the specified index: whatever",
                 TableName=tables["range"], IndexName="whatever", KeyConditionExpression="pk = :a",
                 ExpressionAttributeValues={":a": {"S": "a"}})



def test_key_condition_boolean_value_fails_the_schema_check(ddb, tables):
    # the expression form answers a BOOL (a type no key has) with the schema check, as AWS does
    # (paritysuite's queryKeyConditionOperands, captured October 2026)
    expect_error(ddb.query, "One or more parameter values were invalid: Condition parameter type does not match "
                 "schema type", TableName=tables["range"], KeyConditionExpression="pk = :p AND sk = :v",
                 ExpressionAttributeValues={":p": {"S": "q"}, ":v": {"BOOL": True}})
