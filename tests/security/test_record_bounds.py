"""The recorder as a trusted capture tool (issue 73, item 2; docs/record-replay.md, "Bounds").

Before, `--record FILE` wrote every request's body whole, before authentication: a gzip body of
16 MiB of \\x01 (16,330 bytes sent, no Authorization header) became 100 MB of `requestText`, each
byte escaped to six; the recording counted against no bound, not even --min-free-disk; a body that
was not UTF-8 was copied raw (the file stopped being JSON lines); a slot's buffer kept the capacity
of its longest line; and a write the disk cut short left half a line. Each case here fails on such
a server. Every server runs on a frozen clock and nothing waits for time to pass: lines are read
after the server stopped (a stop writes every pending line) or through GET /ddbd/record, and the
one case that needs a line on disk before it pretends the disk full polls GET /ddbd/record for it.
"""
import gzip
import json
import os
import subprocess
import sys

from conftest import DDBD_BIN, DdbdServer, make_client, raw_request, signed_call
from helpers import admin_call, eventually

KEYS = "AKIDREC recsecret rights=admin\n"
FROZEN = ("--clock", "frozen@1767225600000")
MIB = 1024 * 1024
TABLE = {"TableName": "rec", "BillingMode": "PAY_PER_REQUEST",
         "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
         "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}


def recorded(path):
    """The recording's lines, each read as strict UTF-8 JSON, in arrival order (by `start`: each HTTP
    thread writes its lines in batches of its own, so the file is only roughly in that order,
    docs/record-replay.md); and whether the file ends a line."""
    with open(path, "rb") as f:
        data = f.read()
    lines = [json.loads(line.decode("utf-8")) for line in data.splitlines()]
    return sorted(lines, key=lambda line: line.get("start", 0)), data.endswith(b"\n") or not data


def written(endpoint):
    """GET /ddbd/record's state once some lines are in the file (for `eventually`)."""
    status, state = admin_call(endpoint, "GET", "/ddbd/record")
    assert status == 200 and state["bytes"] > 0, state
    return state


def hostile(endpoint, n=1):
    """A gzip body of n MiB of \\x01 with no Authorization header (a few KB sent)."""
    return raw_request(endpoint, "PutItem", gzip.compress(b"\x01" * (n * MIB), 9), sign=False,
                       headers={"Content-Encoding": "gzip"})


def test_with_auth_only_authenticated_requests_are_recorded(tmp_path):
    (tmp_path / "keys").write_text(KEYS)
    rec = tmp_path / "rec.jsonl"
    s = DdbdServer(args=("--in-memory", "--auth", str(tmp_path / "keys"), "--record", str(rec)) + FROZEN).start()
    try:
        for _ in range(3):
            assert hostile(s.endpoint).status == 400
        bad = raw_request(s.endpoint, "ListTables", b"{}", sign=False, headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDREC/20260101/us-east-1/dynamodb/aws4_request, "
                             "SignedHeaders=host, Signature=" + "0" * 64})
        assert bad.status == 400
        status, out = signed_call(s.endpoint, "AKIDREC", "recsecret", "ListTables", {})
        assert status == 200, out
    finally:
        s.stop()
    lines, whole = recorded(rec)
    assert whole
    assert [line["op"] for line in lines] == ["ListTables"]
    assert lines[0]["status"] == 200 and lines[0]["request"] == {}
    assert os.path.getsize(rec) < 1000


def test_a_body_not_taken_keeps_its_first_kilobyte_its_length_and_valid_utf8(tmp_path):
    rec = tmp_path / "rec.jsonl"
    s = DdbdServer(args=("--in-memory", "--record", str(rec)) + FROZEN).start()
    try:
        assert hostile(s.endpoint).status == 400
        assert raw_request(s.endpoint, "PutItem", b"\xff\xfe{\xc0\xaf", sign=False).status == 400
        # an Authorization header that is not UTF-8, echoed by the error's message
        odd = raw_request(s.endpoint, "ListTables", b"{}", sign=False,
                          headers={"Authorization": "AWS4-HMAC-SHA256 Credential=\xff\xfe"})
        assert odd.status == 400
    finally:
        s.stop()
    lines, whole = recorded(rec)
    assert whole and len(lines) == 3
    big, bad, echo = lines
    assert big["requestLength"] == MIB
    assert big["requestText"] == "\x01" * 1024
    assert os.path.getsize(rec) < 16 * 1024
    assert bad["requestLength"] == 5 and bad["requestText"] == "\ufffd\ufffd{\ufffd\ufffd"
    assert echo["status"] == 400 and "\ufffd" in json.dumps(echo["response"], ensure_ascii=False)


