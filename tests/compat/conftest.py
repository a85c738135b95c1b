"""Shared fixtures for the black-box compatibility suite.

Every test here drives a real ddbd process over loopback through real clients (boto3, raw
http.client, the AWS CLI). The binary is $DDBD_BIN (default build/ddbd of this checkout); with
$DDBD_ENDPOINT set, the session's server is that endpoint instead (and server_factory skips).

Fixtures:
  endpoint         session: one `ddbd --in-memory` on a free loopback port; stopped with SIGTERM
                   at the end of the session, asserting exit code 0. $DDBD_STORE_ARGS replaces
                   `--in-memory` (e.g. `--backend rados --rados-conf C --rados-pool ddbd/NS`:
                   tests/rados/run.sh runs files against the RADOS backend this way).
  ddb              boto3 low-level DynamoDB client against `endpoint` (client-side parameter
                   validation off, so the server's own validation is what the tests see; no retries).
  make_table       creates uniquely named tables for one test and deletes them afterwards.
  $DDBD_GATEWAYS=2 starts a second server with the same $DDBD_STORE_ARGS (two RADOS gateways on
                   one pool) and `ddb` sends its requests to the two in turn (tests/rados/run.sh).
  server_factory   starts extra, independent servers (e.g. --data-dir DIR for restart tests).
  $DDBD_VALGRIND=1 runs every server DdbdServer starts (the session's, server_factory's, a test's
                   own) and every command memcheck.wrap builds (`ddb replay`) under valgrind
                   memcheck (tests/harness/memcheck.py): start and stop bounds 12 times longer,
                   and after each test, and at the end of the session, any process that exited
                   with memcheck errors fails it with its log (label memcheck, tests/tests.cmake).

Helpers: assert_client_error, raw_request (signed or unsigned raw HTTP), item_size, store_args (the
store arguments of a server, on a pool namespace of its own on RADOS); the ones shared with
tests/security and beyond come from tests/harness/helpers.py (`from helpers import ...`), whose folder
is put on sys.path here; make_client, unique_name, create_table_params, free_port, scan_all and the
attribute values S, N, B, L, M are re-exported.
"""
import http.client
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import uuid

import pytest
from botocore.exceptions import ClientError
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))
import memcheck  # noqa: E402  (tests/harness/memcheck.py)
import helpers  # noqa: E402  (tests/harness/helpers.py)

# helpers' client, table and port makers, re-exported: the tests import them from here too
create_table_params, free_port, make_client, scan_all, unique_name = (
    helpers.create_table_params, helpers.free_port, helpers.make_client, helpers.scan_all, helpers.unique_name)
B, L, M, N, S = helpers.B, helpers.L, helpers.M, helpers.N, helpers.S  # (attribute values)

DDBD_BIN = os.environ.get("DDBD_BIN", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "ddbd"))
# When set (http://127.0.0.1:PORT), the session's server is this one, started elsewhere (the
# Docker image's test runs a subset of the suite against a container); tests that start servers
# of their own are skipped.
EXTERNAL_ENDPOINT = os.environ.get("DDBD_ENDPOINT", "")
STORE_ARGS = os.environ.get("DDBD_STORE_ARGS", "")
GATEWAYS = int(os.environ.get("DDBD_GATEWAYS", "1"))
REGION = "us-east-1"
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "secret"
ACCOUNT = "000000000000"
TARGET_PREFIX = "DynamoDB_20120810."
JSON_10 = "application/x-amz-json-1.0"
MAX_ITEM_SIZE = 400 * 1024

# Keep any local AWS configuration out of the clients' way.
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
for _var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"):
    os.environ.pop(_var, None)

ANY = object()  # assert_client_error(..., message=ANY) checks only the type and the status


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "temporary: pins interim behaviour (e.g. expressions refused until they land); "
        "delete when the feature arrives")
    config.addinivalue_line(
        "markers", "timing: asserts real time, a rate or a ratio a loaded machine could break: ctest runs "
        "these cases alone (FILE.timing, label timing, RUN_SERIAL) and the file's others side by side")


