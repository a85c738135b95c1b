"""The 1 MB page of Query and Scan, byte for byte.

DynamoDB stops a page once the items evaluated so far (before the filter, before projection) reach
1 MB (1 048 576) in its internal measure, and the item that reaches it is part of the page; the page
then carries a LastEvaluatedKey, even when it happens to hold the table's last item (the next page
is empty and has none). The measure is the one architect/dynalite reverse-engineered from DynamoDB
(db/index.js: itemSize(item, compress=true, addMetaSize=true, rangeKey)), ported below as
page_size(); the cases in test_dynamodb_recorded_* are dynalite's own boundary cases that were
measured against DynamoDB (counts and capacity units), reproduced exactly.

Capacity units of a page: ceil(sum of DynamoDB item sizes / 4096), halved unless ConsistentRead.
"""
import math
import random
import string
from decimal import Decimal

import pytest

from conftest import all_pages, batch_put, body, create_table_params, padded_item, unique_name

MB = 1024 * 1024


# ---------------------------------------------------------------------------------------------
# DynamoDB's sizes (port of dynalite's db/index.js itemSize/valSizeWithStorage/valSize)
# ---------------------------------------------------------------------------------------------

def _big(n):
    """(significant digits, exponent, sign) of a number string, as Big.js holds it."""
    d = Decimal(n)
    if d == 0:
        return [0], 0, 1
    sign, digits, exp = d.as_tuple()
    digits = list(digits)
    while digits[0] == 0:
        digits.pop(0)
    e = len(digits) - 1 + exp
    while digits[-1] == 0:
        digits.pop()
    return digits, e, -1 if sign else 1


