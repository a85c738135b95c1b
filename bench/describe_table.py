#!/usr/bin/env python3
"""DescribeTable latency on a large table, side by side (ddbd keeps ItemCount and sizes as it writes).

    bench/describe_table.py [--items N] [--calls C] NAME=ENDPOINT ...

Loads N items of ~200 B, each also in a GSI (BatchWriteItem, 25 at a time), into a fresh table
`bench_describe` on each endpoint, then sends DescribeTable C times and reports the median and
the slowest call in ms, with the ItemCount it answered. Before the kept counts, ddbd read every
item and index entry on each call (about 70 ms per 100k items); DynamoDB answers a figure it
refreshes every six hours. Requests use the shared harness's plain HTTP client
(../shared/bench/ddbhttp.py).
"""
import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("BENCH_SHARED", os.path.join(HERE, "..", "..", "shared", "bench")))
import ddbhttp  # noqa: E402

TABLE = "bench_describe"


def load(client, n):
    client.call("DeleteTable", {"TableName": TABLE}, ok=(200, 400))
    client.wait_gone(TABLE)
    client.call("CreateTable", {
        "TableName": TABLE, "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "g", "AttributeType": "S"}],
        "GlobalSecondaryIndexes": [{"IndexName": "byg", "Projection": {"ProjectionType": "KEYS_ONLY"},
                                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}]})
    client.wait_active(TABLE)
    pad = "x" * 150
    client.batch_write(TABLE, [{"pk": {"S": "item#%07d" % i}, "g": {"S": "g%d" % (i % 100)}, "pad": {"S": pad}}
                               for i in range(n)])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=100000)
    ap.add_argument("--calls", type=int, default=50)
    ap.add_argument("servers", nargs="+", help="NAME=http://127.0.0.1:PORT")
    args = ap.parse_args()
    print("| server | DescribeTable median (ms) | slowest (ms) | ItemCount |")
    print("|---|---:|---:|---:|")
    for spec in args.servers:
        name, endpoint = spec.split("=", 1)
        client = ddbhttp.Client(endpoint, timeout=300)
        load(client, args.items)
        times, count = [], None
        for _ in range(args.calls):
            t0 = time.monotonic()
            count = client.call("DescribeTable", {"TableName": TABLE})["Table"]["ItemCount"]
            times.append((time.monotonic() - t0) * 1000)
        times.sort()
        print("| %s | %.3f | %.3f | %d |" % (name, statistics.median(times), times[-1], count))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
