#!/usr/bin/python3
"""Runs the consistency workload against ddbd under faults and checks the history.

  tests/consistency/run.py --seconds 40 --clients 8 --faults kill,stop,disk      (the ctest size)
  tests/consistency/run.py --minutes 10 --clients 16 --faults kill,stop,disk     (by hand)
  tests/consistency/run.py --endpoint http://127.0.0.1:8000 --faults none        (a running server)
  tests/consistency/run.py --backend rados --ceph-dir DIR --seconds 60           (RADOS, 3 gateways)
  tests/consistency/run.py --backend rados --minutes 10 --clients 16             (by hand: its own cluster)

Starts `$DDBD_BIN --data-dir DIR --admin` (RocksDB) unless --endpoint is given (then no faults), or
with --backend rados --gateways N gateways on a pool namespace of the loopback cluster that
deploy/ceph-cluster.sh started under --ceph-dir (without it, one started and stopped here; rados.py
has the faults: kill, stop, osd, partition), runs the clients with the nemesis, each call to any of
the endpoints, heals, reads every key once more, writes history.jsonl and verdict.json (and on
RADOS gateways.log) into a fresh directory under --out, and prints the verdict's summary. Exit
status: 0 valid, 1 an anomaly, 2 undecided (the search gave up) or the run itself failed. The
directory is removed when the run is valid, unless --keep.

Known violations, which the checker must catch (--expect-anomaly NAME,... turns that into the exit
status: 0 only if the verdict has them all):
  --inject stale-read  the clients answer some reads with an earlier answer to the same request
                       (a fake stale replica between client and server)
  --inject amnesia     ddbd runs --in-memory, so each kill -9 loses every acknowledged write (the
                       durability the default mode promises, broken)
and three builds of ddbd broken on purpose (DDBD_BUG, server/base/faults.h), on a data directory:
  --inject unsynced-ack      acknowledged item writes skip the write-ahead log: kill -9 loses them
  --inject unlocked-commit   a commit's read, decision and write hold no locks: conditions (CAS), ADD
                             and transactions race
  --inject torn-transaction  a transaction's writes land one at a time: a TransactGetItems sees half
"""
BUGS = ("unsynced-ack", "unlocked-commit", "torn-transaction")
import argparse
import itertools
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time

from client import DEFINITE, Client
import checkers
import history
import workload
from nemesis import FAULTS, Nemesis, RocksServer
import netns
import promises
import rados


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=40)
    p.add_argument("--minutes", type=float, help="overrides --seconds")
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--backend", choices=("rocksdb", "rados"), default="rocksdb")
    p.add_argument("--faults", help="comma-separated, or none; rocksdb: %s (the default: all); rados: %s (all)"
                   % (",".join(FAULTS), ",".join(rados.FAULTS)))
    p.add_argument("--interval", type=float, default=4.0, help="mean seconds between faults")
    p.add_argument("--hold", type=float, default=1.5, help="mean seconds a fault is held (RADOS: stop and "
                   "partition at least the lease and a second)")
    p.add_argument("--timeout", type=float, default=1.0, help="client timeout, seconds")
    p.add_argument("--seed", type=int, default=int(os.environ.get("DDBD_CONSISTENCY_SEED", "1")))
    p.add_argument("--endpoint", action="append", help="drive these endpoints instead of starting ddbd")
    p.add_argument("--out", default=tempfile.gettempdir(), help="where the run's directory goes")
    p.add_argument("--keep", action="store_true", help="keep the history and verdict even when valid")
    p.add_argument("--inject", choices=("stale-read", "amnesia") + BUGS, help="a known violation the checker must catch")
    p.add_argument("--expect-anomaly", default="", help="exit 0 only if the verdict has these anomalies (comma-separated)")
    p.add_argument("--no-realtime", action="store_true", help="check serializability, not strict")
    r = p.add_argument_group("rados")
    r.add_argument("--gateways", type=int, default=3)
    r.add_argument("--ceph-dir", help="the directory of a running deploy/ceph-cluster.sh cluster (default: start one)")
    r.add_argument("--pool", help="POOL/NAMESPACE (default: ddbd/consistency-PID)")
    r.add_argument("--lease-ms", type=int, default=2000, help="the gateways' intent and task leases")
    r.add_argument("--token-timeout", type=float, default=0.3, help="the token workload's client timeout, "
                   "seconds (promises.py: a call that outlasts it is sent again to the next gateway)")
    r.add_argument("--token-delay-ms", type=int, default=600, help="the first gateway holds every transaction "
                   "this long after deciding (delay point transact-before-commit; 0: none), past --token-timeout "
                   "and within --timeout")
    a = p.parse_args(argv)
    if a.minutes:
        a.seconds = a.minutes * 60
    known = rados.FAULTS if a.backend == "rados" else FAULTS
    a.faults = list(known) if a.faults is None else [] if a.faults == "none" else a.faults.split(",")
    for f in a.faults:
        if f not in known:
            p.error("unknown fault %r on %s (known: %s)" % (f, a.backend, ", ".join(known)))
    if a.backend == "rados" and (a.inject in ("amnesia",) + BUGS or a.endpoint):
        p.error("--backend rados starts its gateways and takes no --endpoint, --inject amnesia or a bug")
    if a.endpoint and a.inject in BUGS:
        p.error("--inject %s arms the bug in the ddbd it starts: not with --endpoint" % a.inject)
    a.pool = a.pool or "ddbd/consistency-%d" % os.getpid()
    return a


