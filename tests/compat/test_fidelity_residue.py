"""Leftovers of the fidelity sweep, each against DynamoDB's recorded answer (docs/compatibility.md
names the sources):

- UpdateTable on an on-demand table: a GSI Update may only change OnDemandThroughput or
  WarmThroughput ("The only Updates for index: ... can be to OnDemandThroughput, WarmThroughput"),
  and an empty WarmThroughput in it is refused before the table is looked up;
- a table ARN of another account in a transaction's TableName is AccessDeniedException, naming
  the IAM action each transaction action is authorized by; an own-account ARN works; every
  item operation that takes an ARN answers alike;
- legacy KeyConditions on a GSI with a multi-attribute key: as many conditions as the key has
  attributes, under the KeyConditionExpression rules and texts.

botocore 1.29 has no OnDemandThroughput or WarmThroughput: those requests are raw signed HTTP.
"""
import pytest
from botocore.exceptions import ClientError

from conftest import S, assert_client_error, raw_request, unique_name
from helpers import table_arn

INVALID = "One or more parameter values were invalid: "
OTHER_ACCOUNT = "111111111111"
OWN_ACCOUNT = "000000000000"


def denied(action, resource):
    return ("User: arn:aws:iam::%s:root is not authorized to perform: dynamodb:%s on resource: %s because no "
            "resource-based policy allows the dynamodb:%s action" % (OWN_ACCOUNT, action, resource, action))


def raw_error(endpoint, op, body, code, message, status=400):
    resp = raw_request(endpoint, op, body)
    assert resp.status == status, resp.body
    out = resp.json()
    assert out["__type"].split("#")[-1] == code, out
    assert out["message"] == message


def indexed_table(ddb, prefix, gsis, items):
    """An on-demand table keyed on pk with these GSIs ({name: (hash attributes, range attributes)},
    every attribute S) and items."""
    name = unique_name(prefix)
    attrs = ["pk"] + sorted({a for keys in gsis.values() for part in keys for a in part})
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in attrs],
        GlobalSecondaryIndexes=[
            {"IndexName": ix, "Projection": {"ProjectionType": "ALL"},
             "KeySchema": [{"AttributeName": a, "KeyType": "HASH"} for a in hashes] +
                          [{"AttributeName": a, "KeyType": "RANGE"} for a in ranges]}
            for ix, (hashes, ranges) in gsis.items()])
    for item in items:
        ddb.put_item(TableName=name, Item={k: S(v) for k, v in item.items()})
    return name


@pytest.fixture(scope="module")
def gsi_table(ddb):
    """An on-demand table with one GSI, gsi1 on g."""
    name = indexed_table(ddb, "resid", {"gsi1": (["g"], [])}, [{"pk": "a", "g": "x"}])
    yield name
    ddb.delete_table(TableName=name)


# ---- 1. a GSI Update on an on-demand table ----

ONLY_UPDATES = (INVALID + "The only Updates for index: gsi1 when TableThroughputMode is PAY_PER_REQUEST can be to "
                "OnDemandThroughput, WarmThroughput")


