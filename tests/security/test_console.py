"""The web console (--console, issue 44 section 2; docs/console.md): /ddbd/console serves files
built into ddbd, off by default. They carry no data, so the guard lets any caller fetch them, with
or without --auth; everything the page shows it reads through the API and /metrics, which under
--auth still ask for a signature and the key's rights. Its answers say what the page may load
(only its own files) and that no other site may frame it."""
import json
import os
import re
import shutil
import subprocess

import pytest

from conftest import DDBD_BIN
from test_doors import client, denied, keys, request  # noqa: F401 (keys: a fixture)

request_ = request  # (c_snippet's own argument is named request)

SVC = "com.amazon.coral.service#"
ASSETS = ("index.html", "app.js", "api.js", "dom.js", "tables.js", "items.js", "partiql.js", "activity.js",
          "streams.js", "vectors.js", "backups.js", "settings.js", "hotkeys.js",
          "plainjson.js", "sha256.js", "policy.js", "exports.js", "bgwork.js", "plot.js", "style.css", "session.js",
          "builder.js", "codegen.js", "itemform.js", "usage.js", "faults.js", "clock.js", "keys.js", "history.js",
          "download.js", "compare.js", "workbench.js", "model.js")


def test_the_console_is_off_by_default(server_factory):
    srv = server_factory(["--in-memory"])
    for path in ("/ddbd/console", "/ddbd/console/", "/ddbd/console/app.js"):
        status, _, _ = request(srv.endpoint, "GET", path, content_type=None)
        assert status == 404, path


