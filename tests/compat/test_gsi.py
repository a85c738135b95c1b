"""Global secondary indexes: DescribeTable's index fields, Query and Scan with IndexName (key
conditions, order, Limit paging, filters, Select and projections, parallel scan) and DynamoDB's
exact errors for index reads.

Evidence for the texts (DynamoDB's own, not DynamoDB Local's where they differ):
- "Consistent reads are not supported on global secondary indexes", "The table does not have the
  specified index: X", "Query condition missed key schema element: X" (with the index key that is
  missing, also when the condition names the table's sort key instead of the index's), "Select type
  ALL_ATTRIBUTES is not supported for global secondary index X because its projection type is not
  ALL" and "Filter Expression can only contain non-primary key attributes: Primary key attribute: X":
  architect/dynalite test/query.js (recorded against DynamoDB) and user reports of DynamoDB errors.
  DynamoDB Local words two of them differently ("Consistent read cannot be true when querying a
  GSI", and "Query condition missed key schema element" without the name); these tests follow
  DynamoDB.
- "Global secondary index X does not project [a, b]": localstack#478 (DynamoDB's answer) and DynamoDB
  Local agree.
- LastEvaluatedKey of an index read holds the index keys and the table's primary key; Query and
  Scan on an index return the projected attributes by default (ALL_PROJECTED_ATTRIBUTES).
- PAY_PER_REQUEST GSIs report ProvisionedThroughput {0, 0, NumberOfDecreasesToday 0}; IndexArn is
  the table ARN + "/index/<name>" (ScyllaDB alternator tests verified against DynamoDB).

Ties: items with equal index keys all come back; their relative order is not pinned (DynamoDB does
not document it), but each page boundary must be consistent (every entry exactly once).
"""
from decimal import Decimal

import pytest

from conftest import body, expect_error, unique_name
from index_helpers import (  # noqa: F401  (ddb is a fixture)
    CONSISTENT_GSI, INVALID, Schema, all_items, batch_write, create_indexed_table, ddb,
    delete_quietly, filter_key, gsi, missed_key, multiset, no_index, not_projected, puts,
    read_units, select_all_gsi, size_of, strip_describe, table_params, wait_table_active)

N_ITEMS = 120
LABELS = ["apple", "apricot", "banana", "blueberry", "cherry", "ap", "b", "\u00e9clair"]


