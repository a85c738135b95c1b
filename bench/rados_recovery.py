#!/usr/bin/env python3
"""How long ddbd on RADOS takes to recover from a gateway or an OSD killed under load
(docs/scale-out.md, "Scale-out figures"; bench/README.md, "RADOS").

usage: bench/rados_recovery.py [--ceph-dir DIR] [--clients N] [--rounds R] [--observe S]
                               [--faults "gateway osd"]

Two gateways on a pool namespace of deploy/ceph-cluster.sh's loopback cluster (started in a
temporary directory and stopped at the end, or the one already running under --ceph-dir), a table
of 1,000 items, and N client threads (default 8), half on each gateway, each sending in a loop a
PutItem (50%), a GetItem (25%) or a TransactWriteItems of 2-4 Puts (25%) on random keys. A client
whose gateway is gone (refused, reset) moves to the other and sends the request again; one that
gets TransactionConflict sends it again after 10 ms. Every answer is time-stamped, and each
round injects, with the fault helpers of tests/consistency/ (rados.py's Cluster, the compat
suite's DdbdServer):

  gateway  kill -9 of the gateway that holds the background work's lease (lease/tasks), at a
           random moment. Measured: the longest gap between two answers after the kill (the
           stall), the longest time a request that the dead gateway's clients sent again to the
           survivor took from its first failure to its answer (items a pending intent of the dead
           gateway holds are writable once the intent lease, 5 s, has passed and the survivor
           rolls the intent back), the time until the survivor logs that it holds lease/tasks,
           and the time until the throughput is back (below). The dead gateway is started again.
  txn      the same, at the worst moment: the other gateway, started again with the crash point
           rados-txn-before-commit armed, dies in its first TransactWriteItems with every item
           marked and the intent pending (so its retry on the survivor waits out the lease).
  osd      kill -9 of one OSD of three (pool size 3, min_size 2): the stall, the time until the
           throughput is back; then the OSD is started again (memstore: empty, refilled by its
           peers), the same figures for its return, and the time until every placement group is
           active+clean.

"Back to steady": the end of the last 1 s window after the fault with fewer than half the answers
of the median 1 s window of the observation's last 5 s (the new steady state: one gateway instead
of two, or two copies of each object instead of three); 0 when there was none. Run it with the
Python of the compat suite (/usr/bin/python3 here: it imports its conftest, hence pytest). Prints one line per
fault and round, and the medians.
"""
import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("DDBD_BIN", os.path.join(HERE, "..", "build", "ddbd"))  # the compat suite's server binary
sys.path.insert(0, os.path.join(HERE, "..", "tests", "consistency"))
from client import Client, DdbdServer  # noqa: E402
from rados import Cluster  # noqa: E402

KEYS = 1000
TABLE = "recovery"


def item(k, v):
    return {"pk": {"S": "k%04d" % k}, "v": {"N": str(v)}, "pad": {"S": "x" * 100}}


