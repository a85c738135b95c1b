"""--index-lag on two RADOS gateways (issue 60; engine/emulate/consistency.h, docs/testing.md).

Each gateway's lag log holds its own writes only: another gateway's write is in the store at once
and in no log of this gateway. A lagged GSI read must then show that write at once when it misses
nothing else of the item, and never beside the item's older entry when it does (4726060 showed
the item twice: its entry before this gateway's own missed write, and the other gateway's newer
one). The clock of each gateway is stepped through its admin door, never slept on.

Runs only where tests/rados/run.sh points it at a loopback cluster (DDBD_STORE_ARGS with
`--backend rados`); skipped everywhere else.
"""
import pytest

from conftest import DdbdServer, make_client, unique_name
from helpers import advance
from rados_helpers import needs_cluster, rados_args
from test_consistency_overlay import ITEMS, LAG_MS, History, check_scan, gsi_table, write

pytestmark = needs_cluster


@pytest.fixture
def two():
    """Two lagged gateways on one pool namespace of the test's own, with their clients."""
    ns = unique_name("lag")
    args = rados_args(ns) + ["--admin", "--clock", "frozen", "--index-lag", str(LAG_MS), "--consistency-seed", "60"]
    gws = []
    try:
        gws = [DdbdServer(args).start() for _ in range(2)]
        yield gws, [make_client(g.endpoint) for g in gws]
    finally:
        for g in gws:
            g.stop()
            g.kill()


def scan(c, table):
    return c.scan(TableName=table, IndexName="by_g", ConsistentRead=False)["Items"]


def test_another_gateways_write_shows_at_once_and_never_twice(two):
    (ga, gb), (a, b) = two
    table = gsi_table(a)
    history = History()
    for pk in ITEMS:
        history.begin(pk, 0)
        write(a, table, pk, 0)
    for g in (ga, gb):
        advance(g, LAG_MS + 1000)
    assert check_scan(scan(a, table), history, ITEMS) == {pk: 0 for pk in ITEMS}

    # A's own write is missed by A's lagged reads...
    history.begin("a", 1)
    write(a, table, "a", 1)
    assert check_scan(scan(a, table), history, ITEMS)["a"] == 0
    # ...and B's newer one, which A's log never sees, is hidden with it: "a" once, as before A's write
    history.begin("a", 2)
    write(b, table, "a", 2)
    assert check_scan(scan(a, table), history, ITEMS)["a"] == 0
    # an item A's log knows nothing of: B's write shows on A at once (B's own reads lag it)
    history.begin("b", 1)
    write(b, table, "b", 1)
    assert check_scan(scan(a, table), history, ITEMS)["b"] == 1
    assert check_scan(scan(b, table), history, ITEMS) == {"a": 1, "b": 0, "c": 0}
    # past the lag on both: every item once, at its last version
    for g in (ga, gb):
        advance(g, LAG_MS + 1000)
    for c in (a, b):
        assert check_scan(scan(c, table), history, ITEMS) == {"a": 2, "b": 1, "c": 0}


def test_items_moved_through_both_gateways_are_seen_once_by_both(two):
    """Every item moved on each write, through A and B in turn, and both gateways' Scans checked
    after each write: each item exactly once, at a version written. (The writes and the Scans take
    turns: a RADOS Scan is not one moment's view of the index's objects, and one beside a write
    that moves an item between them may see it twice or not at all, lag or no lag.)"""
    (ga, gb), (a, b) = two
    table = gsi_table(a)
    history = History()
    for pk in ITEMS:
        history.begin(pk, 0)
        write(a, table, pk, 0)
    for g in (ga, gb):
        advance(g, LAG_MS + 1000)
    for v in range(1, 9):
        for pk in ITEMS:
            history.begin(pk, v)
            write((a, b)[v % 2], table, pk, v)
            for c in (a, b):
                check_scan(scan(c, table), history, ITEMS)
        if v == 4:  # half way, the lag passes: each gateway sees everything so far, then lags again
            for g in (ga, gb):
                advance(g, LAG_MS + 1000)
            for c in (a, b):
                assert check_scan(scan(c, table), history, ITEMS) == {pk: 4 for pk in ITEMS}
    for g in (ga, gb):
        advance(g, LAG_MS + 1000)
    for c in (a, b):
        assert check_scan(scan(c, table), history, ITEMS) == {pk: 8 for pk in ITEMS}
