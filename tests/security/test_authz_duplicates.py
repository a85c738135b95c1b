"""A resource member sent twice is decided each time.

The JSON reader keeps a member given twice, and the handlers read the last one (ddb_json_get), but
the walk over resources.def's members decided only the first: {"TableName": "test_ok", "TableName":
"secret"} was decided on test_ok and served from secret, so a tables=test_* key read any table
(f2c80dc and fa3d3ff). Every occurrence is now decided (server/api/resources.c).
"""

import pytest

from conftest import DdbdServer, signed_call

KEYS = """AKIDADMIN adminsecret rights=admin
AKIDTEST testsecret name=tester tables=test_* buckets=allowed
"""
SECRET_ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/secret"


def refused(action, resource):
    return (400, "AccessDeniedException",
            "User: arn:aws:iam::000000000000:user/tester is not authorized to perform: %s on resource: %s because "
            "no identity-based policy allows the %s action" % (action, resource, action))


def outcome(status, out):
    return status, out.get("__type", "").split("#")[-1], out.get("message")


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("authz_duplicates")
    (tmp / "keys").write_text(KEYS)
    (tmp / "exports" / "hidden").mkdir(parents=True)
    (tmp / "exports" / "hidden" / "items.json").write_text('{"Item": {"pk": {"S": "h"}}}\n')
    s = DdbdServer(args=("--in-memory", "--auth", str(tmp / "keys"), "--export-dir", str(tmp / "exports")))
    s.start()
    for table in ("test_ok", "secret"):
        status, out = signed_call(s.endpoint, "AKIDADMIN", "adminsecret", "CreateTable", {
            "TableName": table, "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
        assert status == 200, out
    signed_call(s.endpoint, "AKIDADMIN", "adminsecret", "PutItem",
                {"TableName": "secret", "Item": {"pk": {"S": "k"}, "v": {"S": "classified"}}})
    yield s
    s.stop()


@pytest.mark.parametrize("first, last", [("test_ok", "secret"), ("secret", "test_ok")])
def test_a_table_name_sent_twice(srv, first, last):
    body = '{"TableName": "%s", "TableName": "%s", "Key": {"pk": {"S": "k"}}}' % (first, last)
    assert outcome(*signed_call(srv.endpoint, "AKIDTEST", "testsecret", "GetItem", body)) == \
        refused("dynamodb:GetItem", SECRET_ARN)


def test_a_bucket_source_sent_twice(srv):
    body = ('{"S3BucketSource": {"S3Bucket": "allowed"}, "S3BucketSource": {"S3Bucket": "hidden"},'
            ' "InputFormat": "DYNAMODB_JSON", "TableCreationParameters": {"TableName": "test_in",'
            ' "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],'
            ' "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}}')
    assert outcome(*signed_call(srv.endpoint, "AKIDTEST", "testsecret", "ImportTable", body)) == \
        refused("s3:GetObject", "arn:aws:s3:::hidden/*")