def _val_size(kind, v, compress):
    if kind == "S":
        return len(v.encode("utf-8"))
    if kind == "B":
        return len(v)
    if kind == "N":
        c, e, s = _big(v)
        if c == [0]:
            return 1
        return 1 + math.ceil(len(c) / 2) + (0 if (len(c) % 2 or e % 2) else 1) + (1 if s == -1 else 0)
    if kind in ("SS", "BS", "NS"):
        return sum(_val_size(kind[0], x, False) for x in v)
    if kind in ("NULL", "BOOL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + _stored_size(x, compress) for x in v)
    if kind == "M":
        return 3 + len(v) + _measure(v, compress)
    raise ValueError(kind)


def _stored_size(av, compress):
    (kind, v), = av.items()
    n = _val_size(kind, v, compress)
    if not compress:
        return n
    if kind == "S":
        return n + (1 if n < 128 else 2 if n < 16384 else 3)
    if kind in ("B", "N"):
        return n + 1
    if kind in ("SS", "BS", "NS"):
        return n + len(v) + 1
    if kind == "NULL":
        return 0
    if kind == "BOOL":
        return 1
    return n


def _measure(item, compress, add_meta=False, range_key=None):
    size, rk = 0, 0
    for name, av in item.items():
        s = _stored_size(av, compress and name != range_key)
        if compress and name == range_key:
            rk = s
            continue
        size += s + (1 if compress else len(name.encode("utf-8")))
    if not add_meta:
        return size
    return 2 + size + (1 + (1 + size) // 3072) * (18 + rk)


def page_size(item, range_key=None):
    """The item's contribution to the 1 MB page."""
    return _measure(item, True, True, range_key)


def item_size(item):
    """The item's size for capacity units (attribute names + values)."""
    return _measure(item, False)


def read_units(items, consistent=False):
    units = max(1, math.ceil(sum(item_size(it) for it in items) / 4096))
    return units if consistent else units / 2


def test_size_port_matches_dynalite_recorded_values():
    """Spot values of the port (see the module docstring for where they come from)."""
    assert page_size({"a": {"S": "x" * 10}, "b": {"S": "00"}, "e" * 255: {"S": "e" * 41645}}, "b") == 41943
    assert page_size({"a": {"S": "x" * 10}, "b": {"S": "00"}, "e": {"S": "e" * 43372}}, "b") == 43690
    assert item_size({"a": {"S": "x" * 10}, "b": {"N": "12.3456"}, "c": {"NS": ["1.23", "12.3"]}}) == 11 + 5 + 7
    assert [_val_size("N", n, False) for n in ("0", "-1", "1000", "12", "1.2", "-1.2", "12.3456")] == \
        [1, 3, 2, 2, 3, 4, 4]


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

def expected_pages(items, range_key, limit=None):
    """Splits `items` (in read order) into DynamoDB's pages: [(items, stopped_early), ...]."""
    pages, cur, size = [], [], 0
    for it in items:
        if (limit and len(cur) >= limit) or size >= MB:
            pages.append((cur, True))
            cur, size = [], 0
        cur.append(it)
        size += page_size(it, range_key)
    full = bool((limit and len(cur) >= limit) or size >= MB)
    pages.append((cur, full))
    if full:
        pages.append(([], False))
    return pages


def key_of(item, names):
    return {n: item[n] for n in names}


def check_pages(got, items, key_names, range_key, limit=None, units=True, consistent=False):
    want = expected_pages(items, range_key, limit)
    assert [p["ScannedCount"] for p in got] == [len(w) for w, _ in want]
    for i, (page, (chunk, stopped)) in enumerate(zip(got, want)):
        expect = {"Items": chunk, "Count": len(chunk), "ScannedCount": len(chunk)}
        if stopped:
            expect["LastEvaluatedKey"] = key_of(chunk[-1], key_names)
        cap = page.pop("ConsumedCapacity", None)
        assert page == expect, "page %d" % i
        if units:
            assert cap["CapacityUnits"] == read_units(chunk, consistent), "page %d" % i


def rand_id(n=10):
    return "".join(random.choice(string.ascii_lowercase) for _ in range(n))


@pytest.fixture(scope="module")
def query_table(ddb):
    name = unique_name("pg_q")
    ddb.create_table(**create_table_params(name, ("a", "S"), ("b", "S")))
    yield name
    ddb.delete_table(TableName=name)


@pytest.fixture
def fresh_table(ddb, make_table):
    """make_table's tables, for scans that must see only their own items."""
    return make_table


def scan_order(ddb, table):
    """The table's read order, from pages small enough (Limit 10) never to reach 1 MB here."""
    return [it for p in all_pages(ddb.scan, {"TableName": table, "Limit": 10, "ConsistentRead": True})
            for it in p["Items"]]


# ---------------------------------------------------------------------------------------------
# DynamoDB-recorded boundary cases (dynalite test/query.js and test/scan.js, measured against AWS)
# ---------------------------------------------------------------------------------------------

def recorded_query_items(case, hash_value):
    e = "e" * 41645
    e_attr = e[:255]
    if case == "under":
        return [{"a": {"S": hash_value}, "b": {"S": "%02d" % i}, e_attr: {"S": e}} for i in range(25)]
    if case == "over":
        items = [{"a": {"S": hash_value}, "b": {"S": "%02d" % i}, "e": {"S": e}} for i in range(25)]
        items[24]["e"] = {"S": "e" * 41646}
        return items
    e = "e" * 43372
    e_attr = e[:255]
    if case == "all":
        items = [{"a": {"S": hash_value}, "b": {"S": "%02d" % i}, e_attr: {"S": e}} for i in range(25)]
        items[23][e_attr] = {"S": "e" * 43387}
        items[24][e_attr] = {"S": "e" * 44999}
        return items
    items = [{"a": {"S": hash_value}, "b": {"S": "%02d" % i}, "e": {"S": e}} for i in range(25)]
    items[23]["e"] = {"S": "e" * 43388}
    items[24]["e"] = {"S": "e" * 44999}
    return items


@pytest.mark.parametrize("case, limit, count, units, last", [
    ("under", 26, 25, 128, None),   # 1 048 575: just under, no LastEvaluatedKey
    ("under", 25, 25, 128, 24),     # ... but Limit 25 stops there and says so
    ("over", None, 25, 127.5, 24),  # 1 048 576 exactly at the last item
    ("all", None, 25, 133.5, 24),   # under 1 MB after 24 items: the 25th is evaluated and ends the page
    ("one_less", None, 24, 127.5, 23),
])
def test_dynamodb_recorded_query_boundaries(ddb, query_table, case, limit, count, units, last):
    hash_value = rand_id()
    items = recorded_query_items(case, hash_value)
    batch_put(ddb, query_table, items)
    params = {"TableName": query_table, "KeyConditionExpression": "a = :a", "Select": "COUNT",
              "ExpressionAttributeValues": {":a": {"S": hash_value}}, "ReturnConsumedCapacity": "INDEXES"}
    if limit:
        params["Limit"] = limit
    resp = body(ddb.query(**params))
    want = {"Count": count, "ScannedCount": count,
            "ConsumedCapacity": {"CapacityUnits": units, "TableName": query_table, "Table": {"CapacityUnits": units}}}
    if last is not None:
        want["LastEvaluatedKey"] = {"a": items[last]["a"], "b": items[last]["b"]}
    assert resp == want
    if last is not None:
        params["ExclusiveStartKey"] = want["LastEvaluatedKey"]
        params["ReturnConsumedCapacity"] = "NONE"
        rest = body(ddb.query(**params))
        assert rest == {"Count": 24 - last, "ScannedCount": 24 - last}


def recorded_number_range_items(case, hash_value):
    e = "e" * 41638
    if case == "under":
        e_attr = e[:255]
        items = [{"a": {"S": hash_value}, "b": {"N": str(i)}, "c": {"S": "abcde"}, e_attr: {"S": e}}
                 for i in range(25)]
        items[24][e_attr] = {"S": "e" * 41652}
        return items
    items = [{"a": {"S": hash_value}, "b": {"N": str(i)}, "c": {"S": "abcde"}, "e": {"S": e}} for i in range(25)]
    items[24]["e"] = {"S": "e" * 41653}
    return items


@pytest.mark.parametrize("case, limit, units, lek", [("under", 26, 128, False), ("over", None, 127.5, True)])
def test_dynamodb_recorded_scan_number_range_table(ddb, make_table, case, limit, units, lek):
    table = make_table(("a", "S"), ("b", "N"))
    items = recorded_number_range_items(case, rand_id())
    batch_put(ddb, table, items)
    params = {"TableName": table, "Select": "COUNT", "ReturnConsumedCapacity": "INDEXES"}
    if limit:
        params["Limit"] = limit
    want = {"Count": 25, "ScannedCount": 25,
            "ConsumedCapacity": {"CapacityUnits": units, "TableName": table, "Table": {"CapacityUnits": units}}}
    if lek:
        want["LastEvaluatedKey"] = {"a": items[24]["a"], "b": items[24]["b"]}
    assert body(ddb.scan(**params)) == want


def recorded_scan_items(order, case):
    """dynalite's hash/range-table Scan cases: the 24th item read carries mixed types."""
    if case.startswith("range"):
        b = "b" * 43380
        cut = 43381 - (22 if case == "range_all" else 21)
        big_name = b[:255] if case == "range_all" else "z"
    else:
        b = "b" * 43411
        cut = 43412 - (46 if case in ("small_all", "large_all") else 45)
        big_name = b[:255] if case == "large_all" else "b"
    items = []
    for i, key in enumerate(order):
        it = dict(key)
        if i == 23:
            if case.startswith("range"):
                it.update({"z": {"S": b[:cut]}, "y": {"N": "12.3456"}, "x": {"B": b"\x01\x02"},
                           "w": {"SS": ["a", "bc"]}, "v": {"NS": ["1.23", "12.3"]},
                           "u": {"BS": [b"\x01\x02", b"\x02", b"\x01"]}})
            else:
                it.update({"b": {"S": b[:cut]}, "c": {"N": "12.3456"}, "d": {"B": b"\x01\x02"},
                           "e": {"SS": ["a", "bc"]}, "f": {"NS": ["1.23", "12.3"]},
                           "g": {"BS": [b"\x01\x02", b"\x02", b"\x01"]}})
        elif i == 24:
            it["z" if case.startswith("range") else "b"] = {"S": "b"}
        else:
            it[big_name] = {"S": b}
        items.append(it)
    return items


@pytest.mark.parametrize("case, count, units", [
    ("small_all", 25, 127.5), ("large_all", 25, 128), ("small_one_less", 24, 127.5),
    ("range_all", 25, 128), ("range_one_less", 24, 127.5)])
def test_dynamodb_recorded_scan_boundaries(ddb, make_table, case, count, units):
    if case.startswith("range"):
        table = make_table(("a", "S"), ("b", "S"))
        keys = [{"a": {"S": "%02d" % i}, "b": {"S": "%02d" % i}} for i in range(25)]
        key_names, range_key = ["a", "b"], "b"
    else:
        table = make_table(("a", "S"))
        keys = [{"a": {"S": "%02d" % i}} for i in range(25)]
        key_names, range_key = ["a"], None
    batch_put(ddb, table, keys)
    order = [key_of(it, key_names) for it in scan_order(ddb, table)]
    items = recorded_scan_items(order, case)
    batch_put(ddb, table, items)
    resp = body(ddb.scan(TableName=table, Select="COUNT", ReturnConsumedCapacity="TOTAL"))
    assert (resp["ScannedCount"], resp["Count"]) == (count, count)
    assert resp["ConsumedCapacity"] == {"CapacityUnits": units, "TableName": table}
    # by the measure the page reached 1 MB, so it says where to resume
    assert sum(page_size(it, range_key) for it in items[:count]) >= MB
    assert resp["LastEvaluatedKey"] == key_of(items[count - 1], key_names)


# ---------------------------------------------------------------------------------------------
# ~100 KB items: pages of ~10 items, every item exactly once, both directions, Scan too
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hundred_k(ddb):
    """Partition 'h' of a Query table and a separate Scan table, each with 43 items of 100 KiB."""
    qname, sname = unique_name("pg_100k_q"), unique_name("pg_100k_s")
    ddb.create_table(**create_table_params(qname, ("pk", "S"), ("sk", "S")))
    ddb.create_table(**create_table_params(sname, ("pk", "S")))
    qitems = [padded_item({"pk": {"S": "h"}, "sk": {"S": "%03d" % i}}, 100 * 1024) for i in range(43)]
    sitems = [padded_item({"pk": {"S": "s%03d" % i}}, 100 * 1024) for i in range(43)]
    batch_put(ddb, qname, qitems)
    batch_put(ddb, sname, sitems)
    yield {"query": qname, "scan": sname, "qitems": qitems}
    ddb.delete_table(TableName=qname)
    ddb.delete_table(TableName=sname)


@pytest.mark.parametrize("consistent", [False, True])
@pytest.mark.parametrize("forward", [True, False], ids=["fwd", "rev"])
def test_query_100k_items_page_at_1mb(ddb, hundred_k, forward, consistent):
    items = hundred_k["qitems"] if forward else hundred_k["qitems"][::-1]
    got = all_pages(ddb.query, {"TableName": hundred_k["query"], "KeyConditionExpression": "pk = :p",
                               "ExpressionAttributeValues": {":p": {"S": "h"}}, "ScanIndexForward": forward,
                               "ConsistentRead": consistent, "ReturnConsumedCapacity": "TOTAL"})
    assert [p["ScannedCount"] for p in got] == [11, 11, 11, 10]  # 102 420-byte pages: the 11th reaches 1 MB
    check_pages(got, items, ["pk", "sk"], "sk", consistent=consistent)


def test_query_1mb_page_with_smaller_limit_and_larger_limit(ddb, hundred_k):
    params = {"TableName": hundred_k["query"], "KeyConditionExpression": "pk = :p",
              "ExpressionAttributeValues": {":p": {"S": "h"}}, "ReturnConsumedCapacity": "TOTAL"}
    for limit in (4, 10, 11, 12, 43, 100):
        got = all_pages(ddb.query, dict(params, Limit=limit))
        check_pages(got, hundred_k["qitems"], ["pk", "sk"], "sk", limit=limit)


def test_query_boto3_paginator_over_1mb_pages(ddb, hundred_k):
    pages = list(ddb.get_paginator("query").paginate(
        TableName=hundred_k["query"], KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "h"}},
        ProjectionExpression="sk"))
    assert [p["Count"] for p in pages] == [11, 11, 11, 10]
    assert [it["sk"]["S"] for p in pages for it in p["Items"]] == ["%03d" % i for i in range(43)]


