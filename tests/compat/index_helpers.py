"""Helpers shared by the secondary-index suites (test_gsi.py, test_lsi.py, test_index_*.py).

Not a test module. The suites import the `ddb` fixture from here, which overrides conftest's for
them: by default it is conftest's client of the session ddbd, but with DDB_ENDPOINT set
(e.g. DDB_ENDPOINT=http://127.0.0.1:8100 for Amazon DynamoDB Local) the suites run against that
endpoint instead, to check the expectations against another implementation. Tests that need their
own ddbd process (restart, kill -9) skip themselves then.

Item and index-entry sizes follow DynamoDB: attribute-name bytes + value bytes; the helpers here
size S, B, BOOL and NULL values only (the sizing tests use no numbers).
"""
import math
import os
import time

import pytest

from conftest import make_client
from helpers import SETTLE_S

DDB_ENDPOINT = os.environ.get("DDB_ENDPOINT")
EXTERNAL = DDB_ENDPOINT is not None

INVALID = "One or more parameter values were invalid: "
CONSISTENT_GSI = "Consistent reads are not supported on global secondary indexes"
BACKFILLING = "Cannot read from backfilling global secondary index: %s"


def no_index(name):
    return "The table does not have the specified index: %s" % name


def missed_key(attr):
    return "Query condition missed key schema element: %s" % attr


def select_all_gsi(index):
    return (INVALID + "Select type ALL_ATTRIBUTES is not supported for global secondary index "
            "%s because its projection type is not ALL" % index)


def not_projected(index, attrs):
    return INVALID + "Global secondary index %s does not project [%s]" % (index, ", ".join(attrs))


def type_mismatch(attr, expected, actual, index):
    return (INVALID + "Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s"
            % (attr, expected, actual, index))


def empty_put(index, attr, kind="string"):
    return ("One or more parameter values are not valid. A value specified for a secondary index "
            "key is not supported. The AttributeValue for a key attribute cannot contain an empty "
            "%s value. IndexName: %s, IndexKey: %s" % (kind, index, attr))


def empty_update(kind="string"):
    return ("One or more parameter values are not valid. The update expression attempted to update "
            "a secondary index key to a value that is not supported. The AttributeValue for a key "
            "attribute cannot contain an empty %s value." % kind)


def filter_key(attr):
    return "Filter Expression can only contain non-primary key attributes: Primary key attribute: %s" % attr


@pytest.fixture(scope="module")
def ddb(request):
    if EXTERNAL:
        return make_client(DDB_ENDPOINT)
    return make_client(request.getfixturevalue("endpoint"))


def needs_own_server():
    if EXTERNAL:
        pytest.skip("starts its own ddbd; not run against DDB_ENDPOINT")


# ---------------------------------------------------------------------------------------------
# Table and index specifications
# ---------------------------------------------------------------------------------------------

def gsi(name, hash_key, range_key=None, projection="ALL", non_key=None, throughput=None):
    """A GlobalSecondaryIndexes entry; hash_key/range_key are (name, type)."""
    ix = {"IndexName": name, "KeySchema": [{"AttributeName": hash_key[0], "KeyType": "HASH"}],
          "Projection": {"ProjectionType": projection}}
    if range_key:
        ix["KeySchema"].append({"AttributeName": range_key[0], "KeyType": "RANGE"})
    if non_key is not None:
        ix["Projection"]["NonKeyAttributes"] = list(non_key)
    if throughput:
        ix["ProvisionedThroughput"] = {"ReadCapacityUnits": throughput[0],
                                       "WriteCapacityUnits": throughput[1]}
    ix["_types"] = [hash_key] + ([range_key] if range_key else [])
    return ix


def lsi(name, table_hash, range_key, projection="ALL", non_key=None):
    """A LocalSecondaryIndexes entry; table_hash and range_key are (name, type)."""
    ix = {"IndexName": name, "KeySchema": [{"AttributeName": table_hash[0], "KeyType": "HASH"},
                                           {"AttributeName": range_key[0], "KeyType": "RANGE"}],
          "Projection": {"ProjectionType": projection}}
    if non_key is not None:
        ix["Projection"]["NonKeyAttributes"] = list(non_key)
    ix["_types"] = [table_hash, range_key]
    return ix


