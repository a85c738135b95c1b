"""Index maintenance on every write path (PutItem, UpdateItem with expressions and legacy
AttributeUpdates, DeleteItem, BatchWriteItem, failed conditional writes), for GSIs and LSIs of
every projection type, and DynamoDB's refusal of index-key values of the wrong type or empty.

After each step the whole content of every index (Scan with IndexName, all pages) must equal what
the items in the table project into it, and DescribeTable's ItemCount / IndexSizeBytes must count
exactly those entries (ddbd keeps them exact; DynamoDB refreshes them every ~6 hours).

Error texts (DynamoDB's; DynamoDB Local truncates the type-mismatch one to "...Type mismatch for
Index Key" and accepts a wrongly typed index key from UpdateItem, which DynamoDB refuses):
- "One or more parameter values were invalid: Type mismatch for Index Key <attr> Expected: <T>
  Actual: <T> IndexName: <index>" (user reports of DynamoDB errors: dynamoose#296, mapbox/cardboard#85,
  vogels#73 with Actual: M);
- "One or more parameter values are not valid. A value specified for a secondary index key is not
  supported. The AttributeValue for a key attribute cannot contain an empty string value.
  IndexName: <index>, IndexKey: <attr>" for an item written whole (dynalite#184, dynamodb-csv#41);
- "One or more parameter values are not valid. The update expression attempted to update a
  secondary index key to a value that is not supported. The AttributeValue for a key attribute
  cannot contain an empty string value." for UpdateItem (moto's exceptions, DynamoDB Local agrees).
Each validation attribute here belongs to exactly one index, so which index DynamoDB names is
never ambiguous.
"""
import pytest
from botocore.exceptions import ClientError

from conftest import S, assert_client_error, expect_error, unique_name
from index_helpers import (  # noqa: F401  (ddb is a fixture)
    EXTERNAL, Schema, all_items, batch_write, create_indexed_table, ddb, delete_quietly, empty_put,
    empty_update, gsi, lsi, multiset, puts, size_of, table_params, type_mismatch)


class Model:
    """A table with indexes and the items the test believes it holds."""

    def __init__(self, ddb, params):
        self.ddb = ddb
        self.params = params
        self.name = params["TableName"]
        self.schema = Schema(params)
        self.items = {}

    def key(self, item):
        return tuple(item[k]["S"] for k in self.schema.table_keys)

    def keyof(self, pk, sk):
        return {"pk": {"S": pk}, "sk": {"S": sk}}

    def put(self, item, **extra):
        resp = self.ddb.put_item(TableName=self.name, Item=item, **extra)
        self.items[self.key(item)] = dict(item)
        return resp

    def update(self, pk, sk, expr, values=None, names=None, **extra):
        params = {"TableName": self.name, "Key": self.keyof(pk, sk), "UpdateExpression": expr,
                  "ReturnValues": "ALL_NEW"}
        if values:
            params["ExpressionAttributeValues"] = values
        if names:
            params["ExpressionAttributeNames"] = names
        params.update(extra)
        resp = self.ddb.update_item(**params)
        self.items[(pk, sk)] = resp["Attributes"]
        return resp

    def delete(self, pk, sk, **extra):
        resp = self.ddb.delete_item(TableName=self.name, Key=self.keyof(pk, sk), **extra)
        self.items.pop((pk, sk), None)
        return resp

    def check(self):
        """Every index holds exactly the projected entries of the model's items."""
        for index in self.schema.indexes:
            got, _ = all_items(self.ddb.scan, {"TableName": self.name, "IndexName": index, "Limit": 7})
            want = self.schema.entries(index, self.items.values())
            assert multiset(got) == multiset(want), index
        if EXTERNAL:  # no other implementation keeps these exact
            return
        desc = self.ddb.describe_table(TableName=self.name)["Table"]
        assert desc["ItemCount"] == len(self.items)
        for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            for ix in desc.get(kind, []):
                want = self.schema.entries(ix["IndexName"], self.items.values())
                assert (ix["IndexName"], ix["ItemCount"]) == (ix["IndexName"], len(want))
                try:
                    size = sum(size_of(e) for e in want)
                except ValueError:  # numbers: sized by the sizing tests, not here
                    continue
                assert (ix["IndexName"], ix["IndexSizeBytes"]) == (ix["IndexName"], size)

    def query(self, index, hash_value, forward=True):
        attr = self.schema.index_keys(index)[0]
        items, _ = all_items(self.ddb.query, {
            "TableName": self.name, "IndexName": index, "ScanIndexForward": forward,
            "KeyConditionExpression": "#h = :h", "ExpressionAttributeNames": {"#h": attr},
            "ExpressionAttributeValues": {":h": {"S": hash_value}}})
        return items


