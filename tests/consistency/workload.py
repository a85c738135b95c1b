"""The operations the clients draw: single-key registers (GetItem consistent, PutItem, UpdateItem
with a condition as compare-and-set), counters (UpdateItem ADD) and list-append transactions
(TransactWriteItems appending a unique value to the lists of a few keys, TransactGetItems reading a
few), each as a history invoke, the request that carries it, and how to read its answer."""
import itertools
import threading

TABLE = "consistency"
REGISTERS = ["r%d" % i for i in range(5)]
COUNTERS = ["c%d" % i for i in range(2)]
VALUES = 5  # register values 0..4, as Jepsen's cas-register: collisions make a stale read show


class Lists:
    """The list keys: `active` of them at a time, each retired for a fresh one after `per_key`
    appends (as Elle's max-writes-per-key), so that reads stay short and the history linear in
    the run's length."""

    def __init__(self, active=8, per_key=64):
        self._lock, self._next, self._value = threading.Lock(), itertools.count(), itertools.count(1)
        self.per_key, self.used = per_key, {}
        self.pool = [self._fresh() for _ in range(active)]

    def _fresh(self):
        k = "t%d" % next(self._next)
        self.used[k] = 0
        return k

    def pick(self, rng, n):
        with self._lock:
            return rng.sample(self.pool, n)

    def append_value(self, k):
        """A value unique across the run for an append to k (retiring k when it is full)."""
        with self._lock:
            self.used[k] += 1
            if self.used[k] == self.per_key and k in self.pool:
                self.pool[self.pool.index(k)] = self._fresh()
            return next(self._value)

    def all(self):
        with self._lock:
            return list(self.used)


LISTS = Lists()


def key(k):
    return {"pk": {"S": k}}


def create_table_body():
    return {"TableName": TABLE, "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}


def _num(item, name):
    v = (item or {}).get(name)
    return None if v is None else int(v["N"])


def _list(item):
    v = (item or {}).get("l")
    return None if v is None else [int(e["N"]) for e in v["L"]]


def read_register(k):
    return ({"f": "read", "key": k}, "GetItem", {"TableName": TABLE, "Key": key(k), "ConsistentRead": True},
            lambda a: _num(a.get("Item"), "v"))


def read_counter(k):
    return ({"f": "read", "key": k}, "GetItem", {"TableName": TABLE, "Key": key(k), "ConsistentRead": True},
            lambda a: _num(a.get("Item"), "n"))


def read_lists(keys):
    micro = [["r", k, None] for k in keys]
    body = {"TransactItems": [{"Get": {"TableName": TABLE, "Key": key(k)}} for k in keys]}
    return ({"f": "txn", "value": micro}, "TransactGetItems", body,
            lambda a: [["r", k, _list(r.get("Item"))] for k, r in zip(keys, a["Responses"])])


def register_op(rng):
    k = rng.choice(REGISTERS)
    r = rng.random()
    if r < 0.4:
        return read_register(k)
    v = rng.randrange(VALUES)
    if r < 0.7:
        return ({"f": "write", "key": k, "value": v}, "PutItem",
                {"TableName": TABLE, "Item": dict(key(k), v={"N": str(v)})}, lambda a: v)
    old = rng.randrange(VALUES)
    return ({"f": "cas", "key": k, "value": [old, v]}, "UpdateItem",
            {"TableName": TABLE, "Key": key(k), "UpdateExpression": "SET v = :new",
             "ConditionExpression": "v = :old",
             "ExpressionAttributeValues": {":new": {"N": str(v)}, ":old": {"N": str(old)}}},
            lambda a: [old, v])


def counter_op(rng):
    k = rng.choice(COUNTERS)
    if rng.random() < 0.3:
        return read_counter(k)
    n = rng.randrange(1, 6)
    return ({"f": "add", "key": k, "value": n}, "UpdateItem",
            {"TableName": TABLE, "Key": key(k), "UpdateExpression": "ADD n :n",
             "ExpressionAttributeValues": {":n": {"N": str(n)}}}, lambda a: n)


def txn_op(rng):
    keys = LISTS.pick(rng, rng.randrange(1, 4))
    if rng.random() < 0.5:
        return read_lists(keys)
    micro = [["append", k, LISTS.append_value(k)] for k in keys]
    body = {"TransactItems": [{"Update": {
        "TableName": TABLE, "Key": key(k), "UpdateExpression": "SET l = list_append(if_not_exists(l, :e), :v)",
        "ExpressionAttributeValues": {":e": {"L": []}, ":v": {"L": [{"N": str(v)}]}}}} for _, k, v in micro]}
    return ({"f": "txn", "value": micro}, "TransactWriteItems", body, lambda a: micro)


def next_op(rng):
    r = rng.random()
    return register_op(rng) if r < 0.45 else counter_op(rng) if r < 0.6 else txn_op(rng)


def final_reads():
    """One read of every key once the faults are healed: what survived."""
    return ([read_register(k) for k in REGISTERS] + [read_counter(k) for k in COUNTERS]
            + [read_lists([k]) for k in LISTS.all()])