class Worker(threading.Thread):
    """One client thread: draws operations and records each call. After an unknown outcome its
    process is retired (the call may still land) and it goes on as a new one, after a pause."""

    def __init__(self, n, args, endpoints, rec, stop, procs):
        super().__init__(daemon=True)
        self.rng = random.Random(args.seed * 1000 + n)
        self.seed = args.seed * 1000 + n
        self.clients = [Client(e, args.timeout, 0.05 if args.inject == "stale-read" else 0.0, self.rng.random())
                        for e in endpoints]
        # with several gateways, issue 50's workloads too (promises.py), the tokens' calls on short timeouts
        self.promises = args.backend == "rados"
        self.token_clients = [Client(e, args.token_timeout) for e in endpoints] if self.promises else []
        self.rec, self.halt, self.procs = rec, stop, procs

    def draw(self):
        r = self.rng.random()
        if self.promises and r < 0.2:
            return promises.bank_ops(self.rng)
        if self.promises and r < 0.3:
            return [promises.token_append(self.rng, self.seed)]
        return [workload.next_op(self.rng)]

    def token_call(self, process, spec):
        """A token's append, sent again, same token, to the next gateway while its outcome is unknown
        (or the call with the token still runs there): (status, the process it ended on)."""
        first = self.rng.randrange(len(self.token_clients))
        for attempt in range(promises.TOKEN_TRIES):
            out = call_outcome(self.token_clients[(first + attempt) % len(self.token_clients)], process, spec,
                               self.rec)
            if not promises.retry_token(out.status, out.error) or self.halt.is_set():
                break
            process = next(self.procs) if out.status == "info" else process
            self.halt.wait(0.05)
        return status_of(out), process

    def run(self):
        process = next(self.procs)
        while not self.halt.is_set():
            for spec in self.draw():
                if spec[0]["f"] == "tappend":
                    status, process = self.token_call(process, spec)
                else:
                    status = call(self.rng.choice(self.clients), process, spec, self.rec)
                if status in ("info", "down"):  # the server is away: do not spin
                    process = next(self.procs) if status == "info" else process
                    self.halt.wait(0.05 + 0.1 * self.rng.random())
        for c in self.clients + self.token_clients:
            c.close()


def call_outcome(client, process, spec, rec):
    invoke, op, body, read = spec
    rec.add(type="invoke", process=process, node=client.endpoint, **invoke)
    out = client.call(op, body)
    if out.status == "ok":
        rec.add(type="ok", process=process, f=invoke["f"], key=invoke.get("key"), value=read(out.body))
    else:
        rec.add(type=out.status, process=process, f=invoke["f"], key=invoke.get("key"), error=out.error)
    return out