@pytest.mark.parametrize("consistent", [False, True])
def test_scan_100k_items_page_at_1mb(ddb, hundred_k, consistent):
    order = scan_order(ddb, hundred_k["scan"])
    assert sorted(it["pk"]["S"] for it in order) == ["s%03d" % i for i in range(43)]
    got = all_pages(ddb.scan, {"TableName": hundred_k["scan"], "ConsistentRead": consistent,
                              "ReturnConsumedCapacity": "TOTAL"})
    assert [p["ScannedCount"] for p in got] == [11, 11, 11, 10]
    check_pages(got, order, ["pk"], None, consistent=consistent)


def test_parallel_scan_segments_page_at_1mb(ddb, hundred_k):
    seen = []
    for segment in range(2):
        got = all_pages(ddb.scan, {"TableName": hundred_k["scan"], "Segment": segment, "TotalSegments": 2})
        for p in got[:-1]:
            assert p["ScannedCount"] == 11
        assert p["ScannedCount"] <= 11
        seen += [it["pk"]["S"] for p in got for it in p["Items"]]
    assert sorted(seen) == ["s%03d" % i for i in range(43)]


# ---------------------------------------------------------------------------------------------
# Exact byte boundaries, built with the measure (every attribute type, every sort-key type)
# ---------------------------------------------------------------------------------------------

