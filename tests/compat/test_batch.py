"""BatchWriteItem and BatchGetItem: multi-table requests, per-table projections and ConsistentRead,
consumed capacity lists, the 16 MB BatchGetItem response limit with UnprocessedKeys, and DynamoDB's
exact validation errors (architect/dynalite's test/batchGetItem.js and test/batchWriteItem.js,
recorded against DynamoDB, and the AWS API reference)."""
import re

import pytest
from botocore.exceptions import ClientError

from conftest import MAX_ITEM_SIZE, assert_client_error, body, expect_error, padded_item, unique_name
from helpers import scan_all

PREFIX = "1 validation error detected: "
INVALID = "One or more parameter values were invalid: "
KEY_MISMATCH = "The provided key element does not match the schema"
MB = 1024 * 1024


def expect_error_matching(call, pattern, **params):
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    err = excinfo.value.response["Error"]
    assert err["Code"] == "ValidationException"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert re.fullmatch(pattern, err["Message"]), err["Message"]


def put(item):
    return {"PutRequest": {"Item": item}}


def delete(key):
    return {"DeleteRequest": {"Key": key}}


def sort_items(items):
    return sorted(items, key=repr)


@pytest.fixture
def tables(make_table):
    """A hash table (pk S), a range table (pk S, sk N) and a binary-hash table (pk B)."""
    return {"hash": make_table(("pk", "S")), "range": make_table(("pk", "S"), ("sk", "N")),
            "bin": make_table(("pk", "B"))}


# ---------------------------------------------------------------------------------------------
# BatchWriteItem
# ---------------------------------------------------------------------------------------------

def test_write_25_puts_and_deletes_over_two_tables(ddb, tables):
    old = [{"pk": {"S": "old%d" % i}, "x": {"S": "o"}} for i in range(5)]
    for item in old:
        ddb.put_item(TableName=tables["hash"], Item=item)
    hash_items = [{"pk": {"S": "h%02d" % i}, "x": {"N": str(i)}} for i in range(10)]
    range_items = [{"pk": {"S": "r"}, "sk": {"N": str(i)}, "l": {"L": [{"S": "v"}]}} for i in range(10)]
    resp = body(ddb.batch_write_item(RequestItems={
        tables["hash"]: [put(it) for it in hash_items] + [delete({"pk": it["pk"]}) for it in old],
        tables["range"]: [put(it) for it in range_items]}))
    assert resp == {"UnprocessedItems": {}}
    assert sort_items(scan_all(ddb, tables["hash"])) == sort_items(hash_items)
    assert sort_items(scan_all(ddb, tables["range"])) == sort_items(range_items)


def test_write_deletes_of_missing_items_and_overwrites(ddb, tables):
    ddb.put_item(TableName=tables["hash"], Item={"pk": {"S": "a"}, "x": {"S": "old"}, "gone": {"S": "g"}})
    resp = body(ddb.batch_write_item(RequestItems={tables["hash"]: [
        put({"pk": {"S": "a"}, "x": {"S": "new"}}), delete({"pk": {"S": "never"}})]}))
    assert resp == {"UnprocessedItems": {}}
    assert scan_all(ddb, tables["hash"]) == [{"pk": {"S": "a"}, "x": {"S": "new"}}]


def test_write_same_key_in_two_tables_is_not_a_duplicate(ddb, make_table):
    t1, t2 = make_table(("pk", "S")), make_table(("pk", "S"))
    item = {"pk": {"S": "same"}}
    assert body(ddb.batch_write_item(RequestItems={t1: [put(item)], t2: [put(item)]})) == {"UnprocessedItems": {}}
    assert scan_all(ddb, t1) == scan_all(ddb, t2) == [item]


def test_write_range_keys_differing_in_sort_key_only(ddb, tables):
    items = [{"pk": {"S": "p"}, "sk": {"N": n}} for n in ("1", "-1", "1.5", "10")]
    assert body(ddb.batch_write_item(RequestItems={tables["range"]: [put(it) for it in items]})) == \
        {"UnprocessedItems": {}}
    assert len(scan_all(ddb, tables["range"])) == 4