WRITE_INDEXES = dict(
    gsis=[gsi("g_all", ("gk", "S"), ("gr", "S")),
          gsi("g_keys", ("gk", "S"), projection="KEYS_ONLY"),
          gsi("g_incl", ("gi", "S"), projection="INCLUDE", non_key=["inc"])],
    lsis=[lsi("l_all", ("pk", "S"), ("lr", "S")),
          lsi("l_incl", ("pk", "S"), ("lr2", "S"), projection="INCLUDE", non_key=["inc"])])


@pytest.fixture
def wt(ddb):
    name = unique_name("iw")
    params = table_params(name, ("pk", "S"), ("sk", "S"), **WRITE_INDEXES)
    create_indexed_table(ddb, params)
    yield Model(ddb, params)
    delete_quietly(ddb, name)


def full_item(pk, sk, **attrs):
    item = {"pk": S(pk), "sk": S(sk)}
    item.update({k: S(v) for k, v in attrs.items()})
    return item


# ---------------------------------------------------------------------------------------------
# PutItem, DeleteItem, BatchWriteItem
# ---------------------------------------------------------------------------------------------

def test_put_maintains_every_index_and_sparse_items_stay_out(wt):
    wt.check()
    wt.put(full_item("a", "1", gk="x", gr="r1", gi="i1", lr="l1", lr2="m1", inc="inc1", misc="o1"))
    wt.put(full_item("a", "2", gk="x"))                  # only g_keys
    wt.put(full_item("a", "3", gr="r3", lr2="m3"))       # only l_incl (gr alone is not enough)
    wt.put(full_item("b", "1", misc="nothing indexed"))
    wt.put(full_item("b", "2", gi="i1", inc="inc2", misc="o2"))
    wt.check()
    assert [it["sk"]["S"] for it in wt.query("g_keys", "x")] in (["1", "2"], ["2", "1"])
    assert wt.query("g_all", "x") == [wt.items[("a", "1")]]
    assert wt.query("g_incl", "i1") in (
        [wt.schema.project("g_incl", wt.items[k]) for k in (("a", "1"), ("b", "2"))],
        [wt.schema.project("g_incl", wt.items[k]) for k in (("b", "2"), ("a", "1"))])


def test_put_overwrite_replaces_index_entries(wt):
    wt.put(full_item("a", "1", gk="x", gr="r1", gi="i1", lr="l1", inc="v1"))
    wt.check()
    wt.put(full_item("a", "1", gk="y", gi="i1", lr="l2", inc="v2"))
    wt.check()
    assert wt.query("g_keys", "x") == []
    assert wt.query("g_all", "y") == []  # no gr any more
    assert [it["inc"] for it in wt.query("g_incl", "i1")] == [S("v2")]
    wt.put(full_item("a", "1", misc="plain"))
    wt.check()
    for index in wt.schema.indexes:
        assert all_items(wt.ddb.scan, {"TableName": wt.name, "IndexName": index})[0] == []


def test_delete_removes_every_entry(wt):
    for i in range(10):
        wt.put(full_item("p%d" % (i % 2), "s%d" % i, gk="g%d" % (i % 3), gr="r%d" % i, gi="i",
                         lr="l%d" % i, lr2="m", inc="x" * i))
    wt.check()
    for i in range(0, 10, 3):
        wt.delete("p%d" % (i % 2), "s%d" % i)
        wt.check()
    wt.delete("p0", "missing")
    wt.check()