def test_its_files_are_served_built_in_with_their_types_and_policy(server_factory):
    srv = server_factory(["--in-memory", "--console"])
    status, hdrs, page = request(srv.endpoint, "GET", "/ddbd/console", content_type=None)
    assert status == 200 and hdrs["content-type"] == "text/html; charset=utf-8"
    assert request(srv.endpoint, "GET", "/ddbd/console/", content_type=None)[2] == page
    csp = hdrs["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert hdrs["x-content-type-options"] == "nosniff"
    # every file the page names is there, and only its own (no CDN, no other origin)
    names = set(re.findall(r'(?:src|href)="/ddbd/console/([^"]+)"', page.decode()))
    status, hdrs, app = request(srv.endpoint, "GET", "/ddbd/console/app.js", content_type=None)
    assert status == 200 and hdrs["content-type"] == "text/javascript; charset=utf-8"
    for name in ASSETS:
        if name.endswith(".js"):
            names |= set(re.findall(r"(?:from |import\()'\./([^']+)'", request(srv.endpoint, "GET", "/ddbd/console/" + name)[2].decode()))
    assert names | {"index.html"} == set(ASSETS)
    for name in ASSETS:
        status, _, data = request(srv.endpoint, "GET", "/ddbd/console/" + name, content_type=None)
        assert status == 200, name
        assert not re.search(rb"https?://(?!www\.w3\.org/2000/svg|127\.0\.0\.1|localhost)", data), name
    # session.js says whether the API checks signatures, so the page asks for a key before any call,
    # and whether the admin door is open, so the Usage and Faults screens ask nothing that fails
    assert request(srv.endpoint, "GET", "/ddbd/console/session.js", content_type=None)[2] == (
        b"export const auth = false;\nexport const admin = false;\n")
    with_admin = server_factory(["--in-memory", "--console", "--admin"])
    assert request(with_admin.endpoint, "GET", "/ddbd/console/session.js", content_type=None)[2] == (
        b"export const auth = false;\nexport const admin = true;\n")
    # a path beside it is not the console, nor is a file it does not have
    for path in ("/ddbd/consoles", "/ddbd/console/nope.js"):
        assert request(srv.endpoint, "GET", path, content_type=None)[0] == 404, path


def test_it_is_read_only(server_factory):
    """Files are read with GET; a JSON POST is 405, and one a page could send cross-site is refused
    by the guard before (415)."""
    srv = server_factory(["--in-memory", "--console"])
    status, hdrs, _ = request(srv.endpoint, "POST", "/ddbd/console/", body={"x": 1})
    assert status == 405 and hdrs["allow"] == "GET, HEAD"
    assert request(srv.endpoint, "POST", "/ddbd/console/", body=b"x", content_type="text/plain")[0] == 415


def test_with_auth_its_files_need_no_key_but_its_calls_do(server_factory, keys):  # noqa: F811
    srv = server_factory(["--in-memory", "--console", "--admin", "--auth", keys])
    ddb = client(srv.endpoint, "writer")
    ddb.create_table(TableName="test_secret_orders", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    ddb.put_item(TableName="test_secret_orders", Item={"pk": {"S": "card-4242"}})
    for name in ASSETS:
        status, _, data = request(srv.endpoint, "GET", "/ddbd/console/" + name, content_type=None)
        assert status == 200, name
        assert b"secret_orders" not in data and b"4242" not in data, name
    assert request(srv.endpoint, "GET", "/ddbd/console/session.js", content_type=None)[2] == (
        b"export const auth = true;\nexport const admin = true;\n")
    # what the page asks of the API and /metrics: refused unsigned, decided by the key's rules signed
    status, _, body = request(srv.endpoint, "POST", "/", body={}, content_type="application/x-amz-json-1.0",
                              headers={"X-Amz-Target": "DynamoDB_20120810.ListTables"})
    assert status == 400 and json.loads(body)["__type"] == SVC + "MissingAuthenticationTokenException"
    assert request(srv.endpoint, "GET", "/metrics", content_type=None)[0] == 400
    status, _, body = request(srv.endpoint, "GET", "/metrics", content_type=None, key="reader")
    assert status == 400 and json.loads(body) == denied("reader", "ddbd:ReadMetrics", "/metrics")
    assert request(srv.endpoint, "GET", "/metrics", content_type=None, key="scraper")[0] == 200
    # the console's path is not the admin door's, and the admin door is still guarded
    status, _, body = request(srv.endpoint, "GET", "/ddbd/clock", content_type=None, key="reader")
    assert status == 400 and json.loads(body) == denied("reader", "ddbd:Admin", "/ddbd/clock")


def c_snippet(tmp_path, op, request, endpoint):
    """The console's C snippet for `op` with `request`: codegen.js as the server serves it, run by
    node as the page runs it."""
    mod = tmp_path / "codegen"
    mod.mkdir()
    for name in ("codegen.js", "dom.js"):
        status, _, body = request_(endpoint, "GET", "/ddbd/console/" + name, content_type=None)
        assert status == 200, name
        (mod / name).write_bytes(body)
    (mod / "package.json").write_text('{"type": "module"}')
    script = ("import { snippet } from './codegen.js';"
              "process.stdout.write(snippet('c', %s, %s, 'us-east-1', %s));"
              % (json.dumps(op), json.dumps(request), json.dumps(endpoint)))
    return subprocess.run(["node", "--input-type=module", "-e", script], cwd=mod, check=True,
                          capture_output=True, text=True).stdout


@pytest.mark.skipif(shutil.which("node") is None or shutil.which("cc") is None, reason="node or cc missing")
def test_the_c_snippet_is_no_trigraph_under_c11(server_factory, tmp_path):
    """A key holding `??/` (issue 61, item 6): under -std=c11 trigraphs are on and `??/` is a
    backslash, so the console's C snippet closed its string literal early and the rest of the
    request (an attacker's item, pasted by a user) became code. Every '?' is written \\? now: the
    program compiles with -std=c11 -Werror and writes exactly the item."""
    build = os.path.dirname(os.path.abspath(DDBD_BIN))
    if not os.path.exists(os.path.join(build, "libddb.so")):
        pytest.skip("no libddb.so beside ddbd")
    srv = server_factory(["--in-memory", "--console"])
    ddb = client(srv.endpoint, "writer")
    ddb.create_table(TableName="tri", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    item = {"pk": {"S": "k??/"}, "v": {"S": "??=??(??)??<??>??!??'??-??/ ?? ???/"},
            "w": {"S": "\"); return 1; /* ??/"}}
    code = c_snippet(tmp_path, "PutItem", {"TableName": "tri", "Item": item}, srv.endpoint)
    (tmp_path / "snippet.c").write_text(code)
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    with open(DDBD_BIN, "rb") as f:  # the sanitizers' build: its libddb needs their runtime first
        sanitized = b"__asan_init" in f.read()
    cc = subprocess.run(["cc", "-std=c11", "-Wall", "-Werror", "-o", "snippet", "snippet.c",
                         "-I" + os.path.join(root, "include"), "-L" + build, "-lddb", "-Wl,-rpath," + build]
                        + (["-fsanitize=address,undefined"] if sanitized else []),
                        cwd=tmp_path, capture_output=True, text=True)
    assert cc.returncode == 0, "the C snippet does not compile under -std=c11:\n%s\n%s" % (cc.stderr, code)
    env = dict(os.environ, AWS_ACCESS_KEY_ID="codegen", AWS_SECRET_ACCESS_KEY="codegen", AWS_REGION="us-east-1",
               ASAN_OPTIONS="detect_leaks=0")  # (the snippet, not the library under test, may leave memory)
    run = subprocess.run(["./snippet"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    got = ddb.get_item(TableName="tri", Key={"pk": item["pk"]}, ConsistentRead=True).get("Item")
    assert got == item, got
