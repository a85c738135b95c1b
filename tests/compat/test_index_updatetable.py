"""UpdateTable GlobalSecondaryIndexUpdates: Create (online backfill of the items already there),
Delete, Update of provisioned throughput, and DynamoDB's errors for each.

State machine (ack-controller lab captures against DynamoDB; DynamoDB Local agrees): the
UpdateTable response already lists a created index with IndexStatus CREATING and Backfilling (false
while DynamoDB allocates resources, true while it backfills), its IndexArn and throughput; the
index turns ACTIVE (Backfilling gone) when the backfill is done; TableStatus is UPDATING or ACTIVE
meanwhile. A deleted index shows IndexStatus DELETING and then disappears, and an attribute that
only it used leaves AttributeDefinitions. Items whose value for the new key has the wrong type (or
is empty) are skipped by the backfill (ScyllaDB's alternator test_gsi_updatetable.py, verified
against DynamoDB); once the index exists, such writes are refused.

Error texts:
- "Attempting to create an index which already exists" (ack lab catalogue; DynamoDB Local agrees);
- ResourceNotFoundException "Requested resource not found: Index <name> for table <table>" for a
  Delete or Update naming no GSI (ack lab: DDB-TABLE-161/375; DynamoDB Local says only "Requested
  resource not found");
- "One or more parameter values were invalid: Both ReadCapacityUnits and WriteCapacityUnits must be
  specified for index: <name>" (Create without throughput on a PROVISIONED table) and "... Neither
  ReadCapacityUnits nor WriteCapacityUnits can be specified for index: <name> when BillingMode is
  PAY_PER_REQUEST" (Create with throughput on an on-demand table): ex_aws_dynamo's migration notes
  quote both from DynamoDB; ScyllaDB's tests match the second. DynamoDB Local answers HTTP 500 for the
  first and accepts the second;
- LimitExceededException "Subscriber limit exceeded: Only 1 online index can be created or deleted
  simultaneously per table" (ack lab, DynamoDB Local agrees);
- the per-entry rules ("One of GlobalSecondaryIndexUpdate.Update, ... must not be null", "Only one
  global secondary index action is allowed per GlobalSecondaryIndexUpdate object", "Only one global
  secondary index update per index is allowed simultaneously. Index: X", "AttributeDefinitions is
  not specified for index: X", "Cannot delete an index that is not a GlobalSecondaryIndex: X"):
  ack lab catalogue of DynamoDB's ValidationException texts.
"""
import pytest
from botocore.exceptions import ClientError

from conftest import S, assert_client_error, expect_error, unique_name
from index_helpers import (  # noqa: F401  (ddb is a fixture)
    EXTERNAL, INVALID, Schema, all_items, batch_write, create_indexed_table, ddb, delete_quietly,
    find_index, gsi, lsi, multiset, no_index, puts, size_of, strip_describe, table_params,
    type_mismatch, wait_index_active, wait_index_gone)

LIMIT = "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table"


def create_action(name, hash_key, range_key=None, projection="ALL", non_key=None, throughput=None):
    ix = gsi(name, hash_key, range_key, projection, non_key, throughput)
    attrs = [{"AttributeName": a, "AttributeType": t} for a, t in ix.pop("_types")]
    return attrs, {"Create": ix}


@pytest.fixture
def tables(ddb):
    created = []

    def make(params):
        create_indexed_table(ddb, params)
        created.append(params["TableName"])
        return params["TableName"]

    yield make
    for name in created:
        delete_quietly(ddb, name)


def seed_items(n=600):
    items = []
    for i in range(n):
        it = {"pk": S("p%d" % (i % 37)), "sk": S("s%04d" % i), "x": S("x%d" % i), "y": S("y" * (i % 50))}
        kind = i % 10
        if kind < 6:
            it["h"] = S("h%d" % (i % 7))
            if kind < 5:
                it["r"] = S("r%03d" % (i % 101))
        elif kind == 6:
            it["h"] = {"N": str(i)}          # wrong type for the index to come: skipped
            it["r"] = S("r")
        elif kind == 7:
            it["h"] = {"B": b"h"}            # wrong type too
            it["r"] = S("r")
        elif kind == 8:
            it["r"] = S("r")                 # no hash key: not indexed
        items.append(it)
    return items


