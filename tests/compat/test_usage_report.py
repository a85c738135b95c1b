"""GET /ddbd/usage (issue 53, section 2, first slice): the units the requests consumed, by table,
operation and index, priced from server/doors/prices.def (us-east-1), for the window observed and
projected to a month (730 hours) at the observed rate. The workload's sizes are known, so every
unit and every dollar is worked by hand here from the developer guide's arithmetic (a write
unit per KB, a strongly consistent read unit per 4 KB, half that eventually consistent, twice for
a transaction) and the price table."""
import json
import os
import subprocess
import time
import urllib.error
import urllib.request

import boto3
import pytest

from conftest import DDBD_BIN, raw_request, unique_name
from helpers import admin_call, clock, raw_call as call, usage_of

MONTH = 730 * 3600
# prices.def, us-east-1: $ per million request units, per capacity unit hour, per GB-month
STD = {"read": 0.125, "write": 0.625, "rcu_hour": 0.00013, "wcu_hour": 0.00065, "gb_month": 0.25}
IA = {"read": 0.155, "write": 0.78, "rcu_hour": 0.00016, "wcu_hour": 0.00081, "gb_month": 0.10}
PAD = "v" * 1500  # an item {"pk": "kN", "v": PAD} is 2 + 2 + 1 + 1,500 = 1,505 bytes: 2 write units


