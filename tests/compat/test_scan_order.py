"""Scan order and parallel-scan segments as DynamoDB's (issue 62).

DynamoDB answers a Scan in the order of its partition hash, and splits a parallel scan by its first
bits. Public suites recorded against DynamoDB pin that order: architect/dynalite's test/scan.js
("should return items in string hash order", "... in number hash order", "... from correct string
hash segments", "... from correct number hash segments"), whose keys and answers are copied below.
dynalite reproduces them with MD5 of the 8 bytes "Outliers" followed by the partition key's bytes
(S as UTF-8, B raw, N in DynamoDB's number encoding), the first 24 bits ordering the Scan and the
first 12 choosing a segment of 4,096; ddbd's stores made since issue 62 hash so
(docs/storage-format.md, "Item keys"). On main before it, the order was SipHash's: none of these held.

Orders not recorded by the suite (binary keys, more numbers) were computed with dynalite 4's
db/index.js (npm package): hashPrefix(key, type) for every key, sorted, e.g.
    node -e "const db = require('dynalite/db'); console.log(keys.map(k => [db.hashPrefix(k, 'B'), k]).sort())"
String keys are also checked against Python's own MD5 here, with no table of expectations.
"""
import base64
import hashlib
from decimal import Decimal

import pytest

from conftest import all_pages, batch_put, create_table_params, unique_name

# dynalite test/scan.js, recorded against DynamoDB: the 14 string keys and the order a Scan answers them in
STRING_KEYS = [str(i) for i in range(10)] + ["aardman", "hello", "zapf", "äáöü"]
STRING_ORDER = ["2", "8", "9", "1", "6", "hello", "0", "5", "4", "äáöü", "aardman", "7", "3", "zapf"]
# the same suite's 14 number keys and their order
NUMBER_KEYS = [str(i) for i in range(10)] + ["-0.09", "999.9", "0.012345", "-999.9"]
NUMBER_ORDER = ["7", "999.9", "8", "3", "2", "-999.9", "9", "4", "-0.09", "6", "1", "0", "0.012345", "5"]
# and which of 4,096 segments a key lands in
STRING_SEGMENTS_4096 = {"3635": 0, "228": 0, "1668": 1, "3435": 4}
NUMBER_SEGMENTS_4096 = {"251": 1, "2388": 4095}

# two more suites verified against AWS expect "A" before "B" (issue 62)
AWS_VERIFIED_ORDER = ["A", "B"]
# keys past one MD5 block (55 bytes with the prefix), up to the 2,048 bytes a partition key may have
LONG_KEYS = ["x" * 47, "x" * 48, "long key " * 20, "\u00e9" * 1024]
# keys whose 12-bit prefix sits just below a boundary of n segments, found by search with Python's MD5:
# dynalite's rule (whole prefixes) puts each in the segment below the one floor(hash * n / 2^64) would
EDGE_SEGMENTS = {"edge1477": (3, 1), "edge568": (7, 1), "edge1112": (10, 3)}
# every string key the S table holds
ALL_STRING_KEYS = STRING_KEYS + list(STRING_SEGMENTS_4096) + list(EDGE_SEGMENTS) + AWS_VERIFIED_ORDER + LONG_KEYS
# computed with dynalite's hashPrefix (above): numbers at the edges of DynamoDB's range and precision
MORE_NUMBER_ORDER = ["-1", "-100", "1e125", "0.001", "-1e-130", "1e10", "-7.5", "0.5",
                     "12345678901234567890123456789012345678", "42"]
# computed with dynalite's hashPrefix: the segment of 4,096 (the hash's first 12 bits) of every number key
NUMBER_PREFIX12 = {"0": 3298, "1": 3130, "2": 1447, "3": 1111, "4": 1899, "5": 3423, "6": 2382, "7": 39, "8": 356,
                   "9": 1809, "42": 3112, "251": 1, "2388": 4095, "-0.09": 2245, "999.9": 201, "0.012345": 3318,
                   "-999.9": 1675, "-1": 38, "-100": 306, "1e125": 754, "0.001": 802, "-1e-130": 941, "1e10": 1092,
                   "-7.5": 1377, "0.5": 2890, "12345678901234567890123456789012345678": 2896}
# computed with dynalite's hashPrefix: 14 binary keys (hex) in Scan order
BINARY_ORDER = ["02", "05", "ff", "01", "08", "deadbeef", "06", "09", "68656c6c6f", "0000", "07", "03", "04", "00"]