# ---------------------------------------------------------------------------------------------
# The server process
# ---------------------------------------------------------------------------------------------

class DdbdServer:
    """One ddbd process. `args` are the storage/extra arguments; host and port are added
    unless `raw_args` is given, in which case the command line is exactly [DDBD_BIN] + raw_args.
    `env` (name: value) is set in this process's environment only (crash points, leases)."""

    def __init__(self, args=("--in-memory",), raw_args=None, port=None, prefix=(), env=None):
        self._port_chosen = port is None and raw_args is None  # free_port()'s: another may take it
        self.port = port or free_port()
        if raw_args is not None:
            self.argv = [DDBD_BIN] + list(raw_args)
        else:
            self.argv = [DDBD_BIN, "--host", "127.0.0.1", "--port", str(self.port)] + list(args)
        # a wrapper that execs ddbd in its own process (taskset -c 0), so signals still reach it;
        # valgrind (memcheck.wrap) is one too: the guest runs in valgrind's process
        self.argv = list(prefix) + memcheck.wrap("ddbd", self.argv)
        self.endpoint = "http://127.0.0.1:%d" % self.port
        self.env = dict(os.environ, **{k: str(v) for k, v in env.items()}) if env else None
        self.proc = None
        self._stderr = tempfile.TemporaryFile()
        self._stdout = tempfile.TemporaryFile()
        self.ready_seconds = None

    def start(self, timeout=10.0):
        timeout *= memcheck.SLOWDOWN
        if not os.path.exists(DDBD_BIN):
            pytest.fail("ddbd binary not found at %s (set DDBD_BIN)" % DDBD_BIN)
        t0 = time.monotonic()
        self.proc = subprocess.Popen(self.argv, stdout=self._stdout, stderr=self._stderr,
                                     stdin=subprocess.DEVNULL, env=self.env)
        deadline = t0 + timeout
        while True:
            if self.proc.poll() is not None and self._port_chosen and "Address already in use" in self.stderr_text():
                # a server of a test running beside this one took the free port first: another
                old, self.port = self.port, free_port()
                self.argv[self.argv.index(str(old), self.argv.index("--port"))] = str(self.port)
                self.endpoint = "http://127.0.0.1:%d" % self.port
                self._stderr.seek(0)
                self._stderr.truncate()
                self.proc = subprocess.Popen(self.argv, stdout=self._stdout, stderr=self._stderr,
                                             stdin=subprocess.DEVNULL, env=self.env)
                continue
            if self.proc.poll() is not None:
                pytest.fail("ddbd exited with %s before answering GET /\nargv: %s\nstderr:\n%s"
                            % (self.proc.returncode, self.argv, self.stderr_text()))
            if self._healthy():
                self.ready_seconds = time.monotonic() - t0
                return self
            if time.monotonic() > deadline:
                self.kill()
                pytest.fail("ddbd did not answer GET / within %.0f s\nargv: %s\nstderr:\n%s"
                            % (timeout, self.argv, self.stderr_text()))
            time.sleep(0.005)

    def _healthy(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
        try:
            conn.request("GET", "/")
            resp = conn.getresponse()
            resp.read()
            return resp.status == 200
        except OSError:
            return False
        finally:
            conn.close()

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        """Sends `sig` and returns the exit code (None if it had to be killed)."""
        timeout *= memcheck.SLOWDOWN
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stderr_text(self):
        return _written(self._stderr)

    def stdout_text(self):
        return _written(self._stdout)


def _written(f):
    """What the server has written to its stdout or stderr file so far. Read with pread, which
    leaves the file's offset alone: the server's descriptor shares this open file, offset and all,
    so a seek(0) here while the server runs moved where its next write landed, over lines already
    written (a line torn to ':0}' under 4 writing threads: test_access_log, CI's sanitized pass)."""
    fd = f.fileno()
    return os.pread(fd, os.fstat(fd).st_size, 0).decode("utf-8", "replace")


def store_args(ns=None):
    """`--in-memory`, or $DDBD_STORE_ARGS (a RADOS pool namespace: the run's, or `ns` of the caller's own)."""
    if not STORE_ARGS:
        return ("--in-memory",)
    args = shlex.split(STORE_ARGS)
    if ns is not None:
        at = args.index("--rados-pool") + 1
        args[at] = args[at].split("/")[0] + "/" + ns
    return tuple(args)


class ExternalServer:
    """A server this suite did not start ($DDBD_ENDPOINT: a ddbd in a container, say)."""

    def __init__(self, endpoint):
        self.endpoint = endpoint.rstrip("/")


@pytest.fixture(scope="session")
def ddbd_server():
    if EXTERNAL_ENDPOINT:
        yield ExternalServer(EXTERNAL_ENDPOINT)
        return
    servers = [DdbdServer(store_args()).start() for _ in range(max(GATEWAYS, 1))]
    servers[0].peers = [s.endpoint for s in servers]
    yield servers[0]
    for server in servers:
        code = server.stop(signal.SIGTERM)
        found = memcheck.findings()
        assert not found, memcheck.failure_text(found)
        assert code == 0, "ddbd did not exit 0 on SIGTERM (got %r); stderr:\n%s" % (
            code, server.stderr_text()[-4000:])


@pytest.fixture(autouse=True)
def memcheck_findings():
    """Under $DDBD_VALGRIND, fails the test after which a process exited with memcheck errors
    (a server it started and stopped, server_factory's, a `ddb` command; torn down last, after
    server_factory has stopped its servers)."""
    yield
    found = memcheck.findings()
    if found:
        pytest.fail(memcheck.failure_text(found), pytrace=False)


@pytest.fixture(scope="session")
def endpoint(ddbd_server):
    return ddbd_server.endpoint


@pytest.fixture
def server_factory():
    """Starts independent servers; stops any still running at the end of the test."""
    started = []
    if EXTERNAL_ENDPOINT:
        pytest.skip("starts servers of its own; DDBD_ENDPOINT points the suite at one server")

    def start(args=("--in-memory",), raw_args=None, port=None, timeout=10.0, prefix=()):
        server = DdbdServer(args, raw_args=raw_args, port=port, prefix=prefix)
        started.append(server)
        return server.start(timeout=timeout)

    yield start
    for server in started:
        server.stop(signal.SIGTERM)
        server.kill()


def ids_of(pid):
    """Uid, Gid, Groups and CapEff of /proc/PID/status, each as its list of fields (a server's
    privileges after --user; tests/docker checks the container's the same way)."""
    with open("/proc/%d/status" % pid) as f:
        fields = dict(line.split(":", 1) for line in f)
    return {k: fields[k].split() for k in ("Uid", "Gid", "Groups", "CapEff")}


# ---------------------------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------------------------

def alternate(client, endpoints):
    """Sends the client's requests to `endpoints` in turn (several gateways on one store): each
    request's URL is rewritten before it is signed, so its signature names the gateway it reaches."""
    turn = [0]

    def before_sign(request, **kwargs):
        url = endpoints[turn[0] % len(endpoints)]
        turn[0] += 1
        request.url = re.sub(r"^https?://[^/]+", url, request.url)

    client.meta.events.register("before-sign.dynamodb", before_sign)
    return client


@pytest.fixture(scope="session")
def ddb(endpoint, ddbd_server):
    peers = getattr(ddbd_server, "peers", [endpoint])
    client = make_client(endpoint)
    return alternate(client, peers) if len(peers) > 1 else client


@pytest.fixture
def make_table(ddb, request):
    """make_table(hash_key=("pk","S"), range_key=None, billing=..., name=None, **extra) -> name.
    Tables are deleted when the test ends."""
    created = []
    base = re.sub(r"[^a-zA-Z0-9_.-]", "_", request.node.name)[:40]

    def make(hash_key=("pk", "S"), range_key=None, billing="PAY_PER_REQUEST", name=None, **extra):
        name = helpers.make_table(ddb, name or "%s_%s" % (base, uuid.uuid4().hex[:8]), hash_key=hash_key,
                                  range_key=range_key, billing=billing, **extra)
        created.append(name)
        return name

    yield make
    for name in created:
        try:
            ddb.delete_table(TableName=name)
        except Exception:
            pass


# ---------------------------------------------------------------------------------------------
# Assertions and raw HTTP
# ---------------------------------------------------------------------------------------------

def assert_client_error(excinfo, code, message, status=400):
    """Checks pytest.raises' botocore ClientError: exact error Code (the __type after '#'), exact
    Message (unless message is ANY) and the HTTP status (helpers.check_error)."""
    helpers.check_error(excinfo.value, code, None if message is ANY else message, status)


class RawResponse:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-cased names
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))


