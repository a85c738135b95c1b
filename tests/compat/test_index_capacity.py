"""ReturnConsumedCapacity with secondary indexes: the INDEXES breakdown (Table,
GlobalSecondaryIndexes, LocalSecondaryIndexes) of writes and index reads, and DynamoDB's
arithmetic for them.

Writes (Developer Guide, "Provisioned throughput considerations for Global Secondary Indexes" /
"... Local Secondary Indexes"; DynamoDB Local computes the same numbers for every case here):
- the table is charged as without indexes: ceil(max(old, new item size) / 1 KB);
- an index entry is the table keys + index keys + projected attributes; an index is charged
  ceil(entry size / 1 KB) to put a new entry or delete an old one, ceil(max(old, new entry) / 1 KB)
  to rewrite an entry whose index key did not change (a projected attribute changed), and a delete
  plus a put when the index key changed;
- an index whose entry does not change (item not in it before or after, or only unprojected
  attributes changed) is not charged and not listed; TOTAL is the sum of everything.
Reads of an index: ceil(sum of the index entries read / 4 KB), halved unless strongly consistent,
charged to the index; Table shows 0.0 (a real DynamoDB GSI Scan with INDEXES answered
{'CapacityUnits': 2.0, 'Table': {'CapacityUnits': 0.0}, 'GlobalSecondaryIndexes': {'gsi1':
{'CapacityUnits': 2.0}}}, as quoted in a public cache layer's source). An LSI read that fetches
unprojected attributes also reads the item from the table.
"""
import pytest

from conftest import S, unique_name
from index_helpers import (  # noqa: F401  (ddb is a fixture)
    Schema, batch_write, create_indexed_table, ddb, delete_quietly, gsi, lsi, puts, read_units,
    size_of, table_params, write_units)


def consumed(table, table_units, gsis=None, lsis=None):
    total = table_units + sum((gsis or {}).values()) + sum((lsis or {}).values())
    cc = {"TableName": table, "CapacityUnits": float(total), "Table": {"CapacityUnits": float(table_units)}}
    if gsis:
        cc["GlobalSecondaryIndexes"] = {k: {"CapacityUnits": float(v)} for k, v in gsis.items()}
    if lsis:
        cc["LocalSecondaryIndexes"] = {k: {"CapacityUnits": float(v)} for k, v in lsis.items()}
    return cc


INDEXES = dict(gsis=[gsi("gkeys", ("gk", "S"), projection="KEYS_ONLY"),
                     gsi("gincl", ("gk", "S"), projection="INCLUDE", non_key=["inc"]),
                     gsi("gall", ("gk", "S"))],
               lsis=[lsi("lall", ("pk", "S"), ("lk", "S"))])


