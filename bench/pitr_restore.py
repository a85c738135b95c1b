#!/usr/bin/env python3
"""Time a point-in-time restore of an N-item table, its items in the log or in the base copy.

usage: pitr_restore.py [--bin PATH] [--items 100000[,1000000]]

For each N: a fresh ddbd on a data directory and two tables (hash and range key, ~200-byte items,
the same items as backup_restore.py), loaded with BatchWriteItem over 4 connections:

  log    point-in-time recovery enabled before the load: every item is a log record, and the
         restore fills an empty base then replays N records through the mutation pipeline
  base   recovery enabled after the load: the items are in the base copy (a backup's copy), the
         log is empty, and the restore is a restore from that copy

Then RestoreTableToPointInTime with UseLatestRestorableTime until DescribeTable says ACTIVE
(polling every 20 ms; the base copy, made in the background when recovery is enabled, may still be
in progress when the restore starts: its time is then included). Prints seconds and items/s, and
ItemCount of the restored table as a check.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from backup_restore import TABLE, bodies, wait  # noqa: E402
from snapshot_restore import Client, free_port, load  # noqa: E402


def enable(c, name):
    c.call("UpdateContinuousBackups", {"TableName": name, "PointInTimeRecoverySpecification": {
        "PointInTimeRecoveryEnabled": True}})


def table_bodies(n, name):
    return [{"RequestItems": {name: b["RequestItems"]["big"]}} for b in bodies(n)]


def restore(port, name, n, kind):
    c = Client(port)
    t0 = time.monotonic()
    c.call("RestoreTableToPointInTime", {"SourceTableName": name, "TargetTableName": name + "-copy",
                                         "UseLatestRestorableTime": True})
    t = wait(c, "DescribeTable", {"TableName": name + "-copy"}, lambda o: o["Table"]["TableStatus"] == "ACTIVE")
    s = time.monotonic() - t0
    print("%9d items in the %-4s | restore %6.2f s (%7.0f items/s) | restored ItemCount %d"
          % (n, kind, s, n / s, t["Table"]["ItemCount"]))
    sys.stdout.flush()


def run(binary, n):
    port = free_port()
    tmp = tempfile.mkdtemp(prefix="ddbd-pitrbench-")
    proc = subprocess.Popen([binary, "--port", str(port), "--log-level", "warn", "--data-dir",
                             os.path.join(tmp, "data")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        c = Client(port)
        for name in ("inlog", "inbase"):
            c.call("CreateTable", dict(TABLE, TableName=name))
        enable(c, "inlog")
        load(port, table_bodies(n, "inlog"))
        restore(port, "inlog", n, "log")
        load(port, table_bodies(n, "inbase"))
        enable(Client(port), "inbase")
        restore(port, "inbase", n, "base")
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.environ.get("DDBD_BIN", "build/ddbd"))
    ap.add_argument("--items", default="100000")
    a = ap.parse_args()
    for n in [int(x) for x in a.items.split(",")]:
        run(a.bin, n)


if __name__ == "__main__":
    main()
