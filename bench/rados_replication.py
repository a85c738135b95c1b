#!/usr/bin/env python3
"""Whether replication keeps up on RADOS (issue 74, item 4): one gateway, a global table
(us-east-1 with a replica in us-west-2), W client threads writing new items as fast as the
gateway answers them for D seconds; the replica's item count is read every second.

    bench/rados_replication.py --rados-conf CEPH_CONF [--bin build/ddbd] [--writers 6]
                               [--duration 30] [--pool ddbd/replbench]

The cluster is one you started (deploy/ceph-cluster.sh start DIR prints its ceph.conf); the
gateway is started and stopped here, on a pool namespace of its own. Prints the rate the gateway
took writes at, the rate the replica received them at over the same window, how far behind the
replica was when the writers stopped (items, and seconds at the write rate), and how long it took
to catch up after. "Keeps up" means the replica's rate is the write rate and the gap at the end
is what one replication pass holds (a few hundred milliseconds of writes), not growing.
"""
import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import boto3
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def client(endpoint, region):
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name=region, aws_access_key_id="AKIDBENCH",
                        aws_secret_access_key="secret",
                        config=Config(retries={"max_attempts": 0}, read_timeout=60, max_pool_connections=4))


def count(c, name):
    n, start = 0, None
    while True:
        kw = dict(TableName=name, Select="COUNT", ConsistentRead=True)
        if start:
            kw["ExclusiveStartKey"] = start
        r = c.scan(**kw)
        n += r["Count"]
        start = r.get("LastEvaluatedKey")
        if not start:
            return n


def wait_until(pred, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.2)
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rados-conf", required=True)
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build", "ddbd"))
    ap.add_argument("--pool", default="ddbd/replbench-%d" % os.getpid())
    ap.add_argument("--writers", type=int, default=6)
    ap.add_argument("--duration", type=float, default=30)
    o = ap.parse_args()

    port = free_port()
    endpoint = "http://127.0.0.1:%d" % port
    proc = subprocess.Popen([o.bin, "--backend", "rados", "--rados-conf", o.rados_conf, "--rados-pool", o.pool,
                             "--namespaces", "--port", str(port), "--host", "127.0.0.1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        east, west = client(endpoint, "us-east-1"), client(endpoint, "us-west-2")
        if not wait_until(lambda: _up(east), 60):
            sys.exit("the gateway did not start: %s" % proc.stderr.read(4000).decode(errors="replace"))
        name = "repl%d" % os.getpid()
        east.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                          KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
        wait_until(lambda: east.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE", 60)
        east.update_table(TableName=name, ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}])
        wait_until(lambda: _active(west, name), 120)

        acked = [0] * o.writers
        stop = threading.Event()

        def writer(w):
            c = client(endpoint, "us-east-1")
            i = 0
            while not stop.is_set():
                c.put_item(TableName=name, Item={"pk": {"S": "w%d-%07d" % (w, i)}, "v": {"S": "x" * 150}})
                i += 1
                acked[w] = i

        samples = []  # (seconds since start, acked, in the replica)
        threads = [threading.Thread(target=writer, args=(w,)) for w in range(o.writers)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        while time.monotonic() - t0 < o.duration:
            time.sleep(1)
            samples.append((time.monotonic() - t0, sum(acked), count(west, name)))
        stop.set()
        for t in threads:
            t.join()
        t_end, written = time.monotonic() - t0, sum(acked)
        at_end = count(west, name)
        caught = None
        while time.monotonic() - t0 < t_end + 600:
            if count(west, name) >= written:
                caught = time.monotonic() - t0 - t_end
                break
            time.sleep(0.2)
        rate = written / t_end
        first = samples[len(samples) // 3]  # the replica's rate over the last two thirds (past the start)
        last = samples[-1]
        repl_rate = (last[2] - first[2]) / (last[0] - first[0])
        write_rate = (last[1] - first[1]) / (last[0] - first[0])
        print("writers %d, %.0f s: %d writes acknowledged, %.0f writes/s" % (o.writers, t_end, written, rate))
        print("last two thirds: written %.0f/s, replicated %.0f/s (%.2f of the write rate)" %
              (write_rate, repl_rate, repl_rate / write_rate if write_rate else 0))
        print("behind when the writers stopped: %d items (%.2f s of writes); caught up %s" %
              (written - at_end, (written - at_end) / rate if rate else 0,
               "in %.1f s" % caught if caught is not None else "NOT within 600 s"))
        print("samples (s, acknowledged, in the replica): " +
              " ".join("%.0f:%d/%d" % s for s in samples))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)


def _up(c):
    try:
        c.list_tables()
        return True
    except Exception:
        return False


def _active(west, name):
    try:
        return west.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"
    except Exception:
        return False


if __name__ == "__main__":
    main()
