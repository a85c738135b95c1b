"""ExportTableToPointInTime, DescribeExport, ListExports, ImportTable, DescribeImport, ListImports.

The exports go to a directory bucket (--export-dir) and to an S3-compatible server on loopback:
s3rver from npm (tests/s3/package.json, installed by deploy/ddbd.sh deps-test), started and
stopped here, which checks ddbd's SigV4 signatures with its default keys S3RVER/S3RVER. The
exported files are read back by an independent reader of DynamoDB's export format written here
(gunzip, JSON lines; and the Ion text for ION) and by ddbd's own ImportTable, and every attribute
type must come back exactly. The large round trip uses N_ITEMS padded items (20,000, 52 MB, more than
one 32 MiB data file; DDBD_EXPORT_ITEMS sets another count), one table for both formats, filled by the server's
ImportTable from lines written here: 8,000 BatchWriteItems from Python were most of this file's
time on a loaded 2-core machine.
"""
import base64
import decimal
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

import boto3
import pytest
from botocore.config import Config

from conftest import ANY, assert_client_error, free_port, make_client, unique_name
from helpers import scan_all, wait_export, wait_import

HERE = os.path.dirname(os.path.abspath(__file__))
S3RVER = os.path.join(HERE, "..", "s3", "node_modules", "s3rver", "bin", "s3rver.js")
# The large round trips' items, each padded with PAD_BYTES of binary: 20,000 items of about 2.6 KB of
# export lines each, 52 MB, more than one data file (32 MiB of lines a file, export.c's FILE_BYTES) in
# either format. 100,000 unpadded items were as many bytes, at five times Python's cost a byte
# (building, scanning and comparing items): 85 s of the file's 100.
N_ITEMS = int(os.environ.get("DDBD_EXPORT_ITEMS", "20000"))
PAD_BYTES = 1700
BUCKET = "exports"


# ---------------------------------------------------------------------------------------------
# The S3 server and ddbd
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def s3rver():
    if shutil.which("node") is None or not os.path.exists(S3RVER):
        pytest.skip("s3rver not installed (deploy/ddbd.sh deps-test)")
    data = tempfile.mkdtemp(prefix="s3rver-")
    port = free_port()
    # s3rver 3.7 makes its continuation tokens with a cipher OpenSSL 3 keeps in the legacy provider
    proc = subprocess.Popen(["node", "--openssl-legacy-provider", S3RVER, "-d", data, "-a", "127.0.0.1", "-p", str(port), "-s",
                             "--no-vhost-buckets", "--configure-bucket", BUCKET],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = "http://127.0.0.1:%d" % port
    s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="S3RVER",
                      aws_secret_access_key="S3RVER", config=Config(s3={"addressing_style": "path"}))
    for _ in range(100):
        try:
            s3.list_objects_v2(Bucket=BUCKET)
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


