"""tests/model/pitr.py: point-in-time recovery in the model-based test. UpdateContinuousBackups turns
a table's recovery on (a period drawn) or off; RestoreTableToPointInTime restores it to a time in
its window (either end, a time drawn, the time of one of its writes) or just outside (refused), and
the restored table must hold exactly the items the model's history says the table held then,
whatever the modes did meanwhile: transactions, batches, PartiQL, TTL deletes, injected faults,
restarts with SIGKILL and other --shards, the clock stepped a day on (the window slides, the oldest
changes folded into the base) and moved back. Sources: the API reference (UpdateContinuousBackups,
DescribeContinuousBackups, RestoreTableToPointInTime) and the developer guide's "Point-in-time
recovery"; ddbd's docs/compatibility.md, "Point-in-time recovery" (its latest restorable time is
now; a clock moved back orders by the writes, not their times)."""
from client import error_type
from runner import NO_EFFECT, Mismatch, check

DAY_MS = 24 * 3600 * 1000


def seconds(ms):
    """A time as ddbd writes one (seconds, three decimals), for messages."""
    return "%d.%03d" % (ms // 1000, ms % 1000)


class Pitr:
    def sent(self, op, body, settle=None):
        """(status, answer) of `op`, sent again past injected errors (each a no-op). An answer lost
        (a connection fault) is settled by looking: settle() returns the answer it would have been,
        or None where the operation did not happen (then it is sent again); without one, it is
        sent again (the operation is one that may be: UpdateContinuousBackups)."""
        for _ in range(100):
            status, ans = self.c.call(op, body)
            if status == 0 and self.modes.get("conn_faults"):
                got = settle() if settle is not None else None
                if got is not None:
                    return got
                continue
            if status == 200 or not (self.modes.get("faults") and error_type(ans) in NO_EFFECT):
                return status, ans
        raise Mismatch(op + ": refused 100 times by injected faults")

    def restore_settled(self, target):
        """A RestoreTableToPointInTime whose answer was lost: its answer as DescribeTable of the
        restored table shows it, or None where there is none (not restored, or refused)."""
        table = self.table_now(target)
        return (200, {"TableDescription": table}) if table is not None else None

    def window(self, t):
        """(lowest, highest) of the EarliestRestorableDateTime table t's recovery may show now: the
        later of when it was enabled and now less the period, or later where the background trim
        already folded the older changes into the base at a later clock (the clock moves back); never
        after now. The latest restorable time is now (docs/compatibility.md)."""
        p, now = self.m.tables[t].pitr, self.m.now
        lo = max(p["since"], now - p["days"] * DAY_MS)
        return min(lo, now), min(max(lo, p["trim"]), now)

    def pitr_moved(self):
        """The clock moved, or a period changed: where a trim run now may take the window's start."""
        for tm in self.m.tables:
            if tm.pitr is not None:
                tm.pitr["trim"] = max(tm.pitr["trim"], self.m.now - tm.pitr["days"] * DAY_MS)

    def check_description(self, t, ans, what):
        """A ContinuousBackupsDescription against the model: ENABLED with the period and a window
        the model allows (its earliest returned), or DISABLED."""
        d = ans.get("ContinuousBackupsDescription", {})
        p = d.get("PointInTimeRecoveryDescription", {})
        tm = self.m.tables[t]
        check(d.get("ContinuousBackupsStatus") == "ENABLED", what + ": ContinuousBackupsStatus", ans)
        if tm.pitr is None:
            check(p == {"PointInTimeRecoveryStatus": "DISABLED"}, what + ": model DISABLED", ans)
            return None
        lo, hi = self.window(t)
        early = round(float(p.get("EarliestRestorableDateTime", -1)) * 1000)
        check(p.get("PointInTimeRecoveryStatus") == "ENABLED" and p.get("RecoveryPeriodInDays") == tm.pitr["days"],
              what + ": model ENABLED, %d days" % tm.pitr["days"], ans)
        check(lo <= early <= hi, what + ": EarliestRestorableDateTime %s, model %s to %s" % (
            seconds(early), seconds(lo), seconds(hi)), ans)
        check(round(float(p.get("LatestRestorableDateTime", -1)) * 1000) == self.m.now,
              what + ": LatestRestorableDateTime, model %s" % seconds(self.m.now), ans)
        return early

    def op_pitr(self, op):
        t, tm = op["t"], self.m.tables[op["t"]]
        spec = {"PointInTimeRecoveryEnabled": op["on"]}
        if op["days"] is not None:
            spec["RecoveryPeriodInDays"] = op["days"]
        status, ans = self.sent("UpdateContinuousBackups", {"TableName": self.tname(t),
                                                           "PointInTimeRecoverySpecification": spec})
        self.expect_ok(status, ans, "UpdateContinuousBackups")
        days = op["days"] or 35
        if not op["on"]:
            tm.pitr = None
        elif tm.pitr is None:
            now = self.m.now
            tm.pitr = {"since": now, "days": days, "trim": now, "base": dict(tm.items),
                       "mark": {i: len(h) for i, h in tm.history.items()}}
        else:
            tm.pitr["days"] = days   # (the window's start kept)
        self.pitr_moved()
        self.check_description(t, ans, "UpdateContinuousBackups %s" % self.tname(t))

    def op_pitr_restore(self, op):
        t, tm = op["t"], self.m.tables[op["t"]]
        name = self.tname(t)
        status, ans = self.sent("DescribeContinuousBackups", {"TableName": name})
        self.expect_ok(status, ans, "DescribeContinuousBackups")
        early = self.check_description(t, ans, "DescribeContinuousBackups %s" % name)
        target = "mp%d" % self.restores
        self.restores += 1
        arn = "arn:aws:dynamodb:us-east-1:000000000000:table/" + name
        body = dict({"SourceTableArn": arn} if op["arn"] else {"SourceTableName": name}, TargetTableName=target)
        if tm.pitr is None:
            body["UseLatestRestorableTime"] = True
            status, ans = self.sent("RestoreTableToPointInTime", body, lambda: self.restore_settled(target))
            self.expect_error(status, ans, "PointInTimeRecoveryUnavailableException",
                              "Point in time recovery is not enabled for table '%s'" % name,
                              "RestoreTableToPointInTime of %s, recovery off" % name)
            return
        when = self.restore_time(op, tm, early)
        if op["when"] == "latest":
            body["UseLatestRestorableTime"] = True
        else:
            body["RestoreDateTime"] = when / 1000.0
        status, ans = self.sent("RestoreTableToPointInTime", body, lambda: self.restore_settled(target))
        what = "RestoreTableToPointInTime of %s to %s" % (name, seconds(when))
        if not early <= when <= self.m.now:
            self.expect_error(status, ans, "InvalidRestoreTimeException",
                              "Restore time is not within the restorable window (between %s and %s)" % (
                                  seconds(early), seconds(self.m.now)), what)
            return
        self.expect_ok(status, ans, what)
        summary = ans.get("TableDescription", {}).get("RestoreSummary", {})
        check(round(float(summary.get("RestoreDateTime", -1)) * 1000) == when and summary.get("SourceTableArn") == arn,
              what + ": RestoreSummary, model RestoreDateTime %s, SourceTableArn %s" % (seconds(when), arn), ans)
        items = [tuple(sorted(i.items())) for i in tm.at(when).values()]
        self.restored(target, [items], what + " (enabled at %s)" % seconds(tm.pitr["since"]))

    def restore_time(self, op, tm, early):
        """The time `op` names, in ms: an end of the window [early, now], a time drawn in it, the time
        of a write in it (or a millisecond before), or a millisecond outside it."""
        now, pick = self.m.now, op["pick"]
        if op["when"] == "latest":
            return now
        if op["when"] == "earliest":
            return early
        if op["when"] == "before":
            return early - 1
        if op["when"] == "after":
            return now + 1
        if op["when"] == "write":
            mark = tm.pitr["mark"]
            times = sorted({at for i, h in tm.history.items() for at, _ in h[mark.get(i, 0):] if early <= at <= now})
            if times:
                at = times[int(pick * len(times))]
                return max(early, at - (int(pick * 1000) % 2))
        return early + int(pick * (now - early))
