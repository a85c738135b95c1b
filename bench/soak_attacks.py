#!/usr/bin/env python3
"""Soak under attack (issue 41): a legitimate load beside each hostile client in turn, in one run.

usage: bench/soak_attacks.py [--bin PATH] [--seconds 10] [--after 5] [--clients 4]
                             [--attacks a,b,...] [--conns 10000] [--ddbd-arg ARG]...

For the no-attack baseline and then for each attack, starts a fresh ddbd (--bin, default
build/ddbd; --in-memory on a free loopback port, plus any --ddbd-arg), loads a small table, and
runs --clients threads of one process sending the legitimate load through one keep-alive
connection each for --seconds: 60 % GetItem, 25 % PutItem (~100 B items), 15 % Query (Limit 10)
on 200 partitions of 10 items. The attack runs in a process of its own from 2 s before the load
until its end, then stops by itself and closes its sockets; 2 s later the same load runs alone for
--after seconds (how ddbd came back), and ddbd gets SIGTERM. A fresh server per attack keeps one
attack's aftermath out of the next one's figures. Everything is on 127.0.0.1; a run takes about
(--seconds + --after + 8) s per attack.

Attacks (issue 41's findings):
  slow_readers    40 connections each pipelining BatchGetItem requests whose answers are 15.6 MB
                  (40 items of 390 KB), and never reading a byte of them (item 2)
  idle_flood      --conns sockets opened and held without sending anything; closed ones reopened
                  every second (item 5)
  slowloris       --conns connections sending a request's headers one line a second, never ending
                  them; closed ones reopened every second (item 5)
  pending_bodies  60 connections each announcing a 16 MB PutItem body and sending all but its last
                  byte, then holding it (item 4)
  big_transact    4 connections sending TransactGetItems of 25 items of 390 KB in a loop and
                  reading the answers (10 MB each where the 4 MB limit is missing; item 1)
  invalid_utf8    4 connections sending PutItems whose strings are not Unicode (overlong forms,
                  surrogates, past U+10FFFF, lone \\u halves) in a loop; after it, a Scan of the table
                  is decoded as strict UTF-8, as boto3 does (item 6)
  heavy_scanN     N connections (heavy_scan1, 4, 16, 64) sending back to back a Scan of a 1 MB page
                  (~5,000 items of 30 numbers) with a filter of 100 comparisons none matches (tens
                  of milliseconds of a loop each, an empty answer; issue 49, finding 3). Run them
                  with --ddbd-arg=--threads --ddbd-arg=1 for one loop's fairness

Printed, one line an attack: the legitimate load's requests a second beside it and their share of
the no-attack figure, p50/p99/max latency of its answered requests, its failures (errors, 5 s
timeouts, connections refused or reset), ddbd's peak RSS (sampled from /proc every 0.1 s); then
the load alone after the attack (requests a second, share, p99, failures), ddbd's VmHWM and its
exit status on SIGTERM; below the table, what each attacker saw. Python clients under one GIL
reach about ten thousand requests a second: the figures compare attacks within one run and
binaries run alike, not servers in general.
"""
import argparse
import http.client
import json
import multiprocessing as mp
import os
import queue
import random
import resource
import signal
import socket
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE, BIG, SCANNED = "soak", "soak_big", "soak_scan"
SCAN_ITEMS, SCAN_NUMBERS, SCAN_TERMS = 6000, 30, 100
PARTITIONS, SORTS = 200, 10
BIG_ITEMS, BIG_SIZE = 40, 390 * 1024
LEGIT_TIMEOUT = 5.0
RAMP, GAP = 2.0, 2.0
AUTH = ("AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host, Signature=00")
BAD_UTF8 = [b"\xc0\xaf", b"\xe0\x80\xaf", b"\xf0\x80\x80\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
            b"\xf5\x80\x80\x80", b"\\ud800", b"\\udc00", b"\\ud800\\u0041"]


def headers(op):
    return {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810." + op,
            "X-Amz-Date": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()), "Authorization": AUTH}


def raw_request(port, op, body, content_length=None):
    """The bytes of one HTTP/1.1 request (its headers and body), for the attacks' raw sockets."""
    h = headers(op)
    h.update({"Host": "127.0.0.1:%d" % port, "Content-Length": str(len(body) if content_length is None
                                                                    else content_length)})
    head = "POST / HTTP/1.1\r\n" + "".join("%s: %s\r\n" % kv for kv in h.items()) + "\r\n"
    return head.encode() + body


