"""CreateTable and UpdateTable: the static rules DynamoDB added after dynalite's era.

Duplicate definitions, projections, name lengths, multi-attribute GSI keys, TableClass,
DeletionProtectionEnabled sent as a string, stream specifications (and ddbd's refusal to enable a
stream it cannot serve), GlobalSecondaryIndexUpdates shapes, and the order between these rules.
Texts are DynamoDB's as captured against the real service in other projects' suites (see
server/api/validate/validate_table.c); Debian's botocore predates DeletionProtectionEnabled, so those
requests go raw. Every expectation is exact: error type, message and HTTP status.
"""
import pytest

from conftest import assert_client_error, expect_error, raw_request, unique_name

INVALID = "One or more parameter values were invalid: "
TABLE_CLASS = ("Invalid table-class parameter provided. Please try again with a valid table-class value: "
               "[STANDARD, STANDARD_INFREQUENT_ACCESS].")
NKA_LENGTH = ("Member must satisfy constraint: [Member must have length less than or equal to 255, Member must "
              "have length greater than or equal to 1]")
VALIDATION = "com.amazon.coral.validate#ValidationException"


def defs(*names):
    return [{"AttributeName": n, "AttributeType": "S"} for n in names]


def key(hash_keys, range_keys=()):
    hash_keys = [hash_keys] if isinstance(hash_keys, str) else hash_keys
    return ([{"AttributeName": n, "KeyType": "HASH"} for n in hash_keys]
            + [{"AttributeName": n, "KeyType": "RANGE"} for n in range_keys])


def index(name, key_schema, projection=None):
    return {"IndexName": name, "KeySchema": key_schema, "Projection": projection or {"ProjectionType": "ALL"}}


def include(*names):
    return {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(names)}


def table(name=None, attributes=("pk",), key_schema=None, **extra):
    """An on-demand CreateTable request keyed by pk."""
    params = {"TableName": name or unique_name("tv"), "BillingMode": "PAY_PER_REQUEST",
              "AttributeDefinitions": defs(*attributes), "KeySchema": key_schema or key("pk")}
    params.update(extra)
    return params


def constraint(value, path, what):
    return "1 validation error detected: Value %s at '%s' failed to satisfy constraint: %s" % (value, path, what)


def raw_error(endpoint, op, body, message, type_=VALIDATION, status=400):
    r = raw_request(endpoint, op, body)
    assert r.status == status, (r.status, r.body)
    field = "Message" if type_.endswith("SerializationException") else "message"
    assert r.json() == {"__type": type_, field: message}


@pytest.fixture
def created(ddb):
    """Names appended here are deleted after the test."""
    names = []
    yield names
    for name in names:
        try:
            ddb.delete_table(TableName=name)
        except Exception:
            pass


def create_ok(ddb, created, params):
    created.append(params["TableName"])
    return ddb.create_table(**params)["TableDescription"]


# ---------------------------------------------------------------------------------------------
# AttributeDefinitions
# ---------------------------------------------------------------------------------------------

def test_duplicate_attribute_definitions(ddb):
    expect_error(ddb.create_table, "Attribute Name is duplicated: pk", **table(attributes=("pk", "pk")))
    expect_error(ddb.create_table, "Attribute Name is duplicated: pk",
                 **table(AttributeDefinitions=defs("pk") + [{"AttributeName": "pk", "AttributeType": "N"}]))


def test_duplicate_definitions_come_after_billing_and_before_key_rules(ddb):
    params = table(attributes=("pk", "pk"))
    del params["BillingMode"]
    expect_error(ddb.create_table, INVALID + "ReadCapacityUnits and WriteCapacityUnits must both be specified when "
                 "BillingMode is PROVISIONED", **params)
    # the key attribute pk is not defined at all, and x is defined twice: the duplicate is reported
    expect_error(ddb.create_table, "Attribute Name is duplicated: x", **table(attributes=("x", "y", "x")))


