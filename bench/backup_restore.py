#!/usr/bin/env python3
"""Time an on-demand backup and a restore of an N-item table, for several N (growth with size).

usage: backup_restore.py [--bin PATH] [--items 100000[,1000000]] [--gsi]

For each N: a fresh ddbd on a data directory, one table (hash and range key, ~200-byte items;
with --gsi, one GSI projecting ALL), loaded with BatchWriteItem over 4 connections. Then:

  backup    CreateBackup until DescribeBackup says AVAILABLE (the background copy of the table
            as of the request's snapshot into the backup's keyspace)
  restore   RestoreTableFromBackup until DescribeTable says ACTIVE (every item put again through
            the mutation pipeline, index entries derived as writes derive them)

Prints seconds and items/s for each, and ItemCount of the restored table as a check. Wall-clock
times of the whole calls, polling every 20 ms, measured by this client.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from snapshot_restore import Client, free_port, load  # noqa: E402

TABLE = {"TableName": "big", "BillingMode": "PAY_PER_REQUEST",
         "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "N"}],
         "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]}
GSI = {"IndexName": "by_kind", "KeySchema": [{"AttributeName": "kind", "KeyType": "HASH"},
                                             {"AttributeName": "sk", "KeyType": "RANGE"}],
       "Projection": {"ProjectionType": "ALL"}}


def bodies(n):
    pad = "x" * 150
    out = []
    for start in range(0, n, 25):
        reqs = [{"PutRequest": {"Item": {"pk": {"S": "dev#%05d" % (i % 10000)}, "sk": {"N": str(i)},
                                         "kind": {"S": "k%d" % (i % 16)}, "pad": {"S": pad}}}}
                for i in range(start, min(n, start + 25))]
        out.append({"RequestItems": {"big": reqs}})
    return out


def wait(c, op, body, done, timeout=3600):
    deadline = time.monotonic() + timeout
    while True:
        out = c.call(op, body)
        if done(out):
            return out
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting on %s" % op)
        time.sleep(0.02)


def run(binary, n, gsi):
    port = free_port()
    tmp = tempfile.mkdtemp(prefix="ddbd-backupbench-")
    proc = subprocess.Popen([binary, "--port", str(port), "--log-level", "warn", "--data-dir",
                             os.path.join(tmp, "data")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        c = Client(port)
        table = dict(TABLE, AttributeDefinitions=TABLE["AttributeDefinitions"] +
                     [{"AttributeName": "kind", "AttributeType": "S"}], GlobalSecondaryIndexes=[GSI]) if gsi else TABLE
        c.call("CreateTable", table)
        t0 = time.monotonic()
        load(port, bodies(n))
        load_s = time.monotonic() - t0
        c = Client(port)  # the first connection sat idle through the load: the server may have closed it

        t0 = time.monotonic()
        arn = c.call("CreateBackup", {"TableName": "big", "BackupName": "bench"})["BackupDetails"]["BackupArn"]
        d = wait(c, "DescribeBackup", {"BackupArn": arn},
                 lambda o: o["BackupDescription"]["BackupDetails"]["BackupStatus"] == "AVAILABLE")
        backup_s = time.monotonic() - t0
        size = d["BackupDescription"]["BackupDetails"]["BackupSizeBytes"]

        t0 = time.monotonic()
        c.call("RestoreTableFromBackup", {"BackupArn": arn, "TargetTableName": "copy"})
        t = wait(c, "DescribeTable", {"TableName": "copy"}, lambda o: o["Table"]["TableStatus"] == "ACTIVE")
        restore_s = time.monotonic() - t0
        count = t["Table"]["ItemCount"]
        print("%9d items %s  load %6.1f s | backup %6.2f s (%8.0f items/s, %5.1f MB) | restore %6.2f s "
              "(%7.0f items/s) | restored ItemCount %d" % (n, "+GSI" if gsi else "    ", load_s, backup_s,
                                                           n / backup_s, size / 1e6, restore_s, n / restore_s, count))
        sys.stdout.flush()
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.environ.get("DDBD_BIN", "build/ddbd"))
    ap.add_argument("--items", default="100000")
    ap.add_argument("--gsi", action="store_true")
    a = ap.parse_args()
    for n in [int(x) for x in a.items.split(",")]:
        run(a.bin, n, a.gsi)


if __name__ == "__main__":
    main()
