"""The generated matrix of --auth's decisions (issue 40): every resource-bearing member of every
operation (server/api/resources.def, printed by `ddb_spec_dump --resources`) is sent naming a table
the key may not touch, and must be refused with IAM's AccessDeniedException naming the action and
the resource; then naming a table whose resource-based policy denies the caller everything, and
must be refused with the explicit deny. A new operation or member added to the list is tried here
without a line of this file changing.

Authorization comes before validation (as in DynamoDB), so each request carries only the member
tried: the refusal must come first, whatever else the request lacks.
"""
import json
import os
import subprocess
import time

import pytest

from helpers import key_client, table_arn

ACCOUNT = "000000000000"
DDBD_BIN = os.environ.get("DDBD_BIN", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "ddbd"))
SPEC_DUMP = os.environ.get("DDB_SPEC_DUMP") or os.path.join(os.path.dirname(DDBD_BIN), "ddb_spec_dump")
KEYS = """AKIDADMIN adminsecret
AKIDOTHER othersecret name=other tables=other_*
AKIDDENIED deniedsecret name=denied
"""


def rows():
    out = json.loads(subprocess.run([SPEC_DUMP, "--resources"], check=True, capture_output=True).stdout)
    # a SOURCE row names a bucket, not a table: tests/security/test_import_sources.py
    return [r for r in out if r["kind"] not in ("NONE", "STATEMENT", "SOURCE")]


ROWS = rows() if os.path.exists(SPEC_DUMP) else []


def place(path, text):
    """The request body with `text` at `path` ("A.B", "A[].B", "A{}") and nothing else."""
    head, _, rest = path.partition(".")
    if head.endswith("{}"):
        return {head[:-2]: {text: {}}}
    if head.endswith("[]"):
        return {head[:-2]: [place(rest, text)]}
    return {head: place(rest, text)} if rest else {head: text}


def send(endpoint, ak, sk, op, body):
    from conftest import signed_call
    return signed_call(endpoint, ak, sk, op, body)


def client(endpoint, service="dynamodb"):
    return key_client(endpoint, "AKIDADMIN", "adminsecret", service=service, parameter_validation=False)