def extras(i):
    """Attributes of every type, so every part of the measure is exercised."""
    return {
        "n": {"N": "-12.345"}, "n2": {"N": str(100 + i)}, "n0": {"N": "0"}, "bin": {"B": b"\x00\x01\x02\xff\xfe"},
        "t": {"BOOL": True}, "nul": {"NULL": True}, "ss": {"SS": ["a", "bb", "ccc"]},
        "ns": {"NS": ["1", "-2.5", "300"]}, "bs": {"BS": [b"\x01", b"\x02\x03"]},
        "l": {"L": [{"S": "x"}, {"N": "1"}, {"BOOL": False}, {"NULL": True}, {"M": {"k": {"S": "v"}}}]},
        "m": {"M": {"a": {"S": "a" * 130}, "b": {"N": "7"}, "c": {"L": [{"S": "y"}]}, "d": {"SS": ["q"]}}},
        "medium": {"S": "m" * 200},
    }


SORT_VALUES = {"S": lambda i: {"S": "k%03d" % i}, "N": lambda i: {"N": str(i * 7 - 50)},
               "B": lambda i: {"B": bytes([i, 255 - i])}}


def build_items(keys, range_key, boundary_index, boundary_total, count):
    """Items (with the given key dicts) whose cumulative page size is exactly `boundary_total` after
    item `boundary_index`, tuned through the padding attribute 'p' of that item and of item 0 (the
    measure jumps by 18+ bytes every 3072, so not every total is reachable from one item alone)."""
    def sized(i, n):
        return dict(keys[i], **extras(i), p={"S": "p" * n})

    per_item = boundary_total // (boundary_index + 1)
    base = per_item - (page_size(sized(0, per_item), range_key) - per_item)
    items = [sized(i, base) for i in range(count)]
    for shift in range(0, 200):
        items[0] = sized(0, base + shift)
        need = boundary_total - sum(page_size(it, range_key) for it in items[:boundary_index])
        lo, hi = 0, 2 * base
        while lo < hi:  # smallest padding whose page size reaches `need`
            mid = (lo + hi) // 2
            if page_size(sized(boundary_index, mid), range_key) < need:
                lo = mid + 1
            else:
                hi = mid
        if page_size(sized(boundary_index, lo), range_key) == need:
            items[boundary_index] = sized(boundary_index, lo)
            assert sum(page_size(it, range_key) for it in items[:boundary_index + 1]) == boundary_total
            return items
    raise AssertionError("could not tune the boundary")


