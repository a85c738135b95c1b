"""tests/model/partiql.py: PartiQL ExecuteStatement (SELECT by key, INSERT, UPDATE, DELETE) and
BatchExecuteStatement, by the developer guide's ql-reference pages: INSERT of an existing key is
DuplicateItemException "Duplicate primary key exists in table"; UPDATE of a missing item, or one
its WHERE refuses, ConditionalCheckFailedException; DELETE of a missing item succeeds with 0 items
deleted, of one its WHERE refuses is ConditionalCheckFailedException; a batch's failed statement
is an Error in its slot (ql-reference.multiplestatements.batching)."""
from expr import eval_cond, update_result
from model import key_of
from runner import BLIND, CCF, check, denied
from values import item_from_wire, item_size, read_units, show_item, to_wire

DUP = "Duplicate primary key exists in table"


def statement(op, name):
    """(text, parameters) of a generated SELECT, INSERT or DELETE."""
    params = []

    def p(v):
        params.append(to_wire(v))
        return "?"
    key = op["key"]
    if op["kind"] == "insert":
        item = op["item"]
        body = ", ".join("'%s': %s" % (k, p(item[k])) for k in sorted(item))
        return 'INSERT INTO "%s" VALUE {%s}' % (name, body), params
    where = " AND ".join('"%s" = %s' % (k, p(key[k])) for k in ("pk", "sk") if k in key)
    if op["kind"] == "select":
        return 'SELECT * FROM "%s" WHERE %s' % (name, where), params
    if op.get("where") is not None:
        c = op["where"]
        where += ' AND "%s" = %s' % (c[2], p(c[3])) if c[0] == "cmp" else ' AND attribute_exists("%s")' % c[1]
    return 'DELETE FROM "%s" WHERE %s' % (name, where), params


