"""Table operations: CreateTable, DescribeTable, DeleteTable, ListTables, UpdateTable."""
import datetime
import re
import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import assert_client_error, create_table_params, item_size, unique_name
from helpers import table_arn

UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def assert_recent(ts):
    assert isinstance(ts, datetime.datetime)
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - ts).total_seconds()) < 120, ts


@pytest.fixture
def cleanup(ddb):
    names = []
    yield names
    for name in names:
        try:
            ddb.delete_table(TableName=name)
        except ClientError:
            pass


# ---------------------------------------------------------------------------------------------
# CreateTable / DescribeTable
# ---------------------------------------------------------------------------------------------

def test_create_table_provisioned_description(ddb, cleanup):
    name = unique_name("ct")
    params = create_table_params(name, ("pk", "S"), billing="PROVISIONED")
    cleanup.append(name)
    desc = ddb.create_table(**params)["TableDescription"]

    assert desc["TableName"] == name
    assert desc["TableStatus"] == "ACTIVE"
    assert desc["TableArn"] == table_arn(name)
    assert re.fullmatch(UUID_RE, desc["TableId"]), desc["TableId"]
    assert_recent(desc["CreationDateTime"])
    assert desc["KeySchema"] == params["KeySchema"]
    assert desc["AttributeDefinitions"] == params["AttributeDefinitions"]
    assert desc["ProvisionedThroughput"] == {
        "ReadCapacityUnits": 5, "WriteCapacityUnits": 5, "NumberOfDecreasesToday": 0}
    assert desc["ItemCount"] == 0
    assert desc["TableSizeBytes"] == 0
    assert "GlobalSecondaryIndexes" not in desc
    assert "LocalSecondaryIndexes" not in desc
    if "BillingModeSummary" in desc:
        assert desc["BillingModeSummary"]["BillingMode"] == "PROVISIONED"


def test_create_table_pay_per_request_description(ddb, cleanup):
    name = unique_name("ct")
    params = create_table_params(name, ("id", "N"), ("sk", "B"))
    cleanup.append(name)
    desc = ddb.create_table(**params)["TableDescription"]

    assert desc["TableStatus"] == "ACTIVE"
    assert desc["TableArn"] == table_arn(name)
    assert desc["KeySchema"] == params["KeySchema"]
    assert desc["AttributeDefinitions"] == params["AttributeDefinitions"]
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert desc["ProvisionedThroughput"] == {
        "ReadCapacityUnits": 0, "WriteCapacityUnits": 0, "NumberOfDecreasesToday": 0}
    assert desc["ItemCount"] == 0
    assert desc["TableSizeBytes"] == 0


def test_describe_table_matches_create(ddb, cleanup):
    name = unique_name("dt")
    cleanup.append(name)
    created = ddb.create_table(**create_table_params(name, billing="PROVISIONED"))["TableDescription"]
    table = ddb.describe_table(TableName=name)["Table"]
    for key in ("TableName", "TableArn", "TableId", "KeySchema", "AttributeDefinitions",
                "ProvisionedThroughput", "ItemCount", "TableSizeBytes", "CreationDateTime"):
        assert table[key] == created[key], key
    assert table["TableStatus"] == "ACTIVE"


