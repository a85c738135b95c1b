"""--auth's decisions on every resource a request names (issue 40, findings 1 to 4).

A key limited to some tables (tables=PATTERN) or denied by a table's resource-based policy must be
refused on every path that reaches another table's items: restores, exports, imports, backups,
exports described by a forged ARN, tables named by ARN, PartiQL, another region's signature, and a
shard iterator issued to another key. Each case here walked around the limit before the decision
was taken from the list of resource-bearing members (server/api/resources.def).
"""
import json
import time

import pytest
from botocore.exceptions import ClientError

from helpers import error_of, key_client, signed_call, table_arn, wait_export

ACCOUNT = "000000000000"
KEYS = """AKIDADMIN adminsecret
AKIDTEST testsecret name=tester tables=test_*
AKIDREAD readsecret name=reader allow=read tables=test_*
AKIDA asecret name=a-app tables=a*
AKIDEAST eastsecret name=east-app tables=*east*
AKIDRESTORE restoresecret name=restorer allow=RestoreTableToPointInTime tables=a*
"""


def client(endpoint, ak, sk, region="us-east-1", service="dynamodb"):
    return key_client(endpoint, ak, sk, region=region, service=service, parameter_validation=False)


def denied(user, action, resource):
    return ("AccessDeniedException",
            "User: arn:aws:iam::%s:user/%s is not authorized to perform: dynamodb:%s on resource: %s because no "
            "identity-based policy allows the dynamodb:%s action" % (ACCOUNT, user, action, resource, action))


def explicit_deny(user, action, resource):
    return ("AccessDeniedException",
            "User: arn:aws:iam::%s:user/%s is not authorized to perform: dynamodb:%s on resource: %s with an "
            "explicit deny in a resource-based policy" % (ACCOUNT, user, action, resource))


