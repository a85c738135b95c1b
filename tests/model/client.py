"""tests/model/client.py: raw DynamoDB JSON over one kept-alive HTTP connection (the model compares
answers byte-level: __type, message, every member), signed with SigV4 as an SDK signs it."""
import http.client
import json
import time

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

TARGET = "DynamoDB_20120810."
# the errors a lost answer is told by under --enforce-capacity (Runner.call): the throttles, and a
# transaction's cancellation (a throttled transaction's, or one its conditions cancelled: neither
# wrote nor was charged)
UNCHARGED = ("ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
             "TransactionCanceledException")
# port -> the UNCHARGED errors answered by the server on that port that this process's clients
# know of: those they read, and those lost_was_uncharged found (a server's restart starts it again:
# backend.Servers.restart forgets it)
UNCHARGED_SEEN = {}
METRICS_KEY = ("AKIDMODEL", "secret")   # (under --auth, the model's key, with rights=metrics: driver.KEYS)
STREAMS = "DynamoDBStreams_20120810."   # (the Streams API: signed for "dynamodb" too)


class Client:
    def __init__(self, endpoint, ak="AKIDMODEL", sk="secret", region="us-east-1"):
        self.endpoint = endpoint.rstrip("/")
        host, port = self.endpoint.split("//", 1)[1].split(":")
        self.host, self.port = host, int(port)
        self.creds = Credentials(ak, sk)
        self.region = region
        self.conn = None
        self.used = 0.0   # (time.monotonic() of the last answer on conn)

    # ddbd closes a kept-alive connection idle for --request-timeout (10 s: docs/compatibility.md,
    # "Protocol"), which an SDK finds and reconnects; a client idle half that (the replica's, the
    # reader's, while a slow restore runs on a loaded machine) takes a new one before it sends
    IDLE_S = 5.0

    def _connection(self):
        if self.conn is not None and time.monotonic() - self.used > self.IDLE_S:
            self.close()
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        return self.conn

    def call(self, op, body, target=TARGET):
        """(status, answer): the answer parsed, an error's too; status 0 when the connection broke
        (an injected ConnectionReset or TruncatedBody)."""
        data = json.dumps(body).encode()
        req = AWSRequest(method="POST", url=self.endpoint + "/", data=data,
                         headers={"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": target + op})
        SigV4Auth(self.creds, "dynamodb", self.region).add_auth(req)
        try:
            conn = self._connection()
            conn.request("POST", "/", body=data, headers=dict(req.headers.items()))
            resp = conn.getresponse()
            raw = resp.read()
            self.used = time.monotonic()
            if resp.getheader("Connection", "").lower() == "close":
                self.close()
            answer = json.loads(raw or b"{}")
            if resp.status != 200 and error_type(answer) in UNCHARGED:
                UNCHARGED_SEEN[self.port] = UNCHARGED_SEEN.get(self.port, 0) + 1
            return resp.status, answer
        except (OSError, http.client.HTTPException, ValueError):
            self.close()
            return 0, {}

    def admin(self, method, path, body=None):
        """A call of the admin door, signed (with --auth it takes a key with rights=admin)."""
        data = json.dumps(body).encode() if body is not None else b""
        req = AWSRequest(method=method, url=self.endpoint + path, data=data,
                         headers={"Content-Type": "application/json"})
        SigV4Auth(self.creds, "dynamodb", self.region).add_auth(req)
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.request(method, path, body=data or None, headers=dict(req.headers.items()))
            resp = conn.getresponse()
            return resp.status, json.loads(resp.read() or b"{}")
        finally:
            conn.close()

    def uncharged_answered(self):
        """The UNCHARGED errors the server has answered since its start, by its /metrics
        (ddbd_errors_total)."""
        req = AWSRequest(method="GET", url=self.endpoint + "/metrics", data=b"")
        SigV4Auth(Credentials(*METRICS_KEY), "dynamodb", self.region).add_auth(req)
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.request("GET", "/metrics", headers=dict(req.headers.items()))
            text = conn.getresponse().read().decode()
        finally:
            conn.close()
        want = tuple('ddbd_errors_total{type="%s"} ' % t for t in UNCHARGED)
        return sum(int(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(want))

    def lost_was_uncharged(self):
        """Whether the answer this client just lost (a connection fault) was an UNCHARGED error:
        the server counts each answer before it sends it, so one it answered that no client read
        is the lost one (the model sends one request at a time)."""
        answered, known = self.uncharged_answered(), UNCHARGED_SEEN.get(self.port, 0)
        UNCHARGED_SEEN[self.port] = answered
        return answered > known

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def error_type(answer):
    t = answer.get("__type", "")
    return t.rsplit("#", 1)[-1]


def error_message(answer):
    return answer.get("message", answer.get("Message"))
