"""Scan: Limit paging, filters (FilterExpression and legacy ScanFilter), projections, Select,
consumed capacity, parallel scan (Segment/TotalSegments) and DynamoDB's exact validation errors.

Texts are DynamoDB's own (architect/dynalite's test/scan.js, recorded against DynamoDB; moto's
aws_verified Select tests: Scan reports the Select/projection conflicts without the
'1 validation error detected: ' envelope that Query puts around them).
"""
import pytest
from botocore.exceptions import ClientError

from conftest import (ANY, STORE_ARGS, all_pages, assert_client_error, batch_put, body, create_table_params,
                      expect_error, make_client, padded_item, raw_request, unique_name)

PREFIX = "1 validation error detected: "
INVALID = "One or more parameter values were invalid: "
START_INVALID = "The provided starting key is invalid"
KEY_MISMATCH = "The provided key element does not match the schema"
N_ITEMS = 500
# RADOS keeps no block cache to overflow: its large-item pages need only a few pages' worth (each
# item is a few RADOS round trips and three replicas' memory on the test cluster)
LARGE_ITEMS = 40 if "--backend rados" in STORE_ARGS else 150


def make_item(i):
    return {"pk": {"S": "k%04d" % i}, "v": {"N": str(i)}, "even": {"BOOL": i % 2 == 0},
            "x": {"S": "x%d" % i}, "tag": {"SS": ["all", "t%d" % (i % 3)]}}  # sets come back in byte order


def pk_list(items):
    return [it["pk"]["S"] for it in items]


@pytest.fixture(scope="module")
def tables(ddb):
    """'big': 500 items k0000..k0499; 'range': 10 partitions x 10 sort keys; 'empty'; 'cap': 10 items of
    exactly 1000 bytes."""
    names = {k: unique_name("s_" + k) for k in ("big", "range", "empty", "cap")}
    ddb.create_table(**create_table_params(names["big"], ("pk", "S")))
    ddb.create_table(**create_table_params(names["range"], ("pk", "S"), ("sk", "N")))
    ddb.create_table(**create_table_params(names["empty"], ("pk", "S")))
    ddb.create_table(**create_table_params(names["cap"], ("pk", "S")))
    batch_put(ddb, names["big"], [make_item(i) for i in range(N_ITEMS)])
    batch_put(ddb, names["range"], [{"pk": {"S": "p%d" % p}, "sk": {"N": str(s)}, "x": {"N": str(p * 10 + s)}}
                                    for p in range(10) for s in range(10)])
    batch_put(ddb, names["cap"], [padded_item({"pk": {"S": "c%d" % i}}, 1000) for i in range(10)])
    yield names
    for name in names.values():
        ddb.delete_table(TableName=name)


@pytest.fixture(scope="module")
def full_order(ddb, tables):
    """The order of one unpaged-as-far-as-possible Scan of 'big' (pages of 1 MB)."""
    items = [it for page in all_pages(ddb.scan, {"TableName": tables["big"]}) for it in page["Items"]]
    return items


# ---------------------------------------------------------------------------------------------
# Full scans and paging
# ---------------------------------------------------------------------------------------------

def test_scan_returns_every_item_once(ddb, tables, full_order):
    assert len(full_order) == N_ITEMS
    assert sorted(pk_list(full_order)) == ["k%04d" % i for i in range(N_ITEMS)]
    by_pk = {it["pk"]["S"]: it for it in full_order}
    assert all(by_pk["k%04d" % i] == make_item(i) for i in range(N_ITEMS))
    resp = body(ddb.scan(TableName=tables["big"]))
    assert resp == {"Items": full_order, "Count": N_ITEMS, "ScannedCount": N_ITEMS}


