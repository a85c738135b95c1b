"""On-demand backups: CreateBackup, DescribeBackup, ListBackups, DeleteBackup and
RestoreTableFromBackup (server/ops/ops_backups.c, server/engine/backups.c).

Shapes follow the API reference and the AWS CLI's examples (captures of DynamoDB); error texts are
those public emulators reproduce from DynamoDB ("Backup not found: <arn>", "Table already exists:
<name>", "Table not found: <name>"). The consistency test restores a backup taken while a writer
keeps writing and checks that the restored table is exactly the source after some prefix of the
writer's acknowledged operations: everything acknowledged before CreateBackup was sent, nothing
sent after its answer arrived.
"""
import re
import threading
import time

import pytest
from botocore.exceptions import ClientError

from conftest import (ACCOUNT, ANY, REGION, STORE_ARGS, assert_client_error, batch_put, create_table_params,
                      expect_error, make_client, ops_sent, unique_name)
from helpers import check_error

ARN_RE = r"^arn:aws:dynamodb:%s:%s:table/%%s/backup/\d{14}-[0-9a-f]{8}$" % (REGION, ACCOUNT)
V1 = "1 validation error detected: "
# the tables whose restore must still be running when the test looks: on RADOS (tests/rados/run.sh)
# a tenth of the items, each restored in a few network round trips, keeps it running as long
SHARE = 10 if "--backend rados" in STORE_ARGS else 1
IN_USE = ("There is another ongoing conflicting backup control plane operation on the table. The backup is "
          "either being created, deleted or restored to a table.")


