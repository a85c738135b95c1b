"""DynamoDB's account quotas (issue 49, finding 5): one key could create tables without end.

Before, one key created 30,000 tables in 20 s (499 MB of memory, ~17 KB a table), and with
--namespaces every region a client signed for was a namespace of its own, so the tables multiplied
by invented regions. DynamoDB refuses past its quotas (the developer guide's "Service, account, and
table quotas"): 2,500 tables per account and Region by default, refused with LimitExceededException
"Subscriber limit exceeded: There is a limit of N tables per subscriber" (DynamoDB's text, captured
when the default was 256: hashicorp/terraform pull request 14571). ddbd counts the tables of a
namespace (an account in a Region; everything is one namespace without --namespaces) on every path
that makes one: CreateTable, the two restores, ImportTable, a replica of a global table. The quota
is --max-tables (default 2500). With --namespaces only AWS's Regions are namespaces (or --regions):
a request signed for another gets what DynamoDB answers a request signed for a Region its endpoint
does not serve, InvalidSignatureException "Credential should be scoped to a valid region. ".

The index quotas (20 GSIs, 5 LSIs per table) held on main already; their cases here pin them
through the HTTP path, CreateTable's ValidationException and UpdateTable's LimitExceededException.
"""
import os
import subprocess
import threading
import time

import pytest
from botocore.exceptions import ClientError

from conftest import ACCESS_KEY, DDBD_BIN, SECRET_KEY, assert_client_error, make_client, raw_request, signed_call
from helpers import wait_active

LIMIT_TYPE = "com.amazonaws.dynamodb.v20120810#LimitExceededException"
BAD_REGION = "Credential should be scoped to a valid region. "


def limit_text(n):
    return "Subscriber limit exceeded: There is a limit of %d tables per subscriber" % n


def table_params(name, **extra):
    return dict({"TableName": name, "BillingMode": "PAY_PER_REQUEST",
                 "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                 "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}, **extra)


def create(client, name, **extra):
    return client.create_table(**table_params(name, **extra))


def refused(call, n):
    with pytest.raises(ClientError) as e:
        call()
    assert_client_error(e, "LimitExceededException", limit_text(n))


def fill(client, n, prefix="t"):
    for i in range(n):
        create(client, "%s%05d" % (prefix, i))


# ---- tables per account and Region ----

def test_the_table_past_the_quota_is_refused_as_dynamodb_refuses_it(server_factory):
    srv = server_factory(["--in-memory", "--max-tables", "3"])
    c = make_client(srv.endpoint)
    fill(c, 3)
    # the raw answer: DynamoDB's __type, text and status
    r = raw_request(srv.endpoint, "CreateTable", table_params("t00003"))
    assert r.status == 400
    assert r.json() == {"__type": LIMIT_TYPE, "message": limit_text(3)}
    assert len(c.list_tables()["TableNames"]) == 3
    # a name that exists is still ResourceInUseException, the table's own error first
    with pytest.raises(ClientError) as e:
        create(c, "t00000")
    assert_client_error(e, "ResourceInUseException", "Table already exists: t00000")
    # a deleted table gives its place back
    c.delete_table(TableName="t00001")
    create(c, "t00003")
    refused(lambda: create(c, "t00004"), 3)


def test_2500_tables_by_default_and_the_2501st_refused(server_factory):
    srv = server_factory(["--in-memory"])
    c = make_client(srv.endpoint)
    t0 = time.monotonic()
    fill(c, 2500)
    print("2,500 tables created in %.1f s" % (time.monotonic() - t0))
    refused(lambda: create(c, "one-more"), 2500)
    names, kwargs = [], {}
    while True:
        out = c.list_tables(**kwargs)
        names += out["TableNames"]
        if "LastEvaluatedTableName" not in out:
            break
        kwargs = {"ExclusiveStartTableName": out["LastEvaluatedTableName"]}
    assert len(names) == 2500


