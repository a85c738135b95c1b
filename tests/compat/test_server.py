"""The ddbd command line: --help, the start-up line, option spellings, signals."""
import os
import re
import signal
import subprocess
import time

import pytest

from conftest import DDBD_BIN, create_table_params, free_port, make_client

VERSION_H = os.path.join(os.path.dirname(__file__), "..", "..", "include", "ddb", "ddb_version.h")


def version():
    with open(VERSION_H) as f:
        return re.search(r'#define DDB_VERSION_STRING "([^"]+)"', f.read()).group(1)


def run(args, timeout=10):
    if not os.path.exists(DDBD_BIN):
        pytest.fail("ddbd binary not found at %s (set DDBD_BIN)" % DDBD_BIN)
    return subprocess.run([DDBD_BIN] + args, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("flag", ["--help", "-help"])
def test_help_lists_options_and_exits_0(flag):
    proc = run([flag])
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout + proc.stderr
    for option in ("--host", "--port", "--in-memory", "--data-dir", "--shards", "--threads",
                   "--log-level"):
        assert option in text, option


def test_unknown_option_fails():
    proc = run(["--no-such-option", "--port", str(free_port()), "--in-memory"])
    assert proc.returncode != 0
    assert proc.stderr.strip()


def startup_lines(server):
    return [line for line in server.stderr_text().splitlines() if line.strip()]


def test_startup_line_in_memory(server_factory):
    server = server_factory(["--in-memory", "--shards", "3"])
    lines = startup_lines(server)
    assert len(lines) == 1, lines
    line = lines[0]
    assert version() in line
    assert "127.0.0.1:%d" % server.port in line
    assert "in-memory" in line
    assert re.search(r"shard", line, re.I) and re.search(r"\b3\b", line), line
    assert re.search(r"\d+(\.\d+)?\s*(ns|us|\u00b5s|ms|s)\b", line), line
    assert server.stop(signal.SIGTERM) == 0


def test_startup_line_names_data_directory(server_factory, tmp_path):
    server = server_factory(["--data-dir", str(tmp_path)])
    lines = startup_lines(server)
    assert len(lines) == 1, lines
    assert str(tmp_path) in lines[0]
    assert "in-memory" not in lines[0]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_shuts_down_cleanly(server_factory, sig):
    server = server_factory(["--in-memory"])
    ddb = make_client(server.endpoint)
    ddb.create_table(**create_table_params("sig_tbl"))
    ddb.put_item(TableName="sig_tbl", Item={"pk": {"S": "a"}})
    assert server.stop(sig, timeout=10) == 0, server.stderr_text()


def test_signal_with_idle_keepalive_connection(server_factory):
    # A client holding an idle keep-alive connection must not keep the server from exiting.
    import http.client
    server = server_factory(["--in-memory"])
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", "/")
    conn.getresponse().read()
    try:
        assert server.stop(signal.SIGTERM, timeout=10) == 0, server.stderr_text()
    finally:
        conn.close()


@pytest.mark.parametrize("args", [
    ["--in-memory", "--shards", "1", "--threads", "1"],
    ["--in-memory", "--shards", "4", "--threads", "2", "--log-level", "info"],
    ["-inMemory", "-sharedDb"],
    ["-inMemory", "-cors", "*"],
], ids=["one_shard", "four_shards", "dblocal_in_memory_shared", "dblocal_cors"])
def test_option_variants_serve(server_factory, args):
    server = server_factory(args)
    ddb = make_client(server.endpoint)
    ddb.create_table(**create_table_params("opt_tbl", ("pk", "S"), ("sk", "N")))
    for i in range(20):
        ddb.put_item(TableName="opt_tbl", Item={"pk": {"S": "k%d" % i}, "sk": {"N": str(i)}})
    for i in range(20):
        got = ddb.get_item(TableName="opt_tbl", Key={"pk": {"S": "k%d" % i}, "sk": {"N": str(i)}})
        assert got["Item"]["sk"] == {"N": str(i)}
    assert ddb.describe_table(TableName="opt_tbl")["Table"]["ItemCount"] == 20
    assert server.stop(signal.SIGTERM) == 0


def test_dynamodb_local_port_spelling(server_factory):
    port = free_port()
    server = server_factory(raw_args=["-port", str(port), "-inMemory"], port=port)
    assert make_client(server.endpoint).list_tables()["TableNames"] == []
    assert server.stop(signal.SIGTERM) == 0


@pytest.mark.parametrize("flag", ["--version", "-version"])
def test_version_flag(flag):
    proc = run([flag])
    assert proc.returncode == 0, proc.stderr
    assert version() in proc.stdout + proc.stderr


def test_connection_limit_closes_the_least_recently_active_idle_one_and_says_so(server_factory):
    """At --max-connections, a new client gets the place of the least recently active idle
    connection, so idle sockets cannot lock new clients out (docs/security.md); one thread, so
    that every connection is the same loop's."""
    import socket as socketlib
    srv = server_factory(["--in-memory", "--max-connections", "2", "--threads", "1"])

    def get(s):
        s.settimeout(3)
        try:
            s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            return s.recv(1000)
        except OSError:
            return b""

    def open_ok(deadline):
        # the start-up health check's connection may not be closed on the server's side yet
        while True:
            s = socketlib.create_connection(("127.0.0.1", srv.port))
            if get(s).startswith(b"HTTP/1.1 200") or time.monotonic() > deadline:
                return s
            s.close()
            time.sleep(0.05)

    a = open_ok(time.monotonic() + 5)
    b = open_ok(time.monotonic() + 5)
    assert get(a).startswith(b"HTTP/1.1 200") and get(b).startswith(b"HTTP/1.1 200")
    time.sleep(0.05)
    b_used = get(b)  # b is now the most recently active: a is the one to go
    assert b_used.startswith(b"HTTP/1.1 200")
    c = socketlib.create_connection(("127.0.0.1", srv.port))
    assert get(c).startswith(b"HTTP/1.1 200")  # served, in a's place
    assert get(a) == b""  # a was closed for it
    assert get(b).startswith(b"HTTP/1.1 200")
    for s in (a, b, c):
        s.close()
    assert srv.stop() == 0
    assert ("connection limit reached (2 open, --max-connections): closing the least recently active idle "
            "connections for new ones") in srv.stderr_text()


@pytest.mark.parametrize("which", ["--port", "--metrics-port"])
def test_a_port_in_use_is_refused(server_factory, which):
    """The event-loop threads share their port with SO_REUSEPORT, which would let a second ddbd
    join a port already served and take part of its connections; it must fail instead, as any
    server does, naming the address."""
    first = server_factory(["--in-memory", "--metrics-port", str(free_port())])
    port = first.port if which == "--port" else int(first.argv[first.argv.index("--metrics-port") + 1])
    args = [DDBD_BIN, "--in-memory", "--host", "127.0.0.1", "--port", str(port if which == "--port" else free_port())]
    if which == "--metrics-port":
        args += ["--metrics-port", str(port)]
    out = subprocess.run(args, capture_output=True, text=True, timeout=10)
    assert out.returncode != 0
    assert "cannot listen on 127.0.0.1:%d: Address already in use" % port in out.stderr + out.stdout
    make_client(first.endpoint).list_tables()  # the first still serves