def test_unused_definitions_with_indexes(ddb):
    """DynamoDB prints "keys used" in java.util.HashSet order (a real capture: [a, sk, pk])."""
    params = table(attributes=("sk", "a", "b", "pk", "c"), key_schema=key("pk", ["sk"]),
                   GlobalSecondaryIndexes=[index("gsi", key("a"))])
    expect_error(ddb.create_table, INVALID + "Some AttributeDefinitions are not used. AttributeDefinitions: "
                 "[sk, a, b, pk, c], keys used: [a, sk, pk]", **params)
    # it masks the index rules that follow (here a missing ProjectionType)
    params = table(attributes=("pk", "g", "x"), GlobalSecondaryIndexes=[index("gsi", key("g"), {})])
    expect_error(ddb.create_table, INVALID + "Some AttributeDefinitions are not used. AttributeDefinitions: "
                 "[pk, g, x], keys used: [g, pk]", **params)


# ---------------------------------------------------------------------------------------------
# Projections
# ---------------------------------------------------------------------------------------------

def test_include_needs_non_key_attributes(ddb):
    message = INVALID + "ProjectionType is INCLUDE, but NonKeyAttributes is not specified"
    expect_error(ddb.create_table, message, **table(attributes=("pk", "g"), GlobalSecondaryIndexes=[
        index("gsi", key("g"), {"ProjectionType": "INCLUDE"})]))
    expect_error(ddb.create_table, message, **table(attributes=("pk", "sk", "l"), key_schema=key("pk", ["sk"]),
                 LocalSecondaryIndexes=[index("lsi", key("pk", ["l"]), {"ProjectionType": "INCLUDE"})]))


def test_duplicate_non_key_attributes(ddb):
    expect_error(ddb.create_table, INVALID + "Duplicate element in NonKeyAttributes: x",
                 **table(attributes=("pk", "g"), GlobalSecondaryIndexes=[index("gsi", key("g"), include("x", "y", "x"))]))


def test_at_most_twenty_non_key_attributes_per_index(ddb):
    names = ["a%d" % i for i in range(21)]
    expect_error(ddb.create_table,
                 constraint("'[%s]'" % ", ".join(names), "globalSecondaryIndexes.1.member.projection.nonKeyAttributes",
                            "Member must have length less than or equal to 20"),
                 **table(attributes=("pk", "g"), GlobalSecondaryIndexes=[index("gsi", key("g"), include(*names))]))


def projected(total_gsi):
    lsis = [index("lsi%d" % i, key("pk", ["sk"]), include(*["l%d_%d" % (i, k) for k in range(20)]))
            for i in range(5)]
    gsi = index("gsi", key("g"), include(*["g%d" % k for k in range(total_gsi)]))
    return table(attributes=("pk", "sk", "g"), key_schema=key("pk", ["sk"]), LocalSecondaryIndexes=lsis,
                 GlobalSecondaryIndexes=[gsi])


def test_at_most_one_hundred_non_key_attributes_per_table(ddb, created):
    expect_error(ddb.create_table, INVALID + "Number of NonKeyAttributes summed across all secondary indexes exceeds "
                 "per-table limit of 100", **projected(1))
    params = projected(0)
    params["GlobalSecondaryIndexes"][0]["Projection"] = {"ProjectionType": "KEYS_ONLY"}
    assert create_ok(ddb, created, params)["TableStatus"] == "ACTIVE"


def test_non_key_attribute_names_are_one_to_255_characters(ddb, created):
    long_name = "n" * 256
    expect_error(ddb.create_table,
                 constraint("'[x, %s]'" % long_name, "globalSecondaryIndexes.1.member.projection.nonKeyAttributes",
                            NKA_LENGTH),
                 **table(attributes=("pk", "g"), GlobalSecondaryIndexes=[index("gsi", key("g"),
                                                                                include("x", long_name))]))
    # reported as a constraint: before the billing rules
    params = table(attributes=("pk", "g"), GlobalSecondaryIndexes=[index("gsi", key("g"), include(""))])
    del params["BillingMode"]
    expect_error(ddb.create_table, constraint("'[]'", "globalSecondaryIndexes.1.member.projection.nonKeyAttributes",
                                              NKA_LENGTH), **params)
    desc = create_ok(ddb, created, table(attributes=("pk", "g"), GlobalSecondaryIndexes=[
        index("gsi", key("g"), include("n" * 255))]))
    assert desc["GlobalSecondaryIndexes"][0]["Projection"] == include("n" * 255)


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------