def table_params(name, hash_key=("pk", "S"), range_key=None, gsis=(), lsis=(),
                 billing="PAY_PER_REQUEST", throughput=(5, 5)):
    """CreateTable parameters with AttributeDefinitions gathered from every key schema."""
    types = {hash_key[0]: hash_key[1]}
    schema = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
    if range_key:
        types[range_key[0]] = range_key[1]
        schema.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
    params = {"TableName": name, "KeySchema": schema}
    for kind, ixs in (("GlobalSecondaryIndexes", gsis), ("LocalSecondaryIndexes", lsis)):
        if ixs:
            clean = []
            for ix in ixs:
                for attr, typ in ix["_types"]:
                    types[attr] = typ
                clean.append({k: v for k, v in ix.items() if k != "_types"})
            params[kind] = clean
    params["AttributeDefinitions"] = [{"AttributeName": a, "AttributeType": t}
                                      for a, t in types.items()]
    if billing == "PAY_PER_REQUEST":
        params["BillingMode"] = "PAY_PER_REQUEST"
    else:
        params["ProvisionedThroughput"] = {"ReadCapacityUnits": throughput[0],
                                           "WriteCapacityUnits": throughput[1]}
    return params


class Schema:
    """What the tests need to know about one table and its indexes to predict index contents."""

    def __init__(self, params):
        self.params = params
        self.table_keys = [k["AttributeName"] for k in params["KeySchema"]]
        self.indexes = {}
        for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            for ix in params.get(kind, []):
                self.indexes[ix["IndexName"]] = ix
        self.types = {d["AttributeName"]: d["AttributeType"] for d in params["AttributeDefinitions"]}

    def index_keys(self, index):
        return [k["AttributeName"] for k in self.indexes[index]["KeySchema"]]

    def key_attrs(self, index):
        """Index keys then the table keys not already among them (what LastEvaluatedKey holds)."""
        keys = self.index_keys(index)
        return keys + [k for k in self.table_keys if k not in keys]

    def in_index(self, index, item):
        """An item is in an index when it has every index key with the declared type; a value of
        another type or an empty string/binary (possible only for items written before the index
        existed) keeps it out, as DynamoDB's backfill skips such items."""
        for k in self.index_keys(index):
            value = item.get(k)
            if value is None or set(value) != {self.types[k]}:
                return False
            if next(iter(value.values())) in ("", b""):
                return False
        return True

    def project(self, index, item):
        """The index entry of `item` (None when the item is not in the index)."""
        if not self.in_index(index, item):
            return None
        proj = self.indexes[index]["Projection"]
        if proj["ProjectionType"] == "ALL":
            return dict(item)
        keep = set(self.key_attrs(index))
        if proj["ProjectionType"] == "INCLUDE":
            keep |= set(proj["NonKeyAttributes"])
        return {k: v for k, v in item.items() if k in keep}

    def entries(self, index, items):
        return [e for e in (self.project(index, it) for it in items) if e is not None]

    def last_key(self, index, entry):
        return {k: entry[k] for k in self.key_attrs(index)}


def create_indexed_table(ddb, params):
    resp = ddb.create_table(**params)
    wait_table_active(ddb, params["TableName"])
    return resp


def wait_table_active(ddb, name, timeout=60):
    """DynamoDB Local and DynamoDB create tables asynchronously; ddbd is ACTIVE at once."""
    deadline = time.monotonic() + timeout
    while True:
        desc = ddb.describe_table(TableName=name)["Table"]
        if desc["TableStatus"] == "ACTIVE" and all(
                g.get("IndexStatus") == "ACTIVE" for g in desc.get("GlobalSecondaryIndexes", [])):
            return desc
        assert time.monotonic() < deadline, "table %s not ACTIVE: %r" % (name, desc)
        time.sleep(0.05)


def delete_quietly(ddb, name):
    try:
        ddb.delete_table(TableName=name)
    except Exception:
        pass


def find_index(desc, name):
    for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        for ix in desc.get(kind, []):
            if ix["IndexName"] == name:
                return ix
    return None