def create(c, name, stream=False):
    kw = {}
    if stream:
        kw["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    c.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], **kw)


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    from conftest import DdbdServer
    tmp = tmp_path_factory.mktemp("authz")
    (tmp / "keys").write_text(KEYS)
    (tmp / "exports" / "local").mkdir(parents=True)
    s = DdbdServer(args=("--in-memory", "--auth", str(tmp / "keys"), "--export-dir", str(tmp / "exports")))
    s.start()
    s.export_dir = str(tmp / "exports")
    admin = client(s.endpoint, "AKIDADMIN", "adminsecret")
    create(admin, "secret", stream=True)
    create(admin, "test_mine")
    create(admin, "alpha")
    admin.update_continuous_backups(TableName="secret",
                                    PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    admin.put_item(TableName="secret", Item={"pk": {"S": "k"}, "v": {"S": "classified"}})
    admin.put_item(TableName="alpha", Item={"pk": {"S": "k"}})
    yield s
    s.stop()


@pytest.fixture(scope="module")
def admin(srv):
    return client(srv.endpoint, "AKIDADMIN", "adminsecret")


@pytest.fixture(scope="module")
def tester(srv):
    return client(srv.endpoint, "AKIDTEST", "testsecret")


def test_restore_to_point_in_time_from_another_table(tester):
    assert error_of(lambda: tester.restore_table_to_point_in_time(
        SourceTableName="secret", TargetTableName="test_copy1", UseLatestRestorableTime=True)) == \
        denied("tester", "RestoreTableToPointInTime", table_arn("secret"))
    assert error_of(lambda: tester.restore_table_to_point_in_time(
        SourceTableArn=table_arn("secret"), TargetTableName="test_copy2", UseLatestRestorableTime=True)) == \
        denied("tester", "RestoreTableToPointInTime", table_arn("secret"))


def test_a_restore_s_target_is_decided_with_the_writes_that_fill_it(srv):
    """A restore's target is decided for the restore and for the reads and writes that fill it (the
    developer guide's "Using IAM with DynamoDB backup and restore")."""
    c = client(srv.endpoint, "AKIDA", "asecret")
    assert error_of(lambda: c.restore_table_to_point_in_time(
        SourceTableName="alpha", TargetTableName="zeta", UseLatestRestorableTime=True)) == \
        denied("a-app", "RestoreTableToPointInTime", table_arn("zeta"))
    r = client(srv.endpoint, "AKIDRESTORE", "restoresecret")
    assert error_of(lambda: r.restore_table_to_point_in_time(
        SourceTableName="alpha", TargetTableName="alpha_copy", UseLatestRestorableTime=True)) == \
        denied("restorer", "PutItem", table_arn("alpha_copy"))


def test_restore_from_a_backup_of_another_table(admin, tester):
    backup = admin.create_backup(TableName="secret", BackupName="b1-secret")["BackupDetails"]["BackupArn"]
    assert error_of(lambda: tester.restore_table_from_backup(BackupArn=backup, TargetTableName="test_copy3")) == \
        denied("tester", "RestoreTableFromBackup", table_arn("secret"))
    assert error_of(lambda: tester.delete_backup(BackupArn=backup)) == denied("tester", "DeleteBackup", table_arn("secret"))
    assert error_of(lambda: tester.describe_backup(BackupArn=backup)) == \
        denied("tester", "DescribeBackup", table_arn("secret"))
    # The backup is untouched by the refused delete: it goes on from CREATING to AVAILABLE (a backup is
    # made in the background, so under load the first look may still see CREATING).
    for _ in range(200):
        status = admin.describe_backup(BackupArn=backup)["BackupDescription"]["BackupDetails"]["BackupStatus"]
        if status != "CREATING":
            break
        time.sleep(0.05)
    assert status == "AVAILABLE"
    with pytest.raises(ClientError):
        tester.describe_table(TableName="test_copy3")


def test_export_of_another_table_and_its_description_by_a_forged_arn(admin, tester):
    assert error_of(lambda: tester.export_table_to_point_in_time(
        TableArn=table_arn("secret"), S3Bucket="local", S3Prefix="steal")) == \
        denied("tester", "ExportTableToPointInTime", table_arn("secret"))
    d = admin.export_table_to_point_in_time(TableArn=table_arn("secret"), S3Bucket="local", S3Prefix="x")
    export_arn = d["ExportDescription"]["ExportArn"]
    assert wait_export(admin, export_arn)["ExportStatus"] == "COMPLETED"
    # the record is found by its id: a forged ARN naming the key's own table is decided on secret
    forged = export_arn.replace("table/secret/", "table/test_mine/")
    assert forged != export_arn
    assert error_of(lambda: tester.describe_export(ExportArn=forged)) == \
        denied("tester", "DescribeExport", table_arn("secret"))
    assert error_of(lambda: tester.list_exports(TableArn=table_arn("secret"))) == \
        denied("tester", "ListExports", table_arn("secret"))


def test_import_into_a_table_outside_the_key_s_tables(srv, tester):
    params = {"TableName": "outside", "BillingMode": "PAY_PER_REQUEST",
              "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
              "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}
    assert error_of(lambda: tester.import_table(
        S3BucketSource={"S3Bucket": "local", "S3KeyPrefix": "x"}, InputFormat="DYNAMODB_JSON",
        InputCompressionType="GZIP", TableCreationParameters=params)) == \
        denied("tester", "ImportTable", table_arn("outside"))


def test_table_patterns_match_the_table_s_name_not_the_arn(srv, admin):
    a = client(srv.endpoint, "AKIDA", "asecret")
    east = client(srv.endpoint, "AKIDEAST", "eastsecret")
    keys = {"Keys": [{"pk": {"S": "k"}}]}
    # tables=a*: "arn:aws:..." starts with an a, "secret" does not
    assert error_of(lambda: a.batch_get_item(RequestItems={table_arn("secret"): keys})) == \
        denied("a-app", "BatchGetItem", table_arn("secret"))
    assert error_of(lambda: a.batch_write_item(RequestItems={table_arn("secret"): [
        {"PutRequest": {"Item": {"pk": {"S": "x"}}}}]})) == denied("a-app", "BatchWriteItem", table_arn("secret"))
    assert error_of(lambda: a.get_item(TableName=table_arn("secret"), Key={"pk": {"S": "k"}})) == \
        denied("a-app", "GetItem", table_arn("secret"))
    # tables=*east*: the ARN's region is us-east-1, the table's name has no "east"
    assert error_of(lambda: east.batch_get_item(RequestItems={table_arn("secret"): keys})) == \
        denied("east-app", "BatchGetItem", table_arn("secret"))
    # the name still decides: alpha is within a*, by name and by ARN
    assert a.get_item(TableName=table_arn("alpha"), Key={"pk": {"S": "k"}})["Item"] == {"pk": {"S": "k"}}
    got = a.batch_get_item(RequestItems={table_arn("alpha"): keys})["Responses"]
    assert list(got.values()) == [[{"pk": {"S": "k"}}]]


DENY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::%s:user/tester" % ACCOUNT}, "Action": "dynamodb:*",
    "Resource": [table_arn("test_guarded"), table_arn("test_guarded") + "/*"]}]}