def call(conn, op, body):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    conn.request("POST", "/", data, headers(op))
    resp = conn.getresponse()
    return resp.status, resp.read()


# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_kb(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def start_server(binary, extra):
    port = free_port()
    log = tempfile.TemporaryFile()
    p = subprocess.Popen([binary, "--in-memory", "--host", "127.0.0.1", "--port", str(port)] + extra,
                         stdout=log, stderr=log)
    for _ in range(200):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", "/")
            c.getresponse().read()
            return p, port
        except OSError:
            if p.poll() is not None:
                log.seek(0)
                raise SystemExit("ddbd exited: %s" % log.read()[-2000:].decode(errors="replace"))
            time.sleep(0.05)
    raise SystemExit("ddbd did not answer")


def must(conn, op, body):
    status, data = call(conn, op, body)
    if status != 200:
        raise SystemExit("%s: %d %s" % (op, status, data[:300]))
    return json.loads(data)


def setup(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for name, rng in ((TABLE, True), (BIG, False)):
        t = {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
             "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
             "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}
        if rng:
            t["AttributeDefinitions"].append({"AttributeName": "sk", "AttributeType": "N"})
            t["KeySchema"].append({"AttributeName": "sk", "KeyType": "RANGE"})
        must(c, "CreateTable", t)
        while must(c, "DescribeTable", {"TableName": name})["Table"]["TableStatus"] != "ACTIVE":
            time.sleep(0.05)
    items = [legit_item(p, s) for p in range(PARTITIONS) for s in range(SORTS)]
    for i in range(0, len(items), 25):
        must(c, "BatchWriteItem", {"RequestItems": {TABLE: [{"PutRequest": {"Item": it}} for it in items[i:i + 25]]}})
    pad = "x" * BIG_SIZE
    for i in range(BIG_ITEMS):
        must(c, "PutItem", {"TableName": BIG, "Item": {"pk": {"S": "big%02d" % i}, "p": {"S": pad}}})
    c.close()


def setup_scanned(port):
    """The heavy_scan attacks' table: ~1.2 MB of items of SCAN_NUMBERS numbers each."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    must(c, "CreateTable", {"TableName": SCANNED, "BillingMode": "PAY_PER_REQUEST",
                            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
    for i in range(0, SCAN_ITEMS, 25):
        items = [dict({"pk": {"S": "k%05d" % j}}, **{"a%d" % a: {"N": str(j * 100 + a)} for a in range(SCAN_NUMBERS)})
                 for j in range(i, i + 25)]
        must(c, "BatchWriteItem", {"RequestItems": {SCANNED: [{"PutRequest": {"Item": it}} for it in items]}})
    c.close()


# ---------------------------------------------------------------------------------------------
# The legitimate load
# ---------------------------------------------------------------------------------------------

def legit_item(p, s):
    return {"pk": {"S": "p%03d" % p}, "sk": {"N": str(s)}, "v": {"S": "value %d %d " % (p, s) + "y" * 80}}


def legit_request(rnd):
    p, s = rnd.randrange(PARTITIONS), rnd.randrange(SORTS)
    r = rnd.random()
    if r < 0.60:
        return "GetItem", {"TableName": TABLE, "Key": {"pk": {"S": "p%03d" % p}, "sk": {"N": str(s)}}}
    if r < 0.85:
        return "PutItem", {"TableName": TABLE, "Item": legit_item(p, s)}
    return "Query", {"TableName": TABLE, "KeyConditionExpression": "pk = :p", "Limit": 10,
                     "ExpressionAttributeValues": {":p": {"S": "p%03d" % p}}}


def legit_client(port, deadline, seed, out):
    rnd = random.Random(seed)
    lat, errors, conn = [], 0, None
    while time.monotonic() < deadline:
        op, body = legit_request(rnd)
        t0 = time.monotonic()
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=LEGIT_TIMEOUT)
            status, _ = call(conn, op, body)
            if status == 200:
                lat.append(time.monotonic() - t0)
                continue
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = None
        errors += 1
        time.sleep(0.01)  # a failed client retries, not in a tight loop
    out.append((lat, errors))


def legit_load(port, clients, seconds, q):
    out, deadline = [], time.monotonic() + seconds
    threads = [threading.Thread(target=legit_client, args=(port, deadline, i, out)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lat = sorted(x for l, _ in out for x in l)
    q.put({"n": len(lat), "errors": sum(e for _, e in out), "lat": lat})


# ---------------------------------------------------------------------------------------------
# The attacks: each runs until `deadline` in a process of its own and puts a summary in q
# ---------------------------------------------------------------------------------------------

def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def connect(port, rcvbuf=None):
    """A non-blocking socket connected to ddbd; a connect that takes over 0.5 s (a full accept
    queue) fails, so that an attack never outlives its deadline by much."""
    s = socket.socket()
    try:
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.settimeout(0.5)
        s.connect(("127.0.0.1", port))
        s.setblocking(False)
        return s
    except OSError:
        s.close()
        raise


def closed_by_peer(s):
    try:
        return s.recv(1, socket.MSG_PEEK) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def attack_slow_readers(port, deadline, conns):
    keys = [{"pk": {"S": "big%02d" % i}} for i in range(BIG_ITEMS)]
    req = raw_request(port, "BatchGetItem", json.dumps({"RequestItems": {BIG: {"Keys": keys}}}).encode())
    socks, sent, refused = [], 0, 0
    for _ in range(40):
        try:
            socks.append([connect(port, rcvbuf=4096), memoryview(req)])
        except OSError:
            refused += 1
    while time.monotonic() < deadline:
        for entry in socks:  # pipeline requests as fast as the socket takes them; read nothing
            try:
                n = entry[0].send(entry[1])
                entry[1] = entry[1][n:]
                if not entry[1]:
                    entry[1], sent = memoryview(req), sent + 1
            except BlockingIOError:
                pass
            except OSError:
                pass
        time.sleep(0.01)
    alive = sum(not closed_by_peer(s) for s, _ in socks)
    return "%d requests sent, %d/%d connections still open at the end" % (sent, alive, len(socks))


def hold_sockets(port, deadline, conns, first_bytes, each_second):
    """Opens up to `conns` sockets (sending first_bytes on each), calls each_second(sock) on every
    open one once a second, reopens the ones ddbd closed; returns a summary."""
    budget = min(conns, raise_nofile() - 64)
    socks, opened, failed, closed = [], 0, 0, 0

    def top_up():  # at most a second at a time
        nonlocal opened, failed
        stop = min(deadline, time.monotonic() + 1.0)
        while len(socks) < budget and time.monotonic() < stop:
            try:
                s = connect(port)
                if first_bytes:
                    s.send(first_bytes)
                socks.append(s)
                opened += 1
            except OSError:
                failed += 1
                return

    top_up()
    held = []
    while time.monotonic() < deadline:
        time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
        still = []
        for s in socks:
            if closed_by_peer(s):
                s.close()
                closed += 1
                continue
            try:
                each_second(s)
            except OSError:
                pass
            still.append(s)
        socks[:] = still
        held.append(len(socks))
        top_up()
    for s in socks:
        s.close()
    return "%d opened, %d closed by ddbd, %d failed to connect, %d held on average" % (
        opened, closed, failed, sum(held) // max(len(held), 1))


def attack_idle_flood(port, deadline, conns):
    return hold_sockets(port, deadline, conns, b"", lambda s: None)


def attack_slowloris(port, deadline, conns):
    head = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\n"
    return hold_sockets(port, deadline, conns, head, lambda s: s.send(b"X-Slow: %d\r\n" % random.randrange(1000)))


def attack_pending_bodies(port, deadline, conns):
    size = 16 * 1024 * 1024
    prefix = b'{"TableName":"%s","Item":{"pk":{"S":"body"},"v":{"S":"' % TABLE.encode()
    body = prefix + b"z" * (size - len(prefix) - 1)  # all but the last byte
    head = raw_request(port, "PutItem", b"", content_length=size)
    sent, refused, closed = 0, 0, 0
    socks = []
    for _ in range(60):
        if time.monotonic() >= deadline:
            break
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=max(0.1, deadline - time.monotonic()))
            s.sendall(head + body)
            socks.append(s)
            sent += 1
        except OSError:
            refused += 1
    while time.monotonic() < deadline:
        time.sleep(0.2)
    for s in socks:
        s.setblocking(False)
        closed += closed_by_peer(s)
        s.close()
    return "%d bodies of 16 MB less a byte sent, %d refused or cut, %d closed by ddbd" % (sent, refused, closed)


def repeat_requests(port, deadline, threads, make_request):
    """`threads` keep-alive clients sending make_request(i) until the deadline; answers by status."""
    statuses, lock = {}, threading.Lock()

    def run(seed):
        conn, i = None, seed
        while time.monotonic() < deadline:
            op, body = make_request(i)
            i += threads
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status, _ = call(conn, op, body)
            except (OSError, http.client.HTTPException):
                status, conn = "failed", None
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

    ts = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return ", ".join("%s: %d" % (k, v) for k, v in sorted(statuses.items(), key=str))


def attack_big_transact(port, deadline, conns):
    gets = [{"Get": {"TableName": BIG, "Key": {"pk": {"S": "big%02d" % i}}}} for i in range(25)]
    return "answers " + repeat_requests(port, deadline, 4, lambda i: ("TransactGetItems", {"TransactItems": gets}))


def attack_invalid_utf8(port, deadline, conns):
    def put(i):
        bad = BAD_UTF8[i % len(BAD_UTF8)]
        return "PutItem", (b'{"TableName":"%s","Item":{"pk":{"S":"bad%d"},"sk":{"N":"0"},"v":{"S":"a' % (
            TABLE.encode(), i) + bad + b'b"}}}')
    return "answers " + repeat_requests(port, deadline, 4, put)


def attack_heavy_scan(n):
    scan = {"TableName": SCANNED, "ExpressionAttributeValues": {":none": {"N": "-1"}},
            "FilterExpression": " OR ".join("a%d = :none" % (i % SCAN_NUMBERS) for i in range(SCAN_TERMS))}
    return lambda port, deadline, conns: "answers " + repeat_requests(port, deadline, n, lambda i: ("Scan", scan))


ATTACKS = {
    "slow_readers": attack_slow_readers,
    "idle_flood": attack_idle_flood,
    "slowloris": attack_slowloris,
    "pending_bodies": attack_pending_bodies,
    "big_transact": attack_big_transact,
    "invalid_utf8": attack_invalid_utf8,
    "heavy_scan1": attack_heavy_scan(1),
    "heavy_scan4": attack_heavy_scan(4),
    "heavy_scan16": attack_heavy_scan(16),
    "heavy_scan64": attack_heavy_scan(64),
}


def attacker(name, port, deadline, conns, q):
    try:
        q.put(ATTACKS[name](port, deadline, conns))
    except Exception as e:  # the attack's own failure is part of its outcome
        q.put("attack failed: %r" % e)


def scan_decodes(port):
    """Whether a consistent Scan of the table, every page, decodes as strict UTF-8 (as boto3 reads it)."""
    conn, start = http.client.HTTPConnection("127.0.0.1", port, timeout=60), None
    while True:
        body = {"TableName": TABLE, "ConsistentRead": True}
        if start:
            body["ExclusiveStartKey"] = start
        status, data = call(conn, "Scan", body)
        try:
            page = json.loads(data.decode("utf-8"))
        except UnicodeDecodeError as e:
            return "no (%s)" % e.reason
        if status != 200:
            return "no (%d)" % status
        start = page.get("LastEvaluatedKey")
        if not start:
            return "yes"


# ---------------------------------------------------------------------------------------------
# Phases
# ---------------------------------------------------------------------------------------------

def phase(pid, port, attack, seconds, args):
    q, aq = mp.Queue(), mp.Queue()
    proc, peak, note = None, 0, "-"
    if attack:
        deadline = time.monotonic() + RAMP + seconds
        proc = mp.Process(target=attacker, args=(attack, port, deadline, args.conns, aq))
        proc.start()
        t_end = time.monotonic() + RAMP
        while time.monotonic() < t_end:
            peak = max(peak, proc_kb(pid, "VmRSS"))
            time.sleep(0.1)
    load = mp.Process(target=legit_load, args=(port, args.clients, seconds, q))
    load.start()
    result = None
    while result is None:  # read while it runs: a process that put a large result waits for its reader
        peak = max(peak, proc_kb(pid, "VmRSS"))
        try:
            result = q.get(timeout=0.1)
        except queue.Empty:
            pass
    load.join()
    if proc is not None:
        try:
            note = aq.get(timeout=60)
        except queue.Empty:
            note = "the attacker did not stop in time"
        proc.join(timeout=5)
        if proc.is_alive():
            proc.terminate()
            proc.join()
        if attack == "invalid_utf8":
            note += "; Scan decodes as UTF-8 after: " + scan_decodes(port)
        t_end = time.monotonic() + GAP
        while time.monotonic() < t_end:
            peak = max(peak, proc_kb(pid, "VmRSS"))
            time.sleep(0.1)
    return result, peak, note


def pct(lat, p):
    return lat[min(len(lat) - 1, int(len(lat) * p))] * 1000 if lat else float("nan")


def stop_server(server):
    if server.poll() is not None:
        return "died (%s)" % server.returncode
    server.send_signal(signal.SIGTERM)
    try:
        return str(server.wait(timeout=30))
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
        return "killed: no exit 30 s after SIGTERM"


def run_one(args, attack):
    """A fresh ddbd, loaded; the load beside `attack` (or alone), then, with an attack, the load
    alone again for --after seconds: how ddbd came back. Returns the figures."""
    server, port = start_server(args.bin, args.ddbd_arg)
    try:
        setup(port)
        if attack and attack.startswith("heavy_scan"):
            setup_scanned(port)
        during = phase(server.pid, port, attack, args.seconds, args)
        after = phase(server.pid, port, None, args.after, args) if attack else None
        hwm = proc_kb(server.pid, "VmHWM") // 1024
    finally:
        code = stop_server(server)
    return during, after, hwm, code


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build", "ddbd"), help="the ddbd binary")
    ap.add_argument("--seconds", type=float, default=10.0, help="the legitimate load beside each attack")
    ap.add_argument("--after", type=float, default=5.0, help="the legitimate load alone after each attack")
    ap.add_argument("--clients", type=int, default=4, help="legitimate clients (threads, one connection each)")
    ap.add_argument("--attacks", default=",".join(ATTACKS), help="comma-separated, in order: " + ", ".join(ATTACKS))
    ap.add_argument("--conns", type=int, default=10000, help="sockets of idle_flood and slowloris")
    ap.add_argument("--ddbd-arg", action="append", default=[], help="one more ddbd argument (repeatable)")
    args = ap.parse_args()
    attacks = [a for a in args.attacks.split(",") if a]
    for a in attacks:
        if a not in ATTACKS:
            raise SystemExit("unknown attack %r (%s)" % (a, ", ".join(ATTACKS)))
    raise_nofile()
    print("ddbd %s %s; %d legitimate clients, %g s beside each attack, %g s after it; a fresh ddbd each" % (
        os.path.realpath(args.bin), " ".join(args.ddbd_arg), args.clients, args.seconds, args.after))
    print("%-15s %8s %6s %7s %7s %8s %6s %7s | %8s %6s %7s %6s | %7s %s" % (
        "attack", "req/s", "share", "p50 ms", "p99 ms", "max ms", "failed", "RSS MB",
        "after/s", "share", "p99 ms", "failed", "VmHWM", "exit"))
    base, notes = None, []
    for attack in [None] + attacks:
        (r, peak, note), after, hwm, code = run_one(args, attack)
        rate = r["n"] / args.seconds
        base = base or rate
        if after is not None:
            a = after[0]
            arate = a["n"] / args.after
            tail = "%8.0f %5.0f%% %7.1f %6d" % (arate, 100 * arate / base, pct(a["lat"], 0.99), a["errors"])
        else:
            tail = "%8s %6s %7s %6s" % ("-", "-", "-", "-")
        print("%-15s %8.0f %5.0f%% %7.1f %7.1f %8.1f %6d %7d | %s | %7d %s" % (
            attack or "none", rate, 100 * rate / base if base else 0, pct(r["lat"], 0.5), pct(r["lat"], 0.99),
            r["lat"][-1] * 1000 if r["lat"] else float("nan"), r["errors"], peak // 1024, tail, hwm, code), flush=True)
        if attack:
            notes.append("%s: %s" % (attack, note))
    print("\nthe attackers saw:")
    for n in notes:
        print("  " + n)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