def test_record_max_bytes_stops_the_recording_at_a_whole_line(tmp_path):
    rec = tmp_path / "rec.jsonl"
    s = DdbdServer(args=("--in-memory", "--admin", "--record", str(rec), "--record-max-bytes", "3000") + FROZEN).start()
    try:
        ddb = make_client(s.endpoint)
        ddb.create_table(**TABLE)
        for i in range(20):
            ddb.put_item(TableName="rec", Item={"pk": {"S": "k%d" % i}, "v": {"S": "x" * 200}})
        status, state = admin_call(s.endpoint, "GET", "/ddbd/record")
        assert status == 200 and state["stopped"] == "record-max-bytes", state
        assert state["bytes"] == os.path.getsize(rec) <= 3000
        assert ddb.get_item(TableName="rec", Key={"pk": {"S": "k19"}})["Item"]["v"]["S"] == "x" * 200
    finally:
        s.stop()
    lines, whole = recorded(rec)
    assert whole and 3 <= len(lines) < 20
    assert s.stderr_text().count("stopped at") == 1


def test_the_disk_reserve_stops_the_recording(tmp_path):
    rec = tmp_path / "rec.jsonl"
    reserve = 1 << 20
    s = DdbdServer(args=("--in-memory", "--admin", "--record", str(rec), "--min-free-disk", str(reserve)) + FROZEN)
    s.start()
    try:
        ddb = make_client(s.endpoint)
        ddb.list_tables()
        # Its line is written when its loop next turns without an answer (or the line is 200 ms old),
        # not when it is answered: a pretended full disk set before then drops it with the lines
        # after it (CI, sanitized: 0 lines), so the case waits until the file holds it.
        eventually(lambda: written(s.endpoint))
        assert admin_call(s.endpoint, "POST", "/ddbd/faults", {"free_bytes": reserve + 100})[0] == 200
        for _ in range(10):
            ddb.list_tables()
        status, state = admin_call(s.endpoint, "GET", "/ddbd/record")
        assert status == 200 and state["stopped"] == "min-free-disk", state
    finally:
        s.stop()
    lines, whole = recorded(rec)
    assert whole and 1 <= len(lines) < 10
    assert "--min-free-disk" in s.stderr_text()


def test_a_long_lines_buffer_is_given_back(tmp_path):
    rec = tmp_path / "rec.jsonl"
    s = DdbdServer(args=("--in-memory", "--admin", "--record", str(rec)) + FROZEN).start()
    try:
        ddb = make_client(s.endpoint)
        ddb.create_table(**TABLE)
        ddb.put_item(TableName="rec", Item={"pk": {"S": "big"}, "v": {"S": "y" * (380 * 1024)}})
        ddb.list_tables()
        status, state = admin_call(s.endpoint, "GET", "/ddbd/record")
        assert status == 200 and state["requests"] == 3, state
        assert state["buffered"] < 300 * 1024, state
    finally:
        s.stop()


# ddbd with a file size limit (RLIMIT_FSIZE) and SIGXFSZ ignored: a write past it is cut short,
# then fails (EFBIG), as a write on a file system that fills does (ENOSPC)
FSIZE = 20000
LIMITED = (sys.executable, "-c", "import os, resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
           "resource.setrlimit(resource.RLIMIT_FSIZE, (%d, %d)); os.execv(sys.argv[1], sys.argv[1:])" % (FSIZE, FSIZE))


def test_a_write_cut_short_leaves_no_half_line(tmp_path):
    rec = tmp_path / "rec.jsonl"
    s = DdbdServer(args=("--in-memory", "--record", str(rec)) + FROZEN, prefix=LIMITED).start()
    try:
        ddb = make_client(s.endpoint)
        ddb.create_table(**TABLE)
        for i in range(12):
            ddb.put_item(TableName="rec", Item={"pk": {"S": "k%d" % i}, "v": {"S": "z" * 5000}})
    finally:
        s.stop()
    lines, whole = recorded(rec)
    assert whole, open(rec, "rb").read()[-80:]
    assert 2 <= len(lines) < 12 and os.path.getsize(rec) <= FSIZE
    assert "write failed" in s.stderr_text()


def test_a_body_kept_in_part_is_not_replayed(tmp_path):
    """`ddb replay` sends a body that is not JSON as recorded, but not one of which only the first
    bytes were kept: that would be another request."""
    rec = tmp_path / "rec.jsonl"
    s = DdbdServer(args=("--in-memory", "--record", str(rec)) + FROZEN).start()
    try:
        # JSON but not an object: refused once its operation is known, so a line with an "op"
        assert raw_request(s.endpoint, "ListTables", b"[1]").status == 400  # whole: replayed
        assert raw_request(s.endpoint, "ListTables", b"[" + b"1," * 2500 + b"1]").status == 400  # cut: not
    finally:
        s.stop()
    lines, _ = recorded(rec)
    assert [(line["requestLength"], len(line["requestText"])) for line in lines] == [(3, 3), (5003, 1024)]
    t = DdbdServer(args=("--in-memory",) + FROZEN).start()
    try:
        ddb = os.path.join(os.path.dirname(DDBD_BIN), "ddb")
        r = subprocess.run([ddb, "replay", str(rec), "--endpoint", t.endpoint, "--as-fast-as-possible", "--check"],
                           capture_output=True, text=True, timeout=60)
    finally:
        t.stop()
    assert [line["op"] for line in lines] == ["ListTables", "ListTables"]
    assert ("replayed 1 request over 1 connection (1 skipped: no operation, or a body kept only in part): "
            "0 divergences") in r.stdout, r.stdout + r.stderr
