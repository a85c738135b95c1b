"""tests/model/model.py: the reference model's state: tables of items, their index entries by each
index's projection, every version an item had (for the eventually consistent reads' allowed
answers), and the capacity each write consumes by AWS's rules
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/provisioned-capacity-mode.html,
GSI.ThroughputConsiderations, LSI.ThroughputConsiderations, transaction-apis "Capacity
management for transactions")."""
from values import item_size, write_units


def key_of(t, item):
    k = {"pk": item["pk"]}
    if t["range"]:
        k["sk"] = item["sk"]
    return k


def ident(t, key):
    return (key["pk"], key.get("sk")) if t["range"] else (key["pk"],)


def entry(t, spec, item):
    """The index entry of `item` (None when the item lacks the index's key): the table's key, the
    index's key, and the projected attributes."""
    if item is None:
        return None
    names = [spec["hash"][0]] + ([spec["range"][0]] if spec["range"] else [])
    if any(n not in item for n in names):
        return None
    kind, include = spec["proj"]
    if kind == "ALL":
        return dict(item)
    keep = set(names) | {"pk"} | ({"sk"} if t["range"] else set()) | set(include)
    return {k: v for k, v in item.items() if k in keep}


class Table:
    def __init__(self, spec):
        self.spec = spec
        self.items = {}      # ident -> item
        self.history = {}    # ident -> [(clock ms, item or None)], oldest first
        # ident -> [(old, new, by TTL, clock ms)]: the changes a stream records, in order; a write
        # that changes nothing (the item put again, a delete of none) is none (tests/model/streams.py)
        self.changes = {}
        # point-in-time recovery while on (tests/model/pitr.py): {"since": ms, "days": n, "base": the
        # items when it was enabled, "mark": ident -> how many of its history entries came before}
        self.pitr = None

    def get(self, key):
        return self.items.get(ident(self.spec, key))

    def put(self, key, item, now, ttl=False):
        i = ident(self.spec, key)
        old = self.items.get(i)
        if item is None:
            self.items.pop(i, None)
        else:
            self.items[i] = item
        self.history.setdefault(i, [(0, None)]).append((now, item))
        if old != item:
            self.changes.setdefault(i, []).append((old, item, ttl, now))

    def indexes(self):
        return self.spec["gsis"] + self.spec["lsis"]

    def write_cost(self, old, new, factor=1):
        """(table units, {index name: units}) of a write that turns old into new (None: absent).
        `factor` (2 in a transaction) multiplies the table's units only: a transaction's index
        entries cost what they cost outside one (real DynamoDB's answers captured by
        nubo-db/dynoxide, tests/transactional_index_consumed_capacity.rs, "Capture A1: total 3,
        table 2, gsi 1"; docs/compatibility.md, Transactions)."""
        table = write_units(max(item_size(old), item_size(new))) * factor
        idx = {}
        for spec in self.indexes():
            eo, en = entry(self.spec, spec, old), entry(self.spec, spec, new)
            units = 0
            if eo is None and en is not None:
                units = write_units(item_size(en))
            elif eo is not None and en is None:
                units = write_units(item_size(eo))
            elif eo is not None and en is not None:
                keys = [spec["hash"][0]] + ([spec["range"][0]] if spec["range"] else [])
                if any(eo[k] != en[k] for k in keys):
                    units = write_units(item_size(eo)) + write_units(item_size(en))
                elif eo != en:
                    units = write_units(max(item_size(eo), item_size(en)))
            if units:
                idx[spec["name"]] = units
        return table, idx

    def versions(self, key, since):
        """The versions an eventually consistent read may return: the one that was current at
        `since` (the newest written at or before it) and every one written after it. The clock
        moves back too, so "after" is the order of the writes, not their times."""
        h = self.history.get(ident(self.spec, key), [(0, None)])
        k = max([n for n, (at, _) in enumerate(h) if at <= since] or [0])
        out = []
        for at, item in h[k:]:
            if item not in out:
                out.append(item)
        return out

    def at(self, when):
        """The items a restore to `when` (ms) holds (RestoreTableToPointInTime): each item as its
        last write at or before `when` since recovery was enabled left it, or as it was then. The
        clock moves back too, so "last" is in the order of the writes, not of their times, and a
        write that found no item and left none (a delete of nothing) is none (ddbd's rule:
        docs/admin.md, "The clock")."""
        p = self.pitr
        out = dict(p["base"])
        for i, h in self.history.items():
            start = p["mark"].get(i, 0)
            for n, (at, item) in enumerate(h[start:], start):
                if at <= when and (item is not None or n == 0 or h[n - 1][1] is not None):
                    if item is None:
                        out.pop(i, None)
                    else:
                        out[i] = item
        return out

    def sweep(self, now_ms):
        """TTL (docs/compatibility.md, Time to Live; the developer guide's TTL pages): items whose
        TTL attribute is a Number of epoch seconds in the past, and not more than five years in
        the past, are deleted. Time in whole epoch seconds, as the attribute is: an item of TTL t is
        expired once the second t has ended."""
        now_s = now_ms // 1000
        gone = []
        for i, item in list(self.items.items()):
            t = item.get("t")
            if t is not None and t[0] == "N" and now_s - 5 * 365 * 86400 <= t[1] < now_s:
                key = {"pk": item["pk"]}
                if self.spec["range"]:
                    key["sk"] = item["sk"]
                self.put(key, None, now_ms, ttl=True)
                gone.append(item)
        return gone   # (the items deleted)


class Model:
    def __init__(self, specs):
        self.tables = [Table(s) for s in specs]
        self.now = 0          # the server's clock, ms
        self.peak = 0         # the latest it was (the clock moves back too): a stream's trim
        self.start = 0        # when the tables were ACTIVE (their buckets' start)
        self.created = 0      # when CreateTable made them
        self.charges = {}     # table name -> {"read": units, "write": units}
        self.unsettled = {}   # table name -> replicated write units no clock step has waited for yet

    def charge(self, name, kind, units, slack=0.0, replicated=None):
        """`units` charged to table `name`; `slack`: up to that much more may have been (an eventually
        consistent read whose answer two versions of different sizes give alike, its charge unseen).
        A write's `replicated` units (default: all of them) are what a global table's other replica
        applies again, billed there (docs/usage.md, "Replicated writes")."""
        c = self.row(name)
        c[kind] += units
        c[kind + "_slack"] += slack
        if kind == "write":
            c["replicated"] += units if replicated is None else replicated
            self.unsettled[name] = self.unsettled.get(name, 0.0) + (units if replicated is None else replicated) + slack

    def replicated(self, name, units, slack=0.0):
        """Replicated write units of table `name` that no request was charged (a TTL delete's)."""
        c = self.row(name)
        c["replicated"] += units
        c["replicated_slack"] += slack

    def row(self, name):
        return self.charges.setdefault(name, {"read": 0.0, "write": 0.0, "read_slack": 0.0, "write_slack": 0.0,
                                              "replicated": 0.0, "replicated_slack": 0.0})
