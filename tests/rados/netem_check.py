#!/usr/bin/env python3
"""tests/rados/netem_check.py BUILD_DIR: the simulated network of bench/rados_netem.py is real, and
the asynchronous request path is what makes a gateway worth running on one (ctest rados.netem).

On a loopback Ceph cluster of its own (deploy/ceph-cluster.sh), one gateway's GetItem is measured
from one client without any delay; then bench/delay_proxy.c holds every chunk between the
gateways and the cluster 1 ms each way (a network namespace, bench/rados_netem.py's Proxy), and
inside it:
  * one client's GetItem, on a synchronous gateway (--rados-inflight 0) and on an asynchronous one,
    is slower by at least most of 2 ms (the fastest of each run), and is one RADOS round trip (ddbd_rados_ops_total says so;
    how much slower on an idle machine is bench/rados_netem.py's to say: a loaded one adds waits);
  * 32 clients at once get at least twice the synchronous gateway's GetItems a second from the
    asynchronous one (6 to 8 times on an idle machine) (the synchronous one has --threads requests at the cluster: 2 at a time).
The clients are this file's (one thread, non-blocking sockets, pre-rendered requests): no wrk
needed. Exits 77 (skipped) without Ceph's daemons, without librados in ddbd, without cc, or where
no network namespace can be made (not root). About 30 s.
"""
import json
import os
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import rados_netem as rn  # noqa: E402  (Proxy, Gateway, setns, mon_port)

DELAY_MS = 1.0
ITEMS = 200
CONNS = 32
SECONDS = 3.0


def skip(why):
    print("skipped: " + why)
    sys.exit(77)


# a signature ddbd without --auth accepts unchecked (the shared bench's, common.lua)
AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host;x-amz-date;x-amz-target, Signature=" + "0123456789abcdef" * 4)


def request(port, op, body):
    data = json.dumps(body).encode()
    head = ("POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/x-amz-json-1.0\r\n"
            "X-Amz-Target: DynamoDB_20120810.%s\r\nX-Amz-Date: 20260101T000000Z\r\nAuthorization: %s\r\n"
            "Content-Length: %d\r\n\r\n" % (port, op, AUTH, len(data)))
    return head.encode() + data


def call(port, op, body):
    req = urllib.request.Request("http://127.0.0.1:%d/" % port, data=json.dumps(body).encode(), headers={
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810." + op,
        "X-Amz-Date": "20260101T000000Z", "Authorization": AUTH})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"{}")


def get_requests(port):
    return [request(port, "GetItem", {"TableName": "netem", "Key": {"pk": {"S": "k%d" % i}}}) for i in range(ITEMS)]


