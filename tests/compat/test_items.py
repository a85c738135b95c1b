"""Item operations that succeed: PutItem, GetItem, DeleteItem, ReturnValues, round trips."""
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import MAX_ITEM_SIZE, all_pages, make_client, padded_item


def normalize(value):
    """Makes an AttributeValue comparable with ==: sets become frozensets."""
    (kind, v), = value.items()
    if kind in ("SS", "NS", "BS"):
        return {kind: frozenset(v)}
    if kind == "L":
        return {"L": [normalize(x) for x in v]}
    if kind == "M":
        return {"M": {k: normalize(x) for k, x in v.items()}}
    return {kind: v}


def normalize_item(item):
    return {k: normalize(v) for k, v in item.items()}


ALL_TYPES_ITEM = {
    "pk": {"S": "all-types"},
    "s": {"S": "h\u00e9llo \u2603 \U0001F600"},
    "s_empty": {"S": ""},
    "n": {"N": "-56.789"},
    "b": {"B": b"\x00\x01\xfe\xff"},
    "b_empty": {"B": b""},
    "bool_t": {"BOOL": True},
    "bool_f": {"BOOL": False},
    "null": {"NULL": True},
    "ss": {"SS": ["a", "b", "c"]},
    "ns": {"NS": ["1", "-2.5", "300"]},
    "bs": {"BS": [b"\x01", b"\x02\x03"]},
    "l": {"L": [{"S": "a"}, {"N": "1"}, {"B": b"\x07"}, {"BOOL": True}, {"NULL": True},
                {"SS": ["x"]}, {"NS": ["2"]}, {"BS": [b"\x09"]}, {"L": []}, {"M": {}}]},
    "m": {"M": {"a": {"S": "a"}, "b": {"N": "-56.789"}, "c": {"B": b"b"},
                "d": {"BOOL": True}, "e": {"NULL": True},
                "nested": {"M": {"deeper": {"L": [{"M": {"x": {"S": "y"}}}]}}}}},
}


@pytest.mark.parametrize("hash_key, range_key, key", [
    (("pk", "S"), None, {"pk": {"S": "all-types"}}),
    (("pk", "N"), None, {"pk": {"N": "42"}}),
    (("pk", "B"), None, {"pk": {"B": b"\x00key\xff"}}),
    (("pk", "S"), ("sk", "S"), {"pk": {"S": "h"}, "sk": {"S": "r"}}),
    (("pk", "S"), ("sk", "N"), {"pk": {"S": "h"}, "sk": {"N": "-3.25"}}),
    (("pk", "N"), ("sk", "B"), {"pk": {"N": "7"}, "sk": {"B": b"\x01\x02"}}),
], ids=["S", "N", "B", "S+S", "S+N", "N+B"])
def test_all_types_round_trip(ddb, make_table, hash_key, range_key, key):
    table = make_table(hash_key, range_key)
    item = dict(ALL_TYPES_ITEM)
    item.update(key)
    assert ddb.put_item(TableName=table, Item=item).keys() == {"ResponseMetadata"}
    for consistent in (False, True):
        got = ddb.get_item(TableName=table, Key=key, ConsistentRead=consistent)
        assert normalize_item(got["Item"]) == normalize_item(item)


@pytest.mark.parametrize("given, canonical", [
    ("1.50", "1.5"),
    ("1E+3", "1000"),
    ("1e3", "1000"),
    ("-0", "0"),
    ("0.000", "0"),
    ("00012", "12"),
    ("-0015.789e6", "-15789000"),
    ("1.23e-3", "0.00123"),
    ("0000012345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
    ("-00001.23456789012345678901234567890123456780000", "-1.2345678901234567890123456789012345678"),
    ("0009.99999999999999999999999999999999999990000e125", "9" * 38 + "0" * 88),
    ("-0009.99999999999999999999999999999999999990000e125", "-" + "9" * 38 + "0" * 88),
    ("0001.000e-130", "0." + "0" * 129 + "1"),
    ("-0001.000e-130", "-0." + "0" * 129 + "1"),
])
def test_numbers_come_back_canonical(ddb, make_table, given, canonical):
    table = make_table()
    ddb.put_item(TableName=table, Item={"pk": {"S": "n"}, "v": {"N": given},
                                        "l": {"L": [{"N": given}]}, "m": {"M": {"x": {"N": given}}}})
    item = ddb.get_item(TableName=table, Key={"pk": {"S": "n"}}, ConsistentRead=True)["Item"]
    assert item["v"] == {"N": canonical}
    assert item["l"] == {"L": [{"N": canonical}]}
    assert item["m"] == {"M": {"x": {"N": canonical}}}


def test_number_set_is_canonical(ddb, make_table):
    table = make_table()
    ddb.put_item(TableName=table, Item={"pk": {"S": "ns"}, "v": {"NS": ["1.50", "1E+3", "-0"]}})
    item = ddb.get_item(TableName=table, Key={"pk": {"S": "ns"}})["Item"]
    assert set(item["v"]["NS"]) == {"1.5", "1000", "0"}


def test_number_keys_compare_numerically(ddb, make_table):
    table = make_table(("pk", "N"), ("sk", "N"))
    ddb.put_item(TableName=table, Item={"pk": {"N": "1.0"}, "sk": {"N": "1E2"}, "v": {"S": "a"}})
    got = ddb.get_item(TableName=table, Key={"pk": {"N": "1"}, "sk": {"N": "100.00"}})
    assert got["Item"] == {"pk": {"N": "1"}, "sk": {"N": "100"}, "v": {"S": "a"}}


def test_range_items_are_distinct(ddb, make_table):
    table = make_table(("pk", "S"), ("sk", "S"))
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "v": {"N": "1"}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "sk": {"S": "2"}, "v": {"N": "2"}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "b"}, "sk": {"S": "1"}, "v": {"N": "3"}})
    for pk, sk, v in (("a", "1", "1"), ("a", "2", "2"), ("b", "1", "3")):
        got = ddb.get_item(TableName=table, Key={"pk": {"S": pk}, "sk": {"S": sk}})
        assert got["Item"]["v"] == {"N": v}