def test_key_attribute_names_are_one_to_255_characters(ddb, created):
    long_name = "k" * 256
    too_long = "Member must have length less than or equal to 255"
    expect_error(ddb.create_table, "2 validation errors detected: Value '%s' at 'attributeDefinitions.1.member."
                 "attributeName' failed to satisfy constraint: %s; Value '%s' at 'keySchema.1.member.attributeName' "
                 "failed to satisfy constraint: %s" % (long_name, too_long, long_name, too_long),
                 **table(attributes=(long_name,), key_schema=key(long_name)))
    # the length is reported before the definitions are found not to match the key schema
    expect_error(ddb.create_table, constraint("'%s'" % long_name, "keySchema.1.member.attributeName", too_long),
                 **table(attributes=("pk",), key_schema=key(long_name)))
    expect_error(ddb.create_table, constraint("'%s'" % long_name, "attributeDefinitions.2.member.attributeName",
                                              too_long),
                 **table(attributes=("pk", long_name), GlobalSecondaryIndexes=[index("gsi", key("g"))]))
    expect_error(ddb.create_table, constraint("''", "attributeDefinitions.1.member.attributeName",
                                              "Member must have length greater than or equal to 1"),
                 **table(attributes=("",)))
    name = "k" * 255
    desc = create_ok(ddb, created, table(attributes=(name,), key_schema=key(name)))
    assert desc["KeySchema"] == key(name)


def test_global_index_constraints_are_reported_before_local_ones(ddb):
    def too_short(name, member):
        return ("Value '%s' at '%s.1.member.indexName' failed to satisfy constraint: Member must have length greater "
                "than or equal to 3" % (name, member))
    params = table(attributes=("pk", "sk", "l", "g"), key_schema=key("pk", ["sk"]),
                   LocalSecondaryIndexes=[index("l1", key("pk", ["l"]))], GlobalSecondaryIndexes=[index("g1", key("g"))])
    expect_error(ddb.create_table, "2 validation errors detected: %s; %s" % (
        too_short("g1", "globalSecondaryIndexes"), too_short("l1", "localSecondaryIndexes")), **params)


def test_provisioned_table_index_needs_throughput(ddb):
    params = table(attributes=("pk", "g"), GlobalSecondaryIndexes=[index("gsi", key("g"))])
    del params["BillingMode"]
    params["ProvisionedThroughput"] = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    expect_error(ddb.create_table, INVALID + "ProvisionedThroughput is not specified for index: gsi", **params)


# ---------------------------------------------------------------------------------------------
# Multi-attribute GSI keys: up to 4 HASH then up to 4 RANGE elements
# ---------------------------------------------------------------------------------------------

def test_multi_attribute_gsi_keys_are_accepted(ddb, created):
    schema = key(["h1", "h2", "h3", "h4"], ["r1", "r2", "r3", "r4"])
    attrs = ("pk", "h1", "h2", "h3", "h4", "r1", "r2", "r3", "r4")
    desc = create_ok(ddb, created, table(attributes=attrs, GlobalSecondaryIndexes=[
        index("wide", schema), index("two_hash", key(["h1", "h2"])), index("one_two", key("h1", ["r1", "r2"]))]))
    assert [g["KeySchema"] for g in desc["GlobalSecondaryIndexes"]] == [
        schema, key(["h1", "h2"]), key("h1", ["r1", "r2"])]
    assert ddb.describe_table(TableName=desc["TableName"])["Table"]["GlobalSecondaryIndexes"][0]["KeySchema"] == schema
    # the classic texts stay for two elements and for the first one
    for schema, message in ((key(["a", "a"]), "Both the Hash Key and the Range Key element in the KeySchema have the "
                             "same name"),
                            (key([], ["a"]) + key("b"), "Invalid KeySchema: The first KeySchemaElement is not a HASH "
                             "key type")):
        expect_error(ddb.create_table, message, **table(attributes=["pk"] + sorted({k["AttributeName"] for k in schema}),
                                                        GlobalSecondaryIndexes=[index("gsi", schema)]))
    # tables and local indexes keep one HASH and one RANGE element
    params = table(attributes=("pk", "sk", "x"), key_schema=key("pk", ["sk"]),
                   LocalSecondaryIndexes=[index("lsi", key("pk", ["sk", "x"]))])
    expect_error(ddb.create_table, constraint(
        "'[KeySchemaElement(attributeName=pk, keyType=HASH), KeySchemaElement(attributeName=sk, keyType=RANGE), "
        "KeySchemaElement(attributeName=x, keyType=RANGE)]'", "localSecondaryIndexes.1.member.keySchema",
        "Member must have length less than or equal to 2"), **params)
    # two HASH elements are a GSI's privilege
    params = table(attributes=("pk", "sk", "x"), key_schema=key(["pk", "x"]))
    expect_error(ddb.create_table, "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type", **params)
    params = table(attributes=("pk", "sk", "x"), key_schema=key("pk", ["sk"]),
                   LocalSecondaryIndexes=[index("lsi", key(["pk", "x"]))])
    expect_error(ddb.create_table, "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type", **params)


