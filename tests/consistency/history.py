"""The history of a run: one JSON object a line, in the manner of Jepsen.

Every call is two events of one process: {"type": "invoke", ...} when the client sends it, then
"ok" (it took effect, with what it read), "fail" (it certainly did not take effect: a refused
condition, a cancelled transaction, a connection refused before anything was sent) or "info" (the
outcome is unknown: a timeout, a reset connection, a 5xx). A process whose call ended in "info"
never calls again (the call may still be in flight); its thread goes on as a new process.
Times are time.monotonic_ns(). The faults are events of their own ({"type": "nemesis"}).

Event fields: type, process, f, key, value, time, error (fail/info), node (invoke: the endpoint
called) and target (nemesis: what the fault hit).
  register  f read (value: what was read, None when no item), write (value), cas ([old, new])
  counter   f add (value: the amount), read (value: what was read)
  txn       f txn (value: [["append", key, n] | ["r", key, list-or-None], ...])
"""
import json
import threading
import time

INVOKE, OK, FAIL, INFO = "invoke", "ok", "fail", "info"


class Recorder:
    """Collects the events of every client thread (a lock, appended in arrival order)."""

    def __init__(self):
        self.events = []
        self._lock = threading.Lock()

    def add(self, **event):
        event.setdefault("time", time.monotonic_ns())
        with self._lock:
            self.events.append(event)
        return event

    def dump(self, path):
        with open(path, "w") as f:
            for e in self.events:
                f.write(json.dumps(e, separators=(",", ":")) + "\n")


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


class Op:
    """One call: its invoke and its completion paired. complete is None for an unknown outcome
    (Jepsen's :info: its return is at +infinity)."""
    __slots__ = ("id", "process", "f", "key", "value", "invoke", "complete", "status", "error")

    def __init__(self, id, process, f, key, value, invoke, complete, status, error=None):
        self.id, self.process, self.f, self.key, self.value = id, process, f, key, value
        self.invoke, self.complete, self.status, self.error = invoke, complete, status, error

    def as_dict(self):
        return {s: getattr(self, s) for s in self.__slots__ if getattr(self, s) is not None}

    def __repr__(self):
        return "Op(%s)" % json.dumps(self.as_dict())


def pair(events):
    """The calls of a history, each invoke paired with its process's next completion; an invoke
    without one (the run ended first) is an unknown outcome."""
    open_, ops = {}, []
    for e in events:
        t = e.get("type")
        if t == INVOKE:
            if e["process"] in open_:
                raise ValueError("process %r invoked twice without a completion" % e["process"])
            open_[e["process"]] = e
        elif t in (OK, FAIL, INFO):
            inv = open_.pop(e["process"])
            value = e.get("value") if t == OK else inv.get("value")
            ops.append(Op(len(ops), e["process"], inv["f"], inv.get("key"), value, inv["time"],
                          e["time"] if t != INFO else None, t, e.get("error")))
    for inv in open_.values():
        ops.append(Op(len(ops), inv["process"], inv["f"], inv.get("key"), inv.get("value"),
                      inv["time"], None, INFO, "no completion"))
    return ops