def test_get_missing_item_returns_no_item(ddb, make_table):
    table = make_table()
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "nothing"}})
    assert set(got.keys()) == {"ResponseMetadata"}


def test_put_overwrites_whole_item(ddb, make_table):
    table = make_table()
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "x": {"S": "1"}, "y": {"S": "2"}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "z": {"S": "3"}})
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "a"}})
    assert got["Item"] == {"pk": {"S": "a"}, "z": {"S": "3"}}


def test_put_return_values(ddb, make_table):
    table = make_table()
    first = {"pk": {"S": "rv"}, "v": {"N": "-0015.789e6"}, "c": {"S": "a"}}
    resp = ddb.put_item(TableName=table, Item=first, ReturnValues="ALL_OLD")
    assert "Attributes" not in resp  # nothing existed

    resp = ddb.put_item(TableName=table, Item={"pk": {"S": "rv"}, "v": {"S": "new"}},
                        ReturnValues="ALL_OLD")
    assert resp["Attributes"] == {"pk": {"S": "rv"}, "v": {"N": "-15789000"}, "c": {"S": "a"}}

    resp = ddb.put_item(TableName=table, Item={"pk": {"S": "rv"}}, ReturnValues="NONE")
    assert "Attributes" not in resp
    resp = ddb.put_item(TableName=table, Item={"pk": {"S": "rv"}})
    assert "Attributes" not in resp


def test_delete_item_and_return_values(ddb, make_table):
    table = make_table(("pk", "S"), ("sk", "N"))
    key = {"pk": {"S": "d"}, "sk": {"N": "1"}}
    item = dict(key, v={"SS": ["x", "y"]})

    resp = ddb.delete_item(TableName=table, Key=key, ReturnValues="ALL_OLD")
    assert "Attributes" not in resp  # deleting a missing item succeeds

    ddb.put_item(TableName=table, Item=item)
    resp = ddb.delete_item(TableName=table, Key=key, ReturnValues="ALL_OLD")
    assert normalize_item(resp["Attributes"]) == normalize_item(item)
    assert "Item" not in ddb.get_item(TableName=table, Key=key)

    ddb.put_item(TableName=table, Item=item)
    resp = ddb.delete_item(TableName=table, Key=key, ReturnValues="NONE")
    assert "Attributes" not in resp
    assert "Item" not in ddb.get_item(TableName=table, Key=key, ConsistentRead=True)


def test_empty_non_key_string_and_binary_allowed(ddb, make_table):
    table = make_table()
    item = {"pk": {"S": "e"}, "s": {"S": ""}, "b": {"B": b""},
            "m": {"M": {"s": {"S": ""}}}, "l": {"L": [{"S": ""}]}}
    ddb.put_item(TableName=table, Item=item)
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "e"}})["Item"] == item


def test_key_size_limits_exactly_at_limit(ddb, make_table):
    table = make_table(("pk", "S"), ("sk", "S"))
    item = {"pk": {"S": "h" * 2048}, "sk": {"S": "r" * 1024}}
    ddb.put_item(TableName=table, Item=item)
    assert ddb.get_item(TableName=table, Key=item)["Item"] == item


