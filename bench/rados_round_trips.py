#!/usr/bin/env python3
"""The latency of one client alone on one RADOS gateway, and what each request costs in RADOS
operations and in round trips waited for one after another (issue 43, "fewer sequential round
trips"; docs/scale-out.md, "Round trips per request").

usage: rados_round_trips.py --conf CEPH_CONF [--ddbd LABEL=PATH ...] [--requests N] [--rounds R]
                            [--inflight N] [--json FILE]

For each ddbd binary (LABEL=PATH; default: this tree's build/ddbd as "this"), one gateway on a
pool namespace of its own, a table (pk S), and one client sending requests one after another
(no think time) over one kept connection, N of each workload per round:
  GetItem             an item that exists
  PutItem new         a key no request used before
  PutItem overwrite   one of 16 items this gateway wrote a moment before (a new value each time)
  UpdateItem          ADD v :1 on one of 16 items this gateway wrote
  TWI of 4            TransactWriteItems of 4 Puts over 64 keys (a ClientRequestToken each, as
                      SDKs send one)
Per workload: the client's p50 and p99 latency (ms) over the rounds' requests, and the deltas of
ddbd_rados_ops_total (GET /metrics) over each round divided by its requests: read, write,
batched (reads in flight together, also in read) and sequential (round trips the requests
waited for one after another: a batch sent together counts once; for a ddbd that predates that
count, computed as every operation waited for in turn but the reads sent together). The
gateway's background work (lease checks, a few reads a second) is in the deltas; the round with
the fewest sequential round trips is shown.
Binaries run one after another, each round alternating them, on the same cluster.
"""
import argparse
import json
import os
import re
import statistics
import sys
import time
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "consistency"))
from client import Client, DdbdServer  # noqa: E402

WORKLOADS = ["GetItem", "PutItem new", "PutItem overwrite", "UpdateItem", "TWI of 4"]
KINDS = ["read", "write", "batched", "sequential"]


def rados_ops(endpoint):
    with urllib.request.urlopen(endpoint + "/metrics", timeout=5) as resp:
        text = resp.read().decode()
    return {k: int(v) for k, v in re.findall(r'^ddbd_rados_ops_total\{op="(\w+)"\} (\d+)$', text, re.M)}


def call(c, op, body, server=None):
    out = c.call(op, body)
    if out.status == "info" and "Pipe" in (out.error or "") and (server is None or server.proc.poll() is None):
        out = c.call(op, body)  # the kept connection was closed by the server while idle: once more
    if out.status != "ok":
        if server is not None and server.proc.poll() is not None:
            sys.stderr.write(server.stderr_text()[-3000:])
        sys.exit("%s failed: %s" % (op, out.error))
    return out.body


