"""What the Docker image relies on, checked on the bare binary (tests/docker runs the image):
the shard count kept by the data directory whatever the CPUs, the thread count from the CPUs the
process may use, `--health-check`, a clean SIGTERM exit as PID 1 of a PID namespace, and the
JVM arguments of a compose file written for amazon/dynamodb-local."""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from conftest import DDBD_BIN, create_table_params, free_port, ids_of, make_client, scan_all

TASKSET = shutil.which("taskset")
UNSHARE = shutil.which("unshare")
NSENTER = shutil.which("nsenter")


def startup_line(server):
    lines = [line for line in server.stderr_text().splitlines() if "listening on" in line]
    assert lines, server.stderr_text()
    return lines[-1]


def shards_and_threads(line):
    m = re.search(r"(\d+) shards, (\d+) threads", line)
    assert m, line
    return int(m.group(1)), int(m.group(2))


def fill(ddb, table, n):
    ddb.create_table(**create_table_params(table, ("pk", "S"), ("sk", "N")))
    with_items = [{"pk": {"S": "p%d" % (i % 7)}, "sk": {"N": str(i)}, "v": {"S": "x%d" % i}} for i in range(n)]
    for item in with_items:
        ddb.put_item(TableName=table, Item=item)
    return with_items


@pytest.mark.skipif(TASKSET is None, reason="taskset (util-linux) not installed")
def test_shard_count_comes_from_the_data_directory(server_factory, tmp_path):
    # created with 3 shards, then started with no --shards on one CPU (the default would be 1):
    # the directory keeps its 3 shards and nothing moves
    data = str(tmp_path / "data")
    server = server_factory(["--data-dir", data, "--shards", "3"])
    assert shards_and_threads(startup_line(server))[0] == 3
    items = fill(make_client(server.endpoint), "keep_shards", 60)
    assert server.stop(signal.SIGTERM) == 0

    server = server_factory(["--data-dir", data], prefix=[TASKSET, "-c", "0"])
    line = startup_line(server)
    assert shards_and_threads(line) == (3, 1), line
    assert "moving partitions" not in server.stderr_text()
    ddb = make_client(server.endpoint)
    assert scan_all(ddb, "keep_shards", order="sk") == sorted(items, key=lambda i: int(i["sk"]["N"]))
    assert server.stop(signal.SIGTERM) == 0


@pytest.mark.skipif(TASKSET is None, reason="taskset (util-linux) not installed")
def test_new_directory_and_threads_follow_the_cpus_we_may_use(server_factory, tmp_path):
    server = server_factory(["--data-dir", str(tmp_path / "d1")], prefix=[TASKSET, "-c", "0"])
    assert shards_and_threads(startup_line(server)) == (1, 1)
    assert server.stop(signal.SIGTERM) == 0
    server = server_factory(["--in-memory"], prefix=[TASKSET, "-c", "0"])
    assert shards_and_threads(startup_line(server)) == (1, 1)
    # explicit counts still win
    server = server_factory(["--in-memory", "--shards", "4", "--threads", "3"], prefix=[TASKSET, "-c", "0"])
    assert shards_and_threads(startup_line(server)) == (4, 3)


def health(*args):
    return subprocess.run([DDBD_BIN, "--health-check", *args], capture_output=True, text=True, timeout=10,
                          stdin=subprocess.DEVNULL)


def test_health_check_url(server_factory):
    server = server_factory(["--in-memory"])
    out = health(server.endpoint + "/")
    assert out.returncode == 0, out.stderr
    out = health(server.endpoint)  # no path: GET /
    assert out.returncode == 0, out.stderr
    out = health("http://localhost:%d/" % server.port)
    assert out.returncode == 0, out.stderr
    out = health(server.endpoint + "/no-such-page")  # not 200
    assert out.returncode == 1
    assert "404" in out.stderr
    closed = free_port()
    out = health("http://127.0.0.1:%d/" % closed)
    assert out.returncode == 1
    assert "cannot connect" in out.stderr
    for bad in ("https://127.0.0.1:1/", "127.0.0.1:8000", "http://[::1/"):
        out = health(bad)
        assert out.returncode == 1 and out.stderr.strip(), bad


def test_health_check_option_is_documented():
    out = subprocess.run([DDBD_BIN, "--help"], capture_output=True, text=True, timeout=10)
    assert "--health-check" in out.stdout


