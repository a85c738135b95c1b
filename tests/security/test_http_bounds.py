"""The HTTP front under hostile clients (issue 41, items 2, 4, 5 and 7; docs/security.md,
"Connections and request bodies").

Each case runs one bounded attack on loopback beside a probe client that keeps writing and
reading small items, and checks: the probe keeps being answered (success rate, p99), ddbd's RSS
(/proc/PID/status) stays under a stated bound during and after, the attacker gets the documented
answer or close, and every write the probe saw acknowledged is there afterwards.
"""
import json
import os
import signal
import resource
import socket
import threading
import time

import pytest

from conftest import (JSON_10, TARGET_PREFIX, make_client, raw_request, rss_mb, rss_within, sign_headers,
                      timing_holds, unique_name)
from helpers import connect, make_table

MB = 1 << 20


def peak_rss_mb(pid, seconds, busy=lambda: False):
    """ddbd's highest RSS, sampled for `seconds`, and on while busy() holds."""
    peak, deadline = 0.0, time.monotonic() + seconds
    while time.monotonic() < deadline or busy():
        peak = max(peak, rss_mb(pid))
        time.sleep(0.05)
    return peak


def open_fds(pid):
    import os
    return len(os.listdir("/proc/%d/fd" % pid))


def raise_fd_limit(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(n, hard), hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Probe(threading.Thread):
    """A legitimate client: PutItem then GetItem of a new key, each on a new connection (a client
    arriving during the attack), until stopped. Records each call's latency and outcome."""

    def __init__(self, endpoint, table):
        super().__init__(daemon=True)
        self.endpoint, self.table = endpoint, table
        self.latencies, self.failures, self.acked = [], 0, []
        self.stopping = threading.Event()

    def call(self, op, body):
        t0 = time.monotonic()
        try:
            r = raw_request(self.endpoint, op, body)
            ok = r.status == 200
        except OSError:
            ok = False
        self.latencies.append(time.monotonic() - t0)
        self.failures += not ok
        return ok

    def run(self):
        n = 0
        while not self.stopping.is_set():
            key = "probe-%d" % n
            n += 1
            if self.call("PutItem", {"TableName": self.table, "Item": {"pk": {"S": key}, "v": {"N": str(n)}}}):
                self.acked.append(key)
            self.call("GetItem", {"TableName": self.table, "Key": {"pk": {"S": key}}, "ConsistentRead": True})
            time.sleep(0.02)

    def stop(self):
        self.stopping.set()
        self.join(30)

    def success_rate(self):
        return 1.0 - self.failures / max(len(self.latencies), 1)

    def p99(self):
        s = sorted(self.latencies)
        return s[min(len(s) - 1, int(len(s) * 0.99))] if s else 0.0

    def check(self, endpoint, min_rate=0.97):
        assert len(self.latencies) >= 20, "the probe made too few calls: %d" % len(self.latencies)
        assert timing_holds(self.success_rate() >= min_rate), "probe success %.3f of %d calls during the attack" % (
            self.success_rate(), len(self.latencies))
        # (no bound on its latency: a client answered within raw_request's timeout is a client not
        # starved, and how fast it is answered under attack depends on the machine's load, as
        # bench/soak_attacks.py measures it: p50/p99/max beside each attack)
        ddb = make_client(endpoint)
        for key in self.acked:
            assert "Item" in ddb.get_item(TableName=self.table, Key={"pk": {"S": key}}, ConsistentRead=True), key


def signed_head(endpoint, op, body, extra=None, content_length=None):
    """The bytes of a signed request's head (and the body separately)."""
    if not isinstance(body, bytes):
        body = json.dumps(body).encode()
    hdrs = sign_headers(endpoint, body, {"Content-Type": JSON_10, "X-Amz-Target": TARGET_PREFIX + op})
    hdrs.update(extra or {})
    host = endpoint.replace("http://", "")
    lines = ["POST / HTTP/1.1", "Host: " + host]
    lines += ["%s: %s" % (k, v) for k, v in hdrs.items() if k.lower() not in ("host", "content-length")]
    lines.append("Content-Length: %d" % (len(body) if content_length is None else content_length))
    return ("\r\n".join(lines) + "\r\n\r\n").encode(), body


def closed_by_server(s, wait=0.5, until=None):
    """Whether the server has closed (or reset) s: reads what is there without blocking for long
    (`wait` with nothing arriving), or, given `until` (a time.monotonic() deadline), on until then."""
    s.settimeout(wait)
    while True:
        try:
            data = s.recv(1 << 20)
            if not data:
                return True
        except socket.timeout:
            if until is None or time.monotonic() >= until:
                return False
        except OSError:
            return True


# ---- 41.5: idle connections and slowloris at --max-connections ----

@pytest.mark.timing
def test_idle_and_slowloris_flood_does_not_lock_new_clients_out(server_factory):
    raise_fd_limit(4096)
    server = server_factory(["--in-memory", "--max-connections", "500", "--header-timeout", "2"])
    table = unique_name("flood")
    make_table(make_client(server.endpoint), table)
    base = rss_mb(server.proc.pid)
    attackers = []
    for i in range(1500):  # twice and a half the cap: 1000 idle, 500 sending a head a byte at a time
        try:
            s = connect(server.endpoint)
        except OSError:
            continue
        if i % 3 == 2:
            s.sendall(b"POST / HTTP/1.1\r\nHost: localhost\r\n")
        attackers.append(s)
    probe = Probe(server.endpoint, table)
    probe.start()
    deadline = time.monotonic() + 6
    while time.monotonic() < deadline:  # the slow ones go on, a header byte every half second
        for s in attackers[2::3]:
            try:
                s.send(b"X")
            except OSError:
                pass
        assert rss_within(rss_mb(server.proc.pid), base + 100)
        time.sleep(0.5)
    probe.stop()
    probe.check(server.endpoint)
    # past --header-timeout, every attacking socket has been closed by the server
    time.sleep(1)
    still_open = sum(not closed_by_server(s, 0.05) for s in attackers)
    assert still_open == 0, "%d of %d attacking sockets still open" % (still_open, len(attackers))
    for s in attackers:
        s.close()
    assert rss_within(rss_mb(server.proc.pid), base + 100)


# ---- 41.2: clients that send requests and never read the answers ----

def put_big_items(ddb, table):
    """12 items of 350 KB, ~4 MB: one BatchGetItem answer; their keys."""
    keys = []
    for i in range(12):
        key = "big-%d" % i
        ddb.put_item(TableName=table, Item={"pk": {"S": key}, "p": {"S": chr(65 + i) * (350 * 1024)}})
        keys.append({"pk": {"S": key}})
    return keys


@pytest.mark.timing
def test_slow_readers_are_closed_and_their_answers_freed(server_factory):
    server = server_factory(["--in-memory", "--request-timeout", "3", "--max-unsent-bytes", str(32 * MB),
                             "--threads", "2"])
    table = unique_name("slow")
    ddb = make_client(server.endpoint)
    make_table(ddb, table)
    keys = put_big_items(ddb, table)
    base = rss_mb(server.proc.pid)
    fds = open_fds(server.proc.pid)
    request = {"RequestItems": {table: {"Keys": keys}}}
    readers = []
    for _ in range(40):
        s = connect(server.endpoint, rcvbuf=4096)
        head, body = signed_head(server.endpoint, "BatchGetItem", request)
        s.sendall(head + body)
        readers.append(s)
    probe = Probe(server.endpoint, table)
    probe.start()
    # past --request-timeout (3 s of the server's own measure), and on until the slow readers'
    # connections are closed: on a loaded machine the 40 answers take longer to be made and cut
    give_up = time.monotonic() + 120
    peak = peak_rss_mb(server.proc.pid, 5,
                       busy=lambda: open_fds(server.proc.pid) > fds + 2 and time.monotonic() < give_up)
    probe.stop()
    probe.check(server.endpoint)
    # 40 answers of ~4 MB would be 160 MB held; at most --max-unsent-bytes (and copies) are
    assert rss_within(peak, base + 96), "RSS %.0f MB, from %.0f MB" % (peak, base)
    assert open_fds(server.proc.pid) <= fds + 2, "the slow readers' connections are still open"
    # (the fd count allows two still open, and a reader with a 4 KB window may take longer than
    # 0.2 s to read to the end of an answer the server has closed on: in a sanitized run on a slow
    # machine one reader of 40 did; together they get 15 s, and a reader never closed still fails)
    drain = time.monotonic() + 15
    closed = sum(closed_by_server(s, 0.2, until=drain) for s in readers)
    assert closed == len(readers), "%d of %d slow readers still connected" % (len(readers) - closed, len(readers))
    for s in readers:
        s.close()
    assert rss_within(rss_mb(server.proc.pid), base + 64)


def vm_hwm_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


@pytest.mark.timing
def test_slow_readers_ready_at_once_stay_within_the_unsent_bound(server_factory):
    """Readers whose requests arrive together: one loop turn builds all their answers, and each one
    past --max-unsent-bytes cuts the oldest unread one. A cut connection used to keep its answer
    until h2o's next turn (it neither reads nor retries a blocked write before then), so the turn
    held every answer it built: 30 answers of 4 MB against a bound of 24 MB. The server is stopped
    while the requests arrive, so they are all ready at its next turn."""
    server = server_factory(["--in-memory", "--request-timeout", "30", "--max-unsent-bytes", str(24 * MB),
                             "--threads", "1"])
    table = unique_name("burst")
    ddb = make_client(server.endpoint)
    make_table(ddb, table)
    keys = put_big_items(ddb, table)
    head, body = signed_head(server.endpoint, "BatchGetItem", {"RequestItems": {table: {"Keys": keys}}})
    probe = Probe(server.endpoint, table)
    probe.start()
    time.sleep(0.5)
    base = vm_hwm_mb(server.proc.pid)
    readers = [connect(server.endpoint, rcvbuf=4096) for _ in range(30)]
    server.proc.send_signal(signal.SIGSTOP)
    try:
        for s in readers:
            s.sendall(head + body)
    finally:
        server.proc.send_signal(signal.SIGCONT)
    time.sleep(3)
    probe.stop()
    probe.check(server.endpoint)
    peak = vm_hwm_mb(server.proc.pid)
    # 24 MB of unread answers, the one being built and its items: 30 answers would be 120 MB
    assert rss_within(peak, base + 64), "peak RSS %.0f MB, from %.0f MB" % (peak, base)
    for s in readers:
        s.close()


@pytest.mark.timing
def test_pipelined_requests_of_gone_or_cut_clients_are_not_answered(server_factory):
    """Readers that pipeline many BatchGetItems and never read, then go away: h2o went on to the
    requests buffered behind each unread answer and built every one in full for a socket that took
    none (both loops busy for as long as the buffered requests lasted, and SIGTERM unheeded;
    bench/soak_attacks.py's slow readers found it). Once the client is gone or its connection cut,
    the requests it pipelined are refused unread."""
    server = server_factory(["--in-memory", "--request-timeout", "2", "--threads", "2"])
    table = unique_name("pipe")
    ddb = make_client(server.endpoint)
    make_table(ddb, table)
    keys = put_big_items(ddb, table)
    head, body = signed_head(server.endpoint, "BatchGetItem", {"RequestItems": {table: {"Keys": keys}}})
    one = head + body
    readers = []
    for _ in range(10):
        s = connect(server.endpoint, rcvbuf=4096)
        s.setblocking(False)
        readers.append([s, memoryview(one * 200)])  # 200 requests pipelined, as fast as taken
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        for r in readers:
            try:
                r[1] = r[1][r[0].send(r[1]):]
            except OSError:
                pass
        time.sleep(0.01)
    for r in readers:
        r[0].close()
    # the server is idle again at once: its CPU time stops growing, and it answers
    time.sleep(1)
    def cpu_s():
        with open("/proc/%d/stat" % server.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    before = cpu_s()
    time.sleep(2)
    used = cpu_s() - before
    assert timing_holds(used < 0.5), "ddbd used %.1f s of CPU in 2 s after its clients had gone" % used
    probe = Probe(server.endpoint, table)
    probe.start()
    time.sleep(1)
    probe.stop()
    probe.check(server.endpoint)
    t0 = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=15) == 0
    assert timing_holds(time.monotonic() - t0 < 10)


# ---- 41.4: request bodies in flight ----

def send_stalled_bodies(endpoint, count, size, head_args):
    """count clients each sending a head declaring `size` bytes and all but the last 1000, then
    stalling; returns (sockets, per-client outcome: 'sent' or the error)."""
    socks, outcome = [], [None] * count
    chunk = b" " * (256 * 1024)

    def send(i, s):
        try:
            s.sendall(head_args[0])
            left = size - 1000
            while left > 0:
                n = s.send(chunk[:min(left, len(chunk))])
                left -= n
            outcome[i] = "sent"
        except OSError as e:
            outcome[i] = type(e).__name__

    threads = []
    for i in range(count):
        s = connect(endpoint)
        s.settimeout(8)
        socks.append(s)
        t = threading.Thread(target=send, args=(i, s), daemon=True)
        t.start()
        threads.append(t)
    return socks, threads, outcome


@pytest.mark.timing
def test_pending_bodies_stay_under_the_cap(server_factory):
    server = server_factory(["--in-memory", "--max-pending-bodies", str(64 * MB), "--request-timeout", "5",
                             "--threads", "2"])
    table = unique_name("bodies")
    make_table(make_client(server.endpoint), table)
    base = rss_mb(server.proc.pid)
    size = 16 * 1000 * 1000
    head, _ = signed_head(server.endpoint, "PutItem", b"{}", content_length=size)
    probe = Probe(server.endpoint, table)
    probe.start()
    socks, threads, outcome = send_stalled_bodies(server.endpoint, 20, size, (head,))
    peak = peak_rss_mb(server.proc.pid, 4)
    probe.stop()
    probe.check(server.endpoint)
    # 20 bodies of 16 MB are 320 MB; at most 64 MB of them are admitted
    assert rss_within(peak, base + 140), "RSS %.0f MB, from %.0f MB" % (peak, base)
    for t in threads:
        t.join(15)
    # the waiting and the stalled bodies' connections are closed at --request-timeout
    time.sleep(2)
    closed = sum(closed_by_server(s, 0.2) for s in socks)
    assert closed == len(socks), "%d of %d stalled bodies still connected" % (len(socks) - closed, len(socks))
    for s in socks:
        s.close()
    # a body that fits is served (the front is not left stuck)
    big = {"TableName": table, "Item": {"pk": {"S": "after"}, "p": {"S": "y" * (300 * 1024)}}}
    assert raw_request(server.endpoint, "PutItem", big).status == 200
    assert rss_within(rss_mb(server.proc.pid), base + 100)


@pytest.mark.timing
def test_with_auth_a_body_of_an_unknown_key_is_not_read(server_factory, tmp_path):
    keys = tmp_path / "keys.txt"
    keys.write_text("AKIDEXAMPLE secret\n")
    server = server_factory(["--in-memory", "--auth", str(keys), "--request-timeout", "10"])
    table = unique_name("authbody")
    make_table(make_client(server.endpoint), table)
    base = rss_mb(server.proc.pid)
    size = 16 * 1000 * 1000
    head, _ = signed_head(server.endpoint, "PutItem", b"{}", content_length=size)
    bad = head.replace(b"Credential=AKIDEXAMPLE/", b"Credential=AKIDUNKNOWN/")
    assert bad != head
    probe = Probe(server.endpoint, table)
    probe.start()
    t0 = time.monotonic()
    socks, threads, outcome = send_stalled_bodies(server.endpoint, 20, size, (bad,))
    peak = peak_rss_mb(server.proc.pid, 2, lambda: any(t.is_alive() for t in threads) and time.monotonic() < t0 + 8)
    probe.stop()
    probe.check(server.endpoint)
    # each connection was closed long before its 16 MB were sent
    assert all(o not in (None, "sent") for o in outcome), outcome
    assert rss_within(peak, base + 64), "RSS %.0f MB, from %.0f MB" % (peak, base)
    for s in socks:
        s.close()
    # a signed body of a known key over 32 KiB is read and served
    big = {"TableName": table, "Item": {"pk": {"S": "signed"}, "p": {"S": "y" * (300 * 1024)}}}
    assert raw_request(server.endpoint, "PutItem", big).status == 200


# ---- 41.7: ambiguous framing, unsupported content codings ----

def send_raw(endpoint, data):
    s = connect(endpoint)
    s.sendall(data)
    got = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            got += b
    except OSError:
        pass
    s.close()
    return got


@pytest.mark.parametrize("framing", [
    "Content-Length: %d\r\nTransfer-Encoding: chunked",
    "Transfer-Encoding: chunked\r\nContent-Length: %d",
    "Content-Length: %d\r\nContent-Length: 5",
])
def test_ambiguous_body_framing_is_refused_and_closed(server_factory, framing):
    server = server_factory()
    table = unique_name("smuggle")
    ddb = make_client(server.endpoint)
    make_table(ddb, table)
    body = json.dumps({"TableName": table, "Item": {"pk": {"S": "smuggled"}}}).encode()
    hdrs = sign_headers(server.endpoint, body, {"Content-Type": JSON_10, "X-Amz-Target": TARGET_PREFIX + "PutItem"})
    lines = ["POST / HTTP/1.1", "Host: " + server.endpoint.replace("http://", "")]
    lines += ["%s: %s" % (k, v) for k, v in hdrs.items() if k.lower() not in ("host", "content-length")]
    lines.append(framing % len(body))
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    payload = body if framing.startswith("Content-Length: %d\r\nContent-Length") else chunked
    # a second request after it: a server that read the first one way would answer this one too
    got = send_raw(server.endpoint, ("\r\n".join(lines) + "\r\n\r\n").encode() + payload +
                   b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
    assert got.startswith(b"HTTP/1.1 400"), got[:200]
    assert got.count(b"HTTP/1.1 ") == 1, got  # closed after the 400: nothing behind it is read
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "smuggled"}}, ConsistentRead=True)