class Load:
    """N client threads on the gateways' endpoints; answers time-stamped in self.done."""

    def __init__(self, endpoints, n, seed):
        self.endpoints, self.stop_flag = list(endpoints), threading.Event()
        self.done = []          # monotonic times of successful answers (list.append is atomic)
        self.inflight = {}      # thread -> (endpoint, keys) of the request it is waiting for
        self.errors = {}
        self.failover = []      # (first failure, success) of each request sent again to another gateway
        self.threads = [threading.Thread(target=self.run, args=(i, seed + i), daemon=True) for i in range(n)]

    def start(self):
        for t in self.threads:
            t.start()

    def stop(self):
        self.stop_flag.set()
        for t in self.threads:
            t.join()

    def run(self, i, seed):
        rnd = random.Random(seed)
        home = self.endpoints[i % len(self.endpoints)]
        c = Client(home, timeout=30.0)
        while not self.stop_flag.is_set():
            r = rnd.random()
            if r < 0.5:
                k = rnd.randrange(KEYS)
                op, body, keys = "PutItem", {"TableName": TABLE, "Item": item(k, rnd.randrange(1 << 30))}, [k]
            elif r < 0.75:
                k = rnd.randrange(KEYS)
                op, body, keys = "GetItem", {"TableName": TABLE, "Key": {"pk": {"S": "k%04d" % k}}}, []
            else:
                keys = rnd.sample(range(KEYS), rnd.randint(2, 4))
                op, body = "TransactWriteItems", {"TransactItems": [
                    {"Put": {"TableName": TABLE, "Item": item(k, rnd.randrange(1 << 30))}} for k in keys]}
            failed = None
            while not self.stop_flag.is_set():
                self.inflight[i] = (c.endpoint, keys)
                out = c.call(op, body)
                self.inflight.pop(i, None)
                if out.status == "ok":
                    self.done.append(time.monotonic())
                    if failed is not None:
                        self.failover.append((failed, self.done[-1]))
                    break
                err = out.error or ""
                if "Conflict" in err or "TransactionInProgress" in err:
                    time.sleep(0.01)
                    continue
                if err.startswith("connect") or out.status == "info" and not err[:1].isdigit():
                    # the gateway is gone: the other one, the same request again
                    others = [e for e in self.endpoints if e != c.endpoint]
                    failed = time.monotonic() if failed is None else failed
                    c.close()
                    if others:
                        c = Client(others[0], timeout=30.0)
                    time.sleep(0.01)
                    continue
                self.errors[err[:80]] = self.errors.get(err[:80], 0) + 1
                break


def rate(done, lo, hi):
    return sum(1 for t in done if lo <= t < hi) / (hi - lo)


def stall(done, t0, t1):
    """The longest gap between successive answers in [t0, t1] (from t0)."""
    ts = sorted(t for t in done if t0 <= t <= t1) + [t1]
    prev, gap = t0, 0.0
    for t in ts:
        gap, prev = max(gap, t - prev), t
    return gap


def timeline(done, t0, t1):
    """Answers in each second from t0 (the log's record of the recovery)."""
    return [sum(1 for t in done if t0 + j <= t < t0 + j + 1) for j in range(int(t1 - t0))]


def back_to_steady(done, t0, t1):
    """Seconds from t0 to the end of the last 1 s window (from t0 on) under half the median 1 s rate of
    [t1 - 5, t1] (0: none), and that rate."""
    ref = statistics.median(rate(done, t1 - 5 + j * 0.5, t1 - 4 + j * 0.5) for j in range(9))
    last, t = 0.0, t0
    while t + 1 <= t1:
        if rate(done, t, t + 1) < 0.5 * ref:
            last = t + 1 - t0
        t += 0.1
    return last, ref


def lease_holder(gws):
    """The gateway whose log says last that it holds lease/tasks."""
    best, at = None, -1
    for g in gws:
        text = g.stderr_text()
        i = text.rfind("holds lease/tasks")
        if i >= 0 and text.rfind("lease/tasks was lost") < i and i > at:
            best, at = g, i
    return best


def wait_for(pred, deadline, step=0.05):
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return False


def pg_clean_time(cluster, t0, deadline):
    """Seconds from t0 until every OSD is up and every placement group active+clean."""
    try:
        cluster.wait_clean(deadline)
        return time.monotonic() - t0
    except RuntimeError:
        return None


def fmt(x, unit="s"):
    return "-" if x is None else "%.2f %s" % (x, unit)


