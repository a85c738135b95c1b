#!/usr/bin/env python3
"""Memory of a full-table Scan: does it stay bounded whatever the table size?

    bench/scan_memory.py [--bin PATH] [--sizes 100000,1000000] [--in-memory]

For each size N, starts a fresh ddbd on a free loopback port (data in a temporary directory, or
--in-memory), loads N items of about 200 B with BatchWriteItem, lets it settle, resets the
server's peak-RSS counter (/proc/PID/clear_refs, value 5), scans the table to the end following
LastEvaluatedKey (1 MB pages), and reports how much the server's peak RSS rose during the scan
above its RSS just before it. The scan streams one page at a time through the RocksDB iterator,
so that rise should not grow with N: it is bounded by one page, the RocksDB block cache (32 MB)
and allocator slack, not by the table. Every item must come back exactly once.

The client is the shared harness's plain HTTP client (../shared/bench/ddbhttp.py).
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("BENCH_SHARED", os.path.join(HERE, "..", "..", "shared", "bench")))
import ddbhttp  # noqa: E402

TABLE = "bench_scan_memory"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_kb(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def wait_ready(client, proc, deadline_s=30):
    t0 = time.monotonic()
    while time.monotonic() - t0 < deadline_s:
        if proc.poll() is not None:
            sys.exit("ddbd exited during start-up (exit %s)" % proc.returncode)
        try:
            client.call("ListTables", {})
            return
        except Exception:
            client.close()
            time.sleep(0.01)
    sys.exit("ddbd did not become ready")


def load(client, n):
    client.call("CreateTable", {"TableName": TABLE, "BillingMode": "PAY_PER_REQUEST",
                                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]})
    pad = "x" * 150
    step = 25 * 400
    for start in range(0, n, step):
        client.batch_write(TABLE, [{"pk": {"S": "item#%07d" % i}, "n": {"N": str(i)}, "pad": {"S": pad}}
                                   for i in range(start, min(n, start + step))])


def scan_all(client, pid):
    """Scans to the end; returns (items, pages, peak RSS seen between pages in kB, distinct keys)."""
    seen, items, pages, body, peak = set(), 0, 0, {"TableName": TABLE}, 0
    while True:
        page = client.call("Scan", body)
        pages += 1
        items += page["Count"]
        for item in page["Items"]:
            seen.add(item["pk"]["S"])
        peak = max(peak, status_kb(pid, "VmRSS"))
        if "LastEvaluatedKey" not in page:
            return items, pages, peak, len(seen)
        body["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def measure(binary, n, in_memory):
    port = free_port()
    tmp = tempfile.mkdtemp(prefix="ddbd-scanmem-")
    cmd = [binary, "--host", "127.0.0.1", "--port", str(port), "--log-level", "error"]
    cmd += ["--in-memory"] if in_memory else ["--data-dir", tmp]
    proc = subprocess.Popen(cmd, start_new_session=True)
    try:
        client = ddbhttp.Client("http://127.0.0.1:%d" % port, timeout=300)
        wait_ready(client, proc)
        t = time.monotonic()
        load(client, n)
        load_s = time.monotonic() - t
        time.sleep(2)
        before = status_kb(proc.pid, "VmRSS")
        with open("/proc/%d/clear_refs" % proc.pid, "w") as f:
            f.write("5")  # resets VmHWM to the current RSS
        t = time.monotonic()
        items, pages, polled, distinct = scan_all(client, proc.pid)
        scan_s = time.monotonic() - t
        hwm = status_kb(proc.pid, "VmHWM")
        if items != n or distinct != n:
            sys.exit("scan of %d items returned %d (%d distinct)" % (n, items, distinct))
        return {"n": n, "load_s": load_s, "before": before, "hwm": max(hwm, polled), "pages": pages,
                "rate": n / scan_s}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.environ.get("DDBD_BIN", os.path.join(HERE, "..", "build", "ddbd")))
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--in-memory", action="store_true")
    args = ap.parse_args()
    rows = [measure(args.bin, int(s), args.in_memory) for s in args.sizes.split(",")]
    print("| items | load (s) | RSS before scan (MB) | peak RSS during scan (MB) | rise (MB) | pages | Scan items/s |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print("| %s | %.1f | %.1f | %.1f | %.1f | %d | %s |" % (
            format(r["n"], ","), r["load_s"], r["before"] / 1024, r["hwm"] / 1024, (r["hwm"] - r["before"]) / 1024,
            r["pages"], format(int(r["rate"]), ",")))


if __name__ == "__main__":
    main()
