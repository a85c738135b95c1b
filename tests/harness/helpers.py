"""tests/harness/helpers.py: the helpers the Python suites (tests/compat, tests/security) share, once.

Each was copied into several test files before (issue 55, item 5; issue 75).
tests/compat/conftest.py puts this folder on sys.path (tests/security/conftest.py loads that
conftest), so a test writes `from helpers import error_of, key_client, ...`; the servers and
fixtures stay in conftest.py, which re-exports a few of these (make_client, S, N, ...).

- S(v), N(v), B(v), L(*v), M(**v): attribute values;
- check_error(err, code, message=None, status=400): a ClientError's code, message and status;
- error_of(fn, **kwargs): the (code, message) of the ClientError that fn(**kwargs) raises;
- key_client(endpoint, ak, sk, ...): a boto3 client signed with that key, one attempt a call;
- make_client(endpoint, region=, service=, ...): key_client with the default key, the client's
  validation off, valgrind's time;
- signed_call(endpoint, ak, sk, op, body, ...): one request signed as an SDK signs it, through raw
  HTTP, for what Debian's boto3 lacks or refuses to send: (status, parsed answer);
- raw_call(target, op, body, status=200): signed_call's answer, which must come with `status`;
- admin_call(endpoint, method, path, body=None): a call of the admin door (/ddbd/..., --admin):
  (status, parsed answer);
- admin_answer(target, path, body=None): admin_call's answer, which must be a 200;
- clock(target, **change), advance(target, ms): the server's clock (/ddbd/clock), moved first when
  asked; `target` is an endpoint or a server (anything with .endpoint);
- connect(endpoint, rcvbuf=None): a raw TCP connection to the server;
- free_port(), unique_name(prefix), create_table_params(name, ...), make_table(client, ...): a
  loopback port, a table name, CreateTable's parameters and the table they make;
- table_arn(table, index, account=, region=): a table's (an index's) ARN;
- get_item(client, table, key), scan_all(client, table, ...): an item, every item of a table (all
  pages), read consistently by default;
- usage_of(report, table): a table's entry of the usage report;
- eventually(check, ...): check()'s answer once it stops failing, for what the server does in the
  background (a replica's fill, a push to a peer); wait_active(client, table), wait_export(client,
  arn), wait_import(client, arn): a table (and its replicas) ACTIVE, an export or import ended.
"""
import json
import socket
import time
import urllib.error
import urllib.request
import uuid

import boto3
import memcheck
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

DEFAULT_KEY = ("AKIDEXAMPLE", "secret")  # the test servers' key without --auth: conftest's ACCESS_KEY, SECRET_KEY
STREAMS_OPS = ("ListStreams", "DescribeStream", "GetShardIterator", "GetRecords")

# How long a test waits for the server's background work (an index's backfill, a replica's fill, a
# push to a peer) before it calls the work stuck. A bound that matters only when it fails: on a
# loaded machine the work takes many times its idle time (a 100,000-item RADOS backfill beside
# busy loops took over 120 s, bench/README.md, "The suite on a loaded machine"), and a test never
# asserts how long it took (speed is bench/'s); ctest's TIMEOUT still ends a hang.
SETTLE_S = 600


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


def B(v):
    return {"B": v}


def L(*v):
    return {"L": list(v)}


def M(**v):
    return {"M": v}


def error_of(fn, **kwargs):
    """The (code, message) of the ClientError fn(**kwargs) raises (it must raise one)."""
    with pytest.raises(ClientError) as e:
        fn(**kwargs)
    err = e.value.response["Error"]
    return err["Code"], err["Message"]


def check_error(err, code, message=None, status=400):
    """The ClientError `err` is `code` with `message` (any message when None), answered with
    `status`."""
    response = err.response
    got = response.get("Error", {})
    assert got.get("Code") == code, "expected %s, got %r" % (code, got)
    if message is not None:
        assert got.get("Message") == message, "expected message %r, got %r" % (message, got)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status, response["ResponseMetadata"]


def key_client(endpoint, ak, sk, *, region="us-east-1", service="dynamodb", token=None, attempts=1,
               retry_mode=None, **config):
    """A boto3 client of `service` signed with key (ak, sk) (and session token), `attempts` attempts a
    call (one by default, no retries: a refusal is seen as it comes; `retry_mode` "standard" or
    "legacy" for SDK retries); `config`: more botocore Config members."""
    retries = dict({"total_max_attempts": attempts}, **({"mode": retry_mode} if retry_mode else {}))
    return boto3.client(service, endpoint_url=endpoint, region_name=region, aws_access_key_id=ak,
                        aws_secret_access_key=sk, aws_session_token=token, config=Config(retries=retries, **config))