@pytest.mark.parametrize("update", [
    {"ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}},
    {},
    {"OnDemandThroughput": {}},
    {"ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
     "OnDemandThroughput": {"MaxReadRequestUnits": 10}},
])
def test_on_demand_gsi_update_changes_only_its_throughput_settings(endpoint, gsi_table, update):
    body = {"TableName": gsi_table, "GlobalSecondaryIndexUpdates": [{"Update": dict(IndexName="gsi1", **update)}]}
    raw_error(endpoint, "UpdateTable", body, "ValidationException", ONLY_UPDATES)
    table = raw_request(endpoint, "DescribeTable", {"TableName": gsi_table}).json()["Table"]
    gsi = table["GlobalSecondaryIndexes"][0]
    assert table["TableStatus"] == "ACTIVE" and gsi["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    assert "OnDemandThroughput" not in gsi


def test_on_demand_gsi_update_of_an_unknown_index_is_not_found_first(endpoint, gsi_table):
    body = {"TableName": gsi_table, "GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "ghost"}}]}
    raw_error(endpoint, "UpdateTable", body, "ResourceNotFoundException",
              "Requested resource not found: Index ghost for table %s" % gsi_table)


@pytest.mark.parametrize("table", ["real", "missing"])
def test_gsi_update_with_empty_warm_throughput(endpoint, gsi_table, table):
    body = {"TableName": gsi_table if table == "real" else unique_name("nope"),
            "GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "ghost", "WarmThroughput": {}}}]}
    raw_error(endpoint, "UpdateTable", body, "ValidationException",
              INVALID + "WarmThroughput must have at least one of ReadUnitsPerSecond or WriteUnitsPerSecond "
              "specified for index: ghost")


def test_on_demand_gsi_update_of_its_maximums_still_works(endpoint, gsi_table):
    body = {"TableName": gsi_table, "GlobalSecondaryIndexUpdates": [
        {"Update": {"IndexName": "gsi1", "OnDemandThroughput": {"MaxReadRequestUnits": 40}}}]}
    assert raw_request(endpoint, "UpdateTable", body).status == 200
    table = raw_request(endpoint, "DescribeTable", {"TableName": gsi_table}).json()["Table"]
    assert table["GlobalSecondaryIndexes"][0]["OnDemandThroughput"] == {"MaxReadRequestUnits": 40}


# ---- 3. table ARNs of another account ----

def transact_write(name, action):
    bodies = {
        "Put": {"TableName": name, "Item": {"pk": S("t1")}},
        "Update": {"TableName": name, "Key": {"pk": S("t1")}, "UpdateExpression": "SET v = :v",
                   "ExpressionAttributeValues": {":v": S("1")}},
        "Delete": {"TableName": name, "Key": {"pk": S("t2")}},
        "ConditionCheck": {"TableName": name, "Key": {"pk": S("a")}, "ConditionExpression": "attribute_exists(pk)"},
    }
    return {"TransactItems": [{action: bodies[action]}]}


@pytest.mark.parametrize("action, iam", [("Put", "PutItem"), ("Update", "UpdateItem"), ("Delete", "DeleteItem"),
                                         ("ConditionCheck", "ConditionCheckItem")])
def test_transact_write_with_another_accounts_arn(ddb, gsi_table, action, iam):
    foreign = table_arn(gsi_table, account=OTHER_ACCOUNT)
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(**transact_write(foreign, action))
    assert_client_error(e, "AccessDeniedException", denied(iam, foreign))
    ddb.transact_write_items(**transact_write(table_arn(gsi_table), action))


def test_transact_write_refuses_the_foreign_arn_among_others(ddb, gsi_table):
    foreign = table_arn(gsi_table, account=OTHER_ACCOUNT)
    items = transact_write(table_arn(gsi_table), "Put")["TransactItems"] + transact_write(foreign, "Delete")["TransactItems"]
    with pytest.raises(ClientError) as e:
        ddb.transact_write_items(TransactItems=[dict(items[0], Put=dict(items[0]["Put"], Item={"pk": S("t9")})),
                                                items[1]])
    assert_client_error(e, "AccessDeniedException", denied("DeleteItem", foreign))
    assert "Item" not in ddb.get_item(TableName=gsi_table, Key={"pk": S("t9")})


def test_transact_get_with_another_accounts_arn(ddb, gsi_table):
    foreign = table_arn(gsi_table, account=OTHER_ACCOUNT)
    with pytest.raises(ClientError) as e:
        ddb.transact_get_items(TransactItems=[{"Get": {"TableName": foreign, "Key": {"pk": S("a")}}}])
    assert_client_error(e, "AccessDeniedException", denied("GetItem", foreign))
    got = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": table_arn(gsi_table), "Key": {"pk": S("a")}}}])
    assert got["Responses"] == [{"Item": {"pk": S("a"), "g": S("x")}}]


def test_transact_table_name_is_a_name_or_an_arn(ddb):
    # the TableArn shape (1-1024 characters): an empty name is one message, no longer the name's three
    with pytest.raises(ClientError) as e:
        ddb.transact_get_items(TransactItems=[{"Get": {"TableName": "", "Key": {"pk": S("a")}}}])
    assert_client_error(e, "ValidationException",
                        "1 validation error detected: Value '' at 'transactItems.1.member.get.tableName' failed to "
                        "satisfy constraint: Member must have length greater than or equal to 1")


# every item operation that takes a TableName, with parameters that leave gsi_table as it was
ITEM_OPERATIONS = [
    ("get_item", {"Key": {"pk": S("a")}}),
    ("put_item", {"Item": {"pk": S("a"), "g": S("x")}}),
    ("update_item", {"Key": {"pk": S("a")}}),
    ("delete_item", {"Key": {"pk": S("zz")}}),
    ("query", {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": S("a")}}),
    ("scan", {}),
]


@pytest.mark.parametrize("op, params", ITEM_OPERATIONS)
def test_item_operations_with_another_accounts_arn(ddb, gsi_table, op, params):
    action = "".join(w.capitalize() for w in op.split("_"))
    foreign = table_arn(gsi_table, account=OTHER_ACCOUNT)
    with pytest.raises(ClientError) as e:
        getattr(ddb, op)(TableName=foreign, **params)
    assert_client_error(e, "AccessDeniedException", denied(action, foreign))


@pytest.mark.parametrize("op, request_items", [
    ("batch_get_item", {"Keys": [{"pk": S("a")}]}),
    ("batch_write_item", [{"DeleteRequest": {"Key": {"pk": S("zz")}}}]),
])
def test_batch_operations_with_another_accounts_arn(ddb, gsi_table, op, request_items):
    action = "".join(w.capitalize() for w in op.split("_"))
    foreign = table_arn(gsi_table, account=OTHER_ACCOUNT)
    with pytest.raises(ClientError) as e:
        getattr(ddb, op)(RequestItems={foreign: request_items})
    assert_client_error(e, "AccessDeniedException", denied(action, foreign))


# ---- 4. a table named by its ARN is answered under the ARN as sent ----
# (ExtendDB's tests/test_table_arn_as_name.py, run against DynamoDB: Responses and
# ConsumedCapacity.TableName echo the ARN; a name and its ARN in one BatchGetItem are one entry)

def test_batch_get_answers_under_the_arn_as_sent(ddb, gsi_table):
    got = ddb.batch_get_item(RequestItems={table_arn(gsi_table): {"Keys": [{"pk": S("a")}]}},
                             ReturnConsumedCapacity="TOTAL")
    assert got["Responses"] == {table_arn(gsi_table): [{"pk": S("a"), "g": S("x")}]}
    assert got["ConsumedCapacity"] == [{"TableName": table_arn(gsi_table), "CapacityUnits": 0.5}]
    assert got["UnprocessedKeys"] == {}


def test_batch_get_answers_each_table_as_the_request_named_it(ddb, gsi_table, make_table):
    other = make_table(("pk", "S"))
    ddb.put_item(TableName=other, Item={"pk": S("o")})
    got = ddb.batch_get_item(RequestItems={table_arn(gsi_table): {"Keys": [{"pk": S("a")}]},
                                           other: {"Keys": [{"pk": S("o")}]}}, ReturnConsumedCapacity="INDEXES")
    assert got["Responses"] == {table_arn(gsi_table): [{"pk": S("a"), "g": S("x")}], other: [{"pk": S("o")}]}
    assert sorted(c["TableName"] for c in got["ConsumedCapacity"]) == sorted([table_arn(gsi_table), other])


def test_batch_get_of_a_name_and_its_arn_is_one_entry(endpoint, gsi_table):
    body = {"RequestItems": {table_arn(gsi_table): {"Keys": [{"pk": S("a")}]}, gsi_table: {"Keys": [{"pk": S("a")}]}}}
    resp = raw_request(endpoint, "BatchGetItem", body)
    assert resp.status == 200, resp.body
    assert resp.body.count(b'"Responses":{"') == 1 and resp.body.count(b'"pk":{"S":"a"}') == 1, resp.body
    assert resp.json()["Responses"] == {gsi_table: [{"pk": S("a"), "g": S("x")}]}


def test_batch_write_answers_under_the_arn_as_sent(ddb, gsi_table):
    got = ddb.batch_write_item(RequestItems={table_arn(gsi_table): [{"PutRequest": {"Item": {"pk": S("bw")}}}]},
                               ReturnConsumedCapacity="TOTAL")
    assert got["UnprocessedItems"] == {}
    assert got["ConsumedCapacity"] == [{"TableName": table_arn(gsi_table), "CapacityUnits": 1.0}]
    ddb.delete_item(TableName=gsi_table, Key={"pk": S("bw")})


def test_batch_write_item_collection_metrics_under_the_arn_as_sent(ddb):
    name = unique_name("residlsi")
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "l")],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                     LocalSecondaryIndexes=[{"IndexName": "lsi1", "Projection": {"ProjectionType": "ALL"},
                                             "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                           {"AttributeName": "l", "KeyType": "RANGE"}]}])
    got = ddb.batch_write_item(RequestItems={table_arn(name): [{"PutRequest": {"Item": {"pk": S("a"), "sk": S("1"),
                                                                                  "l": S("x")}}}]},
                               ReturnItemCollectionMetrics="SIZE")
    assert got["ItemCollectionMetrics"] == {table_arn(name): [{"ItemCollectionKey": {"pk": S("a")},
                                                         "SizeEstimateRangeGB": [0.0, 1.0]}]}
    ddb.delete_table(TableName=name)


@pytest.mark.parametrize("op, params", ITEM_OPERATIONS)
def test_item_operations_name_the_table_as_sent_in_consumed_capacity(ddb, gsi_table, op, params):
    got = getattr(ddb, op)(TableName=table_arn(gsi_table), ReturnConsumedCapacity="TOTAL", **params)
    assert got["ConsumedCapacity"]["TableName"] == table_arn(gsi_table)
    got = getattr(ddb, op)(TableName=gsi_table, ReturnConsumedCapacity="TOTAL", **params)
    assert got["ConsumedCapacity"]["TableName"] == gsi_table


# ---- 5. legacy KeyConditions on a multi-attribute GSI ----

def eq(v):
    return {"ComparisonOperator": "EQ", "AttributeValueList": [S(v)]}


@pytest.fixture(scope="module")
def multi(ddb):
    """A table with a GSI on (a, b) x (x, y) and one on g (one attribute), and two items."""
    name = indexed_table(ddb, "resmk", {"multi": (["a", "b"], ["x", "y"]), "single": (["g"], [])},
                         [{"pk": pk, "a": "a1", "b": "b1", "x": "x1", "y": y, "g": "g1"}
                          for pk, y in (("p1", "y1"), ("p2", "y2"))])
    yield name
    ddb.delete_table(TableName=name)


@pytest.mark.parametrize("conds, pks", [
    ({"a": eq("a1"), "b": eq("b1")}, ["p1", "p2"]),
    ({"a": eq("a1"), "b": eq("b1"), "x": eq("x1")}, ["p1", "p2"]),
    ({"a": eq("a1"), "b": eq("b1"), "x": eq("x1"), "y": eq("y2")}, ["p2"]),
    ({"a": eq("a1"), "b": eq("b1"), "x": eq("x1"),
      "y": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [S("y")]}}, ["p1", "p2"]),
])
def test_legacy_key_conditions_on_every_key_attribute(ddb, multi, conds, pks):
    got = ddb.query(TableName=multi, IndexName="multi", KeyConditions=conds)["Items"]
    assert sorted(it["pk"]["S"] for it in got) == pks


@pytest.mark.parametrize("conds, message", [
    # as KeyConditionExpression "a = :a AND b = :b AND y = :y" is answered (test_gsi_multi_attribute.py)
    ({"a": eq("a1"), "b": eq("b1"), "y": eq("y1")},
     "RANGE key attributes x must have equality conditions specified in the query because a condition is present "
     "on key attribute y"),
    ({"a": eq("a1"), "b": eq("b1"), "x": {"ComparisonOperator": "GT", "AttributeValueList": [S("x")]},
      "y": eq("y1")},
     "RANGE key attributes x must have equality conditions specified in the query because a condition is present "
     "on key attribute y"),
    ({"a": eq("a1"), "b": eq("b1"), "x": eq("x1"), "y": eq("y1"), "g": eq("g1")},
     "The number of query conditions (5) exceeds the number of key attributes defined in the schema (4)"),
    ({"a": eq("a1"), "b": eq("b1"), "x": eq("x1"), "g": eq("g1")}, "Query key condition not supported"),
])
def test_legacy_key_conditions_follow_the_expression_rules(ddb, multi, conds, message):
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=multi, IndexName="multi", KeyConditions=conds)
    assert_client_error(e, "ValidationException", message)


def test_legacy_key_conditions_on_a_one_attribute_index_stay_one_or_two(ddb, multi):
    with pytest.raises(ClientError) as e:
        ddb.query(TableName=multi, IndexName="single", KeyConditions={"g": eq("g1"), "a": eq("a1"), "b": eq("b1")})
    assert_client_error(e, "ValidationException", "Conditions can be of length 1 or 2 only")


def test_legacy_key_conditions_on_a_table_stay_one_or_two(ddb, multi):
    # refused before the table is looked up: a missing table says the same
    for table in (multi, unique_name("nope")):
        with pytest.raises(ClientError) as e:
            ddb.query(TableName=table, KeyConditions={"pk": eq("p1"), "a": eq("a1"), "b": eq("b1")})
        assert_client_error(e, "ValidationException", "Conditions can be of length 1 or 2 only")