@pytest.mark.parametrize("schema, message", [
    (key(["a", "b", "c", "d", "e"]), INVALID + "The KeySchema exceeds the maximum allowed number of HASH key attributes"),
    (key("a", ["b", "c", "d", "e", "f"]),
     INVALID + "The KeySchema exceeds the maximum allowed number of RANGE key attributes"),
    (key("a", ["b"]) + key("c"), INVALID + "All HASH key attributes must precede RANGE key attributes in the KeySchema"),
    (key("a", ["b", "a"]), "The KeySchema contains multiple key attributes with the same name"),
])
def test_multi_attribute_gsi_key_rules(ddb, schema, message):
    names = sorted({k["AttributeName"] for k in schema})
    expect_error(ddb.create_table, message,
                 **table(attributes=["pk"] + names, GlobalSecondaryIndexes=[index("gsi", schema)]))


ENUM_KEY_TYPE = "Member must satisfy enum value set: [HASH, RANGE]"


@pytest.mark.parametrize("member, path", [
    ("GlobalSecondaryIndexes", "globalSecondaryIndexes"),
    ("LocalSecondaryIndexes", "localSecondaryIndexes"),
])
def test_index_key_type_is_an_enum_reported_first(ddb, member, path):
    """moto's test_create_table__specify_non_key_column, verified against AWS: an index's KeyType
    "SORT" is the enum constraint's, before its undefined attributes are looked at."""
    schema = [{"AttributeName": "pk" if member.startswith("Local") else "n/a", "KeyType": "HASH"},
              {"AttributeName": "sth", "KeyType": "SORT"}]
    expect_error(ddb.create_table, constraint("'SORT'", path + ".1.member.keySchema.2.member.keyType", ENUM_KEY_TYPE),
                 **table(attributes=("pk", "sk"), key_schema=key("pk", ["sk"]), **{member: [index("idx", schema)]}))


def test_index_create_key_type_is_an_enum(ddb):
    expect_error(ddb.update_table, constraint("'SORT'", "globalSecondaryIndexUpdates.1.member.create.keySchema.1.member."
                                              "keyType", ENUM_KEY_TYPE),
                 TableName=unique_name("missing"), AttributeDefinitions=defs("g"),
                 GlobalSecondaryIndexUpdates=[create_action(key_schema=[{"AttributeName": "g", "KeyType": "SORT"}])])


# ---------------------------------------------------------------------------------------------
# TableClass and DeletionProtectionEnabled
# ---------------------------------------------------------------------------------------------

def test_unknown_table_class(ddb, make_table):
    expect_error(ddb.create_table, TABLE_CLASS, **table(TableClass="FOO"))
    expect_error(ddb.create_table, TABLE_CLASS, **table(TableClass="standard"))
    name = make_table()
    expect_error(ddb.update_table, TABLE_CLASS, TableName=name, TableClass="junk")
    # a rule, not a constraint: it comes after the key rules
    expect_error(ddb.create_table, "Invalid KeySchema: Some index key attribute have no definition",
                 **table(attributes=(), TableClass="FOO"))