def test_create_table_with_indexes_echoes_them(ddb, cleanup):
    name = unique_name("ix")
    cleanup.append(name)
    params = {
        "TableName": name,
        "AttributeDefinitions": [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "lsk", "AttributeType": "S"},
            {"AttributeName": "gpk", "AttributeType": "B"},
        ],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}],
        "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 3},
        "LocalSecondaryIndexes": [{
            "IndexName": "lsi1",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "lsk", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }],
        "GlobalSecondaryIndexes": [{
            "IndexName": "gsi1",
            "KeySchema": [{"AttributeName": "gpk", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x", "y"]},
            "ProvisionedThroughput": {"ReadCapacityUnits": 4, "WriteCapacityUnits": 6},
        }],
    }
    for desc in (ddb.create_table(**params)["TableDescription"],
                 ddb.describe_table(TableName=name)["Table"]):
        (lsi,) = desc["LocalSecondaryIndexes"]
        assert lsi["IndexName"] == "lsi1"
        assert lsi["KeySchema"] == params["LocalSecondaryIndexes"][0]["KeySchema"]
        assert lsi["Projection"] == {"ProjectionType": "KEYS_ONLY"}
        assert lsi["IndexArn"] == table_arn(name) + "/index/lsi1"
        assert lsi["ItemCount"] == 0
        assert lsi["IndexSizeBytes"] == 0

        (gsi,) = desc["GlobalSecondaryIndexes"]
        assert gsi["IndexName"] == "gsi1"
        assert gsi["KeySchema"] == params["GlobalSecondaryIndexes"][0]["KeySchema"]
        assert gsi["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x", "y"]}
        assert gsi["IndexStatus"] == "ACTIVE"
        assert gsi["IndexArn"] == table_arn(name) + "/index/gsi1"
        assert gsi["ItemCount"] == 0
        assert gsi["IndexSizeBytes"] == 0
        assert gsi["ProvisionedThroughput"] == {
            "ReadCapacityUnits": 4, "WriteCapacityUnits": 6, "NumberOfDecreasesToday": 0}


def test_create_existing_table_is_resource_in_use(ddb, make_table):
    name = make_table()
    with pytest.raises(ClientError) as excinfo:
        ddb.create_table(**create_table_params(name))
    assert_client_error(excinfo, "ResourceInUseException", "Table already exists: %s" % name)


def test_table_names_are_case_sensitive(ddb, cleanup):
    base = "Case" + uuid.uuid4().hex[:10]
    upper, lower = base, base.lower()
    cleanup.extend([upper, lower])
    ddb.create_table(**create_table_params(upper, ("pk", "S")))
    # Same name in another case is a different table, not ResourceInUseException.
    ddb.create_table(**create_table_params(lower, ("id", "N")))
    assert ddb.describe_table(TableName=upper)["Table"]["KeySchema"][0]["AttributeName"] == "pk"
    assert ddb.describe_table(TableName=lower)["Table"]["KeySchema"][0]["AttributeName"] == "id"

    ddb.put_item(TableName=upper, Item={"pk": {"S": "a"}})
    assert ddb.get_item(TableName=upper, Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}
    assert "Item" not in ddb.get_item(TableName=lower, Key={"id": {"N": "1"}})

    names = ddb.list_tables(ExclusiveStartTableName=base[:3], Limit=100)["TableNames"]
    assert upper in names and lower in names

    ddb.delete_table(TableName=upper)
    assert ddb.describe_table(TableName=lower)["Table"]["TableStatus"] == "ACTIVE"
    with pytest.raises(ClientError) as excinfo:
        ddb.describe_table(TableName=upper)
    assert_client_error(excinfo, "ResourceNotFoundException",
                        "Requested resource not found: Table: %s not found" % upper)


def test_describe_missing_table(ddb):
    name = unique_name("missing")
    with pytest.raises(ClientError) as excinfo:
        ddb.describe_table(TableName=name)
    assert_client_error(excinfo, "ResourceNotFoundException",
                        "Requested resource not found: Table: %s not found" % name)


# ---------------------------------------------------------------------------------------------
# DeleteTable
# ---------------------------------------------------------------------------------------------

def test_delete_table(ddb):
    name = unique_name("del")
    params = create_table_params(name, ("pk", "S"), ("sk", "N"), billing="PROVISIONED")
    ddb.create_table(**params)
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"N": "1"}})
    desc = ddb.delete_table(TableName=name)["TableDescription"]
    assert desc["TableName"] == name
    assert desc["TableStatus"] == "DELETING"
    assert desc["TableArn"] == table_arn(name)
    # DeleteTable's answer leaves out the schema, the creation time and the indexes (fidelity sweep)
    for absent in ("KeySchema", "AttributeDefinitions", "CreationDateTime"):
        assert absent not in desc

    with pytest.raises(ClientError) as excinfo:
        ddb.describe_table(TableName=name)
    assert_client_error(excinfo, "ResourceNotFoundException",
                        "Requested resource not found: Table: %s not found" % name)
    assert name not in ddb.list_tables(ExclusiveStartTableName=name[:3], Limit=100)["TableNames"]

    # The name can be used again, and the new table is empty.
    ddb.create_table(**params)
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
    assert ddb.describe_table(TableName=name)["Table"]["ItemCount"] == 0
    ddb.delete_table(TableName=name)