def make_item(i):
    it = {"pk": {"S": "p%02d" % (i // 10)}, "sk": {"S": "s%02d" % (i % 10)},
          "color": {"S": "col%d" % (i % 4)}, "extra": {"S": "e%d" % i}, "v": {"N": str(i)}}
    if i % 11 != 0:
        it["cat"] = {"S": "c%d" % (i % 3)}
    if i % 13 != 5:
        it["num"] = {"N": str(i % 17 - 5)}  # -5..11, with ties inside a category
    if i % 5 != 4:
        it["weight"] = {"S": "w%d" % (i % 6)}
    if i % 9 != 8:
        it["label"] = {"S": LABELS[i % len(LABELS)] + str(i % 3)}
    if i % 2 == 0:
        it["tag"] = {"S": "t%d" % (i % 7)}
    return it


ITEMS = [make_item(i) for i in range(N_ITEMS)]

GSIS = [
    gsi("by_cat_num", ("cat", "S"), ("num", "N")),
    gsi("by_cat_num_keys", ("cat", "S"), ("num", "N"), projection="KEYS_ONLY"),
    gsi("by_cat_num_incl", ("cat", "S"), ("num", "N"), projection="INCLUDE",
        non_key=["color", "weight"]),
    gsi("by_cat_label", ("cat", "S"), ("label", "S")),
    gsi("by_tag", ("tag", "S"), projection="KEYS_ONLY"),
]


@pytest.fixture(scope="module")
def gt(ddb):
    """The shared GSI table: 120 items in 12 partitions; every index sparse in some way."""
    name = unique_name("gsi")
    params = table_params(name, ("pk", "S"), ("sk", "S"), gsis=GSIS)
    create_indexed_table(ddb, params)
    batch_write(ddb, name, puts(ITEMS))
    schema = Schema(params)
    schema.name = name
    yield schema
    delete_quietly(ddb, name)


def sort_value(value):
    (kind, v), = value.items()
    return Decimal(v) if kind == "N" else v.encode("utf-8") if kind == "S" else bytes(v)


def expected_query(schema, index, hash_value, pred=lambda v: True, forward=True):
    """Entries of `index` under `hash_value` whose range value satisfies pred, in index order
    (ties kept together, in no particular order)."""
    keys = schema.index_keys(index)
    entries = [e for e in schema.entries(index, ITEMS) if e[keys[0]] == hash_value]
    if len(keys) == 2:
        entries = [e for e in entries if pred(sort_value(e[keys[1]]))]
        entries.sort(key=lambda e: sort_value(e[keys[1]]), reverse=not forward)
    return entries


def assert_index_order(schema, index, items, forward=True):
    keys = schema.index_keys(index)
    if len(keys) < 2:
        return
    values = [sort_value(it[keys[1]]) for it in items]
    assert values == sorted(values, reverse=not forward), values


def assert_same_entries(got, expected):
    assert len(got) == len(expected)
    assert multiset(got) == multiset(expected)


def q(cat="c1"):
    return {"KeyConditionExpression": "cat = :c", "ExpressionAttributeValues": {":c": {"S": cat}}}


# ---------------------------------------------------------------------------------------------
# DescribeTable
# ---------------------------------------------------------------------------------------------

def expected_gsi_description(desc, ix, throughput=(0, 0), count=0, size=0):
    want = {"IndexName": ix["IndexName"], "KeySchema": ix["KeySchema"],
            "Projection": ix["Projection"], "IndexStatus": "ACTIVE",
            "ProvisionedThroughput": {"ReadCapacityUnits": throughput[0],
                                      "WriteCapacityUnits": throughput[1],
                                      "NumberOfDecreasesToday": 0},
            "IndexSizeBytes": size, "ItemCount": count,
            "IndexArn": desc["TableArn"] + "/index/" + ix["IndexName"]}
    return want


def test_describe_on_demand_gsis(ddb):
    """Hash-only and hash+range GSIs with each projection type; PAY_PER_REQUEST reports zero
    throughput for every index. NonKeyAttributes are given in sorted order (DynamoDB reports them
    sorted by name)."""
    name = unique_name("gsi_desc")
    gsis = [gsi("keys_only", ("h", "S"), projection="KEYS_ONLY"),
            gsi("include", ("h", "S"), ("r", "N"), projection="INCLUDE", non_key=["a", "b"]),
            gsi("everything", ("r", "N"), ("h", "S"))]
    params = table_params(name, ("pk", "S"), gsis=gsis)
    try:
        created = ddb.create_table(**params)["TableDescription"]
        # (DynamoDB has been seen to list the indexes of a CREATING table in another order.)
        by_name = {g["IndexName"]: g for g in created["GlobalSecondaryIndexes"]}
        assert sorted(by_name) == ["everything", "include", "keys_only"]
        for ix in params["GlobalSecondaryIndexes"]:
            got = strip_describe(by_name[ix["IndexName"]])
            assert got.pop("IndexStatus") in ("CREATING", "ACTIVE")
            want = expected_gsi_description(created, ix)
            del want["IndexStatus"]
            assert got == want
        desc = wait_table_active(ddb, name)
        assert "LocalSecondaryIndexes" not in desc
        # DescribeTable lists the indexes in the order CreateTable gave them (DynamoDB Local
        # does not).
        assert [strip_describe(g) for g in desc["GlobalSecondaryIndexes"]] == [
            expected_gsi_description(desc, ix) for ix in params["GlobalSecondaryIndexes"]]
        assert {d["AttributeName"]: d["AttributeType"] for d in desc["AttributeDefinitions"]} == {
            "pk": "S", "h": "S", "r": "N"}
    finally:
        delete_quietly(ddb, name)


def test_describe_provisioned_gsi_throughput(ddb):
    name = unique_name("gsi_prov")
    params = table_params(name, ("pk", "S"), billing="PROVISIONED", throughput=(2, 3), gsis=[
        gsi("gsi1", ("a", "S"), throughput=(4, 6)),
        gsi("gsi2", ("b", "B"), ("a", "S"), projection="KEYS_ONLY", throughput=(1, 1))])
    try:
        create_indexed_table(ddb, params)
        desc = ddb.describe_table(TableName=name)["Table"]
        assert desc["ProvisionedThroughput"]["ReadCapacityUnits"] == 2
        assert [strip_describe(g) for g in desc["GlobalSecondaryIndexes"]] == [
            expected_gsi_description(desc, params["GlobalSecondaryIndexes"][0], (4, 6)),
            expected_gsi_description(desc, params["GlobalSecondaryIndexes"][1], (1, 1))]
    finally:
        delete_quietly(ddb, name)


def test_describe_counts_and_sizes_follow_the_index_contents(ddb):
    """ItemCount and IndexSizeBytes count the index entries (table keys + index keys + projected
    attributes). DynamoDB refreshes them about every six hours; ddbd keeps them exact, and this
    test pins the exact values."""
    name = unique_name("gsi_count")
    params = table_params(name, ("pk", "S"), ("sk", "S"), gsis=[
        gsi("all", ("g", "S")), gsi("keys", ("g", "S"), ("r", "S"), projection="KEYS_ONLY"),
        gsi("incl", ("r", "S"), projection="INCLUDE", non_key=["x"])])
    schema = Schema(params)
    try:
        create_indexed_table(ddb, params)
        items = {}
        for i in range(40):
            it = {"pk": {"S": "p%d" % (i % 4)}, "sk": {"S": "s%02d" % i}, "x": {"S": "x" * i},
                  "y": {"S": "why"}}
            if i % 3:
                it["g"] = {"S": "g%d" % (i % 5)}
            if i % 4:
                it["r"] = {"S": "r%d" % i}
            items[(it["pk"]["S"], it["sk"]["S"])] = it
        batch_write(ddb, name, puts(list(items.values())))

        def check():
            desc = ddb.describe_table(TableName=name)["Table"]
            assert desc["ItemCount"] == len(items)
            assert desc["TableSizeBytes"] == sum(size_of(it) for it in items.values())
            for g in desc["GlobalSecondaryIndexes"]:
                entries = schema.entries(g["IndexName"], items.values())
                assert (g["IndexName"], g["ItemCount"], g["IndexSizeBytes"]) == (
                    g["IndexName"], len(entries), sum(size_of(e) for e in entries))

        check()
        # Move items out of, into and within the indexes, and delete some.
        for i in range(0, 40, 6):
            key = {"pk": {"S": "p%d" % (i % 4)}, "sk": {"S": "s%02d" % i}}
            it = items[(key["pk"]["S"], key["sk"]["S"])]
            if "g" in it:
                ddb.update_item(TableName=name, Key=key, UpdateExpression="REMOVE g")
                del it["g"]
            else:
                ddb.update_item(TableName=name, Key=key, UpdateExpression="SET g = :g, x = :x",
                                ExpressionAttributeValues={":g": {"S": "new"}, ":x": {"S": "longer" * 9}})
                it["g"], it["x"] = {"S": "new"}, {"S": "longer" * 9}
        for i in (1, 2, 3):
            key = {"pk": {"S": "p%d" % (i % 4)}, "sk": {"S": "s%02d" % i}}
            ddb.delete_item(TableName=name, Key=key)
            del items[(key["pk"]["S"], key["sk"]["S"])]
        check()
    finally:
        delete_quietly(ddb, name)


# ---------------------------------------------------------------------------------------------
# Query: key conditions and order
# ---------------------------------------------------------------------------------------------

NUM_CONDITIONS = [
    (None, {}, lambda v: True),
    ("num = :a", {":a": {"N": "3"}}, lambda v: v == 3),
    ("num = :a", {":a": {"N": "3.0"}}, lambda v: v == 3),
    ("num < :a", {":a": {"N": "0"}}, lambda v: v < 0),
    ("num <= :a", {":a": {"N": "-1"}}, lambda v: v <= -1),
    ("num > :a", {":a": {"N": "7"}}, lambda v: v > 7),
    ("num >= :a", {":a": {"N": "11"}}, lambda v: v >= 11),
    ("num BETWEEN :a AND :b", {":a": {"N": "-2"}, ":b": {"N": "4.5"}}, lambda v: -2 <= v <= 4.5),
    (":a < num", {":a": {"N": "9"}}, lambda v: v > 9),
    ("num > :a", {":a": {"N": "100"}}, lambda v: False),
]


@pytest.mark.parametrize("forward", [True, False], ids=["fwd", "rev"])
@pytest.mark.parametrize("index", ["by_cat_num", "by_cat_num_keys", "by_cat_num_incl"])
@pytest.mark.parametrize("cond, values, pred", NUM_CONDITIONS,
                         ids=[c[0] or "all" for c in NUM_CONDITIONS])
def test_query_number_sort_key(ddb, gt, index, cond, values, pred, forward):
    params = q("c1")
    if cond:
        params["KeyConditionExpression"] += " AND " + cond
        params["ExpressionAttributeValues"].update(values)
    resp = body(ddb.query(TableName=gt.name, IndexName=index, ScanIndexForward=forward, **params))
    expected = expected_query(gt, index, {"S": "c1"}, pred, forward)
    assert resp["Count"] == resp["ScannedCount"] == len(expected)
    assert set(resp) == {"Items", "Count", "ScannedCount"}
    assert_index_order(gt, index, resp["Items"], forward)
    assert_same_entries(resp["Items"], expected)


STR_CONDITIONS = [
    ("begins_with(label, :a)", {":a": {"S": "ap"}}, lambda v: v.startswith(b"ap")),
    ("begins_with(label, :a)", {":a": {"S": "b"}}, lambda v: v.startswith(b"b")),
    ("begins_with(label, :a)", {":a": {"S": "\u00e9"}}, lambda v: v.startswith("\u00e9".encode())),
    ("label BETWEEN :a AND :b", {":a": {"S": "apricot"}, ":b": {"S": "blue"}},
     lambda v: b"apricot" <= v <= b"blue"),
    ("label < :a", {":a": {"S": "b"}}, lambda v: v < b"b"),
    ("label >= :a", {":a": {"S": "cherry1"}}, lambda v: v >= b"cherry1"),
    ("label = :a", {":a": {"S": "banana2"}}, lambda v: v == b"banana2"),
]


@pytest.mark.parametrize("forward", [True, False], ids=["fwd", "rev"])
@pytest.mark.parametrize("cat", ["c0", "c2"])
@pytest.mark.parametrize("cond, values, pred", STR_CONDITIONS, ids=[c[0] + str(i) for i, c in enumerate(STR_CONDITIONS)])
def test_query_string_sort_key(ddb, gt, cat, cond, values, pred, forward):
    params = q(cat)
    params["KeyConditionExpression"] += " AND " + cond
    params["ExpressionAttributeValues"].update(values)
    resp = body(ddb.query(TableName=gt.name, IndexName="by_cat_label", ScanIndexForward=forward, **params))
    expected = expected_query(gt, "by_cat_label", {"S": cat}, pred, forward)
    assert resp["Count"] == len(expected)
    assert_index_order(gt, "by_cat_label", resp["Items"], forward)
    assert_same_entries(resp["Items"], expected)


def test_query_legacy_key_conditions(ddb, gt):
    resp = body(ddb.query(TableName=gt.name, IndexName="by_cat_num", KeyConditions={
        "cat": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "c2"}]},
        "num": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "0"}, {"N": "5"}]}}))
    expected = expected_query(gt, "by_cat_num", {"S": "c2"}, lambda v: 0 <= v <= 5)
    assert_index_order(gt, "by_cat_num", resp["Items"])
    assert_same_entries(resp["Items"], expected)