def test_identical_repeated_content_length_is_accepted(server_factory):
    server = server_factory()
    table = unique_name("samelen")
    ddb = make_client(server.endpoint)
    make_table(ddb, table)
    body = json.dumps({"TableName": table, "Item": {"pk": {"S": "same"}}}).encode()
    head, _ = signed_head(server.endpoint, "PutItem", body, extra={"Connection": "close"})
    head = head.replace(b"\r\n\r\n", b"\r\nContent-Length: %d\r\n\r\n" % len(body))
    got = send_raw(server.endpoint, head + body)
    assert got.startswith(b"HTTP/1.1 200"), got[:300]
    assert "Item" in ddb.get_item(TableName=table, Key={"pk": {"S": "same"}}, ConsistentRead=True)


@pytest.mark.parametrize("coding", ["br", "zstd"])
def test_unsupported_content_encoding_is_dynamodbs_500_and_changes_nothing(server_factory, coding):
    # DynamoDB answers a coding it does not know with InternalServerError (ScyllaDB's
    # test_compressed_request.py, run against DynamoDB); the SDKs' retries of it are bounded
    server = server_factory()
    table = unique_name("coding")
    ddb = make_client(server.endpoint)
    make_table(ddb, table)
    r = raw_request(server.endpoint, "PutItem", {"TableName": table, "Item": {"pk": {"S": coding}}},
                    headers={"Content-Encoding": coding})
    assert r.status == 500 and r.json()["__type"].endswith("InternalServerError"), r.body
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": coding}}, ConsistentRead=True)