def wait_available(ddb, arn, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        d = ddb.describe_backup(BackupArn=arn)["BackupDescription"]
        if d["BackupDetails"]["BackupStatus"] == "AVAILABLE":
            return d
        assert time.monotonic() < deadline, d
        time.sleep(0.02)


def wait_restored(ddb, name, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        t = ddb.describe_table(TableName=name)["Table"]
        if t["TableStatus"] == "ACTIVE":
            return t
        assert t["TableStatus"] == "CREATING" and t["RestoreSummary"]["RestoreInProgress"] is True, t
        assert time.monotonic() < deadline, t
        time.sleep(0.02)


def scan_items(ddb, table, index=None):
    items, kw = [], {"TableName": table}
    if index:
        kw["IndexName"] = index
    else:
        kw["ConsistentRead"] = True
    while True:
        page = ddb.scan(**kw)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def by_key(items, *keys):
    return {tuple(str(i[k]) for k in keys): i for i in items}


@pytest.fixture
def drop(ddb):
    """drop(table=..., backup=...) registers things to delete when the test ends."""
    tables, backups = [], []

    def add(table=None, backup=None):
        if table:
            tables.append(table)
        if backup:
            backups.append(backup)

    yield add
    for t in tables:
        try:
            wait_restored(ddb, t)
            ddb.delete_table(TableName=t)
        except ClientError:
            pass
    for b in backups:
        try:
            ddb.delete_backup(BackupArn=b)
        except ClientError:
            pass


def backup(ddb, drop, table, name="bk1"):
    arn = ddb.create_backup(TableName=table, BackupName=name)["BackupDetails"]["BackupArn"]
    drop(backup=arn)
    return arn


# ---------------------------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------------------------

def test_create_describe_list_delete(ddb, make_table, drop):
    t = make_table(range_key=("sk", "N"))
    batch_put(ddb, t, [{"pk": {"S": "a"}, "sk": {"N": str(i)}, "v": {"S": "x" * 10}} for i in range(20)])
    before = time.time()
    out = ddb.create_backup(TableName=t, BackupName="first.backup-1")
    details = out["BackupDetails"]
    arn = details["BackupArn"]
    drop(backup=arn)
    assert re.match(ARN_RE % t, arn), arn
    assert details["BackupName"] == "first.backup-1"
    assert details["BackupStatus"] in ("CREATING", "AVAILABLE")
    assert details["BackupType"] == "USER"
    assert abs(details["BackupCreationDateTime"].timestamp() - before) < 5
    assert set(details) == {"BackupArn", "BackupName", "BackupStatus", "BackupType", "BackupCreationDateTime"}

    d = wait_available(ddb, arn)
    table = ddb.describe_table(TableName=t)["Table"]
    assert d["BackupDetails"]["BackupSizeBytes"] == table["TableSizeBytes"] > 0
    assert d["BackupDetails"]["BackupCreationDateTime"] == details["BackupCreationDateTime"]
    src = d["SourceTableDetails"]
    assert src["TableName"] == t and src["TableArn"] == table["TableArn"] and src["TableId"] == table["TableId"]
    assert src["ItemCount"] == 20 and src["TableSizeBytes"] == table["TableSizeBytes"]
    assert src["KeySchema"] == table["KeySchema"]
    assert src["TableCreationDateTime"] == table["CreationDateTime"]
    assert src["BillingMode"] == "PAY_PER_REQUEST"
    assert src["ProvisionedThroughput"] == {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    assert d["SourceTableFeatureDetails"] == {}

    summaries = [s for s in ddb.list_backups(TableName=t)["BackupSummaries"]]
    assert len(summaries) == 1
    s = summaries[0]
    assert s == {"TableName": t, "TableId": table["TableId"], "TableArn": table["TableArn"], "BackupArn": arn,
                 "BackupName": "first.backup-1", "BackupCreationDateTime": details["BackupCreationDateTime"],
                 "BackupStatus": "AVAILABLE", "BackupType": "USER",
                 "BackupSizeBytes": d["BackupDetails"]["BackupSizeBytes"]}

    gone = ddb.delete_backup(BackupArn=arn)["BackupDescription"]
    assert gone["BackupDetails"]["BackupStatus"] == "DELETED"
    assert gone["SourceTableDetails"] == src
    expect_error(ddb.describe_backup, "Backup not found: " + arn, code="BackupNotFoundException", BackupArn=arn)
    expect_error(ddb.delete_backup, "Backup not found: " + arn, code="BackupNotFoundException", BackupArn=arn)
    assert ddb.list_backups(TableName=t)["BackupSummaries"] == []


def test_feature_details(ddb, make_table, drop):
    t = make_table(range_key=("sk", "N"), billing="PROVISIONED",
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "sk", "AttributeType": "N"},
                                         {"AttributeName": "g", "AttributeType": "S"},
                                         {"AttributeName": "l", "AttributeType": "N"}],
                   GlobalSecondaryIndexes=[{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                            "Projection": {"ProjectionType": "KEYS_ONLY"},
                                            "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4}}],
                   LocalSecondaryIndexes=[{"IndexName": "by_l", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                                             {"AttributeName": "l", "KeyType": "RANGE"}],
                                           "Projection": {"ProjectionType": "ALL"}}],
                   StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    ddb.update_time_to_live(TableName=t, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    d = wait_available(ddb, backup(ddb, drop, t))
    assert d["SourceTableDetails"]["BillingMode"] == "PROVISIONED"
    assert d["SourceTableDetails"]["ProvisionedThroughput"] == {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    f = d["SourceTableFeatureDetails"]
    assert f["GlobalSecondaryIndexes"] == [{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                            "Projection": {"ProjectionType": "KEYS_ONLY"},
                                            "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4}}]
    assert f["LocalSecondaryIndexes"][0]["IndexName"] == "by_l"
    assert f["StreamDescription"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert f["TimeToLiveDescription"] == {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------

def test_create_backup_errors(ddb, make_table):
    missing = unique_name("nosuch")
    expect_error(ddb.create_backup, "Table not found: " + missing, code="TableNotFoundException",
                 TableName=missing, BackupName="bk1")
    t = make_table()
    expect_error(ddb.create_backup, V1 + "Value null at 'backupName' failed to satisfy constraint: Member must not "
                 "be null", TableName=t)
    expect_error(ddb.create_backup, V1 + "Value 'ab' at 'backupName' failed to satisfy constraint: Member must have "
                 "length greater than or equal to 3", TableName=t, BackupName="ab")
    expect_error(ddb.create_backup, V1 + "Value 'a b!' at 'backupName' failed to satisfy constraint: Member must "
                 "satisfy regular expression pattern: [a-zA-Z0-9_.-]+", TableName=t, BackupName="a b!")
    expect_error(ddb.create_backup, V1 + "Value null at 'tableName' failed to satisfy constraint: Member must not "
                 "be null", BackupName="bk1")


def test_backup_arn_errors(ddb, make_table):
    short = "arn:aws:dynamodb:us-east-1:0:table"
    for call in (ddb.describe_backup, ddb.delete_backup):
        expect_error(call, V1 + "Value null at 'backupArn' failed to satisfy constraint: Member must not be null")
        expect_error(call, V1 + "Value '%s' at 'backupArn' failed to satisfy constraint: Member must have length "
                     "greater than or equal to 37" % short, BackupArn=short)
    t = make_table()
    for arn in ("arn:aws:dynamodb:%s:%s:table/%s/backup/01700000000000-deadbeef" % (REGION, ACCOUNT, t),
                "arn:aws:dynamodb:us-east-1:000000000000:table/x/nothing-like-a-backup"):
        expect_error(ddb.describe_backup, "Backup not found: " + arn, code="BackupNotFoundException", BackupArn=arn)
        expect_error(ddb.restore_table_from_backup, "Backup not found: " + arn, code="BackupNotFoundException",
                     BackupArn=arn, TargetTableName=unique_name())


def test_backup_of_another_table_name_is_not_found(ddb, make_table, drop):
    """The ARN must be the backup's own: the id with another table's name in front is not it."""
    t, other = make_table(), make_table()
    arn = backup(ddb, drop, t)
    wrong = arn.replace("table/%s/" % t, "table/%s/" % other)
    expect_error(ddb.describe_backup, "Backup not found: " + wrong, code="BackupNotFoundException", BackupArn=wrong)


def test_restore_errors(ddb, make_table, drop):
    t = make_table()
    arn = backup(ddb, drop, t)
    wait_available(ddb, arn)
    expect_error(ddb.restore_table_from_backup, "Table already exists: " + t, code="TableAlreadyExistsException",
                 BackupArn=arn, TargetTableName=t)
    expect_error(ddb.restore_table_from_backup, V1 + "Value null at 'targetTableName' failed to satisfy constraint: "
                 "Member must not be null", BackupArn=arn)
    expect_error(ddb.restore_table_from_backup, V1 + "Value 'WEEKLY' at 'billingModeOverride' failed to satisfy "
                 "constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]",
                 BackupArn=arn, TargetTableName=unique_name(), BillingModeOverride="WEEKLY")
    # an index override on an attribute the backup does not define is CreateTable's own error
    with pytest.raises(ClientError) as e:
        ddb.restore_table_from_backup(BackupArn=arn, TargetTableName=unique_name(), GlobalSecondaryIndexOverride=[
            {"IndexName": "nope", "KeySchema": [{"AttributeName": "zz", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "ALL"}}])
    assert_client_error(e, "ValidationException", ANY)


def test_delete_backup_while_restoring_is_in_use(ddb, make_table, drop):
    t = make_table()
    batch_put(ddb, t, [{"pk": {"S": "k%05d" % i}, "pad": {"S": "p" * 300}} for i in range(3000 // SHARE)])
    arn = backup(ddb, drop, t)
    wait_available(ddb, arn)
    target = unique_name("restored")
    drop(table=target)
    ddb.restore_table_from_backup(BackupArn=arn, TargetTableName=target)
    try:
        ddb.delete_backup(BackupArn=arn)
    except ClientError as e:  # the restore was still reading it
        check_error(e, "BackupInUseException", IN_USE)
    wait_restored(ddb, target)


# ---------------------------------------------------------------------------------------------
# ListBackups
# ---------------------------------------------------------------------------------------------

def test_list_filters_and_paging(ddb, make_table, drop):
    a, b = make_table(), make_table()
    arns = []
    for i in range(5):
        arns.append(backup(ddb, drop, a, "bk_a%d" % i))
        time.sleep(0.005)
    # botocore sends timestamps as whole seconds: put a second boundary between the two tables' backups
    mid = int(time.time()) + 1
    time.sleep(mid - time.time() + 0.01)
    arn_b = backup(ddb, drop, b, "bk_b0")
    mine = {arn_b} | set(arns)

    listed = [s["BackupArn"] for s in ddb.list_backups()["BackupSummaries"] if s["BackupArn"] in mine]
    assert listed == arns + [arn_b]  # in creation order
    assert [s["BackupArn"] for s in ddb.list_backups(TableName=a)["BackupSummaries"]] == arns
    table_arn = ddb.describe_table(TableName=b)["Table"]["TableArn"]
    assert [s["BackupArn"] for s in ddb.list_backups(TableName=table_arn)["BackupSummaries"]] == [arn_b]
    assert ddb.list_backups(TableName=a, BackupType="SYSTEM")["BackupSummaries"] == []
    assert ddb.list_backups(TableName=a, BackupType="AWS_BACKUP")["BackupSummaries"] == []
    assert len(ddb.list_backups(TableName=a, BackupType="ALL")["BackupSummaries"]) == 5
    assert len(ddb.list_backups(TableName=a, BackupType="USER")["BackupSummaries"]) == 5

    # time range: lower bound inclusive, upper bound exclusive
    after = [s["BackupArn"] for s in ddb.list_backups(TimeRangeLowerBound=mid)["BackupSummaries"]]
    assert arn_b in after and not set(arns) & set(after)
    before = [s["BackupArn"] for s in ddb.list_backups(TableName=a, TimeRangeUpperBound=mid)["BackupSummaries"]]
    assert before == arns
    first = ddb.describe_backup(BackupArn=arns[0])["BackupDescription"]["BackupDetails"]["BackupCreationDateTime"]
    assert [s["BackupArn"] for s in ddb.list_backups(TableName=a, TimeRangeLowerBound=first,
                                                     TimeRangeUpperBound=first)["BackupSummaries"]] == []
    assert arns[0] in [s["BackupArn"] for s in ddb.list_backups(TableName=a, TimeRangeLowerBound=first)[
        "BackupSummaries"]]

    # paging
    pages, kw = [], {"TableName": a, "Limit": 2}
    while True:
        out = ddb.list_backups(**kw)
        pages.append([s["BackupArn"] for s in out["BackupSummaries"]])
        if "LastEvaluatedBackupArn" not in out:
            break
        assert out["LastEvaluatedBackupArn"] == pages[-1][-1]
        kw["ExclusiveStartBackupArn"] = out["LastEvaluatedBackupArn"]
    assert pages == [arns[0:2], arns[2:4], arns[4:5]]
    got = [s["BackupArn"] for p in ddb.get_paginator("list_backups").paginate(TableName=a, PaginationConfig={
        "PageSize": 3}) for s in p["BackupSummaries"]]
    assert got == arns


def test_list_validation(ddb):
    expect_error(ddb.list_backups, V1 + "Value '0' at 'limit' failed to satisfy constraint: Member must have value "
                 "greater than or equal to 1", Limit=0)
    expect_error(ddb.list_backups, V1 + "Value '101' at 'limit' failed to satisfy constraint: Member must have value "
                 "less than or equal to 100", Limit=101)
    expect_error(ddb.list_backups, V1 + "Value 'DAILY' at 'backupType' failed to satisfy constraint: Member must "
                 "satisfy enum value set: [USER, SYSTEM, AWS_BACKUP, ALL]", BackupType="DAILY")


# ---------------------------------------------------------------------------------------------
# Restore
# ---------------------------------------------------------------------------------------------

def test_restore_while_a_writer_writes(ddb, endpoint, make_table, drop):
    """The restored table is the source after a prefix of the writer's operations that holds every
    operation acknowledged before CreateBackup was sent and none sent after its answer."""
    t = make_table(range_key=("sk", "N"))
    batch_put(ddb, t, [{"pk": {"S": "base%d" % (i % 10)}, "sk": {"N": str(i)}, "v": {"N": "0"}} for i in range(200)])
    ops, stop = [], threading.Event()
    writer = make_client(endpoint)

    def write():
        i = 0
        while not stop.is_set():
            i += 1
            if i % 4 == 0:
                key = {"pk": {"S": "base%d" % (i % 10)}, "sk": {"N": str(i % 200)}}
                t0 = time.monotonic()
                writer.delete_item(TableName=t, Key=key)
                ops.append((t0, time.monotonic(), ("base%d" % (i % 10), str(i % 200)), None))
            else:
                key = ("new" if i % 2 else "base%d" % (i % 10), str(i if i % 2 else i % 200))
                t0 = time.monotonic()
                writer.put_item(TableName=t, Item={"pk": {"S": key[0]}, "sk": {"N": key[1]}, "v": {"N": str(i)}})
                ops.append((t0, time.monotonic(), key, str(i)))

    th = threading.Thread(target=write)
    th.start()
    ops_sent(ops, 20)
    sent = time.monotonic()
    arn = backup(ddb, drop, t)
    answered = time.monotonic()
    ops_sent(ops, 10, after=answered)
    stop.set()
    th.join()
    wait_available(ddb, arn)
    target = unique_name("restored")
    drop(table=target)
    out = ddb.restore_table_from_backup(BackupArn=arn, TargetTableName=target)["TableDescription"]
    assert out["TableStatus"] == "CREATING"
    assert out["RestoreSummary"]["SourceBackupArn"] == arn
    assert out["RestoreSummary"]["RestoreInProgress"] is True
    wait_restored(ddb, target)
    got = {(i["pk"]["S"], i["sk"]["N"]): i["v"]["N"] for i in scan_items(ddb, target)}

    state = {("base%d" % (i % 10), str(i)): "0" for i in range(200)}
    lo = sum(1 for op in ops if op[1] < sent)       # every op acknowledged before the request was sent
    hi = sum(1 for op in ops if op[0] < answered)   # ops sent before its answer arrived
    assert lo > 10 and len(ops) > hi, (lo, hi, len(ops))  # writes ran before and after the backup
    for op in ops[:lo]:
        state.pop(op[2], None) if op[3] is None else state.__setitem__(op[2], op[3])
    matches = []
    for k in range(lo, hi + 1):
        if got == state:
            matches.append(k)
        if k < hi:
            op = ops[k]
            state.pop(op[2], None) if op[3] is None else state.__setitem__(op[2], op[3])
    assert matches, "the restored table is no prefix of the writes between %d and %d" % (lo, hi)
    # the source went on: it differs from the restore now
    assert {(i["pk"]["S"], i["sk"]["N"]): i["v"]["N"] for i in scan_items(ddb, t)} != got


def test_restore_rebuilds_indexes(ddb, make_table, drop):
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"},
             {"AttributeName": "g", "AttributeType": "S"}, {"AttributeName": "l", "AttributeType": "N"}]
    gsi = {"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                              {"AttributeName": "sk", "KeyType": "RANGE"}],
           "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]}}
    lsi = {"IndexName": "by_l", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                              {"AttributeName": "l", "KeyType": "RANGE"}],
           "Projection": {"ProjectionType": "KEYS_ONLY"}}
    t = make_table(range_key=("sk", "N"), AttributeDefinitions=attrs, GlobalSecondaryIndexes=[gsi],
                   LocalSecondaryIndexes=[lsi])
    items = []
    for i in range(300):
        item = {"pk": {"S": "p%d" % (i % 7)}, "sk": {"N": str(i)}, "x": {"S": "x%d" % i}, "y": {"N": str(i)}}
        if i % 3:
            item["g"] = {"S": "g%d" % (i % 5)}
        if i % 4:
            item["l"] = {"N": str(1000 - i)}
        items.append(item)
    batch_put(ddb, t, items)
    arn = backup(ddb, drop, t)
    wait_available(ddb, arn)
    target = unique_name("restored")
    drop(table=target)
    ddb.restore_table_from_backup(BackupArn=arn, TargetTableName=target)
    desc = wait_restored(ddb, target)
    src = ddb.describe_table(TableName=t)["Table"]
    assert desc["ItemCount"] == src["ItemCount"] == 300 and desc["TableSizeBytes"] == src["TableSizeBytes"]
    assert desc["KeySchema"] == src["KeySchema"]
    assert desc["RestoreSummary"]["RestoreInProgress"] is False
    assert desc["RestoreSummary"]["SourceTableArn"] == src["TableArn"]
    assert "StreamSpecification" not in desc
    for ix in ("by_g", "by_l"):
        want = by_key(scan_items(ddb, t, ix), "pk", "sk")
        have = by_key(scan_items(ddb, target, ix), "pk", "sk")
        assert have == want and len(want) > 100
    assert by_key(scan_items(ddb, target), "pk", "sk") == by_key(items, "pk", "sk")
    q = ddb.query(TableName=target, IndexName="by_g", KeyConditionExpression="g = :g",
                  ExpressionAttributeValues={":g": {"S": "g1"}})["Items"]
    assert q == ddb.query(TableName=t, IndexName="by_g", KeyConditionExpression="g = :g",
                          ExpressionAttributeValues={":g": {"S": "g1"}})["Items"]
    # the restored table takes writes like any other, and its indexes follow
    ddb.put_item(TableName=target, Item={"pk": {"S": "new"}, "sk": {"N": "1"}, "g": {"S": "gnew"}})
    assert ddb.query(TableName=target, IndexName="by_g", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": {"S": "gnew"}})["Count"] == 1


def test_restore_overrides(ddb, make_table, drop):
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"},
             {"AttributeName": "h", "AttributeType": "N"}]
    gsis = [{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "ALL"}},
            {"IndexName": "by_h", "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}}]
    t = make_table(AttributeDefinitions=attrs, GlobalSecondaryIndexes=gsis)
    batch_put(ddb, t, [{"pk": {"S": str(i)}, "g": {"S": "g%d" % (i % 3)}, "h": {"N": str(i % 4)}} for i in range(50)])
    arn = backup(ddb, drop, t)
    wait_available(ddb, arn)

    # no index at all, provisioned, SSE on
    plain = unique_name("plain")
    drop(table=plain)
    out = ddb.restore_table_from_backup(
        BackupArn=arn, TargetTableName=plain, GlobalSecondaryIndexOverride=[], BillingModeOverride="PROVISIONED",
        ProvisionedThroughputOverride={"ReadCapacityUnits": 7, "WriteCapacityUnits": 9},
        SSESpecificationOverride={"Enabled": True, "SSEType": "KMS"})["TableDescription"]
    assert "GlobalSecondaryIndexes" not in out
    assert out["ProvisionedThroughput"]["ReadCapacityUnits"] == 7
    assert out["ProvisionedThroughput"]["WriteCapacityUnits"] == 9
    assert out["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert out["AttributeDefinitions"] == [{"AttributeName": "pk", "AttributeType": "S"}]
    assert wait_restored(ddb, plain)["ItemCount"] == 50

    # one of the two indexes kept
    one = unique_name("one")
    drop(table=one)
    ddb.restore_table_from_backup(BackupArn=arn, TargetTableName=one, GlobalSecondaryIndexOverride=[gsis[1]])
    d = wait_restored(ddb, one)
    assert [g["IndexName"] for g in d["GlobalSecondaryIndexes"]] == ["by_h"]
    assert d["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert sorted(a["AttributeName"] for a in d["AttributeDefinitions"]) == ["h", "pk"]
    assert len(scan_items(ddb, one, "by_h")) == 50


def test_restored_table_is_closed_while_creating(ddb, make_table, drop):
    """While a restore fills the table it is CREATING: reads and writes answer ResourceNotFound."""
    t = make_table()
    batch_put(ddb, t, [{"pk": {"S": "k%05d" % i}, "pad": {"S": "p" * 200}} for i in range(4000 // SHARE)])
    arn = backup(ddb, drop, t)
    wait_available(ddb, arn)
    target = unique_name("restored")
    drop(table=target)
    ddb.restore_table_from_backup(BackupArn=arn, TargetTableName=target)
    try:
        ddb.get_item(TableName=target, Key={"pk": {"S": "k00001"}})
        closed = False
    except ClientError as e:
        check_error(e, "ResourceNotFoundException", "Requested resource not found")
        closed = True
    if not closed:  # the restore was already done: it must then be complete
        assert ddb.describe_table(TableName=target)["Table"]["TableStatus"] == "ACTIVE"
    assert wait_restored(ddb, target)["ItemCount"] == 4000 // SHARE


# ---------------------------------------------------------------------------------------------
# Restarts
# ---------------------------------------------------------------------------------------------

def test_backups_survive_a_restart(server_factory, tmp_path):
    data = tmp_path / "data"
    first = server_factory(["--data-dir", str(data)])
    c = make_client(first.endpoint)
    c.create_table(**create_table_params("src", range_key=("sk", "N")))
    batch_put(c, "src", [{"pk": {"S": "a"}, "sk": {"N": str(i)}} for i in range(100)])
    arn = c.create_backup(TableName="src", BackupName="keep")["BackupDetails"]["BackupArn"]
    wait_available(c, arn)
    c.put_item(TableName="src", Item={"pk": {"S": "after"}, "sk": {"N": "0"}})
    assert first.stop() == 0

    second = server_factory(["--data-dir", str(data)])
    c = make_client(second.endpoint)
    d = c.describe_backup(BackupArn=arn)["BackupDescription"]
    assert d["BackupDetails"]["BackupStatus"] == "AVAILABLE" and d["SourceTableDetails"]["ItemCount"] == 100
    assert [s["BackupArn"] for s in c.list_backups()["BackupSummaries"]] == [arn]
    c.restore_table_from_backup(BackupArn=arn, TargetTableName="copy")
    assert wait_restored(c, "copy")["ItemCount"] == 100
    assert c.get_item(TableName="copy", Key={"pk": {"S": "after"}, "sk": {"N": "0"}}).get("Item") is None
    assert second.stop() == 0

    third = server_factory(["--data-dir", str(data)])
    c = make_client(third.endpoint)
    assert c.describe_table(TableName="copy")["Table"]["ItemCount"] == 100
    assert c.describe_table(TableName="copy")["Table"]["RestoreSummary"]["SourceBackupArn"] == arn
    c.delete_backup(BackupArn=arn)
    assert c.list_backups()["BackupSummaries"] == []


def test_backups_belong_to_their_namespace(server_factory):
    """With --namespaces a backup belongs to its account and region: another region neither lists
    nor finds it, and its ARN names its own region."""
    import boto3
    from botocore.config import Config
    server = server_factory(["--in-memory", "--namespaces"])
    east = make_client(server.endpoint)
    west = boto3.client("dynamodb", endpoint_url=server.endpoint, region_name="us-west-2",
                        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                        config=Config(retries={"total_max_attempts": 1}))
    for c in (east, west):
        c.create_table(**create_table_params("shared"))
    arn = east.create_backup(TableName="shared", BackupName="mine")["BackupDetails"]["BackupArn"]
    arn_west = west.create_backup(TableName="shared", BackupName="mine")["BackupDetails"]["BackupArn"]
    assert arn.startswith("arn:aws:dynamodb:us-east-1:") and arn_west.startswith("arn:aws:dynamodb:us-west-2:")
    assert [s["BackupArn"] for s in east.list_backups()["BackupSummaries"]] == [arn]
    assert [s["BackupArn"] for s in west.list_backups()["BackupSummaries"]] == [arn_west]
    with pytest.raises(ClientError) as e:
        west.describe_backup(BackupArn=arn)
    assert_client_error(e, "BackupNotFoundException", "Backup not found: " + arn)
    wait_available(west, arn_west)
    west.restore_table_from_backup(BackupArn=arn_west, TargetTableName="copy")
    wait_restored(west, "copy")
    expect_error(east.describe_table, "Requested resource not found: Table: copy not found",
                 code="ResourceNotFoundException", TableName="copy")