def table(endpoint, name, **extra):
    defs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if "GlobalSecondaryIndexes" in extra:
        defs.append({"AttributeName": "g", "AttributeType": "S"})
    body = {"TableName": name, "AttributeDefinitions": defs, "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}
    body.update(extra)
    if "ProvisionedThroughput" not in extra:
        body["BillingMode"] = "PAY_PER_REQUEST"
    call(endpoint, "CreateTable", body)


def usage(endpoint):
    with urllib.request.urlopen(endpoint + "/ddbd/usage", timeout=5) as r:
        assert r.headers["Content-Type"].startswith("application/json")
        return json.loads(r.read())


def cost(prices, read, write):
    return read * prices["read"] / 1e6 + write * prices["write"] / 1e6


def ops(entry):
    return {o["operation"]: (o["readUnits"], o["writeUnits"], o["cost"]) for o in entry["operations"]}


@pytest.fixture
def server(server_factory):
    return server_factory(("--in-memory", "--admin", "--clock", "frozen"))


def test_a_known_workload_costs_what_the_price_table_says(server):
    e = server.endpoint
    std, ia = unique_name("ustd"), unique_name("uia")
    table(e, std)
    table(e, ia, TableClass="STANDARD_INFREQUENT_ACCESS")
    for i in range(10):  # 10 x 2 = 20 write units
        call(e, "PutItem", {"TableName": std, "Item": {"pk": {"S": "k%d" % i}, "v": {"S": PAD}}})
    for i in range(4):  # 4 x 1 (1,505 bytes < 4 KB, strongly consistent)
        call(e, "GetItem", {"TableName": std, "Key": {"pk": {"S": "k%d" % i}}, "ConsistentRead": True})
    for i in range(6):  # 6 x 0.5 (eventually consistent)
        call(e, "GetItem", {"TableName": std, "Key": {"pk": {"S": "k%d" % i}}})
    call(e, "Query", {"TableName": std, "KeyConditionExpression": "pk = :p",  # 0.5
                      "ExpressionAttributeValues": {":p": {"S": "k0"}}})
    call(e, "TransactWriteItems", {"TransactItems": [  # 2 x 2 (transactional)
        {"Put": {"TableName": std, "Item": {"pk": {"S": "k10"}, "v": {"S": PAD}}}}]})  # 1,506 bytes
    for i in range(2):  # Standard-IA: 2 x 2 write units, 2 x 1 read unit
        call(e, "PutItem", {"TableName": ia, "Item": {"pk": {"S": "k%d" % i}, "v": {"S": PAD}}})
        call(e, "GetItem", {"TableName": ia, "Key": {"pk": {"S": "k%d" % i}}, "ConsistentRead": True})
    # a refused write is charged too (one unit: the existing item, 1,505 bytes, is 2)
    resp = raw_request(e, "PutItem", {"TableName": std, "Item": {"pk": {"S": "k0"}},
                                      "ConditionExpression": "attribute_not_exists(pk)"})
    assert resp.status == 400

    report = usage(e)
    assert report["region"] == "us-east-1" and report["prices"]["date"] and report["prices"]["source"].startswith("https://aws.amazon.com/dynamodb/pricing")
    assert report["monthSeconds"] == MONTH
    window = report["windowSeconds"]
    s = usage_of(report, std)
    assert (s["tableClass"], s["billingMode"]) == ("STANDARD", "PAY_PER_REQUEST")
    assert (s["readUnits"], s["writeUnits"]) == (7.5, 26)  # 4 + 3 + 0.5; 20 + 4 + 2
    assert ops(s) == {"PutItem": (0, 22, pytest.approx(cost(STD, 0, 22))),
                      "GetItem": (7, 0, pytest.approx(cost(STD, 7, 0))),
                      "Query": (0.5, 0, pytest.approx(cost(STD, 0.5, 0))),
                      "TransactWriteItems": (0, 4, pytest.approx(cost(STD, 0, 4)))}
    # 7.5 x $0.125 + 26 x $0.625 per million: $0.0000171875
    assert s["cost"] == pytest.approx(17.1875e-6)
    assert s["monthlyCost"] == pytest.approx(17.1875e-6 * MONTH / window)
    a = usage_of(report, ia)
    assert (a["tableClass"], a["readUnits"], a["writeUnits"]) == ("STANDARD_INFREQUENT_ACCESS", 2, 4)
    assert a["cost"] == pytest.approx(2 * 0.155e-6 + 4 * 0.78e-6)  # $0.00000343
    assert report["total"]["cost"] == pytest.approx(17.1875e-6 + 3.43e-6)
    assert report["total"]["monthlyCost"] == pytest.approx((17.1875e-6 + 3.43e-6) * MONTH / window)
    assert (report["total"]["readUnits"], report["total"]["writeUnits"]) == (9.5, 30)
    # storage: the items' bytes and 100 bytes an item (10 items of 1,505 bytes, k10's of 1,506), at
    # $0.25 per GB-month
    d = call(e, "DescribeTable", {"TableName": std})["Table"]
    assert (d["ItemCount"], d["TableSizeBytes"]) == (11, 10 * 1505 + 1506)
    assert s["storageBytes"] == 16556 + 11 * 100
    assert s["storageMonthlyCost"] == pytest.approx((16556 + 1100) / 2 ** 30 * 0.25)


def test_the_window_projects_to_a_month(server):
    """The month is the window's cost at the observed rate: an hour observed is 1/730 of it."""
    e = server.endpoint
    name = unique_name("uwin")
    table(e, name)
    call(e, "PutItem", {"TableName": name, "Item": {"pk": {"S": "a"}, "v": {"S": PAD}}})
    req = urllib.request.Request(e + "/ddbd/clock", data=json.dumps({"advance": 3600 * 1000}).encode(),
                                 method="POST", headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req).read()
    report = usage(e)
    assert report["windowSeconds"] == 3600  # the frozen clock: an hour to the millisecond
    t = usage_of(report, name)
    assert t["cost"] == pytest.approx(cost(STD, 0, 2))
    assert t["monthlyCost"] == pytest.approx(t["cost"] * 730)


def test_indexes_and_provisioned_capacity(server):
    e = server.endpoint
    name = unique_name("uprov")
    table(e, name, ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 2},
          GlobalSecondaryIndexes=[{"IndexName": "gix", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                   "Projection": {"ProjectionType": "ALL"},
                                   "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 1}}])
    # 1,511 bytes ({"pk", "g", "v"}): 2 units on the table and 2 on the index it is projected into
    call(e, "PutItem", {"TableName": name, "Item": {"pk": {"S": "a"}, "g": {"S": "x"}, "v": {"S": PAD}}})
    call(e, "Query", {"TableName": name, "IndexName": "gix", "KeyConditionExpression": "g = :g",
                      "ExpressionAttributeValues": {":g": {"S": "x"}}})  # 0.5 on the index
    report = usage(e)
    t = usage_of(report, name)
    assert (t["billingMode"], t["readUnits"], t["writeUnits"]) == ("PROVISIONED", 0.5, 4)
    assert t["indexes"] == [{"index": "gix", "readUnits": 0.5, "writeUnits": 2,
                             "cost": pytest.approx(cost(STD, 0.5, 2)),
                             "monthlyCost": pytest.approx(cost(STD, 0.5, 2) * MONTH / report["windowSeconds"])}]
    # the capacity is paid for whatever is consumed: (5 + 3) RCU x $0.00013 + (2 + 1) WCU x $0.00065 an hour
    p = t["provisioned"]
    assert (p["readCapacityUnits"], p["writeCapacityUnits"]) == (8, 3)
    assert p["monthlyCost"] == pytest.approx((8 * 0.00013 + 3 * 0.00065) * 730)  # $2.1827
    assert p["cost"] == pytest.approx((8 * 0.00013 + 3 * 0.00065) * report["windowSeconds"] / 3600)


def test_usage_is_a_door_of_the_admin_api(server_factory):
    """Without --admin, /ddbd/usage is refused like every admin endpoint; POST is not served."""
    srv = server_factory(("--in-memory",))
    statuses = []
    for path in ("/ddbd/usage", "/ddbd/clock"):
        try:
            urllib.request.urlopen(srv.endpoint + path, timeout=5)
            statuses.append(200)
        except urllib.error.HTTPError as err:
            statuses.append(err.code)
    assert statuses[0] == statuses[1] and statuses[0] != 200


# The rows of server/doors/prices.def, by column, in the report's names (issue 53, section 2: every
# line of DynamoDB's price list the report prices, each with its source in prices.def's header)
COLUMNS = ["readRequestUnitsPerMillion", "writeRequestUnitsPerMillion", "readCapacityUnitHour",
           "writeCapacityUnitHour", "storageGbMonth", "replicatedWriteRequestUnitsPerMillion",
           "replicatedWriteCapacityUnitHour", "streamsReadRequestUnitsPerMillion", "pitrGbMonth",
           "backupGbMonth", "exportGb", "importGb"]


def test_the_report_shows_every_price_it_works_from(server):
    report = usage(server.endpoint)
    rows = {r.pop("tableClass"): r for r in report["prices"]["tableClasses"]}
    assert rows == {
        # us-east-1, 2026-11-25: RRU, WRU, RCU-h, WCU-h, GB-month, rWRU, rWCU-h, streams, PITR, backup, export, import
        "STANDARD": dict(zip(COLUMNS, [0.125, 0.625, 0.00013, 0.00065, 0.25, 0.625, 0.00065, 0.20, 0.20, 0.10, 0.10, 0.15])),
        "STANDARD_INFREQUENT_ACCESS": dict(zip(COLUMNS, [0.155, 0.78, 0.00016, 0.00081, 0.10, 0.78, 0.00081, 0.20, 0.20,
                                                         0.10, 0.10, 0.15])),
    }


def test_provisioned_capacity_is_sized_from_the_observed_peak(server):
    """Beside the on-demand figure, what provisioned capacity would cost: each of the table's and its
    GSIs' peak units a second / 70 % (DynamoDB auto scaling's default target), rounded up, at least 1."""
    e = server.endpoint
    name = unique_name("upeak")
    table(e, name, GlobalSecondaryIndexes=[{"IndexName": "gix", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                            "Projection": {"ProjectionType": "ALL"}}])
    second = 1893456000 * 1000  # every request of the peak in one second of the server's clock
    for i in range(7):  # 1,507 bytes ({"pk": "kN", "g": "x", "v": PAD}): 2 units on the table and 2 on gix
        clock(e, set=second)
        call(e, "PutItem", {"TableName": name, "Item": {"pk": {"S": "k%d" % i}, "g": {"S": "x"}, "v": {"S": PAD}}})
    for i in range(3):  # 1 unit each, strongly consistent
        clock(e, set=second)
        call(e, "GetItem", {"TableName": name, "Key": {"pk": {"S": "k%d" % i}}, "ConsistentRead": True})
    clock(e, set=second + 1000)  # a quieter second after: 2 write units, the peak stays 14
    call(e, "PutItem", {"TableName": name, "Item": {"pk": {"S": "k9"}, "g": {"S": "y"}, "v": {"S": PAD}}})
    report = usage(e)
    p = usage_of(report, name)["provisionedAtPeak"]
    # table: 3 read units a second -> ceil(3 / 0.7) = 5 RCU; 14 write units -> 20 WCU;
    # gix: no reads -> 1 RCU (the least a table or index can have); 14 write units -> 20 WCU
    assert p["targetUtilization"] == 0.7
    assert (p["peakReadUnitsPerSecond"], p["peakWriteUnitsPerSecond"]) == (3, 14)
    assert (p["readCapacityUnits"], p["writeCapacityUnits"]) == (5, 20)
    assert p["indexes"] == [{"index": "gix", "peakReadUnitsPerSecond": 0, "peakWriteUnitsPerSecond": 14,
                             "readCapacityUnits": 1, "writeCapacityUnits": 20}]
    hourly = (5 + 1) * 0.00013 + (20 + 20) * 0.00065  # $0.02678 an hour
    assert p["monthlyCost"] == pytest.approx(hourly * 730)  # $19.5494
    assert p["cost"] == pytest.approx(hourly * report["windowSeconds"] / 3600)


def test_pitr_and_backups_are_priced_when_used(server):
    """PITR: the table's billable storage at $0.20 a GB-month while it is on; on-demand backups:
    their BackupSizeBytes at $0.10 a GB-month. Neither line is there before it is used."""
    e = server.endpoint
    name = unique_name("upitr")
    table(e, name)
    for i in range(10):  # 10 items of 1,505 bytes
        call(e, "PutItem", {"TableName": name, "Item": {"pk": {"S": "k%d" % i}, "v": {"S": PAD}}})
    before = usage(e)
    assert "pitr" not in usage_of(before, name) and "backups" not in before
    call(e, "UpdateContinuousBackups", {"TableName": name,
                                        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}})
    arn = call(e, "CreateBackup", {"TableName": name, "BackupName": "nightly"})["BackupDetails"]["BackupArn"]
    for _ in range(100):
        d = call(e, "DescribeBackup", {"BackupArn": arn})["BackupDescription"]["BackupDetails"]
        if d["BackupStatus"] == "AVAILABLE":
            break
        time.sleep(0.1)
    assert d["BackupSizeBytes"] == 10 * 1505
    report = usage(e)
    p = usage_of(report, name)["pitr"]
    assert p["storageBytes"] == 10 * 1505 + 10 * 100  # the table's billable storage, as storageBytes
    assert p["monthlyCost"] == pytest.approx(16050 / 2 ** 30 * 0.20)  # $0.00000299
    assert p["cost"] == pytest.approx(p["monthlyCost"] * report["windowSeconds"] / MONTH)
    b = report["backups"]
    assert (b["backups"], b["bytes"]) == (1, 15050)
    assert b["monthlyCost"] == pytest.approx(15050 / 2 ** 30 * 0.10)  # $0.0000014
    assert b["cost"] == pytest.approx(b["monthlyCost"] * report["windowSeconds"] / MONTH)


DDB_CLI = os.path.join(os.path.dirname(DDBD_BIN), "ddb")  # the `ddb` tool built beside ddbd


def ddb_cli(endpoint, *args):
    return subprocess.run([DDB_CLI, "--endpoint", endpoint] + list(args), capture_output=True, text=True, timeout=30)


def test_ddb_usage_prints_the_report(server):
    """`ddb usage`: the same JSON as GET /ddbd/usage (through libddb's ddb_get_path)."""
    e = server.endpoint
    name = unique_name("ucli")
    table(e, name)
    for i in range(3):  # 3 x 2 write units: $0.00000375
        call(e, "PutItem", {"TableName": name, "Item": {"pk": {"S": "k%d" % i}, "v": {"S": PAD}}})
    out = ddb_cli(e, "usage")
    assert (out.returncode, out.stderr) == (0, "")
    printed = json.loads(out.stdout)
    t = usage_of(printed, name)
    assert (t["readUnits"], t["writeUnits"]) == (0, 6)
    assert t["cost"] == pytest.approx(6 * 0.625e-6)
    assert set(printed) == set(usage(e))  # the whole report, member for member


def test_ddb_usage_without_admin_says_why(server_factory):
    srv = server_factory(("--in-memory",))
    out = ddb_cli(srv.endpoint, "usage")
    assert (out.returncode, out.stdout) == (1, "")
    assert out.stderr == "ddb: usage: GET /ddbd/usage refused (is ddbd started with --admin?): <UnknownOperationException/>\n"
    out = ddb_cli(srv.endpoint, "usage", "extra")
    assert out.returncode == 2 and out.stderr.startswith("ddb: usage takes")


def wait_status(e, op, key, arn, member, status_member):
    for _ in range(300):
        d = call(e, op, {key: arn})[member]
        if d[status_member] not in ("IN_PROGRESS", "CANCELLING"):
            return d
        time.sleep(0.1)
    pytest.fail("%s did not end" % op)


def test_exports_and_imports_are_priced_when_used(server_factory, tmp_path):
    """An export: its BilledSizeBytes at $0.10 a GB; an import: its ProcessedSizeBytes (the source's
    uncompressed size) at $0.15 a GB, once each. Neither line is there before one completes."""
    (tmp_path / "bkt" / "in").mkdir(parents=True)
    srv = server_factory(("--in-memory", "--admin", "--export-dir", str(tmp_path)))
    e = srv.endpoint
    name = unique_name("uexp")
    table(e, name)
    for i in range(10):  # 10 items of 1,505 bytes
        call(e, "PutItem", {"TableName": name, "Item": {"pk": {"S": "k%d" % i}, "v": {"S": PAD}}})
    before = usage(e)
    assert "exports" not in before and "imports" not in before
    call(e, "UpdateContinuousBackups", {"TableName": name,
                                        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}})
    arn = call(e, "DescribeTable", {"TableName": name})["Table"]["TableArn"]
    x = call(e, "ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": "bkt", "S3Prefix": "out",
                                             "ExportFormat": "DYNAMODB_JSON"})["ExportDescription"]
    x = wait_status(e, "DescribeExport", "ExportArn", x["ExportArn"], "ExportDescription", "ExportStatus")
    assert (x["ExportStatus"], x["BilledSizeBytes"]) == ("COMPLETED", 10 * 1505)
    # 3 lines of DynamoDB JSON, 100 bytes each with their newlines: 300 bytes
    line = '{"Item":{"pk":{"S":"%s"},"v":{"S":"%s"}}}\n'
    (tmp_path / "bkt" / "in" / "a.json").write_text("".join(line % (k, "x" * (100 - len(line % (k, "")))) for k in "abc"))
    im = call(e, "ImportTable", {"S3BucketSource": {"S3Bucket": "bkt", "S3KeyPrefix": "in/"}, "InputFormat": "DYNAMODB_JSON",
                                 "InputCompressionType": "NONE", "TableCreationParameters": {
                                     "TableName": unique_name("uimp"), "BillingMode": "PAY_PER_REQUEST",
                                     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                                     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}})
    im = wait_status(e, "DescribeImport", "ImportArn", im["ImportTableDescription"]["ImportArn"],
                     "ImportTableDescription", "ImportStatus")
    assert (im["ImportStatus"], im["ProcessedSizeBytes"]) == ("COMPLETED", 300)
    report = usage(e)
    assert (report["exports"]["exports"], report["exports"]["bytes"]) == (1, 15050)
    assert report["exports"]["cost"] == pytest.approx(15050 / 2 ** 30 * 0.10)  # $0.0000014
    assert report["exports"]["monthlyCost"] == pytest.approx(report["exports"]["cost"] * MONTH / report["windowSeconds"])
    assert (report["imports"]["imports"], report["imports"]["bytes"]) == (1, 300)
    assert report["imports"]["cost"] == pytest.approx(300 / 2 ** 30 * 0.15)


