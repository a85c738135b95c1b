"""tests/model/gen.py: random table shapes and random operation sequences, from one seed.

Operations are drawn without looking at answers (only at the schema), so a sequence replays alone
and any subsequence is still a valid sequence: what shrinking needs. Keys come from small pools, so
operations meet the same items again and again.
"""
import random

START_MS = 1893456000000   # the frozen clock's start: 2030-01-01

from values import num

# every attribute has one type, always (a mismatch is a test of its own, not the model's)
ATTR_TYPES = {"a": "N", "b": "S", "c": "SS", "d": "NS", "e": "L", "f": "M", "g": "S", "gr": "N",
              "l": "S", "p": "S", "z": "BOOL", "t": "N"}
KEY_POOLS = {
    "S": [("S", s) for s in ("k0", "k1", "k2", "ka", "kab")],
    "N": [num(n) for n in (-1, 0, 1, 2, "2.5", 10)],
    "B": [("B", b) for b in (b"\x00", b"\x01", b"\x01\x00", b"\x02", b"\xff")],
}
RANGE_POOLS = {
    "S": [("S", s) for s in ("r0", "r1", "r10", "r2", "s", "s0")],
    "N": [num(n) for n in (-3, 0, 1, "1.5", 2, 7, 100)],
    "B": [("B", b) for b in (b"\x00", b"\x00\x01", b"\x01", b"\x10", b"\xfe")],
}


def table_shapes(rng, n_tables=2):
    tables = []
    for i in range(n_tables):
        h = rng.choice("SNB")
        r = rng.choice("SNB") if rng.random() < 0.7 else None
        spec = {"name": "tm%d" % i, "hash": ("pk", h), "range": ("sk", r) if r else None,
                "gsis": [], "lsis": []}
        if rng.random() < 0.8:
            spec["gsis"].append({"name": "gs1", "hash": ("g", "S"),
                                 "range": ("gr", "N") if rng.random() < 0.6 else None,
                                 "proj": projection(rng)})
        if rng.random() < 0.5:
            spec["gsis"].append({"name": "gs2", "hash": ("a", "N"),
                                 "range": ("b", "S") if rng.random() < 0.5 else None,
                                 "proj": projection(rng)})
        if r and rng.random() < 0.6:
            spec["lsis"].append({"name": "ls1", "hash": ("pk", h), "range": ("l", "S"),
                                 "proj": projection(rng)})
        tables.append(spec)
    return tables


def projection(rng):
    kind = rng.choice(["ALL", "KEYS_ONLY", "INCLUDE"])
    if kind == "INCLUDE":
        return (kind, tuple(sorted(rng.sample(["b", "c", "e", "z"], rng.randint(1, 2)))))
    return (kind, ())


