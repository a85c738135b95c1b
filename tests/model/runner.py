"""tests/model/runner.py: sends each operation of a sequence to ddbd and checks the answer against
the model: items, order, LastEvaluatedKey, errors' __type and message, ConsumedCapacity.

Run(ops) raises Mismatch at the first answer the model does not allow."""
import time

from client import error_message, error_type
from expr import ModelError, Renderer, eval_cond, render_cond, render_update, update_result, updated_names
from model import key_of
from values import item_from_wire, item_size, item_to_wire, read_units, show_item, write_units

CCF = "The conditional request failed"


class Mismatch(Exception):
    pass


class NoEffect(Exception):
    """An answer the modes allow in place of any (an injected fault, a throttle): the request
    must have had no effect, and the model keeps its state."""


# errors that leave no effect (injected faults; throttling under --enforce-capacity)
THROTTLES = ("ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded")
NO_EFFECT = THROTTLES + ("InternalServerError", "ServiceUnavailableException", "TransactionConflictException")
BLIND = [False]   # the answer was lost (an injected ConnectionReset): the checks are off, the model
#                   applies what the request does


def check(ok, what, *detail):
    if not ok and not BLIND[0]:
        raise Mismatch(what + "".join("\n    " + str(d) for d in detail))


def close(a, b):
    return abs(float(a) - float(b)) < 1e-6


