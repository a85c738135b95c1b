"""The eventual-consistency overlay decides by the item's table key (issue 60; engine/emulate/consistency.h).

Under --index-lag a GSI read shows each item once, as of before the first change it misses; the
store may hold a newer entry of the item than the lag log knows (a write committed and not noted
yet; on RADOS another gateway's: tests/compat/test_rados_index_lag.py), and that entry must be
hidden too, not shown beside the old one. The DDBD_DELAY_POINT write-unnoted holds each write
between its commit and its note, so nearly every read lands in that window.

Time: only the server's clock decides what a lagged read sees; the servers start with it frozen
(--clock frozen) and the tests step it (POST /ddbd/clock {"advance": ms}), never sleep on it.
"""
import signal
import threading

import pytest

from conftest import EXTERNAL_ENDPOINT, S, N, DdbdServer, make_client
from helpers import advance, make_table

LAG_MS = 600000  # ten minutes of the server's clock: only an advance makes a write visible
ITEMS = ("a", "b", "c")
GKEYS = 3
THREADS = READERS = 4


@pytest.fixture
def start():
    """Starts ddbd processes with an environment of their own (DDBD_DELAY_POINT)."""
    if EXTERNAL_ENDPOINT:
        pytest.skip("starts servers of its own")
    started = []

    def go(args, env=None):
        srv = DdbdServer(args, env=env)
        started.append(srv)
        return srv.start()
    yield go
    for srv in started:
        srv.stop(signal.SIGTERM)
        srv.kill()


def gsi_table(ddb):
    """Items pk -> (g: their GSI key, v: their version); the GSI by_g on g."""
    return make_table(ddb, prefix="overlay", gsi=("by_g", "g"))


def gkey(pk, v):
    """Version v of item pk sits under this GSI key: every write moves the item."""
    return "g%d" % (v % GKEYS)


def write(ddb, table, pk, v):
    ddb.put_item(TableName=table, Item={"pk": S(pk), "g": S(gkey(pk, v)), "v": N(str(v))})


