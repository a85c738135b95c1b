"""The HTTP layer: health check, CORS, response headers, CRC32, protocol-level errors, 413."""
import http.client
import json
import re
import socket
import time
import zlib

import pytest

from conftest import JSON_10, raw_request

SERIALIZATION = {"__type": "com.amazon.coral.service#SerializationException"}
UNKNOWN_OP = {"__type": "com.amazon.coral.service#UnknownOperationException"}
MISSING_AUTH = {"__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
                "message": "Request is missing Authentication Token"}


def assert_json_headers(resp):
    """The headers every JSON response carries."""
    assert resp.headers.get("x-amzn-requestid"), resp.headers
    assert resp.headers.get("content-type") == JSON_10
    assert resp.headers.get("content-length") == str(len(resp.body))
    assert resp.headers.get("x-amz-crc32") == str(zlib.crc32(resp.body))
    # DynamoDB's "Server: Server" (ddbd adds it itself; h2o's own costs a sprintf an answer)
    assert resp.headers.get("server") == "Server", resp.headers


def test_health_check_get_root(endpoint):
    # "healthy: <Host> " (fidelity sweep: ScyllaDB's test_health.py, run against DynamoDB)
    resp = raw_request(endpoint, method="GET", sign=False, content_type=None)
    assert resp.status == 200
    assert resp.body == b"healthy: %s " % endpoint.replace("http://", "").encode()


def test_success_response_headers_and_crc32(endpoint):
    resp = raw_request(endpoint, "ListTables", {})
    assert resp.status == 200
    assert_json_headers(resp)
    assert isinstance(resp.json()["TableNames"], list)


def test_request_id_looks_like_dynamodb(endpoint):
    # DynamoDB request ids are 52 characters of [0-9A-Z], and differ per request.
    a = raw_request(endpoint, "ListTables", {}).headers.get("x-amzn-requestid", "")
    b = raw_request(endpoint, "ListTables", {}).headers.get("x-amzn-requestid", "")
    assert re.fullmatch(r"[0-9A-Z]{52}", a), a
    assert re.fullmatch(r"[0-9A-Z]{52}", b), b
    assert a != b


def test_error_response_headers_and_crc32(endpoint):
    resp = raw_request(endpoint, "DescribeTable", {"TableName": "no_such_table_crc"})
    assert resp.status == 400
    assert_json_headers(resp)
    assert resp.json() == {
        "__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
        "message": "Requested resource not found: Table: no_such_table_crc not found"}


def test_amz_json_1_1_is_accepted(endpoint):
    resp = raw_request(endpoint, "ListTables", {}, content_type="application/x-amz-json-1.1")
    assert resp.status == 200
    assert isinstance(resp.json()["TableNames"], list)
    assert resp.headers.get("x-amz-crc32") == str(zlib.crc32(resp.body))


@pytest.mark.parametrize("content_type, answered", [
    ("application/x-amz-json-1.0 ", "application/x-amz-json-1.0"),
    ("application/x-amz-json-1.1; charset=utf-8", "application/x-amz-json-1.1"),
    (" application/json ; charset=UTF-8", "application/x-amz-json-1.0"),
])
def test_content_type_parameters_and_blanks_are_ignored(endpoint, content_type, answered):
    # DynamoDB reads the media type alone (dynalite, checked against DynamoDB: split at ';', trimmed)
    resp = raw_request(endpoint, "ListTables", {}, content_type=content_type)
    assert resp.status == 200
    assert resp.headers.get("content-type") == answered


@pytest.mark.parametrize("content_type", [JSON_10, "application/x-amz-json-1.1"])
def test_non_json_body_is_serialization_exception(endpoint, content_type):
    resp = raw_request(endpoint, "ListTables", b"hi", sign=False, content_type=content_type)
    assert resp.status == 400
    assert resp.json() == SERIALIZATION
    assert resp.headers.get("x-amz-crc32") == str(zlib.crc32(resp.body))
    assert resp.headers.get("content-length") == str(len(resp.body))
    assert resp.headers.get("x-amzn-requestid")


def test_non_json_body_with_signature_is_serialization_exception(endpoint):
    resp = raw_request(endpoint, "ListTables", b"{not json")
    assert resp.status == 400
    assert resp.json() == SERIALIZATION
    assert_json_headers(resp)


def test_empty_body_is_serialization_exception(endpoint):
    resp = raw_request(endpoint, "ListTables", b"")
    assert resp.status == 400
    assert resp.json() == SERIALIZATION


