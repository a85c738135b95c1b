"""The code of the docs, as a reader pastes it (issue 56, item 10: a program written from
docs/client.md alone did not compile). docs.blocks runs the ```sh blocks; these are the others:
docs/client.md's first C program, compiled against this build's libddb and run against ddbd, and
the README's --stream-trigger function, run under node and invoked by ddbd."""
import os
import re
import shutil
import subprocess
import time

import pytest

from conftest import DDBD_BIN, free_port, make_client

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.dirname(os.path.abspath(DDBD_BIN))


def block(doc, lang, starting):
    """The first ```lang block of doc whose first line starts with `starting`."""
    text = open(os.path.join(ROOT, doc), encoding="utf-8").read()
    for body in re.findall(r"^```%s\n(.*?)^```$" % lang, text, flags=re.S | re.M):
        if body.startswith(starting):
            return body
    raise AssertionError("no ```%s block starting %r in %s" % (lang, starting, doc))


def sanitized():
    """Whether this build is the sanitizers' (its libddb then needs their runtime loaded first:
    client.install and the release pass build the reader's way)."""
    with open(DDBD_BIN, "rb") as f:
        return b"__asan_init" in f.read()


def test_client_md_first_program_compiles_and_runs(server_factory, tmp_path):
    if not os.path.exists(os.path.join(BUILD, "libddb.so")) or shutil.which("cc") is None or sanitized():
        pytest.skip("needs cc and a release libddb.so beside ddbd")
    src = tmp_path / "app.c"
    src.write_text(block("docs/client.md", "c", "/* app.c"))
    app = str(tmp_path / "app")
    cc = subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-I", os.path.join(ROOT, "include"),
                         str(src), "-L", BUILD, "-lddb", "-Wl,-rpath," + BUILD, "-o", app],
                        capture_output=True, text=True, timeout=120)
    assert cc.returncode == 0, cc.stderr
    srv = server_factory(["--in-memory"])
    env = {"PATH": os.environ.get("PATH", ""), "AWS_ENDPOINT_URL": srv.endpoint, "AWS_REGION": "us-east-1",
           "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
    run = subprocess.run([app], capture_output=True, text=True, timeout=30, env=env)
    assert run.returncode == 1 and run.stderr == "ResourceNotFoundException: Requested resource not found\n", run
    make_client(srv.endpoint).create_table(TableName="accounts", BillingMode="PAY_PER_REQUEST",
                                           KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                                           AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    run = subprocess.run([app], capture_output=True, text=True, timeout=30, env=env)
    assert run.returncode == 0 and run.stderr == "", run
    item = make_client(srv.endpoint).get_item(TableName="accounts", Key={"pk": {"S": "user#1"}})["Item"]
    assert item["balance"] == {"N": "12345678901234567890.000000000000000001"}


def test_readme_stream_trigger_function_is_invoked(server_factory, tmp_path):
    if shutil.which("node") is None:
        pytest.skip("needs node")
    fn = tmp_path / "trigger.mjs"
    fn.write_text(block("README.md", "js", "// trigger.mjs").replace("listen(9000", "listen(Number(process.argv[2])"))
    port, out = free_port(), tmp_path / "out.txt"
    with open(out, "w") as f:
        node = subprocess.Popen(["node", str(fn), str(port)], stdout=f, stderr=subprocess.STDOUT)
    try:
        srv = server_factory(["--in-memory", "--stream-trigger", "orders=http://127.0.0.1:%d" % port])
        db = make_client(srv.endpoint)
        db.create_table(TableName="orders", BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        db.put_item(TableName="orders", Item={"id": {"S": "o-1"}})
        deadline = time.monotonic() + 60  # a delivery, not a time: generous on a loaded machine
        while time.monotonic() < deadline and "INSERT" not in out.read_text():
            time.sleep(0.1)
    finally:
        node.terminate()
        node.wait(timeout=10)
    text = out.read_text()
    assert 'INSERT {"id":{"S":"o-1"}}' in text, text
