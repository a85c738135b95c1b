"""One heavy request at a time (issue 49, finding 3; docs/security.md, "One heavy request at a time").

N connections (8, 16 and 64) send filtered Scans of a 1 MB page back to back (tens of milliseconds of
the loop each, nothing returned) on a server of one loop (--threads 1), beside a light client of
small GetItems. The rule: a paced light client waits at most about one heavy request, and every
request of it is answered; a light client sending back to back keeps at least a third of the rate
it has alone. Before it (f2c80dc), the loop ran every waiting heavy request in one turn: a paced
GetItem waited 172 ms at the median beside 8 and was not answered beside 16; a back-to-back one got
10 answers in 8 s instead of 17,721.

These assert times on a shared machine: ctest runs this file alone (RUN_SERIAL, tests/tests.cmake),
and the margins are wide (the heavy request's time is measured in the same test, on the same
machine, as is the light client's rate alone).
"""
import statistics
import threading
import time

import pytest

from conftest import make_client, timing_holds, unique_name
from helpers import connect, make_table
from test_http_bounds import signed_head

# ~1.2 MB of items of 30 numbers: a Scan's page stops at 1 MB (~5,000 items read), each tested against
# a filter of 100 comparisons that none matches: ~30 ms of the loop here, an empty answer
ITEMS, NUMBERS, TERMS = 6000, 30, 100


def loaded_server(server_factory):
    server = server_factory(["--in-memory", "--threads", "1"])
    table = unique_name("fair")
    ddb = make_client(server.endpoint)
    make_table(ddb, table)
    for i in range(0, ITEMS, 25):
        ddb.batch_write_item(RequestItems={table: [
            {"PutRequest": {"Item": dict({"pk": {"S": "k%05d" % j}}, **{"a%d" % a: {"N": str(j * 100 + a)} for a in range(NUMBERS)})}}
            for j in range(i, i + 25)]})
    ddb.put_item(TableName=table, Item={"pk": {"S": "small"}, "n": {"N": "1"}})
    return server, table


class Client:
    """One kept-alive connection sending one signed request again and again (raw: no SDK's time)."""

    def __init__(self, endpoint, op, body):
        self.head, self.payload = signed_head(endpoint, op, body)
        self.s = connect(endpoint)
        self.s.settimeout(20)
        self.f = self.s.makefile("rb")

    def call(self):
        self.s.sendall(self.head + self.payload)
        status = int(self.f.readline().split()[1])
        length = 0
        while True:
            line = self.f.readline()
            if line in (b"\r\n", b""):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        self.f.read(length)
        return status

    def close(self):
        self.f.close()
        self.s.close()


def scan_body(table):
    return {"TableName": table, "FilterExpression": " OR ".join("a%d = :none" % (i % NUMBERS) for i in range(TERMS)),
            "ExpressionAttributeValues": {":none": {"N": "-1"}}}


def get_body(table):
    return {"TableName": table, "Key": {"pk": {"S": "small"}}}


def heavy_seconds(server, table):
    """The median time of one heavy request alone (and a check that it is heavy: >= 5 ms)."""
    c = Client(server.endpoint, "Scan", scan_body(table))
    times = []
    for _ in range(7):
        t0 = time.monotonic()
        assert c.call() == 200
        times.append(time.monotonic() - t0)
    c.close()
    h = statistics.median(times)
    assert h >= 0.005, "the Scan is not heavy here (%.1f ms): the test measures nothing" % (h * 1000)
    return h


class Heavy:
    """n connections sending the heavy Scan back to back until stopped."""

    def __init__(self, server, table, n):
        self.stop, self.counts, self.statuses = threading.Event(), [0] * n, set()
        self.clients = [Client(server.endpoint, "Scan", scan_body(table)) for _ in range(n)]
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True) for i in range(n)]
        self.started = time.monotonic()
        for t in self.threads:
            t.start()

    def run(self, i):
        while not self.stop.is_set():
            self.statuses.add(self.clients[i].call())
            self.counts[i] += 1

    def end(self, h):
        """Stops them; checks their answers, and that they had their share (no starvation either:
        a quarter of the loop is theirs beside light clients, all of it alone; a sixth is asked)."""
        self.stop.set()
        seconds = time.monotonic() - self.started
        for t in self.threads:
            t.join(30)
        for c in self.clients:
            c.close()
        assert self.statuses == {200}, self.statuses
        assert timing_holds(sum(self.counts) * h >= seconds / 6), "heavy requests: %d of %.1f ms in %.1f s" % (
            sum(self.counts), h * 1000, seconds)


def back_to_back_rate(server, table, seconds):
    c = Client(server.endpoint, "GetItem", get_body(table))
    n, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert c.call() == 200
        n += 1
    c.close()
    return n / seconds