@pytest.mark.parametrize("limit", [1, 7, 100, 125, 250, 499, 500, 501])
def test_limit_pages(ddb, tables, full_order, limit):
    """Same order as an unpaged scan; pages of exactly `limit` with LastEvaluatedKey = the last item's
    key; an exactly full last page is followed by an empty page without LastEvaluatedKey."""
    pages = all_pages(ddb.scan, {"TableName": tables["big"], "Limit": limit})
    assert len(pages) == N_ITEMS // limit + 1
    for i, page in enumerate(pages[:-1]):
        chunk = full_order[i * limit:(i + 1) * limit]
        assert page == {"Items": chunk, "Count": limit, "ScannedCount": limit,
                        "LastEvaluatedKey": {"pk": chunk[-1]["pk"]}}, "page %d" % i
    rest = full_order[(N_ITEMS // limit) * limit:]
    assert pages[-1] == {"Items": rest, "Count": len(rest), "ScannedCount": len(rest)}


@pytest.mark.parametrize("page_size", [3, 50, 500])
def test_boto3_paginator(ddb, tables, full_order, page_size):
    paginator = ddb.get_paginator("scan")
    pages = list(paginator.paginate(TableName=tables["big"], PaginationConfig={"PageSize": page_size}))
    assert [it for page in pages for it in page["Items"]] == full_order
    assert len(pages) == N_ITEMS // page_size + 1
    assert "LastEvaluatedKey" not in pages[-1]
    built = paginator.paginate(TableName=tables["big"], PaginationConfig={"PageSize": page_size}).build_full_result()
    assert built["Count"] == built["ScannedCount"] == N_ITEMS


def test_range_table_last_evaluated_key_and_order(ddb, tables):
    pages = all_pages(ddb.scan, {"TableName": tables["range"], "Limit": 7})
    items = [it for page in pages for it in page["Items"]]
    assert sorted((it["pk"]["S"], int(it["sk"]["N"])) for it in items) == \
        [("p%d" % p, s) for p in range(10) for s in range(10)]
    for page in pages[:-1]:
        assert page["LastEvaluatedKey"] == {"pk": page["Items"][-1]["pk"], "sk": page["Items"][-1]["sk"]}
    # within a partition, items come in sort-key order
    for p in range(10):
        sks = [int(it["sk"]["N"]) for it in items if it["pk"]["S"] == "p%d" % p]
        assert sks == list(range(10))


def test_exclusive_start_key_of_a_deleted_item(ddb, make_table):
    """A start key need not belong to an existing item: the scan resumes just after its position."""
    table = make_table()
    batch_put(ddb, table, [make_item(i) for i in range(60)])
    order = pk_list([it for page in all_pages(ddb.scan, {"TableName": table}) for it in page["Items"]])
    first = body(ddb.scan(TableName=table, Limit=20))
    assert pk_list(first["Items"]) == order[:20]
    ddb.delete_item(TableName=table, Key=first["LastEvaluatedKey"])
    rest = [it for page in all_pages(ddb.scan, {"TableName": table, "ExclusiveStartKey": first["LastEvaluatedKey"]})
            for it in page["Items"]]
    assert pk_list(rest) == order[20:]


def test_pages_of_large_items_beyond_the_caches(ddb, make_table):
    """60 MB of 390 KB items, more than RocksDB's block cache holds: the blocks behind a page's
    last item are evicted while the page is read, and LastEvaluatedKey must still name it (it
    once pointed into freed memory and resumed at the wrong place, skipping items). On RADOS
    (LARGE_ITEMS) 15 MB: pages of two large items each."""
    table = make_table(range_key=("sk", "S"))
    keys = [("p%d" % (i % 4), "%03d" % i) for i in range(LARGE_ITEMS)]
    for pk, sk in keys:
        ddb.put_item(TableName=table, Item=padded_item({"pk": {"S": pk}, "sk": {"S": sk}}, 390 * 1024))

    def key_list(pages):
        return [(it["pk"]["S"], it["sk"]["S"]) for page in pages for it in page["Items"]]

    for _ in range(5):
        got = key_list(ddb.get_paginator("scan").paginate(TableName=table, ProjectionExpression="pk, sk"))
        assert sorted(got) == sorted(keys)
    for forward in (True, False):
        got = key_list(ddb.get_paginator("query").paginate(
            TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p1"}},
            ProjectionExpression="pk, sk", ScanIndexForward=forward))
        assert got == sorted((k for k in keys if k[0] == "p1"), reverse=not forward)


def test_empty_table(ddb, tables):
    assert body(ddb.scan(TableName=tables["empty"])) == {"Items": [], "Count": 0, "ScannedCount": 0}
    assert body(ddb.scan(TableName=tables["empty"], Limit=1)) == {"Items": [], "Count": 0, "ScannedCount": 0}
    resp = body(ddb.scan(TableName=tables["empty"], Segment=3, TotalSegments=4, Select="COUNT"))
    assert resp == {"Count": 0, "ScannedCount": 0}


# ---------------------------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("params, want", [
    ({"FilterExpression": "even = :t", "ExpressionAttributeValues": {":t": {"BOOL": True}}},
     lambda i: i % 2 == 0),
    ({"FilterExpression": "pk = :k", "ExpressionAttributeValues": {":k": {"S": "k0042"}}},
     lambda i: i == 42),
    ({"FilterExpression": "begins_with(pk, :k) AND v > :v",
      "ExpressionAttributeValues": {":k": {"S": "k01"}, ":v": {"N": "150"}}}, lambda i: 150 < i < 200),
    ({"FilterExpression": "#v BETWEEN :a AND :b OR contains(tag, :t)",
      "ExpressionAttributeNames": {"#v": "v"},
      "ExpressionAttributeValues": {":a": {"N": "10"}, ":b": {"N": "12"}, ":t": {"S": "t1"}}},
     lambda i: 10 <= i <= 12 or i % 3 == 1),
    ({"ScanFilter": {"even": {"ComparisonOperator": "EQ", "AttributeValueList": [{"BOOL": False}]}}},
     lambda i: i % 2 == 1),
    ({"ScanFilter": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "k0007"}]}}},
     lambda i: i == 7),
    ({"ScanFilter": {"v": {"ComparisonOperator": "LT", "AttributeValueList": [{"N": "5"}]},
                     "x": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "x499"}]}},
      "ConditionalOperator": "OR"}, lambda i: i < 5 or i == 499),
    ({"ScanFilter": {"v": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "490"}]},
                     "tag": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "t0"}]}},
      "ConditionalOperator": "AND"}, lambda i: i >= 490 and i % 3 == 0),
    ({"ScanFilter": {"tag": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"S": "all"}]}}},
     lambda i: False),
    ({"ScanFilter": {"v": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "3"}, {"N": "300"}]}}},
     lambda i: i in (3, 300)),
    ({"ScanFilter": {"nothing": {"ComparisonOperator": "NULL"}}}, lambda i: True),
], ids=["expr-bool", "expr-key", "expr-and", "expr-or-names", "legacy-bool", "legacy-key", "legacy-or",
        "legacy-and", "legacy-not-contains", "legacy-in", "legacy-null"])