def sign_headers(endpoint, body, headers):
    """Adds SigV4 Authorization/X-Amz-Date headers as a real SDK would."""
    req = AWSRequest(method="POST", url=endpoint + "/", data=body, headers=headers)
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "dynamodb", REGION).add_auth(req)
    return dict(req.headers.items())


def raw_request(endpoint, target=None, body=b"", method="POST", headers=None, sign=True,
                content_type=JSON_10, path="/"):
    """Sends one HTTP request with http.client and returns a RawResponse.
    `target` is the operation name (prefixed with DynamoDB_20120810.) or a full X-Amz-Target
    when it contains a '.'; `body` may be bytes, str or a JSON-able object."""
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode("utf-8")
    hdrs = {}
    if content_type is not None:
        hdrs["Content-Type"] = content_type
    if target is not None:
        hdrs["X-Amz-Target"] = target if "." in target else TARGET_PREFIX + target
    if headers:
        hdrs.update(headers)
    if sign and method == "POST":
        hdrs = sign_headers(endpoint, body, hdrs)
    host, port = endpoint.replace("http://", "").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10 * memcheck.SLOWDOWN)
    try:
        conn.request(method, path, body=body if (body or method == "POST") else None, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        return RawResponse(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
    finally:
        conn.close()


def item_size(item):
    """DynamoDB item size for items of S/B attributes only: name bytes + value bytes."""
    total = 0
    for name, value in item.items():
        total += len(name.encode("utf-8"))
        (kind, v), = value.items()
        if kind == "S":
            total += len(v.encode("utf-8"))
        elif kind == "B":
            total += len(v)
        else:
            raise ValueError("item_size handles S and B only")
    return total


def padded_item(key, size, pad_name="p"):
    """An item {**key, pad_name: S 'x'*n} whose DynamoDB size is exactly `size` bytes."""
    item = dict(key)
    item[pad_name] = {"S": ""}
    n = size - item_size(item)
    assert n >= 0
    item[pad_name] = {"S": "x" * n}
    assert item_size(item) == size
    return item


# ---------------------------------------------------------------------------------------------
# Helpers shared by the test files
# ---------------------------------------------------------------------------------------------

def body(resp):
    resp = dict(resp)
    resp.pop("ResponseMetadata", None)
    return resp

def batch_put(ddb, table, items):
    for i in range(0, len(items), 25):
        resp = ddb.batch_write_item(
            RequestItems={table: [{"PutRequest": {"Item": it}} for it in items[i:i + 25]]})
        assert resp["UnprocessedItems"] == {}

def all_pages(call, params, max_pages=2000):
    """Calls a paginated read (ddb.query or ddb.scan) following LastEvaluatedKey; returns the pages."""
    pages, start = [], None
    for _ in range(max_pages):
        p = dict(params)
        if start is not None:
            p["ExclusiveStartKey"] = start
        resp = body(call(**p))
        pages.append(resp)
        start = resp.get("LastEvaluatedKey")
        if start is None:
            return pages
    raise AssertionError("more than %d pages" % max_pages)


def ops_sent(ops, count, after=0.0, timeout=30.0):
    """Waits until a writer thread's `ops` (tuples, each starting with when its call was sent) holds
    `count` calls sent after `after`. A test of a moment amid writes counts the writes on each side
    of it rather than sleeping: a slow machine (RADOS, two files at a time) has them all the same."""
    deadline = time.monotonic() + timeout
    while sum(1 for op in list(ops) if op[0] > after) < count:
        assert time.monotonic() < deadline, "the writer made %d calls in %.0f s" % (len(ops), timeout)
        time.sleep(0.01)


def expect_error(call, message, code="ValidationException", status=400, **params):
    """`message` as the classic layer words it; for PutItem/UpdateItem/DeleteItem the 2026 layer's
    envelope is added where DynamoDB adds it (enveloped)."""
    with pytest.raises(ClientError) as excinfo:
        call(**params)
    if code == "ValidationException":
        message = enveloped(getattr(call, "__name__", ""), message)
    assert_client_error(excinfo, code, message, status)


def hash_table(ddb, prefix):
    """Body of a module-scoped fixture: a fresh on-demand table keyed by pk (S), deleted afterwards."""
    name = helpers.make_table(ddb, prefix=prefix)
    yield name
    try:
        ddb.delete_table(TableName=name)
    except Exception:
        pass


def norm(value):
    """An item or AttributeValue with set members sorted, so sets compare unordered."""
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in (
            "S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M"):
        (kind, v), = value.items()
        if kind in ("SS", "NS", "BS"):
            return {kind: sorted(v)}
        if kind == "L":
            return {"L": [norm(x) for x in v]}
        if kind == "M":
            return {"M": {k: norm(x) for k, x in v.items()}}
        return value
    return {k: norm(v) for k, v in value.items()}


# AWS's 2026 request layer (PutItem, UpdateItem, DeleteItem) reports what it checks before looking
# at the table inside "1 validation error detected: "; checks against the table, the key schema or
# the stored item stay bare (the conformance suite's tier-3 captures, four regions, 2026-10-09).
ENVELOPED_OPS = {"put_item", "update_item", "delete_item", "PutItem", "UpdateItem", "DeleteItem"}
BARE_MESSAGES = (
    "One or more parameter values were invalid: Cannot update attribute",
    "One or more parameter values were invalid: Missing the key",
    "One or more parameter values were invalid: Type mismatch for key",
    "One or more parameter values were invalid: Type mismatch for Index Key",
    "One or more parameter values were invalid: Index key",
    "One or more parameter values were invalid: Size of hashkey",
    "One or more parameter values were invalid: Aggregated size of all range keys",
    "One or more parameter values are not valid.",
    "The provided key element does not match the schema",
    "The document path provided in the update expression is invalid for update",
    "An operand in the update expression has an incorrect data type",
    "The conditional request failed",
    "The provided expression refers to an attribute that does not exist in the item",
    "Type mismatch for attribute to update",
    "Collection size",
    "Item collection size",
    "Item size",
    "Invalid TableArn",
    "Requested resource not found",
)


def enveloped(op, message):
    """The message DynamoDB's 2026 layer gives for `op`: `message` in the envelope when op is one
    of PutItem/UpdateItem/DeleteItem and the check is one made before the table is looked at."""
    if (op not in ENVELOPED_OPS or not isinstance(message, str) or re.match(r"\d+ validation errors? detected: ", message)
            or message.startswith(BARE_MESSAGES)):
        return message
    for tail in (": ConditionExpression is null", ": UpdateExpression and ConditionExpression are null"):
        if message.endswith(tail):  # the classic layer's tails; the 2026 one has none
            message = message[:-len(tail)]
    return "1 validation error detected: " + message
