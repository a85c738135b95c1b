"""ImportTable and StartBulkPutItems read their objects as streams (issue 41, item 3): whatever an object's size, ddbd's
memory stays bounded (a window of text, the decompressor's buffers, two batches of puts), and a
record longer than ddbd's record limit (4 MiB of text, ten times DynamoDB's 400 KB item) is an
error of its own, logged as DynamoDB logs an item over its size limit, without ever being held.

Each case writes its object (plain, or gzipped: the text is then never whole either) to a temporary --export-dir, imports it into a server on a fresh
--data-dir (an in-memory store would hold the items themselves), samples the server's RSS from
/proc while the import runs and checks its peak (VmHWM) at the end against RSS_BOUND_MB. A server
that reads objects whole goes past the bound by the object's size; it is killed if it reaches
KILL_MB, so a run against one stays safe.
"""
import gzip
import json
import os
import shutil
import tempfile
import time

import pytest

from conftest import make_client, proc_status_kb, raw_request, rss_within, unique_name

RSS_BOUND_MB = 150
KILL_MB = 1500
BIG_MB = int(os.environ.get("DDBD_IMPORT_BOUNDED_MB", "256"))
LINE = 256  # bytes of each item's line


@pytest.fixture
def base():
    d = tempfile.mkdtemp(prefix="ddbd-import-bounded-")
    os.makedirs(os.path.join(d, "exports", "big", "in"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


def write_lines(path, n, compression):
    """n DYNAMODB_JSON lines of LINE bytes each, keys k00000000.., gzipped or not; the file's size."""
    head = '{"Item":{"pk":{"S":"k%08d"},"d":{"S":"'
    pad = LINE - len(head % 0) - len('"}}}\n')
    chunk = 20000
    with (gzip.open(path, "wt", compresslevel=1) if compression == "GZIP" else open(path, "w")) as f:
        for start in range(0, n, chunk):
            f.write("".join((head % i) + "x" * pad + '"}}}\n' for i in range(start, min(n, start + chunk))))
    return os.path.getsize(path)


TABLE = {"BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
         "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}


def wait_bounded(server, describe):
    """Polls describe() until its status leaves IN_PROGRESS, killing the server past KILL_MB; (the
    last description, the server's peak RSS in MB)."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if proc_status_kb(server.proc.pid, "VmRSS") > KILL_MB * 1024:
            server.kill()
            pytest.fail("ddbd's RSS passed %d MB while it read the object" % KILL_MB)
        d = describe()
        if d.get("ImportStatus", d.get("BulkOperationStatus")) != "IN_PROGRESS":
            break
        time.sleep(0.05)
    else:
        pytest.fail("the load did not end in 240 s")
    peak = proc_status_kb(server.proc.pid, "VmHWM") / 1024
    print("peak RSS %.0f MB" % peak)
    return d, peak


def start_server(server_factory, base):
    return server_factory(["--data-dir", os.path.join(base, "data"), "--export-dir", os.path.join(base, "exports")])


def run_import(server_factory, base, compression="NONE"):
    """Imports bucket big, prefix in/, into a new table; (description, peak RSS in MB, client, table,
    server)."""
    server = start_server(server_factory, base)
    c = make_client(server.endpoint)
    name = unique_name("big")
    d = c.import_table(S3BucketSource={"S3Bucket": "big", "S3KeyPrefix": "in/"}, InputFormat="DYNAMODB_JSON",
                       InputCompressionType=compression, TableCreationParameters=dict(TABLE, TableName=name))
    arn = d["ImportTableDescription"]["ImportArn"]
    d, peak = wait_bounded(server, lambda: c.describe_import(ImportArn=arn)["ImportTableDescription"])
    return d, peak, c, name, server


@pytest.mark.parametrize("compression", ["NONE", "GZIP"])
def test_a_large_object_is_imported_in_bounded_memory(server_factory, base, compression):
    n = BIG_MB * 1024 * 1024 // LINE
    size = write_lines(os.path.join(base, "exports", "big", "in", "data.json"), n, compression)
    d, peak, c, name, _ = run_import(server_factory, base, compression)
    assert d["ImportStatus"] == "COMPLETED", d
    assert (d["ProcessedItemCount"], d["ImportedItemCount"], d["ErrorCount"]) == (n, n, 0), d
    assert d["ProcessedSizeBytes"] == size
    assert c.describe_table(TableName=name)["Table"]["ItemCount"] in (0, n)  # (refreshed every 6 hours)
    got = c.get_item(TableName=name, Key={"pk": {"S": "k%08d" % (n - 1)}})["Item"]
    assert len(got["d"]["S"]) > 200
    assert rss_within(peak, RSS_BOUND_MB), "peak RSS %.0f MB for %d MB of lines (bound %d MB)" % (peak, BIG_MB, RSS_BOUND_MB)


def test_a_record_over_the_limit_fails_alone_and_is_never_held(server_factory, base):
    path = os.path.join(base, "exports", "big", "in", "data.json")
    with open(path, "w") as f:
        f.write(json.dumps({"Item": {"pk": {"S": "first"}}}) + "\n")
        f.write('{"Item":{"pk":{"S":"huge"},"d":{"S":"')  # a line of 200 MB: its item would be too
        block = "y" * (1 << 20)
        for _ in range(200):
            f.write(block)
        f.write('"}}}\n')
        f.write(json.dumps({"Item": {"pk": {"S": "last"}}}) + "\n")
    d, peak, c, name, server = run_import(server_factory, base)
    assert (d["ImportStatus"], d["FailureCode"]) == ("FAILED", "ItemValidationError"), d  # its table stays
    assert (d["ProcessedItemCount"], d["ImportedItemCount"], d["ErrorCount"]) == (3, 2, 1), d
    assert sorted(i["pk"]["S"] for i in c.scan(TableName=name)["Items"]) == ["first", "last"]
    # its error record: in the server's log (DynamoDB's CloudWatch log), never in the source bucket
    mark = "import %s: item error: " % d["ImportArn"].rsplit("/", 1)[1]
    (entry,) = [json.loads(l.split(mark, 1)[1]) for l in server.stderr_text().splitlines() if mark in l]
    assert os.listdir(os.path.join(base, "exports", "big")) == ["in"]
    assert entry["itemS3Pointer"] == {"bucket": "big", "key": "in/data.json", "itemIndex": 1}
    assert entry["errorMessages"] == ["Item size has exceeded the maximum allowed size"]
    assert rss_within(peak, RSS_BOUND_MB), "peak RSS %.0f MB for one 200 MB line (bound %d MB)" % (peak, RSS_BOUND_MB)


def test_a_bulk_put_of_a_large_object_stays_bounded(server_factory, base):
    n = BIG_MB * 1024 * 1024 // LINE
    size = write_lines(os.path.join(base, "exports", "big", "in", "data.json"), n, "NONE")
    os.makedirs(os.path.join(base, "exports", "report"))
    server = start_server(server_factory, base)
    c = make_client(server.endpoint)
    name = unique_name("bulk")
    c.create_table(TableName=name, **TABLE)
    resp = raw_request(server.endpoint, "StartBulkPutItems", {
        "TableName": name, "InputS3Configuration": {"S3Bucket": "big", "S3KeyPrefix": "in/", "InputFormat": "DYNAMODB_JSON"},
        "OutputS3Configuration": {"S3Bucket": "report", "OutputType": ["ERROR"]}})
    assert resp.status == 200, resp.body
    arn = resp.json()["BulkOperationDescription"]["BulkOperationArn"]
    d, peak = wait_bounded(server, lambda: raw_request(server.endpoint, "DescribeBulkOperation", {
        "BulkOperationArn": arn}).json()["BulkOperationDescription"])
    assert d["BulkOperationStatus"] == "COMPLETED", d
    assert (d["ProcessedItemCount"], d["FailedItemCount"], d["ProcessedInputBytes"]) == (n, 0, size), d
    assert rss_within(peak, RSS_BOUND_MB), "peak RSS %.0f MB for %d MB of lines (bound %d MB)" % (peak, BIG_MB, RSS_BOUND_MB)
