#!/usr/bin/env python3
"""Instruction counts of one workload on two ddbd binaries (A/B), under callgrind.

usage: callgrind_ab.py BINARY_A BINARY_B [--requests N] [--marginal] [--repeat R] [--keep DIR] [--insights-b]
                       [--auth] [--record A|B|AB] [--workload all|getitem|putitem|updateitem|deleteitem|batchwriteitem|batchexecutestatement|putitem_stream|query|transactwriteitems|transactwriteitems_token]...

  --workload all     getitem, putitem, query and transactwriteitems (the refactor check of issue 24)
  --insights-b       B runs with Contributor Insights enabled on the table (UpdateContributorInsights
                     after CreateTable): with the same binary twice, the cost of insights
  --auth             both servers run with --auth (a key file of one key with allow= and tables= rules,
                     so every request is verified and decided in full) and every request is signed
                     (botocore's SigV4, on the client's side: not in the figures)
  --record SIDES     the servers of SIDES (A, B or AB) run with --record FILE (every request and answer
                     written as a JSON line; docs/record-replay.md): with the same binary twice and
                     --record B, the cost of recording (issue 74); with --keep, the recordings are kept
                     (record.<workload>.<A|B>.<N>.<round>.jsonl)
  --keep DIR         keep the callgrind outputs (callgrind.<workload>.<A|B>.<N>.<round>-<thread>, one
                     file a thread: -01 is main's) for callgrind_annotate

Wall-clock A/B runs on a shared 2-core VM swing by +-20 % from round to round, so a claim like
"single-item writes unchanged within 10 %" is checked here by instructions: each binary starts
under `valgrind --tool=callgrind` (--in-memory, one HTTP thread), gets the same table and set-up
items and N requests of the workload over two keep-alive connections used in turn (below), and
stops with SIGTERM; the total instructions (Ir, start-up and set-up included, the same for both)
are compared.

Workloads (every request the same for A and B; no randomness):
  getitem             GetItem of one of 1,000 existing one-attribute items
  putitem             PutItem replacing one of them (3 attributes)
  updateitem          UpdateItem ADD n :one
  deleteitem          DeleteItem of one of the 1,000 items (each deleted once: N at most 1,000)
  batchwriteitem      BatchWriteItem of 25 PutRequests (putitem's items) on 25 distinct keys
  batchexecutestatement  BatchExecuteStatement of 25 PartiQL UPDATEs (SET name) on 25 distinct items
  putitem_stream      putitem on a table with a NEW_AND_OLD_IMAGES stream
  query               a hash+range table of 20 partitions x 50 sort keys; Query pk = :p AND sk
                      BETWEEN :a AND :b (a 15-item range) with Limit 10: 10 items of ~100 B each
  transactwriteitems  TransactWriteItems of 2 Puts (~200 B kv items) and 2 UpdateItems (ADD) on 4
                      distinct keys of 1,000 existing kv items
  transactwriteitems_token  the same with a ClientRequestToken of its own per request, as SDKs send
                      (the token's check and record; not in `all`)

--marginal takes start-up, set-up and shutdown out: each binary also runs the same set-up with 0
requests, and (Ir(N) - Ir(0)) / N is printed per request. Both runs of a pair are deterministic
up to the background threads' timed wake-ups (the task worker's once a second, RocksDB's), which
run as often as the slowed-down run lasts; --repeat R measures every figure R times and prints
the median and the spread ((max - min) / median), to see how large that is. The rounds
interleave A and B (A(N), A(0), B(N), B(0), then again), so slow drift hits both alike.

The larger source of run-to-run noise is RocksDB's memtable: its skip list draws node heights from
a per-thread random generator, so the same keys make a different list in every run, and a lookup
or insert takes a different number of key comparisons (up to 3.4 % of a request's Ir from run to
run at N=2000; without them 0.02-1.5 %, the rest mostly malloc). --marginal therefore also prints "w/o skip list": the
figure without the self cost of rocksdb::InlineSkipList*, rocksdb::MemTable::KeyComparator,
BytewiseComparatorImpl::Compare, memcmp and __tls_init (which those comparisons call), taken
from callgrind_annotate. It is the steadier figure for ddbd's own code; memcmp calls outside the
skip list drop out of it too.

Both figures also count the server's background threads, and those run by the clock, not by
requests: the Kinesis destinations' worker passes every 20 ms, the task worker and RocksDB's wake
on timers, so they add Ir in proportion to each run's wall time, and on a loaded machine Ir(N) and
Ir(0) last more or less at random (an Ir(0) run that lasted longer than its Ir(N) run made the
other threads' share -402 Ir/req; its B, +577). That is up to +-1,000 Ir per GetItem at N=1000,
the whole of the "regression" of issue 74 (bench/README.md). --marginal therefore prints a third
figure, "HTTP thread w/o skip list": the same difference counted on the HTTP thread alone
(valgrind's --separate-threads=yes: a file a thread; the HTTP thread is the one that runs
http.c's thread_main), without its skip list's comparisons. The request is parsed, executed and
answered on that thread (--in-memory, --threads 1: RocksDB writes in the caller's thread), so it is
the request's own cost; what a request leaves to another thread (an index's or a stream's follower)
is in the first two figures only.
"""
import argparse
import glob
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import tempfile
import time

