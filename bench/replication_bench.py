#!/usr/bin/env python3
"""Global tables (issue 26): replication lag under a steady PutItem load, and what one replica adds
to the cost of a PutItem.

    bench/replication_bench.py [--bin PATH] [--rate 800] [--duration 10] [--writers 4] [--sample 10]
                               [--puts 20000] [--clients 4] [--rounds 2] [--replication-lag MS]
    bench/replication_bench.py --quick      # 400 puts/s for 4 s, 4,000 puts per configuration: ~12 s

One run prints one table (about 25 s with the defaults). Every server is a fresh
`ddbd --in-memory --namespaces` on a free loopback port, started by this script and stopped by it
(by pid/process group), also on error or Ctrl-C. The region of a request is its SigV4 credential
scope's, as in DynamoDB: the client sends an unverified Authorization header naming us-east-1 or
us-west-2 (ddbd runs without --auth). A global table is made as a user makes one: CreateTable
(PAY_PER_REQUEST, hash key pk S) in us-east-1, then UpdateTable ReplicaUpdates Create us-west-2,
then DescribeTable in us-west-2 is polled until the table is ACTIVE.

1. Replication lag. --writers threads put --rate items/s in all into the us-east-1 table for
   --duration seconds, paced (each thread its share on a fixed schedule), unique keys, items of
   ~200 bytes that carry their client send time in ms in the Number attribute `t`. For every
   --sample-th item the writer hands (key, time of the PutItem's response) through a pipe to a
   poller in a process of its own (so Python's GIL does not delay it), which GetItems the key in
   us-west-2 at once and then every ~1 ms until the item is there. lag = the first GetItem response
   that holds the item - the PutItem response (also: - the client send time `t`). The poll interval
   sets the resolution: a sample found by the first GetItem after the put's response has a lag below
   one GetItem round trip, and the row says how many were. At the end every item must be in
   us-west-2 (Scan Select COUNT) with the same `t`. Then the same again with us-west-2 on a second
   server: two servers, each the other's --region-peer, so the changes are pushed over HTTP (up to
   100 per request) and the poller reads the second server.
2. Write cost. Three fresh servers: (a) a regular table, (b) a global table with a replica in
   us-west-2, (c) a MultiRegionConsistency STRONG global table (us-west-2 and a witness in
   us-east-2: every PutItem is committed in both regions before its response). --clients client processes (one keep-alive connection each; processes, so the client
   is not one GIL) put --puts new ~200-byte items per configuration, unpaced, in --rounds rounds per
   server, interleaved a b c c b a .... Before each round the script waits until the server is idle (at
   most one clock tick of CPU in 0.5 s). Per round: items/s (first request sent -> last response)
   and server CPU (utime+stime of all its threads, /proc/PID/stat) over three windows: until the
   last PutItem response ("requests"); until the writes are in every region ("+ replication": a
   sentinel item put after the round, then GetItem in us-west-2, every 2 ms, until the sentinel and
   each client's last item are there; for (a) and (c) the sentinel's PutItem only); and until the server is
   idle again ("until idle", the window's idle wait adds at most one tick per 0.5 s). The ratios
   are b / a. Each server's table is checked with Scan Select COUNT at the end (in us-west-2 too
   for (b)).

The client is Python's http.client on this same machine, so items/s is bounded by the clients as
much as by ddbd on a 2-core machine; the server CPU per 1,000 PutItems is the steadier figure.
Stdlib only.
"""
import argparse
import http.client
import json
import math
import multiprocessing as mp
import os
import select
import shlex
import signal
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TCK = os.sysconf("SC_CLK_TCK")
EAST, WEST = "us-east-1", "us-west-2"
TABLE = "bench_global"
PAD = "x" * 160                        # ~200-byte items: pk, t and this
SAMPLE = struct.Struct("<Idd")         # writer -> poller: key number, PutItem response (monotonic), send (epoch ms)


def auth(region):
    return ("AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/%s/dynamodb/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=abc" % region)