def test_delete_missing_table(ddb):
    name = unique_name("missing")
    with pytest.raises(ClientError) as excinfo:
        ddb.delete_table(TableName=name)
    assert_client_error(excinfo, "ResourceNotFoundException",
                        "Requested resource not found: Table: %s not found" % name)


# ---------------------------------------------------------------------------------------------
# ListTables
# ---------------------------------------------------------------------------------------------

def test_list_tables_contains_new_table(ddb, make_table):
    name = make_table()
    names = []
    kwargs = {}
    while True:
        page = ddb.list_tables(**kwargs)
        names += page["TableNames"]
        if "LastEvaluatedTableName" not in page:
            break
        kwargs = {"ExclusiveStartTableName": page["LastEvaluatedTableName"]}
    assert name in names
    assert names == sorted(names)
    assert len(names) == len(set(names))


def test_list_tables_pagination(ddb, cleanup):
    # 'z' sorts last among [a-zA-Z0-9_.-], so these are the last tables on the server.
    prefix = "zzzzzzzz_lt_%s_" % uuid.uuid4().hex[:8]
    names = [prefix + str(i) for i in range(5)]
    for name in reversed(names):
        cleanup.append(name)
        ddb.create_table(**create_table_params(name))

    page = ddb.list_tables(ExclusiveStartTableName=prefix, Limit=2)
    assert page["TableNames"] == names[0:2]
    assert page["LastEvaluatedTableName"] == names[1]

    page = ddb.list_tables(ExclusiveStartTableName=page["LastEvaluatedTableName"], Limit=2)
    assert page["TableNames"] == names[2:4]
    assert page["LastEvaluatedTableName"] == names[3]

    page = ddb.list_tables(ExclusiveStartTableName=page["LastEvaluatedTableName"], Limit=2)
    assert page["TableNames"] == names[4:5]
    assert "LastEvaluatedTableName" not in page

    # Nothing remains after the last table: no LastEvaluatedTableName even with a Limit.
    page = ddb.list_tables(ExclusiveStartTableName=names[2], Limit=100)
    assert page["TableNames"] == names[3:5]
    assert "LastEvaluatedTableName" not in page

    page = ddb.list_tables(ExclusiveStartTableName=names[4])
    assert page["TableNames"] == []
    assert "LastEvaluatedTableName" not in page

    # The exclusive start name need not be a table.
    page = ddb.list_tables(ExclusiveStartTableName=names[1] + "a", Limit=1)
    assert page["TableNames"] == [names[2]]
    assert page["LastEvaluatedTableName"] == names[2]


def test_list_tables_limit_one(ddb, make_table):
    make_table()
    make_table()
    page = ddb.list_tables(Limit=1)
    assert len(page["TableNames"]) == 1
    assert page["LastEvaluatedTableName"] == page["TableNames"][0]


@pytest.mark.parametrize("params, message", [
    ({"Limit": 0}, "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
                   "Member must have value greater than or equal to 1"),
    ({"Limit": 101}, "1 validation error detected: Value '101' at 'limit' failed to satisfy "
                     "constraint: Member must have value less than or equal to 100"),
    ({"ExclusiveStartTableName": "a;", "Limit": 500},
     "3 validation errors detected: "
     "Value '500' at 'limit' failed to satisfy constraint: "
     "Member must have value less than or equal to 100; "
     "Value 'a;' at 'exclusiveStartTableName' failed to satisfy constraint: "
     "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
     "Value 'a;' at 'exclusiveStartTableName' failed to satisfy constraint: "
     "Member must have length greater than or equal to 3"),
])
def test_list_tables_validation(ddb, params, message):
    with pytest.raises(ClientError) as excinfo:
        ddb.list_tables(**params)
    assert_client_error(excinfo, "ValidationException", message)


