"""The AWS CLI v2 against ddbd: JSON output and exit codes.

Each `aws` process takes 1 to 5 s to start on a loaded 2-core CI machine (the CLI's start-up, not
ddbd: 0.6 s of CPU each), so a test starts one for each command it tests and no more: the set-up
around a command (tables, items, cleaning up) goes through boto3 (`aws.ddb`), and items go in
one batch-write-item rather than one put-item each (put-item itself is tested once).
"""
import datetime
import functools
import json
import os
import shutil
import subprocess
import time

import pytest

from conftest import ACCESS_KEY, REGION, SECRET_KEY, make_client, unique_name
from helpers import clock, make_table, table_arn, wait_active, wait_export, wait_import


@functools.lru_cache(maxsize=None)  # (one `aws --version` a run)
def find_aws_v2():
    candidates = ["/usr/bin/aws", shutil.which("aws")]
    for path in candidates:
        if not path or not os.path.exists(path):
            continue
        try:
            out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if (out.stdout + out.stderr).startswith("aws-cli/2"):
            return path
    return None


@pytest.fixture(scope="module")
def aws(endpoint, tmp_path_factory):
    return cli_runner(endpoint, tmp_path_factory.mktemp("awscli"))


def cli_runner(endpoint, home):
    """Runs `aws dynamodb ...` against `endpoint` with a clean configuration in `home`."""
    path = find_aws_v2()
    if path is None:
        pytest.fail("AWS CLI v2 not found (Debian package awscli)")
    config, creds = home / "config", home / "credentials"
    config.write_text("")
    creds.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(creds),
        "AWS_PAGER": "",
        "AWS_EC2_METADATA_DISABLED": "true",
        "HOME": str(home),
    })

    def run(*args, expect=0):
        proc = subprocess.run([path, "dynamodb"] + list(args) +
                              ["--endpoint-url", endpoint, "--output", "json"],
                              capture_output=True, text=True, env=env, timeout=60,
                              stdin=subprocess.DEVNULL)
        assert proc.returncode == expect, (proc.returncode, proc.stdout, proc.stderr)
        return proc

    run.ddb = make_client(endpoint)  # the set-up's client
    return run


def as_json(proc):
    return json.loads(proc.stdout)


def put_items(aws, table, items, cli=False):
    """The items in one batch-write-item call (at most 25): through the CLI (one `aws` process for
    them all) where the test is the CLI's, else through boto3."""
    requests = {table: [{"PutRequest": {"Item": item}} for item in items]}
    if cli:
        out = as_json(aws("batch-write-item", "--request-items", json.dumps(requests)))
    else:
        out = aws.ddb.batch_write_item(RequestItems=requests)
    assert out["UnprocessedItems"] == {}


def drop_tables(aws, *names):
    for name in names:
        try:
            aws.ddb.delete_table(TableName=name)
        except aws.ddb.exceptions.ResourceNotFoundException:  # (the test never got that far, or dropped it)
            pass