HEADERS = {"Content-Type": "application/x-amz-json-1.0",
           "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request, "
                            "SignedHeaders=host, Signature=00"}

KEYS = 1000              # hash keys of the one-key table, all put in the set-up
QUERY_PARTITIONS = 20    # query: partitions of the hash+range table ...
QUERY_SORTS = 50         # ... and sort keys in each (1,000 set-up items, as for the other workloads)
QUERY_SPAN = 15          # a Query's BETWEEN range holds 15 items, of which Limit 10 are returned
QUERY_LIMIT = 10
ALL = ["getitem", "putitem", "query", "transactwriteitems"]
FILLER = "abcdefghijklmnopqrstuvwxyz0123456789" * 8


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --auth: the key every request is signed with, and its line in the servers' key file
AUTH_KEY = ("AKIDBENCH", "benchsecret")
AUTH_LINE = "AKIDBENCH benchsecret 000000000000 name=bench allow=read,PutItem,UpdateItem,CreateTable,TransactWriteItems," \
            "UpdateContributorInsights,ListTables tables=ab*,other\n"
auth_file = None  # the key file's path while --auth is on


def signed_headers(port, op, data):
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    req = AWSRequest(method="POST", url="http://127.0.0.1:%d/" % port, data=data,
                     headers={"Content-Type": HEADERS["Content-Type"], "X-Amz-Target": "DynamoDB_20120810." + op})
    SigV4Auth(Credentials(*AUTH_KEY), "dynamodb", "us-east-1").add_auth(req)
    return dict(req.headers.items())


def call(conn, op, body):
    data = json.dumps(body)
    if auth_file is not None:
        headers = signed_headers(conn.port, op, data.encode())
    else:
        headers = dict(HEADERS, **{"X-Amz-Target": "DynamoDB_20120810." + op,
                                   "X-Amz-Date": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())})  # within 5 minutes
    conn.request("POST", "/", data, headers)
    resp = conn.getresponse()
    data = resp.read()
    if resp.status != 200:
        raise SystemExit("%s failed: %s" % (op, data[:200]))
    return json.loads(data)


def kv_item(i):
    """The ~200-byte item of the wrk workloads (shared common.lua's kv_item_json), without its randomness."""
    off = i % 36
    return {"pk": {"S": "user#%d" % i}, "name": {"S": "User Name %08d" % i}, "age": {"N": str(18 + i % 60)},
            "active": {"BOOL": i % 3 != 0}, "counter": {"N": "0"},
            "tags": {"L": [{"S": "alpha"}, {"S": "beta"}, {"N": str(i % 100)}]},
            "profile": {"M": {"city": {"S": "Springfield"}, "zip": {"N": str(10000 + i % 90000)},
                              "email": {"S": "user%d@example.com" % i}}},
            "bio": {"S": FILLER[off:off + 70]}}


def ts_item(p, s):
    """An item of the hash+range table (the shared harness's bench_ts shape, without its randomness)."""
    off = (p * 7 + s) % 36
    return {"pk": {"S": "dev#%d" % p}, "sk": {"S": "t#%05d" % s}, "temp": {"N": "%.2f" % ((s * 13 % 600) / 10 - 20)},
            "ok": {"BOOL": s % 7 != 0}, "note": {"S": FILLER[off:off + 40]}}


