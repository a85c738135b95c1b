"""The export directory (--export-dir) as an attacker who can place files in a bucket sees it
(issue 40, item 8): nothing an import reads or an export writes may lie outside the bucket's
directory, and nothing but regular files is read.

- a symbolic link in a bucket (to a file, to a directory, to /dev/zero) is not followed: the import
  finds no object there, and reads nothing of the target;
- a FIFO in a bucket is not opened (opening one for reading blocks until a writer comes);
- a bucket that is itself a link, or an export prefix that passes through one, is not written to;
- a bucket name that is not one (`""`, `.`, `..`, a newline) is refused with DynamoDB's
  ValidationException for S3Bucket's pattern, by ExportTableToPointInTime, ImportTable and
  StartBulkPutItems;
- a value a client chose that reaches the server's log cannot start a line of its own there.

Every case is bounded: a server that would block on the FIFO or read /dev/zero for ever is watched
for a few seconds (and killed the moment its RSS passes a bound), so a run against a server without
these checks fails quickly and safely.
"""
import os
import re
import shutil
import tempfile
import time

import pytest

from conftest import make_client, proc_status_kb, raw_request, unique_name

PATTERN = r"^[a-z0-9A-Z]+[\.\-\w]*[a-z0-9A-Z]+$"
RSS_CAP_KB = 600 * 1024  # a server past this while a case runs is killed (and the case fails)
SECRET = "pk,who\nroot-secret,x:0:0:root\n"