class Target:
    def __init__(self, label, path, conf, inflight):
        self.label = label
        os.environ["DDBD_BIN"] = path
        import conftest  # the server binary is read when the module loads: set it for each
        conftest.DDBD_BIN = path
        args = ["--backend", "rados", "--rados-conf", conf, "--rados-pool", "ddbd/rtrip-%s" % uuid.uuid4().hex[:8]]
        if inflight is not None:
            args += ["--rados-inflight", str(inflight)]
        self.server = DdbdServer(args).start(timeout=30)
        try:
            self.setup()
        except BaseException:
            self.server.kill()
            raise

    def setup(self):
        self.c = Client(self.server.endpoint, timeout=30)
        self.table = "rtrip"
        call(self.c, "CreateTable", {"TableName": self.table, "BillingMode": "PAY_PER_REQUEST",
                                     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                                     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
        for i in range(64):  # every partition object exists, and the items the workloads read and write
            self.put("k%d" % i, 0)
        self.n = 0
        self.lat = {w: [] for w in WORKLOADS}
        self.ops = {w: [] for w in WORKLOADS}

    def put(self, k, v):
        call(self.c, "PutItem", {"TableName": self.table, "Item": {"pk": {"S": k}, "v": {"N": str(v)}}})

    def request(self, w, i):
        t, self.n = self.table, self.n + 1
        if w == "GetItem":
            return "GetItem", {"TableName": t, "Key": {"pk": {"S": "k%d" % (i % 16)}}}
        if w == "PutItem new":
            return "PutItem", {"TableName": t, "Item": {"pk": {"S": "n%s-%d" % (uuid.uuid4().hex[:8], i)}}}
        if w == "PutItem overwrite":
            return "PutItem", {"TableName": t, "Item": {"pk": {"S": "k%d" % (i % 16)}, "v": {"N": str(self.n)}}}
        if w == "UpdateItem":
            return "UpdateItem", {"TableName": t, "Key": {"pk": {"S": "k%d" % (16 + i % 16)}},
                                  "UpdateExpression": "ADD v :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}
        keys = ["k%d" % (32 + (4 * i + j) % 32) for j in range(4)]
        return "TransactWriteItems", {"ClientRequestToken": uuid.uuid4().hex, "TransactItems": [
            {"Put": {"TableName": t, "Item": {"pk": {"S": k}, "v": {"N": str(self.n)}}}} for k in keys]}

    def round(self, w, n):
        for i in range(3):  # warm: the partition objects' directory entries, the connection
            call(self.c, *self.request(w, i), server=self.server)
        before = rados_ops(self.server.endpoint)
        for i in range(n):
            op, body = self.request(w, i)
            t0 = time.perf_counter()
            call(self.c, op, body, server=self.server)
            self.lat[w].append((time.perf_counter() - t0) * 1000)
        after = rados_ops(self.server.endpoint)
        d = {k: (after.get(k, 0) - before.get(k, 0)) / n for k in KINDS}
        if "sequential" not in after:  # a ddbd before the count: every operation waited for in turn,
            # the reads sent together once (each request of these workloads sends one such group at most)
            d["sequential"] = d["read"] - d["batched"] + min(d["batched"], 1.0) + d["write"]
            d["computed"] = True
        self.ops[w].append(d)

    def stop(self):
        self.c.close()
        self.server.stop()


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--conf", required=True, help="the cluster's ceph.conf (deploy/ceph-cluster.sh start)")
    ap.add_argument("--ddbd", action="append", default=[], help="LABEL=PATH of a ddbd binary (repeatable)")
    ap.add_argument("--requests", type=int, default=200, help="requests of each workload per round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--inflight", type=int, default=None, help="--rados-inflight for the gateways (default: theirs)")
    ap.add_argument("--json", help="append the figures to this file")
    a = ap.parse_args()
    specs = [d.split("=", 1) for d in a.ddbd] or [["this", os.path.join(HERE, "..", "build", "ddbd")]]
    targets = []
    try:
        for label, path in specs:
            targets.append(Target(label, os.path.abspath(path), a.conf, a.inflight))
        for r in range(a.rounds):
            for w in WORKLOADS:
                for t in targets:
                    t.round(w, a.requests)
            print("round %d done" % (r + 1), file=sys.stderr)
    finally:
        for t in targets:
            t.stop()
    print("| request | %s |" % " | ".join("%s: p50 / p99 ms, RADOS ops per request (sequential)" % t.label for t in targets))
    print("|---|%s" % ("---|" * len(targets)))
    rows = []
    for w in WORKLOADS:
        cells = []
        for t in targets:
            best = min(t.ops[w], key=lambda d: d["sequential"])
            cells.append("%.2f / %.2f · %.2f reads (%.2f batched) + %.2f writes (%.2f sequential%s)" % (
                pct(t.lat[w], 0.5), pct(t.lat[w], 0.99), best["read"], best["batched"], best["write"],
                best["sequential"], ", computed" if best.get("computed") else ""))
            rows.append({"binary": t.label, "workload": w, "p50_ms": pct(t.lat[w], 0.5),
                         "p99_ms": pct(t.lat[w], 0.99), "mean_ms": statistics.mean(t.lat[w]), "ops": best,
                         "requests": len(t.lat[w])})
        print("| %s | %s |" % (w, " | ".join(cells)))
    if a.json:
        with open(a.json, "a") as f:
            for row in rows:
                f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
