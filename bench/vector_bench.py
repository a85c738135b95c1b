#!/usr/bin/env python3
"""Vector search (issue 25): exact SearchVectors latency and throughput, the memory-bandwidth floor
of an exact scan, what a vector index adds to PutItem, and the backfill rate of a new vector index.

    bench/vector_bench.py [--bin PATH] [--items 100000] [--dims 768] [--searches 50] [--puts 5000]
                          [--backfill-items 50000] [--clients N] [--load-threads 4] [--bw-mb 512]
    bench/vector_bench.py --quick        # 5,000 items of 128 dims: a smoke run of about a minute

One run prints one table. Every server is a fresh ddbd on a free loopback port, started by this
script and stopped by it (by pid/process group), also on error or Ctrl-C.

1. Exact search. A ddbd with --search-threads 1 and a data directory in a temporary directory gets
   a table with one vector index (KEYS_ONLY, COSINE, --dims dimensions), loaded with --items random
   unit vectors (seeded; BatchWriteItem of 25 items from --load-threads threads: the load rate is
   printed). The first SearchVectors builds the in-memory copy of the index (vector_cache.c); it is
   timed on its own and left out. Then --searches sequential searches (TopK 10, one keep-alive
   client, a new random unit query vector each) give the median and p99 ms, and the server's CPU per
   search. A search with item 42's own vector must return item 42 first.
2. All cores. (b) --clients concurrent clients (default: the CPUs) against the same server
   (--search-threads 1): searches/s. (a) The server restarted on the same data directory with the
   default --search-threads (the CPUs), one client: the first search (rebuilding the copy from the
   store) and the median/p99 ms.
3. Memory bandwidth. A small C loop (compiled here with cc -O2) sums a --bw-mb MB float array on one
   core, several passes; the best pass is the machine's single-core sequential read bandwidth. The
   floor of an exact scan is items x dims x 4 bytes / that bandwidth; the measured median search is
   printed as a multiple of it.
4. PutItem with one vector index vs none. A fresh --in-memory ddbd, two identical tables but one
   has a vector index (whose in-memory copy is built by one search first). --puts PutItems of new
   items with a --dims vector into each, interleaved in 4 rounds; server CPU per request from
   /proc/PID/stat (utime+stime, all threads) from the start of each round until the server is idle
   again after it (so the RocksDB flushes and compactions a round causes are counted in it).
5. Backfill. A fresh --in-memory ddbd, a table without a vector index loaded with --backfill-items
   items, then UpdateTable VectorIndexUpdates Create; DescribeTable is polled until the index's
   IndexStatus is ACTIVE. items/s = items / (UpdateTable sent -> first ACTIVE answer).

6. Approximate search. Another data directory, loaded with a clustered set of --items vectors
   (--ann-centres unit centres, default items/100, each item its centre plus Gaussian noise of
   norm --ann-spread, normalised: a query has true neighbours, as with an embedding model; uniform
   random vectors have none, and no graph finds neighbours that are not there). --searches queries
   of the same distribution get exact answers from a ddbd with --search-threads 1; the same
   directory is then served with --vector-ann 1 --vector-ann-ef --ann-ef: the graph's build time
   (first search -> GET /metrics counts an approximate one), recall@10 (the share of the exact
   top 10 the approximate search returns) and its median latency beside the exact one.

Before every timed step the script waits until the server is idle (at most one clock tick of CPU
in 0.5 s), so RocksDB flushes and compactions after a load are not measured.

Stdlib only; the vectors and the bandwidth loop come from a small C helper compiled into a
temporary directory (random unit vectors in C: 100,000 x 768 in Python would take minutes).
"""
import argparse
import http.client
import json
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TCK = os.sysconf("SC_CLK_TCK")
AUTH = ("AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=abc")
INDEX = "emb_idx"