def test_dynamodb_local_image_arguments(server_factory, tmp_path, monkeypatch):
    # what `command:` says in compose files written for amazon/dynamodb-local (entry point: java)
    port = free_port()
    (tmp_path / "data").mkdir()
    monkeypatch.chdir(tmp_path)
    server = server_factory(raw_args=["-Djava.library.path=./DynamoDBLocal_lib", "-Xmx256m", "-jar",
                                      "DynamoDBLocal.jar", "-sharedDb", "-dbPath", "./data",
                                      "-port", str(port)], port=port)
    ddb = make_client(server.endpoint)
    ddb.create_table(**create_table_params("from_compose"))
    assert server.stop(signal.SIGTERM) == 0
    assert os.path.exists(tmp_path / "data" / "CURRENT")  # RocksDB's files in ./data


def pid1_possible():
    if UNSHARE is None or os.geteuid() != 0:
        return False
    return subprocess.run([UNSHARE, "--pid", "--fork", "--mount-proc", "true"],
                          capture_output=True, timeout=10).returncode == 0


def child_of(pid, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
                kids = f.read().split()
            if kids:
                return int(kids[0])
        except OSError:
            pass
        time.sleep(0.01)
    raise AssertionError("no child of %d" % pid)


def wait_answering(port, proc, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        if health("http://127.0.0.1:%d/" % port).returncode == 0:
            return
        time.sleep(0.02)
    raise AssertionError("not answering on %d" % port)


@pytest.mark.timing
@pytest.mark.skipif(not pid1_possible(), reason="needs root and unshare --pid (a PID namespace)")
def test_pid1_sigterm_exits_0_quickly_with_data_flushed(tmp_path, server_factory):
    # ddbd as PID 1 of its own PID namespace, as in a container: `docker stop` sends SIGTERM, which
    # the kernel drops for a PID 1 that neither handles nor blocks it (then Docker kills it after 10 s)
    port, data = free_port(), str(tmp_path / "data")
    proc = subprocess.Popen([UNSHARE, "--pid", "--fork", "--mount-proc", DDBD_BIN, "--host", "127.0.0.1",
                             "--port", str(port), "--data-dir", data],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        ddbd = child_of(proc.pid)
        with open("/proc/%d/status" % ddbd) as f:
            nspid = [line for line in f if line.startswith("NSpid:")][0].split()
        assert nspid[-1] == "1", nspid
        wait_answering(port, proc)
        ddb = make_client("http://127.0.0.1:%d" % port)
        items = fill(ddb, "pid1", 40)
        if NSENTER:  # the health check inside the namespace finds the port on PID 1's command line
            out = subprocess.run([NSENTER, "-t", str(ddbd), "-p", "-m", DDBD_BIN, "--health-check"],
                                 capture_output=True, text=True, timeout=10)
            assert out.returncode == 0, out.stderr
        t0 = time.monotonic()
        os.kill(ddbd, signal.SIGTERM)
        code = proc.wait(timeout=10)
        elapsed = time.monotonic() - t0
        stderr = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert code == 0, stderr
    assert elapsed < 3, elapsed
    assert "received SIGTERM" in stderr and "stopped" in stderr, stderr
    server = server_factory(["--data-dir", data])
    assert scan_all(make_client(server.endpoint), "pid1", order="sk") == sorted(items, key=lambda i: int(i["sk"]["N"]))


def owners(top):
    found = {top: os.lstat(top)}
    for d, dirs, files in os.walk(top):
        for n in dirs + files:
            found[os.path.join(d, n)] = os.lstat(os.path.join(d, n))
    return {p: (st.st_uid, st.st_gid) for p, st in found.items()}


@pytest.fixture
def host_dir():
    """A root-owned directory the user 65534 may enter (pytest's tmp_path is under a 0700 one)."""
    d = tempfile.mkdtemp(prefix="ddbd-user-")
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="--user acts only when ddbd starts as root")
def test_user_gives_the_data_directory_away_and_drops_root(server_factory, host_dir):
    # what Docker does with a bind mount of a missing host directory: the parent exists, owned by
    # root; a file left in it by an earlier root run must become the user's too
    data = os.path.join(host_dir, "data")
    server = server_factory(["--user", "65534:65533", "--data-dir", data])
    assert ids_of(server.proc.pid) == {"Uid": ["65534"] * 4, "Gid": ["65533"] * 4, "Groups": ["65533"],
                                       "CapEff": ["0000000000000000"]}
    # dumpable again after the uid change: /proc/PID is the user's, so the image's health check
    # (root without CAP_SYS_PTRACE) can read /proc/1/exe
    assert os.stat("/proc/%d" % server.proc.pid).st_uid == 65534
    fill(make_client(server.endpoint), "owned", 5)
    assert server.stop(signal.SIGTERM) == 0
    assert set(owners(data).values()) == {(65534, 65533)}, owners(data)
    # a root-owned file in it (an earlier run as root) is given away on the next start
    stray = os.path.join(data, "from-root")
    open(stray, "w").close()
    os.chown(data, 0, 0)
    server = server_factory(["--user", "65534:65533", "--data-dir", data])
    assert scan_all(make_client(server.endpoint), "owned") and os.stat(stray).st_uid == 65534
    assert os.stat(data).st_uid == 65534
    assert server.stop(signal.SIGTERM) == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="--user acts only when ddbd starts as root")
@pytest.mark.parametrize("spec", ["no-such-user", "65534:no-such-group", ":65534", "65534:"])
def test_user_unknown_is_refused(spec):
    out = subprocess.run([DDBD_BIN, "--in-memory", "--port", str(free_port()), "--user", spec],
                         capture_output=True, text=True, timeout=10)
    assert out.returncode == 1
    assert "--user %s: no such user or group" % spec in out.stderr, out.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to start ddbd as another user")
def test_user_is_ignored_when_not_started_as_root(server_factory):
    # `docker run --user 1001 ddbd`: the image's --user ddbd must not stop a non-root start
    def as_nobody():
        os.setgid(65534)
        os.setuid(65534)
    port = free_port()
    proc = subprocess.Popen([DDBD_BIN, "--in-memory", "--port", str(port), "--user", "root"],
                            stderr=subprocess.PIPE, text=True, preexec_fn=as_nobody)
    try:
        wait_answering(port, proc)
        assert ids_of(proc.pid)["Uid"] == ["65534"] * 4
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


SETPRIV = shutil.which("setpriv")


@pytest.mark.skipif(not pid1_possible() or NSENTER is None or SETPRIV is None,
                    reason="needs root, unshare --pid, nsenter and setpriv")
def test_health_check_as_root_finds_a_pid1_that_dropped_to_its_user():
    # the image: PID 1 started as root with --user, and HEALTHCHECK runs as root without
    # CAP_SYS_PTRACE (Docker's default set), which may not read another user's /proc/1/exe
    port = free_port()
    proc = subprocess.Popen([UNSHARE, "--pid", "--fork", "--mount-proc", DDBD_BIN, "--user", "65534",
                             "--host", "0.0.0.0", "--port", str(port), "--in-memory"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        ddbd = child_of(proc.pid)
        wait_answering(port, proc)
        assert ids_of(ddbd)["Uid"] == ["65534"] * 4
        out = subprocess.run([NSENTER, "-t", str(ddbd), "-p", "-m", SETPRIV, "--bounding-set", "-sys_ptrace",
                              "--inh-caps", "-sys_ptrace", DDBD_BIN, "--health-check"],
                             capture_output=True, text=True, timeout=10)
        assert out.returncode == 0, out.stderr  # port, not the default 8000: read from PID 1
    finally:
        os.kill(ddbd, signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def log_time(stderr, text):
    line = [line for line in stderr.splitlines() if text in line][0]
    stamp = time.strptime(line.split()[0][:19], "%Y-%m-%dT%H:%M:%S")
    return time.mktime(stamp) + int(line.split()[0][20:23]) / 1000.0


@pytest.mark.timing
def test_sigterm_without_clients_stops_without_the_drain_wait(server_factory):
    # the 100 ms given to answers in flight (4 x 25 ms of the event loop) is skipped when no client
    # is connected: `docker stop` of an idle container is then about the loops' wake-up (<= 50 ms)
    server = server_factory(["--in-memory", "--threads", "1"])
    assert server.stop(signal.SIGTERM) == 0
    err = server.stderr_text()
    assert log_time(err, "stopped") - log_time(err, "received SIGTERM") < 0.1, err