@pytest.mark.parametrize("billing", ["PAY_PER_REQUEST", "PROVISIONED"])
def test_create_gsi_backfills_existing_items(ddb, tables, billing):
    name = unique_name("ut_create")
    base = table_params(name, ("pk", "S"), ("sk", "S"), billing=billing)
    tables(base)
    items = seed_items()
    batch_write(ddb, name, puts(items))
    throughput = (3, 4) if billing == "PROVISIONED" else None
    attrs, action = create_action("by_h", ("h", "S"), ("r", "S"), "INCLUDE", ["x"], throughput)
    resp = ddb.update_table(TableName=name, AttributeDefinitions=attrs, GlobalSecondaryIndexUpdates=[action])
    desc = resp["TableDescription"]
    assert desc["TableStatus"] in ("UPDATING", "ACTIVE")
    ix = strip_describe(find_index(desc, "by_h"))
    assert ix.pop("IndexStatus") == "CREATING"
    assert isinstance(ix.pop("Backfilling"), bool)
    ix.pop("IndexSizeBytes", None)
    ix.pop("ItemCount", None)
    assert ix == {"IndexName": "by_h", "KeySchema": action["Create"]["KeySchema"],
                  "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]},
                  "ProvisionedThroughput": {"ReadCapacityUnits": (throughput or (0, 0))[0],
                                            "WriteCapacityUnits": (throughput or (0, 0))[1],
                                            "NumberOfDecreasesToday": 0},
                  "IndexArn": desc["TableArn"] + "/index/by_h"}

    wait_index_active(ddb, name, "by_h")
    desc = ddb.describe_table(TableName=name)["Table"]
    assert desc["TableStatus"] == "ACTIVE"
    assert {d["AttributeName"]: d["AttributeType"] for d in desc["AttributeDefinitions"]} == {
        "pk": "S", "sk": "S", "h": "S", "r": "S"}
    schema = Schema(dict(base, AttributeDefinitions=desc["AttributeDefinitions"],
                         GlobalSecondaryIndexes=[action["Create"]]))
    entries = schema.entries("by_h", items)
    assert len(entries) == 300
    got, _ = all_items(ddb.scan, {"TableName": name, "IndexName": "by_h"})
    assert multiset(got) == multiset(entries)
    for h in range(7):
        got, _ = all_items(ddb.query, {"TableName": name, "IndexName": "by_h", "KeyConditionExpression": "h = :h",
                                       "ExpressionAttributeValues": {":h": S("h%d" % h)}, "Limit": 13})
        want = [e for e in entries if e["h"] == S("h%d" % h)]
        assert multiset(got) == multiset(want)
        assert [g["r"]["S"] for g in got] == sorted(g["r"]["S"] for g in got)
    if not EXTERNAL:
        ix = find_index(desc, "by_h")
        assert (ix["ItemCount"], ix["IndexSizeBytes"]) == (len(entries), sum(size_of(e) for e in entries))

    # From now on the index is maintained and its key type enforced.
    expect_error(ddb.put_item, type_mismatch("h", "S", "N", "by_h"), TableName=name,
                 Item={"pk": S("new"), "sk": S("1"), "h": {"N": "1"}})
    ddb.put_item(TableName=name, Item={"pk": S("new"), "sk": S("2"), "h": S("h0"), "r": S("zzz"), "x": S("new")})
    ddb.update_item(TableName=name, Key={"pk": S("p1"), "sk": S("s0001")}, UpdateExpression="SET h = :h",
                    ExpressionAttributeValues={":h": S("moved")})
    got = ddb.query(TableName=name, IndexName="by_h", KeyConditionExpression="h = :h",
                    ExpressionAttributeValues={":h": S("moved")})["Items"]
    assert got == [{"pk": S("p1"), "sk": S("s0001"), "h": S("moved"), "r": S("r001"), "x": S("x1")}]
    got = ddb.query(TableName=name, IndexName="by_h", ScanIndexForward=False, Limit=1,
                    KeyConditionExpression="h = :h", ExpressionAttributeValues={":h": S("h0")})["Items"]
    assert got == [{"pk": S("new"), "sk": S("2"), "h": S("h0"), "r": S("zzz"), "x": S("new")}]