def test_filters(ddb, tables, full_order, params, want):
    resp = body(ddb.scan(TableName=tables["big"], **params))
    expected = [it for it in full_order if want(int(it["v"]["N"]))]
    assert resp == {"Items": expected, "Count": len(expected), "ScannedCount": N_ITEMS}


@pytest.mark.parametrize("limit", [3, 9, 100, 250])
def test_filter_with_limit_counts_items_evaluated(ddb, tables, full_order, limit):
    pages = all_pages(ddb.scan, {"TableName": tables["big"], "Limit": limit, "FilterExpression": "v < :v",
                             "ExpressionAttributeValues": {":v": {"N": "50"}}})
    assert len(pages) == N_ITEMS // limit + 1
    for i, page in enumerate(pages):
        chunk = full_order[i * limit:(i + 1) * limit]
        matches = [it for it in chunk if int(it["v"]["N"]) < 50]
        want = {"Items": matches, "Count": len(matches), "ScannedCount": len(chunk)}
        if i < len(pages) - 1:
            want["LastEvaluatedKey"] = {"pk": chunk[-1]["pk"]}
        assert page == want, "page %d" % i


# ---------------------------------------------------------------------------------------------
# Projections and Select
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("params", [
    {"AttributesToGet": ["x", "v"]},
    {"AttributesToGet": ["x", "v"], "Select": "SPECIFIC_ATTRIBUTES"},
    {"ProjectionExpression": "x, v"},
    {"ProjectionExpression": "#x, v", "ExpressionAttributeNames": {"#x": "x"}, "Select": "SPECIFIC_ATTRIBUTES"},
], ids=["ATG", "ATG+SPECIFIC", "PE", "PE+names+SPECIFIC"])
def test_projection(ddb, tables, full_order, params):
    resp = body(ddb.scan(TableName=tables["big"], **params))
    assert resp["Items"] == [{"x": it["x"], "v": it["v"]} for it in full_order]
    assert resp["Count"] == resp["ScannedCount"] == N_ITEMS