def test_deletion_protection_sent_as_a_string(endpoint, ddb):
    """The parser reads TRUE/FALSE/YES/NO/1/0 strings as Booleans; "false" used to make a table undeletable."""
    name = unique_name("dp")
    r = raw_request(endpoint, "CreateTable", dict(table(name), DeletionProtectionEnabled="false"))
    assert r.status == 200 and r.json()["TableDescription"]["DeletionProtectionEnabled"] is False
    assert ddb.delete_table(TableName=name)["TableDescription"]["TableStatus"] == "DELETING"

    name = unique_name("dp")
    r = raw_request(endpoint, "CreateTable", dict(table(name), DeletionProtectionEnabled="TRUE"))
    assert r.status == 200 and r.json()["TableDescription"]["DeletionProtectionEnabled"] is True
    raw_error(endpoint, "DeleteTable", {"TableName": name}, "Resource cannot be deleted as it is currently protected "
              "against deletion. Disable deletion protection first.")
    r = raw_request(endpoint, "UpdateTable", {"TableName": name, "DeletionProtectionEnabled": "no"})
    assert r.status == 200 and r.json()["TableDescription"]["DeletionProtectionEnabled"] is False
    assert ddb.delete_table(TableName=name)["TableDescription"]["TableStatus"] == "DELETING"

    raw_error(endpoint, "CreateTable", dict(table(), DeletionProtectionEnabled="maybe"),
              "'MAYBE' can not be converted to an Boolean", "com.amazon.coral.service#SerializationException")


# ---------------------------------------------------------------------------------------------
# Streams: DynamoDB's rules, then ddbd's refusal to enable one
# ---------------------------------------------------------------------------------------------

def test_stream_specification_shape(ddb):
    null_enabled = constraint("null", "streamSpecification.streamEnabled", "Member must not be null")
    expect_error(ddb.create_table, null_enabled, **table(StreamSpecification={}))
    expect_error(ddb.create_table, null_enabled, **table(StreamSpecification={"StreamViewType": "KEYS_ONLY"}))
    expect_error(ddb.create_table, constraint(
        "'new_image'", "streamSpecification.streamViewType",
        "Member must satisfy enum value set: [OLD_IMAGE, KEYS_ONLY, NEW_AND_OLD_IMAGES, NEW_IMAGE]"),
        **table(StreamSpecification={"StreamEnabled": True, "StreamViewType": "new_image"}))


def test_create_table_stream_rules(ddb):
    expect_error(ddb.create_table, INVALID + "Table is being created with a stream enabled, UpdateViewType is required",
                 **table(StreamSpecification={"StreamEnabled": True}))
    expect_error(ddb.create_table, INVALID + "Table is being created with a stream disabled, UpdateViewType should not "
                 "be specified", **table(StreamSpecification={"StreamEnabled": False, "StreamViewType": "KEYS_ONLY"}))


def test_stream_rules_come_before_the_table_is_made(endpoint, ddb, created):
    params = table(StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    # DynamoDB's own rules come first
    expect_error(ddb.create_table, TABLE_CLASS, **dict(params, TableClass="FOO"))
    expect_error(ddb.create_table, INVALID + "Some index key attributes are not defined in AttributeDefinitions. "
                 "Keys: [pk], AttributeDefinitions: [x]", **dict(params, AttributeDefinitions=defs("x")))
    # "yes" is true for the type pass: a stream
    name = unique_name("tv")
    created.append(name)
    r = raw_request(endpoint, "CreateTable", table(name, StreamSpecification={"StreamEnabled": "yes",
                                                                            "StreamViewType": "KEYS_ONLY"}))
    assert r.status == 200
    assert ddb.describe_table(TableName=name)["Table"]["StreamSpecification"] == {"StreamEnabled": True,
                                                                                  "StreamViewType": "KEYS_ONLY"}
    # a disabled stream is no stream: DescribeTable shows none (as DynamoDB Local 1.25 does)
    name = unique_name("tv")
    created.append(name)
    r = raw_request(endpoint, "CreateTable", table(name, StreamSpecification={"StreamEnabled": "false"}))
    assert r.status == 200
    assert "StreamSpecification" not in ddb.describe_table(TableName=name)["Table"]


def test_update_table_stream_rules(ddb, make_table):
    name = make_table()
    expect_error(ddb.update_table, INVALID + "If stream is being enabled then UpdateViewType is required",
                 TableName=name, StreamSpecification={"StreamEnabled": True})
    expect_error(ddb.update_table, INVALID + "If stream is being disabled, then UpdateViewType must not be specified",
                 TableName=name, StreamSpecification={"StreamEnabled": False, "StreamViewType": "KEYS_ONLY"})
    expect_error(ddb.update_table, TABLE_CLASS, TableName=name, TableClass="x",
                 StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})