@pytest.mark.parametrize("requests", [
    [put({"pk": {"S": "d"}}), put({"pk": {"S": "d"}, "x": {"S": "2"}})],
    [put({"pk": {"S": "d"}, "c": {"S": "c"}}), delete({"pk": {"S": "d"}})],
    [delete({"pk": {"S": "d"}}), put({"pk": {"S": "d"}})],
    [delete({"pk": {"S": "d"}}), put({"pk": {"S": "e"}}), delete({"pk": {"S": "d"}})],
], ids=["put-put", "put-delete", "delete-put", "delete-delete"])
def test_write_duplicate_keys(ddb, tables, requests):
    expect_error(ddb.batch_write_item, "Provided list of item keys contains duplicates",
                 RequestItems={tables["hash"]: requests})
    assert scan_all(ddb, tables["hash"]) == []


def test_write_duplicate_number_keys_spelled_differently(ddb, tables):
    expect_error(ddb.batch_write_item, "Provided list of item keys contains duplicates",
                 RequestItems={tables["range"]: [put({"pk": {"S": "p"}, "sk": {"N": "1"}}),
                                                 delete({"pk": {"S": "p"}, "sk": {"N": "1.0"}})]})


def test_write_more_than_25_requests_in_one_table(ddb, tables):
    requests = [put({"pk": {"S": str(i)}}) if i % 2 else delete({"pk": {"S": str(i)}}) for i in range(26)]
    expect_error_matching(ddb.batch_write_item,
                          re.escape(PREFIX + "Value '") + r"\{.+\}" + re.escape(
                              "' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: "
                              "[Member must have length less than or equal to 25, Member must have length greater "
                              "than or equal to 1]"),
                          RequestItems={tables["hash"]: requests})


def test_write_more_than_25_requests_over_two_tables(ddb, tables):
    expect_error(ddb.batch_write_item, "Too many items requested for the BatchWriteItem call",
                 RequestItems={tables["hash"]: [put({"pk": {"S": str(i)}}) for i in range(13)],
                               tables["bin"]: [put({"pk": {"B": bytes([i])}}) for i in range(13)]})
    assert scan_all(ddb, tables["hash"]) == []


def test_write_missing_table(ddb, tables):
    missing = unique_name("bw_missing")
    requests = [put({"pk": {"S": str(i)}}) if i % 2 else delete({"pk": {"S": str(i)}}) for i in range(25)]
    expect_error(ddb.batch_write_item, "Requested resource not found", code="ResourceNotFoundException",
                 RequestItems={missing: requests})
    # the table is looked up before duplicates are checked
    expect_error(ddb.batch_write_item, "Requested resource not found", code="ResourceNotFoundException",
                 RequestItems={missing: [put({"pk": {"S": "a"}}), delete({"pk": {"S": "a"}})]})
    # and nothing of the batch is written
    expect_error(ddb.batch_write_item, "Requested resource not found", code="ResourceNotFoundException",
                 RequestItems={tables["hash"]: [put({"pk": {"S": "x"}})], missing: [put({"pk": {"S": "y"}})]})
    assert scan_all(ddb, tables["hash"]) == []