HELPER_C = r"""
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t next(uint64_t *s)   /* splitmix64 */
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double u01(uint64_t *s) { return ((next(s) >> 11) + 0.5) * (1.0 / 9007199254740992.0); }

/* vector i of seed: Gaussian components (Box-Muller), normalised to length 1 */
static void unit(float *v, unsigned d, uint64_t seed, uint64_t i)
{
    uint64_t s = seed * 0xd1342543de82ef95ULL + i * 0x2545f4914f6cdd1dULL + 1;
    double n2 = 0;
    next(&s);
    for (unsigned k = 0; k < d; k += 2) {
        double r = sqrt(-2.0 * log(u01(&s))), t = 2 * M_PI * u01(&s);
        v[k] = (float)(r * cos(t));
        if (k + 1 < d)
            v[k + 1] = (float)(r * sin(t));
    }
    for (unsigned k = 0; k < d; k++)
        n2 += (double)v[k] * v[k];
    n2 = 1.0 / sqrt(n2);
    for (unsigned k = 0; k < d; k++)
        v[k] = (float)(v[k] * n2);
}

/* x in [-1, 1] with 6 decimals, trailing zeros dropped */
static char *fmt(char *p, float x)
{
    long v = lrint((double)x * 1e6);
    char d[6];
    int n = 6;
    if (v < 0) {
        *p++ = '-';
        v = -v;
    }
    *p++ = (char)('0' + v / 1000000);
    v %= 1000000;
    if (v == 0)
        return p;
    for (int k = 5; k >= 0; k--, v /= 10)
        d[k] = (char)('0' + v % 10);
    while (d[n - 1] == '0')
        n--;
    *p++ = '.';
    memcpy(p, d, n);
    return p + n;
}

/* vector i of a clustered set: centre (a unit vector of its own seed) plus Gaussian noise of
   norm ~spread, normalised; the centre of vector i is hash(i) mod centres, the same for items and
   queries, so a query has true neighbours as an embedding model's would */
static void clustered(float *v, unsigned d, uint64_t seed, uint64_t i, uint64_t centres, double spread)
{
    float *n = malloc(d * sizeof *n);
    double n2 = 0;
    unit(v, d, seed ^ 0xc3c3c3c3ULL, (i * 2654435761ULL) % centres);
    unit(n, d, seed, i);
    for (unsigned k = 0; k < d; k++) {
        v[k] = (float)(v[k] + spread * n[k]);
        n2 += (double)v[k] * v[k];
    }
    n2 = 1.0 / sqrt(n2);
    for (unsigned k = 0; k < d; k++)
        v[k] = (float)(v[k] * n2);
    free(n);
}

/* vecs LO HI DIMS SEED [CENTRES SPREAD]: one line per vector i in [LO, HI): [{"N":"x"},...]
   (with CENTRES: the clustered set) */
static int vecs(uint64_t lo, uint64_t hi, unsigned d, uint64_t seed, uint64_t centres, double spread)
{
    float *v = malloc(d * sizeof *v);
    char *buf = malloc((size_t)d * 20 + 16), *p;
    for (uint64_t i = lo; i < hi; i++) {
        if (centres)
            clustered(v, d, seed, i, centres, spread);
        else
            unit(v, d, seed, i);
        p = buf;
        *p++ = '[';
        for (unsigned k = 0; k < d; k++) {
            if (k)
                *p++ = ',';
            memcpy(p, "{\"N\":\"", 6);
            p = fmt(p + 6, v[k]);
            memcpy(p, "\"}", 2);
            p += 2;
        }
        *p++ = ']';
        *p++ = '\n';
        if (fwrite(buf, 1, p - buf, stdout) != (size_t)(p - buf))
            return 1;
    }
    return fflush(stdout) != 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* bw MB PASSES: sums an MB-megabyte float array PASSES times; prints the best and the median pass
   in GB/s (1e9 B/s). Eight independent 4-float sums (SSE, the baseline x86-64 ddbd is built for):
   a plain `float` loop at -O2 is not vectorized and its adds, not memory, would set the pace
   (about 19 GB/s against 31 on this machine). */
typedef float v4f __attribute__((vector_size(16)));

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int bw(size_t mb, int passes)
{
    size_t n = mb * 1024 * 1024 / sizeof(float);
    float *a = aligned_alloc(64, n * sizeof(float));
    double *gbs = calloc(passes, sizeof *gbs), total = 0;
    if (!a || !gbs)
        return 1;
    for (size_t i = 0; i < n; i++)
        a[i] = (float)(i & 7) * 0.125f;
    for (int p = 0; p < passes; p++) {
        v4f acc[8] = {{0}};
        double t0 = now(), dt;
        for (size_t i = 0; i + 32 <= n; i += 32)
            for (int j = 0; j < 8; j++)
                acc[j] += *(const v4f *)(a + i + 4 * j);
        dt = now() - t0;
        for (int j = 0; j < 8; j++)
            total += acc[j][0] + acc[j][1] + acc[j][2] + acc[j][3];
        gbs[p] = n * sizeof(float) / dt / 1e9;
    }
    qsort(gbs, passes, sizeof *gbs, cmpd);
    printf("%.3f %.3f %g\n", gbs[passes - 1], gbs[passes / 2], total);
    return 0;
}

int main(int argc, char **argv)
{
    if ((argc == 6 || argc == 8) && strcmp(argv[1], "vecs") == 0)
        return vecs(strtoull(argv[2], 0, 10), strtoull(argv[3], 0, 10), (unsigned)atoi(argv[4]),
                    strtoull(argv[5], 0, 10), argc == 8 ? strtoull(argv[6], 0, 10) : 0,
                    argc == 8 ? atof(argv[7]) : 0);
    if (argc == 4 && strcmp(argv[1], "bw") == 0)
        return bw(strtoull(argv[2], 0, 10), atoi(argv[3]));
    fprintf(stderr, "usage: helper vecs LO HI DIMS SEED | helper bw MB PASSES\n");
    return 2;
}
"""