def test_query_hash_only_index_returns_every_item_with_that_key(ddb, gt):
    for t in range(7):
        resp = body(ddb.query(TableName=gt.name, IndexName="by_tag", KeyConditionExpression="tag = :t",
                              ExpressionAttributeValues={":t": {"S": "t%d" % t}}))
        expected = expected_query(gt, "by_tag", {"S": "t%d" % t})
        assert len(expected) > 1
        assert resp["Count"] == len(expected)
        assert_same_entries(resp["Items"], expected)
    resp = body(ddb.query(TableName=gt.name, IndexName="by_tag", KeyConditionExpression="tag = :t",
                          ExpressionAttributeValues={":t": {"S": "t9"}}))
    assert resp == {"Items": [], "Count": 0, "ScannedCount": 0}


def test_query_unknown_hash_value_and_sparse_items(ddb, gt):
    resp = body(ddb.query(TableName=gt.name, IndexName="by_cat_num", **q("nope")))
    assert resp == {"Items": [], "Count": 0, "ScannedCount": 0}
    # Items without cat or without num are in no by_cat_num* index.
    found = set()
    for cat in ("c0", "c1", "c2"):
        for it in ddb.query(TableName=gt.name, IndexName="by_cat_num_keys", **q(cat))["Items"]:
            found.add((it["pk"]["S"], it["sk"]["S"]))
    want = {(it["pk"]["S"], it["sk"]["S"]) for it in ITEMS if "cat" in it and "num" in it}
    assert found == want
    assert len(want) < N_ITEMS


