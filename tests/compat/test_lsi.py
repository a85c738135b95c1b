"""Local secondary indexes: DescribeTable's LSI fields, Query and Scan with IndexName (strongly
consistent reads allowed, attributes outside the projection fetched from the table), paging, the
errors DynamoDB gives for LSI reads, and ReturnItemCollectionMetrics=SIZE on tables with an LSI.

Evidence: LSI descriptions carry no IndexStatus and no ProvisionedThroughput (ScyllaDB's alternator
tests and the ack-controller lab's DescribeTable captures, both against DynamoDB; DynamoDB Local
agrees). Query/Scan API reference: "If you query or scan a local secondary index and request only
attributes that are projected into that index, the operation will read only the index and not the
table. If any of the requested attributes are not projected into the local secondary index,
DynamoDB fetches each of these attributes from the parent table." ItemCollectionMetrics (API
reference): returned only when asked for (SIZE) and only for tables with an LSI; ItemCollectionKey
is the partition key of the item, SizeEstimateRangeGB a [lower, upper] estimate, which for any
collection under 1 GB is [0.0, 1.0]. DynamoDB Local never returns ItemCollectionMetrics.
"Query condition missed key schema element: <attr>" names the LSI's range key when the condition
is on the table's sort key instead (dynalite test/query.js, recorded against DynamoDB).
"""
from decimal import Decimal

import pytest

from conftest import body, expect_error, unique_name
from index_helpers import (  # noqa: F401  (ddb is a fixture)
    EXTERNAL, Schema, all_items, batch_write, create_indexed_table, ddb, delete_quietly,
    filter_key, gsi, lsi, missed_key, multiset, puts, size_of, strip_describe, table_params,
    wait_table_active)

LABELS = ["kiwi", "kale", "lime", "leek", "apple", "\u00e9t\u00e9", "k"]


def make_item(p, sk):
    it = {"pk": {"S": p}, "sk": {"N": str(sk)}, "color": {"S": "col%d" % (sk % 3)},
          "extra": {"S": "e%d%s" % (sk, p)}, "v": {"N": str(sk * 10)}}
    if sk % 7 != 3:
        it["ln"] = {"N": str((sk * 7) % 13 - 3)}
    if sk % 6 != 5:
        it["ls"] = {"S": LABELS[sk % len(LABELS)] + str(sk % 2)}
    if sk % 5 != 0:
        it["la"] = {"S": "x%02d" % (29 - sk)}
    return it


ITEMS = [make_item(p, sk) for p in ("a", "b", "c") for sk in range(30)]
LSIS = [lsi("lsi_num", ("pk", "S"), ("ln", "N"), projection="KEYS_ONLY"),
        lsi("lsi_str", ("pk", "S"), ("ls", "S"), projection="INCLUDE", non_key=["color"]),
        lsi("lsi_all", ("pk", "S"), ("la", "S"))]


@pytest.fixture(scope="module")
def lt(ddb):
    name = unique_name("lsi")
    params = table_params(name, ("pk", "S"), ("sk", "N"), lsis=LSIS)
    create_indexed_table(ddb, params)
    batch_write(ddb, name, puts(ITEMS))
    schema = Schema(params)
    schema.name = name
    yield schema
    delete_quietly(ddb, name)


def sort_value(value):
    (kind, v), = value.items()
    return Decimal(v) if kind == "N" else v.encode("utf-8")


def expected(schema, index, p, pred=lambda v: True, forward=True, items=ITEMS):
    rng = schema.index_keys(index)[1]
    entries = [e for e in schema.entries(index, items) if e["pk"] == {"S": p} and pred(sort_value(e[rng]))]
    # Equal LSI keys: DynamoDB does not document their order; sort stably by the range value only.
    entries.sort(key=lambda e: sort_value(e[rng]), reverse=not forward)
    return entries


def assert_order_and_entries(schema, index, got, want, forward=True):
    rng = schema.index_keys(index)[1]
    values = [sort_value(it[rng]) for it in got]
    assert values == sorted(values, reverse=not forward)
    assert len(got) == len(want)
    assert multiset(got) == multiset(want)


