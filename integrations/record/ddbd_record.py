"""ddbd_record: record a boto3/botocore DynamoDB client's traffic where it runs, in the format of
ddbd's --record (docs/record-replay.md), for `ddb replay FILE --endpoint URL [--check]`.

    import boto3
    from ddbd_record import Recorder

    recorder = Recorder("traffic.jsonl", sample=0.1,  # KEY: a secret of yours (openssl rand -hex 32)
                        redact={"key": os.environ["KEY"], "attributes": {"email": "hash", "ssn": "redact"}})
    ddb = boto3.client("dynamodb")
    recorder.attach(ddb)          # or a boto3/botocore session: every DynamoDB client it makes
    ...
    recorder.close()

Each HTTP attempt (a retry is an attempt of its own, as ddbd sees it) is one line: its request body
as sent, its answer's status and body, the time (this machine's clock), the thread as its
connection, and monotonic start and end times (what a replay orders requests by). `sample` is the
fraction of calls recorded, drawn per call; `redact` the rules of --record-redact (a dict, or the
path of their JSON file), applied exactly as ddbd applies them. The file is created with mode
0o600 (a recording holds items) unless `mode` says otherwise. Standard library only.
"""

import base64
import hashlib
import hmac
import json
import os
import random
import re
import threading
import time

__all__ = ["Recorder", "Rules"]

