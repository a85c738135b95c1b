#!/usr/bin/env python3
"""Restoring a snapshot of a 100k-item store vs deleting and recreating its tables through the API.

usage: snapshot_restore.py [--bin PATH] [--items N] [--reps R] [--storage in-memory|data-dir|both]

What a test suite does between tests to get back to a known state, two ways:

  restore   POST /ddbd/snapshots/<name>/restore (ddbd --admin), after a test changed the data
            (a few writes, a table deleted and another created)
  recreate  DeleteTable of every table, CreateTable again (with its index), and the items written
            again with BatchWriteItem (25 a request, over 4 keep-alive connections)

The store: `users` (hash key, one GSI, N/2 items of ~200 B) and `events` (hash and range key,
N/2 items). Each way runs R times; the medians are printed side by side, with the ratio, and
"recreate (empty tables)" for suites that only need the schema back. Wall-clock times of the whole
HTTP calls, measured by this client, on the same machine and server.
"""
import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HEADERS = {"Content-Type": "application/x-amz-json-1.0",
           "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request, "
                            "SignedHeaders=host, Signature=00"}
TABLES = {
    "users": {"TableName": "users", "BillingMode": "PAY_PER_REQUEST",
              "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                       {"AttributeName": "email", "AttributeType": "S"}],
              "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
              "GlobalSecondaryIndexes": [{"IndexName": "by_email",
                                          "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                                          "Projection": {"ProjectionType": "ALL"}}]},
    "events": {"TableName": "events", "BillingMode": "PAY_PER_REQUEST",
               "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                        {"AttributeName": "ts", "AttributeType": "N"}],
               "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "ts", "KeyType": "RANGE"}]},
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(self, op, body):
        # dated now: a signed request dated more than 5 minutes away is refused
        headers = dict(HEADERS, **{"X-Amz-Target": "DynamoDB_20120810." + op,
                                   "X-Amz-Date": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())})
        self.conn.request("POST", "/", json.dumps(body), headers)
        resp = self.conn.getresponse()
        data = resp.read()
        if resp.status != 200:
            raise SystemExit("%s failed: %s" % (op, data[:300]))
        return json.loads(data)

    def admin(self, method, path, body=None):
        self.conn.request(method, path, json.dumps(body) if body is not None else None,
                          {"Content-Type": "application/json"})
        resp = self.conn.getresponse()
        data = resp.read()
        if resp.status != 200:
            raise SystemExit("%s %s failed: %s" % (method, path, data[:300]))
        return json.loads(data)


def items(n):
    pad = "x" * 150
    for i in range(n // 2):
        yield "users", {"pk": {"S": "user#%07d" % i}, "email": {"S": "u%d@example.com" % i},
                        "name": {"S": "User %d" % i}, "pad": {"S": pad}}
    for i in range(n - n // 2):
        yield "events", {"pk": {"S": "dev#%04d" % (i % 1000)}, "ts": {"N": str(i)}, "kind": {"S": "click"},
                         "pad": {"S": pad}}


def batches(n):
    out, cur, table = [], [], None
    for t, item in items(n):
        if cur and (t != table or len(cur) == 25):
            out.append({"RequestItems": {table: cur}})
            cur = []
        table = t
        cur.append({"PutRequest": {"Item": item}})
    if cur:
        out.append({"RequestItems": {table: cur}})
    return out


def load(port, bodies, conns=4):
    def worker(k):
        c = Client(port)
        for body in bodies[k::conns]:
            c.call("BatchWriteItem", body)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def create_tables(c):
    for d in TABLES.values():
        c.call("CreateTable", d)


def delete_tables(c):
    for name in c.call("ListTables", {})["TableNames"]:
        c.call("DeleteTable", {"TableName": name})


def dirty(c, rep):
    """What a test might leave behind: changed and new items, a table gone, another created."""
    c.call("PutItem", {"TableName": "users", "Item": {"pk": {"S": "user#0000001"}, "email": {"S": "changed@x"}}})
    c.call("DeleteItem", {"TableName": "users", "Key": {"pk": {"S": "user#0000002"}}})
    c.call("DeleteTable", {"TableName": "events"})
    c.call("CreateTable", dict(TABLES["events"], TableName="scratch%d" % rep))


def count(c):
    return sum(c.call("DescribeTable", {"TableName": t})["Table"]["ItemCount"] for t in TABLES)


def run(binary, storage, n, reps):
    port = free_port()
    tmp = tempfile.mkdtemp(prefix="ddbd-snapbench-")
    args = [binary, "--port", str(port), "--admin", "--log-level", "warn"]
    args += ["--in-memory"] if storage == "in-memory" else ["--data-dir", os.path.join(tmp, "data")]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                Client(port).call("ListTables", {})
                break
            except (ConnectionError, OSError):
                time.sleep(0.02)
        c = Client(port)
        bodies = batches(n)
        create_tables(c)
        t0 = time.monotonic()
        load(port, bodies)
        first_load = time.monotonic() - t0
        assert count(c) == n, "loaded %d of %d items" % (count(c), n)
        c.admin("POST", "/ddbd/snapshots", {"name": "fixture"})
        restore_ms, recreate_ms, empty_ms = [], [], []
        for rep in range(reps):
            dirty(c, rep)
            t0 = time.monotonic()
            c.admin("POST", "/ddbd/snapshots/fixture/restore")
            restore_ms.append((time.monotonic() - t0) * 1e3)
            assert count(c) == n
        for rep in range(reps):
            dirty(c, rep)
            t0 = time.monotonic()
            delete_tables(c)
            create_tables(c)
            empty_ms.append((time.monotonic() - t0) * 1e3)
            load(port, bodies)
            recreate_ms.append((time.monotonic() - t0) * 1e3)
            assert count(c) == n
        return first_load, statistics.median(restore_ms), statistics.median(recreate_ms), statistics.median(empty_ms)
    finally:
        proc.terminate()
        proc.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.environ.get("DDBD_BIN", os.path.join(here, "..", "build", "ddbd")))
    ap.add_argument("--items", type=int, default=100000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--storage", default="both", choices=["in-memory", "data-dir", "both"])
    a = ap.parse_args()
    modes = ["in-memory", "data-dir"] if a.storage == "both" else [a.storage]
    print("%d items (users with a GSI + events), medians of %d runs, %s" % (a.items, a.reps, a.bin))
    print("%-10s %14s %14s %16s %10s" % ("storage", "restore ms", "recreate ms", "empty tables ms", "ratio"))
    for mode in modes:
        load_s, restore, recreate, empty = run(a.bin, mode, a.items, a.reps)
        print("%-10s %14.1f %14.1f %16.1f %9.0fx" % (mode, restore, recreate, empty, recreate / restore))
        sys.stdout.flush()
    print("ratio: recreate (delete, create, write the items again through the API) / restore")


if __name__ == "__main__":
    main()