# ---------------------------------------------------------------------------------------------
# UpdateTable: nothing to update, GlobalSecondaryIndexUpdates
# ---------------------------------------------------------------------------------------------

NOTHING = ("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, "
           "SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, "
           "DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required")


def test_update_table_with_nothing_to_update(endpoint, ddb, make_table):
    name = make_table()
    expect_error(ddb.update_table, NOTHING, TableName=name)
    expect_error(ddb.update_table, NOTHING, TableName=name, GlobalSecondaryIndexUpdates=[])
    # a MultiRegionConsistency sent is left out of the list
    raw_error(endpoint, "UpdateTable", {"TableName": name, "MultiRegionConsistency": "STRONG"},
              NOTHING.replace("MultiRegionConsistency, ", ""))
    # an empty list beside a change is refused
    raw_error(endpoint, "UpdateTable", {"TableName": name, "GlobalSecondaryIndexUpdates": [],
                                        "DeletionProtectionEnabled": True},
              INVALID + "List of GlobalSecondaryIndexUpdates is empty")


def create_action(name="gsi", key_schema=None, projection=None):
    return {"Create": {"IndexName": name, "KeySchema": key_schema or key("g"),
                       "Projection": projection or {"ProjectionType": "ALL"}}}


def test_index_updates_are_checked_before_the_table_is_looked_up(ddb):
    """A missing table: the request's own shape is reported, not ResourceNotFoundException."""
    missing = unique_name("missing")
    expect_error(ddb.update_table, INVALID + "Only one global secondary index action is allowed per "
                 "GlobalSecondaryIndexUpdate object", TableName=missing, GlobalSecondaryIndexUpdates=[
                     {"Update": {"IndexName": "gsi", "ProvisionedThroughput": {"ReadCapacityUnits": 1,
                                                                               "WriteCapacityUnits": 1}},
                      "Delete": {"IndexName": "gsi"}}])
    expect_error(ddb.update_table, INVALID + "AttributeDefinitions is not specified for index: gsi",
                 TableName=missing, GlobalSecondaryIndexUpdates=[create_action()])
    expect_error(ddb.update_table, INVALID + "Some index key attributes are not defined in AttributeDefinitions. "
                 "Keys: [g, pk], AttributeDefinitions: [g]", TableName=missing, AttributeDefinitions=defs("g"),
                 GlobalSecondaryIndexUpdates=[create_action(key_schema=key("g", ["pk"]))])


@pytest.mark.parametrize("action, message", [
    (create_action(key_schema=key("g", ["r"]) + key("h")),
     INVALID + "All HASH key attributes must precede RANGE key attributes in the KeySchema"),
    (create_action(key_schema=key(["g", "h", "r", "s", "t"])),
     INVALID + "The KeySchema exceeds the maximum allowed number of HASH key attributes"),
    (create_action(projection={"ProjectionType": "INCLUDE"}),
     INVALID + "ProjectionType is INCLUDE, but NonKeyAttributes is not specified"),
    (create_action(projection=include("x", "x")), INVALID + "Duplicate element in NonKeyAttributes: x"),
    (create_action(projection=include("")),
     constraint("'[]'", "globalSecondaryIndexUpdates.1.member.create.projection.nonKeyAttributes", NKA_LENGTH)),
])
def test_index_create_shapes(ddb, action, message):
    expect_error(ddb.update_table, message, TableName=unique_name("missing"),
                 AttributeDefinitions=defs("g", "h", "r", "s", "t"), GlobalSecondaryIndexUpdates=[action])


def test_index_create_key_schema_has_no_two_element_limit(ddb):
    """Three elements pass the constraints; the missing table is what is reported."""
    missing = unique_name("missing")
    expect_error(ddb.update_table, "Requested resource not found: Table: %s not found" % missing,
                 code="ResourceNotFoundException", TableName=missing, AttributeDefinitions=defs("g", "h", "r"),
                 GlobalSecondaryIndexUpdates=[create_action(key_schema=key(["g", "h"], ["r"]))])
