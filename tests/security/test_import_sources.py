"""Import and bulk-put sources (issue 51, finding 4; docs/security.md, "Import sources").

ImportTable and StartBulkPutItems read their bucket with the server's identity: a `tables=test_*` key
imported another table's export (ListExports and DescribeExport give the ids to anyone who may list)
into a table of its own and read its items. In AWS, s3:GetObject on the source decides; ddbd has no
S3 identity, so an export's place belongs to its table (reading it needs GetItem and Scan on that
table, decided like any read of it), and any other bucket or prefix needs the key's `buckets=` or
`rights=admin`. The same for StartBulkPutItems, and for buckets of `--s3-endpoint`.
"""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import DdbdServer, signed_call
from helpers import error_of, key_client, table_arn, wait_import

ACCOUNT = "000000000000"
KEYS = """AKIDADMIN adminsecret name=operator rights=admin
AKIDTEST testsecret name=tester tables=test_*
AKIDREADER readersecret name=reader tables=test_*,secret
AKIDBUCKET bucketsecret name=bucketeer tables=test_* buckets=other/mine/*,op?n
AKIDDENIED deniedsecret name=denied tables=test_*,secret
"""
S3RVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "s3", "node_modules", "s3rver", "bin",
                      "s3rver.js")
ITEM_LINE = '{"Item": {"pk": {"S": "%s"}}}\n'


def user(name):
    return "arn:aws:iam::%s:user/%s" % (ACCOUNT, name)


def no_identity(name, action, resource):
    return ("AccessDeniedException",
            "User: %s is not authorized to perform: %s on resource: %s because no identity-based policy allows the "
            "%s action" % (user(name), action, resource, action))


def no_bucket(name, place):
    return no_identity(name, "s3:GetObject", "arn:aws:s3:::%s*" % place)


def params(table):
    return {"TableName": table, "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}


def import_from(c, table, bucket, prefix, compression="NONE"):
    source = {"S3Bucket": bucket}
    if prefix is not None:
        source["S3KeyPrefix"] = prefix
    return c.import_table(S3BucketSource=source, InputFormat="DYNAMODB_JSON", InputCompressionType=compression,
                          TableCreationParameters=params(table))["ImportTableDescription"]


def bulk_put(srv, ak, sk, table, bucket, prefix):
    return signed_call(srv.endpoint, ak, sk, "StartBulkPutItems", {
        "TableName": table,
        "InputS3Configuration": {"S3Bucket": bucket, "S3KeyPrefix": prefix, "InputFormat": "DYNAMODB_JSON"},
        "OutputS3Configuration": {"S3Bucket": "other", "S3KeyPrefix": "reports/", "OutputType": ["ERROR"]}})


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("import_sources")
    (tmp / "keys").write_text(KEYS)
    exports = tmp / "exports"
    for place, key in (("other/mine", "a"), ("other/theirs", "b"), ("open", "c")):
        (exports / place).mkdir(parents=True)
        (exports / place / "items.json").write_text(ITEM_LINE % key)
    (exports / "shared").mkdir()
    s = DdbdServer(args=("--in-memory", "--auth", str(tmp / "keys"), "--export-dir", str(exports)))
    s.start()
    admin = key_client(s.endpoint, "AKIDADMIN", "adminsecret")
    admin.create_table(**params("secret"))
    admin.create_table(**params("test_bulk"))
    admin.create_table(**params("test_bulk2"))  # one bulk operation at a time per table
    admin.update_continuous_backups(TableName="secret",
                                    PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    admin.put_item(TableName="secret", Item={"pk": {"S": "classified"}})
    d = admin.export_table_to_point_in_time(TableArn=table_arn("secret"), S3Bucket="shared", S3Prefix="exp")
    export_arn = d["ExportDescription"]["ExportArn"]
    for _ in range(300):
        if admin.describe_export(ExportArn=export_arn)["ExportDescription"]["ExportStatus"] != "IN_PROGRESS":
            break
        time.sleep(0.1)
    assert admin.describe_export(ExportArn=export_arn)["ExportDescription"]["ExportStatus"] == "COMPLETED"
    s.data_prefix = "exp/AWSDynamoDB/%s/data/" % export_arn.rsplit("/", 1)[1]
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": {"AWS": user("denied")},
                                                    "Action": "dynamodb:Scan", "Resource": table_arn("secret")}]}
    status, out = signed_call(s.endpoint, "AKIDADMIN", "adminsecret", "PutResourcePolicy",
                              {"ResourceArn": table_arn("secret"), "Policy": json.dumps(deny)})
    assert status == 200, out
    yield s
    s.stop()


