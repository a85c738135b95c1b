#!/usr/bin/python3
"""Backfill rate of a new GSI, side by side: UpdateTable GlobalSecondaryIndexUpdates Create on a
loaded table, DescribeTable polled until the index is ACTIVE.

    bench/backfill.py [--items 100000] [--threads 4] [--rounds 3] [--poll 0.005] NAME=ENDPOINT[:PID] ...
    bench/backfill.py --start ddbd,ddblocal,dynalite [--bin build-bench/ddbd] [--items N] ...

Per server: a fresh table `bench_backfill` (hash key pk S, PAY_PER_REQUEST) is loaded with N items
of ~200 B (pk, grp = "g#<i % 100>", ts, n, pad) by --threads threads doing BatchWriteItem (25 items,
UnprocessedItems retried). Then, per round, UpdateTable creates GSI by_grp (hash grp, range ts,
projection ALL) and DescribeTable is polled every --poll seconds until IndexStatus is ACTIVE.
backfill items/s = N / (time from sending UpdateTable to the first ACTIVE answer). The index is
then checked: Query with Select COUNT on each of the 100 grp values must add up to N.

The polls are not free: a server that counts the items for ItemCount on every DescribeTable spends
tens of milliseconds per call on a 100k-item table. So the server CPU (from /proc/PID/stat, whole
process tree; only when a PID is known) comes from a second, unpolled build in each round: the index
is deleted, the server left to settle, the index created again, and DescribeTable first asked after
1.2 x the timed build's duration, then every 0.1 s. CPU µs per item = (server CPU over that build -
those few polls x the CPU of one DescribeTable, measured on the loaded table at the end) / N.
Between builds the index is deleted (UpdateTable Delete) and the script waits until it is gone and
the server is idle.

With --start the script starts each server itself, one at a time on a free loopback port (ddbd with
--in-memory from --bin or $DDBD_BIN; the peers with ../shared/peers/peer), and stops it when done,
so only the server under test runs. Otherwise it uses running servers; give the PID for CPU figures.

Needs Debian's python3 with boto3 (python3-boto3); the shebang is /usr/bin/python3.
"""
import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from wrkcpu import tree_cpu_ticks, TCK  # noqa: E402

TABLE = "bench_backfill"
GROUPS = 100
PAD = "abcdefghijklmnopqrstuvwxyz0123456789" * 5


def client(endpoint):
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                        config=Config(retries={"mode": "standard", "max_attempts": 5},
                                      max_pool_connections=4, read_timeout=300, connect_timeout=10))


def item(i):
    return {"pk": {"S": "item#%07d" % i}, "grp": {"S": "g#%d" % (i % GROUPS)}, "ts": {"S": "t#%07d" % i},
            "n": {"N": str(i)}, "pad": {"S": PAD[i % 36:i % 36 + 150]}}


def describe(c):
    return c.describe_table(TableName=TABLE)["Table"]


def fresh_table(c):
    try:
        c.delete_table(TableName=TABLE)
    except ClientError as e:
        if e.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
    t0 = time.monotonic()
    while True:
        try:
            describe(c)
        except ClientError as e:
            if e.response["Error"]["Code"] == "ResourceNotFoundException":
                break
            raise
        if time.monotonic() - t0 > 120:
            raise TimeoutError("old table not deleted after 120 s")
        time.sleep(0.05)
    c.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    while describe(c)["TableStatus"] != "ACTIVE":
        time.sleep(0.02)


