"""/ddbd/consistency keeps what it is given bounded (docs/security.md, "The doors"): at most 256
tables with settings of their own, and every table's log together at most 64 MiB (the oldest
changes of any table forgotten first, then seen at once), however long the window."""

from conftest import S, make_client
from helpers import admin_call, make_table


def admin(srv, body=None):
    return admin_call(srv.endpoint, "POST" if body else "GET", "/ddbd/consistency", body)


def test_at_most_256_tables_have_settings(server_factory):
    srv = server_factory(["--in-memory", "--admin"])
    for i in range(256):
        assert admin(srv, {"table": "t%03d" % i, "staleReadsMs": 1000})[0] == 200
    assert admin(srv, {"table": "one_more", "staleReadsMs": 1000}) == (
        400, {"message": "too many tables have consistency settings (256)"})
    assert admin(srv, {"table": "t000"})[0] == 200  # a table already there may still change
    assert len(admin(srv)[1]["tables"]) == 256


def table(ddb):
    return make_table(ddb, prefix="bound")


def kept(srv, t):
    return [x["changesKept"] for x in admin(srv)[1]["tables"] if x["table"] == t][0]


def test_a_long_window_keeps_many_small_changes_within_the_budget(server_factory):
    """No count bound any more (a table's log was 20,000 changes): small changes are all kept, and
    the bytes they hold are counted against the one budget."""
    srv = server_factory(["--in-memory", "--admin"])
    ddb = make_client(srv.endpoint)
    t = table(ddb)
    assert admin(srv, {"table": t, "staleReadsMs": 3600000, "indexLagMs": 3600000})[0] == 200
    for b in range(20100 // 25):
        ddb.batch_write_item(RequestItems={t: [{"PutRequest": {"Item": {"pk": S("k%d" % (b * 25 + i))}}}
                                               for i in range(25)]})
    state = admin(srv)[1]
    assert kept(srv, t) == 20100
    assert 20100 * 100 < state["bytesKept"] <= state["budgetBytes"] == 64 << 20
    assert ddb.get_item(TableName=t, Key={"pk": S("k0")}, ConsistentRead=True)["Item"] == {"pk": S("k0")}
    # off: the log is freed
    assert admin(srv, {"table": t})[0] == 200
    assert kept(srv, t) == 0
    assert admin(srv)[1]["bytesKept"] == 0


def test_every_table_log_together_keeps_at_most_64_mib_oldest_first(server_factory):
    """400 KB items would take 256 tables' logs to 4 GiB (16 MiB each, before issue 60): all the
    logs together stop at 64 MiB, the oldest change of any table forgotten first (and a read,
    which copies what it misses, is bounded with them). A change keeps the item's old image."""
    srv = server_factory(["--in-memory", "--admin"])
    ddb = make_client(srv.endpoint)
    first, second = table(ddb), table(ddb)

    def overwrite_all(t, c):
        for i in range(100):
            ddb.put_item(TableName=t, Item={"pk": S("k%d" % i), "pad": S(c * 390000)})
    for t in (first, second):  # before the settings: not logged
        overwrite_all(t, "x")
    for t in (first, second):
        assert admin(srv, {"table": t, "staleReadsMs": 3600000})[0] == 200
    for t in (first, second):  # 200 changes of 390 KB old images: 78 MB
        overwrite_all(t, "y")
    state = admin(srv)[1]
    assert 63 << 20 < state["bytesKept"] <= state["budgetBytes"] == 64 << 20
    # 64 MiB / 390 KB = 172 (171 with each change's bookkeeping): the forgotten are the first table's oldest
    assert 100 - 29 <= kept(srv, first) <= 100 - 28 and kept(srv, second) == 100
    # a forgotten change is seen at once by every read (a kept one is missed by the stale draws)
    pads = [ddb.get_item(TableName=first, Key={"pk": S("k0")})["Item"]["pad"]["S"][0] for _ in range(8)]
    assert pads == ["y"] * 8
    pads = [ddb.get_item(TableName=second, Key={"pk": S("k0")})["Item"]["pad"]["S"][0] for _ in range(8)]
    assert "x" in pads
