"""tests/model/reads.py: Query and Scan, paged, filtered, on the table and its indexes, and
parallel Scan, checked against the model (Query.html, Scan.html: Limit counts the items evaluated
before the filter, LastEvaluatedKey is the last evaluated item's key whenever Limit stopped the
page, a Query is ordered by its sort key, a parallel Scan's segments are disjoint and cover the
table; capacity: the sizes of the items evaluated, summed and rounded up to 4 KB once a page)."""
from collections import Counter

from expr import Renderer, eval_cond, render_cond
from gen import index_spec
from model import entry
from runner import NoEffect, check
from values import item_from_wire, item_size, read_units, show, show_item, sort_key


def key_cond(spec, hv, rc, r):
    text = "%s = %s" % (r.name(spec["hash"][0]), r.value(hv))
    if rc is not None:
        text += " AND " + render_cond(rc, r)
    return text


def entry_key(t, spec, e):
    names = ["pk"] + (["sk"] if t["range"] else [])
    names += [spec["hash"][0]] + ([spec["range"][0]] if spec["range"] else [])
    return {n: e[n] for n in names}


def frozen(item):
    return tuple(sorted(item.items())) if item is not None else None


def mentions(c, name):
    if c[0] in ("and", "or"):
        return mentions(c[1], name) or mentions(c[2], name)
    if c[0] == "not":
        return mentions(c[1], name)
    path = c[2] if c[0] in ("cmp", "size") else c[1]
    return path.split(".")[0] == name