# ---------------------------------------------------------------------------------------------
# UpdateTable
# ---------------------------------------------------------------------------------------------

def test_update_table_throughput(ddb, make_table):
    name = make_table(billing="PROVISIONED")
    desc = ddb.update_table(TableName=name, ProvisionedThroughput={
        "ReadCapacityUnits": 7, "WriteCapacityUnits": 9})["TableDescription"]
    assert desc["TableName"] == name
    assert desc["TableArn"] == table_arn(name)
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 7
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 9


def test_update_table_billing_mode_round_trip(ddb, make_table):
    name = make_table(billing="PROVISIONED")
    desc = ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")["TableDescription"]
    assert desc["TableName"] == name
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 0

    desc = ddb.update_table(TableName=name, BillingMode="PROVISIONED", ProvisionedThroughput={
        "ReadCapacityUnits": 3, "WriteCapacityUnits": 4})["TableDescription"]
    assert desc["TableName"] == name
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 4


@pytest.mark.parametrize("change", [
    {"ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2}},
    {"BillingMode": "PAY_PER_REQUEST"},
], ids=["throughput", "billing_mode"])
def test_update_missing_table(ddb, change):
    name = unique_name("missing")
    with pytest.raises(ClientError) as excinfo:
        ddb.update_table(TableName=name, **change)
    assert_client_error(excinfo, "ResourceNotFoundException",
                        "Requested resource not found: Table: %s not found" % name)


# ---------------------------------------------------------------------------------------------
# ItemCount / TableSizeBytes
# ---------------------------------------------------------------------------------------------

def test_item_count_and_size_are_exact(ddb, make_table):
    name = make_table(("pk", "S"), ("sk", "S"))
    items = [
        {"pk": {"S": "a"}, "sk": {"S": "1"}, "data": {"S": "x" * 100}},
        {"pk": {"S": "a"}, "sk": {"S": "2"}, "data": {"S": "y" * 1000}},
        {"pk": {"S": "b"}, "sk": {"S": "1"}, "bin": {"B": b"\x00\x01\x02"}},
    ]
    for item in items:
        ddb.put_item(TableName=name, Item=item)
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["ItemCount"] == 3
    assert table["TableSizeBytes"] == sum(item_size(i) for i in items)

    # Overwrite one item with a smaller one, delete another.
    items[1] = {"pk": {"S": "a"}, "sk": {"S": "2"}}
    ddb.put_item(TableName=name, Item=items[1])
    ddb.delete_item(TableName=name, Key={"pk": {"S": "b"}, "sk": {"S": "1"}})
    del items[2]
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["ItemCount"] == 2
    assert table["TableSizeBytes"] == sum(item_size(i) for i in items)

    # Deleting a missing item changes nothing.
    ddb.delete_item(TableName=name, Key={"pk": {"S": "zz"}, "sk": {"S": "zz"}})
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["ItemCount"] == 2
    assert table["TableSizeBytes"] == sum(item_size(i) for i in items)


# ---------------------------------------------------------------------------------------------
# CreateTable validation
# ---------------------------------------------------------------------------------------------

def _defs(*names_types):
    return [{"AttributeName": n, "AttributeType": t} for n, t in names_types]


def _keys(*names_types):
    return [{"AttributeName": n, "KeyType": t} for n, t in names_types]


PT = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
NOT_DEFINED = ("One or more parameter values were invalid: Some index key attributes are not "
               "defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]")

CREATE_TABLE_ERRORS = [
    ("name_too_short",
     {"TableName": "ab", "AttributeDefinitions": _defs(("pk", "S")),
      "KeySchema": _keys(("pk", "HASH")), "ProvisionedThroughput": PT},
     "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
     "Member must have length greater than or equal to 3"),
    ("name_too_long",
     {"TableName": "a" * 256, "AttributeDefinitions": _defs(("pk", "S")),
      "KeySchema": _keys(("pk", "HASH")), "ProvisionedThroughput": PT},
     "1 validation error detected: Value '%s' at 'tableName' failed to satisfy constraint: "
     "Member must have length less than or equal to 255" % ("a" * 256)),
    ("name_bad_chars",
     {"TableName": "a b c", "AttributeDefinitions": _defs(("pk", "S")),
      "KeySchema": _keys(("pk", "HASH")), "ProvisionedThroughput": PT},
     "1 validation error detected: Value 'a b c' at 'tableName' failed to satisfy constraint: "
     "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
    ("name_missing",
     {"AttributeDefinitions": _defs(("pk", "S")), "KeySchema": _keys(("pk", "HASH")),
      "ProvisionedThroughput": PT},
     "The parameter 'TableName' is required but was not present in the request"),
    ("key_not_defined",
     {"TableName": "abc", "AttributeDefinitions": _defs(("pk", "S")),
      "KeySchema": _keys(("x", "HASH")), "ProvisionedThroughput": PT},
     NOT_DEFINED % ("x", "pk")),
    ("more_keys_than_definitions",
     {"TableName": "abc", "AttributeDefinitions": _defs(("b", "S")),
      "KeySchema": _keys(("a", "HASH"), ("b", "RANGE")), "ProvisionedThroughput": PT},
     "Invalid KeySchema: Some index key attribute have no definition"),
    ("provisioned_without_throughput",
     {"TableName": "abc", "AttributeDefinitions": _defs(("pk", "S")),
      "KeySchema": _keys(("pk", "HASH"))},
     "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must "
     "both be specified when BillingMode is PROVISIONED"),
    ("explicit_provisioned_without_throughput",
     {"TableName": "abc", "BillingMode": "PROVISIONED", "AttributeDefinitions": _defs(("pk", "S")),
      "KeySchema": _keys(("pk", "HASH"))},
     "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must "
     "both be specified when BillingMode is PROVISIONED"),
    ("pay_per_request_with_throughput",
     {"TableName": "abc", "BillingMode": "PAY_PER_REQUEST",
      "AttributeDefinitions": _defs(("pk", "S")), "KeySchema": _keys(("pk", "HASH")),
      "ProvisionedThroughput": PT},
     "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits "
     "can be specified when BillingMode is PAY_PER_REQUEST"),
    ("first_key_not_hash",
     {"TableName": "abc", "AttributeDefinitions": _defs(("a", "S"), ("b", "S")),
      "KeySchema": _keys(("a", "RANGE"), ("b", "HASH")), "ProvisionedThroughput": PT},
     "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"),
    ("second_key_not_range",
     {"TableName": "abc", "AttributeDefinitions": _defs(("a", "S"), ("b", "S")),
      "KeySchema": _keys(("a", "HASH"), ("b", "HASH")), "ProvisionedThroughput": PT},
     "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"),
    ("hash_and_range_same_name",
     {"TableName": "abc", "AttributeDefinitions": _defs(("a", "S"), ("b", "S")),
      "KeySchema": _keys(("a", "HASH"), ("a", "RANGE")), "ProvisionedThroughput": PT},
     "Both the Hash Key and the Range Key element in the KeySchema have the same name"),
    ("extra_attribute_definition",
     {"TableName": "abc", "AttributeDefinitions": _defs(("a", "S"), ("b", "S")),
      "KeySchema": _keys(("a", "HASH")), "ProvisionedThroughput": PT},
     "One or more parameter values were invalid: Number of attributes in KeySchema does not "
     "exactly match number of attributes defined in AttributeDefinitions"),
    ("attribute_type_not_scalar",
     {"TableName": "abc", "AttributeDefinitions": _defs(("a", "SS")),
      "KeySchema": _keys(("a", "HASH")), "ProvisionedThroughput": PT},
     "1 validation error detected: Value 'SS' at 'attributeDefinitions.1.member.attributeType' "
     "failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]"),
    ("read_capacity_zero",
     {"TableName": "abc", "AttributeDefinitions": _defs(("a", "S")),
      "KeySchema": _keys(("a", "HASH")),
      "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 1}},
     "1 validation error detected: Value '0' at 'provisionedThroughput.readCapacityUnits' failed "
     "to satisfy constraint: Member must have value greater than or equal to 1"),
    ("read_capacity_out_of_bounds",
     {"TableName": "abc", "AttributeDefinitions": _defs(("a", "S")),
      "KeySchema": _keys(("a", "HASH")),
      "ProvisionedThroughput": {"ReadCapacityUnits": 1000000000001, "WriteCapacityUnits": 1}},
     "Given value 1000000000001 for ReadCapacityUnits is out of bounds"),
    ("lsi_without_table_range_key",
     {"TableName": "abc", "AttributeDefinitions": _defs(("a", "S"), ("b", "S")),
      "KeySchema": _keys(("a", "HASH")), "ProvisionedThroughput": PT,
      "LocalSecondaryIndexes": [{"IndexName": "idx", "KeySchema": _keys(("a", "HASH"), ("b", "RANGE")),
                                 "Projection": {"ProjectionType": "ALL"}}]},
     "One or more parameter values were invalid: Table KeySchema does not have a range key, "
     "which is required when specifying a LocalSecondaryIndex"),
    ("gsi_key_not_defined",
     {"TableName": "abc", "AttributeDefinitions": _defs(("pk", "S")),
      "KeySchema": _keys(("pk", "HASH")), "BillingMode": "PAY_PER_REQUEST",
      "GlobalSecondaryIndexes": [{"IndexName": "idx", "KeySchema": _keys(("gk", "HASH")),
                                  "Projection": {"ProjectionType": "ALL"}}]},
     NOT_DEFINED % ("gk", "pk")),
    ("gsi_projection_all_with_non_key_attributes",
     {"TableName": "abc", "AttributeDefinitions": _defs(("pk", "S"), ("gk", "S")),
      "KeySchema": _keys(("pk", "HASH")), "BillingMode": "PAY_PER_REQUEST",
      "GlobalSecondaryIndexes": [{"IndexName": "idx", "KeySchema": _keys(("gk", "HASH")),
                                  "Projection": {"ProjectionType": "ALL",
                                                 "NonKeyAttributes": ["x"]}}]},
     "One or more parameter values were invalid: ProjectionType is ALL, but NonKeyAttributes is "
     "specified"),
    ("gsi_throughput_with_pay_per_request",
     {"TableName": "abc", "AttributeDefinitions": _defs(("pk", "S"), ("gk", "S")),
      "KeySchema": _keys(("pk", "HASH")), "BillingMode": "PAY_PER_REQUEST",
      "GlobalSecondaryIndexes": [{"IndexName": "idx", "KeySchema": _keys(("gk", "HASH")),
                                  "Projection": {"ProjectionType": "ALL"},
                                  "ProvisionedThroughput": PT}]},
     "One or more parameter values were invalid: ProvisionedThroughput should not be specified "
     "for index: idx when BillingMode is PAY_PER_REQUEST"),
    ("gsi_duplicate_index_name",
     {"TableName": "abc", "AttributeDefinitions": _defs(("pk", "S"), ("gk", "S")),
      "KeySchema": _keys(("pk", "HASH")), "BillingMode": "PAY_PER_REQUEST",
      "GlobalSecondaryIndexes": [
          {"IndexName": "idx", "KeySchema": _keys(("gk", "HASH")),
           "Projection": {"ProjectionType": "ALL"}},
          {"IndexName": "idx", "KeySchema": _keys(("gk", "HASH")),
           "Projection": {"ProjectionType": "KEYS_ONLY"}}]},
     "One or more parameter values were invalid: Duplicate index name: idx"),
]


@pytest.mark.parametrize("params, message", [c[1:] for c in CREATE_TABLE_ERRORS],
                         ids=[c[0] for c in CREATE_TABLE_ERRORS])
def test_create_table_validation(ddb, params, message):
    with pytest.raises(ClientError) as excinfo:
        ddb.create_table(**params)
    assert_client_error(excinfo, "ValidationException", message)
    if params.get("TableName") == "abc":
        with pytest.raises(ClientError) as excinfo:
            ddb.describe_table(TableName="abc")
        assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"