def status_of(out):
    return "down" if (out.error or "").startswith("connect") else out.status


def call(client, process, spec, rec):
    return status_of(call_outcome(client, process, spec, rec))


def final_reads(endpoint, rec, procs, deadline, more=()):
    """Every key once more, retried until it answers (reads change nothing)."""
    client = Client(endpoint, timeout=5.0)
    for spec in workload.final_reads() + list(more):
        while call(client, next(procs), spec, rec) != "ok":
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not answer the final reads")
            time.sleep(0.2)
    client.close()


def setup(endpoint, with_promises=False):
    client = Client(endpoint, timeout=10.0)
    out = client.call("CreateTable", workload.create_table_body())
    if out.status != "ok" and "ResourceInUseException" not in (out.error or ""):
        raise RuntimeError("CreateTable: %s" % out.error)
    for op, body in promises.setup_bodies() if with_promises else ():
        for _ in range(20):  # the table may take a moment to be every gateway's
            if (out := client.call(op, body)).status == "ok":
                break
            time.sleep(0.25)
        else:
            raise RuntimeError("%s: %s" % (op, out.error))


def workload_run(args, endpoints, server, rec):
    counter = itertools.count()  # process ids (next() on it is atomic in CPython)
    stop = threading.Event()
    workers = [Worker(n, args, endpoints, rec, stop, counter) for n in range(args.clients)]
    nem = Nemesis(server, args.faults, random.Random(args.seed), rec, args.interval, args.hold,
                  client_timeout=args.timeout) if server else None
    for w in workers:
        w.start()
    if nem:
        nem.start()
    time.sleep(args.seconds)
    if nem:
        nem.halt.set()
        nem.join()
    stop.set()
    for w in workers:
        w.join()
    if nem and nem.error:
        raise RuntimeError("nemesis: %s" % nem.error)
    final_reads(endpoints[0], rec, counter, time.monotonic() + 30,
                promises.final_reads() if args.backend == "rados" else ())
    return nem.count if nem else {}


def start_rados(args, run_dir):
    """The cluster and the gateways; the partition fault dropped, with the reason, where no network
    namespace can be made."""
    cluster = rados.Cluster(args.ceph_dir, run_dir)
    try:
        try:
            return cluster, rados.RadosSystem(cluster, args.gateways, args.pool, "partition" in args.faults,
                                              args.lease_ms, args.token_delay_ms)
        except netns.Unavailable as e:
            print("skipped fault partition: %s" % e, flush=True)
            args.faults.remove("partition")
            return cluster, rados.RadosSystem(cluster, args.gateways, args.pool, False, args.lease_ms,
                                              args.token_delay_ms)
    except BaseException:
        cluster.stop()
        raise


def summary(verdict, faults):
    reg, cnt, txn = verdict["register"], verdict["counter"], verdict["txn"]
    text = ("valid=%s  calls %s  faults %s\n  registers: %d ops on %d keys linearizable=%s\n"
            "  counters: %d ops, %d reads in bounds=%s\n  transactions: %d (%d committed) serializable=%s %s"
            % (verdict["valid"], json.dumps(verdict["calls"]), json.dumps(faults), reg["ops"], reg["keys"],
               reg["valid"], cnt["ops"], cnt["reads"], cnt["valid"], txn["ops"], txn["committed"], txn["valid"],
               " ".join(txn["anomaly_types"])))
    if "promises" in verdict:
        p = verdict["promises"]
        text += ("\n  tokens: %d appends (%d calls, %d acknowledged) applied once=%s\n"
                 "  transfers there and back: %d committed, %d audits adding up=%s"
                 % (p["tokens"], p["token_calls"], p["tokens_acked"],
                    not any(e["anomaly"].startswith("token") for e in p["errors"]), p["transfers"], p["audits"],
                    not any(e["anomaly"] == "audit-sum" for e in p["errors"])))
    return text