class DDBError(Exception):
    pass


class Conn:
    """One keep-alive HTTP/1.1 connection speaking DynamoDB JSON 1.0, in one region."""

    def __init__(self, port, region, timeout=120):
        self.port, self.timeout, self.c = port, timeout, None
        self.auth = auth(region)

    def raw(self, op, body):
        headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810." + op,
                   "X-Amz-Date": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()), "Authorization": self.auth}
        if isinstance(body, str):
            body = body.encode()
        for attempt in (0, 1):
            try:
                if self.c is None:
                    self.c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                    self.c.connect()
                    self.c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self.c.request("POST", "/", body=body, headers=headers)
                r = self.c.getresponse()
                data = r.read()
                if (r.getheader("connection") or "").lower() == "close":
                    self.close()
                return r.status, data
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.CannotSendRequest, http.client.ResponseNotReady):
                self.close()
                if attempt:
                    raise

    def call(self, op, body):
        if not isinstance(body, (str, bytes)):
            body = json.dumps(body, separators=(",", ":"))
        status, data = self.raw(op, body)
        if status != 200:
            raise DDBError("%s: HTTP %d %s" % (op, status, data[:300].decode("latin-1")))
        return json.loads(data) if data else {}

    def close(self):
        if self.c is not None:
            self.c.close()
            self.c = None


# ---- servers -------------------------------------------------------------------------------