@pytest.mark.parametrize("n", [8, 16, 64])
def test_a_paced_light_client_waits_at_most_about_one_heavy_request(server_factory, n):
    """One GetItem every 20 ms beside n heavy connections: each is answered, and the median wait is
    within about one heavy request (measured alone; a request arriving during one waits for its
    rest, half of it on average). Before: 172 ms at the median beside 8, no answer beside 16."""
    server, table = loaded_server(server_factory)
    h = heavy_seconds(server, table)
    heavy = Heavy(server, table, n)
    time.sleep(0.5)
    light = Client(server.endpoint, "GetItem", get_body(table))
    waits, deadline = [], time.monotonic() + 4
    try:
        while time.monotonic() < deadline:
            t0 = time.monotonic()
            assert light.call() == 200
            waits.append(time.monotonic() - t0)
            time.sleep(max(0.0, 0.020 - (time.monotonic() - t0)))
    finally:
        light.close()
        heavy.end(h)
    p50 = statistics.median(waits)
    # every request answered (within the socket's 20 s), and the rule: about one heavy request (h) at
    # the median; generous: 1.5 h and 20 ms more for a loaded machine (the expectation is under h / 2)
    assert timing_holds(p50 <= 1.5 * h + 0.020), "paced GetItem waited %.1f ms at the median (%d answers), heavy one %.1f ms" % (
        p50 * 1000, len(waits), h * 1000)


@pytest.mark.parametrize("n", [8, 16, 64])
def test_a_back_to_back_light_client_keeps_a_third_of_its_rate(server_factory, n):
    """GetItems back to back, alone and then beside n heavy connections, on the same server: beside
    them it keeps at least a third of its rate alone (the loop gives light clients three times the
    time the heavy ones took: three quarters of it). Before: 10 answers in 8 s instead of 17,721."""
    server, table = loaded_server(server_factory)
    h = heavy_seconds(server, table)
    alone = back_to_back_rate(server, table, 2)
    heavy = Heavy(server, table, n)
    time.sleep(0.5)
    try:
        beside = back_to_back_rate(server, table, 3)
        if beside < alone / 3:
            # once more: a 3 s window on a shared 2-core machine can catch the machine's own stall
            # (seen once in a fresh-clone run at 31 % of the rate alone; 44-91 % otherwise)
            beside = max(beside, back_to_back_rate(server, table, 3))
    finally:
        heavy.end(h)
    # alone again after, and the lower of the two: the machine's other load moves both
    alone = min(alone, back_to_back_rate(server, table, 2))
    assert timing_holds(beside >= alone / 3), "%.0f GetItems/s beside %d heavy connections, %.0f alone" % (beside, n, alone)


@pytest.mark.parametrize("slow,numbers,rounds", [(1, 40000, 1), (2, 4000, 1), (2, 4000, 6)])
def test_a_light_connection_slow_once_or_twice_waits_about_one_heavy_request_beside_new_ones(server_factory, slow, numbers,
                                                                                              rounds):
    """A light connection whose request held the loop (a PutItem of many numbers: a single-item
    request, served at once, that takes more than the 2 ms that mark a connection heavy) waits with
    the heavy ones for its next request: about one heavy request, even while 64 new heavy
    connections take their first turns. Once (a 300 KB item of 40,000 numbers, more loop than a
    heavy Scan here): before 3a62092 it came back at their place and went behind every one of them
    (6 s in a release build, 35 s, past the socket's 20, under ASan on a loaded machine). Twice in a
    row (4,000 numbers, a tenth of a heavy Scan's time: the second one, taken from the heavy ones'
    queue, slow too, as a GetItem preempted for 2 ms is on a loaded machine): before, it came back a
    few milliseconds past their place and went behind every one of them all the same (3.1 to 9.6 s
    beside 64 in a release build; in a sanitized CI run, a GetItem unanswered within the socket's
    20 s). Six times over during the burst: each time counts alone, not the sum of them (the burst
    holds the heavy ones' virtual time)."""
    server, table = loaded_server(server_factory)
    h = heavy_seconds(server, table)
    big = {"TableName": table, "Item": dict({"pk": {"S": "big"}}, **{"a%05d" % i: {"N": "1"} for i in range(numbers)})}
    light = Client(server.endpoint, "GetItem", get_body(table))
    get = (light.head, light.payload)
    put = signed_head(server.endpoint, "PutItem", big)
    assert light.call() == 200  # known light from now on
    heavy = Heavy(server, table, 64)
    time.sleep(0.05 + 2 * h)  # their first requests wait (64 h of them); one or two have run
    waits = []
    try:
        for _ in range(rounds):
            light.head, light.payload = put
            for _ in range(slow):
                assert light.call() == 200  # on the same connection: it held the loop
            light.head, light.payload = get
            t0 = time.monotonic()
            assert light.call() == 200
            waits.append(time.monotonic() - t0)
    finally:
        light.close()
        heavy.end(h)
    wait = max(waits)
    assert timing_holds(wait <= 8 * h + 0.1), "GetItem waited %.0f ms, a heavy request %.0f ms" % (wait * 1000, h * 1000)
