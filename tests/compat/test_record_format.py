"""One recording format, three writers (issue 75, item 5): ddbd's --record (proto/record_line.h's
writer), the Python recorder and the JS recorder of integrations/record/ each record requests, and
every line they write is checked against proto/record_line.def, the rows the C writer and `ddb
replay`'s reader are generated from: the SDK recorders agree with ddbd through a checked spec. A
line that leaves out a member every line has, names one the format does not know, or gives one a
type or an outcome the rows do not allow, is refused."""
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import make_client, raw_request, unique_name
from helpers import admin_call

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "integrations", "record"))
import ddbd_record  # noqa: E402  (integrations/record/ddbd_record.py)

FROZEN = ["--clock", "frozen@1767225600000"]
JS_DIR = os.path.join(ROOT, "tests", "js")


def spec():
    """proto/record_line.def's rows: {name: (types, when)} and the outcomes."""
    with open(os.path.join(ROOT, "proto", "record_line.def")) as f:
        text = f.read()
    members = {name: (set(types.split("|")), when) for name, types, when in
               re.findall(r'^DDB_RECORD_MEMBER\(\w+, "(\w+)", "([\w|]+)", (ALWAYS|BODY|SOME),', text, re.M)}
    outcomes = set(re.findall(r'^DDB_RECORD_OUTCOME\(\w+, "(\w+)",', text, re.M))
    return members, outcomes


SPEC = spec()


def type_of(v):
    return ("null" if v is None else "bool" if isinstance(v, bool) else "int" if isinstance(v, int)
            else "string" if isinstance(v, str) else "object" if isinstance(v, dict) else type(v).__name__)


def violations(text):
    """What in one written line (its newline included) the spec does not allow."""
    members, outcomes = SPEC
    if not text.endswith("\n") or "\n" in text[:-1] or "\r" in text:
        return ["not one line"]
    line = json.loads(text)
    if not isinstance(line, dict):
        return ["not an object"]
    bad = ["%s: no member of the format" % k for k in line if k not in members]
    bad += ["%s: a %s, not %s" % (k, type_of(v), "|".join(sorted(members[k][0])))
            for k, v in line.items() if k in members and type_of(v) not in members[k][0]]
    bad += ["%s: missing" % k for k, (_, when) in members.items() if when == "ALWAYS" and k not in line]
    if not any(k in line for k, (_, when) in members.items() if when == "BODY"):
        bad.append("no body (request, requestText or clock)")
    if line.get("outcome") not in outcomes:
        bad.append("outcome %r: none of %s" % (line.get("outcome"), sorted(outcomes)))
    if line.get("v") != 1:
        bad.append("v: %r, not 1" % line.get("v"))
    return bad


def raw_lines(path):
    with open(path, encoding="utf-8", newline="") as f:
        return f.readlines()


def table(endpoint):
    name = unique_name("rf")
    make_client(endpoint).create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    return name


def one_put_and_one_error(ddb, name):
    ddb.put_item(TableName=name, Item={"pk": {"S": "py"}, "n": {"N": "1"}})
    with pytest.raises(ddb.exceptions.ClientError):
        ddb.get_item(TableName=name + "-missing", Key={"pk": {"S": "py"}})


def by_ddbd(server_factory, tmp_path):
    """ddbd's lines: requests, an error, a body that is no request, and a clock step."""
    path = tmp_path / "ddbd.jsonl"
    srv = server_factory(("--in-memory", "--admin", "--record", str(path)) + tuple(FROZEN))
    one_put_and_one_error(make_client(srv.endpoint), table(srv.endpoint))
    assert raw_request(srv.endpoint, "PutItem", b"not json\r\n").status == 400
    assert admin_call(srv.endpoint, "POST", "/ddbd/clock", {"advance": 1000})[0] == 200
    assert srv.stop() == 0
    return path


def by_python(server_factory, tmp_path):
    srv = server_factory(("--in-memory",) + tuple(FROZEN))
    name = table(srv.endpoint)
    path = tmp_path / "py.jsonl"
    ddb = make_client(srv.endpoint)
    recorder = ddbd_record.Recorder(str(path))
    recorder.attach(ddb)
    one_put_and_one_error(ddb, name)
    recorder.close()
    return path


def by_js(server_factory, tmp_path):
    node = shutil.which("node")
    if node is None or not os.path.isdir(os.path.join(JS_DIR, "node_modules")):
        pytest.skip("node or tests/js/node_modules missing (deploy/ddbd.sh deps)")
    srv = server_factory(("--in-memory",) + tuple(FROZEN))
    path = tmp_path / "js.jsonl"
    r = subprocess.run([node, "record_one.mjs", srv.endpoint, str(path), table(srv.endpoint)], cwd=JS_DIR,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return path


WRITERS = {"ddbd": by_ddbd, "python": by_python, "js": by_js}


@pytest.fixture(params=sorted(WRITERS))
def written(request, server_factory, tmp_path):
    return request.param, raw_lines(WRITERS[request.param](server_factory, tmp_path))


def test_the_spec_is_the_def_files_rows():
    members, outcomes = SPEC
    assert {"v", "t", "conn", "start", "end", "op", "region", "request", "requestText", "clock", "status",
            "outcome", "error", "response", "recorder"} <= set(members)
    assert members["region"] == ({"string"}, "SOME")  # older recordings lack it
    assert members["status"] == ({"int"}, "ALWAYS") and members["request"][1] == "BODY"
    assert outcomes == {"ok", "error", "throttled", "fault", "lost"}


def test_every_writers_lines_follow_the_spec(written):
    who, lines = written
    assert lines, who
    assert {who: [(n, violations(text)) for n, text in enumerate(lines, 1) if violations(text)]} == {who: []}
    recs = [json.loads(text) for text in lines]
    assert [r["outcome"] for r in recs if r["op"] in ("PutItem", "GetItem") and "request" in r] == ["ok", "error"]
    # each says the region it was signed for (its credential scope), which a replay signs it for
    signed = [r.get("region") for r in recs if r["op"] in ("PutItem", "GetItem") and "request" in r]
    assert signed == ["us-east-1"] * 2, who
    if who == "ddbd":  # its body that is no request, and its clock step, are lines of the format too
        assert [(r["requestText"], r["requestLength"]) for r in recs if "requestText" in r] == [("not json\r\n", 10)]
        assert any("clock" in r and r["op"] is None for r in recs)
    else:
        assert all(r["recorder"].startswith("ddbd") for r in recs)


DEVIATIONS = {
    "a member every line has, left out": (lambda r: r.pop("status"), "status: missing"),
    "a member the format does not know": (lambda r: r.update(result="ok"), "result: no member of the format"),
    "a time as a string": (lambda r: r.update(start=str(r["start"])), "start: a string, not int"),
    "an outcome the format does not know": (lambda r: r.update(outcome="success"), "outcome 'success'"),
    "no body": (lambda r: [r.pop(k, None) for k in ("request", "requestText")], "no body"),
}


@pytest.mark.parametrize("deviation", sorted(DEVIATIONS))
def test_a_writer_that_deviates_is_refused(written, deviation):
    who, lines = written
    change, why = DEVIATIONS[deviation]
    rec = json.loads(lines[0])
    change(rec)
    found = violations(json.dumps(rec, separators=(",", ":")) + "\n")
    assert any(v.startswith(why) for v in found), (who, found)


def test_two_lines_in_one_are_refused(written):
    _, lines = written
    assert violations(lines[0].rstrip("\n") + "\r\n") == ["not one line"]
