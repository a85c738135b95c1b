"""The checkers on hand-made histories: each illegal one caught with the right anomaly, each legal
one passed, unknown outcomes (Jepsen's :info) included. Run as the ctest consistency.checkers."""
import itertools

import checkers
import linearizable
import listappend
from history import pair

CCF = "400 ConditionalCheckFailedException: The conditional request failed"


def history(*calls):
    """calls: (f, key, value, invoke, complete, status[, error]); complete None means unknown (info).
    For an ok read the value is what was read; each call gets a process of its own."""
    events, procs = [], itertools.count()
    for c in calls:
        f, key, value, t0, t1, status = c[:6]
        p = next(procs)
        reads = f == "read" or (f == "txn" and any(m[0] == "r" for m in value))
        events.append({"type": "invoke", "process": p, "f": f, "key": key, "time": t0,
                       "value": None if f == "read" else _unread(value) if reads else value})
        end = {"type": status if t1 is not None else "info", "process": p, "f": f, "key": key,
               "time": t1 if t1 is not None else 10 ** 9}
        if status == "ok":
            end["value"] = value
        else:
            end["error"] = c[6] if len(c) > 6 else "timeout"
        events.append(end)
    events.sort(key=lambda e: e["time"])
    return events


def _unread(micro):
    return [[m[0], m[1], None if m[0] == "r" else m[2]] for m in micro]


def linear(*calls):
    return linearizable.check(pair(history(*calls)))


def serial(*calls, realtime=True):
    return listappend.check(pair(history(*calls)), realtime=realtime)


# ---------------------------------------------------------------------------------------------
# Registers: linearizability
# ---------------------------------------------------------------------------------------------

def test_sequential_register_is_linearizable():
    v = linear(("write", "r", 1, 0, 10, "ok"), ("read", "r", 1, 20, 30, "ok"),
               ("cas", "r", [1, 2], 40, 50, "ok"), ("read", "r", 2, 60, 70, "ok"))
    assert v["valid"] is True and v["ops"] == 4


def test_stale_read_is_caught():
    v = linear(("write", "r", 1, 0, 10, "ok"), ("write", "r", 2, 20, 30, "ok"), ("read", "r", 1, 40, 50, "ok"))
    assert v["valid"] is False
    f = v["failures"][0]
    assert f["anomaly"] == "nonlinearizable" and f["key"] == "r"
    assert f["op"]["f"] == "read" and f["op"]["value"] == 1 and f["state_before"] == 2


def test_read_concurrent_with_a_write_may_see_either():
    for seen in (1, 2):
        assert linear(("write", "r", 1, 0, 10, "ok"), ("write", "r", 2, 20, 50, "ok"),
                      ("read", "r", seen, 30, 40, "ok"))["valid"] is True


def test_reads_may_not_go_back_in_time():
    # two reads inside one long write: once the new value is seen, the old one cannot be
    v = linear(("write", "r", 1, 0, 10, "ok"), ("write", "r", 2, 20, 90, "ok"),
               ("read", "r", 2, 30, 40, "ok"), ("read", "r", 1, 50, 60, "ok"))
    assert v["valid"] is False


def test_unknown_write_may_take_effect_late_or_never():
    base = (("write", "r", 1, 0, 10, "ok"), ("write", "r", 2, 20, None, "info"))
    assert linear(*base, ("read", "r", 1, 100, 110, "ok"))["valid"] is True          # never (yet)
    assert linear(*base, ("read", "r", 2, 100, 110, "ok"))["valid"] is True          # long after its invoke
    assert linear(*base, ("read", "r", 1, 100, 110, "ok"), ("read", "r", 2, 120, 130, "ok"))["valid"] is True
    # but once seen it stays
    assert linear(*base, ("read", "r", 2, 100, 110, "ok"), ("read", "r", 1, 120, 130, "ok"))["valid"] is False


def test_unknown_write_cannot_take_effect_before_its_invoke():
    v = linear(("write", "r", 1, 0, 10, "ok"), ("read", "r", 2, 20, 30, "ok"), ("write", "r", 2, 40, None, "info"))
    assert v["valid"] is False and v["failures"][0]["op"]["value"] == 2


