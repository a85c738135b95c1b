#!/usr/bin/env python3
"""Instruction counts of one workload on two ddbd binaries (A/B), under callgrind.

usage: callgrind_ab.py BINARY_A BINARY_B [--requests N] [--workload putitem|getitem|updateitem|putitem_stream]

Wall-clock A/B runs on a shared 2-core VM swing by +-20 % from round to round, so a claim like
"single-item writes unchanged within 10 %" is checked here by instructions: each binary starts
under `valgrind --tool=callgrind` (--in-memory), gets the same table and N requests of the
workload over one keep-alive connection, and stops with SIGTERM; the total instructions (Ir,
start-up and set-up included, the same for both) are compared.
"""
import argparse
import glob
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time

HEADERS = {"Content-Type": "application/x-amz-json-1.0",
           "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request, "
                            "SignedHeaders=host, Signature=00",
           "X-Amz-Date": "20260101T000000Z"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(conn, op, body):
    conn.request("POST", "/", json.dumps(body), dict(HEADERS, **{"X-Amz-Target": "DynamoDB_20120810." + op}))
    resp = conn.getresponse()
    data = resp.read()
    if resp.status != 200:
        raise SystemExit("%s failed: %s" % (op, data[:200]))


def request(workload, i):
    key = {"pk": {"S": "user#%d" % (i % 1000)}}
    if workload in ("putitem", "putitem_stream"):
        return "PutItem", {"TableName": "abt", "Item": dict(key, name={"S": "n%d" % i}, age={"N": str(i % 90)})}
    if workload == "getitem":
        return "GetItem", {"TableName": "abt", "Key": key}
    return "UpdateItem", {"TableName": "abt", "Key": key, "UpdateExpression": "ADD n :one",
                          "ExpressionAttributeValues": {":one": {"N": "1"}}}


def measure(binary, workload, n, outdir):
    port = free_port()
    out = os.path.join(outdir, "callgrind.%s.%d" % (workload, port))
    proc = subprocess.Popen(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, binary,
                             "--host", "127.0.0.1", "--port", str(port), "--in-memory", "--threads", "1",
                             "--shards", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return run_workload(proc, port, out, workload, n)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def run_workload(proc, port, out, workload, n):
    deadline = time.time() + 60
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            call(conn, "ListTables", {})
            break
        except (ConnectionRefusedError, OSError):
            if time.time() > deadline:
                raise
            time.sleep(0.2)
    table = {"TableName": "abt", "BillingMode": "PAY_PER_REQUEST",
             "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
             "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}
    if workload == "putitem_stream":  # PutItem on a table with a NEW_AND_OLD_IMAGES stream
        table["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    call(conn, "CreateTable", table)
    for i in range(1000):  # every key exists, so GetItem reads items
        call(conn, "PutItem", {"TableName": "abt", "Item": {"pk": {"S": "user#%d" % i}}})
    for i in range(n):
        call(conn, *request(workload, i))
    conn.close()
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    with open(out) as f:
        m = re.search(r"^(?:summary|totals): (\d+)", f.read(), re.M)
    return int(m.group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--workload", action="append")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        for w in args.workload or ["getitem", "putitem", "updateitem"]:
            a = measure(args.a, w, args.requests, d)
            b = measure(args.b, w, args.requests, d)
            print("%-10s A %12d Ir   B %12d Ir   B/A %.3f" % (w, a, b, b / a))


if __name__ == "__main__":
    main()