BOUNDARIES = [
    # (items, boundary index, cumulative size there): where the first page must end
    (14, 10, MB, 10),          # exactly 1 MB at item 10: the page is items 0..10
    (14, 10, MB - 1, 11),      # one byte short: item 11 is evaluated too and ends the page
    (11, 10, MB, 10),          # exactly 1 MB at the last item: LastEvaluatedKey, then an empty page
    (11, 10, MB - 1, None),    # one byte short at the last item: one page, no LastEvaluatedKey
]


@pytest.mark.parametrize("sort_kind", ["S", "N", "B"])
@pytest.mark.parametrize("count, index, total, last", BOUNDARIES,
                         ids=["1MB-mid", "1MB-1-mid", "1MB-last", "1MB-1-last"])
def test_query_exact_byte_boundary(ddb, make_table, sort_kind, count, index, total, last):
    table = make_table(("pk", "S"), ("sk", sort_kind))
    keys = [{"pk": {"S": "x"}, "sk": SORT_VALUES[sort_kind](i)} for i in range(count)]
    items = build_items(keys, "sk", index, total, count)
    batch_put(ddb, table, items)
    got = all_pages(ddb.query, {"TableName": table, "KeyConditionExpression": "pk = :p",
                               "ExpressionAttributeValues": {":p": {"S": "x"}}, "Select": "COUNT"})
    first = got[0]
    if last is None:
        assert got == [{"Count": count, "ScannedCount": count}]
        return
    assert first == {"Count": last + 1, "ScannedCount": last + 1,
                     "LastEvaluatedKey": key_of(items[last], ["pk", "sk"])}
    rest = count - last - 1
    assert got[1:] == [{"Count": rest, "ScannedCount": rest}]