def answered(buf):
    """The length of the first whole HTTP answer in buf (its status 200 checked), or 0."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return 0
    head = buf[:end].decode("latin-1").lower()
    if not head.startswith("http/1.1 200"):
        raise AssertionError("answer: %r" % buf[:300])
    length = int(head.split("content-length:", 1)[1].split("\r\n", 1)[0])
    return end + 4 + length if len(buf) >= end + 4 + length else 0


def closed_loop(port, conns, seconds):
    """conns clients, each sending its next GetItem when the last is answered, for `seconds`;
    returns (answers a second, the answers' latencies in ms)."""
    reqs, sel, lat = get_requests(port), selectors.DefaultSelector(), []
    for i in range(conns):
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
        st = {"buf": b"", "t": time.monotonic(), "n": i}
        s.send(reqs[i % ITEMS])
        sel.register(s, selectors.EVENT_READ, st)
    t0 = time.monotonic()
    deadline, done = t0 + seconds, 0
    while time.monotonic() < deadline:
        for key, _ in sel.select(0.5):
            st = key.data
            st["buf"] += key.fileobj.recv(65536)
            n = answered(st["buf"])
            if not n:
                continue
            now = time.monotonic()
            lat.append((now - st["t"]) * 1e3)
            done += 1
            st["buf"], st["t"], st["n"] = st["buf"][n:], now, st["n"] + conns
            key.fileobj.send(reqs[st["n"] % ITEMS])
    wall = time.monotonic() - t0
    for key in list(sel.get_map().values()):
        key.fileobj.close()
    return done / wall, lat


def gets(gw):
    """ddbd_rados_ops_total's reads, for the round trips of one GetItem."""
    return rn.rm.rados_ops(gw.endpoint).get("read", 0)


def one_client(gw, label):
    port = gw.port
    closed_loop(port, 1, 0.3)  # warm: the connection to each OSD
    r0 = gets(gw)
    rps, lat = closed_loop(port, 1, 1.0)
    reads = (gets(gw) - r0) / max(len(lat), 1)
    p50 = statistics.median(lat)
    print("  %-28s one client: %5.0f GetItem/s, p50 %.2f ms, fastest %.2f ms, %.2f RADOS reads each" % (
        label, rps, p50, min(lat), reads))
    return min(lat), reads


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
    ddbd = os.environ.get("DDBD_BIN") or os.path.join(build, "ddbd")
    for b in ("ceph-mon", "ceph-osd", "cc"):
        if not any(os.access(os.path.join(d, b), os.X_OK) for d in os.environ["PATH"].split(":")):
            skip("%s is not installed" % b)
    probe = subprocess.run([ddbd, "--backend", "rados", "--rados-pool", "x", "--rados-conf", "/nonexistent",
                            "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=30)
    if "without librados" in probe.stdout:
        skip("ddbd was built without librados")
    if subprocess.run(["unshare", "-n", "true"], stderr=subprocess.DEVNULL).returncode != 0:
        skip("no network namespace can be made here (needs root or CAP_SYS_ADMIN)")
    out = tempfile.mkdtemp(prefix="ddbd-netem-check-")
    ceph_dir = os.path.join(out, "ceph")
    cluster = os.path.join(ROOT, "deploy", "ceph-cluster.sh")
    proxy, gws, root_ns = None, [], os.open("/proc/self/ns/net", os.O_RDONLY)
    try:
        conf = subprocess.run([cluster, "start", ceph_dir], check=True, stdout=subprocess.PIPE,
                              text=True).stdout.strip().splitlines()[-1]
        binary = os.path.join(out, "delay_proxy")
        subprocess.run(["cc", "-O2", "-o", binary, os.path.join(ROOT, "bench", "delay_proxy.c")], check=True)
        base = ["--backend", "rados", "--rados-conf", conf, "--rados-pool", "ddbd/netem-check"]
        gws.append(rn.Gateway(ddbd, base, "plain", out))
        port = gws[0].port
        call(port, "CreateTable", {"TableName": "netem", "BillingMode": "PAY_PER_REQUEST",
                                   "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                                   "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
        for i in range(ITEMS):
            call(port, "PutItem", {"TableName": "netem", "Item": {"pk": {"S": "k%d" % i}, "v": {"S": "x" * 100}}})
        base_min, _ = one_client(gws[0], "no delay")
        gws.pop().stop()

        proxy = rn.Proxy(binary, DELAY_MS, rn.mon_port(conf), out)
        rn.setns(proxy.ns)
        sync = rn.Gateway(ddbd, base + ["--rados-inflight", "0"], "sync", out)
        gws.append(sync)
        asyn = rn.Gateway(ddbd, base, "async", out)
        gws.append(asyn)
        failures = []
        for gw, label in ((sync, "1 ms each way, sync"), (asyn, "1 ms each way, async")):
            fastest, reads = one_client(gw, label)
            rise = (fastest - base_min) / reads if reads else float("nan")
            # the delay is real: the fastest round trip rose by at least most of it. The fastest of
            # each run, not its median: the delay is a floor under every request, and a loaded
            # machine adds waits to some (issue 60: the suite passes beside busy loops), which
            # moved a median measured at another moment (the no-delay median 3.02 ms, the delayed
            # one 3.61, in a fresh-clone run beside other work). Only a lower bound: what a GetItem
            # costs in round trips is the count, not the time
            if not rise >= 0.75 * 2 * DELAY_MS:
                failures.append("%s: one GetItem's round trip rose %.2f ms, not at least %.1f" % (
                    label, rise, 0.75 * 2 * DELAY_MS))
            if not reads <= 1.25:
                failures.append("%s: %.2f RADOS reads a GetItem, not one" % (label, reads))
        rates = {}
        for gw, label in ((sync, "sync"), (asyn, "async")):
            closed_loop(gw.port, CONNS, 0.5)
            rates[label], lat = closed_loop(gw.port, CONNS, SECONDS)
            print("  1 ms each way, %-13s %d clients: %5.0f GetItem/s, p50 %.2f ms" % (
                label, CONNS, rates[label], statistics.median(lat)))
        ratio = rates["async"] / rates["sync"]
        print("  async / sync at 1 ms: x%.1f" % ratio)
        if ratio < 2:  # x6 to x8 idle (bench/rados_netem.py); a loaded machine's CPU caps the async side
            failures.append("async is x%.1f sync's GetItems a second at 1 ms, not >= x2" % ratio)
        for f in failures:
            print("FAIL: " + f)
        print("netem check: %s" % ("failed" if failures else "passed"))
        return 1 if failures else 0
    finally:
        rn.setns(root_ns)
        for gw in gws:
            gw.stop()
        if proxy:
            proxy.stop()
        subprocess.run([cluster, "stop", ceph_dir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


if __name__ == "__main__":
    sys.exit(main())