def test_select_count(ddb, tables, full_order):
    assert body(ddb.scan(TableName=tables["big"], Select="COUNT")) == {"Count": N_ITEMS, "ScannedCount": N_ITEMS}
    resp = body(ddb.scan(TableName=tables["big"], Select="COUNT", Limit=10, FilterExpression="v < :v",
                         ExpressionAttributeValues={":v": {"N": "0"}}))
    assert resp == {"Count": 0, "ScannedCount": 10, "LastEvaluatedKey": {"pk": full_order[9]["pk"]}}


@pytest.mark.parametrize("params, message", [
    ({"Select": "ALL_ATTRIBUTES", "AttributesToGet": ["x"]},
     "Cannot specify the AttributesToGet when choosing to get ALL_ATTRIBUTES"),
    ({"Select": "ALL_ATTRIBUTES", "ProjectionExpression": "x"},
     "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES"),
    ({"Select": "COUNT", "AttributesToGet": ["x"]},
     "Cannot specify the AttributesToGet when choosing to get only the Count"),
    ({"Select": "COUNT", "ProjectionExpression": "x"},
     "Cannot specify the ProjectionExpression when choosing to get only the Count"),
    ({"Select": "ALL_PROJECTED_ATTRIBUTES", "ProjectionExpression": "x"},
     "Cannot specify the ProjectionExpression when choosing to get ALL_PROJECTED_ATTRIBUTES"),
    ({"Select": "ALL_PROJECTED_ATTRIBUTES"},
     "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"),
    ({"Select": "SPECIFIC_ATTRIBUTES"},
     "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"),
], ids=["ALL+ATG", "ALL+PE", "COUNT+ATG", "COUNT+PE", "PROJ+PE", "PROJ-no-index", "SPECIFIC-none"])
def test_select_projection_rules(ddb, tables, params, message):
    expect_error(ddb.scan, message, TableName=tables["big"], **params)


# ---------------------------------------------------------------------------------------------
# Consumed capacity: ceil(bytes read / 4096), halved unless ConsistentRead, at least one unit
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("table_kind, extra, units", [
    ("cap", {}, 3),                     # 10 x 1000 bytes
    ("cap", {"Limit": 4}, 1),           # 4000 bytes
    ("cap", {"Limit": 5}, 2),           # 5000 bytes
    ("cap", {"Select": "COUNT"}, 3),
    ("cap", {"FilterExpression": "attribute_not_exists(p)"}, 3),
    ("cap", {"ProjectionExpression": "pk"}, 3),
    ("empty", {}, 1),
])
def test_consumed_capacity(ddb, tables, table_kind, extra, units):
    for consistent in (False, True):
        for rcc in ("TOTAL", "INDEXES"):
            resp = ddb.scan(TableName=tables[table_kind], ConsistentRead=consistent, ReturnConsumedCapacity=rcc,
                            **extra)
            want = {"TableName": tables[table_kind], "CapacityUnits": units if consistent else units / 2}
            if rcc == "INDEXES":
                want["Table"] = {"CapacityUnits": want["CapacityUnits"]}
            assert resp["ConsumedCapacity"] == want, (consistent, rcc)
    assert "ConsumedCapacity" not in ddb.scan(TableName=tables[table_kind], ReturnConsumedCapacity="NONE", **extra)


# ---------------------------------------------------------------------------------------------
# Parallel scan
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("total, limit", [(1, None), (2, None), (3, None), (7, None), (1000, None),
                                          (2, 60), (3, 17), (7, 10)])