class PartiQL:
    def pql_params(self, op, name):
        if op["kind"] != "update":
            return statement(op, name)
        # UPDATE: SET values, then the key, then the WHERE's extra value, in text order
        params = []
        text = 'UPDATE "%s"' % name
        for a in op["acts"]:
            if a[0] == "set":
                text += ' SET "%s" = ?' % a[1]
                params.append(to_wire(a[2][1]))
        for a in op["acts"]:
            if a[0] == "remove":
                text += ' REMOVE "%s"' % a[1]
        keys = [k for k in ("pk", "sk") if k in op["key"]]
        text += " WHERE " + " AND ".join('"%s" = ?' % k for k in keys)
        params += [to_wire(op["key"][k]) for k in keys]
        c = op.get("where")
        if c is not None:
            if c[0] == "cmp":
                text += ' AND "%s" = ?' % c[2]
                params.append(to_wire(c[3]))
            else:
                text += ' AND attribute_exists("%s")' % c[1]
        return text, params

    def pql_expect(self, op, tm):
        """(kind of answer, old, new): "ok" / "ccf" / "dup", with the write's before and after."""
        old = tm.get(op["key"])
        if op["kind"] == "select":
            return "ok", old, old
        if op["kind"] == "insert":
            return ("dup", old, old) if old is not None else ("ok", None, op["item"])
        where_ok = op.get("where") is None or eval_cond(op["where"], old)
        if op["kind"] == "update":
            if old is None or not where_ok:
                return "ccf", old, old
            return "ok", old, update_result(op["acts"], old, op["key"])
        if old is None:   # "SUCCESS is returned with 0 items deleted", whatever the WHERE says
            if op.get("where") is not None and self.tolerated("pql-delete-missing"):
                return "any", None, None
            return "ok", None, None
        return ("ok", old, None) if where_ok else ("ccf", old, old)

    def read_charge(self, tm, key, consistent, got):
        """A SELECT's read units and how many more it may have been charged. Its answer read says
        which version it read; a lost answer (BLIND) does not, and an eventually consistent read
        may have read any version the window allows, each charged by its own size (seed
        900200149: a SELECT's lost answer had read a larger stale version, 0.5 more)."""
        if not BLIND[0]:
            return read_units(item_size(got), consistent), 0.0
        options = {read_units(item_size(v), consistent) for v in self.allowed_versions(tm, key, consistent)}
        return min(options), max(options) - min(options)

    def op_pql(self, op):
        tm = self.m.tables[op["t"]]
        name = self.tname(op["t"])
        text, params = self.pql_params(op, name)
        req = {"Statement": text, "Parameters": params}
        if op["kind"] == "select":
            req["ConsistentRead"] = op["consistent"]
        self.cap(req, op["cap"])
        status, ans = self.call("ExecuteStatement", req)
        what = "ExecuteStatement " + op["kind"].upper()
        outcome, old, new = self.pql_expect(op, tm)
        if outcome == "any":
            return
        if outcome == "dup":
            self.expect_error(status, ans, "DuplicateItemException", DUP, what)
            return
        if outcome == "ccf":
            self.expect_error(status, ans, "ConditionalCheckFailedException", CCF, what)
            # charged nothing, as ddbd does (UNSETTLED: a refused UpdateItem consumes the
            # item's size, at least 1, Expressions.ConditionExpressions; a refused statement
            # is its UpdateItem or DeleteItem with a condition, so likely the same)
            return
        self.expect_ok(status, ans, what)
        if op["kind"] == "select":
            got = [item_from_wire(w) for w in ans.get("Items", [])]
            allowed = self.allowed_versions(tm, op["key"], op["consistent"])
            g = got[0] if got else None
            check(len(got) <= 1 and g in allowed, what + ": Items", [show_item(i) for i in got],
                  *("model " + show_item(v) for v in allowed))
            units, slack = self.read_charge(tm, op["key"], op["consistent"], g)
            if not (self.modes.get("stale_ms") and not op["consistent"] and self.tolerated("stale-batch-charge")):
                self.expect_capacity(ans, op["cap"], name, units, {}, what)
            else:
                self.modes["_garbage"] = True
            self.note_capacity(ans.get("ConsumedCapacity"), "read")
            self.m.charge(name, "read", units, slack)
            return
        check(not ans.get("Items"), what + ": Items from a write without RETURNING", ans.get("Items"))
        tcost, icost = tm.write_cost(old, new)
        self.expect_capacity(ans, op["cap"], name, tcost, icost, what)
        self.note_capacity(ans.get("ConsumedCapacity"), "write")
        self.m.charge(name, "write", tcost + sum(icost.values()))
        if op["kind"] != "delete" or old is not None:
            tm.put(key_of(tm.spec, op["key"]), new, self.m.now)

    def op_pql_batch(self, op):
        stmts = []
        for s in op["stmts"]:
            text, params = self.pql_params(s, self.tname(s["t"]))
            st = {"Statement": text, "Parameters": params}
            if s["kind"] == "select":
                st["ConsistentRead"] = op["consistent"]
            stmts.append(st)
        status, ans = self.call("BatchExecuteStatement", self.cap({"Statements": stmts}, op["cap"]))
        self.expect_ok(status, ans, "BatchExecuteStatement")
        got = ans.get("Responses", [])
        check(len(got) == len(stmts), "BatchExecuteStatement: %d Responses for %d statements" % (len(got), len(stmts)))
        costs, writes, slacks = {}, [], {}
        for n, s in enumerate(op["stmts"]):
            tm = self.m.tables[s["t"]]
            name = self.tname(s["t"])
            s = dict(s, consistent=op["consistent"])
            outcome, old, new = self.pql_expect(s, tm)
            slot = got[n] if n < len(got) else {}
            what = "BatchExecuteStatement[%d] %s" % (n, s["kind"].upper())
            c = costs.setdefault(name, [0, {}])
            code = slot.get("Error", {}).get("Code")
            if op.get("as") == "reader" and not (s["kind"] == "select" and s["t"] == 0):
                action = {"select": "PartiQLSelect", "insert": "PartiQLInsert", "update": "PartiQLUpdate",
                          "delete": "PartiQLDelete"}[s["kind"]]
                err = slot.get("Error", {})
                check(code == "AccessDenied" and err.get("Message") == denied(action, name), what + " with the "
                      "reader's key: Error", slot, "model AccessDenied " + denied(action, name))
                continue
            if code in ("ProvisionedThroughputExceeded", "ThrottlingError", "RequestLimitExceeded", "InternalServerError",
                        "TransactionConflict"):   # a statement refused by the modes: no effect
                check(self.modes.get("enforce") or self.modes.get("faults"), what + ": " + code, slot)
                continue
            if outcome == "any":
                continue
            if outcome != "ok":
                code, msg = ("DuplicateItem", DUP) if outcome == "dup" else ("ConditionalCheckFailed", CCF)
                err = slot.get("Error", {})
                check(err.get("Code") == code and err.get("Message") == msg, what + ": Error", slot,
                      "model %s %s" % (code, msg))
                continue   # (charged nothing: op_pql)
            check("Error" not in slot, what + ": Error, model success", slot)
            if s["kind"] == "select":
                g = item_from_wire(slot["Item"]) if "Item" in slot else None
                allowed = self.allowed_versions(tm, s["key"], op["consistent"])
                check(g in allowed, what + ": Item", "got   " + show_item(g), *("model " + show_item(v) for v in allowed))
                units, slack = self.read_charge(tm, s["key"], op["consistent"], g)
                c[0] += units
                slacks[name] = slacks.get(name, 0.0) + slack
            else:
                t, idx = tm.write_cost(old, new)
                c[0] += t
                for k, v in idx.items():
                    c[1][k] = c[1].get(k, 0) + v
                writes.append((tm, s, new, old))
        kind = "read" if op["stmts"][0]["kind"] == "select" else "write"
        costs = {k: v for k, v in costs.items() if v[0] or v[1]}
        tolerate = kind == "read" and self.modes.get("stale_ms") and not op["consistent"] and \
            self.tolerated("stale-batch-charge")
        if not tolerate:
            self.expect_capacity_list(ans, op["cap"], costs, "BatchExecuteStatement")
        else:
            self.modes["_garbage"] = True
        self.note_capacity(ans.get("ConsumedCapacity", []), kind)
        for name, (t, idx) in costs.items():
            self.m.charge(name, kind, t + sum(idx.values()), slacks.get(name, 0.0))
        for tm, s, new, old in writes:
            if s["kind"] != "delete" or old is not None:
                tm.put(key_of(tm.spec, s["key"]), new, self.m.now)