class Reads:
    def index_entries(self, tm, spec):
        out = []
        for item in tm.items.values():
            e = entry(tm.spec, spec, item)
            if e is not None:
                out.append(e)
        return out

    def pages(self, op_name, req, limit):
        pages = []
        while True:
            try:
                status, ans = self.call(op_name, req)
            except NoEffect:   # a later page refused: the earlier ones were read, and charged
                for p in pages:
                    self.note_capacity(p.get("ConsumedCapacity"), "read")
                    self.m.charge(req["TableName"], "read", float((p.get("ConsumedCapacity") or {}).get("CapacityUnits", 0)))
                raise
            self.expect_ok(status, ans, op_name)
            pages.append(ans)
            lek = ans.get("LastEvaluatedKey")
            if lek is None:
                return pages
            check(len(pages) < 200, op_name + ": more than 200 pages")
            req = dict(req, ExclusiveStartKey=lek)

    def page_capacity(self, op, spec, page, items, scanned, what):
        """A page consumes the sizes of the items it evaluated, summed, rounded up to 4 KB once.
        Known exactly when the model knows which items the page evaluated (a Query of the table,
        strongly consistent, or no filter); with a filter on an index or a Scan, at least the
        returned items' (the generator always asks for ConsumedCapacity there)."""
        name = self.tname(op["t"])
        mode = op["cap"] if spec["name"] is None else ("TOTAL" if op["cap"] != "NONE" else "NONE")
        if scanned is None and op["filter"] is None:
            scanned = items
        if scanned is not None:
            units = read_units(sum(item_size(i) for i in scanned), op["consistent"])
            self.expect_capacity(page, mode, name, units, {}, what)
        else:
            cc = page.get("ConsumedCapacity") or {}
            units = float(cc.get("CapacityUnits", 0))
            low = read_units(sum(item_size(i) for i in items), op["consistent"])
            check(units >= low, what + ": CapacityUnits %s, below the returned items' %s" % (units, low), cc)
        self.note_capacity(page.get("ConsumedCapacity"), "read")
        self.m.charge(name, "read", units)

    def page_checks(self, op, t, spec, pages, what, ordered_by, entries_total, sim=None):
        """The checks every paged read gets; returns the concatenated items. `sim`: the items the
        read evaluates, in order, when the model knows them (a strongly consistent Query)."""
        allitems, scanned, pos = [], 0, 0
        for n, p in enumerate(pages):
            items = [item_from_wire(w) for w in p.get("Items", [])]
            check(p.get("Count") == len(items), what + ": Count %s of %d items" % (p.get("Count"), len(items)))
            sc = p.get("ScannedCount", -1)
            scanned += sc
            lek = p.get("LastEvaluatedKey")
            if op["limit"] is not None:
                check(sc <= op["limit"], what + ": ScannedCount %d past Limit %d" % (sc, op["limit"]))
                # a Query of a hash-only table or index has one item at most: whether a page that
                # holds it says LastEvaluatedKey is not documented, either is taken
                single = op["op"] == "query" and spec["range"] is None and sc == op["limit"] == 1
                check(single or (lek is not None) == (sc == op["limit"]),
                      what + ": page %d: ScannedCount %d, Limit %d, LastEvaluatedKey %s" % (n, sc, op["limit"], lek))
            else:
                check(lek is None, what + ": LastEvaluatedKey without Limit", lek)
            if op["filter"] is not None:
                for it in items:
                    check(eval_cond(op["filter"], it), what + ": an item the filter refuses", show_item(it))
            elif lek is not None:
                check(items and item_from_wire(lek) == entry_key(t, spec, items[-1]),
                      what + ": LastEvaluatedKey is not the last item's key", lek)
            self.page_capacity(op, spec, p, items, sim[pos:pos + sc] if sim is not None else None,
                               what + " page %d" % n)
            pos += sc
            allitems.extend(items)
        seen = set()
        for it in allitems:
            k = frozen(entry_key(t, spec, it))
            check(k not in seen, what + ": an item twice", show_item(it))
            seen.add(k)
        if ordered_by is not None:
            keys = [sort_key(it[ordered_by]) for it in allitems]
            want = sorted(keys, reverse=not op.get("forward", True))
            check(keys == want, what + ": not in %s order of %s" %
                  ("ascending" if op.get("forward", True) else "descending", ordered_by),
                  [show(it[ordered_by]) for it in allitems])
        if entries_total is not None and not self.eventual(op, spec):
            check(scanned == entries_total, what + ": ScannedCount total %d, model %d" % (scanned, entries_total))
        return allitems

    def eventual(self, op, spec):
        if spec["name"] is not None and spec in self.m.tables[op["t"]].spec["gsis"]:
            return bool(self.modes.get("lag") or self.modes.get("stale_ms"))
        return not op["consistent"] and bool(self.modes.get("stale_ms"))

    def compare_set(self, op, tm, spec, got, want, what):
        """got: the read's items; want: the model's entries (before the filter)."""
        t = tm.spec
        wanted = [w for w in want if op["filter"] is None or eval_cond(op["filter"], w)]
        if not self.eventual(op, spec):
            g = Counter(frozen(i) for i in got)
            w = Counter(frozen(i) for i in wanted)
            if g != w:
                extra = [dict(i) for i in set(g) - set(w)]
                missing = [dict(i) for i in set(w) - set(g)]
                check(False, what + ": items differ", *(["got, not model: " + show_item(i) for i in extra] +
                                                      ["model, not got: " + show_item(i) for i in missing]))
            return
        # eventual: each item some version the item had within the window (or now), as its entry
        since = self.m.now - max(self.modes.get("stale_ms", 0), self.modes.get("lag_max", 0))
        for it in got:
            key = {"pk": it["pk"]}
            if t["range"]:
                key["sk"] = it["sk"]
            allowed = [entry(t, spec, v) for v in tm.versions(key, since)]
            check(it in allowed, what + ": an item no version within the window had", "got " + show_item(it),
                  *("allowed " + show_item(a) for a in allowed))

    # -- Query ----------------------------------------------------------------------------------
    def op_query(self, op):
        tm = self.m.tables[op["t"]]
        spec = index_spec(tm.spec, op["index"])
        r = Renderer()
        req = {"TableName": self.tname(op["t"]), "KeyConditionExpression": key_cond(spec, op["hv"], op["rc"], r),
               "ScanIndexForward": op["forward"], "ConsistentRead": op["consistent"]}
        if op["index"]:
            req["IndexName"] = op["index"]
        if op["limit"]:
            req["Limit"] = op["limit"]
        if op["filter"] is not None:
            req["FilterExpression"] = render_cond(op["filter"], r)
        self.cap(r.attach(req), op["cap"])
        keys = [n for n in (spec["hash"][0], spec["range"][0] if spec["range"] else None) if n]
        in_filter = [n for n in keys if op["filter"] is not None and mentions(op["filter"], n)]
        if in_filter:   # Query's filter may not name the queried key (Query.FilterExpression)
            status, ans = self.call("Query", req)
            self.expect_error(status, ans, "ValidationException",
                              "Filter Expression can only contain non-primary key attributes: Primary key attribute: %s"
                              % in_filter[0] if len(in_filter) == 1 else None, "Query")
            return
        pages = self.pages("Query", req, op["limit"])
        want = [e for e in self.index_entries(tm, spec)
                if e[spec["hash"][0]] == op["hv"] and (op["rc"] is None or eval_cond(op["rc"], e))]
        rname = spec["range"][0] if spec["range"] else None
        what = "Query %s" % (op["index"] or "table")
        sim = None
        if spec["name"] is None and not self.eventual(op, spec):
            sim = sorted(want, key=lambda e: sort_key(e["sk"]) if "sk" in e else 0, reverse=not op["forward"])
        got = self.page_checks(op, tm.spec, spec, pages, what, rname, len(want), sim)
        self.compare_set(op, tm, spec, got, want, what)
        if sim is not None:
            flt = [w for w in sim if op["filter"] is None or eval_cond(op["filter"], w)]
            check(got == flt, what + ": order", [show_item(i) for i in got], [show_item(i) for i in flt])

    # -- Scan -----------------------------------------------------------------------------------
    def op_scan(self, op):
        tm = self.m.tables[op["t"]]
        spec = index_spec(tm.spec, op["index"])
        what = "Scan %s%s" % (op["index"] or "table", " (%d segments)" % op["segments"] if op["segments"] > 1 else "")
        got = []
        want = self.index_entries(tm, spec)
        scanned_total = 0
        for seg in range(op["segments"]):
            r = Renderer()
            req = {"TableName": self.tname(op["t"]), "ConsistentRead": op["consistent"]}
            if op["index"]:
                req["IndexName"] = op["index"]
            if op["limit"]:
                req["Limit"] = op["limit"]
            if op["segments"] > 1:
                req["Segment"], req["TotalSegments"] = seg, op["segments"]
            if op["filter"] is not None:
                req["FilterExpression"] = render_cond(op["filter"], r)
            self.cap(r.attach(req), op["cap"])
            pages = self.pages("Scan", req, op["limit"])
            scanned_total += sum(p.get("ScannedCount", 0) for p in pages)
            got.extend(self.page_checks(op, tm.spec, spec, pages, what + " segment %d" % seg, None, None))
        seen = set()
        for it in got:
            k = frozen(entry_key(tm.spec, spec, it))
            check(k not in seen, what + ": an item in two segments (or twice)", show_item(it))
            seen.add(k)
        if not self.eventual(op, spec):
            check(scanned_total == len(want), what + ": ScannedCount total %d, model %d" % (scanned_total, len(want)))
        self.compare_set(op, tm, spec, got, want, what)