def test_batch_write_puts_and_deletes_maintain_indexes(wt):
    items = [full_item("p%d" % (i % 4), "s%03d" % i, gk="g%d" % (i % 5), gr="r%03d" % (i % 7),
                       gi="i%d" % (i % 2), lr="l%d" % (i % 3), inc="inc%d" % i)
             for i in range(60)]
    batch_write(wt.ddb, wt.name, puts(items))
    for it in items:
        wt.items[wt.key(it)] = it
    wt.check()
    requests = []
    for i in range(0, 60, 4):
        requests.append({"DeleteRequest": {"Key": wt.keyof("p%d" % (i % 4), "s%03d" % i)}})
        wt.items.pop(("p%d" % (i % 4), "s%03d" % i))
    for i in range(1, 60, 4):
        it = full_item("p%d" % (i % 4), "s%03d" % i, gk="moved", lr2="now")
        requests.append({"PutRequest": {"Item": it}})
        wt.items[wt.key(it)] = it
    batch_write(wt.ddb, wt.name, requests)
    wt.check()
    assert len(wt.query("g_keys", "moved")) == 15


# ---------------------------------------------------------------------------------------------
# UpdateItem
# ---------------------------------------------------------------------------------------------

def test_update_moves_items_into_within_and_out_of_indexes(wt):
    wt.put(full_item("a", "1", misc="o"))
    wt.put(full_item("a", "2", gk="k", gr="n"))
    wt.check()
    wt.update("a", "1", "SET gk = :v", {":v": S("k")})          # into g_keys only
    wt.check()
    wt.update("a", "1", "SET gr = :v", {":v": S("m")})          # into g_all
    wt.check()
    assert [it["sk"]["S"] for it in wt.query("g_all", "k")] == ["1", "2"]   # m < n
    wt.update("a", "1", "SET gr = :v", {":v": S("z")})          # within g_all: sort key moves
    wt.check()
    assert [it["sk"]["S"] for it in wt.query("g_all", "k")] == ["2", "1"]
    assert [it["sk"]["S"] for it in wt.query("g_all", "k", forward=False)] == ["1", "2"]
    wt.update("a", "1", "SET gk = :v", {":v": S("k2")})         # hash key moves
    wt.check()
    assert [it["sk"]["S"] for it in wt.query("g_all", "k")] == ["2"]
    assert [it["sk"]["S"] for it in wt.query("g_all", "k2")] == ["1"]
    wt.update("a", "1", "SET lr = :l, lr2 = :m, inc = :i, gi = :g",
              {":l": S("l"), ":m": S("m"), ":i": S("inc"), ":g": S("g")})
    wt.check()
    wt.update("a", "1", "SET inc = :i", {":i": S("changed")})   # projected attribute only
    wt.check()
    assert wt.query("g_incl", "g")[0]["inc"] == S("changed")
    wt.update("a", "1", "REMOVE gr")                            # out of g_all, still in g_keys
    wt.check()
    assert wt.query("g_all", "k2") == []
    assert [it["sk"]["S"] for it in wt.query("g_keys", "k2")] == ["1"]
    wt.update("a", "1", "REMOVE gk, lr")                        # out of g_keys and l_all
    wt.check()
    assert wt.query("g_keys", "k2") == []


def test_update_of_unprojected_attribute(wt):
    wt.put(full_item("a", "1", gk="k", gr="r", gi="g", inc="i"))
    wt.update("a", "1", "SET misc = :o", {":o": S("new")})
    wt.check()
    assert wt.query("g_all", "k")[0]["misc"] == S("new")
    assert "misc" not in wt.query("g_keys", "k")[0]
    assert "misc" not in wt.query("g_incl", "g")[0]


def test_update_creating_the_item_puts_it_in_the_indexes(wt):
    wt.update("new", "1", "SET gk = :k, gr = :r, lr = :l", {":k": S("k"), ":r": S("r"), ":l": S("l")})
    wt.check()
    assert len(wt.query("g_all", "k")) == 1