def watch(server, done, seconds):
    """Polls done() for up to `seconds`; kills the server if its RSS passes RSS_CAP_KB. The value
    done() returned last (None: it never ended, or the server was killed)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc_status_kb(server.proc.pid, "VmRSS") > RSS_CAP_KB:
            server.kill()
            pytest.fail("ddbd's RSS passed %d MB: it is reading something endless" % (RSS_CAP_KB // 1024))
        try:
            out = done()
        except Exception:  # noqa: BLE001 (a server killed meanwhile)
            out = None
        if out is not None:
            return out
        time.sleep(0.05)
    return None


@pytest.fixture
def dirs():
    base = tempfile.mkdtemp(prefix="ddbd-expdir-")
    export_dir, outside = os.path.join(base, "exports"), os.path.join(base, "outside")
    os.makedirs(os.path.join(export_dir, "bkt"))
    os.makedirs(outside)
    with open(os.path.join(outside, "secret.csv"), "w") as f:
        f.write(SECRET)
    yield export_dir, outside
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def server(server_factory, dirs):
    return server_factory(["--in-memory", "--export-dir", dirs[0]])


def start_import(c, prefix, fmt="CSV"):
    name = unique_name("imp")
    params = {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
              "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
              "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}
    d = c.import_table(S3BucketSource={"S3Bucket": "bkt", "S3KeyPrefix": prefix}, InputFormat=fmt,
                       InputCompressionType="NONE", TableCreationParameters=params)["ImportTableDescription"]
    return name, d["ImportArn"]


def import_end(c, arn):
    def done():
        d = c.describe_import(ImportArn=arn)["ImportTableDescription"]
        return d if d["ImportStatus"] not in ("IN_PROGRESS", "CANCELLING") else None
    return done


def assert_nothing_read(server, c, prefix, fmt="CSV", seconds=10):
    name, arn = start_import(c, prefix, fmt)
    d = watch(server, import_end(c, arn), seconds)
    assert d is not None, "the import did not end within %d s (blocked on what it opened?)" % seconds
    # nothing listed: an import of no object, which completes with no item as DynamoDB's does
    assert d["ImportStatus"] == "COMPLETED" and "FailureCode" not in d, d
    assert d.get("ImportedItemCount", 0) == 0 and d.get("ProcessedSizeBytes", 0) == 0, d
    assert c.scan(TableName=name)["Items"] == []


def test_a_link_to_a_file_outside_is_not_read(server, dirs):
    export_dir, outside = dirs
    os.makedirs(os.path.join(export_dir, "bkt", "in"))
    os.symlink(os.path.join(outside, "secret.csv"), os.path.join(export_dir, "bkt", "in", "data.csv"))
    assert_nothing_read(server, make_client(server.endpoint), "in/")


def test_a_link_to_a_directory_outside_is_not_entered(server, dirs):
    export_dir, outside = dirs
    os.symlink(outside, os.path.join(export_dir, "bkt", "in"))
    assert_nothing_read(server, make_client(server.endpoint), "in/")


def test_a_fifo_is_not_opened(server, dirs):
    export_dir, _ = dirs
    os.makedirs(os.path.join(export_dir, "bkt", "in"))
    os.mkfifo(os.path.join(export_dir, "bkt", "in", "data.json"))
    assert_nothing_read(server, make_client(server.endpoint), "in/", fmt="DYNAMODB_JSON", seconds=5)


def test_a_link_to_dev_zero_is_not_read(server, dirs):
    export_dir, _ = dirs
    os.makedirs(os.path.join(export_dir, "bkt", "in"))
    os.symlink("/dev/zero", os.path.join(export_dir, "bkt", "in", "data.json"))
    assert_nothing_read(server, make_client(server.endpoint), "in/", fmt="DYNAMODB_JSON", seconds=5)


def export_table(c, bucket, prefix):
    name = unique_name("exp")
    arn = c.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])["TableDescription"]["TableArn"]
    c.put_item(TableName=name, Item={"pk": {"S": "a"}})
    d = c.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket, S3Prefix=prefix)["ExportDescription"]

    def done():
        e = c.describe_export(ExportArn=d["ExportArn"])["ExportDescription"]
        return e if e["ExportStatus"] != "IN_PROGRESS" else None
    return done


def test_an_export_does_not_write_through_a_link(server, dirs):
    export_dir, outside = dirs
    c = make_client(server.endpoint)
    os.symlink(outside, os.path.join(export_dir, "bkt", "out"))  # a prefix through a link
    os.symlink(outside, os.path.join(export_dir, "lnk"))  # a bucket that is a link
    for bucket, prefix in (("bkt", "out/x"), ("lnk", "x")):
        e = watch(server, export_table(c, bucket, prefix), 10)
        assert e is not None and e["ExportStatus"] == "FAILED", (bucket, e)
    assert sorted(os.listdir(outside)) == ["secret.csv"]


BAD_BUCKETS = ["", ".", "..", "a\nb", "a/b", "-a"]


def bucket_requests(bucket):
    arn = "arn:aws:dynamodb:us-east-1:000000000000:table/t"
    table = {"TableName": "t", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
             "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"}
    return [
        ("ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": bucket}, "s3Bucket"),
        ("ImportTable", {"S3BucketSource": {"S3Bucket": bucket}, "InputFormat": "CSV",
                         "TableCreationParameters": table}, "s3BucketSource.s3Bucket"),
        ("StartBulkPutItems", {"TableName": "t", "InputS3Configuration": {"S3Bucket": bucket, "InputFormat": "ION"},
                               "OutputS3Configuration": {"S3Bucket": "out", "OutputType": ["ERROR"]}},
         "inputS3Configuration.s3Bucket"),
        ("StartBulkPutItems", {"TableName": "t", "InputS3Configuration": {"S3Bucket": "in", "InputFormat": "ION"},
                               "OutputS3Configuration": {"S3Bucket": bucket, "OutputType": ["ERROR"]}},
         "outputS3Configuration.s3Bucket"),
    ]


@pytest.mark.parametrize("bucket", BAD_BUCKETS)
def test_a_bucket_name_is_checked_against_dynamodbs_pattern(server, dirs, bucket):
    for op, body, path in bucket_requests(bucket):
        resp = raw_request(server.endpoint, op, body)
        assert resp.status == 400, (op, resp.status, resp.body)
        out = resp.json()
        assert out["__type"] == "com.amazon.coral.validate#ValidationException", (op, out)
        assert out["message"] == ("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: "
                                  "Member must satisfy regular expression pattern: %s" % (bucket, path, PATTERN)), (op, out)
    assert sorted(os.listdir(dirs[0])) == ["bkt"]  # nothing written into the export directory itself


def test_a_client_value_cannot_forge_a_log_line(server, dirs):
    c = make_client(server.endpoint)
    forged = "2099-01-01T00:00:00.000Z error FORGED by the client"
    # a prefix whose next component is too long for a file name: the export fails, and its failure
    # (which names the key, so the prefix) goes to the log
    e = watch(server, export_table(c, "bkt", "p\n" + forged + "\n/" + "x" * 300), 10)
    assert e is not None and e["ExportStatus"] == "FAILED", e
    log = server.stderr_text()
    assert "FORGED by the client" in log  # the value was logged,
    assert not re.search(r"^2099-01-01T00:00:00\.000Z error FORGED", log, re.M), log[-2000:]  # on no line of its own
    assert "\\n" + forged in log