def test_a_scoped_key_cannot_import_another_table_s_export(srv):
    """The finding: tester (tables=test_*) imported secret's export into test_stolen and read it (f2c80dc)."""
    tester = key_client(srv.endpoint, "AKIDTEST", "testsecret")
    refused = no_identity("tester", "dynamodb:GetItem", table_arn("secret"))
    assert error_of(lambda: import_from(tester, "test_stolen", "shared", srv.data_prefix, "GZIP")) == refused
    # reading more than the export (its prefix, the bucket's top) reads it too
    assert error_of(lambda: import_from(tester, "test_stolen", "shared", "exp")) == refused
    assert error_of(lambda: import_from(tester, "test_stolen", "shared", None)) == refused
    with pytest.raises(ClientError):
        tester.describe_table(TableName="test_stolen")


def test_a_key_that_may_read_the_table_imports_its_export(srv):
    reader = key_client(srv.endpoint, "AKIDREADER", "readersecret")
    d = import_from(reader, "test_copy", "shared", srv.data_prefix, "GZIP")
    assert wait_import(reader, d["ImportArn"])["ImportStatus"] == "COMPLETED"
    assert reader.scan(TableName="test_copy")["Items"] == [{"pk": {"S": "classified"}}]


def test_the_table_s_policy_decides_the_read_of_its_export(srv):
    """A Deny of Scan on secret for `denied` refuses its import of secret's export, as its Scan."""
    denied = key_client(srv.endpoint, "AKIDDENIED", "deniedsecret")
    assert error_of(lambda: import_from(denied, "test_denied", "shared", srv.data_prefix, "GZIP")) == (
        "AccessDeniedException",
        "User: %s is not authorized to perform: dynamodb:Scan on resource: %s with an explicit deny in a "
        "resource-based policy" % (user("denied"), table_arn("secret")))


def test_another_bucket_needs_a_buckets_right(srv):
    tester = key_client(srv.endpoint, "AKIDTEST", "testsecret")
    assert error_of(lambda: import_from(tester, "test_mine", "other", "mine/")) == \
        no_bucket("tester", "other/mine/")
    bucketeer = key_client(srv.endpoint, "AKIDBUCKET", "bucketsecret")
    d = import_from(bucketeer, "test_mine", "other", "mine/")
    assert wait_import(bucketeer, d["ImportArn"])["ImportStatus"] == "COMPLETED"
    assert bucketeer.scan(TableName="test_mine")["Items"] == [{"pk": {"S": "a"}}]
    # buckets=other/mine/* is that place only: not the bucket's top, not a sibling
    assert error_of(lambda: import_from(bucketeer, "test_theirs", "other", "theirs/")) == \
        no_bucket("bucketeer", "other/theirs/")
    assert error_of(lambda: import_from(bucketeer, "test_theirs", "other", None)) == \
        no_bucket("bucketeer", "other/")
    # a pattern without '/' is a whole bucket: op?n matches "open" (no character classes: '?' one character)
    d = import_from(bucketeer, "test_open", "open", None)
    assert wait_import(bucketeer, d["ImportArn"])["ImportStatus"] == "COMPLETED"
    # buckets= does not reach an export's place: that is its table's
    assert error_of(lambda: import_from(bucketeer, "test_stolen2", "shared", srv.data_prefix, "GZIP")) == \
        no_identity("bucketeer", "dynamodb:GetItem", table_arn("secret"))


def test_an_admin_key_reads_any_bucket(srv):
    admin = key_client(srv.endpoint, "AKIDADMIN", "adminsecret")
    d = import_from(admin, "admin_theirs", "other", "theirs/")
    assert wait_import(admin, d["ImportArn"])["ImportStatus"] == "COMPLETED"