def test_legacy_attribute_updates(wt):
    wt.ddb.update_item(TableName=wt.name, Key=wt.keyof("a", "1"), AttributeUpdates={
        "gk": {"Action": "PUT", "Value": S("k")}, "gr": {"Action": "PUT", "Value": S("r")}})
    wt.items[("a", "1")] = full_item("a", "1", gk="k", gr="r")
    wt.check()
    wt.ddb.update_item(TableName=wt.name, Key=wt.keyof("a", "1"),
                       AttributeUpdates={"gr": {"Action": "DELETE"}})
    del wt.items[("a", "1")]["gr"]
    wt.check()


def test_many_items_with_equal_index_keys_all_come_back(wt):
    items = [full_item("p%d" % (i % 10), "s%03d" % i, gk="same", gr="same") for i in range(230)]
    batch_write(wt.ddb, wt.name, puts(items))
    for it in items:
        wt.items[wt.key(it)] = it
    wt.check()
    for index in ("g_all", "g_keys"):
        got, pages = all_items(wt.ddb.query, {
            "TableName": wt.name, "IndexName": index, "Limit": 7, "KeyConditionExpression": "gk = :k",
            "ExpressionAttributeValues": {":k": S("same")}})
        assert pages == 230 // 7 + 1
        assert len(got) == 230
        assert multiset(got) == multiset(wt.schema.entries(index, items))


def test_failed_conditional_writes_leave_indexes_alone(wt):
    wt.put(full_item("a", "1", gk="k", gr="r", lr="l", inc="i"))
    with pytest.raises(ClientError) as excinfo:
        wt.ddb.put_item(TableName=wt.name, Item=full_item("a", "1", gk="other", gr="x"),
                        ConditionExpression="attribute_not_exists(pk)")
    assert_client_error(excinfo, "ConditionalCheckFailedException", "The conditional request failed")
    with pytest.raises(ClientError) as excinfo:
        wt.ddb.update_item(TableName=wt.name, Key=wt.keyof("a", "1"), UpdateExpression="SET gk = :g",
                           ConditionExpression="gk = :no",
                           ExpressionAttributeValues={":g": S("other"), ":no": S("no")})
    assert_client_error(excinfo, "ConditionalCheckFailedException", "The conditional request failed")
    with pytest.raises(ClientError) as excinfo:
        wt.ddb.delete_item(TableName=wt.name, Key=wt.keyof("a", "1"),
                           ConditionExpression="attribute_not_exists(gk)")
    assert_client_error(excinfo, "ConditionalCheckFailedException", "The conditional request failed")
    wt.check()


# ---------------------------------------------------------------------------------------------
# Index keys that are table keys, numbers and binaries
# ---------------------------------------------------------------------------------------------

def test_gsi_on_the_table_keys_inverted(ddb):
    """A GSI keyed (sk, pk) — the table's keys swapped — and one keyed on the table key alone."""
    name = unique_name("iw_inv")
    params = table_params(name, ("pk", "S"), ("sk", "S"), gsis=[
        gsi("inverted", ("sk", "S"), ("pk", "S"), projection="KEYS_ONLY"),
        gsi("same_hash", ("pk", "S"), projection="KEYS_ONLY")])
    try:
        create_indexed_table(ddb, params)
        m = Model(ddb, params)
        for p in "abc":
            for s in "xyz":
                m.put(full_item(p, s, v="%s%s" % (p, s)))
        m.check()
        items = m.query("inverted", "y", forward=False)
        assert items == [{"pk": S(p), "sk": S("y")} for p in "cba"]
        resp = ddb.query(TableName=name, IndexName="inverted", Limit=1, KeyConditionExpression="sk = :s",
                         ExpressionAttributeValues={":s": S("y")})
        assert resp["LastEvaluatedKey"] == {"pk": S("a"), "sk": S("y")}
        resp = ddb.scan(TableName=name, IndexName="same_hash", Limit=1)
        assert set(resp["LastEvaluatedKey"]) == {"pk", "sk"}
    finally:
        delete_quietly(ddb, name)