class History:
    """What the writer began (a write begun may be seen before it answers)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.begun = {}

    def begin(self, pk, v):
        with self.lock:
            self.begun[pk] = v

    def latest(self):
        with self.lock:
            return dict(self.begun)


def check_scan(items, history, pks):
    """Each item exactly once, at a version written (its GSI key that version's), none newer than
    the writer had begun when the read answered. Returns the versions seen."""
    latest = history.latest()
    seen = {}
    for it in items:
        pk, v = it["pk"]["S"], int(it["v"]["N"])
        assert pk not in seen, "item %s seen twice in one Scan: versions %d and %d" % (pk, seen[pk], v)
        assert it["g"]["S"] == gkey(pk, v), "item %s at version %d under a GSI key of another version" % (pk, v)
        assert 0 <= v <= latest[pk], "item %s at version %d, never written (latest begun %d)" % (pk, v, latest[pk])
        seen[pk] = v
    assert sorted(seen) == sorted(pks), "items missed: %s" % sorted(set(pks) - set(seen))
    return seen


def run_moving_items(ddb, table, history, reads, versions):
    """A writer moves every item to a new GSI key on each write (versions 1..versions) while the
    test reads with `reads` (a list of callables returning one read's items); every read checked."""
    done = threading.Event()
    errors = []

    def writer():
        try:
            for v in range(1, versions + 1):
                for pk in ITEMS:
                    history.begin(pk, v)
                    write(ddb, table, pk, v)
        except Exception as e:  # noqa: BLE001 (reported by the test)
            errors.append(e)
        finally:
            done.set()

    th = threading.Thread(target=writer)
    th.start()
    checked = 0
    try:
        while not done.is_set():
            for read in reads:
                check_scan(read(), history, ITEMS)
                checked += 1
    finally:
        done.set()
        th.join()
    assert not errors, errors
    return checked


def lagged_server(start, *extra):
    """A write is held on its event loop in the window (DDBD_DELAY_POINT); the readers' connections
    land on the loops at random (SO_REUSEPORT), so READERS of them on THREADS loops: a read that
    shares the writer's loop waits for the note, the others read in the window."""
    return start(["--in-memory", "--admin", "--clock", "frozen", "--threads", str(THREADS), "--index-lag", str(LAG_MS),
                  "--consistency-seed", "60"] + list(extra), env={"DDBD_DELAY_POINT": "write-unnoted:150"})


def readers(srv):
    return [make_client(srv.endpoint) for _ in range(READERS)]


def test_a_moving_item_is_never_seen_twice_nor_missed_by_a_lagged_gsi_scan(start):
    srv = lagged_server(start)
    ddb, reader, rs = make_client(srv.endpoint), make_client(srv.endpoint), readers(srv)
    table = gsi_table(ddb)
    history = History()
    for pk in ITEMS:
        history.begin(pk, 0)
        write(ddb, table, pk, 0)
    # nothing is visible before the lag; then every first version
    assert reader.scan(TableName=table, IndexName="by_g")["Items"] == []
    advance(srv, LAG_MS + 1000)
    assert check_scan(reader.scan(TableName=table, IndexName="by_g")["Items"], history, ITEMS) == \
        {pk: 0 for pk in ITEMS}

    def scan(r=reader):
        return r.scan(TableName=table, IndexName="by_g")["Items"]

    def scan_pages():  # one item a page: the overlay's bounds and ExclusiveStartKey
        items, kw = [], {}
        while True:
            page = reader.scan(TableName=table, IndexName="by_g", Limit=1, **kw)
            items += page["Items"]
            if "LastEvaluatedKey" not in page:
                return items
            kw = {"ExclusiveStartKey": page["LastEvaluatedKey"]}

    assert run_moving_items(ddb, table, history, [lambda r=r: scan(r) for r in rs], versions=6) >= 10
    # past the lag: every item once, at its last version, and only under that version's key
    advance(srv, LAG_MS + 1000)
    assert check_scan(scan(), history, ITEMS) == {pk: 6 for pk in ITEMS}
    assert check_scan(scan_pages(), history, ITEMS) == {pk: 6 for pk in ITEMS}
    for g in range(GKEYS):
        got = reader.query(TableName=table, IndexName="by_g", KeyConditionExpression="g = :g",
                           ExpressionAttributeValues={":g": S("g%d" % g)})["Items"]
        assert sorted(i["pk"]["S"] for i in got) == (sorted(ITEMS) if g == 6 % GKEYS else [])


def test_a_moving_item_is_never_seen_twice_nor_missed_by_lagged_gsi_queries(start):
    """Query: each finds an item at most once, at a version whose GSI key is the one queried; once
    the writes are noted (and until the lag passes) every item is where it was before them."""
    srv = lagged_server(start)
    ddb, rs = make_client(srv.endpoint), readers(srv)
    table = gsi_table(ddb)
    history = History()
    for pk in ITEMS:
        history.begin(pk, 0)
        write(ddb, table, pk, 0)
    advance(srv, LAG_MS + 1000)

    def query(g, reader=rs[0]):
        got = reader.query(TableName=table, IndexName="by_g", KeyConditionExpression="g = :g",
                           ExpressionAttributeValues={":g": S(g)})["Items"]
        latest = history.latest()
        pks = [i["pk"]["S"] for i in got]
        assert len(set(pks)) == len(pks), "an item twice in one Query: %s" % got
        for i in got:
            v = int(i["v"]["N"])
            assert i["g"]["S"] == g == gkey(i["pk"]["S"], v) and v <= latest[i["pk"]["S"]], got
        return sorted(pks)

    done, errors = threading.Event(), []

    def writer():
        try:
            for v in range(1, 5):
                for pk in ITEMS:
                    history.begin(pk, v)
                    write(ddb, table, pk, v)
        except Exception as e:  # noqa: BLE001 (reported below)
            errors.append(e)
        finally:
            done.set()

    th = threading.Thread(target=writer)
    th.start()
    reads = 0
    while not done.is_set():
        for g in range(GKEYS):
            for r in rs:
                query("g%d" % g, r)
                reads += 1
    th.join()
    assert not errors and reads >= 10, (errors, reads)
    assert [query("g%d" % g) for g in range(GKEYS)] == [sorted(ITEMS), [], []]
    advance(srv, LAG_MS + 1000)
    assert [query("g%d" % g) for g in range(GKEYS)] == [[], sorted(ITEMS), []]  # version 4: g1


def lag_20_server(start):
    return start(["--in-memory", "--admin", "--clock", "frozen", "--index-lag", "1000-5000", "--consistency-seed", "20"])


def by_g(ddb, table, g):
    return [it["pk"]["S"] for it in ddb.query(TableName=table, IndexName="by_g", KeyConditionExpression="g = :g",
                                              ExpressionAttributeValues={":g": S(g)})["Items"]]


def test_the_gsi_read_after_write_misses_20_of_20_and_sees_it_after_the_lag(start):
    """The read-after-write bug of production, on demand: each write's GSI Query misses it, every
    time (20 of 20); stepping the frozen clock by the longest lag shows it (no sleep, whatever the
    machine's load: the server's clock moves only when the test steps it)."""
    srv = lag_20_server(start)
    ddb = make_client(srv.endpoint)
    table = gsi_table(ddb)
    missed = seen = 0
    for i in range(20):
        ddb.put_item(TableName=table, Item={"pk": S("u%d" % i), "g": S("e%d" % i), "v": N("1")})
        missed += by_g(ddb, table, "e%d" % i) == []
        advance(srv, 5000)
        seen += by_g(ddb, table, "e%d" % i) == ["u%d" % i]
    assert (missed, seen) == (20, 20)


def test_the_same_seed_shows_the_same_writes_at_the_same_step(start):
    """Lags drawn per write between 1 and 5 s: 2.5 s after 20 writes, which of them a GSI Query
    finds is the seed's, the same on another server (and on any machine: the clock is frozen)."""
    def found_after(ms):
        srv = lag_20_server(start)
        ddb = make_client(srv.endpoint)
        table = gsi_table(ddb)
        for i in range(20):
            ddb.put_item(TableName=table, Item={"pk": S("u%d" % i), "g": S("e%d" % i), "v": N("1")})
        advance(srv, ms)
        return [i for i in range(20) if by_g(ddb, table, "e%d" % i)]
    first = found_after(2500)
    assert 0 < len(first) < 20 and found_after(2500) == first
    assert found_after(999) == [] and found_after(5000) == list(range(20))
