"""ExportTableToPointInTime from point-in-time recovery's history: a FULL_EXPORT with an
ExportTime in the past, and INCREMENTAL_EXPORT (server/ops/ops_export.c, server/engine/export.c,
server/engine/pitr_read.c); and the S3 server-side encryption headers exports send.

The server runs with --admin so the tests move its clock (docs/admin.md): an incremental period is
15 minutes to 24 hours long. Times go as raw JSON where they need milliseconds (Debian's botocore
sends whole seconds) or members botocore lacks (ExportType, IncrementalExportSpecification).
Exports are read back with the independent reader of test_export_import.py.
"""
import gzip
import hashlib
import http.server
import json
import os
import threading
import time

import pytest

from conftest import ANY, assert_client_error, make_client, raw_request, unique_name
from helpers import advance, clock, raw_call as call
from test_export_import import (BUCKET, Objects, canon_item, create, every_type, export_dir, fix_json, parse_ion,  # noqa: F401
                                read_export, s3rver, scan_all, server_factory_module, wait_export)

MIN = 60000


@pytest.fixture(scope="module")
def server(server_factory_module, s3rver, export_dir):  # noqa: F811
    url, _ = s3rver
    return server_factory_module(["--in-memory", "--admin", "--clock", "frozen", "--export-dir", export_dir, "--s3-endpoint", url,
                                  "--s3-access-key", "S3RVER", "--s3-secret-key", "S3RVER"])


@pytest.fixture(scope="module")
def c(server):
    return make_client(server.endpoint)


def enable_pitr(server, name):
    call(server, "UpdateContinuousBackups", {"TableName": name, "PointInTimeRecoverySpecification": {
        "PointInTimeRecoveryEnabled": True}})


def export_raw(server, c, body):
    """Starts an export and waits for its end; the description as DescribeExport sends it (Debian's
    botocore drops the members it predates: ExportType, IncrementalExportSpecification)."""
    d = call(server, "ExportTableToPointInTime", dict({"S3Bucket": "local"}, **body))["ExportDescription"]
    assert d["ExportStatus"] == "IN_PROGRESS"
    wait_export(c, d["ExportArn"])
    return call(server, "DescribeExport", {"ExportArn": d["ExportArn"]})["ExportDescription"]


def raw_error(server, body, code, message):
    r = raw_request(server.endpoint, "ExportTableToPointInTime", json.dumps(dict({"S3Bucket": "local"}, **body)).encode())
    assert r.status == 400, r.body
    assert r.json()["__type"].split("#")[1] == code, r.body
    if message is not ANY:
        assert r.json()["message"] == message


def key(i):
    return {"pk": {"S": "p%06d" % i}, "sk": {"N": str(i % 7)}}


# ---------------------------------------------------------------------------------------------
# FULL_EXPORT as of a past ExportTime
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["DYNAMODB_JSON", "ION"])
def test_full_export_as_of_a_past_time(server, c, export_dir, fmt):
    name = unique_name("expat")
    arn = create(c, name, range_key=True)
    for i in range(30):  # in the base copy
        c.put_item(TableName=name, Item=every_type(i))
    enable_pitr(server, name)
    for i in range(10):  # in the log, before T
        c.put_item(TableName=name, Item=dict(every_type(i), s={"S": "changed %d" % i}))
    for i in range(10, 15):
        c.delete_item(TableName=name, Key=key(i))
    for i in range(30, 40):
        c.put_item(TableName=name, Item=every_type(i))
    want = scan_all(c, name)
    at = clock(server)["now"]
    advance(server, MIN)
    for i in range(5):  # after T: not in the export
        c.put_item(TableName=name, Item=dict(every_type(i), s={"S": "later"}))
    for i in range(30, 35):
        c.delete_item(TableName=name, Key=key(i))
    for i in range(40, 45):
        c.put_item(TableName=name, Item=every_type(i))
    d = export_raw(server, c, {"TableArn": arn, "ExportTime": at / 1000.0 + 0.0005, "ExportFormat": fmt,
                               "S3Prefix": "at"})
    assert d["ExportStatus"] == "COMPLETED", d
    assert d["ExportType"] == "FULL_EXPORT" and d["ExportTime"] == at / 1000.0
    assert d["ItemCount"] == len(want) == 35
    summary, got = read_export(Objects(root=os.path.join(export_dir, "local")), d)
    assert "exportType" not in summary and "outputView" not in summary and summary["version"] == "2020-06-30"
    assert summary["exportTime"] == time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at / 1000)) + ".%03dZ" % (at % 1000)
    assert len(got) == len(want) and set(map(canon_item, got)) == set(map(canon_item, want))