def test_number_and_binary_index_keys(ddb):
    """Numbers are keyed by value (1, 1.0 and 01 are the same key; canonical form returned),
    binaries by unsigned bytes."""
    name = unique_name("iw_nb")
    params = table_params(name, ("pk", "S"), gsis=[gsi("by_n", ("h", "S"), ("n", "N")),
                                                   gsi("by_b", ("bh", "B"), ("b", "B"))])
    try:
        create_indexed_table(ddb, params)
        nums = ["1.0", "01", "-1", "1E2", "0.5", "-0.25", "12345678901234567890"]
        for i, n in enumerate(nums):
            ddb.put_item(TableName=name, Item={"pk": S("n%d" % i), "h": S("h"), "n": {"N": n}})
        items = ddb.query(TableName=name, IndexName="by_n", KeyConditionExpression="h = :h",
                          ExpressionAttributeValues={":h": S("h")})["Items"]
        assert [it["n"]["N"] for it in items][:2] == ["-1", "-0.25"]
        assert [it["n"]["N"] for it in items][2:] == ["0.5", "1", "1", "100", "12345678901234567890"]
        items = ddb.query(TableName=name, IndexName="by_n", KeyConditionExpression="h = :h AND n = :n",
                          ExpressionAttributeValues={":h": S("h"), ":n": {"N": "1"}})["Items"]
        assert sorted(it["pk"]["S"] for it in items) == ["n0", "n1"]
        bins = [b"\xff", b"\x00", b"\x80", b"\x7f", b"\x00\x00", b"a"]
        for i, b in enumerate(bins):
            ddb.put_item(TableName=name, Item={"pk": S("b%d" % i), "bh": {"B": b"k"}, "b": {"B": b}})
        items = ddb.query(TableName=name, IndexName="by_b", KeyConditionExpression="bh = :h AND b > :z",
                          ExpressionAttributeValues={":h": {"B": b"k"}, ":z": {"B": b"\x00"}})["Items"]
        assert [it["b"]["B"] for it in items] == [b"\x00\x00", b"a", b"\x7f", b"\x80", b"\xff"]
    finally:
        delete_quietly(ddb, name)


# ---------------------------------------------------------------------------------------------
# Refused index-key values
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def vt(ddb):
    """vh (S) and vr (N) key GSI vg; vlr (B) keys LSI vl; each attribute is in one index only."""
    name = unique_name("iw_val")
    params = table_params(name, ("pk", "S"), ("sk", "S"), gsis=[
        gsi("v_gsi", ("vh", "S"), ("vr", "N"), projection="KEYS_ONLY")],
        lsis=[lsi("v_lsi", ("pk", "S"), ("vlr", "B"), projection="KEYS_ONLY")])
    create_indexed_table(ddb, params)
    m = Model(ddb, params)
    m.put({"pk": S("a"), "sk": S("1"), "vh": S("h"), "vr": {"N": "1"}, "vlr": {"B": b"\x01"}})
    yield m
    delete_quietly(ddb, name)


BAD_VALUES = [
    ("vh", {"N": "1"}, type_mismatch("vh", "S", "N", "v_gsi")),
    ("vh", {"B": b"x"}, type_mismatch("vh", "S", "B", "v_gsi")),
    # A map is reported the same way (vogels#73: "... Expected: N Actual: M IndexName: ...");
    # DynamoDB Local answers "Invalid attribute value type" instead.
    ("vh", {"M": {"a": S("b")}}, type_mismatch("vh", "S", "M", "v_gsi")),
    ("vr", S("1"), type_mismatch("vr", "N", "S", "v_gsi")),
    ("vlr", S("x"), type_mismatch("vlr", "B", "S", "v_lsi")),
    ("vlr", {"N": "2"}, type_mismatch("vlr", "B", "N", "v_lsi")),
]
EMPTY_VALUES = [("vh", S(""), "v_gsi", "string"), ("vlr", {"B": b""}, "v_lsi", "binary")]


def assert_unchanged(vt):
    for (pk, sk), item in vt.items.items():
        assert vt.ddb.get_item(TableName=vt.name, Key=vt.keyof(pk, sk),
                               ConsistentRead=True).get("Item") == item
    vt.check()


@pytest.mark.parametrize("attr, value, message", BAD_VALUES,
                         ids=["%s-%s" % (a, next(iter(v))) for a, v, _ in BAD_VALUES])