def test_segments_partition_the_table(ddb, tables, total, limit):
    """Every item is in exactly one segment, whatever TotalSegments; paging stays in the segment."""
    seen = {}
    for segment in range(total):
        params = {"TableName": tables["big"], "Segment": segment, "TotalSegments": total}
        if limit:
            params["Limit"] = limit
        pages = all_pages(ddb.scan, params)
        for page in pages[:-1]:
            assert page["Count"] == page["ScannedCount"] == limit
        for page in pages:
            for it in page["Items"]:
                assert it["pk"]["S"] not in seen, "%s in segments %d and %d" % (it["pk"]["S"], seen[it["pk"]["S"]], segment)
                seen[it["pk"]["S"]] = segment
    assert sorted(seen) == ["k%04d" % i for i in range(N_ITEMS)]


def test_segments_are_stable_and_spread(ddb, tables):
    """The same segment returns the same items every time, and 7 segments over 500 items are not
    all empty but one."""
    counts = []
    for segment in range(7):
        a = ddb.scan(TableName=tables["big"], Segment=segment, TotalSegments=7)["Items"]
        b = ddb.scan(TableName=tables["big"], Segment=segment, TotalSegments=7)["Items"]
        assert a == b
        counts.append(len(a))
    assert sum(counts) == N_ITEMS
    assert sum(1 for c in counts if c) >= 4, counts


def test_segments_of_range_table(ddb, tables):
    seen = []
    for segment in range(3):
        for page in all_pages(ddb.scan, {"TableName": tables["range"], "Segment": segment, "TotalSegments": 3,
                                     "Limit": 4}):
            seen += [(it["pk"]["S"], int(it["sk"]["N"])) for it in page["Items"]]
    assert sorted(seen) == [("p%d" % p, s) for p in range(10) for s in range(10)]


@pytest.mark.parametrize("segment, total", [(0, 1000000), (999999, 1000000), (123456, 1000000)])
def test_largest_total_segments(ddb, tables, segment, total):
    resp = body(ddb.scan(TableName=tables["big"], Segment=segment, TotalSegments=total, Select="COUNT"))
    assert resp["ScannedCount"] == resp["Count"] <= 2


def test_exclusive_start_key_from_another_segment(ddb, tables):
    items = ddb.scan(TableName=tables["big"], Segment=1, TotalSegments=2)["Items"]
    assert items
    expect_error(ddb.scan, START_INVALID + ": Invalid ExclusiveStartKey. Please use ExclusiveStartKey with "
                 "correct Segment. TotalSegments: 2 Segment: 0", TableName=tables["big"], Segment=0,
                 TotalSegments=2, FilterExpression="attribute_exists(x)", ExclusiveStartKey={"pk": items[0]["pk"]})
    seven = [ddb.scan(TableName=tables["big"], Segment=s, TotalSegments=7)["Items"] for s in range(7)]
    src = next(s for s in range(7) if seven[s])
    dst = (src + 3) % 7
    expect_error(ddb.scan, START_INVALID + ": Invalid ExclusiveStartKey. Please use ExclusiveStartKey with "
                 "correct Segment. TotalSegments: 7 Segment: %d" % dst, TableName=tables["big"], Segment=dst,
                 TotalSegments=7, ExclusiveStartKey={"pk": seven[src][0]["pk"]})