def deny_all(resource):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::%s:user/denied" % ACCOUNT}, "Action": "dynamodb:*",
        "Resource": [resource, resource + "/*"]}]})


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A server with table `victim` (stream, point-in-time recovery, a backup, an export, an
    iterator), every object a row may name, and Deny policies on the table and its stream."""
    from conftest import DdbdServer
    tmp = tmp_path_factory.mktemp("matrix")
    (tmp / "keys").write_text(KEYS)
    (tmp / "exports" / "local").mkdir(parents=True)
    srv = DdbdServer(args=("--in-memory", "--auth", str(tmp / "keys"), "--export-dir", str(tmp / "exports")))
    srv.start()
    c, s = client(srv.endpoint), client(srv.endpoint, "dynamodbstreams")
    c.create_table(TableName="victim", BillingMode="PAY_PER_REQUEST",
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    c.update_continuous_backups(TableName="victim",
                                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    c.put_item(TableName="victim", Item={"pk": {"S": "k"}})
    stream = c.describe_table(TableName="victim")["Table"]["LatestStreamArn"]
    shard = s.describe_stream(StreamArn=stream)["StreamDescription"]["Shards"][0]["ShardId"]
    export = c.export_table_to_point_in_time(TableArn=table_arn("victim"), S3Bucket="local",
                                             S3Prefix="m")["ExportDescription"]["ExportArn"]
    for _ in range(300):
        if c.describe_export(ExportArn=export)["ExportDescription"]["ExportStatus"] != "IN_PROGRESS":
            break
        time.sleep(0.1)
    w = {
        "srv": srv,
        "stream": stream,
        "TABLE": "victim", "GLOBAL": "victim", "ARN": table_arn("victim"), "STREAM": stream,
        "BACKUP": c.create_backup(TableName="victim", BackupName="matrix")["BackupDetails"]["BackupArn"],
        "ITERATOR": s.get_shard_iterator(StreamArn=stream, ShardId=shard,
                                         ShardIteratorType="TRIM_HORIZON")["ShardIterator"],
        "export": export,
    }
    for resource in (table_arn("victim"), stream):
        status, out = send(srv.endpoint, "AKIDADMIN", "adminsecret", "PutResourcePolicy",
                           {"ResourceArn": resource, "Policy": deny_all(resource)})
        assert status == 200, out
    yield w
    srv.stop()


def text_of(w, row):
    """What the row's member names, and the resource the refusal must name (None: a record that
    does not exist, named by its ARN alone)."""
    table_res = table_arn("victim")
    stream_res = table_res + "/stream/" + w["stream"].rsplit("/", 1)[1]
    if row["kind"] == "XFER":
        if row["op"] == "DescribeExport":
            return w["export"], table_res
        sub = "import" if "Import" in row["op"] else "bulk-operation"
        forged = "%s/%s/01234567890123-abcdefab" % (table_res, sub)
        return forged, None
    if row["kind"] == "INDEX":  # decided on the index's ARN (issue 51)
        return "gsi1", table_res + "/index/gsi1"
    if row["op"] == "SearchVectors":  # its whole body names an index, on whose ARN it is decided
        return w[row["kind"]], table_res + "/index/gsi1"
    resource = stream_res if row["kind"] in ("STREAM", "ITERATOR") else table_res
    return w[row["kind"]], resource


def body_of(row, text, padded=False):
    """The request: the member alone, and for an index the table it belongs to; `padded`, with an
    unknown member of 20 KB too, so that --auth decides on a read of the resource members alone
    (dispatch.c's denied_before_parse, from 16 KiB): the same decision as on the whole request."""
    body = dict(place(row["path"], text), **({"Padding": "x" * 20000} if padded else {}))
    if row["kind"] == "INDEX":
        body["TableName"] = "victim"
    if row["op"] == "SearchVectors":  # read whole before anything is decided (serde's missing field)
        body = {"TableName": "victim", "IndexName": "gsi1", "SearchVector": [{"N": "1"}], "TopK": 1, **body}
    return body


def ids(row):
    return "%s.%s" % (row["op"], row["path"])


@pytest.mark.skipif(not ROWS, reason="ddb_spec_dump not built beside ddbd")
@pytest.mark.parametrize("padded", [False, True], ids=["small", "padded"])
@pytest.mark.parametrize("row", ROWS, ids=ids)
def test_a_key_limited_to_other_tables_is_refused(world, row, padded):
    text, resource = text_of(world, row)
    status, out = send(world["srv"].endpoint, "AKIDOTHER", "othersecret", row["op"], body_of(row, text, padded))
    action = row["actions"][0]
    assert status == 400, out
    assert out["__type"] == "com.amazon.coral.service#AccessDeniedException", out
    assert out["message"] == (
        "User: arn:aws:iam::%s:user/other is not authorized to perform: dynamodb:%s on resource: %s because no "
        "identity-based policy allows the dynamodb:%s action" % (ACCOUNT, action, resource or text, action))


@pytest.mark.skipif(not ROWS, reason="ddb_spec_dump not built beside ddbd")
@pytest.mark.parametrize("row", [r for r in ROWS if not (r["kind"] == "XFER" and r["op"] != "DescribeExport")],
                         ids=ids)
@pytest.mark.parametrize("padded", [False, True], ids=["small", "padded"])
def test_a_deny_in_the_table_s_policy_is_refused(world, row, padded):
    text, resource = text_of(world, row)
    status, out = send(world["srv"].endpoint, "AKIDDENIED", "deniedsecret", row["op"], body_of(row, text, padded))
    action = row["actions"][0]
    assert status == 400, out
    assert out["__type"] == "com.amazon.coral.service#AccessDeniedException", out
    assert out["message"] == (
        "User: arn:aws:iam::%s:user/denied is not authorized to perform: dynamodb:%s on resource: %s with an "
        "explicit deny in a resource-based policy" % (ACCOUNT, action, resource))


def test_the_matrix_covers_every_kind():
    """The list names every kind the decision resolves (a kind no row uses would go untested)."""
    assert {r["kind"] for r in ROWS} >= {"TABLE", "ARN", "STREAM", "GLOBAL", "BACKUP", "XFER", "ITERATOR", "INDEX"}
