#!/usr/bin/env python3
"""Create the table of the PartiQL insert workload and check that ExecuteStatement works.

usage: setup_partiql.py ENDPOINT

  bench_pq   hash key pk (S), PAY_PER_REQUEST, dropped and created empty.  Workload pq_insert
             (bench/lua/pq_insert.lua) adds items with fresh keys "pq#<run>#<thread>#<n>" to it.
The read workload pq_select uses the shared setup.py's bench_kv (KV_N items "user#<i>").

Finally it checks, with ExecuteStatement, that `SELECT * FROM "bench_kv" WHERE pk = ?` returns
the item user#0 and that `INSERT INTO "bench_pq" VALUE {'pk': ?, 'v': ?}` adds an item that a
SELECT then returns.  A server without PartiQL fails here, and compare.sh notes it in the report.
Requests go through the shared harness's plain HTTP client (../shared/bench/ddbhttp.py).
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("BENCH_SHARED", os.path.join(HERE, "..", "..", "shared", "bench")))
from ddbhttp import Client, DDBError  # noqa: E402

TABLE = "bench_pq"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    c = Client(sys.argv[1])
    try:
        c.call("DeleteTable", {"TableName": TABLE})
        c.wait_gone(TABLE)
    except DDBError as e:
        if e.type != "ResourceNotFoundException":
            raise
    c.create_table(TABLE, "pk", None)
    c.wait_active(TABLE)

    r = c.call("ExecuteStatement", {"Statement": 'SELECT * FROM "bench_kv" WHERE pk = ?',
                                    "Parameters": [{"S": "user#0"}]})
    items = r.get("Items") or []
    if len(items) != 1 or items[0].get("pk") != {"S": "user#0"}:
        sys.exit(f"setup_partiql: SELECT of user#0 in bench_kv returned {str(r)[:200]}")
    c.call("ExecuteStatement", {"Statement": "INSERT INTO \"bench_pq\" VALUE {'pk': ?, 'v': ?}",
                                "Parameters": [{"S": "pq#setup"}, {"S": "check"}]})
    r = c.call("ExecuteStatement", {"Statement": 'SELECT * FROM "bench_pq" WHERE pk = ?',
                                    "Parameters": [{"S": "pq#setup"}]})
    if (r.get("Items") or [{}])[0].get("v") != {"S": "check"}:
        sys.exit(f"setup_partiql: the INSERTed item did not come back: {str(r)[:200]}")
    print(f"created {TABLE}; ExecuteStatement SELECT by key and INSERT checked")
    c.close()


if __name__ == "__main__":
    main()