@pytest.mark.parametrize("params, message", [
    ({"Segment": 1}, "The TotalSegments parameter is required but was not present in the request when "
     "Segment parameter is present"),
    ({"TotalSegments": 1}, "The Segment parameter is required but was not present in the request when "
     "parameter TotalSegments is present"),
    ({"Segment": 1, "TotalSegments": 1}, "The Segment parameter is zero-based and must be less than parameter "
     "TotalSegments: Segment: 1 is not less than TotalSegments: 1"),
    ({"Segment": 7, "TotalSegments": 3}, "The Segment parameter is zero-based and must be less than parameter "
     "TotalSegments: Segment: 7 is not less than TotalSegments: 3"),
    ({"Segment": 0, "TotalSegments": 1000001}, PREFIX + "Value '1000001' at 'totalSegments' failed to satisfy "
     "constraint: Member must have value less than or equal to 1000000"),
    ({"Segment": 0, "TotalSegments": 0}, PREFIX + "Value '0' at 'totalSegments' failed to satisfy constraint: "
     "Member must have value greater than or equal to 1"),
    ({"Segment": -1, "TotalSegments": 2}, PREFIX + "Value '-1' at 'segment' failed to satisfy constraint: "
     "Member must have value greater than or equal to 0"),
    ({"Segment": 1000000, "TotalSegments": 1000000}, PREFIX + "Value '1000000' at 'segment' failed to satisfy "
     "constraint: Member must have value less than or equal to 999999"),
    ({"Limit": 0}, PREFIX + "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater "
     "than or equal to 1"),
    ({"Select": "hi"}, PREFIX + "Value 'hi' at 'select' failed to satisfy constraint: Member must satisfy enum "
     "value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]"),
    ({"ConditionalOperator": "AN", "ScanFilter": {"x": {"ComparisonOperator": "NULL"}}},
     PREFIX + "Value 'AN' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum value "
     "set: [OR, AND]"),
])
def test_parameter_validation(ddb, tables, params, message):
    expect_error(ddb.scan, message, TableName=tables["big"], **params)


# ---------------------------------------------------------------------------------------------
# ExclusiveStartKey and filter errors, missing tables and indexes
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("table_kind, esk, message", [
    ("big", {}, START_INVALID + ": " + KEY_MISMATCH),
    ("big", {"x": {"S": "a"}}, START_INVALID + ": " + KEY_MISMATCH),
    ("big", {"pk": {"S": "a"}, "x": {"S": "a"}}, START_INVALID + ": " + KEY_MISMATCH),
    ("big", {"pk": {"N": "1"}}, START_INVALID + ": " + KEY_MISMATCH),
    ("big", {"pk": {"B": b"ab"}}, START_INVALID + ": " + KEY_MISMATCH),
    ("big", {"pk": {"SS": ["a"]}}, START_INVALID + ": " + KEY_MISMATCH),
    ("range", {"pk": {"S": "a"}}, START_INVALID + ": " + KEY_MISMATCH),
    ("range", {"pk": {"S": "a"}, "sk": {"S": "1"}}, START_INVALID + ": " + KEY_MISMATCH),
    ("range", {"pk": {"S": "a"}, "sk": {"N": "1"}, "z": {"N": "1"}}, START_INVALID + ": " + KEY_MISMATCH),
    ("big", {"pk": {}}, START_INVALID + ": Supplied AttributeValue is empty, must contain exactly one of the "
     "supported datatypes"),
    ("big", {"pk": {"S": "a", "N": "1"}}, START_INVALID + ": Supplied AttributeValue has more than one "
     "datatypes set, must contain exactly one of the supported datatypes"),
    ("big", {"pk": {"NULL": False}}, START_INVALID + ": " + INVALID + "Null attribute value types must have "
     "the value of true"),
])
def test_exclusive_start_key_invalid(ddb, tables, table_kind, esk, message):
    expect_error(ddb.scan, message, TableName=tables[table_kind], ExclusiveStartKey=esk)


@pytest.mark.parametrize("expression", ["attribute_exists(pk.b.c) and #a = b", "attribute_exists(#a.b.c)",
                                        "attribute_exists(#a[0])"])
def test_filter_on_nested_key_attribute(ddb, tables, expression):
    expect_error(ddb.scan, "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
                 "allowed: Key: pk", TableName=tables["big"], FilterExpression=expression,
                 ExpressionAttributeNames={"#a": "pk"})


def test_missing_table(ddb):
    for esk in ({}, {"b": {"S": "a"}}):
        expect_error(ddb.scan, "Requested resource not found", code="ResourceNotFoundException",
                     TableName=unique_name("s_missing"), ExclusiveStartKey=esk)
    expect_error(ddb.scan, "Requested resource not found", code="ResourceNotFoundException",
                 TableName=unique_name("s_missing"))


def test_unknown_index(ddb, tables):
    expect_error(ddb.scan, "The table does not have the specified index: whatever", TableName=tables["big"],
                 IndexName="whatever", FilterExpression="attribute_exists(a.b.c)")