def dynamodb_prefix(key_bytes, bits):
    """The first `bits` bits of DynamoDB's partition hash of a key's bytes."""
    return int(hashlib.md5(b"Outliers" + key_bytes).hexdigest()[:16], 16) >> (64 - bits)


def dynalite_segment(prefix12, total):
    """The segment of `total` (<= 4096) that dynalite's scan.js gives a 12-bit hash prefix: segment s
    covers ceil(4096 s / total) .. ceil(4096 (s + 1) / total) - 1."""
    def start(s):
        return -(-4096 * s // total)
    return next(s for s in range(total) if start(s) <= prefix12 < start(s + 1))


@pytest.fixture(scope="module")
def order_tables(ddb):
    """Hash-only tables keyed by S, N and B holding the keys above, and one keyed by S with GSIs on
    an S and an N attribute that hold the recorded keys."""
    names = {k: unique_name("order_" + k) for k in ("s", "n", "b", "gsi")}
    ddb.create_table(**create_table_params(names["s"], ("a", "S")))
    ddb.create_table(**create_table_params(names["n"], ("a", "N")))
    ddb.create_table(**create_table_params(names["b"], ("a", "B")))
    ddb.create_table(**create_table_params(
        names["gsi"], ("id", "S"),
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                              {"AttributeName": "gs", "AttributeType": "S"},
                              {"AttributeName": "gn", "AttributeType": "N"}],
        GlobalSecondaryIndexes=[
            {"IndexName": "by_s", "KeySchema": [{"AttributeName": "gs", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "ALL"}},
            {"IndexName": "by_n", "KeySchema": [{"AttributeName": "gn", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}}]))
    # written in an order of their own (reversed), so that an answer in insertion order fails too
    batch_put(ddb, names["s"], [{"a": {"S": k}} for k in reversed(ALL_STRING_KEYS)])
    batch_put(ddb, names["n"], [{"a": {"N": k}} for k in reversed(NUMBER_KEYS + MORE_NUMBER_ORDER +
                                                                   list(NUMBER_SEGMENTS_4096))])
    batch_put(ddb, names["b"], [{"a": {"B": bytes.fromhex(k)}} for k in reversed(BINARY_ORDER)])
    batch_put(ddb, names["gsi"], [{"id": {"S": "item%02d" % i}, "gs": {"S": s}, "gn": {"N": n}}
                                  for i, (s, n) in enumerate(zip(reversed(STRING_KEYS), NUMBER_KEYS))])
    yield names
    for name in names.values():
        ddb.delete_table(TableName=name)


def scan_keys(ddb, table, attr, kind, **params):
    items = [it for page in all_pages(ddb.scan, dict(TableName=table, **params)) for it in page["Items"]]
    return [it[attr][kind] for it in items]


def test_string_keys_in_dynamodbs_recorded_order(ddb, order_tables):
    keys = [k for k in scan_keys(ddb, order_tables["s"], "a", "S") if k in STRING_KEYS]
    assert keys == STRING_ORDER
    # paged a few at a time: the same order, each page resuming after the last
    paged = scan_keys(ddb, order_tables["s"], "a", "S", Limit=3)
    assert [k for k in paged if k in STRING_KEYS] == STRING_ORDER
    assert [k for k in paged if k in AWS_VERIFIED_ORDER] == AWS_VERIFIED_ORDER
    # and the whole table is in the order of the hash's first bits, as Python's own MD5 computes it
    # (long keys too, whose hash takes a second block)
    everything = scan_keys(ddb, order_tables["s"], "a", "S")
    assert set(LONG_KEYS) <= set(everything)
    assert everything == sorted(everything, key=lambda k: dynamodb_prefix(k.encode(), 64))


def test_number_keys_in_dynamodbs_recorded_order(ddb, order_tables):
    keys = scan_keys(ddb, order_tables["n"], "a", "N")
    recorded = {Decimal(k) for k in NUMBER_KEYS}
    assert [k for k in keys if Decimal(k) in recorded] == NUMBER_ORDER


def test_numbers_at_the_edges_of_range_and_precision(ddb, order_tables):
    """DynamoDB's number bytes (its exponent byte, base-100 digit pairs, the negative terminator up to
    20 pairs) decide the hash: the extremes of its range and a number of 38 digits fall where
    dynalite puts them. The answers are canonical text, so values are compared."""
    keys = [Decimal(k) for k in scan_keys(ddb, order_tables["n"], "a", "N", Limit=4)]
    wanted = {Decimal(k) for k in MORE_NUMBER_ORDER}
    assert [k for k in keys if k in wanted] == [Decimal(k) for k in MORE_NUMBER_ORDER]


def test_binary_keys_in_dynamodbs_order(ddb, order_tables):
    keys = [bytes(k).hex() for k in scan_keys(ddb, order_tables["b"], "a", "B")]
    assert keys == BINARY_ORDER
    assert keys == sorted(keys, key=lambda k: dynamodb_prefix(bytes.fromhex(k), 64))


def segment_of(ddb, table, attr, kind, key, total):
    found = [s for s in range(total) if key in scan_keys(ddb, table, attr, kind, Segment=s, TotalSegments=total)]
    assert len(found) == 1, (key, found)
    return found[0]


def test_recorded_segments_of_4096(ddb, order_tables):
    for key, segment in STRING_SEGMENTS_4096.items():
        got = scan_keys(ddb, order_tables["s"], "a", "S", Segment=segment, TotalSegments=4096)
        assert key in got, (key, segment, got)
    for key, segment in NUMBER_SEGMENTS_4096.items():
        got = scan_keys(ddb, order_tables["n"], "a", "N", Segment=segment, TotalSegments=4096)
        assert key in got, (key, segment, got)
    # and nowhere else: a neighbouring segment does not hold them
    assert "1668" not in scan_keys(ddb, order_tables["s"], "a", "S", Segment=0, TotalSegments=4096)
    assert "2388" not in scan_keys(ddb, order_tables["n"], "a", "N", Segment=4094, TotalSegments=4096)


@pytest.mark.parametrize("total", [2, 3, 7, 10, 4096])
def test_every_string_key_in_dynalites_segment(ddb, order_tables, total):
    """For any TotalSegments up to 4,096, segment s holds the keys whose 12-bit prefix p has
    ceil(4096 s / n) <= p < ceil(4096 (s + 1) / n), dynalite's rule: the boundaries fall on whole
    prefixes, so a key near one lands where DynamoDB's segments put it."""
    want = {}
    for key in ALL_STRING_KEYS:
        want.setdefault(dynalite_segment(dynamodb_prefix(key.encode(), 12), total), set()).add(key)
    for segment, keys in want.items():
        got = set(scan_keys(ddb, order_tables["s"], "a", "S", Segment=segment, TotalSegments=total))
        assert got == keys, (total, segment)


@pytest.mark.parametrize("total", [7, 4096])
def test_every_binary_key_in_dynalites_segment(ddb, order_tables, total):
    want = {}
    for key in BINARY_ORDER:
        want.setdefault(dynalite_segment(dynamodb_prefix(bytes.fromhex(key), 12), total), set()).add(key)
    for segment, keys in want.items():
        got = {bytes(k).hex() for k in scan_keys(ddb, order_tables["b"], "a", "B", Segment=segment,
                                                 TotalSegments=total)}
        assert got == keys, (total, segment)


@pytest.mark.parametrize("total", [3, 4096])
def test_every_number_key_in_dynalites_segment(ddb, order_tables, total):
    want = {}
    for key, prefix in NUMBER_PREFIX12.items():
        want.setdefault(dynalite_segment(prefix, total), set()).add(Decimal(key))
    for segment, keys in want.items():
        got = {Decimal(k) for k in scan_keys(ddb, order_tables["n"], "a", "N", Segment=segment, TotalSegments=total)}
        assert got == keys, (total, segment)


def test_keys_at_a_segment_boundary(ddb, order_tables):
    for key, (total, segment) in EDGE_SEGMENTS.items():
        assert segment_of(ddb, order_tables["s"], "a", "S", key, total) == segment, key
        assert dynalite_segment(dynamodb_prefix(key.encode(), 12), total) == segment


def test_gsi_scan_in_the_order_of_its_partition_key(ddb, order_tables):
    """An index's Scan follows the same hash of the index's partition key: the recorded string and
    number orders again, through a GSI keyed by S and one keyed by N."""
    table = order_tables["gsi"]
    assert scan_keys(ddb, table, "gs", "S", IndexName="by_s") == STRING_ORDER
    assert scan_keys(ddb, table, "gn", "N", IndexName="by_n", Limit=5) == NUMBER_ORDER
    # a parallel scan of the index splits it by the same prefix
    got = {}
    for segment in range(3):
        for key in scan_keys(ddb, table, "gs", "S", IndexName="by_s", Segment=segment, TotalSegments=3):
            got[key] = segment
    assert got == {k: dynalite_segment(dynamodb_prefix(k.encode(), 12), 3) for k in STRING_KEYS}