def load(endpoint, n, threads):
    errors = []

    def work(lo, hi):
        c = client(endpoint)
        try:
            for s in range(lo, hi, 25):
                pending = {TABLE: [{"PutRequest": {"Item": item(i)}} for i in range(s, min(s + 25, hi))]}
                delay = 0.01
                while pending:
                    pending = c.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
                    if pending:
                        time.sleep(delay)
                        delay = min(2 * delay, 1.0)
        except Exception as e:  # noqa: BLE001  (reported, fails the run)
            errors.append(e)

    step = -(-n // threads)
    step += -step % 25
    ts = [threading.Thread(target=work, args=(lo, min(lo + step, n))) for lo in range(0, n, step)]
    t0 = time.monotonic()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        raise RuntimeError(f"load failed: {errors[0]}")
    return time.monotonic() - t0


def index_desc(d, name):
    return next((g for g in d.get("GlobalSecondaryIndexes", []) if g["IndexName"] == name), None)


def create_index(c, name, notes):
    upd = {"Create": {"IndexName": name,
                      "KeySchema": [{"AttributeName": "grp", "KeyType": "HASH"},
                                    {"AttributeName": "ts", "KeyType": "RANGE"}],
                      "Projection": {"ProjectionType": "ALL"}}}
    ad = [{"AttributeName": "grp", "AttributeType": "S"}, {"AttributeName": "ts", "AttributeType": "S"}]
    try:
        c.update_table(TableName=TABLE, AttributeDefinitions=ad, GlobalSecondaryIndexUpdates=[upd])
    except ClientError as e:
        msg = e.response["Error"].get("Message", "")
        if e.response["Error"]["Code"] == "ValidationException" and "provisionedThroughput" in msg.replace("Provisioned", "provisioned"):
            # dynalite 4.0.0 wants ProvisionedThroughput in Create even on a PAY_PER_REQUEST table
            notes.add(f"UpdateTable Create without ProvisionedThroughput was rejected ({msg[:120]}); "
                      "retried with ProvisionedThroughput 1000/1000")
            upd["Create"]["ProvisionedThroughput"] = {"ReadCapacityUnits": 1000, "WriteCapacityUnits": 1000}
            c.update_table(TableName=TABLE, AttributeDefinitions=ad, GlobalSecondaryIndexUpdates=[upd])
        else:
            raise


def count_index(c, name):
    total = 0
    for g in range(GROUPS):
        kw = {"TableName": TABLE, "IndexName": name, "KeyConditionExpression": "grp = :g",
              "ExpressionAttributeValues": {":g": {"S": "g#%d" % g}}, "Select": "COUNT"}
        while True:
            r = c.query(**kw)
            total += r["Count"]
            if "LastEvaluatedKey" not in r:
                break
            kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]
    return total


def wait_index_gone(c, name, timeout=600):
    t0 = time.monotonic()
    while index_desc(describe(c), name) is not None or describe(c)["TableStatus"] != "ACTIVE":
        if time.monotonic() - t0 > timeout:
            return False
        time.sleep(0.05)
    return True


def describe_cost(c, pid):
    """Server CPU ms and wall ms per DescribeTable call on the loaded table (>= 0.5 s of calls)."""
    if not pid:
        return None, None
    describe(c)
    n, cpu0, t0 = 0, tree_cpu_ticks(pid), time.monotonic()
    while n < 10 or time.monotonic() - t0 < 0.5:
        describe(c)
        n += 1
    wall, cpu1 = time.monotonic() - t0, tree_cpu_ticks(pid)
    return (cpu1 - cpu0) / TCK * 1000 / n, wall * 1000 / n


def settle(pid, timeout=30.0):
    """Wait until the server is idle (at most 1 clock tick of CPU in 0.2 s), e.g. after an index purge."""
    if not pid:
        time.sleep(0.5)
        return
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        c0 = tree_cpu_ticks(pid)
        time.sleep(0.2)
        if tree_cpu_ticks(pid) - c0 <= 1:
            return


def create_and_wait(c, idx, notes, a, poll, first_wait=0.0):
    """UpdateTable Create, then DescribeTable every `poll` s (after `first_wait` s) until ACTIVE.
    Returns (seconds to the first ACTIVE answer or None, polls, transitions, error or None)."""
    polls, seen = 0, []
    t0 = time.monotonic()
    try:
        create_index(c, idx, notes)
    except ClientError as e:
        return None, 0, "", (f"UpdateTable Create: {e.response['Error']['Code']}: "
                             f"{e.response['Error'].get('Message', '')[:200]}")
    if first_wait:
        time.sleep(first_wait)
    while True:
        d = describe(c)
        polls += 1
        g = index_desc(d, idx)
        st = (g.get("IndexStatus"), g.get("Backfilling")) if g else ("(absent)", None)
        now = time.monotonic() - t0
        if not seen or seen[-1][0] != st:
            seen.append((st, now))
        trans = " → ".join(f"{x[0]}{'/backfilling' if x[1] else ''}@{t:.3f}s" for x, t in seen)
        if g and g.get("IndexStatus") == "ACTIVE":
            return now, polls, trans, None
        if g is None and d.get("TableStatus") == "ACTIVE" and now > 10:
            return None, polls, trans, ("UpdateTable Create was accepted, but after 10 s the table is ACTIVE and "
                                        f"DescribeTable lists no index {idx} ({trans})")
        if now > a.timeout:
            return None, polls, trans, f"index not ACTIVE after {a.timeout:.0f} s ({trans})"
        time.sleep(poll)