def wait_index_active(ddb, table, index, timeout=SETTLE_S, interval=0.02):
    """Polls DescribeTable until `index` is ACTIVE; returns the (TableStatus, IndexStatus,
    Backfilling) states seen on the way, asserting each is a legal CREATING/ACTIVE state and that
    ACTIVE is never left again."""
    seen = []
    deadline = time.monotonic() + timeout
    while True:
        desc = ddb.describe_table(TableName=table)["Table"]
        ix = find_index(desc, index)
        assert ix is not None, "index %s vanished while being created" % index
        state = (desc["TableStatus"], ix["IndexStatus"], ix.get("Backfilling"))
        if not seen or seen[-1] != state:
            seen.append(state)
        assert state[0] in ("ACTIVE", "UPDATING"), seen
        if ix["IndexStatus"] == "ACTIVE":
            assert "Backfilling" not in ix, ix
            return seen
        assert ix["IndexStatus"] == "CREATING", seen
        assert isinstance(ix.get("Backfilling"), bool), ix
        assert time.monotonic() < deadline, "index %s not ACTIVE after %ss: %r" % (index, timeout, seen)
        time.sleep(interval)


def wait_index_gone(ddb, table, index, timeout=60):
    """Polls until `index` disappears from DescribeTable; returns the IndexStatus values seen."""
    seen = []
    deadline = time.monotonic() + timeout
    while True:
        desc = ddb.describe_table(TableName=table)["Table"]
        ix = find_index(desc, index)
        if ix is None:
            return seen
        if not seen or seen[-1] != ix["IndexStatus"]:
            seen.append(ix["IndexStatus"])
        assert ix["IndexStatus"] == "DELETING", seen
        assert time.monotonic() < deadline, "index %s still there: %r" % (index, seen)
        time.sleep(0.02)


# ---------------------------------------------------------------------------------------------
# Sizes, capacity units, comparisons
# ---------------------------------------------------------------------------------------------

def value_size(value):
    (kind, v), = value.items()
    if kind == "S":
        return len(v.encode("utf-8"))
    if kind == "B":
        return len(v)
    if kind in ("BOOL", "NULL"):
        return 1
    raise ValueError("value_size handles S, B, BOOL and NULL only")


def size_of(item):
    return sum(len(name.encode("utf-8")) + value_size(v) for name, v in item.items())


def write_units(size):
    return float(max(1, math.ceil(size / 1024)))


def read_units(total_size, consistent=False):
    units = float(max(1, math.ceil(total_size / 4096)))
    return units if consistent else units / 2


def canon(item):
    """A hashable form of an item (bytes stay bytes; sets sorted)."""
    out = []
    for name in sorted(item):
        (kind, v), = item[name].items()
        if kind in ("SS", "NS", "BS"):
            v = tuple(sorted(v))
        elif kind in ("L", "M"):
            v = repr(v)
        out.append((name, kind, v))
    return tuple(out)


def multiset(items):
    counts = {}
    for it in items:
        key = canon(it)
        counts[key] = counts.get(key, 0) + 1
    return counts


def all_items(call, params, max_pages=100000):
    """Follows LastEvaluatedKey; returns (items, pages)."""
    items, pages, start = [], 0, None
    for _ in range(max_pages):
        p = dict(params)
        if start is not None:
            p["ExclusiveStartKey"] = start
        resp = call(**p)
        items.extend(resp.get("Items", []))
        pages += 1
        start = resp.get("LastEvaluatedKey")
        if start is None:
            return items, pages
    raise AssertionError("more than %d pages" % max_pages)


def batch_write(ddb, table, requests):
    """BatchWriteItem in chunks of 25, resending unprocessed requests."""
    for i in range(0, len(requests), 25):
        pending = {table: requests[i:i + 25]}
        for _ in range(50):
            resp = ddb.batch_write_item(RequestItems=pending)
            pending = resp.get("UnprocessedItems") or {}
            if not pending:
                break
            time.sleep(0.01)
        assert not pending


def puts(items):
    return [{"PutRequest": {"Item": it}} for it in items]


def strip_describe(ix):
    """An index description without the members these suites do not pin (WarmThroughput,
    OnDemandThroughput, which DynamoDB reports and ddbd need not)."""
    return {k: v for k, v in ix.items() if k not in ("WarmThroughput", "OnDemandThroughput")}