RUNNING = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary, extra, port=None):
        self.port = port or free_port()
        self.cmd = [binary, "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "error",
                    "--in-memory", "--namespaces"] + extra
        self.proc = subprocess.Popen(self.cmd, start_new_session=True, stdin=subprocess.DEVNULL)
        RUNNING.append(self)
        self.pid = self.proc.pid
        c, t0 = Conn(self.port, EAST, timeout=5), time.monotonic()
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("ddbd exited during start-up (exit %s): %s" % (self.proc.returncode, self.cmd))
            try:
                c.call("ListTables", {})
                break
            except (OSError, DDBError, http.client.HTTPException):
                c.close()
                if time.monotonic() - t0 > 60:
                    raise RuntimeError("ddbd did not answer ListTables within 60 s")
                time.sleep(0.01)
        c.close()

    def cpu_s(self):
        """utime + stime of the server process (all its threads), in seconds."""
        with open("/proc/%d/stat" % self.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TCK

    def settle(self, timeout=60):
        """Waits until the server is idle: at most one clock tick of CPU in 0.5 s."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            c0 = self.cpu_s()
            time.sleep(0.5)
            if self.cpu_s() - c0 <= 1.0 / TCK:
                break

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGTERM)
                self.proc.wait(timeout=30)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.proc.wait()
        if self in RUNNING:
            RUNNING.remove(self)


def stop_all(*_):
    for s in list(RUNNING):
        s.stop()


# ---- tables --------------------------------------------------------------------------------

def create_table(port, global_table, west_port=None):
    """TABLE in us-east-1; with global_table a replica in us-west-2, ACTIVE there ("strong": a
    MultiRegionConsistency STRONG group, us-west-2 and a witness in us-east-2; west_port: us-west-2
    is the --region-peer server on that port). Returns the seconds from UpdateTable to the first
    ACTIVE DescribeTable in us-west-2 (or None)."""
    east, west = Conn(port, EAST), Conn(west_port or port, WEST)
    east.call("CreateTable", {"TableName": TABLE, "BillingMode": "PAY_PER_REQUEST",
                              "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                              "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]})
    t0 = time.monotonic()
    while east.call("DescribeTable", {"TableName": TABLE})["Table"]["TableStatus"] != "ACTIVE":
        if time.monotonic() - t0 > 30:
            raise RuntimeError("table not ACTIVE in us-east-1 after 30 s")
        time.sleep(0.01)
    active_s = None
    if global_table:
        t0 = time.monotonic()
        body = {"TableName": TABLE, "ReplicaUpdates": [{"Create": {"RegionName": WEST}}]}
        if global_table == "strong":
            body.update(MultiRegionConsistency="STRONG", GlobalTableWitnessUpdates=[{"Create": {"RegionName": "us-east-2"}}])
        east.call("UpdateTable", body)
        while True:
            try:
                st = west.call("DescribeTable", {"TableName": TABLE})["Table"]["TableStatus"]
            except DDBError as e:
                if "ResourceNotFound" not in str(e):
                    raise
                st = None
            if st == "ACTIVE":
                break
            if time.monotonic() - t0 > 30:
                raise RuntimeError("replica in us-west-2 not ACTIVE after 30 s (%s)" % st)
            time.sleep(0.005)
        active_s = time.monotonic() - t0
        reps = east.call("DescribeTable", {"TableName": TABLE})["Table"].get("Replicas", [])
        if not any(r.get("RegionName") == WEST for r in reps):
            raise RuntimeError("DescribeTable in us-east-1 lists no us-west-2 replica: %s" % reps)
    east.close()
    west.close()
    return active_s


def put_body(key, t_ms):
    return '{"TableName":"%s","Item":{"pk":{"S":"%s"},"t":{"N":"%.3f"},"p":{"S":"%s"}}}' % (TABLE, key, t_ms, PAD)


def get_body(key):
    return '{"TableName":"%s","Key":{"pk":{"S":"%s"}}}' % (TABLE, key)


def count(port, region):
    c, n, start = Conn(port, region), 0, None
    while True:
        body = {"TableName": TABLE, "Select": "COUNT"}
        if start:
            body["ExclusiveStartKey"] = start
        r = c.call("Scan", body)
        n += r["Count"]
        start = r.get("LastEvaluatedKey")
        if not start:
            c.close()
            return n


def pctl(xs, p):
    """Nearest-rank percentile."""
    s = sorted(xs)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


# ---- 1. lag --------------------------------------------------------------------------------

def lag_key(i):
    return "lag#%07d" % i


def poller(port, rfd, wfd, out):
    """Child process: GetItems each sampled key in us-west-2 until it is there."""
    os.close(wfd)                         # the writers' end: EOF once the parent closes its copy
    c = Conn(port, WEST)
    pending = {}          # key number -> [put response (monotonic), send ms (epoch), GetItems]
    found, buf, eof = [], b"", False
    try:
        while not eof or pending:
            wait = 0.001 if pending else (None if not eof else 0)
            if not eof and select.select([rfd], [], [], wait)[0]:
                data = os.read(rfd, 65536)
                if not data:
                    eof = True
                buf += data
                while len(buf) >= SAMPLE.size:
                    i, t_resp, t_send = SAMPLE.unpack_from(buf)
                    buf = buf[SAMPLE.size:]
                    pending[i] = [t_resp, t_send, 0]
            elif pending and eof:
                time.sleep(0.001)
            for i in list(pending):
                st, data = c.raw("GetItem", get_body(lag_key(i)))
                now, wall_ms = time.monotonic(), time.time() * 1e3
                p = pending[i]
                p[2] += 1
                if st != 200:
                    raise DDBError("GetItem: HTTP %d %s" % (st, data[:300]))
                item = json.loads(data).get("Item")
                if item is not None:
                    if abs(float(item["t"]["N"]) - p[1]) > 0.01:
                        raise RuntimeError("%s in us-west-2 has t=%s, sent %.3f" % (lag_key(i), item["t"]["N"], p[1]))
                    found.append(((now - p[0]) * 1e3, wall_ms - p[1], p[2]))
                    del pending[i]
                elif now - p[0] > 30:
                    raise RuntimeError("%s not in us-west-2 30 s after its PutItem" % lag_key(i))
        out.send(("ok", found))
    except Exception as e:  # noqa: BLE001 (reported by the parent)
        out.send(("error", repr(e)))
    finally:
        c.close()


def measure_lag(args, srv, west_port=None):
    """Puts into us-east-1 on srv; polls us-west-2 on srv, or on the peer server at west_port."""
    n_total = int(args.rate * args.duration)
    rfd, wfd = os.pipe()
    res_r, res_w = mp.Pipe(duplex=False)
    pp = mp.get_context("fork").Process(target=poller, args=(west_port or srv.port, rfd, wfd, res_w), daemon=True)
    pp.start()
    os.close(rfd)
    res_w.close()
    errors, put_lat = [], []
    per_thread_rate = args.rate / args.writers
    t0 = time.monotonic() + 0.2

    def writer(w):
        c, mine = Conn(srv.port, EAST), []
        try:
            j = 0
            while True:
                i = w + j * args.writers          # keys w, w+W, w+2W, ...: unique across threads
                if i >= n_total:
                    break
                due = t0 + j / per_thread_rate
                d = due - time.monotonic()
                if d > 0:
                    time.sleep(d)
                t_send = time.time() * 1e3
                s0 = time.monotonic()
                st, data = c.raw("PutItem", put_body(lag_key(i), t_send))
                t_resp = time.monotonic()
                if st != 200:
                    raise DDBError("PutItem: HTTP %d %s" % (st, data[:300]))
                mine.append(t_resp - s0)
                if i % args.sample == 0:
                    os.write(wfd, SAMPLE.pack(i, t_resp, t_send))
                j += 1
        except Exception as e:  # noqa: BLE001
            errors.append(e)
        finally:
            c.close()
            put_lat.extend(mine)

    ts = [threading.Thread(target=writer, args=(w,)) for w in range(args.writers)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    wall = time.monotonic() - t0
    os.close(wfd)
    if not res_r.poll(60):
        raise RuntimeError("the poller did not finish within 60 s of the last PutItem")
    status, found = res_r.recv()
    pp.join(5)
    if errors:
        raise RuntimeError("PutItem failed: %s" % errors[0])
    if status != "ok":
        raise RuntimeError("poller: %s" % found)
    # every item arrived? (the poller has seen the last sampled ones; give the rest a moment)
    t1 = time.monotonic()
    while True:
        n_west = count(west_port or srv.port, WEST)
        if n_west == n_total or time.monotonic() - t1 > 10:
            break
        time.sleep(0.05)
    if n_west != n_total:
        raise RuntimeError("us-west-2 holds %d of %d items" % (n_west, n_total))
    lags = [f[0] for f in found]
    return {"n": len(lags), "puts": n_total, "rate": n_total / wall, "p50": pctl(lags, 50), "p90": pctl(lags, 90),
            "p99": pctl(lags, 99), "max": max(lags), "mean": statistics.mean(lags),
            "send_p50": pctl([f[1] for f in found], 50), "send_p99": pctl([f[1] for f in found], 99),
            "first_poll": sum(1 for f in found if f[2] == 1), "polls": sum(f[2] for f in found),
            "put_p50": pctl(put_lat, 50) * 1e3, "put_p99": pctl(put_lat, 99) * 1e3}


# ---- 2. write cost -------------------------------------------------------------------------

def cost_key(rnd, k, j):
    return "w#%d#%d#%07d" % (rnd, k, j)


def put_client(port, rnd, k, n, go, out):
    """Child process: n PutItems of new items in us-east-1 once `go` is set; sends its end time."""
    c = Conn(port, EAST)
    try:
        c.call("DescribeTable", {"TableName": TABLE})          # connect outside the window
        bodies = [put_body(cost_key(rnd, k, j), 0.0) for j in range(n)]
        go.wait()
        for b in bodies:
            st, data = c.raw("PutItem", b)
            if st != 200:
                raise DDBError("PutItem: HTTP %d %s" % (st, data[:300]))
        out.put(("ok", k, time.monotonic()))
    except Exception as e:  # noqa: BLE001
        out.put(("error", k, repr(e)))
    finally:
        c.close()


def cost_round(args, srv, rnd, n_per_client, replicated):
    ctx = mp.get_context("fork")
    go, out = ctx.Event(), ctx.Queue()
    ps = [ctx.Process(target=put_client, args=(srv.port, rnd, k, n_per_client, go, out), daemon=True)
          for k in range(args.clients)]
    for p in ps:
        p.start()
    time.sleep(0.3)                                            # the clients build their requests
    srv.settle()
    c0, t0 = srv.cpu_s(), time.monotonic()
    go.set()
    ends = []
    for _ in ps:
        status, k, v = out.get(timeout=300)
        if status != "ok":
            raise RuntimeError("client %d: %s" % (k, v))
        ends.append(v)
    c_req = srv.cpu_s()
    wall = max(ends) - t0
    for p in ps:
        p.join(10)
    east, west = Conn(srv.port, EAST), Conn(srv.port, WEST)
    sentinel = "sentinel#%d" % rnd
    east.call("PutItem", put_body(sentinel, 0.0))
    polls = 0
    if replicated:
        wanted = [sentinel] + [cost_key(rnd, k, n_per_client - 1) for k in range(args.clients)]
        t1 = time.monotonic()
        while wanted:
            polls += 1
            if "Item" in west.call("GetItem", get_body(wanted[0])):
                wanted.pop(0)
                continue
            if time.monotonic() - t1 > 60:
                raise RuntimeError("%s not in us-west-2 60 s after the round" % wanted[0])
            time.sleep(0.002)
    c_repl = srv.cpu_s()
    catch_up = time.monotonic() - t0 - wall
    east.close()
    west.close()
    srv.settle()
    c_idle = srv.cpu_s()
    return {"n": n_per_client * args.clients, "wall": wall, "req": c_req - c0, "repl": c_repl - c0,
            "idle": c_idle - c0, "catch_up": catch_up, "polls": polls}


def measure_cost(args, srv_a, srv_b, srv_c):
    per_round = args.puts // args.rounds // args.clients
    tot = {"a": [], "b": [], "c": []}
    servers = {"a": srv_a, "b": srv_b, "c": srv_c}
    order = []
    for r in range(args.rounds):
        order += ["a", "b", "c"] if r % 2 == 0 else ["c", "b", "a"]
    for rnd, kind in enumerate(order):
        print("[cost] round %d: (%s) %d clients x %d PutItems" % (rnd, kind, args.clients, per_round),
              file=sys.stderr, flush=True)
        tot[kind].append(cost_round(args, servers[kind], rnd, per_round, kind == "b"))
    res = {}
    for kind, rounds in tot.items():
        n = sum(r["n"] for r in rounds)
        res[kind] = {"n": n, "rate": n / sum(r["wall"] for r in rounds),
                     "req": sum(r["req"] for r in rounds) / n * 1e6,   # ms per 1,000
                     "repl": sum(r["repl"] for r in rounds) / n * 1e6,   # ms per 1,000
                     "idle": sum(r["idle"] for r in rounds) / n * 1e6,   # ms per 1,000
                     "catch_up_ms": max(r["catch_up"] for r in rounds) * 1e3,
                     "polls": sum(r["polls"] for r in rounds)}
    # every item (and the sentinels) in every region
    exp = res["a"]["n"] + args.rounds
    for srv, regions in ((srv_a, (EAST,)), (srv_b, (EAST, WEST)), (srv_c, (EAST, WEST))):
        for region in regions:
            n = count(srv.port, region)
            if n != exp:
                raise RuntimeError("server :%d %s holds %d items, expected %d" % (srv.port, region, n, exp))
    return res


# ---- main ----------------------------------------------------------------------------------

def git_commit():
    root = os.path.join(HERE, "..")
    try:
        h = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                           check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return h + (" (+ uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.environ.get("DDBD_BIN", os.path.join(HERE, "..", "build", "ddbd")))
    ap.add_argument("--rate", type=int, help="PutItems/s in all during the lag test (default 800; quick 400)")
    ap.add_argument("--duration", type=float, help="seconds of the lag test (default 10; quick 4)")
    ap.add_argument("--writers", type=int, default=4, help="writer threads of the lag test (default 4)")
    ap.add_argument("--sample", type=int, default=10, help="lag measured for every N-th item (default 10)")
    ap.add_argument("--puts", type=int, help="PutItems per configuration of the cost test (default 20000; quick 4000)")
    ap.add_argument("--clients", type=int, default=4, help="client processes of the cost test (default 4)")
    ap.add_argument("--rounds", type=int, default=2, help="rounds per configuration, interleaved (default 2)")
    ap.add_argument("--replication-lag", type=int, default=0, metavar="MS",
                    help="pass --replication-lag MS to the lag test's server (default 0: not passed)")
    ap.add_argument("--quick", action="store_true", help="small sizes, for testing the script")
    args = ap.parse_args()
    for name, full, quick in (("rate", 800, 400), ("duration", 10, 4), ("puts", 20000, 4000)):
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    args.bin = os.path.abspath(args.bin)
    if not os.access(args.bin, os.X_OK):
        sys.exit("no ddbd binary at %s (--bin or DDBD_BIN)" % args.bin)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    rows, cmds = [], []
    started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())

    def row(figure, value, note=""):
        rows.append((figure, value, note))
        print("  %-62s %s  %s" % (figure, value, note), file=sys.stderr, flush=True)

    try:
        # 1
        extra = ["--replication-lag", str(args.replication_lag)] if args.replication_lag else []
        srv = Server(args.bin, extra)
        cmds.append(srv.cmd)
        active_s = create_table(srv.port, True)
        print("[lag] %d PutItems/s for %.0f s from %d threads, every %d-th item polled in us-west-2"
              % (args.rate, args.duration, args.writers, args.sample), file=sys.stderr, flush=True)
        lag = measure_lag(args, srv)
        srv.stop()
        row("replica us-west-2 created: UpdateTable -> ACTIVE there", "%.0f ms" % (active_s * 1e3), "empty table")
        row("steady load in us-east-1 (%d threads, paced)" % args.writers, "%.0f PutItems/s" % lag["rate"],
            "%s items; PutItem latency p50 %.2f / p99 %.2f ms"
            % (format(lag["puts"], ","), lag["put_p50"], lag["put_p99"]))
        row("**replication lag, PutItem response -> visible in us-west-2: p50**", "**%.2f ms**" % lag["p50"],
            "%d samples (every %d-th item)" % (lag["n"], args.sample))
        row("  p90", "%.2f ms" % lag["p90"])
        row("  **p99**", "**%.2f ms**" % lag["p99"], "target <= 50 ms: %s" % ("PASS" if lag["p99"] <= 50 else "MISS"))
        row("  max", "%.2f ms" % lag["max"], "mean %.2f ms" % lag["mean"])
        row("  client send time `t` -> visible in us-west-2: p50 / p99", "%.2f / %.2f ms"
            % (lag["send_p50"], lag["send_p99"]), "")
        row("  samples found by the first GetItem", "%d of %d" % (lag["first_poll"], lag["n"]),
            "%d GetItems in all; the lag of these is below one GetItem round trip, the resolution"
            % lag["polls"])

        # 1b: the same load, us-west-2 on a second server (--region-peer: changes pushed over HTTP)
        pa, pb = free_port(), free_port()
        peer_a = Server(args.bin, ["--region-peer", "%s=http://127.0.0.1:%d" % (WEST, pb)], port=pa)
        peer_b = Server(args.bin, ["--region-peer", "%s=http://127.0.0.1:%d" % (EAST, pa)], port=pb)
        cmds.append(peer_a.cmd)
        active_s = create_table(peer_a.port, True, west_port=peer_b.port)
        print("[lag, peer] the same load, us-west-2 on a --region-peer server", file=sys.stderr, flush=True)
        plag = measure_lag(args, peer_a, west_port=peer_b.port)
        peer_a.stop()
        peer_b.stop()
        row("peer server (--region-peer): replica created, UpdateTable -> ACTIVE there", "%.0f ms" % (active_s * 1e3),
            "empty table")
        row("peer server: steady load in us-east-1", "%.0f PutItems/s" % plag["rate"],
            "PutItem latency p50 %.2f / p99 %.2f ms" % (plag["put_p50"], plag["put_p99"]))
        row("**peer server: replication lag, PutItem response -> visible there: p50**", "**%.2f ms**" % plag["p50"],
            "%d samples" % plag["n"])
        row("  peer server: **p99** / max", "**%.2f** / %.2f ms" % (plag["p99"], plag["max"]),
            "first GetItem found %d of %d" % (plag["first_poll"], plag["n"]))

        # 2
        srv_a, srv_b, srv_c = Server(args.bin, []), Server(args.bin, []), Server(args.bin, [])
        cmds += [srv_a.cmd, srv_b.cmd]
        create_table(srv_a.port, False)
        create_table(srv_b.port, True)
        create_table(srv_c.port, "strong")
        cost = measure_cost(args, srv_a, srv_b, srv_c)
        srv_a.stop()
        srv_b.stop()
        srv_c.stop()
        a, b, c = cost["a"], cost["b"], cost["c"]
        row("(a) PutItem, regular table: throughput", "%s items/s" % format(int(a["rate"]), ","),
            "%s items, %d client processes, %d rounds" % (format(a["n"], ","), args.clients, args.rounds))
        row("(b) PutItem, global table (1 replica): throughput", "%s items/s" % format(int(b["rate"]), ","),
            "b/a x%.2f" % (b["rate"] / a["rate"]))
        row("(a) server CPU per 1,000 PutItems: requests", "%.1f ms" % a["req"],
            "+ sentinel %.1f ms; until idle %.1f ms" % (a["repl"], a["idle"]))
        row("(b) server CPU per 1,000 PutItems: requests", "%.1f ms" % b["req"],
            "b/a x%.2f" % (b["req"] / a["req"]))
        row("(b) **server CPU per 1,000 PutItems: + replication**", "**%.1f ms**" % b["repl"],
            "**b/a x%.2f** (a: %.1f ms); caught up <= %.0f ms after the last response; %d GetItem polls"
            % (b["repl"] / a["repl"], a["repl"], b["catch_up_ms"], b["polls"]))
        row("(b) server CPU per 1,000 PutItems: until idle", "%.1f ms" % b["idle"],
            "b/a x%.2f (a: %.1f ms)" % (b["idle"] / a["idle"], a["idle"]))
        row("(c) PutItem, STRONG global table (us-west-2 + witness): throughput",
            "%s items/s" % format(int(c["rate"]), ","), "c/a x%.2f" % (c["rate"] / a["rate"]))
        row("(c) **server CPU per 1,000 PutItems: requests** (written in both regions)", "**%.1f ms**" % c["req"],
            "**c/a x%.2f**; until idle %.1f ms (c/a x%.2f)" % (c["req"] / a["req"], c["idle"], c["idle"] / a["idle"]))
    finally:
        stop_all()

    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        model = "?"
    sys.stderr.flush()
    print()
    print("Global tables: %s UTC, %d CPUs (%s), commit %s" % (started, len(os.sched_getaffinity(0)), model,
                                                               git_commit()))
    print("run:  %s" % " ".join(shlex.quote(x) for x in [sys.executable] + sys.argv))
    print("ddbd: %s  (lag test)" % " ".join(cmds[0]))
    if len(cmds) > 2:
        print("      %s  (peer lag test: us-east-1; its peer likewise for us-west-2)" % " ".join(cmds[1]))
        print("      %s  (a, b, c; ports differ)" % " ".join(cmds[2]))
    print()
    print("| figure | value | notes |")
    print("|---|---:|---|")
    for fig, val, note in rows:
        print("| %s | %s | %s |" % (fig, val, note))


if __name__ == "__main__":
    main()
