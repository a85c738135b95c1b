"""DNS rebinding (issue 51, finding 5; docs/security.md, "The doors", "The Host header").

A page on a name its owner controls re-points that name to 127.0.0.1: it is then same-origin with
a ddbd on loopback and may send it anything, JSON included (`POST /ddbd/clock` with
`Host: evil.example` was served). Its requests carry its own name as Host. A ddbd bound to
loopback answers only Host names of its own (localhost, 127.0.0.1, [::1], --host, --allowed-hosts;
any port, any case), on every door and the API, before anything else is looked at: 403,
AccessDeniedException.
"""
import http.client
import socket
import json

import boto3
import pytest
from botocore.config import Config

from conftest import free_port

SVC = "com.amazon.coral.service#"
JSON = "application/json"
API = "application/x-amz-json-1.0"
LIST_TABLES = {"X-Amz-Target": "DynamoDB_20120810.ListTables"}


def refusal(name):
    return {"__type": SVC + "AccessDeniedException",
            "message": "Host '%s' is not a name of this server: it answers to localhost, 127.0.0.1, [::1], --host "
                       "and --allowed-hosts (a page whose name was re-pointed to this machine, DNS rebinding, "
                       "sends its own)" % name}


def send(port, method, path, host, body=b"", content_type=JSON, headers=None):
    """One request to 127.0.0.1:port with exactly `host` as its Host header."""
    if not isinstance(body, bytes):
        body = json.dumps(body).encode()
    hdrs = dict(headers or {}, Host=host)
    if content_type is not None:
        hdrs["Content-Type"] = content_type
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body or None, headers=hdrs)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def clock_offset(port):
    status, body = send(port, "GET", "/ddbd/clock", "127.0.0.1:%d" % port, content_type=None)
    assert status == 200, body
    return json.loads(body)["offset"]


# every door and the API: (method, path, body, content type, headers, status when served; an
# unsigned API call is asked for its signature, past the Host rule)
REQUESTS = [
    ("POST", "/ddbd/clock", {"advance": 86400000}, JSON, None, 200),
    ("POST", "/ddbd/faults", {"write_errors": True}, JSON, None, 200),
    ("GET", "/ddbd/snapshots", b"", None, None, 200),
    ("GET", "/metrics", b"", None, None, 200),
    ("GET", "/ddbd/console/", b"", None, None, 200),
    ("POST", "/", {}, API, LIST_TABLES, 400),
    ("GET", "/", b"", None, None, 200),
]


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example:{port}",
                                  "localhost.evil.example", "default"])
def test_a_rebound_name_reaches_no_door_and_not_the_api(server_factory, host):
    srv = server_factory(["--in-memory", "--admin", "--console"])
    host = host.format(port=srv.port)
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    for method, path, body, ctype, hdrs, _ in REQUESTS:
        status, answer = send(srv.port, method, path, host, body, ctype, hdrs)
        assert (status, json.loads(answer)) == (403, refusal(name)), (method, path, status, answer)
    assert clock_offset(srv.port) == 0, "the rebound page moved the clock"
    status, body = send(srv.port, "GET", "/ddbd/faults", "localhost", content_type=None)
    assert json.loads(body)["write_errors"] is False, "the rebound page turned on write faults"


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}", "LocalHost:{port}",
                                  "127.0.0.1", "localhost", "[::1]"])
def test_the_servers_own_names_are_served_on_any_port(server_factory, host):
    srv = server_factory(["--in-memory", "--admin", "--console"])
    host = host.format(port=srv.port)
    for method, path, body, ctype, hdrs, served in REQUESTS:
        status, answer = send(srv.port, method, path, host, body, ctype, hdrs)
        assert status == served and b"is not a name of this server" not in answer, (method, path, host, answer)
    assert clock_offset(srv.port) >= 86400000


def test_an_sdk_on_localhost_is_served(server_factory):
    srv = server_factory(["--in-memory"])
    for endpoint in ("http://localhost:%d" % srv.port, "http://127.0.0.1:%d" % srv.port):
        ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="a",
                           aws_secret_access_key="b", config=Config(retries={"total_max_attempts": 1}))
        assert ddb.list_tables()["TableNames"] == []


