"""Usage marks hold bounded memory (issue 73, item 6; server/doors/usage_marks.h).

Each POST /ddbd/usage/mark copied every table's counters whole (3.5 KB a table): 128 marks of
2,500 tables took the server from 67 to 1,141 MB, and with --namespaces every account and Region
has its own table quota, so the tables, and the marks, had no bound. Now a mark packs a table's
non-zero counters only (32 bytes for an idle table), and the marks hold at most a byte budget in
all, the whole server's: the oldest go first to make room, and a mark that alone would pass the
budget is refused (400). Measured (release, 2,500 idle tables, 128 marks): before +1,074 MB, after
+10 MB.
"""
import json
import urllib.request

from conftest import DdbdServer, make_client, proc_status_kb, rss_within
from helpers import admin_call

KEY = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
       "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
       "BillingMode": "PAY_PER_REQUEST"}
GROWTH_MB = 64


def create_tables(srv, n):
    c = make_client(srv.endpoint)
    for i in range(n):
        c.create_table(TableName="table%05d" % i, **KEY)
    return c


def mark(srv, name):
    return admin_call(srv.endpoint, "POST", "/ddbd/usage/mark", {"name": name})


def test_128_marks_of_2500_tables(tmp_path):
    srv = DdbdServer(["--in-memory", "--admin", "--control-plane-rates", "off"]).start()
    try:
        c = create_tables(srv, 2500)
        c.put_item(TableName="table00007", Item={"pk": {"S": "a"}})
        assert mark(srv, "warm-up")[0] == 200
        before = proc_status_kb(srv.proc.pid, "VmRSS") / 1024.0
        for i in range(128):
            assert mark(srv, "m%d" % i)[0] == 200
        grown = proc_status_kb(srv.proc.pid, "VmRSS") / 1024.0 - before
        assert rss_within(grown, GROWTH_MB), "128 marks of 2,500 tables grew RSS by %.0f MB" % grown
        # the marks still count what they should: one more put since m0, the first put before it
        c.put_item(TableName="table00007", Item={"pk": {"S": "b"}})
        status, r = admin_call(srv.endpoint, "GET", "/ddbd/usage?since=m0")
        assert status == 200, r
        rows = {t["table"]: t for t in r["tables"]} if "tables" in r else None
        assert rows is not None and rows["table00007"]["requests"] == 1, r.get("tables", r)[:3]
    finally:
        srv.stop()


def test_the_budget_drops_the_oldest_and_refuses_a_mark_past_it(tmp_path):
    srv = DdbdServer(["--in-memory", "--admin"], env={"DDBD_USAGE_MARKS_BYTES": 40000}).start()
    try:
        create_tables(srv, 200)
        for i in range(20):
            assert mark(srv, "m%d" % i)[0] == 200
        names = [m["name"] for m in admin_call(srv.endpoint, "GET", "/ddbd/usage/mark")[1]["marks"]]
        assert 1 < len(names) < 20 and names == ["m%d" % i for i in range(20 - len(names), 20)], names
        assert admin_call(srv.endpoint, "GET", "/ddbd/usage?since=m0")[0] == 404
    finally:
        srv.stop()
    srv = DdbdServer(["--in-memory", "--admin"], env={"DDBD_USAGE_MARKS_BYTES": 2000}).start()
    try:
        create_tables(srv, 200)
        assert mark(srv, "too big") == (400, {
            "message": "the mark would hold more than the marks' budget of 2000 bytes (the counters of 200 tables, "
                       "kept in memory): use the whole run's report (GET /ddbd/usage), or fewer tables"})
        assert admin_call(srv.endpoint, "GET", "/ddbd/usage/mark")[1]["marks"] == []
    finally:
        srv.stop()