@pytest.mark.parametrize("target", [
    None,                                   # no X-Amz-Target at all
    "whatever",                             # not a service.operation target
    "DynamoDB_20120810.ListTable",          # misspelt operation
    "DynamoDB_20120810.NoSuchOperation",
    "DynamoDBStreams_20120810.ListTables",  # an operation of another service
])
def test_unknown_target_is_unknown_operation(endpoint, target):
    headers = {"X-Amz-Target": target} if target else None
    # signed: an unsigned request is refused for its missing token first (test_fidelity_http.py)
    resp = raw_request(endpoint, None, b"{}", headers=headers)
    assert resp.status == 400
    assert resp.json() == UNKNOWN_OP
    assert_json_headers(resp)


def test_unknown_target_signed_is_unknown_operation(endpoint):
    resp = raw_request(endpoint, "DynamoDB_20120810.ListTable", {})
    assert resp.status == 400
    assert resp.json() == UNKNOWN_OP


@pytest.mark.parametrize("auth", [None, "AWS4"])
def test_missing_authentication_token(endpoint, auth):
    headers = {"Authorization": auth} if auth else None
    resp = raw_request(endpoint, "ListTables", b"{}", headers=headers, sign=False)
    assert resp.status == 400
    assert resp.json() == MISSING_AUTH
    assert_json_headers(resp)


# DynamoDB answers every origin; ddbd only with --cors '*' (its default is loopback pages alone:
# tests/security/test_cors.py)
def test_cors_preflight(server_factory):
    endpoint = server_factory(["--in-memory", "--cors", "*"]).endpoint
    resp = raw_request(endpoint, method="OPTIONS", sign=False, content_type=None,
                       headers={"Origin": "http://example.com"})
    assert resp.status == 200
    assert resp.headers.get("access-control-allow-origin") == "*"
    assert resp.headers.get("access-control-max-age") == "172800"
    assert resp.headers.get("content-length") == "0"
    assert resp.body == b""
    assert resp.headers.get("x-amzn-requestid")


def test_cors_preflight_echoes_headers_and_method(server_factory):
    endpoint = server_factory(["--in-memory", "--cors", "*"]).endpoint
    resp = raw_request(endpoint, method="OPTIONS", sign=False, content_type=None, headers={
        "Origin": "whatever",
        "Access-Control-Request-Headers": "a, b, c",
        "Access-Control-Request-Method": "d",
    })
    assert resp.status == 200
    assert resp.headers.get("access-control-allow-origin") == "*"
    assert resp.headers.get("access-control-allow-headers") == "a, b, c"
    assert resp.headers.get("access-control-allow-methods") == "d"
    assert resp.headers.get("access-control-max-age") == "172800"


def test_post_with_origin_sets_allow_origin(server_factory):
    endpoint = server_factory(["--in-memory", "--cors", "*"]).endpoint
    resp = raw_request(endpoint, None, b"{}", sign=False, headers={"Origin": "whatever"})
    assert resp.status == 400
    assert resp.json() == MISSING_AUTH
    assert resp.headers.get("access-control-allow-origin") == "*"

    ok = raw_request(endpoint, "ListTables", {}, headers={"Origin": "whatever"})
    assert ok.status == 200
    assert ok.headers.get("access-control-allow-origin") == "*"


def _read_status_line(sock, timeout, whole=False):
    """Reads until the end of the response head (or, with `whole`, of the connection; or
    EOF/reset); returns the bytes read."""
    sock.settimeout(timeout)
    data = b""
    try:
        while whole or b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, BrokenPipeError, socket.timeout):
        pass
    return data


@pytest.mark.timing
def test_body_over_16_mib_is_413_without_reading_it(endpoint):
    host, port = endpoint.replace("http://", "").split(":")
    head = ("POST / HTTP/1.1\r\n"
            "Host: %s:%s\r\n"
            "Content-Type: application/x-amz-json-1.0\r\n"
            "X-Amz-Target: DynamoDB_20120810.ListTables\r\n"
            "Content-Length: 16777217\r\n"
            "\r\n" % (host, port)).encode()
    t0 = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head)
        try:
            sock.sendall(b"a" * 65536)  # a little of the body: the server must not wait for the rest
        except (ConnectionResetError, BrokenPipeError):
            pass
        data = _read_status_line(sock, timeout=5, whole=True)
    assert data.startswith(b"HTTP/1.1 413"), data[:200]
    assert time.monotonic() - t0 < 5
    # the answer goes through the one error renderer, not h2o's text/plain
    head, _, body = data.partition(b"\r\n\r\n")
    assert b"content-type: application/x-amz-json-1.0" in head.lower()
    assert json.loads(body) == {"__type": "com.amazon.coral.service#RequestEntityTooLargeException",
                                "message": "Request size exceeded 16777216 bytes"}


