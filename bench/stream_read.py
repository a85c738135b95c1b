#!/usr/bin/env python3
"""GetRecords throughput, ddbd and DynamoDB Local side by side, in one run.

usage: stream_read.py [--records N] [--rounds R] [--ddbd BIN] [--peer PEER_SCRIPT]

Starts `ddbd --in-memory` (BIN, default build/ddbd) and DynamoDB Local (../shared/peers/peer,
port 8100), and on each: creates a table with a NEW_AND_OLD_IMAGES stream, writes N items
(BatchWriteItem, ~200 B each, then N updates so half the records carry both images), and reads
the whole stream with GetRecords (Limit 1000) over every shard, timing only the reads. Reports
records/s and the server's CPU per record (from /proc/<pid>/stat over the reads), the medians of R
rounds, and the ratios. The client is the same plain HTTP client for both.
"""
import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=0000")


class Client:
    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(self, op, body, service="DynamoDB_20120810"):
        self.conn.request("POST", "/", json.dumps(body).encode(), {
            "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": service + "." + op,
            "X-Amz-Date": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()), "Authorization": AUTH})
        r = self.conn.getresponse()
        data = json.loads(r.read() or b"{}")
        if r.status != 200:
            raise SystemExit("%s failed: %s" % (op, data))
        return data

    def streams(self, op, body):
        return self.call(op, body, "DynamoDBStreams_20120810")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(c, table, n):
    c.call("CreateTable", {"TableName": table, "BillingMode": "PAY_PER_REQUEST",
                           "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                           "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                           "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}})
    arn = c.call("DescribeTable", {"TableName": table})["Table"]["LatestStreamArn"]
    filler = "abcdefghijklmnopqrstuvwxyz0123456789" * 5
    for version in range(2):
        for i in range(0, n // 2, 25):
            c.call("BatchWriteItem", {"RequestItems": {table: [
                {"PutRequest": {"Item": {"pk": {"S": "user#%d" % k}, "v": {"N": str(version)},
                                         "bio": {"S": filler[: 150 + (k % 20)]}}}}
                for k in range(i, min(n // 2, i + 25))]}})
    return arn


def read_all(c, arn):
    shards = c.streams("DescribeStream", {"StreamArn": arn})["StreamDescription"]["Shards"]
    total = 0
    for sh in shards:
        it = c.streams("GetShardIterator", {"StreamArn": arn, "ShardId": sh["ShardId"],
                                            "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
        while it:
            r = c.streams("GetRecords", {"ShardIterator": it, "Limit": 1000})
            total += len(r["Records"])
            if not r["Records"]:
                break
            it = r.get("NextShardIterator")
    return total


def measure(name, port, pid, n, rounds):
    c = Client(port)
    rates, cpus = [], []
    for r in range(rounds):
        arn = load(c, "bench_rd_%d_%d" % (os.getpid(), r), n)
        cpu0, t0 = cpu_seconds(pid), time.perf_counter()
        got = read_all(c, arn)
        dt, dcpu = time.perf_counter() - t0, cpu_seconds(pid) - cpu0
        if got != n:
            raise SystemExit("%s: read %d records of %d" % (name, got, n))
        rates.append(got / dt)
        cpus.append(dcpu / got * 1e6)
    return statistics.median(rates), statistics.median(cpus)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--ddbd", default=os.path.join(HERE, "..", "build", "ddbd"))
    ap.add_argument("--peer", default=os.path.join(HERE, "..", "..", "shared", "peers", "peer"))
    args = ap.parse_args()
    port = free_port()
    ddbd = subprocess.Popen([args.ddbd, "--host", "127.0.0.1", "--port", str(port), "--in-memory"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        subprocess.run([args.peer, "start", "ddblocal", "8100"], check=True, stdout=subprocess.DEVNULL)
        peer_pid = int(subprocess.run(["pgrep", "-f", "DynamoDBLocal"], capture_output=True, text=True).stdout.split()[0])
        results = {"ddbd": measure("ddbd", port, ddbd.pid, args.records, args.rounds),
                   "ddblocal": measure("ddblocal", 8100, peer_pid, args.records, args.rounds)}
    finally:
        ddbd.send_signal(signal.SIGTERM)
        ddbd.wait(timeout=30)
    print("GetRecords of %d records (Limit 1000, all shards), medians of %d rounds:" % (args.records, args.rounds))
    for name, (rate, cpu) in results.items():
        print("  %-9s %10.0f records/s   server CPU %7.2f us/record" % (name, rate, cpu))
    (r1, c1), (r2, c2) = results["ddbd"], results["ddblocal"]
    print("  ddbd vs DynamoDB Local: throughput x%.1f, CPU per record x%.2f" % (r1 / r2, c1 / c2))


if __name__ == "__main__":
    main()
