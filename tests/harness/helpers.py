"""tests/harness/helpers.py: the helpers the Python suites (tests/compat, tests/security) share, once.

Each was copied into several test files before (issue 55, item 5). tests/compat/conftest.py puts
this folder on sys.path (tests/security/conftest.py loads that conftest), so a test writes
`from helpers import error_of, key_client, ...`; the servers and fixtures stay in conftest.py.

- error_of(fn): the (code, message) of the ClientError that fn() raises;
- key_client(endpoint, ak, sk, ...): a boto3 client signed with that key, one attempt a call;
- signed_call(endpoint, ak, sk, op, body, ...): one request signed as an SDK signs it, through raw
  HTTP, for what Debian's boto3 lacks or refuses to send: (status, parsed answer);
- admin_call(endpoint, method, path, body=None): a call of the admin door (/ddbd/..., --admin):
  (status, parsed answer).
"""
import json
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

STREAMS_OPS = ("ListStreams", "DescribeStream", "GetShardIterator", "GetRecords")

# How long a test waits for the server's background work (an index's backfill, a replica's fill, a
# push to a peer) before it calls the work stuck. A bound that matters only when it fails: on a
# loaded machine the work takes many times its idle time (a 100,000-item RADOS backfill beside
# busy loops took over 120 s, bench/README.md, "The suite on a loaded machine"), and a test never
# asserts how long it took (speed is bench/'s); ctest's TIMEOUT still ends a hang.
SETTLE_S = 600


def error_of(fn):
    """The (code, message) of the ClientError fn() raises (it must raise one)."""
    with pytest.raises(ClientError) as e:
        fn()
    err = e.value.response["Error"]
    return err["Code"], err["Message"]


def key_client(endpoint, ak, sk, *, region="us-east-1", service="dynamodb", token=None, **config):
    """A boto3 client of `service` signed with key (ak, sk) (and session token), one attempt a call
    (no retries: a refusal is seen as it comes); `config`: more botocore Config members."""
    return boto3.client(service, endpoint_url=endpoint, region_name=region, aws_access_key_id=ak,
                        aws_secret_access_key=sk, aws_session_token=token,
                        config=Config(retries={"total_max_attempts": 1}, **config))


def _answer(data):
    return json.loads(data or b"{}")


def signed_call(endpoint, ak, sk, op, body, region="us-east-1", headers=None):
    """One request of `op` signed with key (ak, sk) for `region` as an SDK signs it, through raw HTTP:
    (status, parsed answer). `body` is a JSON value, or a str/bytes sent as written (json.dumps
    cannot repeat a member); `headers` are added and signed too. The Streams operations go to their
    own target prefix."""
    data = body.encode() if isinstance(body, str) else body if isinstance(body, bytes) else json.dumps(body).encode()
    prefix = "DynamoDBStreams_20120810." if op in STREAMS_OPS else "DynamoDB_20120810."
    req = AWSRequest(method="POST", url=endpoint + "/", data=data, headers=dict({
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": prefix + op}, **(headers or {})))
    SigV4Auth(Credentials(ak, sk), "dynamodb", region).add_auth(req)
    r = urllib.request.Request(endpoint + "/", data=data, headers=dict(req.headers.items()), method="POST")
    try:
        with urllib.request.urlopen(r, timeout=10) as resp:
            return resp.status, _answer(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, _answer(e.read())


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
        threading.Thread(target=self._accept, daemon=True).start()

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
        self.sock.close()
