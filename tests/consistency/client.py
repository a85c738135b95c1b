"""One workload client: signed DynamoDB calls over a kept-alive connection, with a short timeout
and no retries (a retried write is a different history), each call's outcome classified as the
history needs it (history.py: ok, fail when it certainly had no effect, info when unknown)."""
import http.client
import json
import os
import random
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "compat"))
from conftest import JSON_10, TARGET_PREFIX, DdbdServer, free_port, sign_headers  # noqa: E402

__all__ = ["Client", "DdbdServer", "DEFINITE", "free_port"]  # the compat suite's server, for nemesis.py and rados.py

# the 4xx answers a workload call may get, each certainly without effect (any other 4xx is a
# mistake of the workload: run.py reports it)
DEFINITE = ("ConditionalCheckFailedException", "TransactionCanceledException",
            "TransactionConflictException", "TransactionInProgressException")


class Outcome:
    def __init__(self, status, body=None, error=None):
        self.status, self.body, self.error = status, body, error


class Client:
    def __init__(self, endpoint, timeout=1.0, stale=0.0, seed=0):
        self.endpoint = endpoint
        host, port = endpoint.replace("http://", "").split(":")
        self.host, self.port, self.timeout = host, int(port), timeout
        self.conn = None
        # --inject stale-read: answer a read (GetItem, TransactGetItems), with this probability,
        # with an earlier answer to the same request (a deliberately stale read, as a lagging
        # replica or a cache would give)
        self.stale, self.rng, self.seen = stale, random.Random(seed), {}

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def call(self, op, body):
        """Outcome of one call: ok (body is the answer), fail or info (error says why)."""
        data = json.dumps(body).encode()
        headers = sign_headers(self.endpoint, data, {"Content-Type": JSON_10, "X-Amz-Target": TARGET_PREFIX + op})
        sent = False
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                self.conn.connect()
            sent = True
            self.conn.request("POST", "/", body=data, headers=headers)
            resp = self.conn.getresponse()
            raw = resp.read()
        except ConnectionRefusedError as e:  # nothing was sent: certainly no effect
            self.close()
            return Outcome("fail", error="connect: %s" % e)
        except (OSError, http.client.HTTPException, socket.timeout) as e:
            self.close()
            return Outcome("info" if sent else "fail", error="%s: %s" % (type(e).__name__, e))
        return self._classify(op, body, resp.status, raw)

    def _classify(self, op, body, status, raw):
        try:
            answer = json.loads(raw.decode() or "{}")
        except ValueError:
            answer = {}
        if status == 200:
            if op in ("GetItem", "TransactGetItems") and self.stale:
                answer = self._maybe_stale(json.dumps(body, sort_keys=True), answer)
            return Outcome("ok", answer)
        kind = answer.get("__type", "").rsplit("#", 1)[-1]
        error = "%d %s: %s" % (status, kind, answer.get("message", answer.get("Message", "")))
        if status >= 500:  # DynamoDB: the request may or may not have taken effect
            self.close()
            return Outcome("info", error=error)
        return Outcome("fail", error=error)

    def _maybe_stale(self, key, answer):
        past = self.seen.setdefault(key, [])
        past.append(answer)
        del past[:-20]
        if len(past) > 1 and self.rng.random() < self.stale:
            return past[0]
        return answer