@pytest.mark.parametrize("count, index, total, last", BOUNDARIES,
                         ids=["1MB-mid", "1MB-1-mid", "1MB-last", "1MB-1-last"])
def test_scan_exact_byte_boundary_hash_table(ddb, make_table, count, index, total, last):
    table = make_table(("pk", "N"))
    batch_put(ddb, table, [{"pk": {"N": str(i)}} for i in range(count)])
    order = [{"pk": it["pk"]} for it in scan_order(ddb, table)]
    items = build_items(order, None, index, total, count)
    batch_put(ddb, table, items)
    got = all_pages(ddb.scan, {"TableName": table, "ProjectionExpression": "pk"})
    if last is None:
        assert got == [{"Items": order, "Count": count, "ScannedCount": count}]
        return
    assert got[0] == {"Items": order[:last + 1], "Count": last + 1, "ScannedCount": last + 1,
                      "LastEvaluatedKey": order[last]}
    assert got[1:] == [{"Items": order[last + 1:], "Count": count - last - 1, "ScannedCount": count - last - 1}]


# ---------------------------------------------------------------------------------------------
# 3000 items of 400 bytes
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_items(ddb):
    qname, sname = unique_name("pg_3k_q"), unique_name("pg_3k_s")
    ddb.create_table(**create_table_params(qname, ("pk", "S"), ("sk", "S")))
    ddb.create_table(**create_table_params(sname, ("pk", "S")))
    qitems = [padded_item({"pk": {"S": "many"}, "sk": {"S": "%05d" % i}}, 400) for i in range(3000)]
    sitems = [padded_item({"pk": {"S": "%05d" % i}}, 400) for i in range(3000)]
    batch_put(ddb, qname, qitems)
    batch_put(ddb, sname, sitems)
    yield {"query": qname, "scan": sname, "qitems": qitems}
    ddb.delete_table(TableName=qname)
    ddb.delete_table(TableName=sname)