# ---- a client whose requests are expensive, beside clients whose requests are not ----

@pytest.mark.timing
def test_heavy_requests_leave_the_loop_to_the_others(server_factory):
    """Two connections loop TransactGetItems of 25 items of 390 KB (each read, then refused past
    4 MB: milliseconds of the loop's time each) beside a client of small GetItems, on one loop.
    Each small request used to wait for an expensive one: the client got one answer per refused
    transaction (bench/soak_attacks.py's big_transact: 1 % of its rate alone). Heavy connections
    now get a quarter of the loop's time while others use it, so the small client gets many
    (test_loop_fairness.py holds the rule itself, against 8 and 16 heavy connections)."""
    server = server_factory(["--in-memory", "--threads", "1"])
    table = unique_name("heavy")
    ddb = make_client(server.endpoint)
    make_table(ddb, table)
    pad = "x" * (390 * 1024)
    for i in range(25):
        ddb.put_item(TableName=table, Item={"pk": {"S": "big%02d" % i}, "p": {"S": pad}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "small"}, "v": {"N": "1"}})
    heavy = {"TransactItems": [{"Get": {"TableName": table, "Key": {"pk": {"S": "big%02d" % i}}}} for i in range(25)]}
    stop, counts, statuses = threading.Event(), {"heavy": 0, "light": 0}, set()

    def loop(kind, op, body):
        head, payload = signed_head(server.endpoint, op, body)
        s = connect(server.endpoint)
        s.settimeout(30)
        f = s.makefile("rb")
        while not stop.is_set():
            s.sendall(head + payload)
            status = int(f.readline().split()[1])
            length = 0
            while True:
                line = f.readline()
                if line in (b"\r\n", b""):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            f.read(length)
            statuses.add((kind, status))
            counts[kind] += 1
        s.close()

    threads = [threading.Thread(target=loop, args=("heavy", "TransactGetItems", heavy)) for _ in range(2)]
    threads.append(threading.Thread(target=loop, args=("light", "GetItem",
                                                        {"TableName": table, "Key": {"pk": {"S": "small"}}})))
    for t in threads:
        t.start()
    time.sleep(4)
    stop.set()
    for t in threads:
        t.join(30)
    assert statuses == {("heavy", 400), ("light", 200)}, statuses
    assert counts["heavy"] >= 10, counts  # they did run
    # one answer per expensive request before; three quarters of the loop's time now
    assert timing_holds(counts["light"] >= 8 * counts["heavy"]), counts