def test_cli_table_and_item_lifecycle(aws):
    name = unique_name("cli")
    out = as_json(aws("create-table", "--table-name", name,
                      "--attribute-definitions", "AttributeName=pk,AttributeType=S",
                      "AttributeName=sk,AttributeType=N",
                      "--key-schema", "AttributeName=pk,KeyType=HASH",
                      "AttributeName=sk,KeyType=RANGE",
                      "--billing-mode", "PAY_PER_REQUEST"))
    desc = out["TableDescription"]
    assert desc["TableName"] == name
    assert desc["TableStatus"] == "ACTIVE"
    assert desc["TableArn"] == "arn:aws:dynamodb:%s:000000000000:table/%s" % (REGION, name)
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"

    item = {"pk": {"S": "a"}, "sk": {"N": "1.50"}, "b": {"B": "AAE="}, "ss": {"SS": ["x"]},
            "m": {"M": {"n": {"N": "1E+3"}}}}
    out = as_json(aws("put-item", "--table-name", name, "--item", json.dumps(item),
                      "--return-consumed-capacity", "TOTAL"))
    assert out["ConsumedCapacity"] == {"TableName": name, "CapacityUnits": 1.0}

    out = as_json(aws("get-item", "--table-name", name, "--consistent-read",
                      "--key", json.dumps({"pk": {"S": "a"}, "sk": {"N": "1.5"}})))
    assert out["Item"] == {"pk": {"S": "a"}, "sk": {"N": "1.5"}, "b": {"B": "AAE="},
                           "ss": {"SS": ["x"]}, "m": {"M": {"n": {"N": "1000"}}}}

    out = as_json(aws("describe-table", "--table-name", name))
    assert out["Table"]["TableName"] == name
    assert out["Table"]["ItemCount"] == 1
    assert out["Table"]["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"},
                                         {"AttributeName": "sk", "KeyType": "RANGE"}]

    out = as_json(aws("list-tables"))
    assert name in out["TableNames"]

    out = as_json(aws("delete-table", "--table-name", name))
    assert out["TableDescription"]["TableName"] == name
    assert out["TableDescription"]["TableStatus"] == "DELETING"


def test_cli_describe_missing_table_exits_254(aws):
    name = unique_name("cli_missing")
    proc = aws("describe-table", "--table-name", name, expect=254)
    assert "ResourceNotFoundException" in proc.stderr
    assert "Requested resource not found: Table: %s not found" % name in proc.stderr
    assert proc.stdout == ""


def test_cli_validation_error_exits_254(aws):
    name = unique_name("cli_val")
    make_table(aws.ddb, name)
    try:
        proc = aws("put-item", "--table-name", name, "--item", '{"x": {"S": "a"}}', expect=254)
        assert "ValidationException" in proc.stderr
        assert "Missing the key pk in the item" in proc.stderr
    finally:
        drop_tables(aws, name)


def test_cli_backup_and_restore(aws):
    """create-backup, list-backups, describe-backup, restore-table-from-backup, delete-backup."""
    name, target = unique_name("clibk"), unique_name("clirs")
    make_table(aws.ddb, name)
    try:
        put_items(aws, name, [{"pk": {"S": "k%d" % i}} for i in range(5)])
        details = as_json(aws("create-backup", "--table-name", name, "--backup-name", "cli_backup"))["BackupDetails"]
        arn = details["BackupArn"]
        assert arn.startswith("arn:aws:dynamodb:%s:000000000000:table/%s/backup/" % (REGION, name))
        assert details["BackupType"] == "USER"
        listed = as_json(aws("list-backups", "--table-name", name))["BackupSummaries"]
        assert [s["BackupArn"] for s in listed] == [arn]
        for _ in range(600):  # (the backup's work: polled through boto3)
            if aws.ddb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"] == "AVAILABLE":
                break
            time.sleep(0.1)
        desc = as_json(aws("describe-backup", "--backup-arn", arn))["BackupDescription"]
        assert desc["BackupDetails"]["BackupStatus"] == "AVAILABLE"
        assert desc["SourceTableDetails"]["ItemCount"] == 5
        out = as_json(aws("restore-table-from-backup", "--target-table-name", target, "--backup-arn", arn))
        assert out["TableDescription"]["RestoreSummary"]["SourceBackupArn"] == arn
        assert wait_active(aws.ddb, target)["ItemCount"] == 5
        proc = aws("restore-table-from-backup", "--target-table-name", target, "--backup-arn", arn, expect=254)
        assert "TableAlreadyExistsException" in proc.stderr
        gone = as_json(aws("delete-backup", "--backup-arn", arn))["BackupDescription"]["BackupDetails"]
        assert gone["BackupStatus"] == "DELETED"
    finally:
        drop_tables(aws, name, target)