@pytest.fixture(scope="module")
def guarded(srv, admin):
    create(admin, "test_guarded")
    admin.put_item(TableName="test_guarded", Item={"pk": {"S": "k"}})
    status, out = signed_call(srv.endpoint, "AKIDADMIN", "adminsecret", "PutResourcePolicy",
                         {"ResourceArn": table_arn("test_guarded"), "Policy": json.dumps(DENY)})
    assert status == 200, out
    return "test_guarded"


def test_a_deny_holds_for_partiql(tester, guarded):
    assert error_of(lambda: tester.execute_statement(Statement='SELECT * FROM "test_guarded"')) == \
        explicit_deny("tester", "PartiQLSelect", table_arn("test_guarded"))
    assert error_of(lambda: tester.execute_statement(
        Statement="INSERT INTO \"test_guarded\" VALUE {'pk': 'new'}")) == \
        explicit_deny("tester", "PartiQLInsert", table_arn("test_guarded"))
    out = tester.batch_execute_statement(Statements=[{"Statement": "SELECT * FROM \"test_guarded\" WHERE pk = 'k'"}])
    assert out["Responses"][0]["Error"]["Code"] == "AccessDenied"
    assert error_of(lambda: tester.execute_transaction(TransactStatements=[
        {"Statement": "UPDATE \"test_guarded\" SET v = 1 WHERE pk = 'k'"}])) == \
        explicit_deny("tester", "PartiQLUpdate", table_arn("test_guarded"))


def test_a_deny_holds_for_a_table_named_by_arn(tester, guarded):
    keys = {"Keys": [{"pk": {"S": "k"}}]}
    assert error_of(lambda: tester.batch_get_item(RequestItems={table_arn("test_guarded"): keys})) == \
        explicit_deny("tester", "BatchGetItem", table_arn("test_guarded"))
    assert error_of(lambda: tester.batch_write_item(RequestItems={table_arn("test_guarded"): [
        {"DeleteRequest": {"Key": {"pk": {"S": "k"}}}}]})) == \
        explicit_deny("tester", "BatchWriteItem", table_arn("test_guarded"))


def test_a_deny_holds_in_every_region_without_namespaces(srv, guarded):
    """Without --namespaces every region reaches the same table: its policy is matched in each."""
    eu = client(srv.endpoint, "AKIDTEST", "testsecret", region="eu-west-1")
    assert error_of(lambda: eu.get_item(TableName="test_guarded", Key={"pk": {"S": "k"}})) == \
        explicit_deny("tester", "GetItem", table_arn("test_guarded", region="eu-west-1"))
    assert error_of(lambda: eu.scan(TableName="test_guarded")) == \
        explicit_deny("tester", "Scan", table_arn("test_guarded", region="eu-west-1"))


def test_get_records_decides_the_iterator_s_stream(srv, admin):
    streams_admin = client(srv.endpoint, "AKIDADMIN", "adminsecret", service="dynamodbstreams")
    reader = client(srv.endpoint, "AKIDREAD", "readsecret", service="dynamodbstreams")
    stream = admin.describe_table(TableName="secret")["Table"]["LatestStreamArn"]
    shard = streams_admin.describe_stream(StreamArn=stream)["StreamDescription"]["Shards"][0]["ShardId"]
    it = streams_admin.get_shard_iterator(StreamArn=stream, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert "Records" in streams_admin.get_records(ShardIterator=it)
    label = stream.rsplit("/", 1)[1]
    assert error_of(lambda: reader.get_records(ShardIterator=it)) == \
        denied("reader", "GetRecords", table_arn("secret") + "/stream/" + label)
    # the stream ARN in front of the iterator is not what decides: the authenticated payload is
    forged = it.replace(table_arn("secret"), table_arn("test_mine"))
    assert error_of(lambda: reader.get_records(ShardIterator=forged)) == \
        denied("reader", "GetRecords", table_arn("secret") + "/stream/" + label)
    assert error_of(lambda: reader.describe_stream(StreamArn=stream)) == \
        denied("reader", "DescribeStream", table_arn("secret") + "/stream/" + label)