@pytest.fixture(params=["PAY_PER_REQUEST", "PROVISIONED"])
def ct(ddb, request):
    name = unique_name("icap")
    kw = dict(INDEXES)
    if request.param == "PROVISIONED":
        kw["gsis"] = [dict(g, ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
                      for g in kw["gsis"]]
    params = table_params(name, ("pk", "S"), ("sk", "S"), billing=request.param, **kw)
    create_indexed_table(ddb, params)
    yield name
    delete_quietly(ddb, name)


KEY = {"pk": S("p"), "sk": S("s")}


def upd(ddb, table, expr, values=None, rcc="INDEXES"):
    params = dict(TableName=table, Key=KEY, UpdateExpression=expr, ReturnConsumedCapacity=rcc)
    if values:
        params["ExpressionAttributeValues"] = values
    return ddb.update_item(**params)["ConsumedCapacity"]


def test_write_units_per_index(ddb, ct):
    all4 = {"gkeys": 1, "gincl": 1, "gall": 1}
    resp = ddb.put_item(TableName=ct, Item=dict(KEY, gk=S("g1"), lk=S("l1"), inc=S("i"), misc=S("m")),
                        ReturnConsumedCapacity="INDEXES")
    assert resp["ConsumedCapacity"] == consumed(ct, 1, all4, {"lall": 1})
    # Only attributes outside KEYS_ONLY/INCLUDE change: the ALL indexes are rewritten.
    assert upd(ddb, ct, "SET misc = :m", {":m": S("m2")}) == consumed(ct, 1, {"gall": 1}, {"lall": 1})
    # An INCLUDEd attribute changes.
    assert upd(ddb, ct, "SET inc = :i", {":i": S("i2")}) == consumed(
        ct, 1, {"gincl": 1, "gall": 1}, {"lall": 1})
    # The GSI key changes: delete + put in every GSI; the LSI sees a projected attribute change.
    assert upd(ddb, ct, "SET gk = :g", {":g": S("g2")}) == consumed(
        ct, 1, {"gkeys": 2, "gincl": 2, "gall": 2}, {"lall": 1})
    # The GSI key goes away: one delete in every GSI.
    assert upd(ddb, ct, "REMOVE gk") == consumed(ct, 1, all4, {"lall": 1})
    # Nothing indexed changes for the GSIs now.
    assert upd(ddb, ct, "SET misc = :m", {":m": S("m3")}) == consumed(ct, 1, None, {"lall": 1})
    # Back into every GSI: one put each.
    assert upd(ddb, ct, "SET gk = :g", {":g": S("g3")}) == consumed(ct, 1, all4, {"lall": 1})
    # The LSI key changes: delete + put in the LSI only... and the ALL GSI sees lk change.
    assert upd(ddb, ct, "SET lk = :l", {":l": S("l2")}) == consumed(ct, 1, {"gall": 1}, {"lall": 2})
    assert upd(ddb, ct, "SET gk = :g", {":g": S("g4")}, rcc="TOTAL") == {
        "TableName": ct, "CapacityUnits": 8.0}
    resp = ddb.delete_item(TableName=ct, Key=KEY, ReturnConsumedCapacity="INDEXES")
    assert resp["ConsumedCapacity"] == consumed(ct, 1, all4, {"lall": 1})
    # Nothing there: the table's minimum only.
    resp = ddb.delete_item(TableName=ct, Key=KEY, ReturnConsumedCapacity="INDEXES")
    assert resp["ConsumedCapacity"] == consumed(ct, 1)
    resp = ddb.put_item(TableName=ct, Item=dict(KEY, misc=S("unindexed")), ReturnConsumedCapacity="INDEXES")
    assert resp["ConsumedCapacity"] == consumed(ct, 1)
    resp = ddb.put_item(TableName=ct, Item=dict(KEY, gk=S("g"), lk=S("l")), ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == {"TableName": ct, "CapacityUnits": 5.0}


def test_put_overwrite_charges_indexes(ddb, ct):
    ddb.put_item(TableName=ct, Item=dict(KEY, gk=S("a"), inc=S("i")))
    # Same GSI key, INCLUDEd attribute changed, unprojected attribute added.
    resp = ddb.put_item(TableName=ct, Item=dict(KEY, gk=S("a"), inc=S("j"), misc=S("m")),
                        ReturnConsumedCapacity="INDEXES")
    assert resp["ConsumedCapacity"] == consumed(ct, 1, {"gincl": 1, "gall": 1})
    # GSI key changed and the LSI key appears.
    resp = ddb.put_item(TableName=ct, Item=dict(KEY, gk=S("b"), lk=S("l")), ReturnConsumedCapacity="INDEXES")
    assert resp["ConsumedCapacity"] == consumed(ct, 1, {"gkeys": 2, "gincl": 2, "gall": 2}, {"lall": 1})
    # Identical item: the table is charged, no index entry changes.
    resp = ddb.put_item(TableName=ct, Item=dict(KEY, gk=S("b"), lk=S("l")), ReturnConsumedCapacity="INDEXES")
    assert resp["ConsumedCapacity"] == consumed(ct, 1)


@pytest.fixture
def sized(ddb):
    """One INCLUDE GSI keyed gk projecting inc; entries are pk + gk + inc = 9 + len(inc) bytes
    with one-letter values."""
    name = unique_name("icap_sz")
    params = table_params(name, ("pk", "S"), gsis=[
        gsi("gincl", ("gk", "S"), projection="INCLUDE", non_key=["inc"])])
    create_indexed_table(ddb, params)
    yield name, Schema(params)
    delete_quietly(ddb, name)


@pytest.mark.parametrize("entry, pad", [(1024, 0), (1025, 0), (2048, 0), (2049, 0), (1024, 3000), (10, 5000)])
def test_index_write_units_follow_the_entry_size(ddb, sized, entry, pad):
    table, schema = sized
    item = {"pk": S("a"), "gk": S("b"), "inc": S("x" * (entry - 9))}
    if pad:
        item["zpad"] = S("p" * pad)
    assert size_of(schema.project("gincl", item)) == entry
    resp = ddb.put_item(TableName=table, Item=item, ReturnConsumedCapacity="INDEXES")
    assert resp["ConsumedCapacity"] == consumed(table, write_units(size_of(item)),
                                                {"gincl": write_units(entry)})
    resp = ddb.delete_item(TableName=table, Key={"pk": S("a")}, ReturnConsumedCapacity="INDEXES")
    assert resp["ConsumedCapacity"] == consumed(table, write_units(size_of(item)),
                                                {"gincl": write_units(entry)})


def test_index_key_change_charges_old_and_new_entry(ddb, sized):
    table, schema = sized
    old = {"pk": S("a"), "gk": S("b"), "inc": S("x" * 2000)}                  # entry 2009
    ddb.put_item(TableName=table, Item=old)
    resp = ddb.update_item(TableName=table, Key={"pk": S("a")}, UpdateExpression="SET gk = :g, inc = :i",
                           ExpressionAttributeValues={":g": S("c"), ":i": S("y" * 100)},
                           ReturnConsumedCapacity="INDEXES")
    assert resp["ConsumedCapacity"] == consumed(table, 2, {"gincl": 2 + 1})    # delete 2009, put 109
    resp = ddb.update_item(TableName=table, Key={"pk": S("a")}, UpdateExpression="SET gk = :g, inc = :i",
                           ExpressionAttributeValues={":g": S("d"), ":i": S("y" * 3000)},
                           ReturnConsumedCapacity="INDEXES")
    assert resp["ConsumedCapacity"] == consumed(table, 3, {"gincl": 1 + 3})    # delete 109, put 3009
    # Same key, projected attribute shrinks: one rewrite, charged on the larger entry.
    resp = ddb.update_item(TableName=table, Key={"pk": S("a")}, UpdateExpression="SET inc = :i",
                           ExpressionAttributeValues={":i": S("z")}, ReturnConsumedCapacity="INDEXES")
    assert resp["ConsumedCapacity"] == consumed(table, 3, {"gincl": 3})
    resp = ddb.update_item(TableName=table, Key={"pk": S("a")}, UpdateExpression="REMOVE gk",
                           ReturnConsumedCapacity="INDEXES")
    assert resp["ConsumedCapacity"] == consumed(table, 1, {"gincl": 1})


def test_batch_write_sums_per_table(ddb, ct):
    items = [{"pk": S("b"), "sk": S(str(i)), "gk": S("g"), "misc": S("m")} for i in range(3)]
    resp = ddb.batch_write_item(RequestItems={ct: puts(items)}, ReturnConsumedCapacity="INDEXES")
    assert resp["ConsumedCapacity"] == [consumed(ct, 3, {"gkeys": 3, "gincl": 3, "gall": 3})]
    resp = ddb.batch_write_item(RequestItems={ct: [{"DeleteRequest": {"Key": {"pk": S("b"), "sk": S("0")}}}]},
                                ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == [{"TableName": ct, "CapacityUnits": 4.0}]


def test_get_item_reads_the_table_only(ddb, ct):
    ddb.put_item(TableName=ct, Item=dict(KEY, gk=S("g"), lk=S("l")))
    resp = ddb.get_item(TableName=ct, Key=KEY, ReturnConsumedCapacity="INDEXES")
    assert resp["ConsumedCapacity"] == consumed(ct, 0.5)


# ---------------------------------------------------------------------------------------------
# Reads
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def rt(ddb):
    """Partition q: three items with a 3000-byte INCLUDEd attribute, one GSI key and LSI keys."""
    name = unique_name("icap_r")
    params = table_params(name, ("pk", "S"), ("sk", "S"), gsis=[
        gsi("gkeys", ("gk", "S"), projection="KEYS_ONLY"),
        gsi("gincl", ("gk", "S"), projection="INCLUDE", non_key=["inc"])],
        lsis=[lsi("lkeys", ("pk", "S"), ("lk", "S"), projection="KEYS_ONLY"),
              lsi("lincl", ("pk", "S"), ("lk2", "S"), projection="INCLUDE", non_key=["inc"])])
    create_indexed_table(ddb, params)
    items = [{"pk": S("q"), "sk": S("s%d" % i), "gk": S("G"), "lk": S("l%d" % i), "lk2": S("m%d" % i),
              "inc": S("y" * 3000), "big": S("z" * 5000)} for i in range(3)]
    batch_write(ddb, name, puts(items))
    yield name, Schema(params), items
    delete_quietly(ddb, name)


def index_read(schema, index, items, consistent=False):
    return read_units(sum(size_of(e) for e in schema.entries(index, items)), consistent)


@pytest.mark.parametrize("select", [None, "COUNT"])
@pytest.mark.parametrize("index", ["gkeys", "gincl"])
def test_gsi_query_reads_index_entries(ddb, rt, index, select):
    table, schema, items = rt
    extra = {"Select": select} if select else {}
    resp = ddb.query(TableName=table, IndexName=index, KeyConditionExpression="gk = :g",
                     ExpressionAttributeValues={":g": S("G")}, ReturnConsumedCapacity="INDEXES", **extra)
    units = index_read(schema, index, items)
    assert units == {"gkeys": 0.5, "gincl": 1.5}[index]
    assert resp["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": units,
                                        "Table": {"CapacityUnits": 0.0},
                                        "GlobalSecondaryIndexes": {index: {"CapacityUnits": units}}}
    resp = ddb.query(TableName=table, IndexName=index, KeyConditionExpression="gk = :g",
                     ExpressionAttributeValues={":g": S("G")}, ReturnConsumedCapacity="TOTAL", **extra)
    assert resp["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": units}


@pytest.mark.parametrize("consistent", [False, True])
@pytest.mark.parametrize("index", ["lkeys", "lincl"])
def test_lsi_query_reads_index_entries(ddb, rt, index, consistent):
    table, schema, items = rt
    resp = ddb.query(TableName=table, IndexName=index, KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": S("q")}, ConsistentRead=consistent,
                     ReturnConsumedCapacity="INDEXES")
    units = index_read(schema, index, items, consistent)
    assert resp["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": units,
                                        "Table": {"CapacityUnits": 0.0},
                                        "LocalSecondaryIndexes": {index: {"CapacityUnits": units}}}


@pytest.mark.parametrize("consistent", [False, True])
def test_lsi_fetch_of_one_small_item_reads_index_and_table(ddb, rt, consistent):
    table, _, _ = rt
    ddb.put_item(TableName=table, Item={"pk": S("one"), "sk": S("s"), "lk": S("l"), "misc": S("m")})
    resp = ddb.query(TableName=table, IndexName="lkeys", KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": S("one")}, Select="ALL_ATTRIBUTES",
                     ConsistentRead=consistent, ReturnConsumedCapacity="INDEXES")
    assert resp["Items"] == [{"pk": S("one"), "sk": S("s"), "lk": S("l"), "misc": S("m")}]
    unit = 1.0 if consistent else 0.5
    assert resp["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 2 * unit,
                                        "Table": {"CapacityUnits": unit},
                                        "LocalSecondaryIndexes": {"lkeys": {"CapacityUnits": unit}}}


@pytest.mark.parametrize("index, kind", [("gincl", "GlobalSecondaryIndexes"), ("lincl", "LocalSecondaryIndexes")])
def test_index_scan_reads_index_entries(ddb, rt, index, kind):
    table, schema, items = rt
    resp = ddb.scan(TableName=table, IndexName=index, ReturnConsumedCapacity="INDEXES")
    units = index_read(schema, index, items)
    assert resp["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": units,
                                        "Table": {"CapacityUnits": 0.0}, kind: {index: {"CapacityUnits": units}}}
