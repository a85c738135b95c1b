"""An anonymised import (issue 66, part 2; docs/import.md): exports written by ddbd's own
ExportTableToPointInTime, in both formats, full and incremental, read back through POST
/ddbd/import and `ddb import` with a rule file.

Every rule's effect is checked against what it must make of each value: hash is recomputed here
(HMAC-SHA-256 under SHA-256 of the rules' key, of "<type>:<value>"), the fakes' formats and
ranges; the same rules under the same key give the same table from either format and from a run
of the CLI, and a hashed key equals the hashed value of the attribute that refers to it. Nothing
of a raw value may be left in the new tables or in the server's log.
"""
import base64
import datetime
import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest

from conftest import DDBD_BIN, DdbdServer, make_client, raw_request, unique_name
from helpers import admin_call, raw_call as call
from test_export_import import BUCKET as S3_BUCKET, s3rver  # noqa: F401 (a fixture)

DDB_BIN = os.path.join(os.path.dirname(DDBD_BIN), "ddb")
KEY = "a secret of the test, 32 chars.."
BUCKET = "local"
N_PEOPLE = 12
MIN = 60000

RULES = {"key": KEY, "strict": True, "attributes": {
    "pk": "hash", "sk": "keep", "email": {"fake": "email"}, "name": {"fake": "name"}, "phone": {"fake": "phone"},
    "born": {"fake": "date", "min": "1950-01-01", "max": "2000-12-31"},
    "signup": {"fake": "date", "min": "2020-01-01", "max": "2020-12-31"},
    "age": {"fake": "number", "min": 18, "max": 90}, "ssn": "redact", "notes": "drop", "friend": "hash",
    "tags": "hash", "city": "keep", "code": {"fake": "text"}, "profile": "hash", "active": "keep", "blob": "hash",
    "vip": "redact"}}


# ---------------------------------------------------------------------------------------------
# The server, the source table and its exports
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def export_dir():
    d = tempfile.mkdtemp(prefix="ddbd-anon-")
    os.makedirs(os.path.join(d, BUCKET))
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def server(export_dir):
    s = DdbdServer(["--in-memory", "--admin", "--clock", "frozen", "--export-dir", export_dir]).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def c(server):
    return make_client(server.endpoint)


def pk_of(i):
    return "user-RAWperson%d-%04d" % (i, 1000 + i)


def person(i):
    """An item whose every value but city's, sk's and active's is raw data the import must not keep."""
    return {
        "pk": {"S": pk_of(i)}, "sk": {"N": str(i)},
        "email": {"S": "raw.mail%d@privatecorp.test" % i}, "name": {"S": "Rawname Person%d" % i},
        "phone": {"S": "+44 (20) 7946-%04d" % (3100 + i)},
        "born": {"S": "19%02d-04-1%dT08:30:00Z" % (60 + i, i % 10)},
        "signup": {"N": str(1700000000000 + 1111 * i)},
        "age": {"N": str(20 + i)}, "ssn": {"S": "RAWSSN-%03d-55-%04d" % (i, 7000 + i)},
        "notes": {"S": "RAW private note %d" % i}, "friend": {"S": pk_of((i + 1) % N_PEOPLE)},
        "tags": {"SS": ["RAWtag%d" % i, "RAWshared"]}, "city": {"S": "Lisbon"},
        "code": {"S": "AB-%04d-xy" % (5000 + i)},
        "profile": {"M": {"nick": {"S": "RAWnick%d" % i}, "score": {"N": str(900 + i)}}},
        "active": {"BOOL": i % 2 == 0}, "blob": {"B": b"RAWbytes%d" % i}, "vip": {"BOOL": True},
    }


def raw_strings():
    """What must be found nowhere after the import: every anonymised value's text."""
    out = []
    for i in range(N_PEOPLE):
        p = person(i)
        out += [p[k]["S"] for k in ("pk", "email", "name", "phone", "born", "ssn", "notes", "code")]
        out += [p["signup"]["N"], "RAWtag%d" % i, "RAWnick%d" % i, "RAWbytes%d" % i,
                base64.b64encode(b"RAWbytes%d" % i).decode()]
    return out + ["RAWshared"]