QUERY_BASE = 10 ** 9   # query vectors are vectors QUERY_BASE.. of the same seed: never an item's


class DDBError(Exception):
    pass


class Conn:
    """One keep-alive HTTP/1.1 connection speaking DynamoDB JSON 1.0."""

    def __init__(self, port, timeout=600):
        self.port, self.timeout, self.c = port, timeout, None

    def raw(self, op, body):
        headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810." + op,
                   "X-Amz-Date": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()), "Authorization": AUTH}
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
    def __init__(self, binary, extra):
        self.port = free_port()
        cmd = [binary, "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "error"] + extra
        self.proc = subprocess.Popen(cmd, start_new_session=True, stdin=subprocess.DEVNULL)
        RUNNING.append(self)
        self.pid = self.proc.pid
        c, t0 = Conn(self.port, timeout=5), time.monotonic()
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("ddbd exited during start-up (exit %s): %s" % (self.proc.returncode, cmd))
            try:
                c.call("ListTables", {})
                break
            except (OSError, DDBError, http.client.HTTPException):
                c.close()
                if time.monotonic() - t0 > 600:
                    raise RuntimeError("ddbd did not answer ListTables within 600 s")
                time.sleep(0.01)
        c.close()
        self.ready_s = time.monotonic() - t0

    def cpu_s(self):
        """utime + stime of the server process (all its threads), in seconds."""
        with open("/proc/%d/stat" % self.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TCK

    def rss_mb(self):
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def settle(self, timeout=300):
        """Waits until the server is idle: at most one clock tick of CPU in 0.5 s."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            c0 = self.cpu_s()
            time.sleep(0.5)
            if self.cpu_s() - c0 <= 1.0 / TCK:
                return time.monotonic() - t0
        return time.monotonic() - t0

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGTERM)
                self.proc.wait(timeout=60)
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


# ---- data ----------------------------------------------------------------------------------

def vectors(helper, lo, hi, dims, seed, clusters=None):
    """Yields the JSON text of vectors lo..hi-1 (the helper's `vecs` lines, without the newline);
    clusters: (centres, spread) for the clustered set."""
    extra = [str(clusters[0]), repr(clusters[1])] if clusters else []
    p = subprocess.Popen([helper, "vecs", str(lo), str(hi), str(dims), str(seed)] + extra, stdout=subprocess.PIPE,
                         bufsize=1 << 20)
    try:
        for line in p.stdout:
            yield line.rstrip(b"\n").decode()
    finally:
        p.stdout.close()
        if p.wait() != 0:
            raise RuntimeError("vector helper failed (exit %s)" % p.returncode)


def pk(i):
    return "v#%07d" % i


def create_table(c, table, dims, with_index):
    body = {"TableName": table, "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}
    if with_index:
        body["VectorIndexes"] = [index_def(dims)]
    c.call("CreateTable", body)
    t0 = time.monotonic()
    while c.call("DescribeTable", {"TableName": table})["Table"]["TableStatus"] != "ACTIVE":
        if time.monotonic() - t0 > 60:
            raise RuntimeError("table %s not ACTIVE after 60 s" % table)
        time.sleep(0.02)


def index_def(dims):
    return {"IndexName": INDEX, "VectorAttribute": {"AttributeName": "emb"},
            "Projection": {"ProjectionType": "KEYS_ONLY"}, "Dimensions": dims, "DistanceFunction": "COSINE"}


def load(srv, helper, table, n, dims, seed, threads, clusters=None):
    """BatchWriteItem of 25 items from `threads` threads; returns seconds."""
    errors = []
    per = -(-n // threads)
    per += -per % 25

    def work(lo, hi):
        c = Conn(srv.port)
        try:
            batch, i = [], lo
            for vec in vectors(helper, lo, hi, dims, seed, clusters):
                batch.append('{"PutRequest":{"Item":{"pk":{"S":"%s"},"emb":{"L":%s}}}}' % (pk(i), vec))
                i += 1
                if len(batch) == 25 or i == hi:
                    body = '{"RequestItems":{"%s":[%s]}}' % (table, ",".join(batch))
                    batch, delay = [], 0.01
                    while True:
                        r = c.call("BatchWriteItem", body)
                        un = r.get("UnprocessedItems") or {}
                        if not un:
                            break
                        body = json.dumps({"RequestItems": un})
                        time.sleep(delay)
                        delay = min(delay * 2, 1.0)
        except Exception as e:  # noqa: BLE001 (fails the run below)
            errors.append(e)
        finally:
            c.close()

    ts = [threading.Thread(target=work, args=(lo, min(lo + per, n))) for lo in range(0, n, per)]
    t0 = time.monotonic()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        raise RuntimeError("load failed: %s" % errors[0])
    return time.monotonic() - t0


def search_body(table, vec, topk=10):
    return '{"TableName":"%s","IndexName":"%s","SearchVector":%s,"TopK":%d}' % (table, INDEX, vec, topk)


def search(c, table, vec, expect):
    """One SearchVectors; returns (seconds, results). Checks the number of results."""
    body = search_body(table, vec).encode()
    t0 = time.perf_counter()
    status, data = c.raw("SearchVectors", body)
    dt = time.perf_counter() - t0
    if status != 200:
        raise DDBError("SearchVectors: HTTP %d %s" % (status, data[:300].decode("latin-1")))
    res = json.loads(data)["SearchResults"]
    if len(res) != expect:
        raise RuntimeError("SearchVectors returned %d results, expected %d" % (len(res), expect))
    return dt, res


def pctl(xs, p):
    """Nearest-rank percentile."""
    s = sorted(xs)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def check_self(c, helper, table, dims, seed, n):
    """A search with item 42's own vector must find item 42 first, at distance ~0."""
    i = min(42, n - 1)
    vec = next(vectors(helper, i, i + 1, dims, seed))
    _, res = search(c, table, vec, min(10, n))
    top = res[0]["Item"]["pk"]["S"]
    if top != pk(i) or float(res[0]["Score"]) > 1e-3:
        raise RuntimeError("self-search: expected %s at score ~0 first, got %s at %s" % (pk(i), top, res[0]["Score"]))


def sequential(srv, c, table, queries, expect):
    cpu0 = srv.cpu_s()
    lat = [search(c, table, q, expect)[0] for q in queries]
    cpu = srv.cpu_s() - cpu0
    return {"median": statistics.median(lat) * 1e3, "p99": pctl(lat, 99) * 1e3, "n": len(lat),
            "cpu_ms": cpu / len(lat) * 1e3}


def concurrent(srv, table, queries, clients, expect):
    """`clients` threads, each its own connection, all searching `queries` (offset per client)."""
    lats, errors = [], []
    conns = [Conn(srv.port) for _ in range(clients)]
    for k, c in enumerate(conns):            # connect and warm each connection once
        search(c, table, queries[k % len(queries)], expect)
    barrier = threading.Barrier(clients + 1)

    def work(k):
        c, mine = conns[k], []
        barrier.wait()
        try:
            for j in range(len(queries)):
                mine.append(search(c, table, queries[(j + k * 7) % len(queries)], expect)[0])
        except Exception as e:  # noqa: BLE001
            errors.append(e)
        lats.extend(mine)

    ts = [threading.Thread(target=work, args=(k,)) for k in range(clients)]
    for t in ts:
        t.start()
    cpu0 = srv.cpu_s()
    barrier.wait()
    t0 = time.monotonic()
    for t in ts:
        t.join()
    wall = time.monotonic() - t0
    cpu = srv.cpu_s() - cpu0
    for c in conns:
        c.close()
    if errors:
        raise RuntimeError("concurrent searches failed: %s" % errors[0])
    return {"rate": len(lats) / wall, "n": len(lats), "median": statistics.median(lats) * 1e3,
            "p99": pctl(lats, 99) * 1e3, "cpu_ms": cpu / len(lats) * 1e3, "wall": wall}


# ---- the five measurements -------------------------------------------------------------------

def bandwidth(helper, mb, passes):
    out = subprocess.run([helper, "bw", str(mb), str(passes)], check=True, capture_output=True, text=True).stdout
    best, median, _ = out.split()
    return float(best), float(median)


def put_cost(args, helper, tmp):
    """Server CPU per PutItem into a table with one vector index and into one without."""
    srv = Server(args.bin, ["--in-memory"])
    try:
        c = Conn(srv.port)
        tables = {"plain": "bench_put_novec", "vec": "bench_put_vec"}
        create_table(c, tables["plain"], args.dims, False)
        create_table(c, tables["vec"], args.dims, True)
        warm = 200
        vecs = list(vectors(helper, 0, args.puts + warm, args.dims, args.seed + 1))
        bodies = {}
        for kind, t in tables.items():
            bodies[kind] = ['{"TableName":"%s","Item":{"pk":{"S":"%s"},"emb":{"L":%s}}}' % (t, pk(i), v)
                            for i, v in enumerate(vecs)]
        for kind in tables:                   # warm-up items, then build the index's in-memory copy
            for b in bodies[kind][args.puts:]:
                c.call("PutItem", b)
        search(c, tables["vec"], vecs[0], 10)
        c.close()
        rounds, threads = 4, 2
        cpu = {"plain": 0.0, "vec": 0.0}
        count = {"plain": 0, "vec": 0}
        wall = {"plain": 0.0, "vec": 0.0}
        for r in range(rounds):
            lo, hi = args.puts * r // rounds, args.puts * (r + 1) // rounds
            for kind in (("plain", "vec") if r % 2 == 0 else ("vec", "plain")):
                srv.settle()
                errors = []
                conns = [Conn(srv.port) for _ in range(threads)]
                for cc in conns:
                    cc.call("DescribeTable", {"TableName": tables[kind]})   # connect outside the window

                def work(k, kind=kind, lo=lo, hi=hi, conns=conns, errors=errors):
                    try:
                        for j in range(lo + k, hi, threads):
                            conns[k].call("PutItem", bodies[kind][j])
                    except Exception as e:  # noqa: BLE001
                        errors.append(e)

                ts = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
                c0, t0 = srv.cpu_s(), time.monotonic()
                for t in ts:
                    t.start()
                for t in ts:
                    t.join()
                wall[kind] += time.monotonic() - t0
                # the flushes and compactions the round's writes cause are their cost too: the CPU is
                # read once the server is idle again (the idle wait adds at most a tick per 0.5 s)
                srv.settle()
                cpu[kind] += srv.cpu_s() - c0
                count[kind] += hi - lo
                for cc in conns:
                    cc.close()
                if errors:
                    raise RuntimeError("PutItem failed: %s" % errors[0])
        return {k: {"us": cpu[k] / count[k] * 1e6, "n": count[k], "rate": count[k] / wall[k]} for k in cpu}
    finally:
        srv.stop()


def approx_searches(port):
    """ddbd_vector_searches_total{mode="approximate"} from GET /metrics."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.request("GET", "/metrics")
        text = c.getresponse().read().decode()
    finally:
        c.close()
    for line in text.splitlines():
        if line.startswith('ddbd_vector_searches_total{mode="approximate"}'):
            return int(line.split()[-1])
    raise RuntimeError("GET /metrics has no ddbd_vector_searches_total: a ddbd without --vector-ann?")


def timed_ids(c, table, queries, k):
    """Sequential searches: (latencies, [set of item keys per query])."""
    lat, ids = [], []
    for q in queries:
        dt, res = search(c, table, q, k)
        lat.append(dt)
        ids.append({r["Item"]["pk"]["S"] for r in res})
    return lat, ids


def ann(args, helper, tmp):
    """6. The clustered set (--ann-centres, --ann-spread) in a data directory: exact answers and
    latency from a ddbd without --vector-ann, then the same directory under --vector-ann 1: the
    graph's build, its answers' recall@10 against the exact ones, latency and the speed-up."""
    n, d, k = args.items, args.dims, 10
    clusters = (args.ann_centres, args.ann_spread)
    datadir, table = os.path.join(tmp, "ann"), "bench_ann"
    srv = Server(args.bin, ["--data-dir", datadir, "--search-threads", "1"])
    c = Conn(srv.port)
    create_table(c, table, d, True)
    load(srv, helper, table, n, d, args.seed + 1, args.load_threads, clusters)
    srv.settle()
    queries = list(vectors(helper, QUERY_BASE, QUERY_BASE + args.searches, d, args.seed + 1, clusters))
    search(c, table, queries[0], k)  # builds the in-memory copy
    ex_lat, ex_ids = timed_ids(c, table, queries, k)
    c.close()
    srv.stop()

    srv = Server(args.bin, ["--data-dir", datadir, "--search-threads", "1", "--vector-ann", "1",
                            "--vector-ann-ef", str(args.ann_ef)])
    srv.settle()
    c = Conn(srv.port)
    cpu0 = srv.cpu_s()
    search(c, table, queries[0], k)  # builds the copy, then starts the graph
    t0 = time.monotonic()
    while approx_searches(srv.port) == 0:
        if time.monotonic() - t0 > 3600:
            raise RuntimeError("no approximate graph after an hour")
        time.sleep(0.5)
        search(c, table, queries[0], k)
    build_s = time.monotonic() - t0
    build_cpu = srv.cpu_s() - cpu0
    rss = srv.rss_mb()
    srv.settle()
    cpu0 = srv.cpu_s()
    ap_lat, ap_ids = timed_ids(c, table, queries, k)
    cpu = srv.cpu_s() - cpu0
    c.close()
    srv.stop()
    recall = sum(len(a & e) for a, e in zip(ap_ids, ex_ids)) / float(k * len(queries))
    return {"exact_ms": statistics.median(ex_lat) * 1e3, "ann_ms": statistics.median(ap_lat) * 1e3,
            "ann_p99": pctl(ap_lat, 99) * 1e3, "recall": recall, "build_s": build_s, "build_cpu": build_cpu,
            "rss": rss, "cpu_ms": cpu / len(queries) * 1e3, "n": len(queries)}


def backfill(args, helper):
    srv = Server(args.bin, ["--in-memory"])
    try:
        c = Conn(srv.port)
        table = "bench_backfill_vec"
        create_table(c, table, args.dims, False)
        load_s = load(srv, helper, table, args.backfill_items, args.dims, args.seed + 2, args.load_threads)
        srv.settle()
        t0 = time.perf_counter()
        for _ in range(10):
            c.call("DescribeTable", {"TableName": table})
        describe_ms = (time.perf_counter() - t0) / 10 * 1e3
        poll = max(0.02, describe_ms / 1e3 * 20)   # polls take at most ~5 % of a core
        srv.settle()
        cpu0 = srv.cpu_s()
        t0 = time.monotonic()
        c.call("UpdateTable", {"TableName": table, "VectorIndexUpdates": [{"Create": index_def(args.dims)}]})
        polls, status = 0, None
        while True:
            d = c.call("DescribeTable", {"TableName": table})["Table"]
            polls += 1
            ix = next((v for v in d.get("VectorIndexes", []) if v["IndexName"] == INDEX), None)
            status = ix and ix.get("IndexStatus")
            if status == "ACTIVE":
                break
            if status not in ("CREATING", "UPDATING", None) or time.monotonic() - t0 > 3600:
                raise RuntimeError("vector index status %s after %.0f s" % (status, time.monotonic() - t0))
            time.sleep(poll)
        secs = time.monotonic() - t0
        cpu = srv.cpu_s() - cpu0
        check_self(c, helper, table, args.dims, args.seed + 2, args.backfill_items)
        c.close()
        return {"load_s": load_s, "secs": secs, "rate": args.backfill_items / secs, "polls": polls,
                "poll_s": poll, "describe_ms": describe_ms,
                "cpu_us": cpu / args.backfill_items * 1e6}
    finally:
        srv.stop()


def main():
    ncpu = len(os.sched_getaffinity(0))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.environ.get("DDBD_BIN", os.path.join(HERE, "..", "build", "ddbd")))
    ap.add_argument("--items", type=int, help="items of the search table (default 100000; quick 5000)")
    ap.add_argument("--dims", type=int, help="dimensions (default 768; quick 128)")
    ap.add_argument("--searches", type=int, help="searches per client and measurement (default 50; quick 20)")
    ap.add_argument("--puts", type=int, help="PutItems per table (default 5000; quick 1000)")
    ap.add_argument("--backfill-items", type=int, help="items of the backfill table (default 50000; quick 5000)")
    ap.add_argument("--clients", type=int, default=ncpu, help="concurrent search clients (default: the CPUs)")
    ap.add_argument("--load-threads", type=int, default=4, help="BatchWriteItem threads of a load (default 4)")
    ap.add_argument("--bw-mb", type=int, help="MB of the bandwidth loop's array (default 512; quick 128)")
    ap.add_argument("--ann-ef", type=int, default=256, help="--vector-ann-ef of the approximate run (default 256)")
    ap.add_argument("--ann-centres", type=int, help="clusters of the approximate run's set (default items/100)")
    ap.add_argument("--ann-spread", type=float, default=1.0,
                    help="noise norm around a cluster's unit centre (default 1.0: neighbours ~0.5-0.7 cosine)")
    ap.add_argument("--no-ann", action="store_true", help="skip the approximate search (6)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="small sizes, for testing the script")
    args = ap.parse_args()
    q = args.quick
    for name, full, quick in (("items", 100000, 5000), ("dims", 768, 128), ("searches", 50, 20),
                              ("puts", 5000, 1000), ("backfill_items", 50000, 5000), ("bw_mb", 512, 128)):
        if getattr(args, name) is None:
            setattr(args, name, quick if q else full)
    if args.ann_centres is None:
        args.ann_centres = max(1, args.items // 100)
    args.bin = os.path.abspath(args.bin)
    if not os.access(args.bin, os.X_OK):
        sys.exit("no ddbd binary at %s (--bin or DDBD_BIN)" % args.bin)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = tempfile.mkdtemp(prefix="ddbd-vecbench-")
    rows = []

    def row(figure, value, note=""):
        rows.append((figure, value, note))
        print("  %-58s %s  %s" % (figure, value, note), file=sys.stderr, flush=True)

    try:
        helper = os.path.join(tmp, "vechelper")
        with open(helper + ".c", "w") as f:
            f.write(HELPER_C)
        subprocess.run(["cc", "-O2", "-o", helper, helper + ".c", "-lm"], check=True)
        n, d = args.items, args.dims
        scan_mb = n * d * 4 / 1e6

        # 3 first, while nothing else of ours runs
        print("[bandwidth] %d MB float sum, 5 passes" % args.bw_mb, file=sys.stderr, flush=True)
        bw_best, bw_med = bandwidth(helper, args.bw_mb, 5)
        floor_ms = n * d * 4 / (bw_best * 1e9) * 1e3

        # 1: --search-threads 1, data directory kept for the restart
        datadir = os.path.join(tmp, "data")
        print("[search] %d items x %d dims, --search-threads 1" % (n, d), file=sys.stderr, flush=True)
        srv = Server(args.bin, ["--data-dir", datadir, "--search-threads", "1"])
        c = Conn(srv.port)
        table = "bench_vectors"
        create_table(c, table, d, True)
        load_s = load(srv, helper, table, n, d, args.seed, args.load_threads)
        row("load: BatchWriteItem (25 items, %d threads), 1 vector index" % args.load_threads,
            "%s items/s" % format(int(n / load_s), ","), "%d items in %.1f s" % (n, load_s))
        srv.settle()
        queries = list(vectors(helper, QUERY_BASE, QUERY_BASE + args.searches + 1, d, args.seed))
        rss0 = srv.rss_mb()
        first_s, _ = search(c, table, queries[-1], min(10, n))
        rss1 = srv.rss_mb()
        check_self(c, helper, table, d, args.seed, n)
        seq1 = sequential(srv, c, table, queries[:-1], min(10, n))
        row("first search (builds the in-memory copy), search-threads 1", "%.0f ms" % (first_s * 1e3),
            "build ~ %.0f ms; RSS %.0f -> %.0f MB" % (first_s * 1e3 - seq1["median"], rss0, rss1))
        row("exact search, TopK 10, search-threads 1, 1 client: median", "%.2f ms" % seq1["median"],
            "target <= 20 ms: %s" % ("PASS" if seq1["median"] <= 20 else "MISS"))
        row("  p99 (nearest rank of %d)" % seq1["n"], "%.2f ms" % seq1["p99"],
            "server CPU %.2f ms/search" % seq1["cpu_ms"])
        c.close()
        srv.settle()
        conc = concurrent(srv, table, queries[:-1], args.clients, min(10, n))
        row("(b) %d concurrent clients, search-threads 1: throughput" % args.clients,
            "%.1f searches/s" % conc["rate"],
            "%d searches; latency median %.2f / p99 %.2f ms; server CPU %.2f ms/search"
            % (conc["n"], conc["median"], conc["p99"], conc["cpu_ms"]))
        srv.stop()

        # 2a: the same data, default --search-threads
        print("[search] restart, default --search-threads (%d)" % ncpu, file=sys.stderr, flush=True)
        srv = Server(args.bin, ["--data-dir", datadir])
        srv.settle()
        c = Conn(srv.port)
        first2_s, _ = search(c, table, queries[-1], min(10, n))
        seqn = sequential(srv, c, table, queries[:-1], min(10, n))
        c.close()
        row("(a) first search after restart (rebuilds the copy from the store)", "%.0f ms" % (first2_s * 1e3),
            "start-up %.2f s" % srv.ready_s)
        row("(a) exact search, search-threads %d, 1 client: median" % ncpu, "%.2f ms" % seqn["median"],
            "p99 %.2f ms; server CPU %.2f ms/search; %.1f searches/s" %
            (seqn["p99"], seqn["cpu_ms"], 1e3 / seqn["median"]))
        srv.stop()

        row("single-core read bandwidth (%d MB float sum, best of 5)" % args.bw_mb, "%.2f GB/s" % bw_best,
            "median pass %.2f GB/s" % bw_med)
        row("exact-scan floor: %s x %d x 4 B (%.0f MB) / bandwidth" % (format(n, ","), d, scan_mb),
            "%.2f ms" % floor_ms,
            "1-thread median = %.2f x floor; %d-thread median = %.2f x floor"
            % (seq1["median"] / floor_ms, ncpu, seqn["median"] / floor_ms))

        # 4
        print("[putitem] %d PutItems per table, %d dims" % (args.puts, d), file=sys.stderr, flush=True)
        pc = put_cost(args, helper, tmp)
        ratio = pc["vec"]["us"] / pc["plain"]["us"]
        row("PutItem, %d-dim vector, no vector index: server CPU" % d, "%.1f µs/req" % pc["plain"]["us"],
            "%d requests, %.0f req/s (2 client threads)" % (pc["plain"]["n"], pc["plain"]["rate"]))
        row("PutItem, %d-dim vector, one vector index: server CPU" % d, "%.1f µs/req" % pc["vec"]["us"],
            "%d requests, %.0f req/s" % (pc["vec"]["n"], pc["vec"]["rate"]))
        row("  with index / without", "x%.2f" % ratio, "target <= 1.5x: %s" % ("PASS" if ratio <= 1.5 else "MISS"))

        # 5
        print("[backfill] %d items" % args.backfill_items, file=sys.stderr, flush=True)
        bf = backfill(args, helper)
        row("backfill: UpdateTable Create -> ACTIVE, %s items" % format(args.backfill_items, ","),
            "%s items/s" % format(int(bf["rate"]), ","),
            "%.2f s; server CPU %.1f µs/item; %d DescribeTable polls every %.0f ms (%.1f ms each)"
            % (bf["secs"], bf["cpu_us"], bf["polls"], bf["poll_s"] * 1e3, bf["describe_ms"]))
        row("  (load of that table, no index)", "%s items/s" % format(int(args.backfill_items / bf["load_s"]), ","),
            "%.1f s" % bf["load_s"])

        # 6
        if not args.no_ann:
            print("[ann] %d clustered items (%d centres, spread %.2f), --vector-ann-ef %d"
                  % (n, args.ann_centres, args.ann_spread, args.ann_ef), file=sys.stderr, flush=True)
            a = ann(args, helper, tmp)
            row("approximate (HNSW, ef %d): graph build, %s clustered items" % (args.ann_ef, format(n, ",")),
                "%.1f s" % a["build_s"], "server CPU %.1f s (%d threads); RSS after %.0f MB"
                % (a["build_cpu"], ncpu, a["rss"]))
            row("  recall@10 against exact (%d queries)" % a["n"], "%.4f" % a["recall"],
                "target >= 0.99: %s" % ("PASS" if a["recall"] >= 0.99 else "MISS"))
            row("  approximate search, 1 client: median", "%.2f ms" % a["ann_ms"],
                "p99 %.2f ms; server CPU %.2f ms/search" % (a["ann_p99"], a["cpu_ms"]))
            row("  exact search of the same set, search-threads 1: median", "%.2f ms" % a["exact_ms"],
                "speed-up x%.1f" % (a["exact_ms"] / a["ann_ms"]))
    finally:
        stop_all()
        shutil.rmtree(tmp, ignore_errors=True)

    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        model = "?"
    print()
    print("Vector search: %s items x %d dims, %d CPUs (%s), %s" % (format(n, ","), d, ncpu, model, args.bin))
    print()
    print("| figure | value | notes |")
    print("|---|---:|---|")
    for fig, val, note in rows:
        print("| %s | %s | %s |" % (fig, val, note))


if __name__ == "__main__":
    main()