def test_two_clients_creating_at_once_never_pass_the_quota(server_factory):
    srv = server_factory(["--in-memory", "--max-tables", "60"])
    made, limits, other = [], [], []

    def loop(prefix):
        c = make_client(srv.endpoint)
        for i in range(50):
            try:
                create(c, "%s%03d" % (prefix, i))
                made.append(1)
            except ClientError as e:
                err = e.response["Error"]
                (limits if (err["Code"], err["Message"]) == ("LimitExceededException", limit_text(60))
                 else other).append(err)

    threads = [threading.Thread(target=loop, args=(p,)) for p in ("a", "b", "c")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert other == []
    assert len(made) == 60 and len(limits) == 90
    assert len(make_client(srv.endpoint).list_tables()["TableNames"]) == 60


def test_the_count_survives_a_restart_and_the_option_raises_it(server_factory, tmp_path):
    data = str(tmp_path / "data")
    srv = server_factory(["--data-dir", data, "--max-tables", "3"])
    fill(make_client(srv.endpoint), 3)
    srv.stop()
    srv = server_factory(["--data-dir", data, "--max-tables", "3"])
    c = make_client(srv.endpoint)
    refused(lambda: create(c, "after-restart"), 3)
    srv.stop()
    srv = server_factory(["--data-dir", data, "--max-tables", "4"])
    c = make_client(srv.endpoint)
    create(c, "after-restart")
    refused(lambda: create(c, "one-more"), 4)


def test_every_path_that_makes_a_table_counts(server_factory, tmp_path):
    exports = tmp_path / "exports"
    os.makedirs(exports / "bucket" / "in")
    (exports / "bucket" / "in" / "data.json").write_text('{"Item":{"pk":{"S":"a"}}}\n')
    srv = server_factory(["--in-memory", "--max-tables", "2", "--export-dir", str(exports)])
    c = make_client(srv.endpoint)
    create(c, "source")
    c.update_continuous_backups(TableName="source",
                                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    arn = c.create_backup(TableName="source", BackupName="backup")["BackupDetails"]["BackupArn"]
    deadline = time.monotonic() + 60  # a backup is restored once AVAILABLE (BackupInUseException before)
    while c.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"] != "AVAILABLE":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    create(c, "second")
    refused(lambda: c.restore_table_from_backup(TargetTableName="restored", BackupArn=arn), 2)
    refused(lambda: c.restore_table_to_point_in_time(SourceTableName="source", TargetTableName="pitr",
                                                     UseLatestRestorableTime=True), 2)
    r = raw_request(srv.endpoint, "ImportTable", {
        "S3BucketSource": {"S3Bucket": "bucket", "S3KeyPrefix": "in/"}, "InputFormat": "DYNAMODB_JSON",
        "TableCreationParameters": table_params("imported")})
    assert (r.status, r.json()) == (400, {"__type": LIMIT_TYPE, "message": limit_text(2)})
    assert sorted(c.list_tables()["TableNames"]) == ["second", "source"]
    assert c.list_imports()["ImportSummaryList"] == []
    # each path works again once there is room
    c.delete_table(TableName="second")
    c.restore_table_from_backup(TargetTableName="restored", BackupArn=arn)
    wait_active(c, "restored")
    c.delete_table(TableName="restored")
    c.restore_table_to_point_in_time(SourceTableName="source", TargetTableName="pitr", UseLatestRestorableTime=True)
    wait_active(c, "pitr")
    c.delete_table(TableName="pitr")
    r = raw_request(srv.endpoint, "ImportTable", {
        "S3BucketSource": {"S3Bucket": "bucket", "S3KeyPrefix": "in/"}, "InputFormat": "DYNAMODB_JSON",
        "TableCreationParameters": table_params("imported")})
    assert r.status == 200, r.body


def test_each_namespace_has_its_own_quota_and_a_replica_counts_in_its_region(server_factory):
    srv = server_factory(["--in-memory", "--namespaces", "--max-tables", "2"])
    east, west = make_client(srv.endpoint, region="us-east-1"), make_client(srv.endpoint, region="us-west-2")
    fill(east, 2, "east")
    fill(west, 2, "west")
    refused(lambda: create(east, "east-more"), 2)
    refused(lambda: create(west, "west-more"), 2)
    # a replica in a full region is refused before the source lists it
    east.delete_table(TableName="east00001")
    create(east, "global", StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    refused(lambda: east.update_table(TableName="global", ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}]), 2)
    assert "Replicas" not in east.describe_table(TableName="global")["Table"]
    west.delete_table(TableName="west00001")
    east.update_table(TableName="global", ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}])
    assert sorted(west.list_tables()["TableNames"]) == ["global", "west00000"]
    refused(lambda: create(west, "west-more"), 2)


# ---- Regions with --namespaces ----

def test_a_region_aws_does_not_have_is_refused_with_namespaces(server_factory):
    srv = server_factory(["--in-memory", "--namespaces"])
    for region in ("xx-fake-9", "ddbd-gw0", "us-east-1x", "local"):
        status, out = signed_call(srv.endpoint, ACCESS_KEY, SECRET_KEY, "CreateTable", table_params("tbl"), region)
        assert (status, out) == (400, {"__type": "com.amazon.coral.service#InvalidSignatureException",
                                       "message": BAD_REGION}), region
        status, out = signed_call(srv.endpoint, ACCESS_KEY, SECRET_KEY, "ListTables", {}, region)
        assert status == 400 and out["message"] == BAD_REGION
    for region in ("us-east-1", "eu-west-1", "ap-southeast-6", "cn-north-1", "us-gov-west-1"):
        status, out = signed_call(srv.endpoint, ACCESS_KEY, SECRET_KEY, "CreateTable", table_params("tbl"), region)
        assert status == 200, (region, out)
    assert signed_call(srv.endpoint, ACCESS_KEY, SECRET_KEY, "ListTables", {}, "eu-west-1") == (
        200, {"TableNames": ["tbl"]})