def gateway_round(gws, load, observe, start_gateway, armed):
    """`armed`: the gateway started with a crash point, which dies by itself; else the lease holder
    is killed."""
    if armed is not None:
        victim = armed
        if not wait_for(lambda: victim.proc.poll() is not None, time.monotonic() + 30, 0.005):
            raise RuntimeError("the armed gateway did not reach its crash point in 30 s")
        t0, base = time.monotonic(), None
    else:
        victim = lease_holder(gws) or gws[0]
        time.sleep(3)  # steady with both
        base = rate(load.done, time.monotonic() - 3, time.monotonic())
        t0 = time.monotonic()
        victim.kill()
    survivor = gws[1] if victim is gws[0] else gws[0]
    before = len(survivor.stderr_text())
    lease_at = [None]

    def lease_taken():
        if "holds lease/tasks" in survivor.stderr_text()[before:]:
            lease_at[0] = time.monotonic() - t0
            return True
        return False

    if armed is None:
        wait_for(lease_taken, t0 + observe, 0.1)
    time.sleep(max(0.0, t0 + observe - time.monotonic()))
    t1 = time.monotonic()
    back, ref = back_to_steady(load.done, t0, t1)
    moved = [ok - failed for failed, ok in load.failover if failed >= t0 - 1]
    res = {"fault": "txn" if armed is not None else "gateway", "rate_before": base, "rate_after": ref,
           "stall_s": stall(load.done, t0, t1), "back_to_steady_s": back, "moved": len(moved),
           "moved_max_s": max(moved) if moved else None, "lease_taken_s": lease_at[0],
           "per_second": timeline(load.done, t0, t1)}
    # the dead gateway comes back (its clients stay on the survivor), and opens the pool again
    idx = gws.index(victim)
    gws[idx] = start_gateway(victim.port)
    res["restart_s"] = gws[idx].started_in
    return res


