"""StartTime and EndTime of a bulk put, an import and an export come from one clock: the server's
(server/base/clock.h), the one --admin's /ddbd/clock moves (docs/admin.md). The request stamps
StartTime; the background job that finishes the work stamps EndTime. Before, the jobs read the
system's clock, so with the server's clock moved a day ahead an operation ended a day before it
started.

The server's clock is frozen at 2030-01-01 (--clock frozen@MS): StartTime and EndTime are both that
instant to the millisecond, however long the work takes, and years from the system's clock. The
waits below wait for the jobs' work (real work, so a generous deadline), not for time to pass.
Buckets are directories of --export-dir. Bulk puts go as raw JSON (Debian's botocore predates
StartBulkPutItems).
"""
import datetime
import json
import os
import time

import pytest

from conftest import DdbdServer, make_client, unique_name
from helpers import raw_call as call
from test_export_import import export_dir  # noqa: F401 (a fixture: a directory of buckets, "local" made)

FROZEN_MS = 1893456000123  # 2030-01-01T00:00:00.123Z
WORK_S = 120  # the deadline of a job's work (20 items), on a loaded machine


@pytest.fixture(scope="module")
def server(export_dir):  # noqa: F811
    s = DdbdServer(args=["--in-memory", "--admin", "--clock", "frozen@%d" % FROZEN_MS, "--export-dir", export_dir])
    s.start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def c(server):
    return make_client(server.endpoint)


def seconds(t):
    return t.timestamp() if isinstance(t, datetime.datetime) else float(t)


def assert_one_clock(start, end):
    """start and end both the frozen clock's instant (the system's clock reads years before it)."""
    assert (seconds(start), seconds(end)) == (FROZEN_MS / 1000.0, FROZEN_MS / 1000.0)


def put_source(export_dir, key, n):
    path = os.path.join(export_dir, "local", key)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        for i in range(n):
            f.write(json.dumps({"Item": {"pk": {"S": "k%d" % i}, "v": {"N": str(i)}}}) + "\n")


def create(c, name):
    c.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    return c.describe_table(TableName=name)["Table"]["TableArn"]


def test_bulk_put_start_and_end_on_the_servers_clock(server, c, export_dir):
    name = unique_name("clkbulk")
    create(c, name)
    put_source(export_dir, "bulk/part-000.json", 20)
    d = call(server, "StartBulkPutItems", {
        "TableName": name,
        "InputS3Configuration": {"S3Bucket": "local", "S3KeyPrefix": "bulk/", "InputFormat": "DYNAMODB_JSON"},
        "OutputS3Configuration": {"S3Bucket": "local", "OutputType": ["ERROR"]}})["BulkOperationDescription"]
    deadline = time.monotonic() + WORK_S
    while d["BulkOperationStatus"] in ("IN_PROGRESS", "CANCELLING") and time.monotonic() < deadline:
        time.sleep(0.05)
        d = call(server, "DescribeBulkOperation", {"BulkOperationArn": d["BulkOperationArn"]})["BulkOperationDescription"]
    assert d["BulkOperationStatus"] == "COMPLETED", d
    assert_one_clock(d["StartTime"], d["EndTime"])


def test_import_start_and_end_on_the_servers_clock(server, c, export_dir):
    put_source(export_dir, "imp/part-000.json", 20)
    d = c.import_table(S3BucketSource={"S3Bucket": "local", "S3KeyPrefix": "imp/"}, InputFormat="DYNAMODB_JSON",
                       InputCompressionType="NONE", TableCreationParameters={
                           "TableName": unique_name("clkimp"), "BillingMode": "PAY_PER_REQUEST",
                           "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                           "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]})["ImportTableDescription"]
    deadline = time.monotonic() + WORK_S
    while d["ImportStatus"] in ("IN_PROGRESS", "CANCELLING") and time.monotonic() < deadline:
        time.sleep(0.05)
        d = c.describe_import(ImportArn=d["ImportArn"])["ImportTableDescription"]
    assert d["ImportStatus"] == "COMPLETED" and d["ImportedItemCount"] == 20, d
    assert_one_clock(d["StartTime"], d["EndTime"])


def test_export_start_and_end_on_the_servers_clock(server, c):
    name = unique_name("clkexp")
    arn = create(c, name)
    for i in range(5):
        c.put_item(TableName=name, Item={"pk": {"S": "k%d" % i}})
    d = c.export_table_to_point_in_time(TableArn=arn, S3Bucket="local", S3Prefix="exp")["ExportDescription"]
    deadline = time.monotonic() + WORK_S
    while d["ExportStatus"] == "IN_PROGRESS" and time.monotonic() < deadline:
        time.sleep(0.05)
        d = c.describe_export(ExportArn=d["ExportArn"])["ExportDescription"]
    assert d["ExportStatus"] == "COMPLETED", d
    assert_one_clock(d["StartTime"], d["EndTime"])