class Runner:
    """Executes operations against `client` with `model` as the reference. `modes` says what the
    server was started with (the checks it relaxes: stale reads, index lag, throttling, faults)."""

    def __init__(self, client, model, names, modes):
        self.c, self.m, self.names, self.modes = client, model, names, modes
        self.checked = 0
        self.current = {}     # the operation being run (its "as": the key it is sent with)
        self.reader = None    # with --auth: the client of the reader's key
        self.west = None      # with a replica: the client of us-west-2
        self.no_effect = 0   # answers that were an allowed no-op (a fault, a throttle)
        self.lost_throttles = 0   # of them, throttles whose answer a connection fault lost
        self.reported = {}   # table name -> {"read": units, "write": units}: the answers' charges
        self.servers = None   # backend.Servers: a data directory's restart (op_restart)
        self.backups = []     # {"t", "arn", "snaps": the items a restore may hold, "available": seen so}
        self.restores = 0

    # -- helpers --------------------------------------------------------------------------------
    def tname(self, i):
        return self.names[i]

    def call(self, op, body):
        touched = tables_of(body)
        if self.west is not None and self.c is self.west:   # (the replica's buckets are its own)
            touched = [n + "@us-west-2" for n in touched]
        if self.current.get("as") == "reader":
            return self.reader_call(op, body, touched)
        status, ans = self.c.call(op, body)
        BLIND[0] = False
        if status == 0:
            check(self.modes.get("conn_faults"), op + ": no answer (the connection closed)")
            # under --enforce-capacity the lost answer may have been a throttle, no effect and no
            # charge: the server's count of the errors it answered says (client.UNCHARGED; a
            # transaction's cancellation may have been its conditions', which is the same no-op)
            if self.modes.get("enforce") and self.c.lost_was_uncharged():
                self.lost_throttles += 1
                raise NoEffect("lost throttle")
            BLIND[0] = True   # carried out, its answer lost (ConnectionReset, TruncatedBody)
            self.consumed(touched)
            return status, ans
        t = error_type(ans)
        reasons = [x.get("Code") for x in ans.get("CancellationReasons", [])]
        throttled = t in THROTTLES or "ThrottlingError" in reasons or "ProvisionedThroughputExceeded" in reasons
        if status != 200 and (t in NO_EFFECT or "TransactionConflict" in reasons or throttled):
            check(self.modes.get("faults") or (throttled and self.modes.get("enforce")),
                  op + ": %s %s, no mode allows it" % (status, t), ans)
            if throttled and not self.modes.get("fault_throttles") and not (
                    op in ("UpdateItem", "TransactWriteItems", "BatchExecuteStatement", "ExecuteStatement")
                    and self.tolerated("update-burst")):
                self.full_bucket_check(op, touched, ans)
            raise NoEffect(t)
        if status == 200:
            self.consumed(touched)
        return status, ans

    # -- --auth: the reader's key may read table tm0, nothing else (docs/security.md, "The key file")
    def reader_call(self, op, body, touched):
        status, ans = self.reader.call(op, body)
        reads = op in READS or (op == "ExecuteStatement" and body["Statement"].startswith("SELECT"))
        if op == "BatchExecuteStatement" or (reads and set(touched) <= {self.names[0]}):
            self.current = {}   # allowed (a batch of statements is decided per statement: op_pql_batch)
            try:
                return self.after_reader(op, body, status, ans, touched)
            finally:
                self.current = {"as": "reader"}
        if status == 0 and self.modes.get("conn_faults"):
            if self.modes.get("enforce"):
                self.reader.lost_was_uncharged()   # (a throttle or not, no effect: the count kept)
            raise NoEffect("lost")   # (denied in the statement's handler, its answer lost: no effect)
        if op == "ExecuteStatement" and status != 200 and error_type(ans) in NO_EFFECT and (
                self.modes.get("faults") or self.modes.get("enforce") and error_type(ans) in THROTTLES):
            raise NoEffect(error_type(ans))   # (a statement's rights are decided in its handler, after faults)
        msg = None
        if op not in ("ExecuteStatement",) and not op.startswith("Transact") and len(touched) == 1:
            res = touched[0] + ("/index/" + body["IndexName"] if body.get("IndexName") else "")
            msg = denied(op, res)
        self.expect_error(status, ans, "AccessDeniedException", msg, op + " with the reader's key")
        raise NoEffect("AccessDeniedException")

    def after_reader(self, op, body, status, ans, touched):
        """An allowed read of the reader's: the same checks as the main key's answers."""
        saved = self.c
        self.c = _Canned(status, ans, self.reader)
        try:
            return self.call(op, body)
        finally:
            self.c = saved

    # -- --enforce-capacity: a bucket surely full must not throttle -----------------------------
    def full_bucket_check(self, op, touched, ans):
        """A table none of whose buckets was drawn on for 300 s (DynamoDB's burst: 300 s of unused
        capacity) holds a full bucket: a request of it within the burst is not throttled."""
        if self.modes.get("_went_back") and self.tolerated("bucket-future"):
            return
        if self.modes.get("_garbage"):   # a stale read's charge went into the bucket (stale-batch-charge)
            return
        last = self.modes.setdefault("_last_use", {})
        full = [n for n in touched if self.m.now - last.get(n, self.m.start) >= 300000]
        check(not touched or len(full) < len(touched), op + ": throttled, though %s drew nothing for 300 s "
              "(a full burst bucket)" % ", ".join(full), ans)

    def consumed(self, touched):
        last = self.modes.setdefault("_last_use", {})
        for n in touched:
            last[n] = self.m.now

    def note_capacity(self, cc, kind):
        for c in (cc if isinstance(cc, list) else [cc]):
            if not c:
                continue
            r = self.reported.setdefault(c["TableName"], {"read": 0.0, "write": 0.0})
            r[kind] += float(c.get("CapacityUnits", 0))

    def expect_capacity(self, ans, mode, table, units, idx, what):
        """ConsumedCapacity of one table: units for the table and {index: units}."""
        if BLIND[0]:
            return
        cc = ans.get("ConsumedCapacity")
        if mode == "NONE":
            check(cc is None, what + ": ConsumedCapacity without ReturnConsumedCapacity", cc)
            return
        check(cc is not None, what + ": no ConsumedCapacity")
        check(cc.get("TableName") == table, what + ": ConsumedCapacity's TableName", cc)
        total = units + sum(idx.values())
        check(close(cc.get("CapacityUnits", -1), total), what + ": CapacityUnits %s, model %s" %
              (cc.get("CapacityUnits"), total), "table %s indexes %s" % (units, idx), cc)
        if mode == "INDEXES":
            check(close(cc.get("Table", {}).get("CapacityUnits", 0), units), what + ": Table's CapacityUnits", cc)
            got = {}
            for part in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
                for name, v in cc.get(part, {}).items():
                    if float(v.get("CapacityUnits", 0)):
                        got[name] = float(v["CapacityUnits"])
            check(set(got) == set(k for k, v in idx.items() if v) and all(close(got[k], idx[k]) for k in got),
                  what + ": index CapacityUnits %s, model %s" % (got, idx), cc)

    def expect_error(self, status, ans, type_, message, what):
        check(status == 400, what + ": status %s, model %s %s" % (status, type_, message), ans)
        check(error_type(ans) == type_, what + ": error %s, model %s" % (error_type(ans), type_), ans)
        if message is not None:
            check(error_message(ans) == message, what + ": message %r, model %r" % (error_message(ans), message))

    def expect_ok(self, status, ans, what):
        check(status == 200, what + ": status %s (%s: %s), model success" %
              (status, error_type(ans), error_message(ans)), ans)

    def cond_req(self, req, cond, r):
        if cond is not None:
            req["ConditionExpression"] = render_cond(cond, r)
        return req

    def cap(self, req, mode):
        if mode != "NONE":
            req["ReturnConsumedCapacity"] = mode
        return req

    # -- item operations ------------------------------------------------------------------------
    def op_put(self, op):
        tm = self.m.tables[op["t"]]
        name = self.tname(op["t"])
        key = key_of(tm.spec, op["item"])
        r = Renderer()
        req = self.cond_req({"TableName": name, "Item": item_to_wire(op["item"]), "ReturnValues": op["rv"]},
                            op["cond"], r)
        if op["rvf"]:
            req["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        self.cap(r.attach(req), op["cap"])
        status, ans = self.call("PutItem", req)
        old = tm.get(key)
        return self.finish_write(op, tm, name, key, old, op["item"], status, ans, "PutItem")

    def finish_write(self, op, tm, name, key, old, new, status, ans, what):
        """The common end of PutItem, UpdateItem, DeleteItem: condition, answer, capacity."""
        if op["cond"] is not None and not eval_cond(op["cond"], old):
            self.expect_error(status, ans, "ConditionalCheckFailedException", CCF, what)
            # a write refused by its condition still consumes write capacity by the item's size: the
            # existing item's or the one it would have written, the larger, at least 1 (the
            # developer guide, "Read/write capacity mode": "... based on the size of the item (the
            # existing item or a new one you're attempting to create or update)"); not in the
            # answer, in the usage report
            self.m.charge(name, "write", write_units(max(item_size(old), item_size(new))))
            want = old if op["rvf"] and old else None
            got = item_from_wire(ans["Item"]) if "Item" in ans else None
            check(got == want, what + ": the refused request's Item", show_item(got), show_item(want))
            return
        self.expect_ok(status, ans, what)
        tcost, icost = tm.write_cost(old, new)
        self.expect_capacity(ans, op["cap"], name, tcost, icost, what)
        self.note_capacity(ans.get("ConsumedCapacity"), "write")
        self.m.charge(name, "write", tcost + sum(icost.values()))
        got = item_from_wire(ans["Attributes"]) if "Attributes" in ans else None
        want = self.returned(op, old, new)
        check(got == want, what + ": Attributes (ReturnValues %s)" % op["rv"],
              "got   " + show_item(got), "model " + show_item(want))
        tm.put(key, new, self.m.now)

    def returned(self, op, old, new):
        rv = op["rv"]
        if rv == "ALL_OLD":
            return old or None
        if rv == "ALL_NEW":
            return new or None
        if rv in ("UPDATED_OLD", "UPDATED_NEW"):
            src = old if rv == "UPDATED_OLD" else new
            names = updated_names(op["acts"])
            out = {n: src[n] for n in names if src and n in src}
            return out or None
        return None

    def op_update(self, op):
        tm = self.m.tables[op["t"]]
        name = self.tname(op["t"])
        key = op["key"]
        r = Renderer()
        req = {"TableName": name, "Key": item_to_wire(key), "ReturnValues": op["rv"],
               "UpdateExpression": render_update(op["acts"], r)}
        self.cond_req(req, op["cond"], r)
        if op["rvf"]:
            req["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        self.cap(r.attach(req), op["cap"])
        status, ans = self.call("UpdateItem", req)
        old = tm.get(key)
        if op["cond"] is None or eval_cond(op["cond"], old):
            try:
                new = update_result(op["acts"], old, key)
            except ModelError as e:
                self.expect_error(status, ans, e.type, e.message, "UpdateItem")
                return
        else:
            try:  # refused by its condition: charged the item it would have made too
                new = update_result(op["acts"], old, key)
            except ModelError:
                new = None
        self.finish_write(op, tm, name, key, old, new, status, ans, "UpdateItem")

    def op_delete(self, op):
        tm = self.m.tables[op["t"]]
        name = self.tname(op["t"])
        r = Renderer()
        req = self.cond_req({"TableName": name, "Key": item_to_wire(op["key"]), "ReturnValues": op["rv"]},
                            op["cond"], r)
        if op["rvf"]:
            req["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        self.cap(r.attach(req), op["cap"])
        status, ans = self.call("DeleteItem", req)
        self.finish_write(op, tm, name, op["key"], tm.get(op["key"]), None, status, ans, "DeleteItem")

    def op_get(self, op):
        tm = self.m.tables[op["t"]]
        name = self.tname(op["t"])
        r = Renderer()
        req = {"TableName": name, "Key": item_to_wire(op["key"]), "ConsistentRead": op["consistent"]}
        if op["proj"]:
            req["ProjectionExpression"] = ", ".join(r.name(p) for p in op["proj"])
        self.cap(r.attach(req), op["cap"])
        status, ans = self.call("GetItem", req)
        self.expect_ok(status, ans, "GetItem")
        got = item_from_wire(ans["Item"]) if "Item" in ans else None
        allowed = self.allowed_versions(tm, op["key"], op["consistent"])
        match = [v for v in allowed if project(v, op["proj"]) == got]
        check(match, "GetItem: Item", "got   " + show_item(got),
              *("model " + show_item(project(v, op["proj"])) for v in allowed))
        size = item_size(match[0])
        units = read_units(size, op["consistent"])
        if len({read_units(item_size(v), op["consistent"]) for v in match}) == 1:
            self.expect_capacity(ans, op["cap"], name, units, {}, "GetItem")
        elif ans.get("ConsumedCapacity"):   # two allowed versions of one projection, sizes apart
            units = float(ans["ConsumedCapacity"]["CapacityUnits"])
            check(units in {read_units(item_size(v), op["consistent"]) for v in match}, "GetItem: CapacityUnits", units)
        else:   # which of them was read is not said: any of their charges
            options = {read_units(item_size(v), op["consistent"]) for v in match}
            self.note_capacity(None, "read")
            self.m.charge(name, "read", min(options), max(options) - min(options))
            return
        self.note_capacity(ans.get("ConsumedCapacity"), "read")
        self.m.charge(name, "read", units)

    def allowed_versions(self, tm, key, consistent):
        if consistent or not self.modes.get("stale_ms"):
            return [tm.get(key)]
        return tm.versions(key, self.m.now - self.modes["stale_ms"])

    # -- the clock ------------------------------------------------------------------------------
    def op_replica(self, op):
        """Global tables: a change reaches the other region asynchronously, from the stream; a clock
        step waits for the replication follower's pass (docs/testing.md), after which a strongly
        consistent Scan of the replica finds exactly the table's items (its charge is its own
        table's: the usage report lists both regions' under the one name, summed by final_checks)."""
        self.op_clock({"op": "clock", "ms": 1})
        scan = {"op": "scan", "t": op["t"], "index": None, "limit": op["limit"], "filter": None,
                "consistent": True, "segments": 1, "cap": op["cap"]}
        home, self.c = self.c, self.west
        try:
            self.op_scan(scan)
        finally:
            self.c = home

    # -- backups ----------------------------------------------------------------------------------
    def admitted(self, op, body, settle=None):
        """`op` with the main key, sent again past injected errors (each a no-op): its answer. An
        answer lost (a connection fault: the operation was carried out, or not yet reached) is
        settled as a client would, by looking: settle() returns what the answer would have held,
        or None where the operation did not happen (then it is sent again)."""
        for _ in range(100):
            status, ans = self.c.call(op, body)
            if status == 200:
                return ans
            if status == 0 and self.modes.get("conn_faults") and settle is not None:
                ans = settle()
                if ans is not None:
                    return ans
                continue
            check(self.modes.get("faults") and error_type(ans) in NO_EFFECT,
                  "%s: status %s (%s: %s), model success" % (op, status, error_type(ans), error_message(ans)), ans)
        raise Mismatch(op + ": refused 100 times by injected faults")

    def table_now(self, name):
        """DescribeTable's Table of `name`, or None where there is none (a read: never lost)."""
        status, ans = self.c.call("DescribeTable", {"TableName": name})
        if status == 200:
            return ans["Table"]
        if error_type(ans) == "ResourceNotFoundException":
            return None
        check(self.modes.get("faults") and error_type(ans) in NO_EFFECT,
              "DescribeTable %s: status %s (%s)" % (name, status, error_type(ans)), ans)
        return self.table_now(name)

    def backup_named(self, table, name):
        """CreateBackup's answer as it was, found by its name in ListBackups; None: not made."""
        ans = self.admitted("ListBackups", {"TableName": table})
        arns = [b["BackupArn"] for b in ans.get("BackupSummaries", []) if b.get("BackupName") == name]
        return {"BackupDetails": {"BackupArn": arns[0]}} if arns else None

    def waited(self, op, body, status_of, want, passing):
        """Polls `op` until status_of(answer) is `want` (a restore's work runs on a worker, in real
        time); any state but those `passing` is a mismatch."""
        for _ in range(3000):
            got = status_of(self.admitted(op, body))
            if got == want:
                return
            check(got in passing, "%s: %s, model %s" % (op, got, want))
            time.sleep(0.01)
        raise Mismatch("%s: not %s within 30 s" % (op, want))

    def op_backup(self, op):
        table, name = self.tname(op["t"]), "mb%d" % len(self.backups)
        ans = self.admitted("CreateBackup", {"TableName": table, "BackupName": name},
                            lambda: self.backup_named(table, name))
        self.backups.append({"t": op["t"], "arn": ans["BackupDetails"]["BackupArn"], "snaps": [self.items_now(op["t"])],
                             "available": False})

    def items_now(self, t):
        return [tuple(sorted(i.items())) for i in self.m.tables[t].items.values()]

    def backup_available(self, b):
        self.waited("DescribeBackup", {"BackupArn": b["arn"]},
                    lambda a: a["BackupDescription"]["BackupDetails"]["BackupStatus"], "AVAILABLE", ("CREATING",))
        b["available"] = True

    def op_restore(self, op):
        """A backup restored into a new table holds the items its table held when it was made
        (DynamoDB's "full backup": every item, as of the request), whatever was written, expired,
        restarted or moved since; the restored table is deleted after its Scan."""
        if not self.backups:
            raise NoEffect("no backup yet")
        b = self.backups[int(op["pick"] * len(self.backups))]
        t, arn = b["t"], b["arn"]
        self.backup_available(b)
        target = "mr%d" % self.restores
        self.restores += 1
        self.admitted("RestoreTableFromBackup", {"TargetTableName": target, "BackupArn": arn},
                      lambda: {} if self.table_now(target) is not None else None)
        self.restored(target, b["snaps"], "restored table %s of %s's backup" % (target, self.tname(t)),
                      " (nor as of the %d restarts its copy met)" % (len(b["snaps"]) - 1) if len(b["snaps"]) > 1 else "")

    def restored(self, target, snaps, what, why=""):
        """Restored table `target`, once ACTIVE, holds exactly the items of one of `snaps` (a
        strongly consistent Scan); then it is deleted."""
        self.waited("DescribeTable", {"TableName": target}, lambda a: a["Table"]["TableStatus"], "ACTIVE", ("CREATING",))
        got, req = [], {"TableName": target, "ConsistentRead": True}
        while True:
            ans = self.admitted("Scan", req)
            got += [item_from_wire(i) for i in ans.get("Items", [])]
            if "LastEvaluatedKey" not in ans:
                break
            req = dict(req, ExclusiveStartKey=ans["LastEvaluatedKey"])
        want = snaps[0]
        have = [tuple(sorted(i.items())) for i in got]   # (a set's value has no total order: compared as sets)
        if not any(len(have) == len(w) and set(have) == set(w) for w in snaps):
            missing = [show_item(dict(i)) for i in want if i not in have][:3]
            extra = [show_item(dict(i)) for i in have if i not in want][:3]
            raise Mismatch("%s: %d items, model %d; missing %s, not in the model's %s%s" % (
                what, len(have), len(want), missing, extra, why))
        self.admitted("DeleteTable", {"TableName": target},
                      lambda: {} if (self.table_now(target) or {"TableStatus": "DELETING"})["TableStatus"] == "DELETING"
                      else None)

    def post_faults(self):
        """The seed's fault rules (POST /ddbd/faults), when it drew any."""
        if self.modes.get("faults"):
            rules = [{"operation": o, "error": k, "probability": p} for o, k, p in self.modes["faults"]]
            status, ans = self.c.admin("POST", "/ddbd/faults", {"faults": rules, "seed": self.modes["fault_seed"]})
            check(status == 200, "POST /ddbd/faults: %s %s" % (status, ans))

    def op_restart(self, op):
        """The server stopped (SIGTERM or SIGKILL) and started again on its data directory, perhaps
        with another `--shards`: every item, index entry, table setting, TTL, replica and backup as
        before (docs/testing.md, "The model-based test"). What a server keeps in memory starts
        again: the frozen clock (set back to the model's), the fault rules (posted again) and the
        usage report (counted from the restart, as docs/usage.md says)."""
        # a backup whose copy a restart cuts short is copied again at the next start, as of then
        # (docs/compatibility.md, "Backups"): before the start's clock step and sweep, or after
        pending = [b for b in self.backups if not b["available"]]
        for b in pending:
            b["snaps"].append(self.items_now(b["t"]))
        code = self.servers.restart(kill=op["kill"], shards=op.get("shards"))
        check(code == (-9 if op["kill"] else 0), "ddbd exited %s on %s; stderr:\n%s" % (
            code, "SIGKILL" if op["kill"] else "SIGTERM", self.servers.stderr_text()[-3000:]))
        for c in (self.c, self.reader, self.west):
            if c is not None:
                c.close()
        # the usage report counts from the start, so from before the clock step below: the TTL
        # sweep it runs bills a global table's deletes as replicated writes (seed 32459530); a
        # replicated write no step waited for may be applied (and billed) on either side of it
        self.m.charges = {}
        for name, units in self.m.unsettled.items():
            self.m.row(name)["replicated_slack"] += units
        self.m.unsettled = {}
        self.reported = {}
        status, ans = self.c.admin("POST", "/ddbd/clock", {"set": self.m.now})
        check(status == 200 and ans.get("now") == self.m.now, "POST /ddbd/clock after the restart: %s %s" % (status, ans))
        self.swept(self.m.now)   # (a step, from --clock's time to the model's: the sweep it runs)
        self.post_faults()
        for b in pending:
            b["snaps"].append(self.items_now(b["t"]))
            self.backup_available(b)
        for tm in self.m.tables:   # --count-refresh: a table that existed at start is counted when first read
            tm.snap = None

    def op_clock(self, op):
        """A step forward ({"advance": ms}) or back ({"set": ms}); then the TTL sweep the step runs."""
        now = self.m.now + op["ms"]
        body = {"advance": op["ms"]} if op["ms"] > 0 else {"set": now}
        status, ans = self.c.admin("POST", "/ddbd/clock", body)
        check(status == 200 and ans.get("now") == now, "POST /ddbd/clock %s: %s %s, model now %d" %
              (body, status, ans, now))
        self.m.now = now
        self.m.peak = max(self.m.peak, now)
        self.pitr_moved()
        self.m.unsettled = {}   # (the step waited for replication's pass)
        if op["ms"] < 0:
            self.modes["_went_back"] = True
        last = self.modes.get("_last_use", {})
        for n in last:   # a bucket cannot stand in the clock's future
            last[n] = min(last[n], now)
        self.swept(now)

    def swept(self, now):
        """TTL: the sweep a step of the clock runs, to `now`."""
        if self.modes.get("ttl"):
            for n, tm in enumerate(self.m.tables):
                for old in tm.sweep(now):
                    self.ttl_replicated(n, tm, old)

    def ttl_replicated(self, n, tm, old):
        """A global table's TTL delete consumes nothing here, and its replica bills it as a
        replicated write of the item (docs/usage.md, "Replicated writes"). With TTL on in both
        regions each region's sweep deletes its own copy (a step holds replication off while it
        sweeps: docs/compatibility.md, "Global tables"), so both bill it."""
        if not self.modes.get("replica"):
            return
        t, idx = tm.write_cost(old, None)
        units = t + sum(idx.values())
        self.m.replicated(self.tname(n), units * (2 if self.modes.get("ttl_west") else 1))

    # -- DescribeTable's figures ------------------------------------------------------------------
    def op_describe(self, op):
        """ItemCount: the items now, or with --count-refresh SECONDS as of the last refresh, which
        a read makes once SECONDS of the clock passed since the one before (the table's creation
        the first); docs/testing.md, "Table states"."""
        status, ans = self.call("DescribeTable", {"TableName": self.tname(op["t"])})
        self.expect_ok(status, ans, "DescribeTable")
        count = self.figures_read(op["t"])
        got = ans.get("Table", {}).get("ItemCount")
        check(got == count, "DescribeTable %s: ItemCount %s, model %s" % (self.tname(op["t"]), got, count))

    def figures_read(self, i):
        """Table i's ItemCount as a description shows it now (DescribeTable's, UpdateTable's), which
        refreshes the figures under --count-refresh when they are due."""
        tm = self.m.tables[i]
        count = len(tm.items)
        refresh = self.modes.get("count_refresh")
        if refresh:
            snap = tm.__dict__.setdefault("snap", (self.m.created, 0))
            if snap is None or self.m.now - snap[0] >= refresh * 1000:
                tm.snap = (self.m.now, count)
            count = tm.snap[1]
        return count

    def tolerated(self, name):
        """A known defect this run does not stop at ($DDB_MODEL_TOLERATE, comma-separated), while
        it is being fixed: the check is skipped and the run goes on to find others."""
        if name in self.modes.get("tolerate", ()):
            self.modes.setdefault("tolerated", set()).add(name)
            return True
        return False

    # -- batches --------------------------------------------------------------------------------
    def op_batch_write(self, op):
        reqs = {}
        for i, kind, body in op["reqs"]:
            w = {"PutRequest": {"Item": item_to_wire(body)}} if kind == "put" else \
                {"DeleteRequest": {"Key": item_to_wire(body)}}
            reqs.setdefault(self.tname(i), []).append(w)
        req = self.cap({"RequestItems": reqs}, op["cap"])
        status, ans = self.call("BatchWriteItem", req)
        self.expect_ok(status, ans, "BatchWriteItem")
        unprocessed = set()
        for name, ws in (ans.get("UnprocessedItems") or {}).items():
            for w in ws:
                body = w.get("PutRequest", {}).get("Item") or w.get("DeleteRequest", {}).get("Key")
                unprocessed.add((name, frozen_key(item_from_wire(body))))
        check(not unprocessed or self.modes.get("faults") or self.modes.get("enforce"),
              "BatchWriteItem: UnprocessedItems", ans.get("UnprocessedItems"))
        costs = {}
        for i, kind, body in op["reqs"]:
            tm = self.m.tables[i]
            key = key_of(tm.spec, body)
            if (self.tname(i), frozen_key(key)) in unprocessed:
                continue
            old = tm.get(key)
            new = body if kind == "put" else None
            tcost, icost = tm.write_cost(old, new)
            c = costs.setdefault(self.tname(i), [0, {}])
            c[0] += tcost
            for k, v in icost.items():
                c[1][k] = c[1].get(k, 0) + v
            tm.put(key, new, self.m.now)
        self.expect_capacity_list(ans, op["cap"], costs, "BatchWriteItem")
        self.note_capacity(ans.get("ConsumedCapacity", []), "write")
        for name, (t, idx) in costs.items():
            self.m.charge(name, "write", t + sum(idx.values()))

    def expect_capacity_list(self, ans, mode, costs, what):
        ccs = ans.get("ConsumedCapacity")
        if BLIND[0]:
            return
        if mode == "NONE":
            check(ccs is None, what + ": ConsumedCapacity without ReturnConsumedCapacity", ccs)
            return
        check(isinstance(ccs, list), what + ": ConsumedCapacity is not a list", ccs)
        by = {c["TableName"]: c for c in ccs}
        for name in set(by) - set(costs):   # (a table whose every request went unprocessed)
            costs[name] = [0, {}]
        check(set(by) == set(costs), what + ": ConsumedCapacity's tables %s, model %s" % (sorted(by), sorted(costs)))
        for name, (t, idx) in costs.items():
            self.expect_capacity({"ConsumedCapacity": by[name]}, mode, name, t, idx, what)

    def op_batch_get(self, op):
        keys = {}
        for i, k in op["keys"]:
            keys.setdefault(self.tname(i), {"Keys": [], "ConsistentRead": op["consistent"]})["Keys"].append(item_to_wire(k))
        req = self.cap({"RequestItems": keys}, op["cap"])
        status, ans = self.call("BatchGetItem", req)
        self.expect_ok(status, ans, "BatchGetItem")
        unprocessed = set()
        for name, ks in (ans.get("UnprocessedKeys") or {}).items():
            for k in ks.get("Keys", []):
                unprocessed.add((name, frozen_key(item_from_wire(k))))
        check(not unprocessed or self.modes.get("faults") or self.modes.get("enforce"),
              "BatchGetItem: UnprocessedKeys", ans.get("UnprocessedKeys"))
        costs = {}
        for i, k in op["keys"]:
            name = self.tname(i)
            if (name, frozen_key(k)) in unprocessed:
                continue
            tm = self.m.tables[i]
            got = [item_from_wire(w) for w in ans.get("Responses", {}).get(name, [])]
            mine = [g for g in got if key_of(tm.spec, g) == k]
            check(len(mine) <= 1, "BatchGetItem: an item twice", *map(show_item, mine))
            g = mine[0] if mine else None
            allowed = self.allowed_versions(tm, k, op["consistent"])
            check(g in allowed, "BatchGetItem: item of key %s" % show_item(k), "got   " + show_item(g),
                  *("model " + show_item(v) for v in allowed))
            c = costs.setdefault(name, [0, {}])
            c[0] += read_units(item_size(g), op["consistent"])
        for name in ans.get("Responses", {}):
            n = sum(1 for i, k in op["keys"] if self.tname(i) == name and (name, frozen_key(k)) not in unprocessed)
            check(len(ans["Responses"][name]) <= n, "BatchGetItem: more items than keys")
        if not (self.modes.get("stale_ms") and not op["consistent"] and self.tolerated("stale-batch-charge")):
            self.expect_capacity_list(ans, op["cap"], costs, "BatchGetItem")
        else:
            self.modes["_garbage"] = True
        self.note_capacity(ans.get("ConsumedCapacity", []), "read")
        for name, (t, idx) in costs.items():
            self.m.charge(name, "read", t)

    # -- transactions ---------------------------------------------------------------------------
    def op_twrite(self, op):
        items, reasons, costs, failed = [], [], {}, False
        news = []
        for a in op["acts"]:
            tm = self.m.tables[a["t"]]
            name = self.tname(a["t"])
            r = Renderer()
            body = {"TableName": name}
            old = tm.get(a["key"])
            if a["kind"] == "put":
                body["Item"] = item_to_wire(a["item"])
                new = a["item"]
            else:
                body["Key"] = item_to_wire(a["key"])
                new = None if a["kind"] == "delete" else old
            if a["kind"] == "update":
                body["UpdateExpression"] = render_update(a["acts"], r)
                new = update_result(a["acts"], old, a["key"])
            self.cond_req(body, a["cond"], r)
            if a["rvf"]:
                body["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
            r.attach(body)
            kind = {"put": "Put", "update": "Update", "delete": "Delete", "check": "ConditionCheck"}[a["kind"]]
            items.append({kind: body})
            ok = a["cond"] is None or eval_cond(a["cond"], old)
            if ok:
                reasons.append({"Code": "None"})
            else:
                failed = True
                reason = {"Code": "ConditionalCheckFailed", "Message": CCF}
                if a["rvf"] and old:
                    reason["Item"] = old
                reasons.append(reason)
            if a["kind"] == "check":
                t, idx = tm.write_cost(old, old, 2)
                idx = {}
            else:
                t, idx = tm.write_cost(old, new, 2)
            c = costs.setdefault(name, [0, {}])
            c[0] += t
            for k, v in idx.items():
                c[1][k] = c[1].get(k, 0) + v
            news.append((tm, a, new))
        req = self.cap({"TransactItems": items}, op["cap"])
        status, ans = self.call("TransactWriteItems", req)
        if failed:
            msg = "Transaction cancelled, please refer cancellation reasons for specific reasons [%s]" % \
                ", ".join(r["Code"] for r in reasons)
            self.expect_error(status, ans, "TransactionCanceledException", msg, "TransactWriteItems")
            got = ans.get("CancellationReasons")
            check(got is not None and len(got) == len(reasons), "TransactWriteItems: CancellationReasons", got)
            if BLIND[0]:
                return
            for n, (g, w) in enumerate(zip(got, reasons)):
                gi = item_from_wire(g["Item"]) if "Item" in g else None
                check(g.get("Code") == w["Code"] and g.get("Message") == w.get("Message") and gi == w.get("Item"),
                      "TransactWriteItems: CancellationReasons[%d]" % n, g,
                      {k: (show_item(v) if k == "Item" else v) for k, v in w.items()})
            return
        self.expect_ok(status, ans, "TransactWriteItems")
        self.expect_capacity_list(ans, op["cap"], costs, "TransactWriteItems")
        self.note_capacity(ans.get("ConsumedCapacity", []), "write")
        for name, (t, idx) in costs.items():   # (a replica applies plain writes: the table's units once)
            self.m.charge(name, "write", t + sum(idx.values()), replicated=t / 2 + sum(idx.values()))
        for tm, a, new in news:
            if a["kind"] != "check":
                tm.put(a["key"], new, self.m.now)

    def op_tget(self, op):
        items = [{"Get": {"TableName": self.tname(i), "Key": item_to_wire(k)}} for i, k in op["keys"]]
        status, ans = self.call("TransactGetItems", self.cap({"TransactItems": items}, op["cap"]))
        self.expect_ok(status, ans, "TransactGetItems")
        got = ans.get("Responses", [])
        check(len(got) == len(items), "TransactGetItems: %d Responses for %d Gets" % (len(got), len(items)))
        costs = {}
        for n, (i, k) in enumerate(op["keys"]):
            tm = self.m.tables[i]
            g = item_from_wire(got[n]["Item"]) if "Item" in got[n] else None
            want = tm.get(k)
            check(g == want, "TransactGetItems: Responses[%d]" % n, "got   " + show_item(g), "model " + show_item(want))
            c = costs.setdefault(self.tname(i), [0, {}])
            c[0] += 2 * read_units(item_size(want), True)
        self.expect_capacity_list(ans, op["cap"], costs, "TransactGetItems")
        self.note_capacity(ans.get("ConsumedCapacity", []), "read")
        for name, (t, idx) in costs.items():
            self.m.charge(name, "read", t)


READS = ("GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems", "DescribeTable")


def denied(action, resource):
    """IAM's refusal of the reader's key (docs/compatibility.md, the key file's policies)."""
    return ("User: arn:aws:iam::000000000000:user/reader is not authorized to perform: dynamodb:%s on resource: "
            "arn:aws:dynamodb:us-east-1:000000000000:table/%s because no identity-based policy allows the "
            "dynamodb:%s action" % (action, resource, action))


class _Canned:
    """A client that answers the one answer already received (the reader's, checked as the main
    key's would be)."""

    def __init__(self, status, ans, source):
        self.answer = (status, ans)
        self.source = source   # the client that received it

    def call(self, op, body):
        return self.answer

    def lost_was_uncharged(self):
        return self.source.lost_was_uncharged()


def frozen_key(key):
    return tuple(sorted((k, v) for k, v in key.items() if k in ("pk", "sk")))


def tables_of(body):
    """The tables a request names (TableName, RequestItems, TransactItems, PartiQL statements)."""
    out = set()
    if "TableName" in body:
        out.add(body["TableName"])
    out.update(body.get("RequestItems", {}))
    for ti in body.get("TransactItems", []):
        for v in ti.values():
            out.add(v["TableName"])
    for st in [body] + body.get("Statements", []):
        text = st.get("Statement", "")
        if '"' in text:
            out.add(text.split('"')[1])
    return sorted(out)


def project(item, paths):
    if item is None or not paths:
        return item
    out = {}
    for p in paths:
        parts = p.split(".")
        v = item.get(parts[0])
        if v is None:
            continue
        if len(parts) == 1:
            out[p] = v
        elif v[0] == "M":
            sub = dict(v[1]).get(parts[1])
            if sub is not None:
                out[parts[0]] = ("M", ((parts[1], sub),))
    return out   # an item with none of the paths is Item {}