@pytest.mark.parametrize("key_type", ["S", "B"])
def test_backfill_skips_wrong_type_and_empty_values(ddb, tables, key_type):
    """Empty strings and binaries are fine in ordinary attributes, so a table can hold them in an
    attribute that a new GSI then keys on; the backfill leaves those items out, as it does values
    of another type (ScyllaDB's test_gsi_backfill_empty_string and test_gsi_backfill, which run
    against DynamoDB)."""
    name = tables(table_params(unique_name("ut_skip"), ("pk", "S"), ("sk", "S")))
    good = {"S": "v"} if key_type == "S" else {"B": b"v"}
    empty = {"S": ""} if key_type == "S" else {"B": b""}
    other = {"N": "1"}
    items = [{"pk": S("a"), "sk": S("good"), "h": good}, {"pk": S("a"), "sk": S("empty"), "h": empty},
             {"pk": S("a"), "sk": S("other"), "h": other},
             {"pk": S("b"), "sk": S("good"), "h": good, "r": good},
             {"pk": S("b"), "sk": S("empty-range"), "h": good, "r": empty}]
    batch_write(ddb, name, puts(items))
    for index, range_key in (("hash_only", None), ("with_range", ("r", key_type))):
        attrs, action = create_action(index, ("h", key_type), range_key, "KEYS_ONLY")
        ddb.update_table(TableName=name, AttributeDefinitions=attrs, GlobalSecondaryIndexUpdates=[action])
        wait_index_active(ddb, name, index)
        got, _ = all_items(ddb.scan, {"TableName": name, "IndexName": index})
        keys = sorted((it["pk"]["S"], it["sk"]["S"]) for it in got)
        assert keys == ([("a", "good"), ("b", "empty-range"), ("b", "good")] if range_key is None
                        else [("b", "good")]), index
        if not EXTERNAL:
            ix = find_index(ddb.describe_table(TableName=name)["Table"], index)
            assert ix["ItemCount"] == len(keys)


def test_create_gsi_on_table_keys_and_hash_only(ddb, tables):
    """A new GSI may be keyed on the table's own key attributes; AttributeDefinitions must still
    name them (no need to repeat the others)."""
    name = tables(table_params(unique_name("ut_keys"), ("pk", "S"), ("sk", "S")))
    items = [{"pk": S("p%d" % (i % 5)), "sk": S("s%d" % (i % 9)), "v": S(str(i))} for i in range(45)]
    batch_write(ddb, name, puts(items))
    attrs, action = create_action("by_sk", ("sk", "S"), projection="KEYS_ONLY")
    ddb.update_table(TableName=name, AttributeDefinitions=attrs, GlobalSecondaryIndexUpdates=[action])
    wait_index_active(ddb, name, "by_sk")
    for s in range(9):
        got = ddb.query(TableName=name, IndexName="by_sk", KeyConditionExpression="sk = :s",
                        ExpressionAttributeValues={":s": S("s%d" % s)})["Items"]
        assert multiset(got) == multiset([{"pk": it["pk"], "sk": it["sk"]} for it in items
                                          if it["sk"] == S("s%d" % s)])