def kc(p):
    return {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": p}}}


# ---------------------------------------------------------------------------------------------
# DescribeTable
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("billing", ["PAY_PER_REQUEST", "PROVISIONED"])
def test_describe_lsis(ddb, billing):
    name = unique_name("lsi_desc")
    params = table_params(name, ("pk", "S"), ("sk", "N"), lsis=LSIS, billing=billing,
                          gsis=[gsi("also_a_gsi", ("ls", "S"), throughput=(1, 2)
                                    if billing == "PROVISIONED" else None)])
    try:
        created = ddb.create_table(**params)["TableDescription"]
        desc = wait_table_active(ddb, name)
        for d in (created, desc):
            by_name = {ix["IndexName"]: strip_describe(ix) for ix in d["LocalSecondaryIndexes"]}
            assert sorted(by_name) == ["lsi_all", "lsi_num", "lsi_str"]
            for ix in params["LocalSecondaryIndexes"]:
                assert by_name[ix["IndexName"]] == {
                    "IndexName": ix["IndexName"], "KeySchema": ix["KeySchema"],
                    "Projection": ix["Projection"], "IndexSizeBytes": 0, "ItemCount": 0,
                    "IndexArn": d["TableArn"] + "/index/" + ix["IndexName"]}
        assert [ix["IndexName"] for ix in desc["LocalSecondaryIndexes"]] == [
            "lsi_num", "lsi_str", "lsi_all"]
        (g,) = desc["GlobalSecondaryIndexes"]
        assert g["IndexName"] == "also_a_gsi" and g["IndexStatus"] == "ACTIVE"
    finally:
        delete_quietly(ddb, name)


def test_describe_lsi_counts_and_sizes(ddb):
    """Exact for ddbd (DynamoDB refreshes them every ~6 hours): entries are table keys + LSI key +
    projected attributes."""
    if EXTERNAL:
        pytest.skip("other implementations do not keep index statistics exact")
    name = unique_name("lsi_count")
    params = table_params(name, ("pk", "S"), ("sk", "S"), lsis=[
        lsi("keys", ("pk", "S"), ("r", "S"), projection="KEYS_ONLY"),
        lsi("incl", ("pk", "S"), ("r2", "S"), projection="INCLUDE", non_key=["x"]),
        lsi("all", ("pk", "S"), ("r", "S"))])
    schema = Schema(params)
    try:
        create_indexed_table(ddb, params)
        items = []
        for i in range(30):
            it = {"pk": {"S": "p%d" % (i % 3)}, "sk": {"S": "s%d" % i}, "x": {"S": "x" * i},
                  "y": {"S": "y" * (30 - i)}}
            if i % 4:
                it["r"] = {"S": "r%d" % (i % 5)}
            if i % 3:
                it["r2"] = {"S": "q%d" % i}
            items.append(it)
        batch_write(ddb, name, puts(items))
        desc = ddb.describe_table(TableName=name)["Table"]
        for ix in desc["LocalSecondaryIndexes"]:
            entries = schema.entries(ix["IndexName"], items)
            assert (ix["IndexName"], ix["ItemCount"], ix["IndexSizeBytes"]) == (
                ix["IndexName"], len(entries), sum(size_of(e) for e in entries))
    finally:
        delete_quietly(ddb, name)


# ---------------------------------------------------------------------------------------------
# Query
# ---------------------------------------------------------------------------------------------

CONDITIONS = [
    ("lsi_num", None, {}, lambda v: True),
    ("lsi_num", "ln = :a", {":a": {"N": "2"}}, lambda v: v == 2),
    ("lsi_num", "ln < :a", {":a": {"N": "0"}}, lambda v: v < 0),
    ("lsi_num", "ln <= :a", {":a": {"N": "0"}}, lambda v: v <= 0),
    ("lsi_num", "ln > :a", {":a": {"N": "5.5"}}, lambda v: v > Decimal("5.5")),
    ("lsi_num", "ln >= :a", {":a": {"N": "9"}}, lambda v: v >= 9),
    ("lsi_num", "ln BETWEEN :a AND :b", {":a": {"N": "-1"}, ":b": {"N": "3"}}, lambda v: -1 <= v <= 3),
    ("lsi_str", "begins_with(ls, :a)", {":a": {"S": "k"}}, lambda v: v.startswith(b"k")),
    ("lsi_str", "begins_with(ls, :a)", {":a": {"S": "\u00e9"}}, lambda v: v.startswith("\u00e9".encode())),
    ("lsi_str", "ls BETWEEN :a AND :b", {":a": {"S": "kale"}, ":b": {"S": "lime"}},
     lambda v: b"kale" <= v <= b"lime"),
    ("lsi_str", "ls > :a", {":a": {"S": "leek1"}}, lambda v: v > b"leek1"),
    ("lsi_all", "la < :a", {":a": {"S": "x10"}}, lambda v: v < b"x10"),
]


@pytest.mark.parametrize("forward", [True, False], ids=["fwd", "rev"])
@pytest.mark.parametrize("consistent", [False, True], ids=["eventual", "strong"])
@pytest.mark.parametrize("index, cond, values, pred", CONDITIONS,
                         ids=["%s-%s" % (c[0], c[1] or "all") for c in CONDITIONS])
def test_query(ddb, lt, index, cond, values, pred, forward, consistent):
    params = kc("b")
    if cond:
        params["KeyConditionExpression"] += " AND " + cond
        params["ExpressionAttributeValues"].update(values)
    resp = body(ddb.query(TableName=lt.name, IndexName=index, ScanIndexForward=forward,
                          ConsistentRead=consistent, **params))
    want = expected(lt, index, "b", pred, forward)
    assert resp["Count"] == resp["ScannedCount"] == len(want)
    assert_order_and_entries(lt, index, resp["Items"], want, forward)


@pytest.mark.parametrize("forward", [True, False], ids=["fwd", "rev"])
@pytest.mark.parametrize("index", ["lsi_num", "lsi_str", "lsi_all"])
def test_query_limit_pages(ddb, lt, index, forward):
    want = expected(lt, index, "c", forward=forward)
    n = len(want)
    for limit in sorted({1, 2, 5, n - 1, n, n + 1}):
        got, pages, start = [], 0, None
        while True:
            p = dict(TableName=lt.name, IndexName=index, Limit=limit, ScanIndexForward=forward, **kc("c"))
            if start:
                p["ExclusiveStartKey"] = start
            page = ddb.query(**p)
            pages += 1
            got.extend(page["Items"])
            start = page.get("LastEvaluatedKey")
            if not start:
                break
            assert page["Count"] == limit
            # The LSI's keys plus the table's: pk, the LSI range key and sk.
            assert start == lt.last_key(index, page["Items"][-1])
            assert set(start) == {"pk", "sk", lt.index_keys(index)[1]}
        assert pages == n // limit + 1
        assert_order_and_entries(lt, index, got, want, forward)


def test_default_select_is_the_projection(ddb, lt):
    for index, attrs in (("lsi_num", {"pk", "sk", "ln"}), ("lsi_str", {"pk", "sk", "ls", "color"})):
        for extra in ({}, {"Select": "ALL_PROJECTED_ATTRIBUTES"}):
            items = ddb.query(TableName=lt.name, IndexName=index, **extra, **kc("a"))["Items"]
            assert items and all(set(it) == attrs for it in items)


@pytest.mark.parametrize("consistent", [False, True])
def test_select_all_attributes_fetches_from_the_table(ddb, lt, consistent):
    items = ddb.query(TableName=lt.name, IndexName="lsi_num", Select="ALL_ATTRIBUTES",
                      ConsistentRead=consistent, **kc("a"))["Items"]
    want = [it for it in ITEMS if it["pk"] == {"S": "a"} and "ln" in it]
    assert len(items) == len(want)
    assert multiset(items) == multiset(want)
    values = [Decimal(it["ln"]["N"]) for it in items]
    assert values == sorted(values)
    items, _ = all_items(ddb.scan, {"TableName": lt.name, "IndexName": "lsi_str", "Select": "ALL_ATTRIBUTES"})
    assert multiset(items) == multiset([it for it in ITEMS if "ls" in it])


def test_projection_expression_fetches_unprojected_attributes(ddb, lt):
    items = ddb.query(TableName=lt.name, IndexName="lsi_str", ProjectionExpression="ls, extra, v",
                      **kc("c"))["Items"]
    want = [{k: it[k] for k in ("ls", "extra", "v")} for it in ITEMS
            if it["pk"] == {"S": "c"} and "ls" in it]
    assert multiset(items) == multiset(want)
    assert [it["ls"]["S"].encode() for it in items] == sorted(it["ls"]["S"].encode() for it in items)


def test_select_count(ddb, lt):
    want = expected(lt, "lsi_num", "a", lambda v: v > 0)
    resp = body(ddb.query(TableName=lt.name, IndexName="lsi_num", Select="COUNT",
                          KeyConditionExpression="pk = :p AND ln > :z",
                          ExpressionAttributeValues={":p": {"S": "a"}, ":z": {"N": "0"}}))
    assert resp == {"Count": len(want), "ScannedCount": len(want)}


def test_filter_on_table_sort_key_and_projected_attribute(ddb, lt):
    resp = ddb.query(TableName=lt.name, IndexName="lsi_str", FilterExpression="sk > :s AND color = :c",
                     KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": {"S": "a"}, ":s": {"N": "10"}, ":c": {"S": "col1"}})
    everything = expected(lt, "lsi_str", "a")
    want = [e for e in everything if int(e["sk"]["N"]) > 10 and e["color"] == {"S": "col1"}]
    assert resp["ScannedCount"] == len(everything)
    assert_order_and_entries(lt, "lsi_str", resp["Items"], want)


@pytest.mark.parametrize("expr, attr", [("ln > :n", "ln"), ("pk = :p2", "pk")])
def test_filter_on_lsi_key_is_refused(ddb, lt, expr, attr):
    values = {":p": {"S": "a"}}
    values.update({":n": {"N": "1"}} if ":n" in expr else {":p2": {"S": "a"}})
    expect_error(ddb.query, filter_key(attr), TableName=lt.name, IndexName="lsi_num",
                 KeyConditionExpression="pk = :p", FilterExpression=expr, ExpressionAttributeValues=values)


def test_query_condition_errors(ddb, lt):
    expect_error(ddb.query, missed_key("pk"), TableName=lt.name, IndexName="lsi_num",
                 KeyConditionExpression="ln = :n", ExpressionAttributeValues={":n": {"N": "1"}})
    expect_error(ddb.query, missed_key("ln"), TableName=lt.name, IndexName="lsi_num",
                 KeyConditionExpression="pk = :p AND sk = :s",
                 ExpressionAttributeValues={":p": {"S": "a"}, ":s": {"N": "1"}})


# ---------------------------------------------------------------------------------------------
# Scan
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("consistent", [False, True])
@pytest.mark.parametrize("index", ["lsi_num", "lsi_str", "lsi_all"])
def test_scan_every_entry_once(ddb, lt, index, consistent):
    for limit in (None, 4):
        params = {"TableName": lt.name, "IndexName": index, "ConsistentRead": consistent}
        if limit:
            params["Limit"] = limit
        items, pages = all_items(ddb.scan, params)
        want = lt.entries(index, ITEMS)
        assert multiset(items) == multiset(want) and len(items) == len(want)
        if limit:
            assert pages == len(want) // limit + 1


@pytest.mark.parametrize("total", [2, 3, 5])
def test_parallel_scan(ddb, lt, total):
    got = []
    for segment in range(total):
        items, _ = all_items(ddb.scan, {"TableName": lt.name, "IndexName": "lsi_str", "Limit": 3,
                                        "Segment": segment, "TotalSegments": total})
        got.extend(items)
    want = lt.entries("lsi_str", ITEMS)
    assert len(got) == len(want) and multiset(got) == multiset(want)


# ---------------------------------------------------------------------------------------------
# ReturnItemCollectionMetrics
# ---------------------------------------------------------------------------------------------

def collection(pk):
    return {"ItemCollectionKey": {"pk": {"S": pk}}, "SizeEstimateRangeGB": [0.0, 1.0]}


@pytest.fixture
def metrics_tables(ddb):
    names = {"lsi": unique_name("icm_lsi"), "gsi": unique_name("icm_gsi")}
    create_indexed_table(ddb, table_params(names["lsi"], ("pk", "S"), ("sk", "S"), lsis=[
        lsi("by_r", ("pk", "S"), ("r", "S"), projection="KEYS_ONLY")]))
    create_indexed_table(ddb, table_params(names["gsi"], ("pk", "S"), ("sk", "S"), gsis=[
        gsi("by_r", ("r", "S"), projection="KEYS_ONLY")]))
    yield names
    for n in names.values():
        delete_quietly(ddb, n)


def test_item_collection_metrics_on_single_writes(ddb, metrics_tables):
    t = metrics_tables["lsi"]
    key = {"pk": {"S": "coll"}, "sk": {"S": "1"}}
    resp = ddb.put_item(TableName=t, Item=dict(key, r={"S": "x"}), ReturnItemCollectionMetrics="SIZE")
    assert resp["ItemCollectionMetrics"] == collection("coll")
    resp = ddb.put_item(TableName=t, Item=dict(key, r={"S": "y"}), ReturnItemCollectionMetrics="SIZE",
                        ReturnValues="ALL_OLD")
    assert resp["ItemCollectionMetrics"] == collection("coll")
    assert resp["Attributes"] == dict(key, r={"S": "x"})
    resp = ddb.update_item(TableName=t, Key=key, UpdateExpression="SET z = :z",
                           ExpressionAttributeValues={":z": {"S": "z"}}, ReturnItemCollectionMetrics="SIZE")
    assert resp["ItemCollectionMetrics"] == collection("coll")
    resp = ddb.delete_item(TableName=t, Key=key, ReturnItemCollectionMetrics="SIZE")
    assert resp["ItemCollectionMetrics"] == collection("coll")
    for call, params in ((ddb.put_item, {"Item": key}), (ddb.delete_item, {"Key": key}),
                         (ddb.update_item, {"Key": key, "UpdateExpression": "SET z = :z",
                                            "ExpressionAttributeValues": {":z": {"S": "z"}}})):
        assert "ItemCollectionMetrics" not in call(TableName=t, **params)
        assert "ItemCollectionMetrics" not in call(TableName=t, ReturnItemCollectionMetrics="NONE", **params)


def test_item_collection_metrics_need_an_lsi(ddb, metrics_tables):
    t = metrics_tables["gsi"]
    key = {"pk": {"S": "coll"}, "sk": {"S": "1"}}
    for call, params in ((ddb.put_item, {"Item": dict(key, r={"S": "x"})}),
                         (ddb.update_item, {"Key": key, "UpdateExpression": "SET z = :z",
                                            "ExpressionAttributeValues": {":z": {"S": "z"}}}),
                         (ddb.delete_item, {"Key": key})):
        assert "ItemCollectionMetrics" not in call(TableName=t, ReturnItemCollectionMetrics="SIZE", **params)


def test_item_collection_metrics_on_batch_write(ddb, metrics_tables):
    t = metrics_tables["lsi"]
    requests = [{"PutRequest": {"Item": {"pk": {"S": "p%d" % (i % 3)}, "sk": {"S": str(i)}, "r": {"S": "r"}}}}
                for i in range(6)]
    resp = ddb.batch_write_item(RequestItems={t: requests}, ReturnItemCollectionMetrics="SIZE")
    assert resp["UnprocessedItems"] == {}
    metrics = resp["ItemCollectionMetrics"]
    assert list(metrics) == [t]
    assert all(m in [collection(p) for p in ("p0", "p1", "p2")] for m in metrics[t])
    assert {m["ItemCollectionKey"]["pk"]["S"] for m in metrics[t]} == {"p0", "p1", "p2"}
    resp = ddb.batch_write_item(RequestItems={t: [{"DeleteRequest": {"Key": {"pk": {"S": "p1"}, "sk": {"S": "1"}}}}]},
                                ReturnItemCollectionMetrics="SIZE")
    assert resp["ItemCollectionMetrics"] == {t: [collection("p1")]}