def call_in(endpoint, region, op, body):
    """op in `region`'s namespace (--namespaces), through boto3."""
    c = boto3.client("dynamodb", endpoint_url=endpoint, region_name=region, aws_access_key_id="AKIDU",
                     aws_secret_access_key="secret")
    return c._make_api_call(op, body)


def test_a_global_table_s_writes_are_priced_again_in_each_other_replica(server_factory):
    """A write to a global table is written again in every other replica's Region, billed there
    as replicated write request units ($0.625 a million since 2024-11-01, us-east-1); a
    transaction's are not doubled there (a replica applies plain writes)."""
    srv = server_factory(("--in-memory", "--admin", "--namespaces"))
    e = srv.endpoint
    east = lambda op, body: call_in(e, "us-east-1", op, body)
    name = unique_name("ugt")
    east("CreateTable", {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
                         "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                         "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
    for n, region in enumerate(("us-west-2", "eu-west-1")):  # one replica an UpdateTable
        east("UpdateTable", {"TableName": name, "ReplicaUpdates": [{"Create": {"RegionName": region}}]})
        for _ in range(200):
            d = east("DescribeTable", {"TableName": name})["Table"]
            if d["TableStatus"] == "ACTIVE" and len(d.get("Replicas", [])) == n + 1 \
                    and all(r["ReplicaStatus"] == "ACTIVE" for r in d["Replicas"]):
                break
            time.sleep(0.05)
    for i in range(3):  # 3 x 2 write units
        east("PutItem", {"TableName": name, "Item": {"pk": {"S": "k%d" % i}, "v": {"S": PAD}}})
    east("TransactWriteItems", {"TransactItems": [  # 4 write units here, 2 in each other replica
        {"Put": {"TableName": name, "Item": {"pk": {"S": "t"}, "v": {"S": PAD}}}}]})
    report = usage(e)
    # each Region's table under the one name: the others say which they are (docs/usage.md)
    assert sorted((t.get("account", ""), t.get("region", "")) for t in report["tables"] if t["table"] == name) == [
        ("", ""), ("000000000000", "eu-west-1"), ("000000000000", "us-west-2")]
    here = [t for t in report["tables"] if t["table"] == name and t["replicatedWrites"]["region"] == "us-east-1"][0]
    assert here["writeUnits"] == 10
    r = here["replicatedWrites"]
    assert (r["replicas"], r["replicatedWriteUnits"]) == (2, 16)  # (6 + 2) x 2 other Regions
    assert r["cost"] == pytest.approx(16 * 0.625e-6)  # $0.00001
    assert r["monthlyCost"] == pytest.approx(r["cost"] * MONTH / report["windowSeconds"])
    plain = unique_name("uplain")
    east("CreateTable", {"TableName": plain, "BillingMode": "PAY_PER_REQUEST",
                         "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                         "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
    assert "replicatedWrites" not in usage_of(usage(e), plain)  # one Region: nothing replicated


def test_a_global_table_s_items_are_billed_48_bytes_more(server_factory):
    """The developer guide's "DynamoDB item sizes and formats", storage billing: every item 100 bytes
    of overhead, and "global tables requires an additional 48 bytes of storage overhead" (its
    system attributes). 10 items of a replicated table were billed 3,050 bytes where that gives
    3,530; a table without replicas stays at 100 an item."""
    srv = server_factory(("--in-memory", "--admin", "--namespaces"))
    e = srv.endpoint
    east = lambda op, body: call_in(e, "us-east-1", op, body)
    tables = {}
    for kind in ("global", "plain"):
        tables[kind] = unique_name("u48")
        east("CreateTable", {"TableName": tables[kind], "BillingMode": "PAY_PER_REQUEST",
                             "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                             "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
    east("UpdateTable", {"TableName": tables["global"], "ReplicaUpdates": [{"Create": {"RegionName": "us-west-2"}}]})
    for _ in range(200):
        d = east("DescribeTable", {"TableName": tables["global"]})["Table"]
        if d["TableStatus"] == "ACTIVE" and [r["ReplicaStatus"] for r in d.get("Replicas", [])] == ["ACTIVE"]:
            break
        time.sleep(0.05)
    for name in tables.values():
        for i in range(10):
            east("PutItem", {"TableName": name, "Item": {"pk": {"S": "k%d" % i}, "v": {"S": "x" * 200}}})
    report = usage(e)
    for kind, per_item in (("global", 148), ("plain", 100)):
        size = east("DescribeTable", {"TableName": tables[kind]})["Table"]["TableSizeBytes"]
        assert size == 10 * (4 + 201)
        billed = [t for t in report["tables"] if t["table"] == tables[kind]
                  and t.get("replicatedWrites", {"region": "us-east-1"})["region"] == "us-east-1"][0]
        assert billed["storageBytes"] == size + 10 * per_item, kind


def test_a_global_table_s_transaction_replicates_its_index_entries_once(server_factory):
    """Issue 64: a transaction's index entries are charged once (docs/usage.md, "Transactions and
    indexes"), so a replica applies the table's units once and the GSI's once: a Put of a small
    item in one GSI is 3 units here (2 + 1) and 2 in each other replica (1 + 1), not 3 / 2."""
    srv = server_factory(("--in-memory", "--admin", "--namespaces"))
    e = srv.endpoint
    east = lambda op, body: call_in(e, "us-east-1", op, body)
    name = unique_name("ugtix")
    east("CreateTable", {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
                         "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                                  {"AttributeName": "g", "AttributeType": "S"}],
                         "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                         "GlobalSecondaryIndexes": [{"IndexName": "gix", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                                     "Projection": {"ProjectionType": "ALL"}}]})
    east("UpdateTable", {"TableName": name, "ReplicaUpdates": [{"Create": {"RegionName": "us-west-2"}}]})
    for _ in range(200):
        d = east("DescribeTable", {"TableName": name})["Table"]
        if d["TableStatus"] == "ACTIVE" and [r["ReplicaStatus"] for r in d.get("Replicas", [])] == ["ACTIVE"] \
                and all(g["IndexStatus"] == "ACTIVE" for g in d["GlobalSecondaryIndexes"]):
            break
        time.sleep(0.05)
    east("TransactWriteItems", {"TransactItems": [{"Put": {"TableName": name, "Item": {"pk": {"S": "t"}, "g": {"S": "x"}}}}]})
    east("PutItem", {"TableName": name, "Item": {"pk": {"S": "p"}, "g": {"S": "x"}}})  # 2 here, 2 there
    here = [t for t in usage(e)["tables"] if t["table"] == name and t["replicatedWrites"]["region"] == "us-east-1"][0]
    assert here["writeUnits"] == 5
    assert (here["replicatedWrites"]["replicas"], here["replicatedWrites"]["replicatedWriteUnits"]) == (1, 4)


def test_a_global_table_s_ttl_deletes_are_priced_in_each_other_replica(server_factory):
    """An item TTL deletes is deleted "without consuming write units on the source table, but the
    replica tables will get a replicated write of that delete operation and will incur replicated
    write unit costs" (the developer guide, "Throughput capacity planning for DynamoDB global
    tables"): its table's and GSI's units count in replicatedWrites, not in writeUnits. ddbd left
    them out (issue 72: the model's global tables with TTL). On the frozen clock: the step that
    expires the item waits for the sweep and for replication."""
    start = 1893456000000
    srv = server_factory(("--in-memory", "--admin", "--namespaces", "--clock", "frozen@%d" % start))
    e = srv.endpoint
    east = lambda op, body: call_in(e, "us-east-1", op, body)
    west = lambda op, body: call_in(e, "us-west-2", op, body)
    step = lambda ms: admin_call(e, "POST", "/ddbd/clock", {"advance": ms})
    name = unique_name("ugttl")
    east("CreateTable", {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
                         "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                                  {"AttributeName": "g", "AttributeType": "S"}],
                         "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                         "GlobalSecondaryIndexes": [{"IndexName": "gix", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                                     "Projection": {"ProjectionType": "ALL"}}]})
    east("UpdateTable", {"TableName": name, "ReplicaUpdates": [{"Create": {"RegionName": "us-west-2"}}]})
    assert step(1)[0] == 200   # (the replica's copy made)
    assert west("DescribeTable", {"TableName": name})["Table"]["TableStatus"] == "ACTIVE"
    east("UpdateTimeToLive", {"TableName": name, "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "t"}})
    east("PutItem", {"TableName": name, "Item": {"pk": {"S": "k"}, "g": {"S": "x"}, "v": {"S": "y" * 2900},
                                                 "t": {"N": str(start // 1000 + 10)}}})   # 3 + 3 write units
    assert step(1)[0] == 200 and west("GetItem", {"TableName": name, "Key": {"pk": {"S": "k"}}}).get("Item")
    assert step(60000)[0] == 200   # expired: deleted here, the delete replicated
    assert "Item" not in west("GetItem", {"TableName": name, "Key": {"pk": {"S": "k"}}})
    here = [t for t in usage(e)["tables"] if t["table"] == name and t["replicatedWrites"]["region"] == "us-east-1"][0]
    assert here["writeUnits"] == 6
    assert here["replicatedWrites"]["replicatedWriteUnits"] == 12   # the put's 6, the delete's 6


def test_stream_reads_are_priced_per_getrecords_call(server):
    """Each GetRecords call is a streams read request unit, $0.02 per 100,000; it consumes no read
    capacity (the table's units stay the writes'). An empty answer is a call too."""
    e = server.endpoint
    name = unique_name("ustr")
    table(e, name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    for i in range(3):
        call(e, "PutItem", {"TableName": name, "Item": {"pk": {"S": "k%d" % i}}})
    assert "streams" not in usage_of(usage(e), name)
    arn = call(e, "DescribeTable", {"TableName": name})["Table"]["LatestStreamArn"]
    shards = call(e, "DynamoDBStreams_20120810.DescribeStream", {"StreamArn": arn})["StreamDescription"]["Shards"]
    records = calls = 0
    for shard in shards:  # (which shard a key's records are in is its partition's: any of them)
        it = call(e, "DynamoDBStreams_20120810.GetShardIterator", {"StreamArn": arn, "ShardId": shard["ShardId"],
                                          "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
        while True:  # the shard's records, two a call, then an empty answer
            got = call(e, "DynamoDBStreams_20120810.GetRecords", {"ShardIterator": it, "Limit": 2})
            calls += 1
            records += len(got["Records"])
            it = got["NextShardIterator"]
            if not got["Records"]:
                break
    assert records == 3 and calls >= len(shards) + 2
    t = usage_of(usage(e), name)
    assert t["streams"]["readRequestUnits"] == calls
    assert t["streams"]["cost"] == pytest.approx(calls * 0.20e-6)  # $0.02 per 100,000
    assert (t["readUnits"], t["writeUnits"]) == (0, 3)
    assert [o["operation"] for o in t["operations"]] == ["PutItem"]  # GetRecords consumed no units


def boto(endpoint):
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="x", aws_secret_access_key="x")


def patterns(entry):
    return {p["pattern"]: (p["readUnits"], p["writeUnits"], p["cost"], p["monthlyCost"])
            for p in entry["accessPatterns"]}


def test_cost_by_access_pattern_from_the_key_shape(server):
    """Each access pattern (operation, index, the partition key's prefix up to its first separator,
    a Query's sort key operator and operand prefix) gets the exact units its requests consumed,
    priced at the report's own read and write prices; the dearest pattern first."""
    e = server.endpoint
    db = boto(e)
    name = unique_name("upat")
    db.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                          {"AttributeName": "sk", "AttributeType": "S"}],
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                               {"AttributeName": "sk", "KeyType": "RANGE"}])
    # every item: pk (2) + 6 + sk (2) + 7 + v (1) + 1,500 = 1,518 bytes: 2 write units, 1 strong read unit
    for i in range(1, 6):  # PutItem pk=USER#*: 5 x 2 = 10 write units
        db.put_item(TableName=name, Item={"pk": {"S": "USER#%d" % i}, "sk": {"S": "PROFILE"}, "v": {"S": PAD}})
    for i in range(1, 4):  # PutItem pk=CUST#*: 3 x 2 = 6 write units
        db.put_item(TableName=name, Item={"pk": {"S": "CUST#1"}, "sk": {"S": "ORDER#%d" % i}, "v": {"S": PAD}})
    for i in range(1, 5):  # GetItem pk=USER#*: 4 x 1 (strongly consistent, 1,518 bytes < 4 KB)
        db.get_item(TableName=name, Key={"pk": {"S": "USER#%d" % i}, "sk": {"S": "PROFILE"}}, ConsistentRead=True)
    # GetItem pk=*: a key without a separator, not found: 0.5 (eventually consistent)
    db.get_item(TableName=name, Key={"pk": {"S": "plain"}, "sk": {"S": "x"}})
    for _ in range(2):  # 3 x 1,518 = 4,554 bytes: 2 strong read units a Query, 4 in all
        got = db.query(TableName=name, ConsistentRead=True,
                       KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
                       ExpressionAttributeValues={":p": {"S": "CUST#1"}, ":s": {"S": "ORDER#"}})
        assert got["Count"] == 3
    report = usage(e)
    row = [c for c in report["prices"]["tableClasses"] if c["tableClass"] == "STANDARD"][0]
    rd, wr = row["readRequestUnitsPerMillion"] / 1e6, row["writeRequestUnitsPerMillion"] / 1e6
    month = report["monthSeconds"] / report["windowSeconds"]
    t = usage_of(report, name)
    want = {"PutItem pk=USER#*": (0, 10), "PutItem pk=CUST#*": (0, 6), "GetItem pk=USER#*": (4, 0),
            "Query pk=CUST#* sk begins_with ORDER#*": (4, 0), "GetItem pk=*": (0.5, 0)}
    got = patterns(t)
    assert set(got) == set(want)
    for text, (r, w) in want.items():
        assert got[text][:2] == (r, w), text
        assert got[text][2] == pytest.approx(r * rd + w * wr), text  # e.g. 10 x $0.625 / 1e6
        assert got[text][3] == pytest.approx((r * rd + w * wr) * month, rel=1e-3), text
    costs = [p["cost"] for p in t["accessPatterns"]]
    assert costs == sorted(costs, reverse=True)
    assert costs[0] == pytest.approx(10 * wr)  # PutItem pk=USER#*, the dearest
    q = [p for p in t["accessPatterns"] if p["operation"] == "Query"][0]
    assert "index" not in q
    assert sum(p["readUnits"] for p in t["accessPatterns"]) == t["readUnits"]
    assert sum(p["writeUnits"] for p in t["accessPatterns"]) == t["writeUnits"]


def test_access_patterns_past_the_bound_go_to_other(server):
    """A table keeps 32 patterns; the 8 that come after them are counted under "other"."""
    e = server.endpoint
    db = boto(e)
    name = unique_name("upov")
    table(e, name)
    for i in range(40):  # 40 prefixes, 1 write unit each
        db.put_item(TableName=name, Item={"pk": {"S": "P%d#x" % i}})
    t = usage_of(usage(e), name)
    got = patterns(t)
    assert len(got) == 33
    assert got["other"][:2] == (0, 8)
    assert all(got["PutItem pk=P%d#*" % i][:2] == (0, 1) for i in range(32))
    assert sum(p["writeUnits"] for p in t["accessPatterns"]) == 40


def test_scans_and_index_queries_are_patterns_of_their_own(server):
    """A Scan names no key ("Scan", "Scan gix"); a Query on a GSI names the index; a Query with no
    sort key condition shows none; an operation that notes no key shape is its name alone."""
    e = server.endpoint
    name = unique_name("upsc")
    table(e, name, GlobalSecondaryIndexes=[{"IndexName": "gix", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                            "Projection": {"ProjectionType": "ALL"}}])
    call(e, "PutItem", {"TableName": name, "Item": {"pk": {"S": "a:1"}, "g": {"S": "ORG|7"}}})  # 1 + 1 (GSI)
    call(e, "Scan", {"TableName": name})  # 0.5
    call(e, "Scan", {"TableName": name, "IndexName": "gix"})  # 0.5
    call(e, "Query", {"TableName": name, "IndexName": "gix", "KeyConditionExpression": "g = :g",
                      "ExpressionAttributeValues": {":g": {"S": "ORG|7"}}})  # 0.5
    call(e, "BatchGetItem", {"RequestItems": {name: {"Keys": [{"pk": {"S": "a:1"}}]}}})  # 0.5
    got = patterns(usage_of(usage(e), name))
    assert {k: v[:2] for k, v in got.items()} == {
        "PutItem pk=a:*": (0, 2), "Scan": (0.5, 0), "Scan gix": (0.5, 0), "Query gix pk=ORG|*": (0.5, 0),
        "BatchGetItem": (0.5, 0)}
    q = [p for p in usage_of(usage(e), name)["accessPatterns"] if p["pattern"] == "Query gix pk=ORG|*"][0]
    assert (q["operation"], q["index"]) == ("Query", "gix")


def test_each_sort_key_operator_is_a_pattern_of_its_own(server):
    """The sort key operator is part of the pattern; only = and begins_with show their operand's
    prefix (a range's bounds are values, not a shape). Each Query of an empty partition: 0.5."""
    e = server.endpoint
    db = boto(e)
    name = unique_name("upsk")
    db.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                          {"AttributeName": "sk", "AttributeType": "S"}],
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                               {"AttributeName": "sk", "KeyType": "RANGE"}])
    conds = {"sk = :a": "sk = ORDER#*", "sk < :a": "sk <", "sk <= :a": "sk <=", "sk > :a": "sk >",
             "sk >= :a": "sk >=", "sk BETWEEN :a AND :b": "sk BETWEEN", "begins_with(sk, :a)": "sk begins_with ORDER#*"}
    for cond in conds:
        values = {":p": {"S": "CUST/9"}, ":a": {"S": "ORDER#1"}}
        if ":b" in cond:
            values[":b"] = {"S": "ORDER#9"}
        db.query(TableName=name, KeyConditionExpression="pk = :p AND " + cond, ExpressionAttributeValues=values)
    db.query(TableName=name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "nosep"}})
    got = {k: v[:2] for k, v in patterns(usage_of(usage(e), name)).items()}
    want = {"Query pk=CUST/* " + shape: (0.5, 0) for shape in conds.values()}
    want["Query pk=*"] = (0.5, 0)
    assert got == want