def test_delete_gsi(ddb, tables):
    name = unique_name("ut_del")
    params = table_params(name, ("pk", "S"), gsis=[gsi("keep", ("a", "S")), gsi("drop", ("b", "N"), ("a", "S"))])
    tables(params)
    items = [{"pk": S("k%d" % i), "a": S("a%d" % (i % 3)), "b": {"N": str(i % 4)}} for i in range(20)]
    batch_write(ddb, name, puts(items))
    resp = ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "drop"}}])
    assert resp["TableDescription"]["TableStatus"] in ("UPDATING", "ACTIVE")
    ix = find_index(resp["TableDescription"], "drop")
    assert ix is not None and ix["IndexStatus"] == "DELETING"
    assert set(wait_index_gone(ddb, name, "drop")) <= {"DELETING"}
    desc = ddb.describe_table(TableName=name)["Table"]
    assert [g["IndexName"] for g in desc["GlobalSecondaryIndexes"]] == ["keep"]
    # b was used by the deleted index only.
    assert {d["AttributeName"]: d["AttributeType"] for d in desc["AttributeDefinitions"]} == {"pk": "S", "a": "S"}
    expect_error(ddb.query, no_index("drop"), TableName=name, IndexName="drop",
                 KeyConditionExpression="b = :b", ExpressionAttributeValues={":b": {"N": "1"}})
    expect_error(ddb.scan, no_index("drop"), TableName=name, IndexName="drop")
    got = ddb.query(TableName=name, IndexName="keep", KeyConditionExpression="a = :a",
                    ExpressionAttributeValues={":a": S("a1")})["Items"]
    assert multiset(got) == multiset([it for it in items if it["a"] == S("a1")])
    # b is no longer an index key: any type goes.
    ddb.put_item(TableName=name, Item={"pk": S("free"), "a": S("a1"), "b": S("text now")})
    # Deleting it again: it is gone.
    with pytest.raises(ClientError) as excinfo:
        ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "drop"}}])
    assert_client_error(excinfo, "ResourceNotFoundException",
                        "Requested resource not found: Index drop for table %s" % name)
    # The name can be used again, for another key and projection; the new index backfills.
    attrs, action = create_action("drop", ("a", "S"), ("pk", "S"), "KEYS_ONLY")
    ddb.update_table(TableName=name, AttributeDefinitions=attrs, GlobalSecondaryIndexUpdates=[action])
    wait_index_active(ddb, name, "drop")
    got, _ = all_items(ddb.scan, {"TableName": name, "IndexName": "drop"})
    assert multiset(got) == multiset([{"pk": it["pk"], "a": it["a"]} for it in items] +
                                     [{"pk": S("free"), "a": S("a1")}])


def test_update_gsi_throughput(ddb, tables):
    name = tables(table_params(unique_name("ut_pt"), ("pk", "S"), billing="PROVISIONED",
                               gsis=[gsi("idx", ("a", "S"), throughput=(1, 1)), gsi("other", ("b", "S"), throughput=(2, 2))]))
    resp = ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[
        {"Update": {"IndexName": "idx", "ProvisionedThroughput": {"ReadCapacityUnits": 7, "WriteCapacityUnits": 8}}}])
    assert find_index(resp["TableDescription"], "idx")["IndexStatus"] in ("UPDATING", "ACTIVE")
    for _ in range(2000):
        desc = ddb.describe_table(TableName=name)["Table"]
        ix = find_index(desc, "idx")
        if ix["IndexStatus"] == "ACTIVE" and ix["ProvisionedThroughput"]["ReadCapacityUnits"] == 7:
            break
        assert ix["IndexStatus"] in ("UPDATING", "ACTIVE")
    assert ix["ProvisionedThroughput"]["ReadCapacityUnits"] == 7
    assert ix["ProvisionedThroughput"]["WriteCapacityUnits"] == 8
    assert find_index(desc, "other")["ProvisionedThroughput"]["ReadCapacityUnits"] == 2
    assert desc["ProvisionedThroughput"]["ReadCapacityUnits"] == 5


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def et(ddb, tables):
    """An on-demand table with GSI 'gsi_one' on a and LSI 'lsi_one' on lr."""
    return tables(table_params(unique_name("ut_err"), ("pk", "S"), ("sk", "S"),
                               gsis=[gsi("gsi_one", ("a", "S"))], lsis=[lsi("lsi_one", ("pk", "S"), ("lr", "S"))]))


@pytest.mark.parametrize("existing", ["gsi_one", "lsi_one"])
def test_create_existing_index_name(ddb, et, existing):
    attrs, action = create_action(existing, ("z", "S"))
    expect_error(ddb.update_table, "Attempting to create an index which already exists", TableName=et,
                 AttributeDefinitions=attrs, GlobalSecondaryIndexUpdates=[action])


@pytest.mark.parametrize("action", [{"Delete": {"IndexName": "nope"}},
                                    {"Delete": {"IndexName": "GSI_ONE"}}], ids=["missing", "case"])
def test_delete_missing_index(ddb, et, action):
    name = action["Delete"]["IndexName"]
    expect_error(ddb.update_table, "Requested resource not found: Index %s for table %s" % (name, et),
                 code="ResourceNotFoundException", TableName=et, GlobalSecondaryIndexUpdates=[action])