def drop_index(c, idx, r, notes):
    """Delete the index and wait until DescribeTable no longer lists it; returns the next index name."""
    try:
        c.update_table(TableName=TABLE, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": idx}}])
        if wait_index_gone(c, idx):
            return idx
        notes.add("the deleted index did not disappear within 600 s")
    except ClientError as e:
        notes.add(f"UpdateTable Delete failed ({e.response['Error']['Code']}); the next build uses a new index name")
    return f"by_grp_{r}"


def measure(name, endpoint, pid, a):
    c = client(endpoint)
    notes = set()
    fresh_table(c)
    load_s = load(endpoint, a.items, a.threads)
    print(f"{name}: loaded {a.items} items in {load_s:.1f} s ({a.items / load_s:,.0f} items/s, "
          f"{a.threads} threads)", file=sys.stderr, flush=True)
    rounds = []
    idx = "by_grp"
    for r in range(1, a.rounds + 1):
        # 1. timed build: DescribeTable every --poll s until ACTIVE
        settle(pid)
        t_active, polls, trans, err = create_and_wait(c, idx, notes, a, a.poll)
        if err:
            rounds.append({"error": err, "trans": trans})
            break
        got = count_index(c, idx)
        rec = {"s": t_active, "polls": polls, "trans": trans, "count": got, "cpu_us": None}
        if got != a.items:
            rec["error"] = f"index ACTIVE but Query COUNT over it found {got} of {a.items} items"
        idx = drop_index(c, idx, 2 * r, notes)
        # 2. CPU of a build without the polls: wait 1.2 x the timed build, then poll every 0.1 s;
        #    server CPU over the build minus those few polls (their cost is measured at the end)
        if pid and "error" not in rec:
            settle(pid)
            cpu0 = tree_cpu_ticks(pid)
            t2, polls2, _, err = create_and_wait(c, idx, notes, a, 0.1, first_wait=max(0.05, 1.2 * t_active))
            cpu1 = tree_cpu_ticks(pid)
            if err:
                rec["error"] = "second (unpolled) build: " + err
            else:
                rec.update(cpu_s=(cpu1 - cpu0) / TCK, cpu_polls=polls2)
            if r < a.rounds:
                idx = drop_index(c, idx, 2 * r + 1, notes)
        rounds.append(rec)
        print(f"{name}: round {r}: backfill of {a.items} items {t_active:.3f} s = {a.items / t_active:,.0f} items/s, "
              f"{polls} DescribeTable polls; {trans}; index holds {got}"
              + (f"; unpolled build: server CPU {rec['cpu_s']:.3f} s with {rec['cpu_polls']} polls" if "cpu_s" in rec else "")
              + (f"  INVALID: {rec['error']}" if "error" in rec else ""), file=sys.stderr, flush=True)
    # what one DescribeTable costs on the loaded table with its index ACTIVE (taken out of the CPU figure)
    dcpu, dwall = describe_cost(c, pid) if any("cpu_s" in x for x in rounds) else (None, None)
    for x in rounds:
        if "cpu_s" in x and dcpu is not None:
            x["cpu_us"] = max(0.0, x["cpu_s"] - x["cpu_polls"] * dcpu / 1000) * 1e6 / a.items
    if dcpu is not None:
        print(f"{name}: DescribeTable on the loaded table: {dcpu:.2f} ms server CPU, {dwall:.2f} ms wall per call",
              file=sys.stderr, flush=True)
    try:
        c.delete_table(TableName=TABLE)
    except ClientError:
        pass
    return {"load_s": load_s, "rounds": rounds, "notes": sorted(notes), "describe_ms": (dcpu, dwall)}


# ---------------------------------------------------------------- --start: one server at a time
def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_ready(endpoint, timeout=90):
    c = client(endpoint)
    t0 = time.monotonic()
    while True:
        try:
            c.list_tables()
            return
        except Exception:  # noqa: BLE001
            if time.monotonic() - t0 > timeout:
                raise
            time.sleep(0.1)


class Started:
    def __init__(self, name, a):
        self.name, self.port, self.proc, self.pid = name, free_port(), None, None
        self.peer = os.environ.get("PEER") or os.path.join(
            os.environ.get("BENCH_SHARED", os.path.join(HERE, "..", "..", "shared", "bench")), "..", "peers", "peer")
        if name == "ddbd":
            b = a.bin or os.environ.get("DDBD_BIN") or os.path.join(HERE, "..", "build-bench", "ddbd")
            self.proc = subprocess.Popen([b, "--host", "127.0.0.1", "--port", str(self.port), "--in-memory"],
                                         stdout=subprocess.DEVNULL, stderr=open(f"/tmp/backfill-ddbd-{self.port}.log", "w"),
                                         start_new_session=True)
            self.pid = self.proc.pid
        else:
            subprocess.run(["timeout", "-k", "5", "600", self.peer, "start", name, str(self.port)], check=True,
                           stdout=sys.stderr)
            home = os.environ.get("PEERS_HOME") or os.path.join(
                os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "ddbd-peers")
            self.pid = int(open(os.path.join(home, name, f"{self.port}.pid")).read())
        self.endpoint = f"http://127.0.0.1:{self.port}"
        wait_ready(self.endpoint)

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        else:
            subprocess.run(["timeout", "-k", "5", "60", self.peer, "stop", self.name, str(self.port)],
                           stdout=sys.stderr, stderr=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=100000)
    ap.add_argument("--threads", type=int, default=4, help="loader threads (BatchWriteItem)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--poll", type=float, default=0.005, help="seconds between DescribeTable polls")
    ap.add_argument("--timeout", type=float, default=1800, help="give up waiting for ACTIVE after this many s")
    ap.add_argument("--start", help="comma-separated servers to start one at a time: ddbd,ddblocal,dynalite")
    ap.add_argument("--bin", help="ddbd binary for --start (default $DDBD_BIN or build-bench/ddbd)")
    ap.add_argument("servers", nargs="*", help="NAME=http://127.0.0.1:PORT[:PID]")
    a = ap.parse_args()
    if a.items % GROUPS:
        sys.exit(f"--items must be a multiple of {GROUPS}")
    results = []
    if a.start:
        for name in a.start.split(","):
            s = None
            try:
                s = Started(name, a)
                results.append((name, measure(name, s.endpoint, s.pid, a)))
            except Exception as e:  # noqa: BLE001
                results.append((name, {"error": f"{type(e).__name__}: {e}"[:300]}))
            finally:
                if s:
                    s.stop()
    for spec in a.servers:
        name, rest = spec.split("=", 1)
        host_port_pid = rest.split("://", 1)[1].split(":")
        pid = int(host_port_pid[2]) if len(host_port_pid) > 2 else None
        endpoint = rest if pid is None else rest.rsplit(":", 1)[0]
        try:
            results.append((name, measure(name, endpoint, pid, a)))
        except Exception as e:  # noqa: BLE001
            results.append((name, {"error": f"{type(e).__name__}: {e}"[:300]}))

    print(f"\nGSI backfill of {a.items:,} items of ~200 B (UpdateTable Create by_grp, projection ALL, "
          f"DescribeTable polled every {a.poll * 1000:g} ms), median of {a.rounds} round(s)\n")
    print("| server | load items/s (BatchWriteItem, %d threads) | backfill s | backfill items/s | server CPU µs/item | "
          "DescribeTable polls (server CPU ms · wall ms per call) | index states seen (timed build) | notes |" % a.threads)
    print("|---|---:|---:|---:|---:|---:|---|---|")
    summary = {}
    for name, r in results:
        if "error" in r:
            print(f"| {name} | - | - | FAILED | - | - | - | {r['error']} |")
            continue
        ok = [x for x in r["rounds"] if "error" not in x]
        bad = [x for x in r["rounds"] if "error" in x]
        notes = r["notes"] + [x["error"] for x in bad]
        if not ok:
            print(f"| {name} | {a.items / r['load_s']:,.0f} | - | INVALID | - | - | "
                  f"{bad[0].get('trans') or '-' if bad else '-'} | {'; '.join(notes)} |")
            continue
        s = statistics.median(x["s"] for x in ok)
        cpu = [x["cpu_us"] for x in ok if x["cpu_us"] is not None]
        cpu = statistics.median(cpu) if cpu else None
        summary[name] = (a.items / s, cpu)
        dcpu, dwall = r.get("describe_ms", (None, None))
        print(f"| {name} | {a.items / r['load_s']:,.0f} | {s:.3f} | {a.items / s:,.0f} | "
              f"{'-' if cpu is None else f'{cpu:.2f}'} | {statistics.median(x['polls'] for x in ok):.0f}"
              f"{'' if dcpu is None else f' ({dcpu:.1f} · {dwall:.1f})'} | "
              f"{ok[-1]['trans']} | {'; '.join(notes)} |")
    names = [n for n, _ in results]
    if names and names[0] in summary:
        ours = names[0]
        peers = [n for n in summary if n != ours]
        if peers:
            fp = max(peers, key=lambda p: summary[p][0])
            o, p = summary[ours], summary[fp]
            cr = f"{o[1] / p[1]:.3f}" if o[1] and p[1] else "-"
            print(f"\n**{ours} vs faster peer ({fp}): backfill items/s x {o[0] / p[0]:.1f}, CPU/item x {cr}**")


if __name__ == "__main__":
    main()
