"""The verdict on a whole history: registers (linearizable.py), counters (bounds, below),
list-append transactions (listappend.py), and tokens and audits (promises.py), each on its own
operations."""
import bisect

import linearizable
import listappend
import promises
from history import pair

REGISTER_FS = ("read", "write", "cas")


def check_counter(ops):
    """Per key, as Jepsen's counter checker: every read, the final one included, lies between the
    sum of the ADDs acknowledged before it was invoked and the sum of the ADDs invoked before it
    returned, acknowledged or unknown (a certainly failed ADD counts in neither)."""
    by_key, errors, n = {}, [], 0
    for op in ops:
        by_key.setdefault(op.key, []).append(op)
    for key, kops in sorted(by_key.items()):
        acked = _prefix_sums([(a.complete, a.value) for a in kops if a.f == "add" and a.status == "ok"])
        invoked = _prefix_sums([(a.invoke, a.value) for a in kops if a.f == "add" and a.status != "fail"])
        for r in (op for op in kops if op.f == "read" and op.status == "ok"):
            n += 1
            lo, hi = _sum_before(acked, r.invoke), _sum_before(invoked, r.complete)
            got = r.value or 0
            if not lo <= got <= hi:
                errors.append({"anomaly": "counter-out-of-bounds", "key": key, "read": got,
                               "lower": lo, "upper": hi, "op": r.as_dict()})
    return {"valid": not errors, "ops": len(ops), "reads": n, "errors": errors[:20]}


def _prefix_sums(timed):
    timed.sort()
    sums, total = [0], 0
    for _, v in timed:
        total += v
        sums.append(total)
    return [t for t, _ in timed], sums


def _sum_before(prefix, t):
    times, sums = prefix
    return sums[bisect.bisect_left(times, t)]


def check_events(events, realtime=True, max_steps=5_000_000):
    """{"valid": True/False/None (undecided), per-workload verdicts, counts}."""
    ops = pair(events)
    registers = [op for op in ops if op.key and op.key.startswith("r") and op.f in REGISTER_FS]
    counters = [op for op in ops if op.key and op.key.startswith("c")]
    txns = [op for op in ops if op.f == "txn"]
    verdict = {"register": linearizable.check(registers, max_steps=max_steps),
               "counter": check_counter(counters),
               "txn": listappend.check(txns, realtime=realtime)}
    if any(op.f in promises.FS for op in ops):  # issue 50's workloads (several gateways)
        verdict["promises"] = promises.check([op for op in ops if op.f in promises.FS])
    parts = [v["valid"] for v in verdict.values()]
    verdict["valid"] = False if False in parts else (None if None in parts else True)
    verdict["calls"] = {s: sum(1 for op in ops if op.status == s) for s in ("ok", "fail", "info")}
    return verdict