def test_bulk_put_reads_by_the_same_rule(srv):
    status, out = bulk_put(srv, "AKIDTEST", "testsecret", "test_bulk", "shared", srv.data_prefix)
    assert (status, out["__type"].split("#")[-1], out["message"]) == \
        (400,) + no_identity("tester", "dynamodb:GetItem", table_arn("secret"))
    status, out = bulk_put(srv, "AKIDTEST", "testsecret", "test_bulk", "other", "theirs/")
    assert (status, out["__type"].split("#")[-1], out["message"]) == (400,) + no_bucket("tester", "other/theirs/")
    status, out = bulk_put(srv, "AKIDBUCKET", "bucketsecret", "test_bulk", "other", "mine/")
    assert status == 200, out
    status, out = bulk_put(srv, "AKIDREADER", "readersecret", "test_bulk2", "shared", srv.data_prefix)
    assert status == 200, out


# ---- the same rule for a bucket of --s3-endpoint ----

@pytest.fixture(scope="module")
def s3rver():
    """s3rver from npm (tests/s3), as tests/compat/test_export_import.py starts it."""
    if shutil.which("node") is None or not os.path.exists(S3RVER):
        pytest.skip("s3rver not installed (deploy/ddbd.sh deps-test)")
    data = tempfile.mkdtemp(prefix="s3rver-")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(["node", "--openssl-legacy-provider", S3RVER, "-d", data, "-a", "127.0.0.1", "-p",
                             str(port), "-s", "--no-vhost-buckets", "--configure-bucket", "remote"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = "http://127.0.0.1:%d" % port
    s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="S3RVER",
                      aws_secret_access_key="S3RVER", config=Config(s3={"addressing_style": "path"}))
    for _ in range(100):
        try:
            s3.list_objects_v2(Bucket="remote")
            break
        except Exception:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("s3rver did not start")
    yield url, s3
    proc.terminate()
    proc.wait(10)
    shutil.rmtree(data, ignore_errors=True)


def test_a_bucket_of_the_s3_endpoint_is_decided_alike(tmp_path, s3rver):
    url, s3 = s3rver
    (tmp_path / "keys").write_text("AKIDADMIN adminsecret rights=admin\n"
                                   "AKIDTEST testsecret name=tester tables=test_*\n"
                                   "AKIDBUCKET bucketsecret name=bucketeer tables=test_* buckets=remote/mine/*\n")
    for key, pk in (("mine/items.json", "a"), ("theirs/items.json", "b")):
        s3.put_object(Bucket="remote", Key=key, Body=(ITEM_LINE % pk).encode())
    srv = DdbdServer(args=("--in-memory", "--auth", str(tmp_path / "keys"), "--s3-endpoint", url,
                           "--s3-access-key", "S3RVER", "--s3-secret-key", "S3RVER"))
    srv.start()
    try:
        admin = key_client(srv.endpoint, "AKIDADMIN", "adminsecret")
        admin.create_table(**params("secret"))
        admin.update_continuous_backups(TableName="secret",
                                        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
        export_arn = admin.export_table_to_point_in_time(TableArn=table_arn("secret"), S3Bucket="remote",
                                                         S3Prefix="exp")["ExportDescription"]["ExportArn"]
        tester = key_client(srv.endpoint, "AKIDTEST", "testsecret")
        data = "exp/AWSDynamoDB/%s/data/" % export_arn.rsplit("/", 1)[1]
        assert error_of(lambda: import_from(tester, "test_stolen", "remote", data, "GZIP")) == \
            no_identity("tester", "dynamodb:GetItem", table_arn("secret"))
        assert error_of(lambda: import_from(tester, "test_mine", "remote", "mine/")) == \
            no_bucket("tester", "remote/mine/")
        bucketeer = key_client(srv.endpoint, "AKIDBUCKET", "bucketsecret")
        d = import_from(bucketeer, "test_mine", "remote", "mine/")
        assert wait_import(bucketeer, d["ImportArn"])["ImportStatus"] == "COMPLETED"
        assert bucketeer.scan(TableName="test_mine")["Items"] == [{"pk": {"S": "a"}}]
        assert error_of(lambda: import_from(bucketeer, "test_theirs", "remote", "theirs/")) == \
            no_bucket("bucketeer", "remote/theirs/")
    finally:
        srv.stop()