@pytest.mark.parametrize("forward", [True, False], ids=["fwd", "rev"])
def test_query_3000_small_items(ddb, small_items, forward):
    items = small_items["qitems"] if forward else small_items["qitems"][::-1]
    got = all_pages(ddb.query, {"TableName": small_items["query"], "KeyConditionExpression": "pk = :p",
                               "ExpressionAttributeValues": {":p": {"S": "many"}}, "ScanIndexForward": forward,
                               "ReturnConsumedCapacity": "TOTAL"})
    assert len(got) == 2
    check_pages(got, items, ["pk", "sk"], "sk")


@pytest.mark.parametrize("limit", [1000, 2500, 3000])
def test_query_3000_small_items_with_limit(ddb, small_items, limit):
    got = all_pages(ddb.query, {"TableName": small_items["query"], "KeyConditionExpression": "pk = :p",
                               "ExpressionAttributeValues": {":p": {"S": "many"}}, "Limit": limit,
                               "ReturnConsumedCapacity": "TOTAL"})
    check_pages(got, small_items["qitems"], ["pk", "sk"], "sk", limit=limit)


@pytest.mark.parametrize("params", [
    {"FilterExpression": "attribute_not_exists(p)"},
    {"FilterExpression": "p = :nothing", "ExpressionAttributeValues": {":nothing": {"S": "?"}}},
    {"ProjectionExpression": "sk"},
    {"Select": "COUNT"},
], ids=["filter-none", "filter-eq", "projection", "count"])
def test_1mb_measured_before_filter_and_projection(ddb, small_items, params):
    """Pages end at the same items whatever the filter keeps or the projection returns."""
    params = dict(params, TableName=small_items["query"], KeyConditionExpression="pk = :p",
                  ReturnConsumedCapacity="TOTAL")
    params["ExpressionAttributeValues"] = dict(params.get("ExpressionAttributeValues", {}), **{":p": {"S": "many"}})
    got = all_pages(ddb.query, params)
    want = expected_pages(small_items["qitems"], "sk")
    assert [p["ScannedCount"] for p in got] == [len(w) for w, _ in want]
    for page, (chunk, stopped) in zip(got, want):
        assert page.get("LastEvaluatedKey") == (key_of(chunk[-1], ["pk", "sk"]) if stopped else None)
        assert page["ConsumedCapacity"]["CapacityUnits"] == read_units(chunk)
        if "FilterExpression" in params:
            assert page["Count"] == 0 and page["Items"] == []
        elif "ProjectionExpression" in params:
            assert page["Items"] == [{"sk": it["sk"]} for it in chunk]
        else:
            assert page["Count"] == len(chunk) and "Items" not in page


def test_scan_3000_small_items(ddb, small_items):
    order = scan_order(ddb, small_items["scan"])
    assert sorted(it["pk"]["S"] for it in order) == ["%05d" % i for i in range(3000)]
    got = all_pages(ddb.scan, {"TableName": small_items["scan"], "ReturnConsumedCapacity": "TOTAL"})
    assert len(got) == 2
    check_pages(got, order, ["pk"], None)
    paged = all_pages(ddb.scan, {"TableName": small_items["scan"], "Limit": 1000, "ReturnConsumedCapacity": "TOTAL"})
    check_pages(paged, order, ["pk"], None, limit=1000)