def first_failures(verdict):
    """The first failure of each workload, one line each (verdict.json has them all)."""
    for part, field in (("register", "failures"), ("counter", "errors"), ("txn", "anomalies"), ("promises", "errors")):
        for f in verdict.get(part, {}).get(field, [])[:1]:
            yield "%s: %s" % (part, json.dumps(f)[:600])


def unexpected_failures(events):
    """Failures no fault explains (a 400 the workload should never get): the run is then wrong."""
    return sorted({e["error"] for e in events if e.get("type") == "fail"
                   and not e["error"].startswith("connect") and not e["error"].split(":")[0].endswith(DEFINITE)})


def anomalies(verdict):
    names = {f.get("anomaly", "undecided") for f in verdict["register"]["failures"]}
    names |= {e["anomaly"] for e in verdict["counter"]["errors"]}
    names |= {e["anomaly"] for e in verdict.get("promises", {}).get("errors", [])}
    return names | set(verdict["txn"]["anomaly_types"])


def main(argv):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    run_dir = tempfile.mkdtemp(prefix="consistency-seed%d-" % args.seed, dir=args.out)
    where = "%d gateways on %s" % (args.gateways, args.pool) if args.backend == "rados" else args.backend
    print("consistency: seed %d, %d clients, %.0f s, %s, faults %s; run directory %s"
          % (args.seed, args.clients, args.seconds, where, ",".join(args.faults) or "none", run_dir), flush=True)
    rec, server, cluster = history.Recorder(), None, None
    try:
        if args.endpoint:
            endpoints = args.endpoint
        elif args.backend == "rados":
            cluster, server = start_rados(args, run_dir)
            endpoints = server.endpoints
        else:
            amnesia = args.inject == "amnesia"
            server = RocksServer(os.path.join(run_dir, "data"), amnesia, setup if amnesia else None,
                                 bug=args.inject if args.inject in BUGS else None)
            endpoints = [server.endpoint]
        setup(endpoints[0], args.backend == "rados")
        faults = workload_run(args, endpoints, server if not args.endpoint else None, rec)
    finally:
        rec.dump(os.path.join(run_dir, "history.jsonl"))
        if server:
            server.stop()
        if cluster:
            server.save_logs(os.path.join(run_dir, "gateways.log"))
            cluster.stop()
    verdict = checkers.check_events(rec.events, realtime=not args.no_realtime)
    verdict["faults"], verdict["seed"] = faults, args.seed
    if cluster:  # did the faults reach transactions in flight? others then finished or undid them
        verdict["recoveries"] = server.recoveries()
    verdict["unexpected_failures"] = unexpected_failures(rec.events)
    if verdict["unexpected_failures"]:
        verdict["valid"] = None
    with open(os.path.join(run_dir, "verdict.json"), "w") as f:
        json.dump(verdict, f, indent=1)
    print(summary(verdict, faults))
    if "recoveries" in verdict:
        print("  transactions resolved by another gateway than their own: %(rolled_back)d rolled back (pending "
              "past the lease), %(rolled_forward)d rolled forward (committed, not all applied)" % verdict["recoveries"])
    for error in verdict["unexpected_failures"][:5]:
        print("  unexpected failure (the workload is wrong): %s" % error)
    for line in first_failures(verdict):
        print("  " + line)
    found = anomalies(verdict)
    if args.expect_anomaly:
        ok = set(args.expect_anomaly.split(",")) <= found
        print("expected anomalies %s: %s (found: %s)" % (args.expect_anomaly, "caught" if ok else "MISSED",
                                                        ", ".join(sorted(found)) or "none"))
        code = 0 if ok else 1
    else:
        code = 0 if verdict["valid"] else 1 if verdict["valid"] is False else 2
    if code == 0 and not args.keep:
        shutil.rmtree(run_dir)
    else:
        print("history and verdict kept in %s (history.jsonl, verdict.json)" % run_dir)
    print("%s: %d operations checked, faults %s" % ({0: "passed", 1: "FAILED"}.get(code, "UNDECIDED"),
                                                  sum(verdict["calls"].values()), json.dumps(faults)))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
