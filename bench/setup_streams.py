#!/usr/bin/env python3
"""Create the tables of the stream workloads (bench/lua/putitem_stream.lua, putitem_nostream.lua).

usage: setup_streams.py ENDPOINT

  bench_stream    hash pk (S), a stream with NEW_AND_OLD_IMAGES
  bench_nostream  the same table without a stream
Both are loaded with the shared kv items (KV_N, ~200 B), so the workloads overwrite existing
items: every write of bench_stream records both images.
"""
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("BENCH_SHARED", os.path.join(HERE, "..", "..", "shared", "bench")))
from ddbhttp import Client, DDBError, kv_item  # noqa: E402


def wait_for(c, name, active):
    """Until the table is ACTIVE (active) or gone: the peers create and delete asynchronously."""
    for _ in range(600):
        try:
            if c.call("DescribeTable", {"TableName": name})["Table"]["TableStatus"] == "ACTIVE" and active:
                return
        except DDBError:
            if not active:
                return
        time.sleep(0.05)
    sys.exit("%s: not %s after 30 s" % (name, "ACTIVE" if active else "deleted"))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    c = Client(sys.argv[1])
    n = int(os.environ.get("KV_N", 10000))
    rnd = random.Random(7)
    for name, stream in (("bench_stream", True), ("bench_nostream", False)):
        params = {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
                  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}
        if stream:
            params["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        try:
            c.call("DeleteTable", {"TableName": name})
            wait_for(c, name, False)
        except DDBError:
            pass
        c.call("CreateTable", params)
        wait_for(c, name, True)
        for i in range(0, n, 25):
            c.call("BatchWriteItem", {"RequestItems": {name: [{"PutRequest": {"Item": kv_item(k, rnd)}}
                                                              for k in range(i, min(n, i + 25))]}})
    print("loaded bench_stream and bench_nostream with %d items each" % n)


if __name__ == "__main__":
    main()
