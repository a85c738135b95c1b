#!/usr/bin/env python3
"""Create and load the tables of the secondary-index workloads (bench/lua/*gsi*.lua).

usage: setup_gsi.py ENDPOINT [--kv N] [--gsi-p P] [--gsi-s S] [--recreate] [--quiet]

  bench_gsi   hash pk (S) "item#<p>#<s>"; GSI by_grp: hash grp (S) "g#<p>" (P distinct values),
              range ts (S) "t#%05d" (S per value), projection ALL.  P x S items of the ts shape
              (temp N, ok BOOL, note S; ~80 B).  Workload query_gsi: Query IndexName=by_grp,
              grp = :g, Limit 20.
  bench_put2  hash pk (S) "user#<i>", two GSIs:
                by_a: hash ga (S, 100 values), range ta (S), projection ALL
                by_b: hash gb (S, 1000 values), range tb (N), projection INCLUDE [name, age]
  bench_put0  the same key schema and the same items, no index.
              N kv items of the shared setup.py's shape (~200 B) plus the four index key attributes.
              Workloads putitem_2gsi / putitem_nogsi overwrite a random loaded key with new random
              index key values, so every write moves the item in both indexes.

P, S and N default to env TS_P, TS_S and KV_N (the Lua scripts read the same variables).
Requests go through the shared harness's plain HTTP client (../shared/bench/ddbhttp.py).
Tables are PAY_PER_REQUEST.  Finally it checks a Query on each index.
"""
import argparse
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("BENCH_SHARED", os.path.join(HERE, "..", "..", "shared", "bench")))
from ddbhttp import Client, DDBError, kv_item, item_size  # noqa: E402

_FILLER = "abcdefghijklmnopqrstuvwxyz0123456789" * 8


def attr(name, t):
    return {"AttributeName": name, "AttributeType": t}


def keys(h, r=None):
    k = [{"AttributeName": h, "KeyType": "HASH"}]
    if r:
        k.append({"AttributeName": r, "KeyType": "RANGE"})
    return k