# ---------------------------------------------------------------------------------------------
# Limit and paging
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("forward", [True, False], ids=["fwd", "rev"])
@pytest.mark.parametrize("index", ["by_cat_num", "by_cat_num_keys", "by_cat_label", "by_tag"])
def test_query_limit_pages(ddb, gt, index, forward):
    """Every page but the last is exactly `limit` entries with LastEvaluatedKey = the index keys and
    table keys of its last entry; concatenated pages hold every entry once, in index order."""
    hash_attr = gt.index_keys(index)[0]
    value = {"S": "t2"} if index == "by_tag" else {"S": "c0"}
    params = {"TableName": gt.name, "IndexName": index, "ScanIndexForward": forward,
              "KeyConditionExpression": "%s = :h" % hash_attr,
              "ExpressionAttributeValues": {":h": value}}
    expected = expected_query(gt, index, value, forward=forward)
    n = len(expected)
    assert n >= 4
    for limit in sorted({1, 2, 3, 7, n - 1, n, n + 1}):
        pages, start, got = [], None, []
        while True:
            p = dict(params, Limit=limit)
            if start:
                p["ExclusiveStartKey"] = start
            page = body(ddb.query(**p))
            pages.append(page)
            got.extend(page["Items"])
            start = page.get("LastEvaluatedKey")
            if not start:
                break
            assert page["Count"] == page["ScannedCount"] == limit
            assert start == gt.last_key(index, page["Items"][-1]), "limit %d" % limit
            assert len(pages) <= n + 2
        assert len(pages) == n // limit + 1, (limit, [len(p["Items"]) for p in pages])
        assert_index_order(gt, index, got, forward)
        assert_same_entries(got, expected)


