#!/usr/bin/env python3
"""Full-table Scan throughput, side by side: items per second and server CPU per item.

    bench/scan.py [--items N] [--rounds R] NAME=ENDPOINT:PID ...

Loads N items of ~200 B (BatchWriteItem, 25 at a time) into a fresh table `bench_scan` on each
endpoint, then scans it to the end R times (1 MB pages, following LastEvaluatedKey), checking
every item comes back exactly once, and reports the median items/s and the server's CPU
microseconds per item (from /proc/PID/stat over each scan). Requests use the shared harness's
plain HTTP client (../shared/bench/ddbhttp.py), so the client cost is the same for every server.
"""
import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("BENCH_SHARED", os.path.join(HERE, "..", "..", "shared", "bench")))
import ddbhttp  # noqa: E402

TABLE = "bench_scan"


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(client, n):
    try:
        client.call("DeleteTable", {"TableName": TABLE}, ok=(200, 400))
    except Exception:
        pass
    client.call("CreateTable", {"TableName": TABLE, "BillingMode": "PAY_PER_REQUEST",
                                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]})
    pad = "x" * 150
    client.batch_write(TABLE, [{"pk": {"S": "item#%07d" % i}, "n": {"N": str(i)}, "pad": {"S": pad}}
                               for i in range(n)])


def scan_all(client):
    seen, body = 0, {"TableName": TABLE}
    while True:
        page = client.call("Scan", body)
        seen += page["Count"]
        if "LastEvaluatedKey" not in page:
            return seen
        body["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=100000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("servers", nargs="+", help="NAME=http://127.0.0.1:PORT:PID")
    args = ap.parse_args()
    rows = []
    for spec in args.servers:
        name, rest = spec.split("=", 1)
        endpoint, pid = rest.rsplit(":", 1)
        client = ddbhttp.Client(endpoint, timeout=300)
        t = time.monotonic()
        load(client, args.items)
        load_s = time.monotonic() - t
        rates, cpus = [], []
        for _ in range(args.rounds):
            c0, t0 = cpu_seconds(int(pid)), time.monotonic()
            got = scan_all(client)
            wall, cpu = time.monotonic() - t0, cpu_seconds(int(pid)) - c0
            if got != args.items:
                sys.exit("%s: scan returned %d items, expected %d" % (name, got, args.items))
            rates.append(got / wall)
            cpus.append(cpu * 1e6 / got)
        rows.append((name, statistics.median(rates), statistics.median(cpus), load_s))
    print("| server | Scan items/s | server CPU µs/item | load %d items (s) |" % args.items)
    print("|---|---:|---:|---:|")
    for name, rate, cpu, load_s in rows:
        print("| %s | %s | %.2f | %.1f |" % (name, format(int(rate), ","), cpu, load_s))
    best_peer = max((r for r in rows[1:]), key=lambda r: r[1], default=None)
    if best_peer:
        print("\n**%s vs faster peer (%s): Scan throughput x %.1f, CPU/item x %.2f**" % (
            rows[0][0], best_peer[0], rows[0][1] / best_peer[1], rows[0][2] / best_peer[2]))


if __name__ == "__main__":
    main()