@pytest.mark.parametrize("limit", ["1e1", "10.0", "10.9", "1.0E+1"])
def test_limit_spelled_with_exponent_or_fraction(endpoint, ddb, tables, limit):
    """A JSON number is a number however it is spelled: Limit 1e1 pages by 10 (ddbd once read 1)."""
    resp = raw_request(endpoint, "Scan", '{"TableName": "%s", "Limit": %s}' % (tables["big"], limit))
    assert resp.status == 200, resp.body
    assert resp.json()["Count"] == 10 and resp.json()["ScannedCount"] == 10
    resp = raw_request(endpoint, "Scan", '{"TableName": "%s", "Limit": 1e1, "Segment": 1e0, "TotalSegments": 2e0}'
                       % tables["big"])
    assert resp.status == 200, resp.body
    assert resp.json()["ScannedCount"] <= 10


# ---------------------------------------------------------------------------------------------
# Scan order: the same on every start and every machine (issue 52)
# ---------------------------------------------------------------------------------------------

# DynamoDB's partition hash (MD5 of "Outliers" and the key's bytes) since issue 62, so the order
# DynamoDB answers in: computed with dynalite's hashPrefix (test_scan_order.py says how). Before, it
# was SipHash-2-4 of the key form under ddbd's fixed key, which a data directory made then keeps.
PINNED_STRING_ORDER = ["k9", "k6", "k7", "k1", "k3", "k13", "k12", "k5", "k2", "k14", "k18", "k16", "k17", "k11",
                       "k15", "k10", "k19", "k0", "k4", "k8"]
PINNED_NUMBER_ORDER = ["7", "8", "10", "10", "3", "2", "14", "18", "12", "9", "4", "13", "16", "17", "6", "19", "1",
                       "0", "5", "15", "11"]


def scan_order(endpoint):
    """A fresh table of 20 string and 20 number partitions (and two sort keys under one), written in
    one order, and the keys one Scan answers them in."""
    ddb = make_client(endpoint)
    ddb.create_table(**create_table_params("order_s", ("pk", "S")))
    ddb.create_table(**create_table_params("order_n", ("pk", "N"), ("sk", "N")))
    for i in range(20):
        ddb.put_item(TableName="order_s", Item={"pk": {"S": "k%d" % i}})
        ddb.put_item(TableName="order_n", Item={"pk": {"N": str(i)}, "sk": {"N": "2"}})
    ddb.put_item(TableName="order_n", Item={"pk": {"N": "1e1"}, "sk": {"N": "1"}})
    return ([it["pk"]["S"] for it in ddb.scan(TableName="order_s")["Items"]],
            [(it["pk"]["N"], it["sk"]["N"]) for it in ddb.scan(TableName="order_n")["Items"]])


def test_scan_order_is_the_same_on_every_start_and_shard_count(server_factory, tmp_path):
    """The partition hash was keyed by a random value per data directory, so two --in-memory starts
    scanned the same 20 keys in different orders (1 chance in 20! of agreeing), which broke client
    libraries' tests that rely on DynamoDB's fixed order. Now every new store hashes as DynamoDB
    does (issue 62; issue 52 had a fixed SipHash key): the same order on every start, for any shard
    count (a machine's CPUs) and on disk, and the order pinned here, so a change of the hash (which
    users would see) is a decision, not an accident."""
    orders = []
    for args in (["--in-memory"], ["--in-memory"], ["--in-memory", "--shards", "3"],
                 ["--data-dir", str(tmp_path / "d"), "--shards", "2"]):
        srv = server_factory(args)
        orders.append(scan_order(srv.endpoint))
        srv.stop()
    assert orders[1:] == [orders[0]] * 3
    strings, numbers = orders[0]
    assert sorted(strings, key=lambda k: int(k[1:])) == ["k%d" % i for i in range(20)]
    assert strings == PINNED_STRING_ORDER
    assert [n for n, _ in numbers] == PINNED_NUMBER_ORDER
    # a partition's items are together, in sort-key order
    ten = numbers.index(("10", "1"))
    assert numbers[ten:ten + 2] == [("10", "1"), ("10", "2")]