def test_refused_condition_is_an_observation():
    assert linear(("write", "r", 0, 0, 10, "ok"), ("cas", "r", [1, 2], 20, 30, "fail", CCF),
                  ("read", "r", 0, 40, 50, "ok"))["valid"] is True
    # the register held 0, so a condition "v = 0" cannot have been refused
    v = linear(("write", "r", 0, 0, 10, "ok"), ("cas", "r", [0, 2], 20, 30, "fail", CCF))
    assert v["valid"] is False and v["failures"][0]["op"]["f"] == "cas"


def test_call_that_never_reached_the_server_is_ignored():
    refused = "connect: [Errno 111] Connection refused"
    assert linear(("write", "r", 0, 0, 10, "ok"), ("cas", "r", [0, 2], 20, 30, "fail", refused),
                  ("write", "r", 3, 20, 30, "fail", refused), ("read", "r", 0, 40, 50, "ok"))["valid"] is True


def test_lost_acknowledged_write_is_caught():
    # what a write lost in a kill -9 looks like: acknowledged, then the item is gone
    v = linear(("write", "r", 3, 0, 10, "ok"), ("read", "r", None, 20, 30, "ok"))
    assert v["valid"] is False and v["failures"][0]["state_before"] == 3


def test_keys_are_independent():
    v = linear(("write", "a", 1, 0, 10, "ok"), ("write", "b", 2, 20, 30, "ok"),
               ("read", "a", 1, 40, 50, "ok"), ("read", "b", 1, 40, 50, "ok"))
    assert v["valid"] is False and [f["key"] for f in v["failures"]] == ["b"] and v["keys"] == 2