def test_a_request_without_host_passes(server_factory):
    """HTTP/1.0 without Host: no browser sends one (h2o fills its own name in, which is no Host)."""
    srv = server_factory(["--in-memory", "--admin"])
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    conn._http_vsn, conn._http_vsn_str = 10, "HTTP/1.0"
    try:
        conn.putrequest("GET", "/ddbd/clock", skip_host=True)
        conn.endheaders()
        resp = conn.getresponse()
        assert resp.status == 200, resp.read()
    finally:
        conn.close()


def test_allowed_hosts_adds_names_and_star_turns_the_check_off(server_factory):
    srv = server_factory(["--in-memory", "--admin", "--allowed-hosts", "ddbd.test,[fd00::5]"])
    for host in ("ddbd.test:%d" % srv.port, "DDBD.TEST", "[fd00::5]:%d" % srv.port, "localhost"):
        status, body = send(srv.port, "GET", "/", host, content_type=None)
        assert (status, body) == (200, b"healthy: %s " % host.encode()), (host, body)
    status, body = send(srv.port, "POST", "/ddbd/clock", "other.test", {"advance": 1000})
    assert (status, json.loads(body)) == (403, refusal("other.test"))
    srv = server_factory(["--in-memory", "--admin", "--allowed-hosts", "*"])
    status, body = send(srv.port, "POST", "/ddbd/clock", "evil.example", {"advance": 1000})
    assert status == 200, body


def test_the_host_is_asked_before_the_signature_and_on_the_metrics_port(server_factory, tmp_path):
    """With --auth, /mcp and --metrics-port (which asks no signature) refuse a rebound name the same."""
    keys = tmp_path / "keys"
    keys.write_text("AKIDADMIN adminsecret 000000000000 rights=admin\n")
    mport = free_port()
    srv = server_factory(["--in-memory", "--auth", str(keys), "--mcp-http", "--admin", "--metrics-port", str(mport)])
    for method, path, body in (("POST", "/mcp", {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
                               ("POST", "/ddbd/clock", {"advance": 1000}), ("POST", "/", {})):
        status, answer = send(srv.port, method, path, "evil.example", body)
        assert (status, json.loads(answer)) == (403, refusal("evil.example")), (path, answer)
    status, answer = send(mport, "GET", "/metrics", "evil.example:%d" % mport, content_type=None)
    assert (status, json.loads(answer)) == (403, refusal("evil.example"))
    status, answer = send(mport, "GET", "/metrics", "127.0.0.1:%d" % mport, content_type=None)
    assert status == 200, answer


def raw_head(port, head, body=b""):
    """Sends `head` (its lines, CRLF-joined) and `body` as they are; the status and the answer's bytes."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        return int(data.split(b" ", 2)[1]), data
    finally:
        sock.close()


@pytest.mark.parametrize("order", ["own_first", "evil_first"])
def test_two_host_headers_are_refused(server_factory, order):
    """Two Host headers (issue 61, item 6): h2o kept the last, so `Host: evil.example` then
    `Host: localhost` passed the Host rule (and a proxy in front may route by the first). RFC 9112
    3.2: a server MUST answer 400. Refused before anything else, on every door and the API, the
    connection closed; nothing changed."""
    srv = server_factory(["--in-memory", "--admin"])
    own, evil = "localhost:%d" % srv.port, "evil.example"
    hosts = [own, evil] if order == "own_first" else [evil, own]
    body = json.dumps({"advance": 86400000}).encode()
    for method, path, extra, payload in (
            ("POST", "/ddbd/clock", ["Content-Type: " + JSON, "Content-Length: %d" % len(body)], body),
            ("GET", "/ddbd/snapshots", [], b""), ("GET", "/", [], b""),
            ("POST", "/", ["Content-Type: " + API, "X-Amz-Target: DynamoDB_20120810.ListTables",
                           "Content-Length: 2"], b"{}"),
            ("POST", "/", ["Content-Type: " + API, "X-Amz-Target: DynamoDB_20120810.ListTables",
                           "Content-Length: 2", "HOST: " + own], b"{}")):
        head = ["%s %s HTTP/1.1" % (method, path)] + ["Host: " + h for h in hosts] + extra
        status, answer = raw_head(srv.port, head, payload)
        assert status == 400, (method, path, answer)
    assert clock_offset(srv.port) == 0, "a request with two Host headers moved the clock"
    # one Host header, in any case, is served as before
    status, answer = raw_head(srv.port, ["GET / HTTP/1.1", "HOST: " + own, "Connection: close"])
    assert (status, answer.endswith(("healthy: %s " % own).encode())) == (200, True), answer
