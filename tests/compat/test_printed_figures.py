"""What the server prints for people to read, as the docs show it (issue 44): timings as their few
digits (5.562, not 5.5620000000000003), a seed directory given with a trailing slash naming its
files once-slashed, and an index built from a few items logging no made-up percentage."""
import json
import re
import subprocess
import time
import urllib.request

from conftest import DDBD_BIN, create_table_params, make_client


def admin(endpoint, method, path, body=None):
    req = urllib.request.Request(endpoint + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.read().decode()


def test_snapshot_timings_print_their_milliseconds_to_the_microsecond(server_factory):
    srv = server_factory(["--in-memory", "--admin"])
    db = make_client(srv.endpoint)
    db.create_table(**create_table_params("tbl"))
    db.put_item(TableName="tbl", Item={"pk": {"S": "a"}})
    for i in range(8):  # a timing rounded to 1/1000 ms is almost never a double exactly
        for text in (admin(srv.endpoint, "POST", "/ddbd/snapshots", {"name": "s%d" % i}),
                     admin(srv.endpoint, "POST", "/ddbd/snapshots/s%d/restore" % i)):
            took = re.search(r'"tookMs":([^,}]*)', text).group(1)
            assert re.fullmatch(r"\d+\.\d{1,3}", took), text


def test_seed_directory_with_a_trailing_slash_names_its_files_with_one(tmp_path):
    d = tmp_path / "fixtures"
    d.mkdir()
    (d / "users.json").write_text(json.dumps(create_table_params("users")))
    (d / "users.jsonl").write_text('{"pk": {"S": "ok"}}\n{"pk": {"N": "1"}}\n')
    proc = subprocess.run([DDBD_BIN, "--in-memory", "--port", "0", "--seed", str(d) + "/"],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0
    assert "seed: %s/users.jsonl:2: ValidationException" % d in proc.stderr, proc.stderr
    assert "//" not in proc.stderr


def test_index_built_from_two_items_logs_no_percentage(server_factory):
    srv = server_factory(["--in-memory", "--log-level", "info"])
    db = make_client(srv.endpoint)
    db.create_table(**create_table_params("tbl"))
    for k in ("a", "b"):
        db.put_item(TableName="tbl", Item={"pk": {"S": k}, "g": {"S": "x"}})
    db.update_table(TableName="tbl", AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                    GlobalSecondaryIndexUpdates=[{"Create": {
                        "IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "ALL"}}}])
    deadline = time.monotonic() + 20
    while "is ACTIVE" not in srv.stderr_text():
        assert time.monotonic() < deadline, srv.stderr_text()
        time.sleep(0.05)
    log = srv.stderr_text()
    assert "index by_g of table tbl is ACTIVE (2 items read, 2 indexed)" in log, log
    assert not re.search(r"backfilling index by_g of table tbl: \d+%", log), log


def test_mcp_snapshot_timings_print_their_milliseconds_to_the_microsecond():
    msgs = [{"jsonrpc": "2.0", "id": 0, "method": "initialize",
             "params": {"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}},
            {"jsonrpc": "2.0", "method": "notifications/initialized"}]
    msgs += [{"jsonrpc": "2.0", "id": i + 1, "method": "tools/call",
              "params": {"name": "take_snapshot", "arguments": {"name": "s%d" % i}}} for i in range(8)]
    proc = subprocess.run([DDBD_BIN, "--mcp", "--in-memory", "--mcp-allow-writes"], capture_output=True, text=True,
                          input="".join(json.dumps(m) + "\n" for m in msgs), timeout=30)
    took = re.findall(r'tookMs\\?":([^,}\\]*)', proc.stdout)
    assert len(took) == 8, proc.stdout + proc.stderr
    for t in took:
        assert re.fullmatch(r"\d+\.\d{1,3}", t), proc.stdout


def test_the_docs_name_the_test_runners_versions_the_lock_file_holds():
    """docs/testing.md names the vitest and jest its integrations are tested with (issue 76, item 6:
    the versions printed drifted from the ones tested): the ones integrations/node's lock file pins."""
    import os
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    lock = json.load(open(os.path.join(root, "integrations", "node", "package-lock.json")))["packages"]
    vitest = lock["node_modules/vitest"]["version"].split(".")
    jest = lock["node_modules/jest"]["version"].split(".")
    doc = open(os.path.join(root, "docs", "testing.md")).read()
    m = re.search(r"\(js; vitest ([\d.]+), jest ([\d.]+)\)", doc)
    assert m, "docs/testing.md no longer names the versions where this test reads them"
    assert m.group(1).split(".") == vitest[:len(m.group(1).split("."))], (m.group(1), vitest)
    assert m.group(2).split(".") == jest[:len(m.group(2).split("."))], (m.group(2), jest)