def test_many_concurrent_unknown_writes_stay_tractable():
    calls = [("write", "r", i % 5, i, None, "info") for i in range(15)]
    calls += [("read", "r", i // 20, 1000 + 10 * i, 1005 + 10 * i, "ok") for i in range(100)]
    assert linear(*calls)["valid"] is True
    # a value nobody wrote, read last: the search must exhaust every order first, and still decide
    v = linear(*calls, ("read", "r", 9, 5000, 5005, "ok"))
    assert v["valid"] is False and v["failures"][0]["op"]["invoke"] == 5000


# ---------------------------------------------------------------------------------------------
# Counters: bounds
# ---------------------------------------------------------------------------------------------

def counter(read, *more):
    return checkers.check_counter(pair(history(
        ("add", "c", 2, 0, 10, "ok"), ("add", "c", 3, 20, None, "info"),
        ("add", "c", 100, 20, 30, "fail", "connect: refused"), *more, ("read", "c", read, 50, 60, "ok"))))


def test_counter_reads_within_bounds_pass():
    for read in (2, 5):
        assert counter(read)["valid"] is True


def test_counter_out_of_bounds_is_caught():
    for read, (lo, hi) in ((1, (2, 5)), (6, (2, 5)), (None, (2, 5)), (102, (2, 5))):
        v = counter(read)
        assert v["valid"] is False
        e = v["errors"][0]
        assert (e["anomaly"], e["lower"], e["upper"]) == ("counter-out-of-bounds", lo, hi)


def test_counter_add_concurrent_with_read_may_count():
    assert counter(9, ("add", "c", 4, 55, 70, "ok"))["valid"] is True
    assert counter(10, ("add", "c", 4, 55, 70, "ok"))["valid"] is False


# ---------------------------------------------------------------------------------------------
# List-append transactions: serializability
# ---------------------------------------------------------------------------------------------

def txn(micro, t0, t1, status="ok"):
    return ("txn", None, [list(m) for m in micro], t0, t1, status)


def test_serial_transactions_pass():
    v = serial(txn([("append", "x", 1), ("append", "y", 1)], 0, 10), txn([("r", "x", [1]), ("r", "y", [1])], 20, 30),
               txn([("append", "x", 2)], 40, 50), txn([("r", "x", [1, 2])], 60, 70), txn([("r", "y", None)], 1, 5))
    assert v["valid"] is True and v["committed"] == 5


def test_g0_write_cycle():
    v = serial(txn([("append", "x", 1), ("append", "y", 1)], 0, 50), txn([("append", "x", 2), ("append", "y", 2)], 0, 50),
               txn([("r", "x", [1, 2])], 60, 70), txn([("r", "y", [2, 1])], 60, 70))
    assert "G0" in v["anomaly_types"] and v["valid"] is False
    g0 = [a for a in v["anomalies"] if a["anomaly"] == "G0"][0]
    assert g0["edges"] == ["ww", "ww"] and len(g0["cycle"]) == 2


def test_g1c_circular_information_flow():
    v = serial(txn([("append", "x", 1), ("r", "y", [1])], 0, 50), txn([("append", "y", 1), ("r", "x", [1])], 0, 50))
    assert v["anomaly_types"] == ["G1c"]
    assert sorted(v["anomalies"][0]["edges"]) == ["wr", "wr"]


def test_g_single_read_skew():
    v = serial(txn([("append", "x", 1), ("append", "y", 1)], 0, 50), txn([("r", "x", [1]), ("r", "y", None)], 0, 50),
               txn([("r", "y", [1])], 60, 70))
    assert v["anomaly_types"] == ["G-single"]
    assert sorted(v["anomalies"][0]["edges"]) == ["rw", "wr"]


def test_g2_write_skew():
    v = serial(txn([("r", "x", None), ("append", "y", 1)], 0, 50), txn([("r", "y", None), ("append", "x", 1)], 0, 50),
               txn([("r", "x", [1]), ("r", "y", [1])], 60, 70))
    assert v["anomaly_types"] == ["G2"]
    assert v["anomalies"][0]["edges"] == ["rw", "rw"]


def test_g1a_aborted_read():
    v = serial(txn([("append", "x", 1)], 0, 10, "fail"), txn([("r", "x", [1])], 20, 30))
    assert v["anomaly_types"] == ["G1a"] and v["anomalies"][0]["element"] == 1


def test_g1b_intermediate_read():
    v = serial(txn([("append", "x", 1), ("append", "x", 2)], 0, 10), txn([("r", "x", [1])], 0, 30))
    assert "G1b" in v["anomaly_types"]


def test_incompatible_orders_and_duplicates():
    v = serial(txn([("append", "x", 1)], 0, 10), txn([("append", "x", 2)], 0, 10),
               txn([("r", "x", [1, 2])], 20, 30), txn([("r", "x", [2, 1, 2])], 20, 30))
    assert {"incompatible-order", "duplicate-elements"} <= set(v["anomaly_types"])


def test_lost_append():
    v = serial(txn([("append", "x", 1)], 0, 10), txn([("append", "x", 2)], 20, 30), txn([("r", "x", [1])], 40, 50))
    assert "lost-append" in v["anomaly_types"]
    lost = [a for a in v["anomalies"] if a["anomaly"] == "lost-append"][0]
    assert lost["element"] == 2 and lost["key"] == "x"


def test_unknown_transactions_count_only_when_seen():
    # never seen: as if it never ran; seen: it committed, and its half-visibility is an anomaly
    assert serial(txn([("append", "x", 1), ("append", "y", 1)], 0, None, "info"),
                  txn([("r", "x", None), ("r", "y", None)], 20, 30))["valid"] is True
    assert serial(txn([("append", "x", 1), ("append", "y", 1)], 0, None, "info"),
                  txn([("r", "x", [1]), ("r", "y", [1])], 20, 30))["valid"] is True
    v = serial(txn([("append", "x", 1), ("append", "y", 1)], 0, None, "info"),
               txn([("r", "x", [1]), ("r", "y", None)], 20, 30), txn([("r", "y", [1])], 40, 50))
    assert v["anomaly_types"] == ["G-single"]


def test_realtime_order():
    calls = (txn([("append", "x", 1)], 0, 10), txn([("append", "x", 2)], 20, 30), txn([("r", "x", [2, 1])], 40, 50))
    assert serial(*calls, realtime=False)["valid"] is True   # serializable: T2 before T1 is a legal order
    v = serial(*calls)                                        # strict: T1 returned before T2 began
    assert "G0-realtime" in v["anomaly_types"]


def test_whole_history_verdict():
    events = history(("write", "r0", 1, 0, 10, "ok"), ("read", "r0", 1, 20, 30, "ok"),
                     ("add", "c0", 2, 0, 10, "ok"), ("read", "c0", 2, 20, 30, "ok"),
                     txn([("append", "t0", 1)], 0, 10), txn([("r", "t0", [1])], 20, 30))
    v = checkers.check_events(events)
    assert v["valid"] is True and v["register"]["ops"] == 2 and v["counter"]["reads"] == 1 and v["txn"]["ops"] == 2
    events[-1]["value"] = [["r", "t0", None]]  # the acknowledged append lost
    assert checkers.check_events(events)["valid"] is False