def test_wrong_type_put_is_refused(vt, attr, value, message):
    for key in (("a", "1"), ("a", "new")):
        item = {"pk": S(key[0]), "sk": S(key[1]), "vh": S("h2"), attr: value}
        expect_error(vt.ddb.put_item, message, TableName=vt.name, Item=item)
    assert_unchanged(vt)


@pytest.mark.parametrize("attr, value, message", BAD_VALUES,
                         ids=["%s-%s" % (a, next(iter(v))) for a, v, _ in BAD_VALUES])
def test_wrong_type_update_is_refused(vt, attr, value, message):
    for sk in ("1", "new"):
        expect_error(vt.ddb.update_item, message, TableName=vt.name, Key=vt.keyof("a", sk),
                     UpdateExpression="SET #a = :v", ExpressionAttributeNames={"#a": attr},
                     ExpressionAttributeValues={":v": value})
    assert_unchanged(vt)


@pytest.mark.parametrize("attr, value, message", [BAD_VALUES[0], BAD_VALUES[3], BAD_VALUES[4]],
                         ids=["vh", "vr", "vlr"])
def test_wrong_type_batch_write_is_refused_whole(vt, attr, value, message):
    good = {"pk": S("b"), "sk": S("good"), "vh": S("fine")}
    bad = {"pk": S("b"), "sk": S("bad"), attr: value}
    expect_error(vt.ddb.batch_write_item, message,
                 RequestItems={vt.name: [{"PutRequest": {"Item": good}}, {"PutRequest": {"Item": bad}}]})
    assert "Item" not in vt.ddb.get_item(TableName=vt.name, Key=vt.keyof("b", "good"), ConsistentRead=True)
    assert "Item" not in vt.ddb.get_item(TableName=vt.name, Key=vt.keyof("b", "bad"), ConsistentRead=True)
    assert_unchanged(vt)


@pytest.mark.parametrize("attr, value, index, kind", EMPTY_VALUES, ids=["string", "binary"])
def test_empty_index_key_is_refused(vt, attr, value, index, kind):
    item = {"pk": S("a"), "sk": S("1"), attr: value}
    expect_error(vt.ddb.put_item, empty_put(index, attr, kind), TableName=vt.name, Item=item)
    expect_error(vt.ddb.put_item, empty_put(index, attr, kind), TableName=vt.name,
                 Item=dict(item, sk=S("new")))
    expect_error(vt.ddb.batch_write_item, empty_put(index, attr, kind), RequestItems={vt.name: [
        {"PutRequest": {"Item": {"pk": S("b"), "sk": S("good")}}},
        {"PutRequest": {"Item": dict(item, sk=S("bad"))}}]})
    assert "Item" not in vt.ddb.get_item(TableName=vt.name, Key=vt.keyof("b", "good"), ConsistentRead=True)
    # UpdateItem words it differently, without IndexName/IndexKey (on an existing item).
    expect_error(vt.ddb.update_item, empty_update(kind), TableName=vt.name, Key=vt.keyof("a", "1"),
                 UpdateExpression="SET #a = :v", ExpressionAttributeNames={"#a": attr},
                 ExpressionAttributeValues={":v": value})
    with pytest.raises(ClientError) as excinfo:
        vt.ddb.update_item(TableName=vt.name, Key=vt.keyof("a", "new"), UpdateExpression="SET #a = :v",
                           ExpressionAttributeNames={"#a": attr}, ExpressionAttributeValues={":v": value})
    assert excinfo.value.response["Error"]["Code"] == "ValidationException"
    assert_unchanged(vt)


def test_valid_and_absent_index_keys_are_accepted(vt):
    vt.put({"pk": S("a"), "sk": S("2")})                                 # no index keys at all
    vt.put({"pk": S("a"), "sk": S("3"), "vh": S("h")})                   # hash without range
    vt.put({"pk": S("a"), "sk": S("4"), "vr": {"N": "2"}, "x": S("")})   # empty non-key is fine
    vt.update("a", "1", "REMOVE vh, vlr")
    vt.update("a", "2", "SET vh = :h, vr = :r", {":h": S("h"), ":r": {"N": "-3.5"}})
    vt.check()