def test_error_document_path_is_not_served_to_clients(endpoint):
    # the path the 413 is rendered from answers a client like any other unknown GET
    host, port = endpoint.replace("http://", "").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    conn.request("GET", "/.ddbd/errors/413")
    resp = conn.getresponse()
    assert resp.status == 404
    assert resp.read() == b"<UnknownOperationException/>\n"


def test_body_of_exactly_16_mib_is_not_413(endpoint):
    body = b"a" * (16 * 1024 * 1024)
    resp = raw_request(endpoint, "ListTables", body, sign=False)
    assert resp.status == 400
    assert resp.json() == SERIALIZATION


def _raw_exchange(endpoint, raw, timeout=5):
    host, port = endpoint.replace("http://", "").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.sendall(raw)
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                return data, True  # the server closed the connection
            data += chunk
            if b"\r\n\r\n" in data:
                head, _, rest = data.partition(b"\r\n\r\n")
                m = re.search(rb"content-length: *(\d+)", head, re.I)
                if m and len(rest) >= int(m.group(1)):
                    try:
                        s.settimeout(1)
                        return data, s.recv(1) == b""
                    except socket.timeout:
                        return data, False
        return data, False


def _put_with_junk_header(table, pk, junk):
    body = json.dumps({"TableName": table, "Item": {"pk": {"S": pk}}}).encode()
    return (b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n"
            b"X-Amz-Target: DynamoDB_20120810.PutItem\r\n"
            b"Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/dynamodb/aws4_request, "
            b"SignedHeaders=host;x-amz-date;x-amz-target, Signature=0000\r\n"
            b"X-Amz-Date: " + time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()).encode() + b"\r\nX-Junk: " + junk + b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body)


@pytest.fixture(scope="module")
def hdr_table(endpoint):
    name = "hdr_%d" % int(time.time() * 1000)
    r = raw_request(endpoint, "CreateTable", {
        "TableName": name, "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
    assert r.status == 200, r.body
    return name


def _item(endpoint, table, pk):
    return raw_request(endpoint, "GetItem", {"TableName": table, "Key": {"pk": {"S": pk}},
                                             "ConsistentRead": True}).json().get("Item")


@pytest.mark.timing
def test_request_head_over_16_kib_is_refused_unprocessed(endpoint, hdr_table):
    data, closed = _raw_exchange(endpoint, _put_with_junk_header(hdr_table, "big", b"a" * 17000))
    assert data.startswith(b"HTTP/1.1 400 Bad Request\r\n"), data[:200]
    assert data.endswith(b"\r\n\r\nBad Request") and closed
    assert _item(endpoint, hdr_table, "big") is None
    # a head just under the limit is served
    data, closed = _raw_exchange(endpoint, _put_with_junk_header(hdr_table, "ok", b"a" * 15000))
    assert data.startswith(b"HTTP/1.1 200 OK\r\n"), data[:300]
    assert _item(endpoint, hdr_table, "ok") == {"pk": {"S": "ok"}}


@pytest.mark.timing
@pytest.mark.parametrize("line", [b"GARBAGE", b"POST / HTTP/9.9", b"POST  / HTTP/1.1 extra", b"\x00\x01\x02 / HTTP/1.1"])
def test_malformed_request_line_is_400_and_closed(endpoint, line):
    data, closed = _raw_exchange(endpoint, line + b"\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}")
    assert data.startswith(b"HTTP/1.1 400 Bad Request\r\n"), data[:200]
    assert closed


@pytest.mark.timing
def test_slow_request_and_idle_connection_are_cut_off(server_factory):
    srv = server_factory(["--in-memory", "--request-timeout", "1"])
    host, port = "127.0.0.1", srv.port
    # a request dribbled a byte every 100 ms: closed once it has taken a second, however it trickles
    with socket.create_connection((host, port), timeout=5) as s:
        t0 = time.monotonic()
        closed_at = None
        for b in b"POST / HTTP/1.1\r\nHost: localhost\r\n" + b"X-Slow: y\r\n" * 50:
            try:
                s.send(bytes([b]))
                s.settimeout(0.1)
                if s.recv(100) == b"":
                    closed_at = time.monotonic() - t0
                    break
            except socket.timeout:
                continue
            except OSError:
                closed_at = time.monotonic() - t0
                break
        assert closed_at is not None and 0.9 <= closed_at < 3, closed_at
    # an idle connection is closed after the timeout too
    with socket.create_connection((host, port), timeout=5) as s:
        t0 = time.monotonic()
        assert s.recv(10) == b""
        assert 0.9 <= time.monotonic() - t0 < 3
    # a prompt client is served as before
    assert raw_request(srv.endpoint, "ListTables", {}).status == 200