def make_client(endpoint, *, region="us-east-1", service="dynamodb", **config):
    """key_client with the test servers' default key (AKIDEXAMPLE): the server's own validation is
    what a test sees (the client's is off), and its time bounds stretch under valgrind (a first
    request runs through code valgrind has not translated yet: seconds); `config` as key_client's."""
    config = dict({"parameter_validation": False, "connect_timeout": 5 * memcheck.SLOWDOWN,
                   "read_timeout": 30 * memcheck.SLOWDOWN}, **config)
    return key_client(endpoint, *DEFAULT_KEY, region=region, service=service, **config)


def _answer(data):
    return json.loads(data or b"{}")


def signed_call(endpoint, ak, sk, op, body, region="us-east-1", headers=None):
    """One request of `op` signed with key (ak, sk) for `region` as an SDK signs it, through raw HTTP:
    (status, parsed answer). `body` is a JSON value, or a str/bytes sent as written (json.dumps
    cannot repeat a member); `headers` are added and signed too. The Streams operations go to their
    own target prefix; an `op` with a dot in it is the whole X-Amz-Target."""
    data = body.encode() if isinstance(body, str) else body if isinstance(body, bytes) else json.dumps(body).encode()
    prefix = "" if "." in op else "DynamoDBStreams_20120810." if op in STREAMS_OPS else "DynamoDB_20120810."
    req = AWSRequest(method="POST", url=endpoint + "/", data=data, headers=dict({
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": prefix + op}, **(headers or {})))
    SigV4Auth(Credentials(ak, sk), "dynamodb", region).add_auth(req)
    r = urllib.request.Request(endpoint + "/", data=data, headers=dict(req.headers.items()), method="POST")
    try:
        with urllib.request.urlopen(r, timeout=10 * memcheck.SLOWDOWN) as resp:
            return resp.status, _answer(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, _answer(e.read())


def _endpoint(target):
    return getattr(target, "endpoint", target)


def raw_call(target, op, body, status=200, key=DEFAULT_KEY):
    """signed_call's answer to `op` on `target` (an endpoint or a server), signed with `key` (the
    default one of the test servers), which must come with `status`."""
    got, answer = signed_call(_endpoint(target), key[0], key[1], op, body)
    assert got == status, (op, got, answer)
    return answer


def admin_call(endpoint, method, path, body=None, timeout=30):
    """`method` on the admin door's `path` (/ddbd/faults, /ddbd/consistency, ...) with `body` as JSON:
    (status, parsed answer), a refusal's too."""
    req = urllib.request.Request(endpoint + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, _answer(r.read())
    except urllib.error.HTTPError as e:
        return e.code, _answer(e.read())


def admin_answer(target, path, body=None, method=None):
    """The admin door's answer on `path` of `target` (an endpoint or a server): a POST of `body`
    when given, else a GET (or `method`); it must succeed (200)."""
    status, answer = admin_call(_endpoint(target), method or ("POST" if body is not None else "GET"), path, body)
    assert status == 200, (path, status, answer)
    return answer


def clock(target, **change):
    """The clock of `target` (an endpoint, or a server with .endpoint) as the admin door answers it,
    {"now": ms, "offset": ms, "frozen": bool}: after `change` (advance=ms, set=ms, freeze=True, ...)
    when given (a POST answers as a GET does); the call must succeed."""
    return admin_answer(target, "/ddbd/clock", change or None)


def advance(target, ms):
    """Steps the clock of `target` (an endpoint or a server) forward by `ms`; the step answers once
    what came due at the new time has run (docs/admin.md, "The clock")."""
    return clock(target, advance=ms)


def free_port():
    """A loopback TCP port free now (another process may take it before it is bound again)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def connect(endpoint, rcvbuf=None, timeout=10):
    """A TCP connection to `endpoint`'s server, for what only raw bytes can send (a slow reader:
    SO_RCVBUF `rcvbuf`)."""
    host, port = endpoint.replace("http://", "").split(":")
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(timeout)
    s.connect((host, int(port)))
    return s


def unique_name(prefix="t"):
    return "%s_%s" % (prefix, uuid.uuid4().hex[:12])


def create_table_params(name, hash_key=("pk", "S"), range_key=None, billing="PAY_PER_REQUEST",
                        gsi=False, **extra):
    """CreateTable's parameters: key (name, type) pairs, on demand or provisioned at 5/5; `gsi`: an
    index (name, hash attribute) keyed on that attribute (S), True for ("byg", "g"), every attribute
    projected; `extra` added as given (it replaces)."""
    attrs = [{"AttributeName": hash_key[0], "AttributeType": hash_key[1]}]
    schema = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
    if range_key:
        attrs.append({"AttributeName": range_key[0], "AttributeType": range_key[1]})
        schema.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
    params = {"TableName": name, "AttributeDefinitions": attrs, "KeySchema": schema}
    if billing == "PAY_PER_REQUEST":
        params["BillingMode"] = "PAY_PER_REQUEST"
    else:
        params["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    if gsi:
        index, attr = ("byg", "g") if gsi is True else gsi
        attrs.append({"AttributeName": attr, "AttributeType": "S"})
        params["GlobalSecondaryIndexes"] = [{"IndexName": index,
                                             "KeySchema": [{"AttributeName": attr, "KeyType": "HASH"}],
                                             "Projection": {"ProjectionType": "ALL"}}]
    params.update(extra)
    return params


def table_arn(table, index=None, *, account="000000000000", region="us-east-1"):
    """The ARN of `table` (of its index `index` when given) in `account` (the test servers' own by
    default) and `region`."""
    return "arn:aws:dynamodb:%s:%s:table/%s%s" % (region, account, table, "/index/" + index if index else "")


def make_table(client, name=None, prefix="t", **params):
    """Creates a table through boto3 `client` (named `name`, else unique_name(prefix)) with
    create_table_params(name, **params) (keyed on pk (S), on demand by default): its name. No one
    deletes it (the conftest fixture make_table does, for the session's server)."""
    name = name or unique_name(prefix)
    client.create_table(**create_table_params(name, **params))
    return name


def _value(v):
    return int(v["N"]) if "N" in v else v.get("S", v.get("B"))


def get_item(client, table, key, consistent=True):
    """The item at `key` of `table` (a strongly consistent read by default), or None."""
    return client.get_item(TableName=table, Key=key, ConsistentRead=consistent).get("Item")


def usage_of(report, table):
    """`table`'s entry of the usage report (GET /ddbd/usage's "tables")."""
    return [t for t in report["tables"] if t["table"] == table][0]


def scan_all(client, table, consistent=True, order=None):
    """Every item of `table` (all pages of a Scan), sorted by `order` when given: a function of an
    item, or the name of an attribute every item has (a number sorts as a number)."""
    if isinstance(order, str):
        attr, order = order, lambda item: _value(item[attr])
    items, kw = [], {"TableName": table}
    if consistent:
        kw["ConsistentRead"] = True
    while True:
        page = client.scan(**kw)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return sorted(items, key=order) if order else items
        kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def eventually(check, timeout=SETTLE_S, errors=(AssertionError, ClientError)):
    """check()'s answer once it stops raising one of `errors` (what the server does in the
    background: a replica's fill, a push to a peer), polled; the last failure after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except errors:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def wait_active(client, table, timeout=SETTLE_S):
    """`table`'s description once it and its replicas are ACTIVE (a restore, an import, a replica
    being made)."""
    def active():
        d = client.describe_table(TableName=table)["Table"]
        assert d["TableStatus"] == "ACTIVE" and all(r["ReplicaStatus"] == "ACTIVE" for r in d.get("Replicas", [])), d
        return d
    return eventually(active, timeout, errors=AssertionError)


def wait_export(client, arn, timeout=SETTLE_S):
    """The export's description once it ended (COMPLETED or FAILED)."""
    def ended():
        d = client.describe_export(ExportArn=arn)["ExportDescription"]
        assert d["ExportStatus"] != "IN_PROGRESS", d
        return d
    return eventually(ended, timeout, errors=AssertionError)


def wait_import(client, arn, timeout=SETTLE_S):
    """The import's description once it ended (COMPLETED, FAILED or CANCELLED)."""
    def ended():
        d = client.describe_import(ImportArn=arn)["ImportTableDescription"]
        assert d["ImportStatus"] not in ("IN_PROGRESS", "CANCELLING"), d
        return d
    return eventually(ended, timeout, errors=AssertionError)


class LoopbackServer:
    """A stand-in HTTP server on loopback for `ddb replay`'s tests: accepts connections, each served
    by `serve(sock)` (a subclass's) on a thread of its own; `endpoint` is its URL."""

    def __init__(self):
        import socket
        import threading
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.endpoint = "http://127.0.0.1:%d" % self.sock.getsockname()[1]
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    def _accept(self):
        import threading
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.accepted()
            threading.Thread(target=self.serve, args=(c,), daemon=True).start()

    def accepted(self):
        """Called for each connection, before it is served."""

    def serve(self, c):
        raise NotImplementedError

    def close(self):
        """Stops accepting, then closes. Closed at once, the socket's number could be the next
        stand-in's while this one's thread was on its way into accept(): it then took the next
        test's connection and answered it with this test's answers (CI, once: a replay got another
        test's 100,000-deep answer). A shutdown ends the accept; its thread is waited for."""
        import socket
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._acceptor.join(timeout=30)
        self.sock.close()
