"""The anonymised import's secret (POST /ddbd/import's rules' "key", docs/import.md) never reaches a
durable file, and a key a dictionary could guess is refused.

Issue 73, item 4: both keys of two anonymised imports were still in RocksDB's write-ahead log
after the imports ended (the import's record kept the rules, key included, while it ran), and keys
of 16 spaces, `aaaaaaaaaaaaaaaa` and the docs' own examples were taken. Now the record keeps the
rules without their key, the key lives in memory until the import ends (proto/secret_key.h says
which keys are weak), and an import that a restart interrupts ends FAILED with a message that says
to start it again with its key, its table removed.
"""
import glob
import hashlib
import json
import os
import re
import time

from conftest import DdbdServer, make_client
from helpers import admin_call, wait_import

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
KEYS = ["first import's secret, 0f9c2e7ab", "second import's secret, 77d1c4e0"]
SCHEMA = {"BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
          "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}
RULES = {"strict": True, "attributes": {"pk": "hash", "email": {"fake": "email"}}}


def put_source(export_dir, prefix, n):
    os.makedirs(os.path.join(export_dir, "local", prefix), exist_ok=True)
    with open(os.path.join(export_dir, "local", prefix, "part-0.json"), "w") as f:
        for i in range(n):
            f.write(json.dumps({"Item": {"pk": {"S": "user-%d" % i}, "email": {"S": "u%d@corp.example" % i}}}) + "\n")


def door_import(srv, table, prefix, key):
    it = dict(S3BucketSource={"S3Bucket": "local", "S3KeyPrefix": prefix + "/"}, InputFormat="DYNAMODB_JSON",
              TableCreationParameters=dict(SCHEMA, TableName=table))
    return admin_call(srv.endpoint, "POST", "/ddbd/import", {"ImportTable": it, "Rules": dict(RULES, key=key)})


def files_holding(data_dir, secrets):
    """The files under data_dir (RocksDB's WAL, tables, manifest) that hold one of the secrets, or
    their SHA-256 (what the HMAC is keyed by)."""
    needles = [s.encode() for s in secrets] + [hashlib.sha256(s.encode()).digest() for s in secrets]
    found = []
    for path in glob.glob(os.path.join(data_dir, "**"), recursive=True):
        if os.path.isfile(path):
            with open(path, "rb") as f:
                data = f.read()
            found += ["%s holds %r" % (os.path.relpath(path, data_dir), n) for n in needles if n in data]
    return found


def test_two_imports_leave_no_key_in_any_file(tmp_path):
    exports, data = str(tmp_path / "exports"), str(tmp_path / "data")
    put_source(exports, "src", 50)
    srv = DdbdServer(["--data-dir", data, "--export-dir", exports, "--admin"]).start()
    try:
        c = make_client(srv.endpoint)
        for i, key in enumerate(KEYS):
            status, r = door_import(srv, "anon%d" % i, "src", key)
            assert status == 200, r
            d = wait_import(c, r["ImportTableDescription"]["ImportArn"])
            assert (d["ImportStatus"], d["ImportedItemCount"]) == ("COMPLETED", 50), d
        # the imports did their work under their keys
        hashed = hashlib.sha256(KEYS[0].encode()).digest()
        import hmac
        want = hmac.new(hashed, b"S:user-0", hashlib.sha256).hexdigest()[:32]
        assert c.get_item(TableName="anon0", Key={"pk": {"S": want}}).get("Item") is not None
        # with the server still up: its WAL is where the keys were
        assert files_holding(data, KEYS) == []
    finally:
        srv.stop()
    assert files_holding(data, KEYS) == []


def test_a_restart_mid_import_fails_it_asking_for_the_key(tmp_path):
    """The key is in memory only: an import a restart interrupts (its record still IN_PROGRESS)
    cannot run again without it, so it ends FAILED saying so, and its table goes, so that the same
    import can be made again. While it ran, no file held its key either."""
    exports, data = str(tmp_path / "exports"), str(tmp_path / "data")
    put_source(exports, "big", 20000)
    args = ["--data-dir", data, "--export-dir", exports, "--admin"]
    srv = DdbdServer(args, env={"DDBD_DELAY_POINT": "transact-before-commit:20"}).start()  # a slow import
    try:
        c = make_client(srv.endpoint)
        status, r = door_import(srv, "interrupted", "big", KEYS[0])
        assert status == 200, r
        arn = r["ImportTableDescription"]["ImportArn"]
        deadline = time.time() + 60
        while c.describe_import(ImportArn=arn)["ImportTableDescription"]["ProcessedItemCount"] == 0:
            assert time.time() < deadline
            time.sleep(0.02)
        assert c.describe_import(ImportArn=arn)["ImportTableDescription"]["ImportStatus"] == "IN_PROGRESS"
        assert files_holding(data, KEYS) == []
        srv.kill()
    finally:
        srv.kill()
    srv = DdbdServer(args).start()
    try:
        c = make_client(srv.endpoint)
        d = wait_import(c, arn)
        assert (d["ImportStatus"], d.get("FailureCode"), d.get("FailureMessage")) == (
            "FAILED", "ddbd.AnonymisationKeyLost",
            "the server restarted during this anonymised import and its key is kept in memory only, never on "
            "disk: start the import again with its key (ddb import)")
        assert "interrupted" not in c.list_tables()["TableNames"]
        status, r = door_import(srv, "interrupted", "src-none", KEYS[0])  # made again: the name is free
        assert status == 200, r
    finally:
        srv.stop()


def doc_example_keys():
    """Every key docs/ prints: a rules' "key" member, $DDB_IMPORT_KEY, a recorder's key."""
    keys = set()
    for path in glob.glob(os.path.join(ROOT, "docs", "*.md")) + [os.path.join(ROOT, "README.md")] + \
            glob.glob(os.path.join(ROOT, "integrations", "*", "README.md")):
        text = open(path, encoding="utf-8").read()
        keys.update(re.findall(r'"key":\s*"([^"<]+)"', text))
        keys.update(re.findall(r'DDB_[A-Z_]*KEY="([^"$]+)"', text))
    return sorted(keys)


def refusal(srv, key):
    status, r = door_import(srv, "weak", "src", key)
    assert status == 400, (key, r)
    return r["message"]


def test_weak_keys_are_refused(tmp_path):
    exports = str(tmp_path / "exports")
    put_source(exports, "src", 1)
    srv = DdbdServer(["--in-memory", "--export-dir", exports, "--admin"]).start()
    try:
        advice = (": a guessable key lets a dictionary undo every hash and fake; use a random secret of 16 bytes "
                  "or more (openssl rand -hex 16)")
        weak = {" " * 16: "blank", "\t \n" * 8: "blank", "a" * 16: "one character repeated",
                "\u00e9" * 12: "one character repeated", "a" * 15: "shorter than 16 bytes",
                "\u00e9" * 7: "shorter than 16 bytes"}
        examples = doc_example_keys()
        assert "a secret of 16 characters or more" in examples and len(examples) >= 3, examples
        for k in examples:
            weak[k] = "shorter than 16 bytes" if len(k.encode()) < 16 else "an example printed in ddbd's docs"
        for key, why in weak.items():
            assert refusal(srv, key) == "the rules' \"key\" is %s%s" % (why, advice), key
        assert refusal(srv, None) == 'the rules need a "key" of at least 16 bytes: the secret of hash and fake'
        assert "weak" not in make_client(srv.endpoint).list_tables()["TableNames"]
        status, r = door_import(srv, "strong", "src", KEYS[1])  # 16 bytes and more of a real secret
        assert status == 200, r
    finally:
        srv.stop()