def table_of(workload):
    table = {"TableName": "abt", "BillingMode": "PAY_PER_REQUEST",
             "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
             "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}
    if workload == "putitem_stream":  # PutItem on a table with a NEW_AND_OLD_IMAGES stream
        table["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    if workload == "query":
        table["AttributeDefinitions"].append({"AttributeName": "sk", "AttributeType": "S"})
        table["KeySchema"].append({"AttributeName": "sk", "KeyType": "RANGE"})
    return table


def setup_items(workload):
    if workload == "query":
        return [ts_item(p, s) for p in range(QUERY_PARTITIONS) for s in range(QUERY_SORTS)]
    if workload.startswith("transactwriteitems"):  # every Put replaces an item of its own size from the first request on
        return [kv_item(i) for i in range(KEYS)]
    return [{"pk": {"S": "user#%d" % i}} for i in range(KEYS)]  # every key exists, so GetItem reads items


def request(workload, i):
    key = {"pk": {"S": "user#%d" % (i % KEYS)}}
    if workload in ("putitem", "putitem_stream"):
        return "PutItem", {"TableName": "abt", "Item": dict(key, name={"S": "n%d" % i}, age={"N": str(i % 90)})}
    if workload == "getitem":
        return "GetItem", {"TableName": "abt", "Key": key}
    if workload == "deleteitem":
        return "DeleteItem", {"TableName": "abt", "Key": key}
    if workload == "batchwriteitem":  # 25 distinct keys, rotating
        puts = [{"PutRequest": {"Item": {"pk": {"S": "user#%d" % ((25 * i + k) % KEYS)}, "name": {"S": "n%d" % i},
                                         "age": {"N": str(i % 90)}}}} for k in range(25)]
        return "BatchWriteItem", {"RequestItems": {"abt": puts}}
    if workload == "batchexecutestatement":  # 25 distinct items, rotating
        stmts = [{"Statement": "UPDATE abt SET name = 'n%d' WHERE pk = 'user#%d'" % (i, (25 * i + k) % KEYS)}
                 for k in range(25)]
        return "BatchExecuteStatement", {"Statements": stmts}
    if workload == "query":  # partitions and ranges rotating
        s = (i * 7) % (QUERY_SORTS - QUERY_SPAN + 1)
        return "Query", {"TableName": "abt", "KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
                         "Limit": QUERY_LIMIT,
                         "ExpressionAttributeValues": {":p": {"S": "dev#%d" % (i % QUERY_PARTITIONS)},
                                                       ":a": {"S": "t#%05d" % s},
                                                       ":b": {"S": "t#%05d" % (s + QUERY_SPAN - 1)}}}
    if workload.startswith("transactwriteitems"):  # 2 Puts of kv items and 2 Updates, on 4 distinct keys
        keys = [(4 * i + k) % KEYS for k in range(4)]
        puts = [{"Put": {"TableName": "abt", "Item": kv_item(k)}} for k in keys[:2]]
        updates = [{"Update": {"TableName": "abt", "Key": {"pk": {"S": "user#%d" % k}},
                               "UpdateExpression": "ADD #c :one", "ExpressionAttributeNames": {"#c": "counter"},
                               "ExpressionAttributeValues": {":one": {"N": "1"}}}} for k in keys[2:]]
        token = {"ClientRequestToken": "tok-%d" % i} if workload.endswith("_token") else {}
        return "TransactWriteItems", dict(token, TransactItems=puts + updates)
    return "UpdateItem", {"TableName": "abt", "Key": key, "UpdateExpression": "ADD n :one",
                          "ExpressionAttributeValues": {":one": {"N": "1"}}}


def check_first(workload, answer):
    """The workload measures what it says: a Query returns its Limit of items, a BatchWriteItem
    writes all of its 25."""
    if workload == "query" and answer.get("Count") != QUERY_LIMIT:
        raise SystemExit("query returned %s items, expected %d" % (answer.get("Count"), QUERY_LIMIT))
    if workload == "batchwriteitem" and answer.get("UnprocessedItems"):
        raise SystemExit("batchwriteitem left items unprocessed: %s" % answer["UnprocessedItems"])
    if workload == "batchexecutestatement" and any("Error" in r for r in answer.get("Responses", [None])):
        raise SystemExit("batchexecutestatement: %s" % answer)


def measure(binary, workload, n, out, shards=2, insights=False, record=None):
    """Total Ir of one run of `binary`: start-up, the workload's set-up, n requests, shutdown;
    record: the file it records to (--record), or None."""
    port = free_port()
    for old in glob.glob(out + "-[0-9]*"):
        os.unlink(old)
    # a file per thread (out-01, out-02, ...): the request thread's figure apart from the others'
    proc = subprocess.Popen(["valgrind", "--tool=callgrind", "--separate-threads=yes",
                             "--callgrind-out-file=" + out, binary,
                             "--host", "127.0.0.1", "--port", str(port), "--in-memory", "--threads", "1",
                             "--shards", str(shards),
                             # under valgrind on a loaded machine a set-up's connection can idle
                             # past the default 10 s and be closed mid-run (BrokenPipe)
                             "--request-timeout", "3600"] + (["--auth", auth_file] if auth_file else [])
                            + (["--record", record] if record else []),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return run_workload(proc, port, out, workload, n, insights)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def run_workload(proc, port, out, workload, n, insights=False):
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
    # Two connections, used in turn: a loop serving exactly one connection may poll for 50 us of wall
    # time after each answer (server/http/spin.c), and under valgrind that is a varying
    # number of loop turns, up to ~1k Ir per request from run to run. With two it blocks each time.
    conns = [conn, http.client.HTTPConnection("127.0.0.1", port, timeout=30)]
    call(conns[1], "ListTables", {})
    call(conn, "CreateTable", table_of(workload))
    if insights:
        call(conn, "UpdateContributorInsights", {"TableName": "abt", "ContributorInsightsAction": "ENABLE"})
    for k, item in enumerate(setup_items(workload)):
        call(conns[k % 2], "PutItem", {"TableName": "abt", "Item": item})
    for i in range(n):
        answer = call(conns[i % 2], *request(workload, i))
        if i == 0:
            check_first(workload, answer)
    for c in conns:
        c.close()
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    return sum(thread_ir(f) for f in thread_files(out))


def thread_files(out):
    """The per-thread outputs of one run (--separate-threads=yes): out-01 (main), out-02, ..."""
    return sorted(glob.glob(out + "-[0-9]*"))


def thread_ir(path):
    with open(path) as f:
        m = re.search(r"^(?:summary|totals): (\d+)", f.read(), re.M)
    return int(m.group(1)) if m else 0


SKIPLIST = re.compile(r"rocksdb::InlineSkipList|rocksdb::MemTable::KeyComparator|BytewiseComparatorImpl::Compare"
                      r"|__memcmp_|__tls_init")


HTTP_THREAD = re.compile(r"server/http/http\.c:thread_main ")


def skiplist_ir(out):
    """The self Ir of the memtable skip list's search and comparisons in one run's callgrind outputs:
    (in all threads, in the HTTP threads), and the HTTP threads' total Ir (the threads whose
    outputs hold http.c's thread_main)."""
    total = http_sl = http_ir = 0
    for path in thread_files(out):
        text = subprocess.run(["callgrind_annotate", "--inclusive=no", "--threshold=100", "--auto=no", path],
                              capture_output=True, text=True, check=True).stdout
        sl = 0
        for line in text.splitlines():
            m = re.match(r"^\s*([\d,]+) \([^)]*\)\s+(.*)$", line)
            if m and "PROGRAM TOTALS" not in line and SKIPLIST.search(m.group(2)):
                sl += int(m.group(1).replace(",", ""))
        total += sl
        if HTTP_THREAD.search(text):
            http_sl += sl
            http_ir += thread_ir(path)
    return total, http_sl, http_ir


def spread(values):
    """The median and (max - min) / median in %, or None for a single value."""
    med = statistics.median(values)
    return med, (100.0 * (max(values) - min(values)) / med if len(values) > 1 else None)


def fmt_spread(sp):
    return "" if sp is None else " (spread %.2f%%)" % sp


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("a", help="binary A (the old one)")
    ap.add_argument("b", help="binary B (the new one)")
    ap.add_argument("--requests", type=int, default=3000, help="N, requests per measured run (default 3000)")
    ap.add_argument("--workload", action="append",
                    help="a workload, or all (%s); repeatable; default getitem putitem updateitem" % " ".join(ALL))
    ap.add_argument("--marginal", action="store_true", help="print (Ir(N) - Ir(0)) / N per request")
    ap.add_argument("--repeat", type=int, default=1, help="measure every figure this many times (median, spread)")
    ap.add_argument("--keep", metavar="DIR", help="keep the callgrind outputs in DIR")
    ap.add_argument("--insights-b", action="store_true", help="B with Contributor Insights enabled on the table")
    ap.add_argument("--auth", action="store_true", help="both servers with --auth, every request signed")
    ap.add_argument("--record", default="", choices=["", "A", "B", "AB"],
                    help="the servers of these sides record every request (--record FILE)")
    args = ap.parse_args()
    global auth_file
    workloads = []
    for w in args.workload or ["getitem", "putitem", "updateitem"]:
        for x in (ALL if w == "all" else [w]):
            if x not in workloads:
                workloads.append(x)
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        d = args.keep or tmp
        if args.auth:
            auth_file = os.path.join(tmp, "keys")
            with open(auth_file, "w") as f:
                f.write(AUTH_LINE)
        rows = []
        for w in workloads:
            figures, rests, https = {"A": [], "B": []}, {"A": [], "B": []}, {"A": [], "B": []}
            for r in range(args.repeat):
                for side, binary in (("A", args.a), ("B", args.b)):
                    out_n = os.path.join(d, "callgrind.%s.%s.%d.%d" % (w, side, args.requests, r))
                    insights = args.insights_b and side == "B"
                    rec = (lambda n: os.path.join(d, "record.%s.%s.%d.%d.jsonl" % (w, side, n, r))) \
                        if side in args.record else (lambda n: None)
                    full = measure(binary, w, args.requests, out_n, insights=insights, record=rec(args.requests))
                    if args.marginal:
                        out_0 = os.path.join(d, "callgrind.%s.%s.0.%d" % (w, side, r))
                        base = measure(binary, w, 0, out_0, insights=insights, record=rec(0))
                        figures[side].append((full - base) / args.requests)
                        (sl_n, hsl_n, h_n), (sl_0, hsl_0, h_0) = skiplist_ir(out_n), skiplist_ir(out_0)
                        sl = (sl_n - sl_0) / args.requests
                        rests[side].append(figures[side][-1] - sl)
                        https[side].append(((h_n - hsl_n) - (h_0 - hsl_0)) / args.requests)
                        print("  %-18s round %d  %s  Ir(%d) %d  Ir(0) %d  -> %.0f Ir/req, skip list %.0f, w/o %.0f, "
                              "HTTP thread w/o %.0f" % (w, r + 1, side, args.requests, full, base, figures[side][-1],
                                                        sl, rests[side][-1], https[side][-1]), flush=True)
                    else:
                        figures[side].append(full)
                        print("  %-18s round %d  %s  Ir(%d) %d" % (w, r + 1, side, args.requests, full), flush=True)
            (a, sa), (b, sb) = spread(figures["A"]), spread(figures["B"])
            unit = "Ir/req" if args.marginal else "Ir"
            line = "%-18s A %9.0f %s%s   B %9.0f %s%s   B/A %+.2f%%" % (
                w, a, unit, fmt_spread(sa), b, unit, fmt_spread(sb), 100.0 * (b / a - 1))
            if args.marginal:
                (ra, sra), (rb, srb) = spread(rests["A"]), spread(rests["B"])
                line += "   | w/o skip list: A %.0f%s   B %.0f%s   B/A %+.2f%%" % (
                    ra, fmt_spread(sra), rb, fmt_spread(srb), 100.0 * (rb / ra - 1))
                (ha, sha), (hb, shb) = spread(https["A"]), spread(https["B"])
                line += "   | HTTP thread w/o skip list: A %.0f%s   B %.0f%s   B/A %+.2f%%" % (
                    ha, fmt_spread(sha), hb, fmt_spread(shb), 100.0 * (hb / ha - 1))
            rows.append(line)
            print(line, flush=True)
        print("\n%s, N=%d, %d round(s)%s:" % ("marginal Ir per request (Ir(N) - Ir(0)) / N" if args.marginal
                                               else "total Ir", args.requests, args.repeat,
                                               ", medians" if args.repeat > 1 else ""))
        for line in rows:
            print(line)


if __name__ == "__main__":
    main()