@pytest.fixture(scope="module")
def export_dir():
    d = tempfile.mkdtemp(prefix="ddbd-exports-")
    os.makedirs(os.path.join(d, "local"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def server(server_factory_module, s3rver, export_dir):
    url, _ = s3rver
    return server_factory_module(["--in-memory", "--export-dir", export_dir, "--s3-endpoint", url,
                                  "--s3-access-key", "S3RVER", "--s3-secret-key", "S3RVER"])


@pytest.fixture(scope="module")
def server_factory_module():
    from conftest import DdbdServer
    started = []

    def start(args):
        s = DdbdServer(args=args)
        s.start()
        started.append(s)
        return s
    yield start
    for s in started:
        s.stop()


@pytest.fixture(scope="module")
def c(server):
    return make_client("http://127.0.0.1:%d" % server.port)


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

def endpoint_of(c):
    return c.meta.endpoint_url


def create(c, name, range_key=False, gsi=False):
    params = dict(TableName=name, BillingMode="PAY_PER_REQUEST",
                  KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                  AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    if range_key:
        params["KeySchema"].append({"AttributeName": "sk", "KeyType": "RANGE"})
        params["AttributeDefinitions"].append({"AttributeName": "sk", "AttributeType": "N"})
    if gsi:
        params["AttributeDefinitions"].append({"AttributeName": "g", "AttributeType": "S"})
        params["GlobalSecondaryIndexes"] = [{"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                             "Projection": {"ProjectionType": "ALL"}}]
    c.create_table(**params)
    return c.describe_table(TableName=name)["Table"]["TableArn"]


def every_type(i):
    """An item with every attribute type, varied by i."""
    return {
        "pk": {"S": "p%06d" % i}, "sk": {"N": str(i % 7)},
        "s": {"S": "text \u00e9\u4e2d \"q\" \\ %d\n" % i},
        "n": {"N": ["600", "-1.5", "0.001", "1E+30", "123456789012345678901234567890123456", "-7"][i % 6]},
        "b": {"B": bytes([i % 256, 0, 255, 10])},
        "t": {"BOOL": i % 2 == 0}, "z": {"NULL": True},
        "l": {"L": [{"S": "a"}, {"N": "1"}, {"M": {"deep": {"L": []}}}, {"B": b"\x00"}]},
        "m": {"M": {"x y": {"S": "v"}, "null": {"NULL": True}, "1st": {"N": "2"}, " ": {"S": "blank name"}}},
        "ss": {"SS": ["a", "b%d" % i]}, "ns": {"NS": ["1", "2.5", str(i + 10)]}, "bs": {"BS": [b"x", bytes([i % 256, 1])]},
        "g": {"S": "g%d" % (i % 10)},
    }


def canon(v):
    """An AttributeValue made comparable (numbers by value, sets unordered)."""
    (t, x), = v.items()
    if t == "N":
        return (t, decimal.Decimal(x).normalize())
    if t == "NS":
        return (t, frozenset(decimal.Decimal(e).normalize() for e in x))
    if t in ("SS", "BS"):
        return (t, frozenset(bytes(e) if t == "BS" else e for e in x))
    if t == "B":
        return (t, bytes(x))
    if t == "L":
        return (t, tuple(canon(e) for e in x))
    if t == "M":
        return (t, tuple(sorted((k, canon(e)) for k, e in x.items())))
    return (t, x)


def canon_item(item):
    return canon({"M": item})


def export(c, table_arn, bucket=BUCKET, prefix="x", fmt="DYNAMODB_JSON"):
    d = c.export_table_to_point_in_time(TableArn=table_arn, S3Bucket=bucket, S3Prefix=prefix,
                                        ExportFormat=fmt)["ExportDescription"]
    assert d["ExportStatus"] == "IN_PROGRESS"
    return wait_export(c, d["ExportArn"])


def import_from(c, name, bucket, prefix, fmt, compression="GZIP", range_key=False, gsi=False, options=None, defs=None):
    params = {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
              "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
              "AttributeDefinitions": defs or [{"AttributeName": "pk", "AttributeType": "S"}]}
    if range_key:
        params["KeySchema"].append({"AttributeName": "sk", "KeyType": "RANGE"})
        params["AttributeDefinitions"].append({"AttributeName": "sk", "AttributeType": "N"})
    if gsi:
        params["AttributeDefinitions"].append({"AttributeName": "g", "AttributeType": "S"})
        params["GlobalSecondaryIndexes"] = [{"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                             "Projection": {"ProjectionType": "ALL"}}]
    kw = dict(S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": prefix}, InputFormat=fmt,
              InputCompressionType=compression, TableCreationParameters=params)
    if options:
        kw["InputFormatOptions"] = options
    d = c.import_table(**kw)["ImportTableDescription"]
    assert d["ImportStatus"] == "IN_PROGRESS"
    return wait_import(c, d["ImportArn"])


class Objects:
    """Reads objects of a bucket that is a directory or an S3 bucket."""

    def __init__(self, root=None, s3=None, bucket=None):
        self.root, self.s3, self.bucket = root, s3, bucket

    def get(self, key):
        if self.root:
            with open(os.path.join(self.root, key), "rb") as f:
                return f.read()
        return self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def keys(self, prefix):
        if self.root:
            out = []
            for d, _, files in os.walk(self.root):
                for f in files:
                    k = os.path.relpath(os.path.join(d, f), self.root)
                    if k.startswith(prefix):
                        out.append(k)
            return sorted(out)
        r = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=prefix)
        return sorted(o["Key"] for o in r.get("Contents", []))


# ---- an independent reader of DynamoDB's export format ----

ION_TOKEN = re.compile(r'\s*(?:(\$dynamodb_(?:SS|NS|BS))::|(\{\{)\s*([A-Za-z0-9+/=\s]*)\s*\}\}|("(?:[^"\\]|\\.)*")'
                       r"|('(?:[^'\\]|\\.)*')|([\[\]{}:,])|(-?[0-9][0-9.]*(?:[dDeE][-+]?[0-9]+)?)|([A-Za-z_$][A-Za-z0-9_$]*))")


def ion_unquote(s):
    body = s[1:-1]
    return json.loads('"' + body.replace("\\'", "'").replace('\\"', '\u0000Q').replace('"', '\\"').replace('\u0000Q', '\\"')
                      .replace("\\x", "\\u00") + '"')


def parse_ion(text):
    """The subset of Ion text DynamoDB's ION exports use, into AttributeValues."""
    toks = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = ION_TOKEN.match(text, pos)
        assert m and m.end() > pos, text[pos:pos + 40]
        toks.append(m)
        pos = m.end()
    i = 0

    def value(ann=None):
        nonlocal i
        m = toks[i]
        i += 1
        if m.group(1):
            return value(m.group(1)[10:])
        if m.group(2):
            return {"B": base64.b64decode(m.group(3))}
        if m.group(4):
            return {"S": ion_unquote(m.group(4))}
        if m.group(6) == "[":
            out = []
            while toks[i].group(6) != "]":
                if toks[i].group(6) == ",":
                    i += 1
                    continue
                out.append(value())
            i += 1
            if ann:
                kind = ann[0]
                return {ann: [e[kind] for e in out]}
            return {"L": out}
        if m.group(6) == "{":
            out = {}
            while toks[i].group(6) != "}":
                if toks[i].group(6) == ",":
                    i += 1
                    continue
                k = toks[i]
                name = ion_unquote(k.group(5) or k.group(4)) if (k.group(5) or k.group(4)) else k.group(8)
                assert toks[i + 1].group(6) == ":"
                i += 2
                out[name] = value()
            i += 1
            return {"M": out}
        if m.group(7):
            t = m.group(7).replace("d", "E").replace("D", "E")
            if t.endswith("."):
                t = t[:-1]
            t = t.replace(".E", "E")
            return {"N": t}
        word = m.group(8)
        if word in ("true", "false"):
            return {"BOOL": word == "true"}
        if word == "null":
            return {"NULL": True}
        raise AssertionError("unexpected Ion symbol %s" % word)

    assert toks[0].group(8) == "$ion_1_0"
    i = 1
    top = value()
    return top["M"]["Item"]["M"]


def read_export(objs, desc):
    """Reads an export as a DynamoDB export reader does: summary -> files manifest -> data files."""
    summary_key = desc["ExportManifest"]
    raw = objs.get(summary_key)
    summary = json.loads(raw)
    assert objs.get(summary_key.replace(".json", ".checksum")).decode() == hashlib.md5(raw).hexdigest()
    assert summary["version"] == "2020-06-30"
    assert summary["exportArn"] == desc["ExportArn"]
    assert summary["tableArn"] == desc["TableArn"]
    assert summary["outputFormat"] == desc["ExportFormat"]
    assert summary["itemCount"] == desc["ItemCount"]
    files_raw = objs.get(summary["manifestFilesS3Key"])
    assert objs.get(summary["manifestFilesS3Key"].replace(".json", ".checksum")).decode() == hashlib.md5(files_raw).hexdigest()
    assert objs.get(summary_key.rsplit("/", 1)[0] + "/_started") == b""
    items, total = [], 0
    for line in files_raw.decode().splitlines():
        entry = json.loads(line)
        data = objs.get(entry["dataFileS3Key"])
        assert base64.b64encode(hashlib.md5(data).digest()).decode() == entry["md5Checksum"]
        assert hashlib.md5(data).hexdigest() == entry["etag"]
        suffix = ".ion.gz" if desc["ExportFormat"] == "ION" else ".json.gz"
        assert entry["dataFileS3Key"].endswith(suffix) and "/data/" in entry["dataFileS3Key"]
        lines = gzip.decompress(data).decode().splitlines()
        assert len(lines) == entry["itemCount"]
        total += entry["itemCount"]
        for l in lines:
            if desc["ExportFormat"] == "ION":
                items.append(parse_ion(l))
            else:
                doc = json.loads(l)
                assert list(doc) == ["Item"]
                items.append({k: {t: (base64.b64decode(x) if t == "B" else [base64.b64decode(e) for e in x] if t == "BS"
                                      else x) for t, x in v.items()} for k, v in doc["Item"].items()})
    assert total == summary["itemCount"]
    return summary, [fix_json(i) for i in items]


def fix_json(item):
    """Decodes the base64 of B and BS nested in L and M of a JSON-read item."""
    def fix(v):
        (t, x), = v.items()
        if t == "B" and isinstance(x, str):
            return {"B": base64.b64decode(x)}
        if t == "BS":
            return {"BS": [base64.b64decode(e) if isinstance(e, str) else e for e in x]}
        if t == "L":
            return {"L": [fix(e) for e in x]}
        if t == "M":
            return {"M": {k: fix(e) for k, e in x.items()}}
        return v
    return {k: fix(v) for k, v in item.items()}


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["DYNAMODB_JSON", "ION"])
def test_export_every_type_to_directory_and_read_back(c, export_dir, fmt):
    name = unique_name("exp")
    arn = create(c, name, range_key=True)
    want = [every_type(i) for i in range(50)]
    for it in want:
        c.put_item(TableName=name, Item=it)
    d = export(c, arn, bucket="local", prefix="pre/fix", fmt=fmt)
    assert d["ExportStatus"] == "COMPLETED", d
    assert d["ItemCount"] == 50 and d["BilledSizeBytes"] > 0
    assert d["ExportArn"].startswith(arn + "/export/")
    assert re.fullmatch(r"\d{14}-[0-9a-f]{8}", d["ExportArn"].rsplit("/", 1)[1])
    assert d["ExportManifest"] == "pre/fix/AWSDynamoDB/%s/manifest-summary.json" % d["ExportArn"].rsplit("/", 1)[1]
    summary, got = read_export(Objects(root=os.path.join(export_dir, "local")), d)
    assert summary["s3Bucket"] == "local" and summary["s3Prefix"] == "pre/fix"
    assert len(got) == len(want) and set(map(canon_item, got)) == set(map(canon_item, want))


def test_export_to_s3_signed(c, s3rver):
    _, s3 = s3rver
    name = unique_name("exps3")
    arn = create(c, name)
    for i in range(20):
        c.put_item(TableName=name, Item={"pk": {"S": "k%d" % i}, "v": {"N": str(i)}})
    d = export(c, arn, prefix="s3test")
    assert d["ExportStatus"] == "COMPLETED", d
    _, got = read_export(Objects(s3=s3, bucket=BUCKET), d)
    assert sorted(i["pk"]["S"] for i in got) == sorted("k%d" % i for i in range(20))


def test_export_empty_table_writes_one_empty_file(c, export_dir):
    name = unique_name("expempty")
    arn = create(c, name)
    d = export(c, arn, bucket="local", prefix="empty")
    assert d["ExportStatus"] == "COMPLETED" and d["ItemCount"] == 0
    summary, got = read_export(Objects(root=os.path.join(export_dir, "local")), d)
    assert got == [] and summary["itemCount"] == 0


def test_export_is_one_snapshot(c, export_dir):
    """Items written after the export started are not in it (the snapshot is taken when it runs)."""
    name = unique_name("expsnap")
    arn = create(c, name)
    for i in range(200):
        c.put_item(TableName=name, Item={"pk": {"S": "k%d" % i}})
    d = export(c, arn, bucket="local", prefix="snap")
    c.put_item(TableName=name, Item={"pk": {"S": "later"}})
    _, got = read_export(Objects(root=os.path.join(export_dir, "local")), d)
    assert len(got) == 200


def test_export_missing_bucket_fails(c):
    arn = create(c, unique_name("expnob"))
    d = export(c, arn, bucket="no-such-bucket")
    assert d["ExportStatus"] == "FAILED"
    assert d["FailureCode"] == "S3NoSuchBucket"


@pytest.mark.parametrize("args", [[], ["--export-dir", "{tmp}"]], ids=["no-store", "no-directory"])
def test_export_and_import_to_an_unreachable_bucket_are_accepted_and_warned(server_factory, tmp_path, args):
    # DynamoDB accepts both and fails them later (FailureCode S3NoSuchBucket; its API lists no
    # error for the bucket); a bucket no store of this server can hold (neither the directory
    # DIR/B nor --s3-endpoint) is said so in the log at once, with the options that would fix it
    srv = server_factory(["--in-memory"] + [a.format(tmp=tmp_path) for a in args])
    c2 = make_client("http://127.0.0.1:%d" % srv.port)
    d = export(c2, create(c2, unique_name("expnostore")), bucket="nowhere")
    assert (d["ExportStatus"], d["FailureCode"], d["FailureMessage"]) == \
        ("FAILED", "S3NoSuchBucket", "The specified bucket does not exist")
    d = import_from(c2, unique_name("impnostore"), "nowhere", "x", "CSV", compression="NONE")
    assert (d["ImportStatus"], d["FailureCode"], d["FailureMessage"]) == \
        ("FAILED", "S3NoSuchBucket", "The specified bucket does not exist")
    if args:  # a bucket that is a directory is not warned about
        os.mkdir(os.path.join(tmp_path, "here"))
        assert export(c2, create(c2, unique_name("exphere")), bucket="here")["ExportStatus"] == "COMPLETED"
    where = str(tmp_path) if args else "<--export-dir DIR>"
    log = srv.stderr_text()
    assert "bucket here" not in log, log
    for op in ("ExportTableToPointInTime", "ImportTable"):
        assert "warn %s: bucket nowhere is not the directory %s/nowhere and no --s3-endpoint is set: it " \
               "will fail with S3NoSuchBucket (docs/export-import.md)" % (op, where) in log, log


def test_export_errors(c):
    name = unique_name("experr")
    arn = create(c, name)
    with pytest.raises(c.exceptions.TableNotFoundException) as e:
        c.export_table_to_point_in_time(TableArn=arn + "nope", S3Bucket=BUCKET)
    assert_client_error(e, "TableNotFoundException", "Table not found: %snope" % arn)  # the ARN as passed
    with pytest.raises(c.exceptions.ClientError) as e:
        c.export_table_to_point_in_time(TableArn=arn, S3Bucket=BUCKET, ExportTime=time.time() + 3600)
    assert_client_error(e, "InvalidExportTimeException", "Export time cannot be in the future")
    # a past time reads point-in-time recovery's history (test_export_pitr.py)
    with pytest.raises(c.exceptions.ClientError) as e:
        c.export_table_to_point_in_time(TableArn=arn, S3Bucket=BUCKET, ExportTime=time.time() - 3600)
    assert_client_error(e, "PointInTimeRecoveryUnavailableException",
                        "Point in time recovery is not enabled for table '%s'" % name)
    with pytest.raises(c.exceptions.ClientError) as e:
        c.export_table_to_point_in_time(TableArn=arn, S3Bucket=BUCKET, ExportFormat="CSV")
    assert_client_error(e, "ValidationException", ANY)
    with pytest.raises(c.exceptions.ClientError) as e:
        c.export_table_to_point_in_time(TableArn=arn)
    assert_client_error(e, "ValidationException", ANY)
    with pytest.raises(c.exceptions.ClientError) as e:
        c.describe_export(ExportArn=arn + "/export/01234567890123-abcdef01")
    assert_client_error(e, "ExportNotFoundException", ANY)


def test_patterns_and_next_tokens(c):
    """The API reference's patterns for S3BucketOwner ([0-9]{12}) and ClientToken (^[^\\$]+$), and a
    NextToken the server did not give (issue 42: ListBulkOperations' kin)."""
    arn = create(c, unique_name("exppat"))
    for kw, where, value, pattern in (
            ({"S3BucketOwner": "abc"}, "s3BucketOwner", "abc", "[0-9]{12}"),
            ({"ClientToken": "a$b"}, "clientToken", "a$b", "^[^\\$]+$")):
        with pytest.raises(c.exceptions.ClientError) as e:
            c.export_table_to_point_in_time(TableArn=arn, S3Bucket=BUCKET, **kw)
        assert_client_error(e, "ValidationException", "1 validation error detected: Value '%s' at '%s' failed to "
                            "satisfy constraint: Member must satisfy regular expression pattern: %s" % (value, where, pattern))
    with pytest.raises(c.exceptions.ClientError) as e:
        c.import_table(S3BucketSource={"S3Bucket": BUCKET, "S3BucketOwner": "12345"}, InputFormat="DYNAMODB_JSON",
                       TableCreationParameters={"TableName": unique_name("imppat"), "BillingMode": "PAY_PER_REQUEST",
                                                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                                                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]})
    assert_client_error(e, "ValidationException", "1 validation error detected: Value '12345' at "
                        "'s3BucketSource.s3BucketOwner' failed to satisfy constraint: Member must satisfy regular "
                        "expression pattern: [0-9]{12}")
    for call in (c.list_exports, c.list_imports):
        with pytest.raises(c.exceptions.ClientError) as e:
            call(NextToken="garbage")
        assert_client_error(e, "ValidationException", "Invalid NextToken")


def test_export_client_token(c):
    arn = create(c, unique_name("exptok"))
    a = c.export_table_to_point_in_time(TableArn=arn, S3Bucket=BUCKET, ClientToken="tok-1")["ExportDescription"]
    b = c.export_table_to_point_in_time(TableArn=arn, S3Bucket=BUCKET, ClientToken="tok-1")["ExportDescription"]
    assert a["ExportArn"] == b["ExportArn"]
    with pytest.raises(c.exceptions.ClientError) as e:
        c.export_table_to_point_in_time(TableArn=arn, S3Bucket=BUCKET, S3Prefix="other", ClientToken="tok-1")
    assert_client_error(e, "ExportConflictException", ANY)
    wait_export(c, a["ExportArn"])


def test_list_exports_filters_and_pages(c):
    arn = create(c, unique_name("explist"))
    arns = [c.export_table_to_point_in_time(TableArn=arn, S3Bucket=BUCKET)["ExportDescription"]["ExportArn"]
            for _ in range(3)]
    for a in arns:
        wait_export(c, a)
    seen, kw = [], {}
    while True:
        r = c.list_exports(TableArn=arn, MaxResults=2, **kw)
        assert len(r["ExportSummaries"]) <= 2
        seen += [s["ExportArn"] for s in r["ExportSummaries"]]
        for s in r["ExportSummaries"]:
            assert s["ExportStatus"] == "COMPLETED"
        if "NextToken" not in r:
            break
        kw["NextToken"] = r["NextToken"]
    assert seen == arns
    with pytest.raises(c.exceptions.ClientError) as e:
        c.list_exports(MaxResults=26)
    assert_client_error(e, "ValidationException", ANY)


# ---------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------

def ddb_json(v):
    """An AttributeValue as DynamoDB JSON (binary as base64), the import's input."""
    (t, x), = v.items()
    if t == "B":
        return {"B": base64.b64encode(x).decode()}
    if t == "BS":
        return {"BS": [base64.b64encode(e).decode() for e in x]}
    if t == "L":
        return {"L": [ddb_json(e) for e in x]}
    if t == "M":
        return {"M": {k: ddb_json(e) for k, e in x.items()}}
    return v


@pytest.fixture(scope="module")
def big_table(c, export_dir):
    """A table of N_ITEMS items of every type, shared by both formats' round trips: its items written
    as DynamoDB JSON lines to the directory bucket and imported there by the server (ddbd's own
    work), not sent in 4,000 BatchWriteItems a format from Python (most of this file's time on a
    loaded 2-core machine). What the round trips compare with is the items as made here."""
    name = unique_name("big")
    want = {}
    per_file = 25000
    for f in range(0, N_ITEMS, per_file):
        lines = []
        for i in range(f, min(f + per_file, N_ITEMS)):
            it = dict(every_type(i), pad={"B": bytes([i % 256]) * PAD_BYTES})
            want[(it["pk"]["S"], it["sk"]["N"])] = canon_item(it)
            lines.append(json.dumps({"Item": {k: ddb_json(v) for k, v in it.items()}}))
        path = os.path.join(export_dir, "local", name, "part-%03d.json" % (f // per_file))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as out:
            out.write("\n".join(lines) + "\n")
    imp = import_from(c, name, "local", name + "/", "DYNAMODB_JSON", compression="NONE", range_key=True)
    assert imp["ImportStatus"] == "COMPLETED", imp
    assert imp["ImportedItemCount"] == N_ITEMS and imp["ErrorCount"] == 0
    arn = c.describe_table(TableName=name)["Table"]["TableArn"]
    return name, arn, want


@pytest.mark.parametrize("fmt", ["DYNAMODB_JSON", "ION"])
def test_round_trip_large(c, s3rver, big_table, fmt):
    """N_ITEMS items of every type, exported to S3 (52 MB: more than one data file), read back by the
    independent reader and by ImportTable (with a GSI derived by the mutation pipeline), compared
    item by item."""
    _, s3 = s3rver
    name, arn, want = big_table
    t0 = time.time()
    d = export(c, arn, prefix="big-" + fmt.lower(), fmt=fmt)
    assert d["ExportStatus"] == "COMPLETED", d
    assert d["ItemCount"] == N_ITEMS
    print("export of %d items: %.2fs" % (N_ITEMS, time.time() - t0))
    summary, got = read_export(Objects(s3=s3, bucket=BUCKET), d)
    assert len(got) == N_ITEMS
    data_files = Objects(s3=s3, bucket=BUCKET).get(summary["manifestFilesS3Key"]).decode().splitlines()
    assert len(data_files) >= 2, data_files
    # (sets of items: canonical items hold frozensets, which do not sort)
    assert set(canon_item(i) for i in got) == set(want.values())
    eid = d["ExportArn"].rsplit("/", 1)[1]
    t0 = time.time()
    back_name = "%s-%s" % (name, fmt.lower())
    imp = import_from(c, back_name, BUCKET, "big-%s/AWSDynamoDB/%s/data/" % (fmt.lower(), eid), fmt,
                      range_key=True, gsi=True)
    print("import of %d items: %.2fs" % (N_ITEMS, time.time() - t0))
    assert imp["ImportStatus"] == "COMPLETED", imp
    assert imp["ProcessedItemCount"] == N_ITEMS and imp["ImportedItemCount"] == N_ITEMS and imp["ErrorCount"] == 0
    back = scan_all(c, back_name)
    assert len(back) == N_ITEMS
    for it in back:
        assert canon_item(it) == want[(it["pk"]["S"], it["sk"]["N"])]
    # the index was derived by the pipeline
    count, kw = 0, {}
    while True:
        r = c.query(TableName=back_name, IndexName="byg", KeyConditionExpression="g = :g",
                    ExpressionAttributeValues={":g": {"S": "g3"}}, Select="COUNT", **kw)
        count += r["Count"]
        if "LastEvaluatedKey" not in r:
            break
        kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]
    assert count == len([i for i in range(N_ITEMS) if i % 10 == 3])


def put_objects(export_dir, bucket, files):
    for key, data in files.items():
        path = os.path.join(export_dir, bucket, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


def test_import_csv_header_and_types(c, server, export_dir):
    put_objects(export_dir, "local", {
        "csv1/a.csv": b'pk,sk,txt,num\r\nk1,1,"hello, ""w""\nnext",5\nk2,2,,7\n,3,no key,1\n',
        "csv1/b.csv": b"pk,sk,txt\nk3,3,z\n",
    })
    d = import_from(c, unique_name("csv"), "local", "csv1/", "CSV", compression="NONE", range_key=True)
    assert failed_items(d) == ITEMS_FAILED  # a record without its key: the import fails, its table stays
    assert (d["ProcessedItemCount"], d["ImportedItemCount"], d["ErrorCount"]) == (4, 3, 1)
    name = d["TableArn"].rsplit("/", 1)[1]
    got = {i["pk"]["S"]: i for i in scan_all(c, name)}
    assert got["k1"] == {"pk": {"S": "k1"}, "sk": {"N": "1"}, "txt": {"S": 'hello, "w"\nnext'}, "num": {"S": "5"}}
    assert got["k2"] == {"pk": {"S": "k2"}, "sk": {"N": "2"}, "num": {"S": "7"}}  # an empty field is left out
    assert got["k3"] == {"pk": {"S": "k3"}, "sk": {"N": "3"}, "txt": {"S": "z"}}
    # the error record, DynamoDB's CloudWatch record, in the server's log
    [msg] = error_records(server, d["ImportArn"])
    assert msg["itemS3Pointer"] == {"bucket": "local", "key": "csv1/a.csv", "itemIndex": 2}
    assert msg["importArn"] == d["ImportArn"]
    assert "Missing the key pk" in msg["errorMessages"][0]
    assert d["CloudWatchLogGroupArn"] == "arn:aws:logs:us-east-1:000000000000:log-group:/aws-dynamodb/imports:*"


def test_import_csv_header_list_and_delimiter(c, export_dir):
    put_objects(export_dir, "local", {"csv2/data.tsv": gzip.compress(b"k1\t10\tx\nk2\t20\ty\n")})
    d = import_from(c, unique_name("tsv"), "local", "csv2/", "CSV", compression="GZIP",
                    options={"Csv": {"Delimiter": "\t", "HeaderList": ["pk", "n", "s"]}},
                    defs=[{"AttributeName": "pk", "AttributeType": "S"}])
    assert d["ImportStatus"] == "COMPLETED" and d["ImportedItemCount"] == 2
    name = d["TableArn"].rsplit("/", 1)[1]
    got = {i["pk"]["S"]: i for i in scan_all(c, name)}
    assert got["k1"] == {"pk": {"S": "k1"}, "n": {"S": "10"}, "s": {"S": "x"}}


def test_import_counts_bad_lines(c, export_dir):
    """Any failed item makes the import FAILED (ItemValidationError), its table kept with the items
    that were imported: COMPLETED only with ErrorCount 0. A line that is no JSON ends its object (the
    developer guide: a malformed object's rest may not be processed); an item PutItem refuses is
    passed over. DynamoDB, 2026-10-09: a missing key in a 10-line file, Processed 10, Imported 9,
    Errors 1; an unparseable sixth line, Processed 6, Imported 5, Errors 1 (docs/compatibility.md)."""
    put_objects(export_dir, "local", {
        "bad/1.json": b'{"Item":{"pk":{"S":"a"}}}\nnot json\n{"Item":{"pk":{"S":"unread"}}}\n',
        "bad/2.json": b'{"Item":{"pk":{"N":"1"}}}\n{"Item":{"pk":{"S":"b"}}}\n{"Item":{"pk":{"S":"c"},"e":{"SS":[]}}}\n'
                      b'{"Item":{"pk":{"S":"d"}}}\n'})
    name = unique_name("bad")
    d = import_from(c, name, "local", "bad/", "DYNAMODB_JSON", compression="NONE")
    assert failed_items(d) == ITEMS_FAILED, d
    assert (d["ProcessedItemCount"], d["ImportedItemCount"], d["ErrorCount"]) == (6, 3, 3)
    assert sorted(i["pk"]["S"] for i in scan_all(c, name)) == ["a", "b", "d"]


# DynamoDB's FailureCode and FailureMessage of an import with a failed item (the developer guide's
# "Data validation errors"; a capture against DynamoDB of 2026-10-09: docs/compatibility.md)
ITEMS_FAILED = ("FAILED", "ItemValidationError", "Some of the items failed validation checks and were not imported. "
                "Please check CloudWatch error logs for more details.")


def failed_items(d):
    return (d["ImportStatus"], d.get("FailureCode"), d.get("FailureMessage"))


def table_gone(c, name):
    with pytest.raises(c.exceptions.ResourceNotFoundException):
        c.describe_table(TableName=name)
    return True


def test_import_record_without_item_fails_and_keeps_what_it_imported(c, server, export_dir):
    """A record without its "Item" wrapper: DynamoDB reads no further in its object, goes on with the
    next objects, and ends the import FAILED (ItemValidationError) with its table and the items it
    imported still there (issue 52; ScyllaDB's test/alternator/test_import.py test_invalid_items,
    which passes on AWS, asserts exactly this, an invalid line per object). The error records go to
    the server's log, as DynamoDB's go to CloudWatch: nothing is written into the source bucket
    (that test's clean-up of the bucket fails on an extra object)."""
    good = [{"pk": {"S": "good1"}, "v": {"S": "kept"}}, {"pk": {"S": "good2"}, "v": {"S": "kept too"}}]
    put_objects(export_dir, "local", {
        "noitem/00000-good.json": b"\n".join(json.dumps({"Item": i}).encode() for i in good) + b"\n\n   \n",
        # the record after the bad one, in the same object, is not read
        "noitem/00001-bad.json": b'{"NotAnItem":{"pk":{"S":"x"}}}\n{"Item":{"pk":{"S":"unread"}}}\n',
        "noitem/00002-bad.json": b'{"Item":{"v":{"S":"no key"}}}\n',
        "noitem/00003-good.json": b'{"Item":{"pk":{"S":"good3"}}}\n',
    })
    before = bucket_files(export_dir, "local")
    name = unique_name("noitem")
    d = import_from(c, name, "local", "noitem/", "DYNAMODB_JSON", compression="NONE")
    assert failed_items(d) == ITEMS_FAILED, d
    assert (d["ProcessedItemCount"], d["ImportedItemCount"], d["ErrorCount"]) == (5, 3, 2)
    assert d["CloudWatchLogGroupArn"] == "arn:aws:logs:us-east-1:000000000000:log-group:/aws-dynamodb/imports:*"
    # the table stays, with what was imported
    assert c.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"
    assert sorted(i["pk"]["S"] for i in scan_all(c, name)) == ["good1", "good2", "good3"]
    listed = [s for s in c.list_imports()["ImportSummaryList"] if s["ImportArn"] == d["ImportArn"]]
    assert [s["ImportStatus"] for s in listed] == ["FAILED"]
    # the source bucket is only read; the error records are in the server's log
    assert bucket_files(export_dir, "local") == before
    assert error_log(server, d["ImportArn"]) == [
        ("noitem/00001-bad.json", 0, "Unable to map value based on the given schema. "
                                     "Remainder of the file will not be processed."),
        ("noitem/00002-bad.json", 0, put_error(c, name, {"v": {"S": "no key"}}))]
    assert all(m["importArn"] == d["ImportArn"] and m["itemS3Pointer"]["bucket"] == "local"
               for m in error_records(server, d["ImportArn"]))


def test_import_of_a_plain_object_declared_gzip_fails_as_an_item(c, server, export_dir):
    """An object that is not the compression declared is one failed record, the object's last: the
    import goes on and ends FAILED (ItemValidationError), its table kept. DynamoDB, 2026-10-09
    (the ack-api-quirks lab's DDB-IMPORT-015): a plain file imported as GZIP, FAILED
    ItemValidationError, Processed 1, Imported 0, the table ACTIVE and empty."""
    put_objects(export_dir, "local", {"badgz/x.json.gz": b'{"Item":{"pk":{"S":"a"}}}\n',
                                      "badgz/y.json.gz": gzip.compress(b'{"Item":{"pk":{"S":"b"}}}\n')})
    name = unique_name("badgz")
    d = import_from(c, name, "local", "badgz/", "DYNAMODB_JSON", compression="GZIP")
    assert failed_items(d) == ITEMS_FAILED, d
    assert (d["ProcessedItemCount"], d["ImportedItemCount"], d["ErrorCount"]) == (2, 1, 1)
    assert [i["pk"]["S"] for i in scan_all(c, name)] == ["b"]
    assert error_log(server, d["ImportArn"]) == [("badgz/x.json.gz", 0, "badgz/x.json.gz is not gzip data")]


def test_import_several_objects_on_a_line_and_gzip_declared_uncompressed(c, export_dir):
    """Each JSON object of a line is an item (a JSON reader's stream of values, as DynamoDB reads one);
    a gzip object whose InputCompressionType is NONE fails as one record and is read no further."""
    put_objects(export_dir, "local", {
        "multi/a.json": b'{"Item":{"pk":{"S":"a"}}}{"Item":{"pk":{"S":"b"}}} {"Item":{"pk":{"S":"c"}}}\n',
        "multi/b.json": gzip.compress(b'{"Item":{"pk":{"S":"z"}}}\n' * 50)})
    d = import_from(c, unique_name("multi"), "local", "multi/", "DYNAMODB_JSON", compression="NONE")
    assert failed_items(d) == ITEMS_FAILED, d
    assert (d["ProcessedItemCount"], d["ImportedItemCount"], d["ErrorCount"]) == (4, 3, 1)
    name = d["TableArn"].rsplit("/", 1)[1]
    assert sorted(i["pk"]["S"] for i in scan_all(c, name)) == ["a", "b", "c"]


def test_import_table_creation_parameters_paths(c, export_dir):
    put_objects(export_dir, "local", {"paths/x.json": b'{"Item":{"pk":{"S":"a"}}}\n'})
    with pytest.raises(c.exceptions.ClientError) as e:
        c.import_table(S3BucketSource={"S3Bucket": "local", "S3KeyPrefix": "paths/"}, InputFormat="DYNAMODB_JSON",
                       TableCreationParameters={"TableName": unique_name("paths"), "KeySchema": [],
                                                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                                                "BillingMode": "PAY_PER_REQUEST"})
    assert_client_error(e, "ValidationException",
                        "1 validation error detected: Value '[]' at 'tableCreationParameters.keySchema' failed to "
                        "satisfy constraint: Member must have length greater than or equal to 1")


def zstd(data):
    if shutil.which("zstd") is None:
        pytest.skip("the zstd tool is not installed (deploy/ddbd.sh deps-test)")
    return subprocess.run(["zstd", "-q", "-c"], input=data, capture_output=True, check=True).stdout


def test_import_zstd(c, server, export_dir):
    """InputCompressionType ZSTD: each object is one or more zstd frames; a non-zstd object is one
    failed record (the import ends FAILED, ItemValidationError, as DynamoDB's does)."""
    lines = [b'{"Item":{"pk":{"S":"z%d"},"n":{"N":"%d"}}}\n' % (i, i) for i in range(300)]
    put_objects(export_dir, "local", {
        "zst/a.json.zst": zstd(b"".join(lines[:100])),
        "zst/b.json.zst": zstd(b"".join(lines[100:200])) + zstd(b"".join(lines[200:])),  # two frames
    })
    name = unique_name("zst")
    d = import_from(c, name, "local", "zst/", "DYNAMODB_JSON", compression="ZSTD")
    assert d["ImportStatus"] == "COMPLETED", d
    assert (d["ProcessedItemCount"], d["ImportedItemCount"], d["ErrorCount"]) == (300, 300, 0)
    assert d["InputCompressionType"] == "ZSTD"
    assert sorted(int(i["n"]["N"]) for i in scan_all(c, name)) == list(range(300))
    put_objects(export_dir, "local", {"zstbad/a.json.zst": b"".join(lines[:3])})
    d = import_from(c, unique_name("zstbad"), "local", "zstbad/", "DYNAMODB_JSON", compression="ZSTD")
    assert failed_items(d) == ITEMS_FAILED, d
    assert (d["ProcessedItemCount"], d["ImportedItemCount"], d["ErrorCount"]) == (1, 0, 1)
    assert error_log(server, d["ImportArn"]) == [("zstbad/a.json.zst", 0, "zstbad/a.json.zst is not zstd data")]


def test_import_ion_hand_written(c, export_dir):
    ion = (b"$ion_1_0 {Item:{pk:\"a\", n:6d2, f:1.5, i:42, b:{{AAE=}}, 'odd name':true, z:null,"
           b" ss:$dynamodb_SS::[\"x\",\"y\"], ns:$dynamodb_NS::[1., 2.5], bs:$dynamodb_BS::[{{eA==}}],"
           b" m:{\"k\":[null, false, '''long ''' '''string''']}}}\n")
    put_objects(export_dir, "local", {"ion/x.ion": ion})
    d = import_from(c, unique_name("ion"), "local", "ion/", "ION", compression="NONE")
    assert d["ImportStatus"] == "COMPLETED" and d["ImportedItemCount"] == 1, d
    name = d["TableArn"].rsplit("/", 1)[1]
    got = c.get_item(TableName=name, Key={"pk": {"S": "a"}})["Item"]
    assert canon_item(got) == canon_item({
        "pk": {"S": "a"}, "n": {"N": "600"}, "f": {"N": "1.5"}, "i": {"N": "42"}, "b": {"B": b"\x00\x01"},
        "odd name": {"BOOL": True}, "z": {"NULL": True}, "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2.5"]},
        "bs": {"BS": [b"x"]}, "m": {"M": {"k": {"L": [{"NULL": True}, {"BOOL": False}, {"S": "long string"}]}}}})


def test_import_errors(c, export_dir):
    name = unique_name("imperr")
    create(c, name)
    put_objects(export_dir, "local", {"e/x.json": b'{"Item":{"pk":{"S":"a"}}}\n'})
    base = dict(S3BucketSource={"S3Bucket": "local", "S3KeyPrefix": "e/"}, InputFormat="DYNAMODB_JSON",
                TableCreationParameters={"TableName": name, "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                                         "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                                         "BillingMode": "PAY_PER_REQUEST"})
    with pytest.raises(c.exceptions.ClientError) as e:
        c.import_table(**base)
    assert_client_error(e, "ResourceInUseException", ANY)
    with pytest.raises(c.exceptions.ClientError) as e:
        c.import_table(**dict(base, InputFormat="XML"))
    assert_client_error(e, "ValidationException", ANY)
    with pytest.raises(c.exceptions.ClientError) as e:
        c.import_table(**dict(base, InputFormat="CSV", InputFormatOptions={"Csv": {"Delimiter": "x"}}))
    assert_client_error(e, "ValidationException", ANY)
    bad_params = dict(base["TableCreationParameters"], TableName=unique_name("imperr"), KeySchema=[])
    with pytest.raises(c.exceptions.ClientError) as e:
        c.import_table(**dict(base, TableCreationParameters=bad_params))
    assert_client_error(e, "ValidationException", ANY)
    with pytest.raises(c.exceptions.ClientError) as e:
        c.describe_import(ImportArn="arn:aws:dynamodb:us-east-1:000000000000:table/x/import/01234567890123-abcdef01")
    assert_client_error(e, "ImportNotFoundException", ANY)
    # a ClientToken reused with another source
    fresh = dict(base["TableCreationParameters"], TableName=unique_name("imptok"))
    a = c.import_table(**dict(base, TableCreationParameters=fresh, ClientToken="itok"))["ImportTableDescription"]
    b = c.import_table(**dict(base, TableCreationParameters=fresh, ClientToken="itok"))["ImportTableDescription"]
    assert a["ImportArn"] == b["ImportArn"]
    with pytest.raises(c.exceptions.ClientError) as e:
        c.import_table(**dict(base, TableCreationParameters=fresh, ClientToken="itok",
                              S3BucketSource={"S3Bucket": "local", "S3KeyPrefix": "other/"}))
    assert_client_error(e, "ImportConflictException", ANY)
    wait_import(c, a["ImportArn"])


def test_import_missing_bucket_fails_and_an_empty_prefix_completes(c):
    name = unique_name("impnob")
    d = import_from(c, name, "no-such-bucket", "", "DYNAMODB_JSON")
    assert (d["ImportStatus"], d["FailureCode"], d["FailureMessage"]) == \
        ("FAILED", "S3NoSuchBucket", "The specified bucket does not exist")
    assert table_gone(c, name)
    # an empty prefix: DynamoDB completes with no item (issue 42), the table stays
    name = unique_name("impnok")
    d = import_from(c, name, BUCKET, "nothing-here/", "DYNAMODB_JSON")
    assert (d["ImportStatus"], d["ProcessedItemCount"], d["ImportedItemCount"]) == ("COMPLETED", 0, 0), d
    assert c.describe_table(TableName=name)["Table"]["ItemCount"] == 0


def test_list_imports(c, export_dir):
    put_objects(export_dir, "local", {"li/x.json": b'{"Item":{"pk":{"S":"a"}}}\n'})
    arns = []
    for _ in range(3):
        d = import_from(c, unique_name("li"), "local", "li/", "DYNAMODB_JSON", compression="NONE")
        arns.append(d["ImportArn"])
    seen, kw = [], {}
    while True:
        r = c.list_imports(PageSize=2, **kw)
        seen += [s["ImportArn"] for s in r["ImportSummaryList"]]
        if "NextToken" not in r:
            break
        kw["NextToken"] = r["NextToken"]
    assert [a for a in seen if a in arns] == arns
    one = c.list_imports(TableArn=arns[1].split("/import/")[0])["ImportSummaryList"]
    assert [s["ImportArn"] for s in one] == [arns[1]]
    assert one[0]["ImportStatus"] == "COMPLETED" and one[0]["InputFormat"] == "DYNAMODB_JSON"


def error_records(server, import_arn):
    """The import's error records in the server's log (where DynamoDB has its CloudWatch log), each
    DynamoDB's {"itemS3Pointer", "importArn", "errorMessages"}, in order."""
    mark = "import %s: item error: " % import_arn.rsplit("/", 1)[1]
    return [json.loads(l.split(mark, 1)[1]) for l in server.stderr_text().splitlines() if mark in l]


def error_log(server, import_arn):
    """The import's error records: (object key, itemIndex, first message) of each, in order."""
    return [(m["itemS3Pointer"]["key"], m["itemS3Pointer"]["itemIndex"], m["errorMessages"][0])
            for m in error_records(server, import_arn)]


def bucket_files(export_dir, bucket):
    """Every object of a directory bucket (relative paths)."""
    root = os.path.join(export_dir, bucket)
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)


def put_error(c, table, item):
    with pytest.raises(c.exceptions.ClientError) as e:
        c.put_item(TableName=table, Item=item)
    return e.value.response["Error"]["Message"]


def test_import_batches_keep_record_order(c, server, export_dir):
    """Imports commit batches of up to 100 puts of distinct keys (the reader StartBulkPutItems
    uses): a key repeated in an object, in one batch or across batches, is still written in record
    order (the last wins); a bad record among good ones, and a put the batch's commit cannot take
    (an index key of the wrong type: the batch is then written one put at a time), each get one
    error log line, in record order, with PutItem's message; the counts are exact."""
    def line(i, key=None, v=None, g=None):
        item = {"pk": {"S": "r%d" % (i if key is None else key)}, "v": {"S": v or "v%d" % i}}
        item["g"] = g or {"S": "g%d" % (i % 3)}
        return json.dumps({"Item": item}).encode()
    lines = [line(i) for i in range(350)]
    lines[120] = b'{"Item":{"v":{"S":"no key"}}}'  # (one that is no JSON ends its object)
    lines[150] = line(150, key=149, v="second")  # the key of the line before: the next batch
    lines[200] = line(200, g={"N": "1"})         # the index key's type: the commit fails, then one by one
    lines[260] = line(260, key=10, v="later")    # a key of an earlier batch
    lines[300] = b'{"Item":{"pk":{"S":"r300"},"e":{"SS":[]}}}'  # (one without its Item fails the import)
    csv = b"pk,v\nc1,one\nc2,two\nc1,again\nc3,x,extra\n\nc4,four\n"
    put_objects(export_dir, "local", {"order/a.json": b"\n".join(lines) + b"\n", "order-csv/a.csv": csv})
    name = unique_name("order")
    d = import_from(c, name, "local", "order/", "DYNAMODB_JSON", compression="NONE", gsi=True)
    assert failed_items(d) == ITEMS_FAILED  # (a failed item fails the import: its table stays)
    assert (d["ProcessedItemCount"], d["ImportedItemCount"], d["ErrorCount"]) == (350, 347, 3)
    mismatch = put_error(c, name, json.loads(lines[200])["Item"])
    assert "Type mismatch" in mismatch
    assert error_log(server, d["ImportArn"]) == [
        ("order/a.json", 120, put_error(c, name, {"v": {"S": "no key"}})),
        ("order/a.json", 200, mismatch),
        ("order/a.json", 300, put_error(c, name, json.loads(lines[300])["Item"]))]
    got = {i["pk"]["S"]: (i["v"]["S"], i["g"]["S"]) for i in scan_all(c, name)}
    want = {"r%d" % i: ("v%d" % i, "g%d" % (i % 3)) for i in range(350) if i not in (120, 150, 200, 260, 300)}
    want.update({"r149": ("second", "g0"), "r10": ("later", "g2")})
    assert got == want
    n = c.query(TableName=name, IndexName="byg", KeyConditionExpression="g = :g",
                ExpressionAttributeValues={":g": {"S": "g1"}}, Select="COUNT")["Count"]
    assert n == sum(1 for v, g in want.values() if g == "g1")  # the index followed the last value
    assert c.scan(TableName=name, IndexName="byg", Select="COUNT")["Count"] == len(want)  # no stale entry
    assert c.describe_table(TableName=name)["Table"]["ItemCount"] == len(want)  # each key counted once
    d = import_from(c, unique_name("ordercsv"), "local", "order-csv/", "CSV", compression="NONE")
    assert (d["ProcessedItemCount"], d["ImportedItemCount"], d["ErrorCount"]) == (5, 4, 1)
    assert error_log(server, d["ImportArn"]) == \
        [("order-csv/a.csv", 3, "The CSV record has more fields than the header")]
    got = {i["pk"]["S"]: i["v"]["S"] for i in scan_all(c, d["TableArn"].rsplit("/", 1)[1])}
    assert got == {"c1": "again", "c2": "two", "c4": "four"}



def test_import_csv_record_not_utf8(c, server, export_dir):
    # a field that is not UTF-8 fails its record with words that say so (it was "Invalid JSON: the
    # line is not a JSON document", of a CSV, which has no JSON); the records after it are read
    put_objects(export_dir, "local", {"csv-utf8/a.csv": b"pk,v\nc1,one\nc2,b\xffad\nc3,th\xc3\xa9\n"})
    d = import_from(c, unique_name("csvutf8"), "local", "csv-utf8/", "CSV", compression="NONE")
    assert (d["ProcessedItemCount"], d["ImportedItemCount"], d["ErrorCount"]) == (3, 2, 1)
    assert error_log(server, d["ImportArn"]) == [("csv-utf8/a.csv", 1, "The CSV record is not valid UTF-8 text")]
    got = {i["pk"]["S"]: i["v"]["S"] for i in scan_all(c, d["TableArn"].rsplit("/", 1)[1])}
    assert got == {"c1": "one", "c3": "th\u00e9"}

def slow_source(export_dir, prefix, n=12000):
    """n records in two objects, every 1000th bad, every 997th the key of the record before (with
    another value); returns the objects, the errors (key, index, message) and the table it makes."""
    objects, errors, table = {}, [], {}
    for o in range(2):
        key, lines = "%s/part-%d.json" % (prefix, o), []
        for j in range(n // 2):
            i = o * (n // 2) + j
            if i % 1000 == 999:  # an item without its key (one that is no JSON would end its object)
                lines.append(b'{"Item":{"v":{"S":"no key"}}}')
                errors.append((key, j, "One or more parameter values were invalid: Missing the key pk in the item"))
                continue
            k = i - 1 if i % 997 == 5 else i
            table["k%d" % k] = "v%d" % i
            lines.append(json.dumps({"Item": {"pk": {"S": "k%d" % k}, "v": {"S": "v%d" % i}}}).encode())
        objects[key] = b"\n".join(lines) + b"\n"
    return objects, errors, table


def test_import_cancelled_by_delete_table_and_killed_mid_way(tmp_path):
    """With each batch's commit slowed (a delay point on the batched commit), a DeleteTable
    mid-import cancels it (CANCELLED, part of the items processed), and a kill -9 mid-import runs
    it again from the beginning at the next start: the counts, the error log (each error once, in
    record order) and the table (each key's last value) are exact, nothing counted twice."""
    from conftest import DdbdServer
    exports, data = str(tmp_path / "exports"), str(tmp_path / "data")
    os.makedirs(os.path.join(exports, "local"))
    objects, errors, table = slow_source(exports, "slow")
    put_objects(exports, "local", objects)
    args = ["--data-dir", data, "--export-dir", exports]
    srv = DdbdServer(args, env={"DDBD_DELAY_POINT": "transact-before-commit:20"}).start()  # ~5k items/s
    try:
        c = make_client(srv.endpoint)

        def start_import(name):
            d = c.import_table(S3BucketSource={"S3Bucket": "local", "S3KeyPrefix": "slow/"}, InputFormat="DYNAMODB_JSON",
                               TableCreationParameters={"TableName": name, "BillingMode": "PAY_PER_REQUEST",
                                                        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                                                        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]})
            arn = d["ImportTableDescription"]["ImportArn"]
            deadline = time.time() + 60
            while True:  # the first counts (5000 items): mid-way
                d = c.describe_import(ImportArn=arn)["ImportTableDescription"]
                assert d["ImportStatus"] == "IN_PROGRESS", d
                if d["ProcessedItemCount"] > 0:
                    return arn
                assert time.time() < deadline
                time.sleep(0.02)

        arn = start_import("cancelled")
        c.delete_table(TableName="cancelled")
        d = wait_import(c, arn, timeout=60)
        assert d["ImportStatus"] == "CANCELLED" and 0 < d["ProcessedItemCount"] < 12000, d
        arn = start_import("killed")
        srv.kill()
    finally:
        srv.kill()
    srv = DdbdServer(args).start()
    try:
        c = make_client(srv.endpoint)
        d = wait_import(c, arn, timeout=60)
        assert failed_items(d) == ITEMS_FAILED
        assert (d["ProcessedItemCount"], d["ImportedItemCount"], d["ErrorCount"]) == \
            (12000, 12000 - len(errors), len(errors))
        assert error_log(srv, arn) == errors
        assert {i["pk"]["S"]: i["v"]["S"] for i in scan_all(c, "killed")} == table
    finally:
        srv.stop()
