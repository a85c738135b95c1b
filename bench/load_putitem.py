#!/usr/bin/env python3
"""Fallback data loader: the same tables and items as the shared setup.py, written with
single PutItem calls instead of BatchWriteItem.

usage: load_putitem.py SHARED_BENCH_DIR ENDPOINT [--check-only]

compare.sh uses it only when setup.py fails on a server because that server does not
implement BatchWriteItem yet (UnknownOperationException); the report says so.  The item
generator, the random seed and the order are setup.py's, so the data set is identical.
With --check-only nothing is written: it only checks the loaded kv items with GetItem
(used when setup.py loaded everything but its final Query check failed).
"""
import os
import random
import sys
import time


def main():
    if len(sys.argv) not in (3, 4) or (len(sys.argv) == 4 and sys.argv[3] != "--check-only"):
        sys.exit(__doc__)
    shared, endpoint = sys.argv[1], sys.argv[2]
    check_only = len(sys.argv) == 4
    sys.path.insert(0, shared)
    from ddbhttp import Client, kv_item, ts_item  # noqa: E402
    from setup import ensure_table  # noqa: E402  (setup.py's main() is guarded)

    kv_n = int(os.environ.get("KV_N", 10000))
    ts_p = int(os.environ.get("TS_P", 100))
    ts_s = int(os.environ.get("TS_S", 100))
    c = Client(endpoint)
    rnd = random.Random(42)
    t0 = time.monotonic()
    if check_only:
        for i in range(0, kv_n, max(1, kv_n // 100)):
            r = c.call("GetItem", {"TableName": "bench_kv", "Key": {"pk": {"S": f"user#{i}"}}})
            if "Item" not in r:
                sys.exit(f"load_putitem: kv item user#{i} missing")
        print("checked 100 kv items with GetItem instead of setup.py's Query check")
        return
    ensure_table(c, "bench_kv", "pk", None, False, lambda *x: None)
    ensure_table(c, "bench_ts", "pk", "sk", False, lambda *x: None)
    kv = [kv_item(i, rnd) for i in range(kv_n)]
    for it in kv:
        c.call("PutItem", {"TableName": "bench_kv", "Item": it})
    ts = [ts_item(p, s, rnd) for p in range(ts_p) for s in range(ts_s)]
    for it in ts:
        c.call("PutItem", {"TableName": "bench_ts", "Item": it})
    for i in (0, kv_n // 2, kv_n - 1):
        r = c.call("GetItem", {"TableName": "bench_kv", "Key": {"pk": {"S": f"user#{i}"}}})
        if "Item" not in r:
            sys.exit(f"load_putitem: kv item user#{i} missing after load")
    print(f"loaded kv={kv_n} ts={len(ts)} with PutItem (BatchWriteItem fallback) in {time.monotonic() - t0:.2f}s")


if __name__ == "__main__":
    main()