@pytest.mark.parametrize("table_kind, request_, message", [
    ("hash", put({}), KEY_MISMATCH),
    ("hash", put({"x": {"S": "a"}}), KEY_MISMATCH),
    ("hash", put({"pk": {"N": "1"}}), KEY_MISMATCH),
    ("hash", put({"pk": {"B": b"a"}}), KEY_MISMATCH),
    ("hash", put({"pk": {"SS": ["a"]}}), KEY_MISMATCH),
    ("range", put({"pk": {"S": "a"}}), KEY_MISMATCH),
    ("range", put({"pk": {"S": "a"}, "sk": {"S": "1"}}), KEY_MISMATCH),
    ("hash", delete({}), KEY_MISMATCH),
    ("hash", delete({"pk": {"S": "a"}, "x": {"S": "a"}}), KEY_MISMATCH),
    ("range", delete({"pk": {"S": "a"}}), KEY_MISMATCH),
    ("hash", put({"pk": {"S": "a" * 2049}}), INVALID + "Size of hashkey has exceeded the maximum size limit of2048 bytes"),
    ("range", put({"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"S": "x"}, "y": {"B": b""}}), None),
    ("hash", put(padded_item({"pk": {"S": "big"}}, MAX_ITEM_SIZE + 1)),
     "Item size has exceeded the maximum allowed size"),
    ("hash", put(padded_item({"pk": {"S": "big"}}, MAX_ITEM_SIZE)), None),
    ("hash", put({"pk": {"S": "a"}, "x": {}}),
     "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
    ("hash", put({"pk": {"S": "a"}, "x": {"S": "a", "N": "1"}}),
     "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"),
    ("hash", put({"pk": {"S": "a"}, "x": {"SS": []}}), INVALID + "An string set  may not be empty"),
    ("hash", put({"pk": {"S": "a"}, "x": {"SS": ["a", "a"]}}), INVALID + "Input collection [a, a] contains duplicates."),
    ("hash", put({"pk": {"S": "a"}, "x": {"N": "b"}}), "The parameter cannot be converted to a numeric value: b"),
    ("hash", put({"pk": {"S": "a"}, "x": {"NULL": False}}), INVALID + "Null attribute value types must have the value of true"),
    ("hash", put({"pk": {"S": "a"}, "x": {"N": "1e126"}}),
     "Number overflow. Attempting to store a number with magnitude larger than supported range"),
    ("hash", {}, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the "
     "supported datatypes"),
])
def test_write_item_validation(ddb, tables, table_kind, request_, message):
    requests = [put({"pk": {"S": "ok"}} if table_kind != "range" else {"pk": {"S": "ok"}, "sk": {"N": "0"}}),
                request_]
    if message is None:
        assert body(ddb.batch_write_item(RequestItems={tables[table_kind]: requests})) == {"UnprocessedItems": {}}
        return
    expect_error(ddb.batch_write_item, message, RequestItems={tables[table_kind]: requests})
    assert scan_all(ddb, tables[table_kind]) == []


def test_write_range_key_too_big(ddb, make_table):
    table = make_table(("pk", "S"), ("sk", "S"))
    expect_error(ddb.batch_write_item, INVALID + "Aggregated size of all range keys has exceeded the size limit of "
                 "1024 bytes", RequestItems={table: [put({"pk": {"S": "a"}, "sk": {"S": "s" * 1025}})]})
    expect_error(ddb.batch_write_item, INVALID + "Aggregated size of all range keys has exceeded the size limit of "
                 "1024 bytes", RequestItems={table: [delete({"pk": {"S": "a"}, "sk": {"S": "s" * 1025}})]})
    assert body(ddb.batch_write_item(RequestItems={table: [put({"pk": {"S": "a"}, "sk": {"S": "s" * 1024}})]})) == \
        {"UnprocessedItems": {}}


def test_write_item_size_checked_before_table_exists(ddb):
    expect_error(ddb.batch_write_item, "Item size has exceeded the maximum allowed size",
                 RequestItems={unique_name("bw_missing"): [put(padded_item({"pk": {"S": "a"}}, MAX_ITEM_SIZE + 1))]})


@pytest.mark.parametrize("params, message", [
    # 28 of 33 regions keep the bespoke sentence for BatchWriteItem (see test_fidelity_sweep.py)
    ({"RequestItems": {}}, "The requestItems parameter is required for BatchWriteItem"),
    ({"ReturnItemCollectionMetrics": "hi"}, PREFIX + "Value 'hi' at 'returnItemCollectionMetrics' failed to satisfy "
     "constraint: Member must satisfy enum value set: [SIZE, NONE]"),
    ({"ReturnConsumedCapacity": "hi"}, PREFIX + "Value 'hi' at 'returnConsumedCapacity' failed to satisfy "
     "constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"),
])
def test_write_parameter_validation(ddb, tables, params, message):
    params = dict({"RequestItems": {tables["hash"]: [put({"pk": {"S": "a"}})]}}, **params)
    expect_error(ddb.batch_write_item, message, **params)


def test_write_consumed_capacity_per_table(ddb, tables):
    """Write units per item: ceil(max(old, new size) / 1024), at least 1; deleting a missing item costs 1."""
    ddb.put_item(TableName=tables["hash"], Item=padded_item({"pk": {"S": "old"}}, 2500))
    requests = {
        tables["hash"]: [put(padded_item({"pk": {"S": "a"}}, 1024)),          # 1
                         put(padded_item({"pk": {"S": "b"}}, 1025)),          # 2
                         put(padded_item({"pk": {"S": "old"}}, 10)),          # 3 (old item 2500 bytes)
                         delete({"pk": {"S": "missing"}})],                   # 1
        tables["bin"]: [put(padded_item({"pk": {"B": b"\x01"}}, 3000))],      # 3
    }
    resp = body(ddb.batch_write_item(RequestItems=requests, ReturnConsumedCapacity="TOTAL"))
    assert resp["UnprocessedItems"] == {}
    assert sorted(resp["ConsumedCapacity"], key=lambda c: c["TableName"]) == sorted(
        [{"TableName": tables["hash"], "CapacityUnits": 7.0}, {"TableName": tables["bin"], "CapacityUnits": 3.0}],
        key=lambda c: c["TableName"])
    requests = {tables["hash"]: [delete({"pk": {"S": "a"}}), delete({"pk": {"S": "b"}})],   # 1 + 2
                tables["bin"]: [delete({"pk": {"B": b"\x01"}})]}                            # 3
    resp = body(ddb.batch_write_item(RequestItems=requests, ReturnConsumedCapacity="INDEXES"))
    assert sorted(resp["ConsumedCapacity"], key=lambda c: c["TableName"]) == sorted(
        [{"TableName": tables["hash"], "CapacityUnits": 3.0, "Table": {"CapacityUnits": 3.0}},
         {"TableName": tables["bin"], "CapacityUnits": 3.0, "Table": {"CapacityUnits": 3.0}}],
        key=lambda c: c["TableName"])
    resp = body(ddb.batch_write_item(RequestItems={tables["hash"]: [put({"pk": {"S": "z"}})]},
                                     ReturnConsumedCapacity="NONE"))
    assert resp == {"UnprocessedItems": {}}


def test_write_return_item_collection_metrics_accepted(ddb, tables):
    resp = body(ddb.batch_write_item(RequestItems={tables["hash"]: [put({"pk": {"S": "a"}})]},
                                     ReturnItemCollectionMetrics="SIZE"))
    assert resp["UnprocessedItems"] == {}
    assert set(resp) <= {"UnprocessedItems", "ItemCollectionMetrics"}
    assert resp.get("ItemCollectionMetrics", {}) == {}
    resp = body(ddb.batch_write_item(RequestItems={tables["hash"]: [put({"pk": {"S": "b"}})]},
                                     ReturnItemCollectionMetrics="NONE"))
    assert resp == {"UnprocessedItems": {}}


# ---------------------------------------------------------------------------------------------
# BatchGetItem
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def loaded(ddb, tables):
    """hash: h00..h29 (even ones carry b and c); range: r/0..29; bin: bytes 0..19."""
    hash_items = [dict({"pk": {"S": "h%02d" % i}, "a": {"N": str(i)}},
                       **({"b": {"S": "b%d" % i}, "c": {"SS": ["c", "d"]}} if i % 2 == 0 else {}))
                  for i in range(30)]
    range_items = [{"pk": {"S": "r"}, "sk": {"N": str(i)}, "x": {"S": "x%d" % i}, "y": {"BOOL": True}}
                   for i in range(30)]
    bin_items = [{"pk": {"B": bytes([i])}, "m": {"M": {"k": {"N": str(i)}}}} for i in range(20)]
    for table, items in ((tables["hash"], hash_items), (tables["range"], range_items), (tables["bin"], bin_items)):
        for i in range(0, len(items), 25):
            ddb.batch_write_item(RequestItems={table: [put(it) for it in items[i:i + 25]]})
    return {"hash": hash_items, "range": range_items, "bin": bin_items}


def test_get_100_keys_over_three_tables(ddb, tables, loaded):
    hash_keys = [{"pk": {"S": "h%02d" % i}} for i in range(0, 40)]                   # 30 exist, 10 missing
    range_keys = [{"pk": {"S": "r"}, "sk": {"N": str(i)}} for i in range(-5, 35)]   # 30 exist, 10 missing
    bin_keys = [{"pk": {"B": bytes([i])}} for i in range(10, 30)]                   # 10 exist, 10 missing
    assert len(hash_keys) + len(range_keys) + len(bin_keys) == 100
    resp = body(ddb.batch_get_item(RequestItems={tables["hash"]: {"Keys": hash_keys},
                                                 tables["range"]: {"Keys": range_keys},
                                                 tables["bin"]: {"Keys": bin_keys}}))
    assert set(resp) == {"Responses", "UnprocessedKeys"}
    assert resp["UnprocessedKeys"] == {}
    assert set(resp["Responses"]) == {tables["hash"], tables["range"], tables["bin"]}
    assert sort_items(resp["Responses"][tables["hash"]]) == sort_items(loaded["hash"])
    assert sort_items(resp["Responses"][tables["range"]]) == sort_items(loaded["range"])
    assert sort_items(resp["Responses"][tables["bin"]]) == sort_items(loaded["bin"][10:])


def test_get_missing_items_are_simply_absent(ddb, tables, loaded):
    resp = body(ddb.batch_get_item(RequestItems={
        tables["hash"]: {"Keys": [{"pk": {"S": "nope"}}]},
        tables["range"]: {"Keys": [{"pk": {"S": "r"}, "sk": {"N": "0.5"}}, {"pk": {"S": "r"}, "sk": {"N": "1"}}]}}))
    assert resp == {"Responses": {tables["hash"]: [], tables["range"]: [loaded["range"][1]]}, "UnprocessedKeys": {}}


def test_get_projection_per_table(ddb, tables, loaded):
    resp = body(ddb.batch_get_item(RequestItems={
        tables["hash"]: {"Keys": [{"pk": {"S": "h%02d" % i}} for i in range(4)],
                         "ProjectionExpression": "#b, c, #nope", "ExpressionAttributeNames": {"#b": "b", "#nope": "zz"}},
        tables["range"]: {"Keys": [{"pk": {"S": "r"}, "sk": {"N": str(i)}} for i in range(3)],
                          "ProjectionExpression": "x, sk"},
        tables["bin"]: {"Keys": [{"pk": {"B": b"\x05"}}], "ProjectionExpression": "m.k"}}))
    assert resp["UnprocessedKeys"] == {}
    assert sort_items(resp["Responses"][tables["hash"]]) == sort_items([
        {"b": {"S": "b0"}, "c": {"SS": ["c", "d"]}}, {}, {"b": {"S": "b2"}, "c": {"SS": ["c", "d"]}}, {}])
    assert sort_items(resp["Responses"][tables["range"]]) == sort_items(
        [{"x": {"S": "x%d" % i}, "sk": {"N": str(i)}} for i in range(3)])
    assert resp["Responses"][tables["bin"]] == [{"m": {"M": {"k": {"N": "5"}}}}]


def test_get_attributes_to_get_per_table(ddb, tables, loaded):
    resp = body(ddb.batch_get_item(RequestItems={
        tables["range"]: {"Keys": [{"pk": {"S": "r"}, "sk": {"N": "1"}}], "AttributesToGet": ["x", "sk"]},
        tables["hash"]: {"Keys": [{"pk": {"S": "h00"}}]}}))
    assert resp["Responses"][tables["range"]] == [{"x": {"S": "x1"}, "sk": {"N": "1"}}]


def test_get_projection_forms_do_not_mix_across_tables(ddb, tables):
    # captured against AWS (paritysuite's batchGetItem, 2026): ProjectionExpression on one table
    # and AttributesToGet on another is refused like the two on one table
    with pytest.raises(ClientError) as e:
        ddb.batch_get_item(RequestItems={
            tables["hash"]: {"Keys": [{"pk": {"S": "h00"}}], "ProjectionExpression": "b"},
            tables["range"]: {"Keys": [{"pk": {"S": "r"}, "sk": {"N": "1"}}], "AttributesToGet": ["x"]}})
    assert_client_error(e, "ValidationException",
                        "Can not use both expression and non-expression parameters in the same request: "
                        "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}")


def test_get_consistent_read_and_capacity_per_table(ddb, tables):
    """Read units per key: ceil(item size / 4096), a missing item counts as one; halved for the
    tables read eventually consistently."""
    ddb.put_item(TableName=tables["hash"], Item=padded_item({"pk": {"S": "four"}}, 4096))
    ddb.put_item(TableName=tables["hash"], Item=padded_item({"pk": {"S": "more"}}, 4097))
    ddb.put_item(TableName=tables["bin"], Item=padded_item({"pk": {"B": b"four"}}, 4096))
    ddb.put_item(TableName=tables["bin"], Item=padded_item({"pk": {"B": b"more"}}, 8193))
    request = {
        tables["hash"]: {"Keys": [{"pk": {"S": "four"}}, {"pk": {"S": "more"}}, {"pk": {"S": "none"}}],
                         "ConsistentRead": True},                                                     # 1 + 2 + 1
        tables["bin"]: {"Keys": [{"pk": {"B": b"four"}}, {"pk": {"B": b"more"}}, {"pk": {"B": b"none"}}],
                        "ConsistentRead": False},                                                     # (1 + 3 + 1) / 2
    }
    resp = body(ddb.batch_get_item(RequestItems=request, ReturnConsumedCapacity="TOTAL"))
    assert sorted(resp["ConsumedCapacity"], key=lambda c: c["TableName"]) == sorted(
        [{"TableName": tables["hash"], "CapacityUnits": 4.0}, {"TableName": tables["bin"], "CapacityUnits": 2.5}],
        key=lambda c: c["TableName"])
    assert len(resp["Responses"][tables["hash"]]) == 2 and len(resp["Responses"][tables["bin"]]) == 2
    resp = body(ddb.batch_get_item(RequestItems=request, ReturnConsumedCapacity="INDEXES"))
    assert sorted(resp["ConsumedCapacity"], key=lambda c: c["TableName"]) == sorted(
        [{"TableName": tables["hash"], "CapacityUnits": 4.0, "Table": {"CapacityUnits": 4.0}},
         {"TableName": tables["bin"], "CapacityUnits": 2.5, "Table": {"CapacityUnits": 2.5}}],
        key=lambda c: c["TableName"])
    resp = body(ddb.batch_get_item(RequestItems=request))
    assert "ConsumedCapacity" not in resp


def test_get_consistent_read_sees_batch_write(ddb, tables):
    for i in range(10):
        ddb.batch_write_item(RequestItems={tables["hash"]: [put({"pk": {"S": "w"}, "v": {"N": str(i)}})]})
        resp = ddb.batch_get_item(RequestItems={tables["hash"]: {"Keys": [{"pk": {"S": "w"}}], "ConsistentRead": True}})
        assert resp["Responses"][tables["hash"]] == [{"pk": {"S": "w"}, "v": {"N": str(i)}}]


def test_get_more_than_100_keys_in_one_table(ddb, tables):
    # no value, capitalised path: captured by a public conformance suite (see test_fidelity_batch.py)
    expect_error_matching(ddb.batch_get_item,
                          re.escape(PREFIX + "Value at 'RequestItems.%s.member.Keys' failed to satisfy constraint: "
                                    "Member must have length less than or equal to 100" % tables["hash"]),
                          RequestItems={tables["hash"]: {"Keys": [{"pk": {"S": str(i)}} for i in range(101)]}})


def test_get_more_than_100_keys_over_tables(ddb, tables):
    expect_error(ddb.batch_get_item, "Too many items requested for the BatchGetItem call",
                 RequestItems={tables["hash"]: {"Keys": [{"pk": {"S": str(i)}} for i in range(100)]},
                               tables["bin"]: {"Keys": [{"pk": {"B": b"x"}}]}})


def test_get_exactly_100_keys_of_a_missing_table(ddb):
    expect_error(ddb.batch_get_item, "Requested resource not found", code="ResourceNotFoundException",
                 RequestItems={unique_name("bg_missing"): {"Keys": [{"pk": {"S": str(i)}} for i in range(100)]}})


def test_get_missing_table_among_existing(ddb, tables):
    expect_error(ddb.batch_get_item, "Requested resource not found", code="ResourceNotFoundException",
                 RequestItems={tables["hash"]: {"Keys": [{"pk": {"S": "a"}}]},
                               unique_name("bg_missing"): {"Keys": [{"pk": {"S": "a"}}]}})


@pytest.mark.parametrize("keys", [
    [{"pk": {"S": "a"}}, {"pk": {"S": "b"}}, {"pk": {"S": "a"}}],
], ids=["hash"])
def test_get_duplicate_keys(ddb, tables, keys):
    expect_error(ddb.batch_get_item, "Provided list of item keys contains duplicates",
                 RequestItems={tables["hash"]: {"Keys": keys}})


def test_get_duplicate_range_keys_in_any_attribute_order(ddb, tables):
    expect_error(ddb.batch_get_item, "Provided list of item keys contains duplicates",
                 RequestItems={tables["range"]: {"Keys": [{"pk": {"S": "a"}, "sk": {"N": "1"}},
                                                          {"sk": {"N": "1"}, "pk": {"S": "a"}}]}})


def test_get_number_keys_spelled_differently_are_one_item(ddb, tables, make_table):
    """Two spellings of one number are not duplicates to BatchGetItem's check (it compares numbers as
    sent: ScyllaDB's number normalization tests, scylladb/scylladb#29501, pass against DynamoDB except
    that "DynamoDB doesn't recognize unnormalized numbers in BatchGetItem as duplicate keys"), but they
    name one item, which DynamoDB answers once (issue 52: a suite recorded against DynamoDB), read
    and charged once."""
    nums = make_table(("pk", "N"))
    ddb.put_item(TableName=nums, Item={"pk": {"N": "1000"}, "v": {"S": "x"}})
    ddb.put_item(TableName=nums, Item={"pk": {"N": "7"}})
    got = ddb.batch_get_item(RequestItems={nums: {"Keys": [{"pk": {"N": "1000"}}, {"pk": {"N": "1e3"}}]}},
                             ReturnConsumedCapacity="TOTAL")
    assert got["Responses"] == {nums: [{"pk": {"N": "1000"}, "v": {"S": "x"}}]}
    assert got["UnprocessedKeys"] == {}
    assert got["ConsumedCapacity"] == [{"TableName": nums, "CapacityUnits": 0.5}]
    # in a sort key, three spellings among other keys: the item once, the others as usual
    ddb.put_item(TableName=tables["range"], Item={"pk": {"S": "n"}, "sk": {"N": "1000"}})
    ddb.put_item(TableName=tables["range"], Item={"pk": {"S": "n"}, "sk": {"N": "2"}})
    got = ddb.batch_get_item(RequestItems={tables["range"]: {"ConsistentRead": True, "Keys": [
        {"pk": {"S": "n"}, "sk": {"N": "1000"}}, {"pk": {"S": "n"}, "sk": {"N": "1e3"}},
        {"pk": {"S": "n"}, "sk": {"N": "2"}}, {"pk": {"S": "n"}, "sk": {"N": "10E+2"}}]}},
        ReturnConsumedCapacity="TOTAL")
    assert sorted(got["Responses"][tables["range"]], key=lambda i: int(i["sk"]["N"])) == [
        {"pk": {"S": "n"}, "sk": {"N": "2"}}, {"pk": {"S": "n"}, "sk": {"N": "1000"}}]
    assert got["ConsumedCapacity"] == [{"TableName": tables["range"], "CapacityUnits": 2.0}]
    # the same spelling twice is still a duplicate
    expect_error(ddb.batch_get_item, "Provided list of item keys contains duplicates",
                 RequestItems={tables["range"]: {"Keys": [{"pk": {"S": "a"}, "sk": {"N": "1e3"}},
                                                          {"pk": {"S": "a"}, "sk": {"N": "1e3"}}]}})


@pytest.mark.parametrize("table_kind, key", [
    ("hash", {}), ("hash", {"x": {"S": "a"}}), ("hash", {"pk": {"S": "a"}, "x": {"S": "a"}}),
    ("hash", {"pk": {"N": "1"}}), ("hash", {"pk": {"B": b"a"}}), ("hash", {"pk": {"BOOL": True}}),
    ("range", {"pk": {"S": "a"}}), ("range", {"pk": {"S": "a"}, "sk": {"S": "1"}}),
    ("bin", {"pk": {"S": "a"}}),
])
def test_get_key_schema_mismatch(ddb, tables, table_kind, key):
    expect_error(ddb.batch_get_item, KEY_MISMATCH, RequestItems={tables[table_kind]: {"Keys": [key]}})


@pytest.mark.parametrize("entry, message", [
    ({"Keys": []}, PREFIX + "Value at 'RequestItems.{table}.member.Keys' failed to satisfy constraint: Member "
     "must have length greater than or equal to 1"),
    ({"Keys": [{"pk": {"S": "a"}}], "AttributesToGet": ["a"], "ProjectionExpression": "a"},
     "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: "
     "{AttributesToGet} Expression parameters: {ProjectionExpression}"),
    ({"Keys": [{"pk": {"S": "a"}}], "AttributesToGet": ["a", "a"]},
     INVALID + "Duplicate value in attribute name: a"),
    ({"Keys": [{"pk": {"S": "a"}}], "ProjectionExpression": ""},
     "Invalid ProjectionExpression: The expression can not be empty;"),
    ({"Keys": [{"pk": {"S": "a"}}], "ExpressionAttributeNames": {"#a": "a"}},
     "ExpressionAttributeNames can only be specified when using expressions"),
    ({"Keys": [{"pk": {"S": "a"}}], "ProjectionExpression": "#a", "ExpressionAttributeNames": {"#a": "a", "#b": "b"}},
     "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}"),
    ({"Keys": [{"pk": {"S": ""}}]}, "One or more parameter values are not valid. The AttributeValue for a key "
     "attribute cannot contain an empty string value. Key: pk"),
    ({"Keys": [{"pk": {"S": "a" * 2049}}]}, INVALID + "Size of hashkey has exceeded the maximum size limit of2048 bytes"),
])
def test_get_request_validation(ddb, tables, entry, message):
    expect_error(ddb.batch_get_item, message.replace("{table}", tables["hash"]),
                 RequestItems={tables["hash"]: entry})


def test_get_request_items_empty(ddb):
    expect_error(ddb.batch_get_item, PREFIX + "Value at 'RequestItems' failed to satisfy constraint: Member "
                 "must have length greater than or equal to 1", RequestItems={})


# ---------------------------------------------------------------------------------------------
# The 16 MB BatchGetItem response
# ---------------------------------------------------------------------------------------------

ITEM_380K = 380 * 1024  # 43 fit in 16 MB (16 732 160 bytes), 44 do not (17 121 280)


def big_items(prefix, n):
    return [padded_item({"pk": {"S": "%s%02d" % (prefix, i)}}, ITEM_380K) for i in range(n)]


def load(ddb, table, items):
    for i in range(0, len(items), 25):
        resp = ddb.batch_write_item(RequestItems={table: [put(it) for it in items[i:i + 25]]})
        assert resp["UnprocessedItems"] == {}


def test_get_16mb_limit_returns_rest_as_unprocessed_keys(ddb, make_table):
    table = make_table(("pk", "S"))
    items = big_items("k", 50)
    load(ddb, table, items)
    keys = [{"pk": it["pk"]} for it in items]
    resp = body(ddb.batch_get_item(RequestItems={table: {"Keys": keys, "ConsistentRead": True}},
                                   ReturnConsumedCapacity="TOTAL"))
    got = resp["Responses"][table]
    assert len(got) == 43
    assert sum(len(it["p"]["S"]) for it in got) <= 16 * MB
    unprocessed = resp["UnprocessedKeys"]
    assert set(unprocessed) == {table}
    assert set(unprocessed[table]) == {"Keys", "ConsistentRead"}
    assert unprocessed[table]["ConsistentRead"] is True
    left = unprocessed[table]["Keys"]
    assert len(left) == 7
    returned = {it["pk"]["S"] for it in got}
    assert len(returned) == 43 and returned.isdisjoint(k["pk"]["S"] for k in left)
    assert returned | {k["pk"]["S"] for k in left} == {k["pk"]["S"] for k in keys}
    assert all(it == items[int(it["pk"]["S"][1:])] for it in got)
    # only what was read is charged: 43 items of 95 units each
    assert resp["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 43 * 95.0}]
    again = body(ddb.batch_get_item(RequestItems=unprocessed))
    assert again["UnprocessedKeys"] == {}
    assert sorted(it["pk"]["S"] for it in again["Responses"][table]) == sorted(k["pk"]["S"] for k in left)


def test_get_16mb_limit_over_two_tables_with_projection_params_echoed(ddb, make_table):
    t1, t2 = make_table(("pk", "S")), make_table(("pk", "S"))
    items1, items2 = big_items("a", 25), big_items("b", 25)
    load(ddb, t1, items1)
    load(ddb, t2, items2)
    request = {t1: {"Keys": [{"pk": it["pk"]} for it in items1], "ProjectionExpression": "#k, p",
                    "ExpressionAttributeNames": {"#k": "pk"}},
               t2: {"Keys": [{"pk": it["pk"]} for it in items2], "ConsistentRead": False}}
    resp = body(ddb.batch_get_item(RequestItems=request))
    got = {t: resp["Responses"].get(t, []) for t in (t1, t2)}
    assert len(got[t1]) + len(got[t2]) == 43
    fetched, rounds = {t: [it["pk"]["S"] for it in got[t]] for t in (t1, t2)}, 1
    pending = resp["UnprocessedKeys"]
    for t, entry in pending.items():
        extra = {k: v for k, v in request[t].items() if k != "Keys"}
        assert {k: v for k, v in entry.items() if k != "Keys"} == extra
    while pending:
        resp = body(ddb.batch_get_item(RequestItems=pending))
        for t, its in resp["Responses"].items():
            fetched[t] += [it["pk"]["S"] for it in its]
        pending = resp["UnprocessedKeys"]
        rounds += 1
        assert rounds < 5
    assert sorted(fetched[t1]) == ["a%02d" % i for i in range(25)]
    assert sorted(fetched[t2]) == ["b%02d" % i for i in range(25)]