def test_item_exactly_at_size_limit(ddb, make_table):
    table = make_table()
    item = padded_item({"pk": {"S": "big"}}, MAX_ITEM_SIZE, pad_name="data")
    ddb.put_item(TableName=table, Item=item)
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "big"}})["Item"]
    assert got == item


def test_multibyte_attribute_names_and_values(ddb, make_table):
    table = make_table()
    item = {"pk": {"S": "\u00fc"}, "\u540d\u524d": {"S": "\u5024"}, "emoji\U0001F600": {"N": "1"}}
    ddb.put_item(TableName=table, Item=item)
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "\u00fc"}})["Item"] == item



def test_concurrent_writes_are_all_visible(ddb, endpoint, make_table):
    table = make_table(("pk", "S"), ("sk", "N"))

    def writer(w):
        client = make_client(endpoint)
        for i in range(40):
            client.put_item(TableName=table, Item={"pk": {"S": "w%d" % (i % 7)},
                                                   "sk": {"N": str(w * 1000 + i)},
                                                   "v": {"S": "x" * (i * 10)}})
        return w

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert sorted(pool.map(writer, range(8))) == list(range(8))

    for w in range(8):
        for i in (0, 17, 39):
            got = ddb.get_item(TableName=table, ConsistentRead=True,
                               Key={"pk": {"S": "w%d" % (i % 7)}, "sk": {"N": str(w * 1000 + i)}})
            assert got["Item"]["v"] == {"S": "x" * (i * 10)}
    desc = ddb.describe_table(TableName=table)["Table"]
    assert desc["ItemCount"] == 8 * 40


def test_latest_value_wins_across_memtable_flushes(ddb, make_table):
    """Memtables are 4 MB and point reads are served from a row cache once data is flushed: the
    newest version (or the deletion) must win after flushes and compactions in between."""
    table = make_table()
    filler = iter(range(10 ** 6))

    def write_mb(mb):  # ~390 KB items: enough of them to fill and flush several memtables
        for _ in range(mb * 1024 // 390):
            ddb.put_item(TableName=table, Item=padded_item({"pk": {"S": "fill%d" % next(filler)}}, 390 * 1024))

    def get(consistent):
        return ddb.get_item(TableName=table, Key={"pk": {"S": "k"}}, ConsistentRead=consistent).get("Item")

    ddb.put_item(TableName=table, Item={"pk": {"S": "k"}, "v": {"N": "1"}})
    write_mb(10)
    assert get(True) == get(False) == {"pk": {"S": "k"}, "v": {"N": "1"}}  # read from a flushed file
    ddb.put_item(TableName=table, Item={"pk": {"S": "k"}, "v": {"N": "2"}})
    assert get(True) == {"pk": {"S": "k"}, "v": {"N": "2"}}  # memtable over a cached older version
    write_mb(10)
    assert get(True) == get(False) == {"pk": {"S": "k"}, "v": {"N": "2"}}
    ddb.delete_item(TableName=table, Key={"pk": {"S": "k"}})
    assert get(True) is None
    write_mb(10)
    assert get(True) is None and get(False) is None
    pages = all_pages(ddb.scan, {"TableName": table, "Select": "COUNT"})
    assert sum(p["Count"] for p in pages) == next(filler)  # every filler item, and k is gone


def test_sets_come_back_in_dynamodbs_order(ddb, make_table):
    # DynamoDB keeps a set's members ordered: strings and binaries by bytes, numbers by value
    # (paritysuite's updateItem suite, captured against AWS: ADD of '' onto {a} reads ['', 'a'])
    t = make_table()
    ddb.put_item(TableName=t, Item={"pk": {"S": "k"}, "ss": {"SS": ["b", "a", ""]},
                                    "ns": {"NS": ["10", "-1", "2.5"]}, "bs": {"BS": [b"\x02", b"\x01\x00", b"\x01"]}})
    item = ddb.get_item(TableName=t, Key={"pk": {"S": "k"}})["Item"]
    assert item["ss"] == {"SS": ["", "a", "b"]}
    assert item["ns"] == {"NS": ["-1", "2.5", "10"]}
    assert item["bs"] == {"BS": [b"\x01", b"\x01\x00", b"\x02"]}
    ddb.put_item(TableName=t, Item={"pk": {"S": "u"}, "tags": {"SS": ["a"]}})
    ddb.update_item(TableName=t, Key={"pk": {"S": "u"}}, UpdateExpression="ADD tags :v, n :n",
                    ExpressionAttributeValues={":v": {"SS": [""]}, ":n": {"NS": ["3", "1"]}})
    item = ddb.get_item(TableName=t, Key={"pk": {"S": "u"}})["Item"]
    assert item["tags"] == {"SS": ["", "a"]}
    assert item["n"] == {"NS": ["1", "3"]}
