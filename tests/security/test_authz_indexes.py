"""A Deny on an index (issue 51, finding 1; docs/security.md, "Indexes").

IAM authorizes a request that reads an index (Query and Scan with IndexName, PartiQL's
`SELECT ... FROM "T"."I"`) against the index's ARN, `arn:aws:dynamodb:R:A:table/T/index/I`, and
against it alone. A table's resource-based policy denying Query, Scan or PartiQLSelect on
`table/T/index/*` or `table/T/index/gsi1` was ignored: every request was decided on `table/T`.
The reverse follows IAM too: a Deny whose Resource is `table/T` alone does not reach its indexes.
"""
import json

import pytest

from conftest import DdbdServer, signed_call
from helpers import error_of, key_client, table_arn

ACCOUNT = "000000000000"
KEYS = """AKIDADMIN adminsecret
AKIDTEST testsecret name=tester tables=test_*
"""
TESTER = "arn:aws:iam::%s:user/tester" % ACCOUNT


def explicit_deny(action, resource):
    return ("AccessDeniedException",
            "User: %s is not authorized to perform: dynamodb:%s on resource: %s with an explicit deny in a "
            "resource-based policy" % (TESTER, action, resource))


def deny(actions, resources):
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": {"AWS": TESTER}, "Action": actions, "Resource": resources}]}


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("authz_indexes")
    (tmp / "keys").write_text(KEYS)
    s = DdbdServer(args=("--in-memory", "--auth", str(tmp / "keys")))
    s.start()
    admin = key_client(s.endpoint, "AKIDADMIN", "adminsecret")
    policies = {
        "test_any_index": deny(["dynamodb:Query", "dynamodb:Scan", "dynamodb:PartiQLSelect"],
                               table_arn("test_any_index") + "/index/*"),
        "test_gsi1": deny("dynamodb:*", table_arn("test_gsi1", "gsi1")),
        "test_table_only": deny("dynamodb:*", table_arn("test_table_only")),
    }
    for table, policy in policies.items():
        admin.create_table(
            TableName=table, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "g", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            GlobalSecondaryIndexes=[{"IndexName": name, "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                     "Projection": {"ProjectionType": "ALL"}} for name in ("gsi1", "gsi2")])
        admin.put_item(TableName=table, Item={"pk": {"S": "k"}, "g": {"S": "v"}})
        status, out = signed_call(s.endpoint, "AKIDADMIN", "adminsecret", "PutResourcePolicy",
                                  {"ResourceArn": table_arn(table), "Policy": json.dumps(policy)})
        assert status == 200, out
    status, out = signed_call(s.endpoint, "AKIDADMIN", "adminsecret", "CreateTable", {
        "TableName": "test_vec", "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "VectorIndexes": [{"IndexName": name, "VectorAttribute": {"AttributeName": "v"}, "Dimensions": 2,
                           "DistanceFunction": "EUCLIDEAN", "Projection": {"ProjectionType": "KEYS_ONLY"}}
                          for name in ("vix", "vix2")]})
    assert status == 200, out
    status, out = signed_call(s.endpoint, "AKIDADMIN", "adminsecret", "PutResourcePolicy", {
        "ResourceArn": table_arn("test_vec"),
        "Policy": json.dumps(deny("dynamodb:SearchVectors", [table_arn("test_vec"), table_arn("test_vec", "vix")]))})
    assert status == 200, out
    yield s
    s.stop()


@pytest.fixture
def tester(srv):
    return key_client(srv.endpoint, "AKIDTEST", "testsecret")


def query(c, table, index=None):
    kw = {"IndexName": index, "KeyConditionExpression": "g = :v"} if index else {"KeyConditionExpression": "pk = :v"}
    return lambda: c.query(TableName=table, ExpressionAttributeValues={":v": {"S": "v" if index else "k"}}, **kw)


@pytest.mark.parametrize("table_by", ["name", "arn"])
def test_a_deny_on_every_index_holds_for_query_scan_and_partiql(tester, table_by):
    t = "test_any_index" if table_by == "name" else table_arn("test_any_index")
    for index in ("gsi1", "gsi2"):
        assert error_of(query(tester, t, index)) == explicit_deny("Query", table_arn("test_any_index", index))
        assert error_of(lambda: tester.scan(TableName=t, IndexName=index)) == \
            explicit_deny("Scan", table_arn("test_any_index", index))
    assert error_of(lambda: tester.execute_statement(Statement='SELECT * FROM "test_any_index"."gsi1"')) == \
        explicit_deny("PartiQLSelect", table_arn("test_any_index", "gsi1"))
    # the table itself is not an index: served
    assert query(tester, t)()["Count"] == 1
    assert tester.scan(TableName=t)["Count"] == 1
    assert len(tester.execute_statement(Statement='SELECT * FROM "test_any_index"')["Items"]) == 1


def test_a_deny_on_one_index_holds_for_it_alone(tester):
    assert error_of(query(tester, "test_gsi1", "gsi1")) == explicit_deny("Query", table_arn("test_gsi1", "gsi1"))
    assert error_of(lambda: tester.scan(TableName="test_gsi1", IndexName="gsi1")) == \
        explicit_deny("Scan", table_arn("test_gsi1", "gsi1"))
    assert error_of(lambda: tester.execute_statement(Statement='SELECT * FROM "test_gsi1"."gsi1"')) == \
        explicit_deny("PartiQLSelect", table_arn("test_gsi1", "gsi1"))
    assert query(tester, "test_gsi1", "gsi2")()["Count"] == 1
    assert tester.scan(TableName="test_gsi1", IndexName="gsi2")["Count"] == 1
    assert tester.get_item(TableName="test_gsi1", Key={"pk": {"S": "k"}})["Item"]["g"] == {"S": "v"}


def test_a_deny_on_the_table_alone_does_not_reach_its_indexes_as_in_iam(tester):
    """IAM matches a Resource of table/T against table/T/index/I as two ARNs: the Deny is the
    table's. A policy meant for both names both (table/T and table/T/index/*)."""
    assert error_of(query(tester, "test_table_only")) == explicit_deny("Query", table_arn("test_table_only"))
    assert error_of(lambda: tester.scan(TableName="test_table_only")) == \
        explicit_deny("Scan", table_arn("test_table_only"))
    assert query(tester, "test_table_only", "gsi1")()["Count"] == 1
    assert tester.scan(TableName="test_table_only", IndexName="gsi1")["Count"] == 1


def test_search_vectors_is_decided_on_the_vector_index_s_arn(srv):
    """IAM requires dynamodb:SearchVectors "on the index resource", table/T/index/I (the developer
    guide, vector search's "Security and access control"): a Deny on the index refuses it, one on
    the table alone does not reach another index (fa3d3ff decided it on the table)."""
    search = {"TableName": "test_vec", "TopK": 1, "SearchVector": [{"N": "1"}, {"N": "2"}]}
    status, out = signed_call(srv.endpoint, "AKIDTEST", "testsecret", "SearchVectors", dict(search, IndexName="vix"))
    assert (status, out["__type"].split("#")[-1], out["message"]) == \
        (400,) + explicit_deny("SearchVectors", table_arn("test_vec", "vix")), out
    status, out = signed_call(srv.endpoint, "AKIDTEST", "testsecret", "SearchVectors", dict(search, IndexName="vix2"))
    assert status == 200, out