def osd_round(cluster, load, observe):
    osd = cluster.osds[-1]
    time.sleep(3)
    base = rate(load.done, time.monotonic() - 3, time.monotonic())
    t0 = time.monotonic()
    cluster.kill_osd(osd)
    time.sleep(observe)
    t1 = time.monotonic()
    back, ref = back_to_steady(load.done, t0, t1)
    res = {"fault": "osd", "rate_before": base, "rate_after": ref, "stall_s": stall(load.done, t0, t1),
           "back_to_steady_s": back, "per_second": timeline(load.done, t0, t1)}
    t2 = time.monotonic()
    cluster.start_osd(osd)
    res["clean_s"] = pg_clean_time(cluster, t2, t2 + 120)
    time.sleep(max(0.0, t2 + observe - time.monotonic()))
    t3 = time.monotonic()
    back2, ref2 = back_to_steady(load.done, t2, t3)
    res.update({"return_per_second": timeline(load.done, t2, t3), "return_stall_s": stall(load.done, t2, t3),
                "return_back_to_steady_s": back2, "rate_returned": ref2})
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ceph-dir", help="a cluster deploy/ceph-cluster.sh started (default: one of its own)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--observe", type=float, default=15.0, help="seconds watched after each fault")
    ap.add_argument("--faults", default="gateway txn osd")
    a = ap.parse_args()
    scratch = tempfile.mkdtemp(prefix="ddbd-recovery-")
    cluster = Cluster(a.ceph_dir, scratch)
    pool = "ddbd/recovery-%d" % os.getpid()
    args = ["--backend", "rados", "--rados-conf", cluster.conf, "--rados-pool", pool]

    def start_gateway(port=None, env=None):
        t = time.monotonic()
        g = DdbdServer(args, port=port, env=env).start(timeout=60)
        g.started_in = time.monotonic() - t
        return g

    gws, load, results = [], None, []
    try:
        gws.append(start_gateway())
        c = Client(gws[0].endpoint, timeout=30.0)
        r = c.call("CreateTable", {"TableName": TABLE, "BillingMode": "PAY_PER_REQUEST",
                                   "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                                   "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]})
        assert r.status == "ok", r.error
        for lo in range(0, KEYS, 25):
            r = c.call("BatchWriteItem", {"RequestItems": {TABLE: [
                {"PutRequest": {"Item": item(k, 0)}} for k in range(lo, min(KEYS, lo + 25))]}})
            assert r.status == "ok" and not r.body.get("UnprocessedItems"), r.error or r.body
        gws.append(start_gateway())
        wait_for(lambda: lease_holder(gws) is not None, time.monotonic() + 15)
        print("gateways %s, %d clients, %d items; cluster %s" % (
            " ".join(g.endpoint for g in gws), a.clients, KEYS, cluster.dir), file=sys.stderr)
        for rnd in range(a.rounds):
            for fault in a.faults.split():
                armed = None
                if fault == "txn":  # the gateway not holding the lease, armed
                    idx = 1 if lease_holder(gws) is gws[0] else 0
                    gws[idx].stop()
                    gws[idx] = armed = start_gateway(gws[idx].port, {"DDBD_CRASH_POINT": "rados-txn-before-commit"})
                load = Load([g.endpoint for g in gws], a.clients, 1000 * rnd)
                load.start()
                try:
                    if fault in ("gateway", "txn"):
                        res = gateway_round(gws, load, a.observe, start_gateway, armed)
                    else:
                        res = osd_round(cluster, load, a.observe)
                finally:
                    load.stop()
                res["round"], res["errors"] = rnd + 1, load.errors
                results.append(res)
                print(json.dumps(res), file=sys.stderr)
    finally:
        if load is not None:
            load.stop()
        for g in gws:
            g.stop()
        cluster.stop()
        shutil.rmtree(scratch, ignore_errors=True)

    def med(fault, key):
        xs = [r[key] for r in results if r["fault"] == fault and r.get(key) is not None]
        return statistics.median(xs) if xs else None

    print("medians of %d rounds (%d clients; the machine's %d cores shared by the cluster, the gateways and the"
          " clients)" % (a.rounds, a.clients, os.cpu_count()))
    print()
    for fault, title in (("gateway", "gateway holding lease/tasks killed (kill -9, of 2) at a random moment"),
                         ("txn", "gateway dead in a TransactWriteItems (crash point rados-txn-before-commit)")):
        if not any(r["fault"] == fault for r in results):
            continue
        print("| %s | |" % title)
        print("|---|---:|")
        if fault == "gateway":
            print("| answers/s before, with 2 gateways | %.0f |" % med(fault, "rate_before"))
        print("| answers/s after, on the survivor | %.0f |" % med(fault, "rate_after"))
        print("| longest gap between answers (stall) | %s |" % fmt(med(fault, "stall_s")))
        print("| throughput back to steady | %s |" % fmt(med(fault, "back_to_steady_s")))
        print("| requests of the dead gateway sent again to the survivor | %s |" % med(fault, "moved"))
        print("| ... the slowest answered after its first failure | %s |" % fmt(med(fault, "moved_max_s")))
        if fault == "gateway":
            print("| survivor holds lease/tasks | %s |" % fmt(med(fault, "lease_taken_s")))
        print("| the dead gateway started again, serving | %s |" % fmt(med(fault, "restart_s")))
        print()
    if any(r["fault"] == "osd" for r in results):
        print("| OSD killed (kill -9, 1 of 3), then started again | |")
        print("|---|---:|")
        print("| answers/s before | %.0f |" % med("osd", "rate_before"))
        print("| answers/s after, on 2 OSDs | %.0f |" % med("osd", "rate_after"))
        print("| kill: longest gap between answers (stall) | %s |" % fmt(med("osd", "stall_s")))
        print("| kill: throughput back to steady | %s |" % fmt(med("osd", "back_to_steady_s")))
        print("| return: longest gap between answers | %s |" % fmt(med("osd", "return_stall_s")))
        print("| return: throughput back to steady | %s |" % fmt(med("osd", "return_back_to_steady_s")))
        print("| return: every placement group active+clean | %s |" % fmt(med("osd", "clean_s")))
    errs = {}
    for r in results:
        for k, v in r["errors"].items():
            errs[k] = errs.get(k, 0) + v
    if errs:
        print()
        print("answers that were neither success, conflict nor a gone gateway: %s" % errs)


if __name__ == "__main__":
    main()