def test_update_missing_index(ddb, tables):
    name = tables(table_params(unique_name("ut_upd"), ("pk", "S"), billing="PROVISIONED",
                               gsis=[gsi("gsi_one", ("a", "S"), throughput=(1, 1))]))
    expect_error(ddb.update_table, "Requested resource not found: Index nope for table %s" % name,
                 code="ResourceNotFoundException", TableName=name, GlobalSecondaryIndexUpdates=[
                     {"Update": {"IndexName": "nope",
                                 "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2}}}])
    desc = ddb.describe_table(TableName=name)["Table"]
    assert find_index(desc, "gsi_one")["ProvisionedThroughput"]["ReadCapacityUnits"] == 1


def test_delete_lsi_is_refused(ddb, et):
    expect_error(ddb.update_table, "Cannot delete an index that is not a GlobalSecondaryIndex: lsi_one",
                 TableName=et, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "lsi_one"}}])
    assert find_index(ddb.describe_table(TableName=et)["Table"], "lsi_one") is not None


def test_create_without_throughput_on_provisioned_table(ddb, tables):
    name = tables(table_params(unique_name("ut_prov"), ("pk", "S"), billing="PROVISIONED"))
    attrs, action = create_action("newix", ("a", "S"))
    expect_error(ddb.update_table, INVALID + "Both ReadCapacityUnits and WriteCapacityUnits must be "
                 "specified for index: newix", TableName=name, AttributeDefinitions=attrs,
                 GlobalSecondaryIndexUpdates=[action])
    assert "GlobalSecondaryIndexes" not in ddb.describe_table(TableName=name)["Table"]


def test_create_with_throughput_on_on_demand_table(ddb, et):
    attrs, action = create_action("newix", ("a", "S"), throughput=(1, 1))
    expect_error(ddb.update_table, INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be "
                 "specified for index: newix when BillingMode is PAY_PER_REQUEST", TableName=et,
                 AttributeDefinitions=attrs, GlobalSecondaryIndexUpdates=[action])
    assert find_index(ddb.describe_table(TableName=et)["Table"], "newix") is None


def test_create_without_attribute_definitions(ddb, et):
    _, action = create_action("newix", ("z", "S"))
    expect_error(ddb.update_table, INVALID + "AttributeDefinitions is not specified for index: newix",
                 TableName=et, GlobalSecondaryIndexUpdates=[action])


@pytest.mark.parametrize("second", ["create", "delete"])
def test_one_online_index_change_per_request(ddb, et, second):
    attrs, action = create_action("newix", ("z", "S"))
    other = create_action("newix2", ("z", "S"))[1] if second == "create" else {"Delete": {"IndexName": "gsi_one"}}
    expect_error(ddb.update_table, LIMIT, code="LimitExceededException", TableName=et,
                 AttributeDefinitions=attrs, GlobalSecondaryIndexUpdates=[action, other])
    desc = ddb.describe_table(TableName=et)["Table"]
    assert [g["IndexName"] for g in desc["GlobalSecondaryIndexes"]] == ["gsi_one"]


def test_global_secondary_index_update_entries(ddb, et):
    attrs, action = create_action("newix", ("z", "S"))
    expect_error(ddb.update_table, INVALID + "One of GlobalSecondaryIndexUpdate.Update, "
                 "GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null",
                 TableName=et, GlobalSecondaryIndexUpdates=[{}])
    expect_error(ddb.update_table, INVALID + "Only one global secondary index action is allowed per "
                 "GlobalSecondaryIndexUpdate object", TableName=et, AttributeDefinitions=attrs,
                 GlobalSecondaryIndexUpdates=[dict(action, Delete={"IndexName": "gsi_one"})])


def test_update_of_one_index_twice(ddb, tables):
    name = tables(table_params(unique_name("ut_twice"), ("pk", "S"), billing="PROVISIONED",
                               gsis=[gsi("gsi_one", ("a", "S"), throughput=(1, 1))]))
    upd = {"Update": {"IndexName": "gsi_one", "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2}}}
    expect_error(ddb.update_table, INVALID + "Only one global secondary index update per index is allowed "
                 "simultaneously. Index: gsi_one", TableName=name, GlobalSecondaryIndexUpdates=[upd, upd])


def test_missing_table(ddb):
    name = unique_name("ut_missing")
    attrs, action = create_action("newix", ("z", "S"))
    expect_error(ddb.update_table, "Requested resource not found: Table: %s not found" % name,
                 code="ResourceNotFoundException", TableName=name, AttributeDefinitions=attrs,
                 GlobalSecondaryIndexUpdates=[action])