def test_cli_point_in_time_recovery(aws):
    """update-continuous-backups, describe-continuous-backups, restore-table-to-point-in-time."""
    name, target = unique_name("clipitr"), unique_name("clipitrrs")
    make_table(aws.ddb, name)
    try:
        proc = aws("restore-table-to-point-in-time", "--source-table-name", name, "--target-table-name", target,
                   "--use-latest-restorable-time", expect=254)
        assert "PointInTimeRecoveryUnavailableException" in proc.stderr
        desc = as_json(aws("update-continuous-backups", "--table-name", name,
                           "--point-in-time-recovery-specification", "PointInTimeRecoveryEnabled=true"))
        pitr = desc["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
        assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"
        put_items(aws, name, [{"pk": {"S": "k%d" % i}} for i in range(4)])
        aws.ddb.delete_item(TableName=name, Key={"pk": {"S": "k0"}})
        described = as_json(aws("describe-continuous-backups", "--table-name", name))["ContinuousBackupsDescription"]
        assert described["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
        assert "LatestRestorableDateTime" in described["PointInTimeRecoveryDescription"]
        out = as_json(aws("restore-table-to-point-in-time", "--source-table-name", name, "--target-table-name", target,
                          "--use-latest-restorable-time"))
        assert out["TableDescription"]["RestoreSummary"]["SourceTableArn"].endswith(":table/" + name)
        assert wait_active(aws.ddb, target)["ItemCount"] == 3
        keys = sorted(i["pk"]["S"] for i in as_json(aws("scan", "--table-name", target))["Items"])
        assert keys == ["k1", "k2", "k3"]
        proc = aws("restore-table-to-point-in-time", "--source-table-name", name, "--target-table-name", target,
                   "--use-latest-restorable-time", expect=254)
        assert "TableAlreadyExistsException" in proc.stderr
        # deleting the table leaves its SYSTEM backup, listed on request only
        aws.ddb.delete_table(TableName=name)
        for _ in range(600):  # (the backup's work: polled through boto3)
            system = aws.ddb.list_backups(TableName=name, BackupType="SYSTEM")["BackupSummaries"]
            if system and system[0]["BackupStatus"] == "AVAILABLE":
                break
            time.sleep(0.1)
        assert [b for b in as_json(aws("list-backups", "--table-name", name))["BackupSummaries"]] == []
        system = as_json(aws("list-backups", "--table-name", name, "--backup-type", "SYSTEM"))["BackupSummaries"]
        assert [(b["BackupName"], b["BackupType"]) for b in system] == [(name + "$DeletedTableBackup", "SYSTEM")]
        assert "BackupExpiryDateTime" in system[0]
        aws.ddb.delete_backup(BackupArn=system[0]["BackupArn"])
    finally:
        drop_tables(aws, name, target)


def test_cli_export_and_import(server_factory, tmp_path):
    """export-table-to-point-in-time, describe-export, list-exports, import-table, describe-import,
    list-imports, against a directory bucket (--export-dir)."""
    os.makedirs(tmp_path / "exports" / "bucket")
    srv = server_factory(["--in-memory", "--export-dir", str(tmp_path / "exports")])
    os.makedirs(tmp_path / "home")
    aws = cli_runner(srv.endpoint, tmp_path / "home")
    make_table(aws.ddb, "src")  # (through boto3: create-table is tested once)
    src_arn = table_arn("src", region=REGION)
    items = [{"pk": {"S": "k%d" % i}, "n": {"N": str(i)}, "l": {"L": [{"S": "x"}, {"BOOL": True}]}} for i in range(20)]
    put_items(aws, "src", items, cli=True)  # every type through the CLI's JSON
    export = as_json(aws("export-table-to-point-in-time", "--table-arn", src_arn, "--s3-bucket", "bucket",
                         "--s3-prefix", "cli"))["ExportDescription"]
    arn = export["ExportArn"]
    wait_export(aws.ddb, arn)
    desc = as_json(aws("describe-export", "--export-arn", arn))["ExportDescription"]
    assert desc["ExportStatus"] == "COMPLETED" and desc["ItemCount"] == 20
    assert [e["ExportArn"] for e in as_json(aws("list-exports", "--table-arn", src_arn))["ExportSummaries"]] == [arn]
    proc = aws("describe-export", "--export-arn", arn + "0", expect=254)
    assert "ExportNotFoundException" in proc.stderr
    data = "cli/AWSDynamoDB/%s/data/" % arn.rsplit("/", 1)[1]
    imported = as_json(aws("import-table", "--s3-bucket-source", "S3Bucket=bucket,S3KeyPrefix=" + data,
                           "--input-format", "DYNAMODB_JSON", "--input-compression-type", "GZIP",
                           "--table-creation-parameters", json.dumps({
                               "TableName": "dst", "BillingMode": "PAY_PER_REQUEST",
                               "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                               "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})))
    iarn = imported["ImportTableDescription"]["ImportArn"]
    wait_import(aws.ddb, iarn)
    idesc = as_json(aws("describe-import", "--import-arn", iarn))["ImportTableDescription"]
    assert idesc["ImportStatus"] == "COMPLETED" and idesc["ImportedItemCount"] == 20
    assert iarn in [i["ImportArn"] for i in as_json(aws("list-imports"))["ImportSummaryList"]]
    got = {i["pk"]["S"]: i for i in as_json(aws("scan", "--table-name", "dst"))["Items"]}
    assert got == {i["pk"]["S"]: i for i in items}
    proc = aws("describe-import", "--import-arn", iarn + "0", expect=254)
    assert "ImportNotFoundException" in proc.stderr


def test_cli_export_at_a_past_time(server_factory, tmp_path):
    """export-table-to-point-in-time --export-time (point-in-time recovery's history) and its
    errors, --s3-sse-algorithm/--s3-sse-kms-key-id. (Debian's CLI 2.9 predates --export-type and
    --incremental-export-specification: INCREMENTAL_EXPORT is tested in test_export_pitr.py.) The
    server's clock is frozen and set by the test: the history's times are exact."""
    os.makedirs(tmp_path / "exports" / "bucket")
    srv = server_factory(["--in-memory", "--admin", "--clock", "frozen", "--export-dir", str(tmp_path / "exports")])
    os.makedirs(tmp_path / "home")
    aws = cli_runner(srv.endpoint, tmp_path / "home")

    def set_clock(seconds):
        clock(srv, set=seconds * 1000)
    x = 1893456000  # 2030-01-01T00:00:00Z
    set_clock(x)
    make_table(aws.ddb, "src")  # (through boto3: create-table is tested once)
    src_arn = table_arn("src", region=REGION)
    make_table(aws.ddb, "nopitr")
    aws.ddb.update_continuous_backups(TableName="src", PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})
    items = [{"pk": {"S": "k%d" % i}} for i in range(5)]
    put_items(aws, "src", items)
    set_clock(x + 90)
    aws.ddb.delete_item(TableName="src", Key=items[0])
    export = as_json(aws("export-table-to-point-in-time", "--table-arn", src_arn, "--s3-bucket", "bucket",
                         "--export-time", str(x + 30), "--s3-sse-algorithm", "KMS", "--s3-sse-kms-key-id", "k1"))[
        "ExportDescription"]
    assert datetime.datetime.fromisoformat(export["ExportTime"]).timestamp() == x + 30
    assert export["S3SseAlgorithm"] == "KMS" and export["S3SseKmsKeyId"] == "k1"
    desc = wait_export(aws.ddb, export["ExportArn"])
    assert desc["ExportStatus"] == "COMPLETED" and desc["ItemCount"] == 5
    proc = aws("export-table-to-point-in-time", "--table-arn", src_arn, "--s3-bucket", "bucket",
               "--export-time", str(x - 60), expect=254)
    assert "(InvalidExportTimeException)" in proc.stderr and "Export Time is invalid" in proc.stderr
    proc = aws("export-table-to-point-in-time", "--table-arn", src_arn.replace("/src", "/nopitr"), "--s3-bucket",
               "bucket", "--export-time", str(x + 30), expect=254)
    assert "(PointInTimeRecoveryUnavailableException)" in proc.stderr
    assert "Point in time recovery is not enabled for table 'nopitr'" in proc.stderr