def test_last_evaluated_key_holds_index_and_table_keys(ddb, gt):
    resp = ddb.query(TableName=gt.name, IndexName="by_cat_num_keys", Limit=2, **q("c2"))
    assert set(resp["LastEvaluatedKey"]) == {"cat", "num", "pk", "sk"}
    resp = ddb.query(TableName=gt.name, IndexName="by_tag", Limit=1, KeyConditionExpression="tag = :t",
                     ExpressionAttributeValues={":t": {"S": "t0"}})
    assert set(resp["LastEvaluatedKey"]) == {"tag", "pk", "sk"}
    resp = ddb.scan(TableName=gt.name, IndexName="by_cat_label", Limit=3)
    assert set(resp["LastEvaluatedKey"]) == {"cat", "label", "pk", "sk"}


def test_exclusive_start_key_in_the_middle_of_ties(ddb, gt):
    """Resuming after any entry of a run of equal index keys returns exactly the entries after it."""
    full = ddb.query(TableName=gt.name, IndexName="by_cat_num", **q("c1"))["Items"]
    for i, it in enumerate(full):
        rest = ddb.query(TableName=gt.name, IndexName="by_cat_num",
                         ExclusiveStartKey=gt.last_key("by_cat_num", it), **q("c1"))["Items"]
        assert rest == full[i + 1:], i


def test_boto3_paginator_on_index(ddb, gt):
    pages = list(ddb.get_paginator("query").paginate(
        TableName=gt.name, IndexName="by_cat_num_incl", PaginationConfig={"PageSize": 4}, **q("c0")))
    items = [it for p in pages for it in p["Items"]]
    assert_same_entries(items, expected_query(gt, "by_cat_num_incl", {"S": "c0"}))


