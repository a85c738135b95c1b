"""The code of the docs, as a reader pastes it (issue 56, item 10: a program written from
docs/client.md alone did not compile). docs.blocks runs every block a generic runner can (one file,
one server); these are the blocks marked `<!-- run-by: tests/compat/test_doc_examples.py -->`, which
need more: docs/client.md's first C program, compiled against this build's libddb and run against ddbd, the
README's --stream-trigger function, run under node and invoked by ddbd, docs/testing.md's
frozen-clock recipes (issue 60) under pytest, vitest and go test, each with its fixture, and its
pytest plugin's block with the fault and stale-read recipes (issue 65)."""
import glob
import os
import re
import shutil
import subprocess
import sys
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


def block_with(doc, lang, containing):
    """The one ```lang block of doc that contains `containing`."""
    text = open(os.path.join(ROOT, doc), encoding="utf-8").read()
    found = [b for b in re.findall(r"^```%s\n(.*?)^```$" % lang, text, flags=re.S | re.M) if containing in b]
    assert len(found) == 1, "%d ```%s blocks hold %r in %s" % (len(found), lang, containing, doc)
    return found[0]


def files_of(body):
    """A block of several files, each under a line `// NAME.mjs`, as {NAME.mjs: its text}."""
    files, name = {}, None
    for line in body.splitlines(keepends=True):
        m = re.match(r"^// (\S+\.mjs)$", line.rstrip("\n"))
        if m:
            name = m.group(1)
            files[name] = ""
        elif name is not None:
            files[name] += line
    return files


def run(argv, cwd, env, timeout=240):
    p = subprocess.run(argv, cwd=str(cwd), env=env, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout + p.stderr


def test_testing_md_frozen_clock_pytest(tmp_path):
    """The pytest recipe: pytest.ini and test_sessions.py as printed, the plugin loaded from conftest.py."""
    (tmp_path / "pytest.ini").write_text(block_with("docs/testing.md", "ini", "ddbd_clock"))
    (tmp_path / "test_sessions.py").write_text(block_with("docs/testing.md", "python", "ddbd.clock.advance"))
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["ddbd_pytest"]\n')
    env = dict(os.environ, DDBD_BIN=DDBD_BIN, PYTHONPATH=os.path.join(ROOT, "integrations", "pytest"))
    code, out = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_sessions.py"], tmp_path, env)
    assert code == 0 and "1 passed" in out, out


def test_testing_md_frozen_clock_vitest(tmp_path):
    """The vitest recipe: its three files as printed, beside a copy of integrations/node's modules."""
    modules = os.path.join(ROOT, "integrations", "node", "node_modules")
    if shutil.which("node") is None or not os.path.exists(os.path.join(modules, ".bin", "vitest")):
        pytest.skip("needs node and integrations/node/node_modules (deploy/ddbd.sh deps)")
    files = files_of(block_with("docs/testing.md", "js", "clock: 'frozen'"))
    assert sorted(files) == ["ddbd.global.mjs", "sessions.spec.mjs", "vitest.config.mjs"]
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "integrations" / "node").mkdir(parents=True)
    for name in ("ddbd.mjs", "ddbd-each.mjs"):
        shutil.copy(os.path.join(ROOT, "integrations", "node", name), str(tmp_path / "integrations" / "node"))
    os.symlink(modules, str(tmp_path / "node_modules"))
    # (NO_COLOR: with CI set, vitest colours its summary, and the codes split "Tests  1 passed")
    code, out = run([os.path.join(modules, ".bin", "vitest"), "run", "--config", "vitest.config.mjs"], tmp_path,
                    dict(os.environ, DDBD_BIN=DDBD_BIN, NO_COLOR="1"))
    out = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert code == 0 and re.search(r"Tests\s+1 passed", out), out


def test_testing_md_frozen_clock_go(tmp_path):
    """The Go recipe: sessions_test.go as printed, in a GOPATH whose app/ddbdtest is the helper's copy,
    built offline with Debian's SDK as integrations/go/run.sh builds."""
    if shutil.which("go") is None or not os.path.isdir("/usr/share/gocode/src/github.com/aws/aws-sdk-go-v2/service/dynamodb"):
        pytest.skip("needs go and Debian's golang-github-aws-aws-sdk-go-v2-dev")
    app = tmp_path / "src" / "app"
    (app / "ddbdtest").mkdir(parents=True)
    (app / "sessions").mkdir()
    for src in glob.glob(os.path.join(ROOT, "integrations", "go", "ddbdtest", "*.go")):
        if not src.endswith("_test.go"):
            shutil.copy(src, str(app / "ddbdtest"))
    (app / "sessions" / "sessions_test.go").write_text(block_with("docs/testing.md", "go", "TestASessionLastsAnHour"))
    cache = os.path.join(BUILD, "go-integration", "cache")  # integrations.go's: the SDK compiled once
    os.makedirs(cache, exist_ok=True)
    env = dict(os.environ, DDBD_BIN=DDBD_BIN, GO111MODULE="off", GOFLAGS="", GOCACHE=cache,
               GOPATH="%s:/usr/share/gocode" % tmp_path)
    code, out = run(["go", "test", "-count=1", "-v", "."], app / "sessions", env, timeout=600)
    assert code == 0 and "--- PASS: TestASessionLastsAnHour" in out, out


FILE_LINE = re.compile(r"^# (\w+\.py)\b.*$", re.M)


def write_py_files(body, where):
    """Writes a block of Python files, each under a line `# NAME.py`; returns their names."""
    marks = list(FILE_LINE.finditer(body))
    assert marks and marks[0].start() == 0, "the block does not start with `# NAME.py`: %r" % body[:60]
    for i, m in enumerate(marks):
        (where / m.group(1)).write_text(body[m.start():marks[i + 1].start() if i + 1 < len(marks) else len(body)])
    return [m.group(1) for m in marks]


def run_pytest_recipe(tmp_path, first_line):
    """docs/testing.md's "pytest" block (conftest.py with its ddbd_seed, test_users.py) and the
    recipe starting `first_line` (a `# test_NAME.py` line), in one directory as a reader's project
    holds them, under pytest with a HOME of its own and no AWS_* variable."""
    assert write_py_files(block("docs/testing.md", "python", "# conftest.py"), tmp_path) == ["conftest.py", "test_users.py"]
    names = write_py_files(block_with("docs/testing.md", "python", first_line), tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(DDBD_BIN=DDBD_BIN, PYTHONPATH=os.path.join(ROOT, "integrations", "pytest"), HOME=str(tmp_path))
    code, out = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_users.py", *names],
                    tmp_path, env)
    assert code == 0 and "%d passed" % (1 + len(names)) in out, out


def test_testing_md_fault_recipe(tmp_path):
    # issue 65: ddbd.client() has the SDK's retries off, so the recipe's 500s reached the test;
    # the recipe asks for a client with the SDK's standard retries
    run_pytest_recipe(tmp_path, "# test_orders.py")


def test_testing_md_stale_read_recipe(tmp_path):
    # issue 65: nothing seeded the "old" version a stale read returns (KeyError: 'Item')
    run_pytest_recipe(tmp_path, "# test_profile.py")


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
    for _ in range(2):  # the program creates its table (issue 65: its first run failed without one)
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