def test_full_export_at_a_past_time_errors(server, c):
    name = unique_name("expatx")
    arn = create(c, name)
    now = clock(server)["now"] / 1000.0
    with pytest.raises(c.exceptions.ClientError) as e:
        c.export_table_to_point_in_time(TableArn=arn, S3Bucket="local", ExportTime=now - 600)
    assert_client_error(e, "PointInTimeRecoveryUnavailableException",
                        "Point in time recovery is not enabled for table '%s'" % name)
    enable_pitr(server, name)
    # before the window (recovery was enabled just now)
    with pytest.raises(c.exceptions.ClientError) as e:
        c.export_table_to_point_in_time(TableArn=arn, S3Bucket="local", ExportTime=now - 600)
    assert_client_error(e, "InvalidExportTimeException", "Export Time is invalid")
    with pytest.raises(c.exceptions.ClientError) as e:
        c.export_table_to_point_in_time(TableArn=arn, S3Bucket="local", ExportTime=now + 600)
    assert_client_error(e, "InvalidExportTimeException", "Export time cannot be in the future")
    # IncrementalExportSpecification belongs to INCREMENTAL_EXPORT
    raw_error(server, {"TableArn": arn, "ExportType": "FULL_EXPORT",
                       "IncrementalExportSpecification": {"ExportFromTime": now - 3600}},
              "ValidationException", "IncrementalExportSpecification is only supported for INCREMENTAL_EXPORT")


def test_full_export_as_of_a_time_restore_agrees(server, c, export_dir):
    """While a writer keeps writing, the export as of T holds exactly what RestoreTableToPointInTime
    to T holds (the export merges the base with the log; the restore replays it)."""
    name = unique_name("expagree")
    arn = create(c, name)
    for i in range(50):
        c.put_item(TableName=name, Item={"pk": {"S": "k%d" % i}, "v": {"N": str(i)}})
    enable_pitr(server, name)
    stop = threading.Event()
    wc = make_client(server.endpoint)
    done = [0]

    def writer():
        while not stop.is_set():
            n = done[0]
            k = {"pk": {"S": "k%d" % (n * 7 % 80)}}
            if n % 3 == 2:
                wc.delete_item(TableName=name, Key=k)
            else:
                wc.put_item(TableName=name, Item=dict(k, v={"N": str(n)}))
            done[0] = n + 1

    def writes(n):
        """Waits for the writer to make n more writes (real work, so a generous deadline)."""
        until, deadline = done[0] + n, time.monotonic() + 60
        while done[0] < until:
            assert time.monotonic() < deadline, "the writer is stuck"
            time.sleep(0.01)
    th = threading.Thread(target=writer)
    th.start()
    try:  # the clock is frozen: T is where it stands, writes before and after the step T + 1 min
        writes(20)
        at = clock(server)["now"]
        writes(20)
        advance(server, MIN)
        writes(20)
    finally:
        stop.set()
        th.join()
    d = export_raw(server, c, {"TableArn": arn, "ExportTime": at / 1000.0 + 0.0005, "S3Prefix": "agree"})
    _, got = read_export(Objects(root=os.path.join(export_dir, "local")), d)
    call(server, "RestoreTableToPointInTime", {"SourceTableName": name, "TargetTableName": name + "-r",
                                               "RestoreDateTime": at / 1000.0 + 0.0005})
    deadline = time.time() + 60
    while c.describe_table(TableName=name + "-r")["Table"]["TableStatus"] != "ACTIVE":
        assert time.time() < deadline
        time.sleep(0.1)
    restored = scan_all(c, name + "-r")
    assert len(got) == len(restored) > 0
    assert set(map(canon_item, got)) == set(map(canon_item, [fix_json(i) for i in restored]))
    assert set(map(canon_item, got)) != set(map(canon_item, [fix_json(i) for i in scan_all(c, name)]))