# ---------------------------------------------------------------------------------------------
# Filters, Select, projections
# ---------------------------------------------------------------------------------------------

def test_filter_expression(ddb, gt):
    resp = body(ddb.query(TableName=gt.name, IndexName="by_cat_num", FilterExpression="color = :k",
                          KeyConditionExpression="cat = :c",
                          ExpressionAttributeValues={":c": {"S": "c1"}, ":k": {"S": "col2"}}))
    everything = expected_query(gt, "by_cat_num", {"S": "c1"})
    expected = [e for e in everything if e["color"] == {"S": "col2"}]
    assert resp["ScannedCount"] == len(everything)
    assert resp["Count"] == len(expected) > 0
    assert_same_entries(resp["Items"], expected)


def test_filter_on_table_key_is_allowed_on_a_gsi(ddb, gt):
    resp = ddb.query(TableName=gt.name, IndexName="by_cat_num", FilterExpression="pk = :p",
                     KeyConditionExpression="cat = :c",
                     ExpressionAttributeValues={":c": {"S": "c1"}, ":p": {"S": "p03"}})
    expected = [e for e in expected_query(gt, "by_cat_num", {"S": "c1"}) if e["pk"] == {"S": "p03"}]
    assert_same_entries(resp["Items"], expected)


@pytest.mark.parametrize("expr, attr", [("num > :n", "num"), ("cat = :c2", "cat"),
                                        ("attribute_exists(num)", "num")])
def test_filter_on_index_key_is_refused(ddb, gt, expr, attr):
    values = {":c": {"S": "c1"}}
    if ":n" in expr:
        values[":n"] = {"N": "1"}
    if ":c2" in expr:
        values[":c2"] = {"S": "c1"}
    expect_error(ddb.query, filter_key(attr), TableName=gt.name, IndexName="by_cat_num",
                 KeyConditionExpression="cat = :c", FilterExpression=expr,
                 ExpressionAttributeValues=values)


@pytest.mark.parametrize("index, select", [
    ("by_cat_num_keys", None), ("by_cat_num_keys", "ALL_PROJECTED_ATTRIBUTES"),
    ("by_cat_num_incl", None), ("by_cat_num_incl", "ALL_PROJECTED_ATTRIBUTES"),
    ("by_cat_num", None), ("by_cat_num", "ALL_PROJECTED_ATTRIBUTES"), ("by_cat_num", "ALL_ATTRIBUTES"),
])
def test_select_projected_attributes(ddb, gt, index, select):
    """An index read returns the projected attributes unless told otherwise: KEYS_ONLY gives table
    and index keys, INCLUDE adds its NonKeyAttributes, ALL gives whole items."""
    extra = {"Select": select} if select else {}
    items = ddb.query(TableName=gt.name, IndexName=index, **extra, **q("c2"))["Items"]
    assert_same_entries(items, expected_query(gt, index, {"S": "c2"}))
    wanted = {"by_cat_num_keys": {"pk", "sk", "cat", "num"},
              "by_cat_num_incl": {"pk", "sk", "cat", "num", "color", "weight"}}.get(index)
    if wanted:
        assert set().union(*(set(it) for it in items)) == wanted


def test_select_all_attributes_on_a_non_all_gsi_is_refused(ddb, gt):
    for index in ("by_cat_num_keys", "by_cat_num_incl", "by_tag"):
        hash_attr = gt.index_keys(index)[0]
        expect_error(ddb.query, select_all_gsi(index), TableName=gt.name, IndexName=index,
                     Select="ALL_ATTRIBUTES", KeyConditionExpression="%s = :c" % hash_attr,
                     ExpressionAttributeValues={":c": {"S": "c1"}})
        expect_error(ddb.scan, select_all_gsi(index), TableName=gt.name, IndexName=index,
                     Select="ALL_ATTRIBUTES")