class Gen:
    def __init__(self, seed, tables, ttl=False, clock=False, back=True):
        self.back = back   # the clock also steps back
        self.rng = random.Random(seed)
        self.tables = tables
        self.ttl = ttl
        self.clock = clock
        self.now_s = START_MS // 1000
        self.restart = None   # "sync" or "async" (truthy): a data directory's server may restart
        self.reader = self.replica = self.backups = False

    # -- values ---------------------------------------------------------------------------------
    def key(self, t):
        rng = self.rng
        k = {"pk": rng.choice(KEY_POOLS[t["hash"][1]])}
        if t["range"]:
            k["sk"] = rng.choice(RANGE_POOLS[t["range"][1]])
        return k

    def value(self, name):
        rng = self.rng
        t = ATTR_TYPES[name]
        if name == "g":
            return ("S", rng.choice(["g0", "g1", "g2"]))
        if name == "gr":
            return num(rng.randint(0, 4))
        if name == "l":
            return ("S", rng.choice(["l0", "l1", "l2", "m"]))
        if name == "p":
            n = rng.choice([0, 5, 100, 1000, 1010, 2000, 4070, 4100, 5000])
            return ("S", "x" * (n + rng.randint(0, 30)))
        if name == "t":
            return num(self.now_s + rng.choice([-100, 30, 90, 400, 4000]))
        if t == "N":
            return num(rng.choice([0, 1, 2, 3, -5, 42, "0.5", "12345678901234567890"]))
        if t == "S":
            return ("S", rng.choice(["b0", "b1", "bb", "c", "b", "b10"]))
        if t == "SS":
            return ("SS", frozenset(rng.sample(["x", "y", "z", "w"], rng.randint(1, 3))))
        if t == "NS":
            return ("NS", frozenset(num(n)[1] for n in rng.sample([1, 2, 3, 4], rng.randint(1, 3))))
        if t == "L":
            return ("L", tuple(num(rng.randint(0, 9)) for _ in range(rng.randint(0, 3))))
        if t == "M":
            return ("M", tuple(sorted({"x": num(rng.randint(0, 3)), "y": ("S", "v")}.items())[:rng.randint(0, 2)]))
        if t == "BOOL":
            return ("BOOL", rng.random() < 0.5)
        raise ValueError(name)

    def item(self, t):
        it = self.key(t)
        names = ["a", "b", "c", "d", "e", "f", "g", "gr", "z"]
        if t["lsis"]:
            names.append("l")
        if self.ttl:
            names.append("t")
        for n in self.rng.sample(names, self.rng.randint(0, len(names))):
            it[n] = self.value(n)
        if self.rng.random() < 0.15:
            it["p"] = self.value("p")
        return it

    # -- expressions ----------------------------------------------------------------------------
    def cond(self, t, depth=0):
        rng = self.rng
        r = rng.random()
        if depth < 1 and r < 0.15:
            return (rng.choice(["and", "or"]), self.cond(t, depth + 1), self.cond(t, depth + 1))
        if depth < 1 and r < 0.2:
            return ("not", self.cond(t, depth + 1))
        name = rng.choice(["a", "b", "c", "e", "g", "z", "pk", "f.x"])
        kind = rng.choice(["exists", "not_exists", "cmp", "cmp", "between", "in", "begins_with", "size", "type"])
        if name == "f.x":
            return (rng.choice(["exists", "not_exists"]), name) if kind not in ("cmp",) else \
                ("cmp", "=", name, num(rng.randint(0, 3)))
        if name == "pk":
            return (rng.choice(["exists", "not_exists"]), name) if kind != "cmp" else \
                ("cmp", "=", name, rng.choice(KEY_POOLS[t["hash"][1]]))
        if kind in ("exists", "not_exists"):
            return (kind, name)
        if kind == "type":
            return ("type", name, rng.choice(["S", "N", "SS", "L", "BOOL", "M"]))
        if kind == "size" and name in ("b", "c", "e"):
            return ("size", rng.choice(["=", "<", ">="]), name, num(rng.randint(0, 3)))
        if kind == "begins_with" and name in ("b", "g"):
            return ("begins_with", name, ("S", rng.choice(["b", "b1", "g", "c"])))
        if name in ("a", "b", "g"):
            if kind == "between":
                lo, hi = sorted([self.value(name), self.value(name)], key=lambda v: v[1])
                return ("between", name, lo, hi)
            if kind == "in":
                return ("in", name, [self.value(name) for _ in range(rng.randint(1, 3))])
            return ("cmp", rng.choice(["=", "<", "<=", ">", ">="]), name, self.value(name))
        return ("cmp", "=", name, self.value(name))

    def update_actions(self, t, safe=False):
        """Distinct paths; `safe`: no action that can fail (for transactions)."""
        rng = self.rng
        names = ["a", "b", "c", "d", "e", "f", "g", "gr", "z", "p"]
        if t["lsis"]:
            names.append("l")
        if self.ttl:
            names.append("t")
        acts = []
        for n in rng.sample(names, rng.randint(1, 3)):
            ty = ATTR_TYPES[n]
            r = rng.random()
            if r < 0.15:
                acts.append(("remove", n))
            elif ty == "N" and r < 0.45 and n != "t":
                choice = rng.choice(["ine_plus", "add"] if safe else ["plus", "minus", "ine_plus", "add", "ine"])
                if choice == "add":
                    acts.append(("add", n, num(rng.randint(-2, 3))))
                elif choice == "ine_plus":
                    acts.append(("set", n, ("ine_plus", n, num(0), num(rng.randint(1, 3)))))
                elif choice == "ine":
                    acts.append(("set", n, ("ine", n, self.value(n))))
                else:
                    acts.append(("set", n, (choice, n, num(rng.randint(1, 3)))))
            elif ty in ("SS", "NS") and r < 0.6:
                acts.append((rng.choice(["add", "delete"]), n, self.value(n)))
            elif ty == "L" and r < 0.5 and not safe:
                v = ("L", (num(rng.randint(0, 9)),))
                acts.append(("set", n, ("append", n, v) if rng.random() < 0.5 else ("prepend", v, n)))
            else:
                acts.append(("set", n, ("v", self.value(n))))
        return acts

    # -- operations -----------------------------------------------------------------------------
    def ti(self):
        return self.rng.randrange(len(self.tables))

    cap_always = False   # (faults and throttles: a read refused midway is charged what its answers said)

    def capacity(self):
        return self.rng.choice(["TOTAL", "INDEXES", "TOTAL"] + ([] if self.cap_always else ["NONE"]))

    reader = False   # (--auth: some operations go with the reader's key)
    replica = False  # (a replica in us-west-2 of every table: some operations read it)

    def op(self):
        op = self.op_any()
        if self.reader and op["op"] not in ("clock", "replica", "restart", "backup", "restore", "pitr",
                                            "pitr_restore") and self.rng.random() < 0.15:
            op["as"] = "reader"
        return op

    def op_any(self):
        rng = self.rng
        kind = rng.choices(
            ["put", "get", "update", "delete", "batch_write", "batch_get", "twrite", "tget",
             "query", "scan", "pscan", "clock", "pql", "pql_batch", "describe", "replica", "restart",
             "backup", "restore", "pitr", "pitr_restore"],
            [14, 10, 16, 6, 5, 5, 6, 3, 10, 4, 2, 6 if self.clock else 0, 6, 3, 2, 5 if self.replica else 0,
             1 if self.restart else 0, 1 if self.backups else 0, 1 if self.backups else 0,
             1 if self.backups else 0, 1.5 if self.backups else 0])[0]
        return getattr(self, "op_" + kind)()

    def statement(self, i, key, kind):
        """One PartiQL statement on key (of table i): select, insert, update or delete."""
        t = self.tables[i]
        s = {"kind": kind, "t": i, "key": key}
        if kind == "insert":
            s["item"] = dict(self.item(t), **key)
        if kind == "update":
            names = self.rng.sample(["a", "b", "c", "e", "g", "gr", "z"], self.rng.randint(1, 3))
            s["acts"] = [("remove", n) if self.rng.random() < 0.25 else ("set", n, ("v", self.value(n))) for n in names]
        if kind in ("update", "delete") and self.rng.random() < 0.4:
            n = self.rng.choice(["a", "b", "z"])
            s["where"] = ("cmp", "=", n, self.value(n)) if self.rng.random() < 0.6 else ("exists", n)
        return s

    def op_pql(self):
        i = self.ti()
        s = self.statement(i, self.key(self.tables[i]), self.rng.choice(["select", "insert", "update", "delete"]))
        s.update(op="pql", consistent=self.rng.random() < 0.5, cap=self.capacity())
        return s

    def op_pql_batch(self):
        reads = self.rng.random() < 0.5
        stmts = [self.statement(i, k, "select" if reads else self.rng.choice(["insert", "update", "delete"]))
                 for i, k in self.distinct_keys(self.rng.randint(1, 5))]
        return {"op": "pql_batch", "stmts": stmts, "consistent": self.rng.random() < 0.5, "cap": self.capacity()}

    def op_replica(self):
        """The replica in us-west-2 once replication has run (a clock step of 1 ms settles it):
        a strongly consistent Scan of it, which must hold what the table holds."""
        return {"op": "replica", "t": self.ti(), "limit": self.rng.choice([None, 3]), "cap": self.capacity()}

    def op_describe(self):
        return {"op": "describe", "t": self.ti()}

    def op_restart(self):
        """The server stopped and started again on its data directory: by SIGTERM, or by SIGKILL
        (an acknowledged write survives kill -9, with `--sync` or without: README.md); with another
        `--shards` (the partitions moved between shards at start) or as it was."""
        return {"op": "restart", "kill": self.rng.random() < 0.5,
                "shards": self.rng.choice([None, None, 1, 2, 3, 4])}

    def op_backup(self):
        """CreateBackup of a table: what a restore of it must hold, whatever happens after."""
        return {"op": "backup", "t": self.ti()}

    def op_restore(self):
        """RestoreTableFromBackup of one of the run's backups (`pick` of them), then a strongly
        consistent Scan of the restored table, which must hold the items of the backup's moment."""
        return {"op": "restore", "pick": self.rng.random()}

    def op_pitr(self):
        """UpdateContinuousBackups of a table: point-in-time recovery on, with a period drawn
        (None: the default, 35 days; on again: only the period changes), or off (its history gone)."""
        return {"op": "pitr", "t": self.ti(), "on": self.rng.random() < 0.8, "days": self.rng.choice([None, 1, 2, 35])}

    def op_pitr_restore(self):
        """RestoreTableToPointInTime of a table, to a time `when` names (its window's ends, a time
        drawn in it (`pick`), the time of one of its writes, or just outside it: refused), by name
        or by ARN, then a strongly consistent Scan of the restored table, which must hold the
        table's items as of that time."""
        return {"op": "pitr_restore", "t": self.ti(), "pick": self.rng.random(), "arn": self.rng.random() < 0.3,
                "when": self.rng.choice(["latest", "earliest", "pick", "pick", "write", "write", "before", "after"])}

    days = False   # (point-in-time recovery: the clock also steps a day, past a window's start)

    def op_clock(self):
        """A step of the frozen clock, forward or back (POST /ddbd/clock {"advance": ms})."""
        ms = self.rng.choice([100, 300, 700, 1200, 2500, 60000, 3600000, -400, -3000, -3600000] +
                             ([86400000 + 5000] if self.days else []))
        if not self.back:
            ms = abs(ms)
        self.now_s += ms // 1000
        return {"op": "clock", "ms": ms}

    def maybe_cond(self, t, p=0.5):
        return self.cond(t) if self.rng.random() < p else None

    def op_put(self):
        i = self.ti()
        t = self.tables[i]
        return {"op": "put", "t": i, "item": self.item(t), "cond": self.maybe_cond(t),
                "rv": self.rng.choice(["NONE", "ALL_OLD"]), "rvf": self.rng.random() < 0.5,
                "cap": self.capacity()}

    def op_get(self):
        i = self.ti()
        proj = None
        if self.rng.random() < 0.2:
            proj = sorted(self.rng.sample(["a", "b", "c", "pk", "f.x", "p"], 2))
        return {"op": "get", "t": i, "key": self.key(self.tables[i]), "consistent": self.rng.random() < 0.5,
                "proj": proj, "cap": self.capacity()}

    def op_update(self):
        i = self.ti()
        t = self.tables[i]
        return {"op": "update", "t": i, "key": self.key(t), "acts": self.update_actions(t),
                "cond": self.maybe_cond(t, 0.4), "rvf": self.rng.random() < 0.5,
                "rv": self.rng.choice(["NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"]),
                "cap": self.capacity()}

    def op_delete(self):
        i = self.ti()
        t = self.tables[i]
        return {"op": "delete", "t": i, "key": self.key(t), "cond": self.maybe_cond(t, 0.4),
                "rv": self.rng.choice(["NONE", "ALL_OLD"]), "rvf": self.rng.random() < 0.5,
                "cap": self.capacity()}

    def distinct_keys(self, n):
        out, seen = [], set()
        for _ in range(n * 3):
            i = self.ti()
            k = self.key(self.tables[i])
            ident = (i, tuple(sorted(k.items())))
            if ident not in seen:
                seen.add(ident)
                out.append((i, k))
            if len(out) == n:
                break
        return out

    def op_batch_write(self):
        reqs = []
        for i, k in self.distinct_keys(self.rng.randint(1, 6)):
            if self.rng.random() < 0.7:
                it = self.item(self.tables[i])
                it.update(k)
                reqs.append((i, "put", it))
            else:
                reqs.append((i, "delete", k))
        return {"op": "batch_write", "reqs": reqs, "cap": self.capacity()}

    def op_batch_get(self):
        return {"op": "batch_get", "keys": self.distinct_keys(self.rng.randint(1, 8)),
                "consistent": self.rng.random() < 0.5, "cap": self.capacity()}

    def op_twrite(self):
        acts = []
        for i, k in self.distinct_keys(self.rng.randint(1, 4)):
            t = self.tables[i]
            kind = self.rng.choice(["put", "update", "delete", "check"])
            a = {"kind": kind, "t": i, "key": k, "cond": self.maybe_cond(t, 0.5 if kind != "check" else 1.0),
                 "rvf": self.rng.random() < 0.5}
            if kind == "put":
                it = self.item(t)
                it.update(k)
                a["item"] = it
            elif kind == "update":
                a["acts"] = self.update_actions(t, safe=True)
            acts.append(a)
        return {"op": "twrite", "acts": acts, "cap": self.capacity()}

    def op_tget(self):
        return {"op": "tget", "keys": self.distinct_keys(self.rng.randint(1, 4)), "cap": self.capacity()}

    def index_choice(self, t):
        idx = [None] + [g["name"] for g in t["gsis"]] + [l["name"] for l in t["lsis"]]
        return self.rng.choice(idx)

    def op_query(self):
        rng = self.rng
        i = self.ti()
        t = self.tables[i]
        index = self.index_choice(t)
        spec = index_spec(t, index)
        h = spec["hash"][0]
        hv = self.key(t)["pk"] if h == "pk" else self.value(h)
        rc = None
        if spec["range"] and rng.random() < 0.6:
            rname, rtype = spec["range"]
            pool = RANGE_POOLS[rtype] if rname == "sk" else None
            pick = (lambda: rng.choice(pool)) if pool else (lambda: self.value(rname))
            kind = rng.choice(["=", "<", "<=", ">", ">=", "between", "begins_with"])
            if kind == "between":
                lo, hi = sorted([pick(), pick()], key=lambda v: (v[1].encode() if v[0] == "S" else v[1]))
                rc = ("between", rname, lo, hi)
            elif kind == "begins_with" and rtype in ("S", "B"):
                v = pick()
                rc = ("begins_with", rname, (v[0], v[1][:1]))
            else:
                rc = ("cmp", kind if kind != "begins_with" else "=", rname, pick())
        op = {"op": "query", "t": i, "index": index, "hv": hv, "rc": rc,
                "forward": rng.random() < 0.6, "limit": rng.choice([None, 1, 2, 3, 5]),
                "filter": self.filter(t, spec),
                "consistent": (index is None or index.startswith("ls")) and rng.random() < 0.5,
                "cap": self.capacity()}
        if op["filter"] is not None and op["cap"] == "NONE":   # (reads.page_capacity)
            op["cap"] = "TOTAL"
        return op

    def op_scan(self):
        i = self.ti()
        t = self.tables[i]
        index = self.index_choice(t)
        op = {"op": "scan", "t": i, "index": index, "limit": self.rng.choice([None, 1, 3, 7]),
              "filter": self.filter(t, index_spec(t, index)),
              "consistent": index is None and self.rng.random() < 0.5, "segments": 1, "cap": self.capacity()}
        if op["filter"] is not None and op["cap"] == "NONE":   # (reads.page_capacity)
            op["cap"] = "TOTAL"
        return op

    def filter(self, t, spec):
        """A FilterExpression, or None. Not on an LSI that projects less than ALL (a filter on an
        attribute it lacks fetches it from the table, which this model leaves out)."""
        if self.rng.random() >= 0.3 or (spec in t["lsis"] and spec["proj"][0] != "ALL"):
            return None
        return self.cond(t)

    def op_pscan(self):
        op = self.op_scan()
        op["segments"] = self.rng.randint(2, 4)
        return op


def index_spec(t, index):
    if index is None:
        return {"name": None, "hash": t["hash"], "range": t["range"], "proj": ("ALL", ())}
    for s in t["gsis"] + t["lsis"]:
        if s["name"] == index:
            return s
    raise KeyError(index)