def test_a_region_aws_does_not_have_is_refused_with_auth_too(server_factory, tmp_path):
    keys = tmp_path / "keys"
    keys.write_text("AKIDQUOTA secretquota 123456789012\n")
    srv = server_factory(["--in-memory", "--namespaces", "--auth", str(keys)])
    status, out = signed_call(srv.endpoint, "AKIDQUOTA", "secretquota", "ListTables", {}, "xx-fake-9")
    assert (status, out) == (400, {"__type": "com.amazon.coral.service#InvalidSignatureException",
                                   "message": BAD_REGION})
    assert signed_call(srv.endpoint, "AKIDQUOTA", "secretquota", "ListTables", {}, "eu-west-1") == (
        200, {"TableNames": []})


def test_regions_names_the_regions_served(server_factory):
    srv = server_factory(["--in-memory", "--namespaces", "--regions", "eu-west-1,ddbd-*"])
    for region, status in (("eu-west-1", 200), ("ddbd-gw0", 200), ("ddbd-", 200), ("us-east-1", 400),
                           ("eu-west-2", 400), ("ddbd", 400)):
        got, out = signed_call(srv.endpoint, ACCESS_KEY, SECRET_KEY, "ListTables", {}, region)
        assert got == status, (region, out)
        if status == 400:
            assert out["message"] == BAD_REGION
    # "aws" stands for AWS's Regions, "*" for any
    srv = server_factory(["--in-memory", "--namespaces", "--regions", "aws,local"])
    for region, status in (("local", 200), ("sa-east-1", 200), ("xx-fake-9", 400)):
        assert signed_call(srv.endpoint, ACCESS_KEY, SECRET_KEY, "ListTables", {}, region)[0] == status, region
    srv = server_factory(["--in-memory", "--namespaces", "--regions", "*"])
    assert signed_call(srv.endpoint, ACCESS_KEY, SECRET_KEY, "ListTables", {}, "xx-fake-9")[0] == 200


def test_without_namespaces_any_region_is_the_one_namespace(server_factory):
    srv = server_factory(["--in-memory"])
    assert signed_call(srv.endpoint, ACCESS_KEY, SECRET_KEY, "CreateTable", table_params("tbl"), "xx-fake-9")[0] == 200
    assert signed_call(srv.endpoint, ACCESS_KEY, SECRET_KEY, "ListTables", {}, "us-east-1") == (
        200, {"TableNames": ["tbl"]})


@pytest.mark.parametrize("args,message", [
    (["--regions", "aws"], "ddbd: --regions goes with --namespaces (without it every region shares one namespace)\n"),
    (["--namespaces", "--regions", "eu-west-1,,x"],
     "ddbd: --regions 'eu-west-1,,x' has an empty entry\n"),
    (["--namespaces", "--regions", "EU-WEST-1"],
     "ddbd: --regions 'EU-WEST-1' has an entry that is neither a Region name (a-z, 0-9, '-'), \"aws\", nor a "
     "prefix ending in '*'\n"),
    (["--max-tables", "0"], "ddbd: --max-tables must be a number from 1 to 1000000\n"),
])
def test_bad_quota_options_are_refused_at_start(args, message):
    p = subprocess.run([DDBD_BIN, "--in-memory"] + args, capture_output=True, text=True, timeout=10)
    assert p.returncode != 0 and p.stderr == message


# ---- indexes per table (held on main; pinned through HTTP) ----

def gsi(i):
    return {"IndexName": "g%02d" % i, "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}


def lsi(i):
    return {"IndexName": "l%02d" % i, "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                    {"AttributeName": "sk", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}


def test_the_21st_gsi_and_the_6th_lsi(server_factory):
    srv = server_factory(["--in-memory"])
    c = make_client(srv.endpoint)
    keys = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "S"}]}
    with pytest.raises(ClientError) as e:
        c.create_table(TableName="g21", BillingMode="PAY_PER_REQUEST", GlobalSecondaryIndexes=[gsi(i) for i in range(21)],
                       **keys)
    assert_client_error(e, "ValidationException",
                        "One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the "
                        "per-table limit of 20")
    with pytest.raises(ClientError) as e:
        c.create_table(TableName="lsi6", BillingMode="PAY_PER_REQUEST", LocalSecondaryIndexes=[lsi(i) for i in range(6)],
                       **keys)
    assert_client_error(e, "ValidationException",
                        "One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds "
                        "per-table limit of 5")
    c.create_table(TableName="g20", BillingMode="PAY_PER_REQUEST", GlobalSecondaryIndexes=[gsi(i) for i in range(20)],
                   LocalSecondaryIndexes=[lsi(i) for i in range(5)], **keys)
    r = raw_request(srv.endpoint, "UpdateTable", {
        "TableName": "g20", "AttributeDefinitions": keys["AttributeDefinitions"],
        "GlobalSecondaryIndexUpdates": [{"Create": gsi(20)}]})
    assert (r.status, r.json()) == (400, {"__type": LIMIT_TYPE, "message": "Subscriber limit exceeded: Number of "
                                          "global secondary indexes exceeds per-table limit of 20"})