def test_select_specific_attributes(ddb, gt):
    for params in ({"ProjectionExpression": "color, pk"},
                   {"ProjectionExpression": "#c, pk", "ExpressionAttributeNames": {"#c": "color"},
                    "Select": "SPECIFIC_ATTRIBUTES"}):
        items = ddb.query(TableName=gt.name, IndexName="by_cat_num_incl", **params, **q("c0"))["Items"]
        expected = [{"pk": e["pk"], "color": e["color"]}
                    for e in expected_query(gt, "by_cat_num_incl", {"S": "c0"})]
        assert_same_entries(items, expected)
    items = ddb.query(TableName=gt.name, IndexName="by_cat_num_keys", ProjectionExpression="num",
                      **q("c0"))["Items"]
    assert sorted(sort_value(it["num"]) for it in items) == sorted(
        sort_value(e["num"]) for e in expected_query(gt, "by_cat_num_keys", {"S": "c0"}))
    assert all(set(it) == {"num"} for it in items)


@pytest.mark.parametrize("index, projection, missing", [
    ("by_cat_num_keys", "extra", ["extra"]),
    ("by_cat_num_keys", "color, pk, weight", ["color", "weight"]),
    ("by_cat_num_incl", "color, v", ["v"]),
    ("by_tag", "cat", ["cat"]),
])
def test_projection_of_unprojected_attributes_is_refused(ddb, gt, index, projection, missing):
    """A GSI cannot fetch from the table; DynamoDB names the unprojected attributes in request
    order."""
    hash_attr = gt.index_keys(index)[0]
    value = {"S": "t1"} if index == "by_tag" else {"S": "c1"}
    expect_error(ddb.query, not_projected(index, missing), TableName=gt.name, IndexName=index,
                 ProjectionExpression=projection, KeyConditionExpression="%s = :h" % hash_attr,
                 ExpressionAttributeValues={":h": value})
    expect_error(ddb.scan, not_projected(index, missing), TableName=gt.name, IndexName=index,
                 ProjectionExpression=projection)


def test_select_count(ddb, gt):
    expected = expected_query(gt, "by_cat_num_incl", {"S": "c1"}, lambda v: v >= 0)
    resp = body(ddb.query(TableName=gt.name, IndexName="by_cat_num_incl", Select="COUNT",
                          KeyConditionExpression="cat = :c AND num >= :z",
                          ExpressionAttributeValues={":c": {"S": "c1"}, ":z": {"N": "0"}}))
    assert resp == {"Count": len(expected), "ScannedCount": len(expected)}
    resp = body(ddb.scan(TableName=gt.name, IndexName="by_tag", Select="COUNT"))
    n = len(gt.entries("by_tag", ITEMS))
    assert resp == {"Count": n, "ScannedCount": n}


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------

def test_query_on_table_key_with_index_name(ddb, gt):
    expect_error(ddb.query, missed_key("cat"), TableName=gt.name, IndexName="by_cat_num",
                 KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p01"}})
    expect_error(ddb.query, missed_key("tag"), TableName=gt.name, IndexName="by_tag",
                 KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p01"}})
    # Two conditions can never fit a hash-only key schema (dynalite's recorded texts).
    for expr in ("pk = :p AND sk = :s", "tag = :p AND sk = :s"):
        expect_error(ddb.query, "Query key condition not supported", TableName=gt.name, IndexName="by_tag",
                     KeyConditionExpression=expr,
                     ExpressionAttributeValues={":p": {"S": "p01"}, ":s": {"S": "s01"}})


def test_query_on_index_hash_and_table_sort_key(ddb, gt):
    expect_error(ddb.query, missed_key("num"), TableName=gt.name, IndexName="by_cat_num",
                 KeyConditionExpression="cat = :c AND sk = :s",
                 ExpressionAttributeValues={":c": {"S": "c1"}, ":s": {"S": "s01"}})


def test_query_on_index_range_key_only(ddb, gt):
    expect_error(ddb.query, missed_key("cat"), TableName=gt.name, IndexName="by_cat_num",
                 KeyConditionExpression="num = :n", ExpressionAttributeValues={":n": {"N": "1"}})


def test_query_condition_type_must_match_index_key(ddb, gt):
    expect_error(ddb.query, INVALID + "Condition parameter type does not match schema type",
                 TableName=gt.name, IndexName="by_cat_num", KeyConditionExpression="cat = :c",
                 ExpressionAttributeValues={":c": {"N": "1"}})


@pytest.mark.parametrize("call", ["query", "scan"])
def test_consistent_read_on_gsi_is_refused(ddb, gt, call):
    params = dict(TableName=gt.name, IndexName="by_cat_num", ConsistentRead=True)
    if call == "query":
        params.update(q("c1"))
    expect_error(getattr(ddb, call), CONSISTENT_GSI, **params)
    # ConsistentRead=false is fine.
    params["ConsistentRead"] = False
    getattr(ddb, call)(**params)


@pytest.mark.parametrize("call", ["query", "scan"])
def test_unknown_index(ddb, gt, call):
    params = dict(TableName=gt.name, IndexName="by_nothing")
    if call == "query":
        params.update(q("c1"))
    expect_error(getattr(ddb, call), no_index("by_nothing"), **params)
    # Index names are case-sensitive.
    params["IndexName"] = "BY_TAG"
    expect_error(getattr(ddb, call), no_index("BY_TAG"), **params)


def test_index_name_on_a_table_without_indexes(ddb, make_table):
    table = make_table()
    expect_error(ddb.query, no_index("idx"), TableName=table, IndexName="idx",
                 KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}})
    expect_error(ddb.scan, no_index("idx"), TableName=table, IndexName="idx")