# the region a request was signed for: its SigV4 credential scope (KEY/DATE/REGION/SERVICE/aws4_request)
_SCOPE_REGION = re.compile(r"Credential=[^/,]+/\d{8}/([^/,]+)/")
_THROTTLING = {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
_ITEM_MEMBERS = {"Item", "Key", "Keys", "Items", "Attributes", "ExclusiveStartKey", "LastEvaluatedKey",
                 "ItemCollectionKey", "NewImage", "OldImage"}
# attribute name -> a condition or an update whose "Value" and "AttributeValueList" are its values
_LEGACY_MEMBERS = {"AttributeUpdates", "Expected", "ScanFilter", "QueryFilter", "KeyConditions"}
_EXPRESSIONS = ("ConditionExpression", "KeyConditionExpression", "FilterExpression", "UpdateExpression")
_ACTIONS = ("keep", "hash", "redact", "drop")  # also the order of strictness
# the docs' example keys: public, so no key at all (ddbd refuses the same: server/api/record/record_redact.c)
_EXAMPLE_KEYS = {"a secret of your own", "a secret of 16 characters or more", "a secret",
                 "keep this secret out of the repository"}  # proto/secret_key.h's list
_WEAK_KEY = ('redaction rules: "hash" needs a "key" of 16 bytes or more, of 6 different characters or more, not '
             'blank and not an example of the docs (without one, a value is found again by hashing guesses; '
             'make one: openssl rand -hex 32)')
_SPACE = " \t\n\v\f\r"
_SEPARATORS = {"OR", "NOT", "SET", "REMOVE", "ADD", "DELETE"}


def _key_strong(key):
    """ddbd's rule: 16 bytes or more, 6 different bytes or more, not all blank, not a docs' example."""
    if not isinstance(key, str) or key in _EXAMPLE_KEYS:
        return False
    raw = key.encode()
    return len(raw) >= 16 and len(set(raw)) >= 6 and not all(chr(c) in _SPACE for c in raw)


def _word_char(c):
    return c.isascii() and (c.isalnum() or c == "_")
_REDACTED = {"S": "REDACTED", "N": "0", "B": "UkVEQUNURUQ="}


class Rules:
    """Redaction rules: {"key": "...", "attributes": {"NAME" | "*": "hash" | "redact" | "drop" | "keep"}}."""

    def __init__(self, spec):
        if isinstance(spec, (str, os.PathLike)):
            with open(spec, encoding="utf-8") as f:
                spec = json.load(f)
        if not isinstance(spec, dict) or not isinstance(spec.get("attributes"), dict):
            raise ValueError('redaction rules are an object with "attributes": {"NAME": "hash"|"redact"|"drop"|"keep"}')
        unknown = set(spec) - {"key", "attributes"}
        if unknown:
            raise ValueError(f'redaction rules: unknown member "{sorted(unknown)[0]}"')
        for name, act in spec["attributes"].items():
            if act not in _ACTIONS:
                raise ValueError(f'redaction rules: attribute "{name}": the action is "hash", "redact", "drop" or "keep"')
            if act == "hash" and not _key_strong(spec.get("key")):
                raise ValueError(_WEAK_KEY)
        self.key = spec.get("key", "").encode()
        self.names = {k: v for k, v in spec["attributes"].items() if k != "*"}
        self.any = spec["attributes"].get("*", "keep")

    def _rule(self, name):
        if name.startswith(":"):
            name = name[1:]
        return self.names.get(name, self.any)

    def _placeholder_rule(self, req, p):
        """A placeholder's rule: the strictest of the attributes its request's expressions compare it
        with, wherever they use it; its own name's when none does (ddbd's placeholder_rule)."""
        names = req.get("ExpressionAttributeNames")
        names = names if isinstance(names, dict) else {}
        best = -1
        for member in _EXPRESSIONS:
            x = req.get(member)
            if isinstance(x, str):
                best = max(best, self._scan(x, names, p))
        return _ACTIONS[best] if best >= 0 else self._rule(p)

    def _scan(self, x, names, p):
        """The strictest rule (an index of _ACTIONS) of the attributes beside p in expression x, or -1."""
        st = {"has_p": False, "most": -1, "best": -1, "between": False}

        def cut():
            if st["has_p"] and st["most"] > st["best"]:
                st["best"] = st["most"]
            st.update(has_p=False, most=-1, between=False)

        def attribute(name):
            if name.startswith("#") and isinstance(names.get(name), str):
                name = names[name]
            st["most"] = max(st["most"], _ACTIONS.index(self.names.get(name, self.any)))

        calls, prev, i, n = [], "", 0, len(x)
        while i < n:
            c, j = x[i], i + 1
            if c in ":#" or _word_char(c):
                while j < n and _word_char(x[j]):
                    j += 1
                tok = x[i:j]
                if c == ":":
                    st["has_p"] |= tok == p
                    prev = "v"
                elif c == "#":
                    if prev != ".":
                        attribute(tok)
                    prev = "n"
                else:
                    k = j
                    while k < n and x[k] in _SPACE:
                        k += 1
                    up = tok.upper()
                    prev = "n"
                    if up == "AND":
                        if st["between"]:
                            st["between"] = False
                        else:
                            cut()
                    elif up in _SEPARATORS:
                        cut()
                    elif up == "BETWEEN":
                        st["between"] = True
                    elif up == "IN":
                        prev = "i"
                    elif k < n and x[k] == "(":
                        prev = "f"
                    elif prev != "." and not tok[0].isdigit():
                        attribute(tok)
            elif c == "(":
                kind = "c" if prev in ("f", "i") else "g"
                calls.append(kind)
                if kind == "g":
                    cut()
                prev = "("
            elif c == ")":
                if not calls or calls.pop() == "g":
                    cut()
                prev = ")"
            elif c == ",":
                if not calls or calls[-1] == "g":
                    cut()
                prev = ","
            elif c not in _SPACE:
                prev = "." if c == "." else "o"
            i = j
        cut()
        return st["best"]

    def _legacy(self, v):
        if not isinstance(v, dict):
            return v
        out = {}
        for name, cond in v.items():
            act = self.names.get(name, self.any)
            if act == "drop":
                continue
            if act != "keep" and isinstance(cond, dict):
                cond = dict(cond)
                if "Value" in cond:
                    cond["Value"] = self._value(cond["Value"], act)
                if isinstance(cond.get("AttributeValueList"), list):
                    cond["AttributeValueList"] = [self._value(e, act) for e in cond["AttributeValueList"]]
            out[name] = cond
        return out

    def _scalar(self, t, s, act):
        if act == "redact":
            return _REDACTED[t]
        mac = hmac.new(self.key, f"{t}:".encode() + s.encode(), hashlib.sha256).digest()
        if t == "S":
            return mac[:16].hex()
        if t == "N":
            return str(int.from_bytes(mac[:7], "big"))
        return base64.b64encode(mac[:16]).decode()

    def _value(self, av, act):
        if not isinstance(av, dict) or len(av) != 1:
            return av
        (t, v), = av.items()
        if t in ("S", "N", "B") and isinstance(v, str):
            return {t: self._scalar(t, v, act)}
        if t in ("SS", "NS", "BS") and isinstance(v, list):
            if act == "redact" and len(v) > 1:
                v = v[:1]
            return {t: [self._scalar(t[0], e, act) if isinstance(e, str) else e for e in v]}
        if t == "L" and isinstance(v, list):
            return {t: [self._value(e, act) for e in v]}
        if t == "M" and isinstance(v, dict):
            return {t: {k: self._value(e, act) for k, e in v.items()}}
        return av

    def _item(self, item, req=None):
        if not isinstance(item, dict):
            return item
        out = {}
        for name, av in item.items():
            act = self._placeholder_rule(req, name) if req is not None else self._rule(name)
            if act == "drop":
                continue
            out[name] = av if act == "keep" else self._value(av, act)
        return out

    def _items(self, v):
        if isinstance(v, dict):
            return self._item(v)
        if isinstance(v, list):
            return [self._item(e) for e in v]
        return v

    def redact(self, doc):
        """A request's or an answer's body (parsed JSON) with its attribute values rewritten."""
        if isinstance(doc, list):
            return [self.redact(e) for e in doc]
        if not isinstance(doc, dict):
            return doc
        out = {}
        for key, v in doc.items():
            if key in _ITEM_MEMBERS:
                out[key] = self._items(v)
            elif key == "ExpressionAttributeValues":
                out[key] = self._item(v, doc)
            elif key in _LEGACY_MEMBERS:
                out[key] = self._legacy(v)
            elif key == "Responses" and isinstance(v, dict):
                out[key] = {t: self._items(items) for t, items in v.items()}
            elif key == "Parameters" and isinstance(v, list):
                out[key] = [self._value(p, self.any) for p in v] if self.any in ("hash", "redact") else v
            else:
                out[key] = self.redact(v)
        return out


def _signed_for(authorization):
    """The region in a request's Authorization header (None: unsigned, or not SigV4)."""
    if isinstance(authorization, bytes):
        authorization = authorization.decode("utf-8", "replace")
    m = _SCOPE_REGION.search(authorization) if isinstance(authorization, str) else None
    return m.group(1) if m else None


class Recorder:
    """Writes the DynamoDB calls of the clients and sessions it is attached to (see the module's doc)."""

    def __init__(self, path, sample=1.0, redact=None, mode=0o600):
        if not 0 <= sample <= 1:
            raise ValueError("sample is a fraction from 0 to 1")
        self.sample = sample
        self.rules = Rules(redact) if redact is not None else None
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        self._file = os.fdopen(fd, "w", encoding="utf-8")
        self._lock = threading.Lock()
        self._local = threading.local()
        self._random = random.Random()
        self.count = 0

    def attach(self, target):
        """Registers the hooks on a botocore/boto3 client (its meta.events), or on a session (its events)."""
        events = target.meta.events if hasattr(target, "meta") else (
            target.events if hasattr(target, "events") else target._session.get_component("event_emitter"))
        events.register("before-send.dynamodb", self._before_send, unique_id="ddbd-record-send")
        events.register("response-received.dynamodb", self._received, unique_id="ddbd-record-received")
        return target

    def _before_send(self, request=None, event_name="", **_):
        if self.sample < 1 and self._random.random() >= self.sample:
            self._local.pending = None
            return None
        body = request.body
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        self._local.pending = (event_name.rsplit(".", 1)[-1], body or "", time.monotonic_ns() // 1000,
                               _signed_for(request.headers.get("Authorization")))
        return None

    def _received(self, response_dict=None, exception=None, **_):
        pending = getattr(self._local, "pending", None)
        self._local.pending = None
        if pending is None:
            return
        op, body, start, region = pending
        line = {"v": 1, "t": int(time.time() * 1000), "conn": f"py-{os.getpid()}-{threading.get_ident()}",
                "start": start, "end": time.monotonic_ns() // 1000, "op": op,
                "recorder": "ddbd_record.py"}  # the client's times: no order across connections
        if region is not None:  # a replay signs it for the same (a global table's regions: their own)
            line["region"] = region
        try:
            line["request"] = json.loads(body)
        except ValueError:
            line["requestText"] = body
        status, answer, error = 0, None, None
        if response_dict is not None:
            status = response_dict.get("status_code", 0)
            raw = response_dict.get("body") or b""
            try:
                answer = json.loads(raw) if raw else None
            except ValueError:
                answer = None
            if status >= 400 and isinstance(answer, dict):
                error = str(answer.get("__type", "")).rsplit("#", 1)[-1] or None
        line["status"] = status
        line["outcome"] = ("lost" if response_dict is None else "ok" if status < 400
                           else "throttled" if error in _THROTTLING else "error")
        line["error"] = error
        line["response"] = answer
        if self.rules is not None:
            if "request" in line:
                line["request"] = self.rules.redact(line["request"])
            else:
                line["requestText"] = None  # not JSON: the rules cannot read it, so it is left out
            line["response"] = self.rules.redact(answer)
            line["redacted"] = True
        text = json.dumps(line, separators=(",", ":"), ensure_ascii=False) + "\n"
        with self._lock:
            self._file.write(text)
            self.count += 1

    def flush(self):
        with self._lock:
            self._file.flush()

    def close(self):
        with self._lock:
            if not self._file.closed:
                self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