def test_full_export_after_the_window_slid(server_factory_module, export_dir):  # noqa: F811
    """Records older than the window are folded into the base copy: an export as of a time just
    inside the window reads the folded base plus the rest of the log."""
    srv = server_factory_module(["--in-memory", "--admin", "--clock", "frozen", "--export-dir", export_dir])
    c = make_client(srv.endpoint)
    arn = create(c, "slide")
    c.put_item(TableName="slide", Item={"pk": {"S": "b"}})
    call(srv, "UpdateContinuousBackups", {"TableName": "slide", "PointInTimeRecoverySpecification": {
        "PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 1}})
    c.put_item(TableName="slide", Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    c.put_item(TableName="slide", Item={"pk": {"S": "a"}, "v": {"N": "2"}})
    c.delete_item(TableName="slide", Key={"pk": {"S": "b"}})
    advance(srv, 86400000 + 60000)  # answers once the trim it made due has run
    assert "folded into the base" in srv.stderr_text() + srv.stdout_text()
    c.put_item(TableName="slide", Item={"pk": {"S": "c"}})
    p = call(srv, "DescribeContinuousBackups", {"TableName": "slide"})[
        "ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    raw_error(srv, {"TableArn": arn, "ExportTime": p["EarliestRestorableDateTime"] - 1}, "InvalidExportTimeException",
              "Export Time is invalid")
    d = export_raw(srv, c, {"TableArn": arn, "ExportTime": p["EarliestRestorableDateTime"] + 1, "S3Prefix": "slide"})
    _, got = read_export(Objects(root=os.path.join(export_dir, "local")), d)
    assert {i["pk"]["S"]: i.get("v", {}).get("N") for i in got} == {"a": "2"}
    advance(srv, 60000)
    d = export_raw(srv, c, {"TableArn": arn, "ExportTime": clock(srv)["now"] / 1000.0 - 30, "S3Prefix": "slide2"})
    _, got = read_export(Objects(root=os.path.join(export_dir, "local")), d)
    assert {i["pk"]["S"]: i.get("v", {}).get("N") for i in got} == {"a": "2", "c": None}


# ---------------------------------------------------------------------------------------------
# INCREMENTAL_EXPORT
# ---------------------------------------------------------------------------------------------

def read_incremental(objs, d):
    """Reads an incremental export: the summary and every data line (decoded)."""
    raw = objs.get(d["ExportManifest"])
    summary = json.loads(raw)
    assert objs.get(d["ExportManifest"].replace(".json", ".checksum")).decode() == hashlib.md5(raw).hexdigest()
    files_raw = objs.get(summary["manifestFilesS3Key"])
    lines, total = [], 0
    for entry in map(json.loads, files_raw.decode().splitlines()):
        data = objs.get(entry["dataFileS3Key"])
        assert hashlib.md5(data).hexdigest() == entry["etag"]
        got = gzip.decompress(data).decode().splitlines()
        assert len(got) == entry["itemCount"]
        total += len(got)
        lines += got
    assert total == summary["itemCount"] == d["ItemCount"]
    return summary, lines, [json.loads(f)["dataFileS3Key"] for f in files_raw.decode().splitlines()]


def ion_line(line):
    """An incremental ION line into the JSON line's shape, read with the test's Ion reader."""
    assert line.startswith("$ion_1_0 {Metadata:{WriteTimestampMicros:")
    doc = parse_ion("$ion_1_0 {Item:" + line[len("$ion_1_0 "):] + "}")
    out = {k: v["M"] for k, v in doc.items()}
    assert list(out)[:2] == ["Metadata", "Keys"]
    return out


def incremental_setup(server, c):
    """A table with a known history; returns (arn, from_ms, to_ms, old, new) where old and new map
    a changed item's pk to its state at from and at to (None: absent)."""
    name = unique_name("expinc")
    arn = create(c, name, range_key=True)
    for i in range(20):
        c.put_item(TableName=name, Item=every_type(i))
    enable_pitr(server, name)
    c.put_item(TableName=name, Item=dict(every_type(9), s={"S": "before from"}))  # in the log, before from
    advance(server, MIN)
    frm = clock(server)["now"]
    old, new = {}, {}
    for i in range(5):  # modified
        c.put_item(TableName=name, Item=dict(every_type(i), s={"S": "new %d" % i}))
        old[i], new[i] = every_type(i), dict(every_type(i), s={"S": "new %d" % i})
    for i in range(5, 8):  # deleted
        c.delete_item(TableName=name, Key=key(i))
        old[i], new[i] = every_type(i), None
    for i in range(20, 25):  # inserted
        c.put_item(TableName=name, Item=every_type(i))
        old[i], new[i] = None, every_type(i)
    c.put_item(TableName=name, Item=every_type(30))  # inserted and deleted: no line
    c.delete_item(TableName=name, Key=key(30))
    c.update_item(TableName=name, Key=key(8), UpdateExpression="SET s = :a", ExpressionAttributeValues={":a": {"S": "x"}})
    c.update_item(TableName=name, Key=key(8), UpdateExpression="SET s = :a", ExpressionAttributeValues={":a": {"S": "y"}})
    old[8], new[8] = every_type(8), dict(every_type(8), s={"S": "y"})
    c.put_item(TableName=name, Item=dict(every_type(9), s={"S": "in period"}))
    old[9], new[9] = dict(every_type(9), s={"S": "before from"}), dict(every_type(9), s={"S": "in period"})
    advance(server, 20 * MIN)
    to = clock(server)["now"] - 1
    c.put_item(TableName=name, Item=dict(every_type(10), s={"S": "after to"}))  # not in the export
    c.delete_item(TableName=name, Key=key(11))
    return arn, frm, to, old, new


def image_of(v):
    return None if v is None else canon_item(v)


@pytest.mark.parametrize("fmt,view", [("DYNAMODB_JSON", None), ("ION", "NEW_AND_OLD_IMAGES"),
                                      ("DYNAMODB_JSON", "NEW_IMAGE")])
def test_incremental_export(server, c, export_dir, fmt, view):
    arn, frm, to, old, new = incremental_setup(server, c)
    spec = {"ExportFromTime": frm / 1000.0, "ExportToTime": to / 1000.0}
    if view:
        spec["ExportViewType"] = view
    d = export_raw(server, c, {"TableArn": arn, "ExportType": "INCREMENTAL_EXPORT", "ExportFormat": fmt,
                               "IncrementalExportSpecification": spec, "S3Prefix": "inc"})
    assert d["ExportStatus"] == "COMPLETED", d
    assert d["ExportType"] == "INCREMENTAL_EXPORT" and "ExportTime" not in d
    assert d["IncrementalExportSpecification"] == {"ExportFromTime": frm / 1000.0,
                                                   "ExportToTime": to / 1000.0,
                                                   "ExportViewType": view or "NEW_AND_OLD_IMAGES"}
    # boto3 reads the description too
    assert c.describe_export(ExportArn=d["ExportArn"])["ExportDescription"]["ExportStatus"] == "COMPLETED"
    summary, lines, files = read_incremental(Objects(root=os.path.join(export_dir, "local")), d)
    assert summary["version"] == "2023-08-01" and summary["exportType"] == "INCREMENTAL_EXPORT"
    assert summary["outputView"] == (view or "NEW_AND_OLD_IMAGES") and summary["outputFormat"] == fmt
    assert "exportTime" not in summary and summary["exportFromTime"].endswith("Z") and summary["exportToTime"]
    assert all(f.startswith("inc/AWSDynamoDB/data/") and f.endswith(".ion.gz" if fmt == "ION" else ".json.gz")
               for f in files)
    assert len(lines) == len(old) == 15
    seen = {}
    for line in lines:
        rec = ion_line(line) if fmt == "ION" else json.loads(line)
        if fmt != "ION":
            assert list(rec)[:2] == ["Metadata", "Keys"]
            for k in ("Keys", "NewImage", "OldImage"):
                if k in rec:
                    rec[k] = fix_json(rec[k])
        micros = int(rec["Metadata"]["WriteTimestampMicros"]["N"])
        assert frm * 1000 <= micros < to * 1000
        i = int(rec["Keys"]["pk"]["S"][1:])
        assert set(rec["Keys"]) == {"pk", "sk"} and rec["Keys"]["sk"] == {"N": str(i % 7)}
        assert i not in seen
        seen[i] = rec
        assert image_of(rec.get("NewImage")) == image_of(new[i])
        if view == "NEW_IMAGE":
            assert "OldImage" not in rec
        else:
            assert image_of(rec.get("OldImage")) == image_of(old[i])
    assert set(seen) == set(old)


def test_incremental_export_to_s3(server, c, s3rver):
    _, s3 = s3rver
    arn, frm, to, old, _ = incremental_setup(server, c)
    d = export_raw(server, c, {"S3Bucket": BUCKET, "TableArn": arn, "ExportType": "INCREMENTAL_EXPORT",
                               "IncrementalExportSpecification": {"ExportFromTime": frm / 1000.0,
                                                                  "ExportToTime": to / 1000.0}})
    assert d["ExportStatus"] == "COMPLETED", d
    _, lines, _ = read_incremental(Objects(s3=s3, bucket=BUCKET), d)
    assert len(lines) == len(old)


def test_incremental_export_default_to_time_is_now(server, c, export_dir):
    name = unique_name("expincnow")
    arn = create(c, name)
    enable_pitr(server, name)
    frm = clock(server)["now"]
    c.put_item(TableName=name, Item={"pk": {"S": "a"}})
    advance(server, 16 * MIN)
    d = export_raw(server, c, {"TableArn": arn, "ExportType": "INCREMENTAL_EXPORT",
                               "IncrementalExportSpecification": {"ExportFromTime": frm / 1000.0}})
    assert d["ExportStatus"] == "COMPLETED" and d["ItemCount"] == 1
    assert d["IncrementalExportSpecification"]["ExportToTime"] == clock(server)["now"] / 1000.0  # the frozen clock's now


def test_incremental_export_errors(server, c):
    name = unique_name("expincx")
    arn = create(c, name)
    inc = {"TableArn": arn, "ExportType": "INCREMENTAL_EXPORT"}
    now = clock(server)["now"] / 1000.0
    raw_error(server, dict(inc, IncrementalExportSpecification={"ExportFromTime": now - 3600, "ExportToTime": now}),
              "PointInTimeRecoveryUnavailableException", "Point in time recovery is not enabled for table '%s'" % name)
    enable_pitr(server, name)
    start = clock(server)["now"] / 1000.0
    advance(server, 25 * 60 * MIN)
    now = clock(server)["now"] / 1000.0

    def err(spec, code, message, **extra):
        raw_error(server, dict(inc, IncrementalExportSpecification=spec, **extra), code, message)
    err({"ExportFromTime": now - 3600}, "ValidationException", "ExportTime is not supported for INCREMENTAL_EXPORT",
        ExportTime=now)
    err({"ExportToTime": now}, "ValidationException", "ExportFromTime is required for INCREMENTAL_EXPORT")
    raw_error(server, inc, "ValidationException", "ExportFromTime is required for INCREMENTAL_EXPORT")
    err({"ExportFromTime": now - 3600, "ExportToTime": now + 60}, "InvalidExportTimeException",
        "ExportToTime cannot be in the future")
    err({"ExportFromTime": now - 600, "ExportToTime": now - 3600}, "InvalidExportTimeException",
        "ExportFromTime must be earlier than ExportToTime")
    err({"ExportFromTime": now - 600, "ExportToTime": now}, "InvalidExportTimeException",
        "The period between ExportFromTime and ExportToTime must be at least 15 minutes")
    err({"ExportFromTime": now - 25 * 3600, "ExportToTime": now}, "InvalidExportTimeException",
        "The period between ExportFromTime and ExportToTime must be at most 24 hours")
    err({"ExportFromTime": start - 3600, "ExportToTime": start + 3600}, "InvalidExportTimeException",
        "Export Time is invalid")
    err({"ExportFromTime": now - 3600, "ExportViewType": "OLD_IMAGE"}, "ValidationException", ANY)
    # the boundaries are accepted: exactly 15 minutes, exactly 24 hours
    for period in (15 * 60, 24 * 3600):
        d = export_raw(server, c, dict(inc, IncrementalExportSpecification={"ExportFromTime": now - period,
                                                                             "ExportToTime": now}))
        assert d["ExportStatus"] == "COMPLETED" and d["ItemCount"] == 0, d
    # ListExports shows the type
    types = {s["ExportType"] for s in call(server, "ListExports", {"TableArn": arn})["ExportSummaries"]}
    assert types == {"INCREMENTAL_EXPORT"}


# ---------------------------------------------------------------------------------------------
# S3 server-side encryption
# ---------------------------------------------------------------------------------------------

class Capture(http.server.BaseHTTPRequestHandler):
    """A bucket that answers every listing empty and keeps every PUT's headers."""
    puts = []

    def do_GET(self):
        body = b'<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><KeyCount>0</KeyCount></ListBucketResult>'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        Capture.puts.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        self.send_response(200)
        self.send_header("ETag", '"0"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def capture_server(server_factory_module):  # noqa: F811
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Capture)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    ddbd = server_factory_module(["--in-memory", "--s3-endpoint", "http://127.0.0.1:%d" % httpd.server_port,
                                  "--s3-access-key", "AK", "--s3-secret-key", "SK"])
    yield ddbd
    httpd.shutdown()


@pytest.mark.parametrize("sse,kms_key,want", [
    ("KMS", "arn:aws:kms:us-east-1:000000000000:key/k1", "aws:kms"), ("AES256", None, "AES256"), (None, None, None)])
def test_export_sends_sse_headers_on_every_put(capture_server, sse, kms_key, want):
    c = make_client(capture_server.endpoint)
    name = unique_name("expsse")
    arn = create(c, name)
    c.put_item(TableName=name, Item={"pk": {"S": "a"}})
    Capture.puts.clear()
    kw = {"S3SseAlgorithm": sse} if sse else {}
    if kms_key:
        kw["S3SseKmsKeyId"] = kms_key
    d = c.export_table_to_point_in_time(TableArn=arn, S3Bucket="sse-bucket", S3Prefix="sse", **kw)["ExportDescription"]
    assert d["S3SseAlgorithm"] == (sse or "AES256") and d.get("S3SseKmsKeyId") == kms_key
    assert wait_export(c, d["ExportArn"])["ExportStatus"] == "COMPLETED"
    paths = [p for p, _ in Capture.puts]
    assert any(p.endswith("/_started") for p in paths) and any("/data/" in p for p in paths)
    assert any(p.endswith("/manifest-summary.json") for p in paths) and len(paths) == 6
    for path, h in Capture.puts:
        signed = h["authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
        assert h.get("x-amz-server-side-encryption") == want, path
        assert h.get("x-amz-server-side-encryption-aws-kms-key-id") == kms_key, path
        assert ("x-amz-server-side-encryption" in signed) == (want is not None)
        assert ("x-amz-server-side-encryption-aws-kms-key-id" in signed) == (kms_key is not None)


def test_export_with_sse_to_s3rver_is_signed_right(c, s3rver):
    """s3rver checks the signature over the SSE headers too."""
    _, s3 = s3rver
    name = unique_name("expsse3")
    arn = create(c, name)
    c.put_item(TableName=name, Item={"pk": {"S": "a"}})
    d = c.export_table_to_point_in_time(TableArn=arn, S3Bucket=BUCKET, S3Prefix="sse3",
                                        S3SseAlgorithm="AES256")["ExportDescription"]
    d = wait_export(c, d["ExportArn"])
    assert d["ExportStatus"] == "COMPLETED", d
    _, got = read_export(Objects(s3=s3, bucket=BUCKET), d)
    assert got == [{"pk": {"S": "a"}}]