# ---------------------------------------------------------------------------------------------
# Scan
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("index", [g["IndexName"] for g in GSIS])
def test_scan_returns_every_entry_once(ddb, gt, index):
    items, _ = all_items(ddb.scan, {"TableName": gt.name, "IndexName": index})
    assert_same_entries(items, gt.entries(index, ITEMS))


@pytest.mark.parametrize("index", ["by_cat_num", "by_tag"])
@pytest.mark.parametrize("limit", [1, 7, 50])
def test_scan_limit_pages(ddb, gt, index, limit):
    expected = gt.entries(index, ITEMS)
    n = len(expected)
    got, start, pages = [], None, 0
    while True:
        p = {"TableName": gt.name, "IndexName": index, "Limit": limit}
        if start:
            p["ExclusiveStartKey"] = start
        page = ddb.scan(**p)
        pages += 1
        got.extend(page["Items"])
        start = page.get("LastEvaluatedKey")
        if not start:
            break
        assert page["Count"] == limit
        assert start == gt.last_key(index, page["Items"][-1])
    assert pages == n // limit + 1
    assert_same_entries(got, expected)


@pytest.mark.parametrize("index", ["by_cat_num_incl", "by_tag"])
@pytest.mark.parametrize("total", [1, 2, 3, 4, 7])
def test_parallel_scan_covers_every_entry_once(ddb, gt, index, total):
    got = []
    for segment in range(total):
        items, _ = all_items(ddb.scan, {"TableName": gt.name, "IndexName": index, "Limit": 5,
                                        "Segment": segment, "TotalSegments": total})
        got.extend(items)
    assert_same_entries(got, gt.entries(index, ITEMS))


def test_scan_filter_and_projection_on_index(ddb, gt):
    resp = body(ddb.scan(TableName=gt.name, IndexName="by_cat_num_incl", FilterExpression="weight = :w",
                         ProjectionExpression="pk, sk, weight",
                         ExpressionAttributeValues={":w": {"S": "w3"}}))
    everything = gt.entries("by_cat_num_incl", ITEMS)
    expected = [{k: e[k] for k in ("pk", "sk", "weight")} for e in everything
                if e.get("weight") == {"S": "w3"}]
    assert resp["ScannedCount"] == len(everything)
    assert resp["Count"] == len(expected) > 0
    assert_same_entries(resp["Items"], expected)


def test_scan_consumed_capacity_counts_index_entries(ddb, gt):
    """A Scan of a KEYS_ONLY index reads the (small) index entries, not the items."""
    entries = gt.entries("by_tag", ITEMS)
    resp = ddb.scan(TableName=gt.name, IndexName="by_tag", ReturnConsumedCapacity="INDEXES")
    units = read_units(sum(size_of({k: v for k, v in e.items()}) for e in entries))
    assert resp["ConsumedCapacity"] == {
        "TableName": gt.name, "CapacityUnits": units, "Table": {"CapacityUnits": 0.0},
        "GlobalSecondaryIndexes": {"by_tag": {"CapacityUnits": units}}}
