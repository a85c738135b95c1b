"""The anonymised import's sample (POST /ddbd/import's dry run and a strict import's check,
docs/import.md) is linear in the source, runs on the admin door's workers rather than an HTTP
loop, and ends when the server is told to stop.

Issue 73, item 5: each attribute name was looked up in a list of the names seen, and the rule
file's names likewise, so a 2 MB source of distinct names held the server over 300 s; the sample
ran on the HTTP loop under the admin door's lock, so neither the loop's other clients nor the
other doors were answered, and a SIGTERM waited for it. Now the names are in a hash table, the
door's requests run on workers of their own, and a sample ends at its next record once the server
is stopping (a 503), so SIGTERM ends the process at once with status 0.
"""
import json
import os
import signal
import threading
import time
import zlib

from conftest import DdbdServer, make_client
from helpers import admin_call

SCHEMA = {"TableName": "wide", "BillingMode": "PAY_PER_REQUEST",
          "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
          "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}
KEY = "the sample's test secret, 9d41f0"
NAMES_PER_ITEM, ITEMS = 50, 1000  # 50,000 distinct names


def name(i):
    return "attribute_%06d" % i


def door(srv, prefix, rules, timeout=120, **extra):
    it = {"S3BucketSource": {"S3Bucket": "local", "S3KeyPrefix": prefix + "/"}, "InputFormat": "DYNAMODB_JSON",
          "TableCreationParameters": SCHEMA}
    if prefix == "endless":
        it["InputCompressionType"] = "GZIP"
    return admin_call(srv.endpoint, "POST", "/ddbd/import", dict({"ImportTable": it, "Rules": rules}, **extra),
                      timeout=timeout)


def wide_source(exports):
    os.makedirs(os.path.join(exports, "local", "wide"))
    with open(os.path.join(exports, "local", "wide", "part-0.json"), "w") as f:
        for i in range(ITEMS):
            item = {name(i * NAMES_PER_ITEM + j): {"S": "v%d" % j} for j in range(NAMES_PER_ITEM)}
            item["pk"] = {"S": "k%d" % i}
            f.write(json.dumps({"Item": item}) + "\n")


def endless_source(exports):
    """A gzip object of 1.5 G records that hold no item ("{}"): a sample of it reads until it is
    stopped, whatever the machine's speed (6 MB on disk)."""
    os.makedirs(os.path.join(exports, "local", "endless"))
    z = zlib.compressobj(1, zlib.DEFLATED, 31)
    chunk = b"{}\n" * (1 << 20)
    with open(os.path.join(exports, "local", "endless", "part-0.json.gz"), "wb") as f:
        for _ in range(500):
            f.write(z.compress(chunk))
        f.write(z.flush())


def test_fifty_thousand_names(tmp_path):
    """A dry run over 50,000 distinct names reports each, and a strict import whose rule file names
    all of them starts and imports every item."""
    exports = str(tmp_path / "exports")
    wide_source(exports)
    srv = DdbdServer(["--in-memory", "--admin", "--export-dir", exports]).start()
    try:
        status, r = door(srv, "wide", {"key": KEY, "attributes": {"pk": "hash"}}, DryRun=True, Sample=ITEMS)
        assert status == 200, r
        assert r["sampledItems"] == ITEMS and r["uncovered"] == []
        got = {a["attribute"]: (a["rule"], a["items"]) for a in r["attributes"]}
        assert len(got) == ITEMS * NAMES_PER_ITEM + 1 and got["pk"] == ("hash", ITEMS)
        assert got[name(0)] == got[name(49999)] == ("keep", 1)
        rules = {name(i): "keep" for i in range(ITEMS * NAMES_PER_ITEM)}
        rules["pk"] = "hash"
        status, r = door(srv, "wide", {"key": KEY, "strict": True, "attributes": rules})
        assert status == 200, r
        c = make_client(srv.endpoint)
        arn = r["ImportTableDescription"]["ImportArn"]
        deadline = time.time() + 120
        while (d := c.describe_import(ImportArn=arn)["ImportTableDescription"])["ImportStatus"] == "IN_PROGRESS":
            assert time.time() < deadline
            time.sleep(0.05)
        assert (d["ImportStatus"], d["ImportedItemCount"]) == ("COMPLETED", ITEMS), d
    finally:
        srv.stop()


def wait_for_log(srv, text):
    deadline = time.time() + 60
    while text not in srv.stderr_text():
        assert time.time() < deadline, srv.stderr_text()[-2000:]
        time.sleep(0.02)


def test_a_long_sample_holds_nothing_and_sigterm_ends_it(tmp_path):
    """With one HTTP thread, while a dry run reads an endless source: the API and the other doors
    answer, and SIGTERM stops the server, exit status 0, the sample answered 503."""
    exports = str(tmp_path / "exports")
    endless_source(exports)
    srv = DdbdServer(["--in-memory", "--admin", "--threads", "1", "--export-dir", exports]).start()
    answer = {}

    def sample():
        answer["r"] = door(srv, "endless", {"key": KEY, "attributes": {"pk": "hash"}}, DryRun=True)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    try:
        wait_for_log(srv, "admin: a dry run's sample started")
        assert admin_call(srv.endpoint, "GET", "/ddbd/clock", timeout=60)[0] == 200
        assert make_client(srv.endpoint).list_tables()["TableNames"] == []
        assert th.is_alive()  # (the sample still reads)
        srv.proc.send_signal(signal.SIGTERM)
        assert srv.proc.wait(timeout=60) == 0, srv.stderr_text()[-2000:]
        th.join(60)
        assert answer["r"] == (503, {"message": "the server is stopping: the sample was not finished"})
    finally:
        srv.kill()