def create_people(c, name):
    c.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **people_schema(name))
    for i in range(N_PEOPLE):
        c.put_item(TableName=name, Item=person(i))
    return c.describe_table(TableName=name)["Table"]["TableArn"]


def people_schema(name):
    return {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "N"},
                                     {"AttributeName": "email", "AttributeType": "S"}],
            "GlobalSecondaryIndexes": [{"IndexName": "byEmail",
                                        "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                                        "Projection": {"ProjectionType": "ALL"}}]}


def wait(server, op, arn_member, arn, status_member, description):
    """Waits for an export's or an import's end (the worker's, not the clock's)."""
    for _ in range(6000):  # (the worker's pace, not the clock's: a loaded machine's minutes at most)
        d = call(server, op, {arn_member: arn})[description]
        if d[status_member] not in ("IN_PROGRESS", "CANCELLING"):
            return d
        time.sleep(0.05)
    pytest.fail("%s did not end" % arn)


def export(server, body):
    d = call(server, "ExportTableToPointInTime", dict({"S3Bucket": BUCKET}, **body))["ExportDescription"]
    d = wait(server, "DescribeExport", "ExportArn", d["ExportArn"], "ExportStatus", "ExportDescription")
    assert d["ExportStatus"] == "COMPLETED", d
    return d


def data_prefix(d, prefix):
    """Where an export's data files are: <prefix>/AWSDynamoDB/<id>/data/ (a full one)."""
    return "%s/AWSDynamoDB/%s/data/" % (prefix, d["ExportArn"].rsplit("/", 1)[1])


@pytest.fixture(scope="module")
def exports(server, c):
    """The people table exported in both formats: {format: the data prefix}."""
    arn = create_people(c, unique_name("people"))
    out = {}
    for fmt in ("DYNAMODB_JSON", "ION"):
        prefix = unique_name("src")
        out[fmt] = data_prefix(export(server, {"TableArn": arn, "ExportFormat": fmt, "S3Prefix": prefix}), prefix)
    return out


def import_request(table, prefix, fmt="DYNAMODB_JSON", schema=None):
    return {"S3BucketSource": {"S3Bucket": BUCKET, "S3KeyPrefix": prefix}, "InputFormat": fmt,
            "InputCompressionType": "GZIP",
            "TableCreationParameters": dict({"TableName": table, "BillingMode": "PAY_PER_REQUEST"},
                                            **(schema or people_schema(table)))}


def anon_import(server, request, rules=RULES):
    """POST /ddbd/import, then the import's end."""
    status, body = admin_call(server.endpoint, "POST", "/ddbd/import", {"ImportTable": request, "Rules": rules})
    assert status == 200, body
    d = body["ImportTableDescription"]
    assert d["ImportStatus"] == "IN_PROGRESS"
    return wait(server, "DescribeImport", "ImportArn", d["ImportArn"], "ImportStatus", "ImportTableDescription")


def scan(c, table):
    items, kw = [], {}
    while True:
        r = c.scan(TableName=table, **kw)
        items += r["Items"]
        if "LastEvaluatedKey" not in r:
            return sorted(items, key=lambda it: int(it["sk"]["N"]))
        kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]


# ---------------------------------------------------------------------------------------------
# What each rule must make of a value (anon.h, anon_fake.c)
# ---------------------------------------------------------------------------------------------

def mac(type_, text, key=KEY):
    return hmac.new(hashlib.sha256(key.encode()).digest(), (type_ + ":" + text).encode(), hashlib.sha256).digest()


def hash_s(v):
    return mac("S", v)[:16].hex()


def hash_n(v):
    """(v: a number in DynamoDB's canonical text, as a whole number here is)"""
    return str(int.from_bytes(mac("N", v)[:8], "big") & ((1 << 53) - 1))


def hash_b(raw):
    return mac("B", base64.b64encode(raw).decode())[:16]


def same_shape(raw, fake):
    """fake text and phone: letters stay letters of their case, digits digits, the rest as it was."""
    assert len(raw) == len(fake) and raw != fake, (raw, fake)
    for a, b in zip(raw, fake):
        kind = lambda ch: "d" if ch.isdigit() else "l" if ch.islower() else "u" if ch.isupper() else ch  # noqa: E731
        assert kind(a) == kind(b), (raw, fake)


def check_person(i, got, by_sk):
    raw = person(i)
    assert set(got) == set(raw) - {"notes"}  # drop
    assert got["pk"] == {"S": hash_s(raw["pk"]["S"])}
    assert got["sk"] == raw["sk"] and got["city"] == raw["city"] and got["active"] == raw["active"]  # keep
    # hash by value: friend holds the hashed key of the item it names, in this table
    assert got["friend"] == {"S": hash_s(pk_of((i + 1) % N_PEOPLE))} == by_sk[(i + 1) % N_PEOPLE]["pk"]
    assert set(got["tags"]["SS"]) == {hash_s("RAWtag%d" % i), hash_s("RAWshared")}
    assert got["profile"] == {"M": {"nick": {"S": hash_s("RAWnick%d" % i)}, "score": {"N": hash_n(str(900 + i))}}}
    assert bytes(got["blob"]["B"]) == hash_b(b"RAWbytes%d" % i)
    assert got["ssn"] == {"S": "REDACTED"} and got["vip"] == {"NULL": True}  # redact
    assert re.fullmatch(r"[a-z]+\.[a-z]+\.[0-9]{4}@example\.com", got["email"]["S"]), got["email"]
    assert re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", got["name"]["S"]), got["name"]
    same_shape(raw["phone"]["S"], got["phone"]["S"])
    same_shape(raw["code"]["S"], got["code"]["S"])
    born = got["born"]["S"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", born), born
    assert "1950-01-01" <= born[:10] <= "2000-12-31"
    datetime.datetime.strptime(born, "%Y-%m-%dT%H:%M:%SZ")
    signup = int(got["signup"]["N"])  # epoch ms stays ms, within its range
    assert len(got["signup"]["N"]) == 13 and 1577836800000 <= signup < 1609459200000
    assert 18 <= int(got["age"]["N"]) <= 90


def assert_nothing_raw(text, where):
    left = [r for r in raw_strings() if r in text]
    assert not left, "raw values in %s: %s" % (where, left[:5])


# ---------------------------------------------------------------------------------------------
# The import
# ---------------------------------------------------------------------------------------------

def test_both_formats_anonymised_and_consistent(server, c, exports):
    """An export of each format imported under one rule file: every rule's effect, the same table
    from both, a GSI on a faked attribute that answers, and nothing raw in the tables or the log."""
    tables = {}
    for fmt, prefix in exports.items():
        name = unique_name("anon")
        d = anon_import(server, import_request(name, prefix, fmt))
        assert d["ImportStatus"] == "COMPLETED", d
        assert (d["ProcessedItemCount"], d["ImportedItemCount"], d["ErrorCount"]) == (N_PEOPLE, N_PEOPLE, 0)
        tables[fmt] = scan(c, name)
        assert len(tables[fmt]) == N_PEOPLE
        by_sk = {int(it["sk"]["N"]): it for it in tables[fmt]}
        for i in range(N_PEOPLE):
            check_person(i, by_sk[i], by_sk)
        # the faked email is the index's key: the GSI finds the item by it
        one = by_sk[3]
        r = c.query(TableName=name, IndexName="byEmail", KeyConditionExpression="email = :e",
                    ExpressionAttributeValues={":e": one["email"]})
        assert [it["pk"] for it in r["Items"]] == [one["pk"]]
        assert_nothing_raw(json.dumps(tables[fmt], default=repr), "the table from " + fmt)
    # keys consistent across the two tables: every value the same, whichever format it came from
    assert tables["DYNAMODB_JSON"] == tables["ION"]
    assert_nothing_raw(server.stderr_text(), "the server's log")
    assert "anonymised" in server.stderr_text()


def test_same_key_same_output_other_key_other_output(server, c, exports):
    """Deterministic under its key (another run gives the same table) and only under it."""
    a, b = unique_name("anon"), unique_name("anon")
    other = dict(RULES, key="another secret, 16 characters or more")
    assert anon_import(server, import_request(a, exports["DYNAMODB_JSON"]))["ImportStatus"] == "COMPLETED"
    assert anon_import(server, import_request(b, exports["DYNAMODB_JSON"]), other)["ImportStatus"] == "COMPLETED"
    ta, tb = scan(c, a), scan(c, b)
    assert ta[0]["pk"] == {"S": hash_s(pk_of(0))}
    assert tb[0]["pk"] == {"S": mac("S", pk_of(0), other["key"])[:16].hex()} != ta[0]["pk"]


def test_dry_run_shows_each_rule_on_a_sample(server, c, exports):
    name = unique_name("dry")
    status, body = admin_call(server.endpoint, "POST", "/ddbd/import",
                              {"ImportTable": import_request(name, exports["ION"], "ION"), "Rules": RULES,
                               "DryRun": True, "Sample": 3})
    assert status == 200, body
    assert body["sampledItems"] == 3 and body["uncovered"] == []
    attrs = {a["attribute"]: a for a in body["attributes"]}
    assert sorted(attrs) == sorted(RULES["attributes"])
    assert {k: a["rule"] for k, a in attrs.items()} == {
        k: (r if isinstance(r, str) else "fake " + r["fake"]) for k, r in RULES["attributes"].items()}
    assert all(a["items"] == 3 and len(a["examples"]) == 3 for a in attrs.values())
    ex = {k: a["examples"][0] for k, a in attrs.items()}
    pk_raw = ex["pk"]["before"]["S"]
    assert ex["pk"]["after"] == {"S": hash_s(pk_raw)}
    assert ex["ssn"]["after"] == {"S": "REDACTED"} and ex["notes"]["after"] is None
    assert ex["city"] == {"before": {"S": "Lisbon"}, "after": {"S": "Lisbon"}}
    assert re.fullmatch(r"[a-z]+\.[a-z]+\.[0-9]{4}@example\.com", ex["email"]["after"]["S"])
    # nothing is created, and the sample's raw values went to the caller only
    assert name not in c.list_tables()["TableNames"]
    assert_nothing_raw(server.stderr_text(), "the server's log after a dry run")


@pytest.mark.parametrize("fmt", ["DYNAMODB_JSON", "ION"])
def test_dry_run_of_an_empty_source(server, c, fmt):
    """An export of an empty table, and a prefix that holds nothing: a sample of no item, nothing
    to show (the sanitized server aborted on the empty sample)."""
    arn = c.create_table(TableName=unique_name("empty"), BillingMode="PAY_PER_REQUEST",
                         **people_schema("empty"))["TableDescription"]["TableArn"]
    prefix = unique_name("src")
    empty = data_prefix(export(server, {"TableArn": arn, "ExportFormat": fmt, "S3Prefix": prefix}), prefix)
    for source in (empty, unique_name("nothing") + "/"):
        name = unique_name("dry")
        status, body = admin_call(server.endpoint, "POST", "/ddbd/import",
                                  {"ImportTable": import_request(name, source, fmt), "Rules": RULES, "DryRun": True})
        assert (status, body) == (200, {"sampledItems": 0, "attributes": [], "uncovered": []}), source
        assert name not in c.list_tables()["TableNames"]


def test_strict_refuses_an_attribute_without_a_rule(server, c, exports):
    name = unique_name("strict")
    rules = dict(RULES, attributes={k: v for k, v in RULES["attributes"].items() if k not in ("city", "vip")})
    status, body = admin_call(server.endpoint, "POST", "/ddbd/import",
                              {"ImportTable": import_request(name, exports["DYNAMODB_JSON"]), "Rules": rules})
    assert (status, body) == (400, {
        "message": "the rules are strict and no rule names some attributes of the source's first items: add a rule "
                   "for each (keep, drop, hash, redact or fake)",
        "uncovered": ["city", "vip"]})
    assert name not in c.list_tables()["TableNames"]
    # the dry run names them too, and shows the rest
    status, body = admin_call(server.endpoint, "POST", "/ddbd/import",
                              {"ImportTable": import_request(name, exports["DYNAMODB_JSON"]), "Rules": rules,
                               "DryRun": True})
    assert status == 200 and body["uncovered"] == ["city", "vip"] and body["sampledItems"] == 10
    assert "city" not in {a["attribute"] for a in body["attributes"]}


def test_an_item_the_rules_cannot_apply_to_fails_without_its_value(server, c):
    """fake name of an N: that item fails (ItemValidationError, as any failed item), the others are
    imported, and the error record names the attribute, never the value."""
    src = unique_name("mixed")
    c.create_table(TableName=src, BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    c.put_item(TableName=src, Item={"pk": {"S": "RAWmixed-a"}, "v": {"S": "RAWname text"}})
    c.put_item(TableName=src, Item={"pk": {"S": "RAWmixed-b"}, "v": {"N": "987654321"}})
    prefix = unique_name("mixed")
    d = export(server, {"TableArn": c.describe_table(TableName=src)["Table"]["TableArn"], "S3Prefix": prefix})
    name = unique_name("anon")
    schema = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
              "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}
    d = anon_import(server, import_request(name, data_prefix(d, prefix), schema=schema),
                    {"key": KEY, "attributes": {"pk": "hash", "v": {"fake": "name"}}})
    assert (d["ImportStatus"], d["FailureCode"]) == ("FAILED", "ItemValidationError")
    assert (d["ProcessedItemCount"], d["ImportedItemCount"], d["ErrorCount"]) == (2, 1, 1)
    assert scan_pks(c, name) == [hash_s("RAWmixed-a")]
    log = server.stderr_text()
    assert 'attribute \\"v\\": fake name applies to S values' in log
    assert "987654321" not in log and "RAWmixed" not in log and "RAWname" not in log


def scan_pks(c, name):
    return sorted(it["pk"]["S"] for it in c.scan(TableName=name)["Items"])


@pytest.mark.parametrize("fmt", ["DYNAMODB_JSON", "ION"])
def test_incremental_export(server, c, fmt):
    """An incremental export's new images are imported anonymised; its deletions are processed and
    put nothing in the new table."""
    src = unique_name("inc")
    c.create_table(TableName=src, BillingMode="PAY_PER_REQUEST", **people_schema(src))
    for i in range(4):
        c.put_item(TableName=src, Item=person(i))
    call(server, "UpdateContinuousBackups", {"TableName": src, "PointInTimeRecoverySpecification": {
        "PointInTimeRecoveryEnabled": True}})
    admin_call(server.endpoint, "POST", "/ddbd/clock", {"advance": MIN})
    frm = admin_call(server.endpoint, "GET", "/ddbd/clock")[1]["now"]
    c.put_item(TableName=src, Item=dict(person(1), city={"S": "Porto"}))  # changed
    c.delete_item(TableName=src, Key={"pk": person(2)["pk"], "sk": person(2)["sk"]})  # deleted
    c.put_item(TableName=src, Item=person(5))  # inserted
    admin_call(server.endpoint, "POST", "/ddbd/clock", {"advance": 20 * MIN})
    to = admin_call(server.endpoint, "GET", "/ddbd/clock")[1]["now"] - 1
    prefix = unique_name("inc")
    export(server, {"TableArn": c.describe_table(TableName=src)["Table"]["TableArn"], "ExportFormat": fmt,
                    "ExportType": "INCREMENTAL_EXPORT", "S3Prefix": prefix,
                    "IncrementalExportSpecification": {"ExportFromTime": frm / 1000.0, "ExportToTime": to / 1000.0}})
    name = unique_name("anon")
    d = anon_import(server, import_request(name, prefix + "/AWSDynamoDB/data/", fmt))
    assert d["ImportStatus"] == "COMPLETED", d
    assert (d["ProcessedItemCount"], d["ImportedItemCount"], d["ErrorCount"]) == (3, 2, 0)
    got = scan(c, name)
    assert [int(it["sk"]["N"]) for it in got] == [1, 5]
    assert got[0]["city"] == {"S": "Porto"} and got[0]["pk"] == {"S": hash_s(pk_of(1))}
    assert_nothing_raw(json.dumps(got, default=repr), "the incremental import")


def test_from_an_s3_compatible_endpoint(s3rver):
    """The source in an S3-compatible store (s3rver): the export written there, the strict check's
    sample and the import read from there, with the same outcome as from a directory."""
    url, s3 = s3rver
    s = DdbdServer(["--in-memory", "--admin", "--s3-endpoint", url, "--s3-access-key", "S3RVER",
                    "--s3-secret-key", "S3RVER"]).start()
    try:
        c = make_client(s.endpoint)
        arn = create_people(c, unique_name("people"))
        prefix = unique_name("s3src")
        d = call(s, "ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": S3_BUCKET, "S3Prefix": prefix,
                                                  "ExportFormat": "ION"})["ExportDescription"]
        d = wait(s, "DescribeExport", "ExportArn", d["ExportArn"], "ExportStatus", "ExportDescription")
        assert d["ExportStatus"] == "COMPLETED", d
        request = dict(import_request(unique_name("anon"), data_prefix(d, prefix), "ION"),
                       S3BucketSource={"S3Bucket": S3_BUCKET, "S3KeyPrefix": data_prefix(d, prefix)})
        d = anon_import(s, request)
        assert (d["ImportStatus"], d["ImportedItemCount"]) == ("COMPLETED", N_PEOPLE), d
        got = scan(c, request["TableCreationParameters"]["TableName"])
        by_sk = {int(it["sk"]["N"]): it for it in got}
        for i in range(N_PEOPLE):
            check_person(i, by_sk[i], by_sk)
        assert_nothing_raw(s.stderr_text(), "the server's log")
    finally:
        s.stop()


# ---------------------------------------------------------------------------------------------
# `ddb import`
# ---------------------------------------------------------------------------------------------

def ddb_cli(*args, env=None):
    return subprocess.run([DDB_BIN] + list(args), capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, **(env or {})))


def test_cli_dry_run_then_import(server, c, exports, tmp_path):
    """The CLI: a dry run prints the report, the import waits and prints the counts, the key from
    $DDB_IMPORT_KEY; its table is the door's (same key, same values)."""
    name = unique_name("cli")
    (tmp_path / "import.json").write_text(json.dumps(import_request(name, exports["DYNAMODB_JSON"])))
    (tmp_path / "rules.json").write_text(json.dumps({k: v for k, v in RULES.items() if k != "key"}))
    env = {"DDB_IMPORT_KEY": KEY}
    p = ddb_cli("--endpoint", server.endpoint, "import", str(tmp_path / "import.json"),
                "file://" + str(tmp_path / "rules.json"), "dry-run", env=env)
    assert p.returncode == 0, p.stderr
    report = json.loads(p.stdout)
    assert report["sampledItems"] == 10 and len(report["attributes"]) == len(RULES["attributes"])
    p = ddb_cli("--endpoint", server.endpoint, "import", str(tmp_path / "import.json"), str(tmp_path / "rules.json"),
                env=env)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert re.fullmatch(r"import started: arn:aws:dynamodb:us-east-1:\d+:table/%s/import/\S+" % name, lines[0]), lines
    assert lines[1:] == ["COMPLETED: %d items imported into %s, %d processed, 0 errors" % (N_PEOPLE, name, N_PEOPLE)]
    got = scan(c, name)
    by_sk = {int(it["sk"]["N"]): it for it in got}
    for i in range(N_PEOPLE):
        check_person(i, by_sk[i], by_sk)


def test_cli_refusal_and_usage(server, tmp_path):
    (tmp_path / "import.json").write_text(json.dumps(import_request(unique_name("cli"), "x/", "CSV")))
    (tmp_path / "rules.json").write_text(json.dumps(RULES))
    p = ddb_cli("--endpoint", server.endpoint, "import", str(tmp_path / "import.json"), str(tmp_path / "rules.json"))
    assert p.returncode == 1 and p.stdout == ""
    assert p.stderr == ('ddb: import refused: {"message":"an anonymised import reads DynamoDB\'s exports: '
                        'InputFormat DYNAMODB_JSON or ION"}\n')
    p = ddb_cli("--endpoint", server.endpoint, "import", str(tmp_path / "import.json"))
    assert (p.returncode, p.stderr) == (2, "ddb: import takes REQUEST.json RULES.json [dry-run]\n"
                                           "ddb: see 'ddb help import'\n")
    p = ddb_cli("--endpoint", server.endpoint, "import", str(tmp_path / "import.json"), str(tmp_path / "none.json"))
    assert (p.returncode, p.stderr) == (2, "ddb: import: cannot read the rules '%s'\nddb: see 'ddb help import'\n"
                                        % (tmp_path / "none.json"))
    p = ddb_cli("help", "import")
    assert p.returncode == 0 and p.stdout.startswith("usage: ddb import REQUEST.json RULES.json [dry-run]\n")


# ---------------------------------------------------------------------------------------------
# Refusals, each with its message (none quotes a value)
# ---------------------------------------------------------------------------------------------

def refused(server, body):
    req = urllib.request.Request(server.endpoint + "/ddbd/import", method="POST",
                                 data=body if isinstance(body, bytes) else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(req, timeout=30)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())
    pytest.fail("accepted: %r" % body)


def rules_with(**attrs):
    return dict(RULES, attributes=dict(RULES["attributes"], **attrs))


REFUSALS = [
    ("not an object", b"[1]", 'the body must be a JSON object: {"ImportTable": {...}, "Rules": {...}}'),
    ("unknown member", {"ImportTable": {}, "Rules": {}, "Rule": {}},
     'unknown member "Rule" (ImportTable, Rules, DryRun, Sample)'),
    ("no request", {"Rules": RULES}, '"ImportTable" must be the ImportTable request, an object'),
    ("no rules", {"ImportTable": "R"}, '"Rules" is missing: an anonymised import needs its rule file'),
    ("CSV", {"ImportTable": dict(import_request("t", "p/"), InputFormat="CSV"), "Rules": RULES},
     "an anonymised import reads DynamoDB's exports: InputFormat DYNAMODB_JSON or ION"),
    ("sample", {"ImportTable": "R", "Rules": RULES, "DryRun": True, "Sample": 1001},
     '"Sample" must be a whole number from 1 to 1000'),
    ("dry run flag", {"ImportTable": "R", "Rules": RULES, "DryRun": "yes"}, '"DryRun" must be true or false'),
    ("rules not an object", {"ImportTable": "R", "Rules": ["hash"]}, "the rules must be a JSON object (docs/import.md)"),
    ("no key", {"ImportTable": "R", "Rules": {"attributes": {}}},
     'the rules need a "key" of at least 16 bytes: the secret of hash and fake'),
    ("short key", {"ImportTable": "R", "Rules": dict(RULES, key="too short")},
     'the rules\' "key" is shorter than 16 bytes: a guessable key lets a dictionary undo every hash and fake; '
     'use a random secret of 16 bytes or more (openssl rand -hex 16)'),
    ("unknown rules member", {"ImportTable": "R", "Rules": dict(RULES, keys=1)},
     'unknown member "keys" in the rules (key, strict, default, attributes)'),
    ("unknown rule", {"ImportTable": "R", "Rules": rules_with(email="scramble")},
     'attribute "email": a rule is "keep", "drop", "hash", "redact" or {"fake": '
     '"name"|"email"|"phone"|"text"|"date"|"number"}'),
    ("unknown fake", {"ImportTable": "R", "Rules": rules_with(email={"fake": "ssn"})},
     'attribute "email": a rule is "keep", "drop", "hash", "redact" or {"fake": '
     '"name"|"email"|"phone"|"text"|"date"|"number"}'),
    ("fake number without range", {"ImportTable": "R", "Rules": rules_with(age={"fake": "number"})},
     'attribute "age": fake number needs whole numbers "min" and "max"'),
    ("fake number range", {"ImportTable": "R", "Rules": rules_with(age={"fake": "number", "min": 9, "max": 1})},
     'attribute "age": fake number needs min <= max, both within +-10^15'),
    ("fake date range", {"ImportTable": "R", "Rules": rules_with(born={"fake": "date", "min": "1990"})},
     'attribute "born": fake date\'s "min" and "max" are dates YYYY-MM-DD, min <= max'),
    ("range on another fake", {"ImportTable": "R", "Rules": rules_with(name={"fake": "name", "max": 3})},
     'attribute "name": only fake number and fake date take "min" and "max"'),
    ("member of a fake", {"ImportTable": "R", "Rules": rules_with(name={"fake": "name", "locale": "fr"})},
     'attribute "name": unknown member "locale" in its rule'),
    ("strict and default", {"ImportTable": "R", "Rules": dict(RULES, default="keep")},
     '"strict" and "default" exclude each other: strict refuses what no rule names'),
    ("strict not a flag", {"ImportTable": "R", "Rules": dict(RULES, strict="yes")}, '"strict" must be true or false'),
    ("attributes not an object", {"ImportTable": "R", "Rules": dict(RULES, attributes=["pk"])},
     '"attributes" must be an object of attribute names to rules'),
    ("key dropped", {"ImportTable": "R", "Rules": rules_with(pk="drop")},
     'attribute "pk" is a key of the table: it may not be dropped (keep, hash or fake it)'),
    ("key redacted by default", {"ImportTable": "R", "Rules": {"key": KEY, "default": "redact", "attributes": {}}},
     'attribute "pk" is a key of the table: it may not be redacted (keep, hash or fake it)'),
    ("N key faked as a name", {"ImportTable": "R", "Rules": rules_with(sk={"fake": "name"})},
     'attribute "sk": fake name of a key of type N would change its type (hash it)'),
]


@pytest.mark.parametrize("what,body,message", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusals(server, c, what, body, message):
    name = unique_name("refused")
    if isinstance(body, dict) and body.get("ImportTable") == "R":
        body = dict(body, ImportTable=import_request(name, "p/"))
    assert refused(server, body) == (400, {"message": message})
    assert name not in c.list_tables()["TableNames"]


def test_the_door_asks_for_json(server, c, exports):
    """A cross-site form cannot start an import: the door's guard wants application/json (415)."""
    name = unique_name("form")
    req = urllib.request.Request(server.endpoint + "/ddbd/import", method="POST", headers={"Content-Type": "text/plain"},
                                 data=json.dumps({"ImportTable": import_request(name, exports["DYNAMODB_JSON"]),
                                                  "Rules": RULES}).encode())
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=30)
    assert e.value.code == 415
    assert name not in c.list_tables()["TableNames"]


def test_source_and_table_errors(server, c, exports):
    """A bucket that is not there (the sample reads it), and ImportTable's own errors as it answers them."""
    req = dict(import_request(unique_name("t"), "p/"), S3BucketSource={"S3Bucket": "no-such-bucket"})
    assert refused(server, {"ImportTable": req, "Rules": RULES, "DryRun": True}) == (
        400, {"message": "The specified bucket does not exist"})
    taken = unique_name("taken")
    c.create_table(TableName=taken, BillingMode="PAY_PER_REQUEST", **people_schema(taken))
    status, body = admin_call(server.endpoint, "POST", "/ddbd/import",
                              {"ImportTable": import_request(taken, exports["DYNAMODB_JSON"]), "Rules": RULES})
    assert (status, body) == (400, {"__type": "com.amazonaws.dynamodb.v20120810#ResourceInUseException",
                                    "message": "Table already exists: %s" % taken})


def test_the_api_takes_no_rules(server, c, exports):
    """ImportTable itself knows nothing of rules: a Rules member sent to the API is an unknown
    member, which it ignores as DynamoDB does, so that import is not anonymised. Rules go through
    the admin door only (docs/import.md)."""
    name = unique_name("api")
    body = dict(import_request(name, exports["DYNAMODB_JSON"]), Rules=RULES)
    r = raw_request(server.endpoint, "ImportTable", json.dumps(body).encode())
    assert r.status == 200, r.body
    d = wait(server, "DescribeImport", "ImportArn", r.json()["ImportTableDescription"]["ImportArn"], "ImportStatus",
             "ImportTableDescription")
    assert d["ImportStatus"] == "COMPLETED" and "Rules" not in d
    assert scan(c, name)[0]["pk"] == {"S": pk_of(0)}