TABLES = {
    "bench_gsi": {
        "AttributeDefinitions": [attr("pk", "S"), attr("grp", "S"), attr("ts", "S")],
        "KeySchema": keys("pk"),
        "GlobalSecondaryIndexes": [
            {"IndexName": "by_grp", "KeySchema": keys("grp", "ts"), "Projection": {"ProjectionType": "ALL"}}],
    },
    "bench_put2": {
        "AttributeDefinitions": [attr("pk", "S"), attr("ga", "S"), attr("ta", "S"), attr("gb", "S"), attr("tb", "N")],
        "KeySchema": keys("pk"),
        "GlobalSecondaryIndexes": [
            {"IndexName": "by_a", "KeySchema": keys("ga", "ta"), "Projection": {"ProjectionType": "ALL"}},
            {"IndexName": "by_b", "KeySchema": keys("gb", "tb"),
             "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["name", "age"]}}],
    },
    "bench_put0": {
        "AttributeDefinitions": [attr("pk", "S")],
        "KeySchema": keys("pk"),
    },
}


def gsi_item(p, s, rnd):
    return {
        "pk": {"S": f"item#{p}#{s}"},
        "grp": {"S": f"g#{p}"},
        "ts": {"S": f"t#{s:05d}"},
        "temp": {"N": f"{rnd.uniform(-20, 40):.2f}"},
        "ok": {"BOOL": s % 7 != 0},
        "note": {"S": _FILLER[rnd.randrange(36):][:40]},
    }


def put_item(i, rnd):
    """kv item of the shared setup.py (~200 B) + the index keys of bench_put2 (mirrored in lua/gsi_common.lua)."""
    it = kv_item(i, rnd)
    it["ga"] = {"S": f"a#{rnd.randrange(100)}"}
    it["ta"] = {"S": f"t#{rnd.randrange(1000000):06d}"}
    it["gb"] = {"S": f"b#{rnd.randrange(1000)}"}
    it["tb"] = {"N": str(rnd.randrange(1000000))}
    return it


def ensure(c, name, recreate, log):
    exists = True
    try:
        d = c.call("DescribeTable", {"TableName": name})["Table"]
        want = sorted(g["IndexName"] for g in TABLES[name].get("GlobalSecondaryIndexes", []))
        have = sorted(g["IndexName"] for g in d.get("GlobalSecondaryIndexes", []))
        if want != have:
            log(f"{name} exists with indexes {have}, expected {want}: recreating")
            recreate = True
    except DDBError as e:
        if e.type != "ResourceNotFoundException":
            raise
        exists = False
    if exists and recreate:
        c.call("DeleteTable", {"TableName": name})
        c.wait_gone(name)
        exists = False
    if not exists:
        c.call("CreateTable", dict(TABLES[name], TableName=name, BillingMode="PAY_PER_REQUEST"))
        log(f"created table {name}")
    # wait for the table and every index to be ACTIVE
    t0 = time.monotonic()
    while True:
        d = c.call("DescribeTable", {"TableName": name})["Table"]
        if d["TableStatus"] == "ACTIVE" and all(g.get("IndexStatus", "ACTIVE") == "ACTIVE"
                                                 for g in d.get("GlobalSecondaryIndexes", [])):
            return
        if time.monotonic() - t0 > 60:
            raise TimeoutError(f"table {name} or its indexes not ACTIVE after 60 s")
        time.sleep(0.01)


def count(c, body):
    n, body = 0, dict(body, Select="COUNT")
    while True:
        r = c.call("Query", body)
        n += r["Count"]
        if "LastEvaluatedKey" not in r:
            return n
        body["ExclusiveStartKey"] = r["LastEvaluatedKey"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("endpoint")
    ap.add_argument("--kv", type=int, default=int(os.environ.get("KV_N", 10000)))
    ap.add_argument("--gsi-p", type=int, default=int(os.environ.get("TS_P", 100)))
    ap.add_argument("--gsi-s", type=int, default=int(os.environ.get("TS_S", 100)))
    ap.add_argument("--recreate", action="store_true")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    log = (lambda *x: None) if a.quiet else (lambda *x: print(*x, file=sys.stderr))

    c = Client(a.endpoint, timeout=120)
    t0 = time.monotonic()
    for name in TABLES:
        ensure(c, name, a.recreate, log)
    rnd = random.Random(43)
    g = [gsi_item(p, s, rnd) for p in range(a.gsi_p) for s in range(a.gsi_s)]
    t1 = time.monotonic()
    c.batch_write("bench_gsi", g)
    t2 = time.monotonic()
    rnd = random.Random(44)
    items = [put_item(i, rnd) for i in range(a.kv)]
    c.batch_write("bench_put2", items)
    t3 = time.monotonic()
    c.batch_write("bench_put0", items)
    t4 = time.monotonic()

    # checks: an index partition has all its items; the items of bench_put2 are in both indexes
    n = count(c, {"TableName": "bench_gsi", "IndexName": "by_grp", "KeyConditionExpression": "grp = :g",
                  "ExpressionAttributeValues": {":g": {"S": "g#0"}}})
    if n != a.gsi_s:
        sys.exit(f"setup_gsi: bench_gsi index by_grp partition g#0 has {n} items, expected {a.gsi_s}")
    it = items[a.kv // 2]
    for idx, h, r in (("by_a", "ga", "ta"), ("by_b", "gb", "tb")):
        q = c.call("Query", {"TableName": "bench_put2", "IndexName": idx,
                             "KeyConditionExpression": "#h = :h AND #r = :r",
                             "ExpressionAttributeNames": {"#h": h, "#r": r},
                             "ExpressionAttributeValues": {":h": it[h], ":r": it[r]}})
        if not any(x.get("pk") == it["pk"] for x in q.get("Items", [])):
            sys.exit(f"setup_gsi: item {it['pk']['S']} not found in bench_put2 index {idx}")
    log(f"loaded bench_gsi={len(g)} ({t2 - t1:.2f}s) bench_put2={a.kv} (avg item ~"
        f"{sum(item_size(x) for x in items[:100]) / max(1, min(100, len(items))):.0f} B, {t3 - t2:.2f}s) "
        f"bench_put0={a.kv} ({t4 - t3:.2f}s) total {t4 - t0:.2f}s")
    c.close()


if __name__ == "__main__":
    main()
