"""The doors beside the DynamoDB API (issue 40, items 6 and 7; docs/security.md, "The doors"):
/ddbd/ (--admin), GET /metrics and /mcp (--mcp-http) pass one guard (server/guard/).

- With or without --auth, a request that changes state must be JSON: a web page can send a
  text/plain, form or untyped POST cross-site without asking (one turned on write faults), and
  --cors grants no door to another origin.
- With --auth, every door asks a SigV4-signed request from a key holding the door's right
  (rights=admin, rights=metrics in the key file), refused as IAM words it; --metrics-port, bound
  privately by the operator, serves /metrics unsigned.
- MCP's tools are decided as what they do: a DynamoDB operation by the key's --auth policy on its
  tables, the whole-store tools (snapshots) by the admin right, read_metrics by metrics or admin.
"""
import http.client
import json

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import free_port
from helpers import key_client

SVC = "com.amazon.coral.service#"
KEYS = {
    "admin": ("AKIDADMIN", "adminsecret"),
    "scraper": ("AKIDMETRICS", "metricssecret"),
    "reader": ("AKIDREAD", "readsecret"),
    "writer": ("AKIDWRITE", "writesecret"),
}
KEY_FILE = """AKIDADMIN adminsecret 000000000000 name=admin rights=admin
AKIDMETRICS metricssecret 000000000000 name=scraper allow=read tables=none_* rights=metrics
AKIDREAD readsecret 000000000000 name=reader allow=read tables=test_*
AKIDWRITE writesecret 000000000000 name=writer
"""
JSON = "application/json"
# what a web page can send to another origin without a CORS preflight
SIMPLE_TYPES = ("text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x", None)


def request(endpoint, method, path, body=b"", content_type=JSON, key=None, headers=None):
    """One HTTP request; signed (SigV4, service dynamodb, us-east-1) as `key` (a name of KEYS, or an
    (access key, secret) pair) when given."""
    if not isinstance(body, bytes):
        body = json.dumps(body).encode()
    hdrs = dict(headers or {})
    if content_type is not None:
        hdrs["Content-Type"] = content_type
    if key is not None:
        req = AWSRequest(method=method, url=endpoint + path, data=body, headers=hdrs)
        SigV4Auth(Credentials(*(KEYS[key] if isinstance(key, str) else key)), "dynamodb", "us-east-1").add_auth(req)
        hdrs = dict(req.headers.items())
    host, port = endpoint.replace("http://", "").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request(method, path, body=body or None, headers=hdrs)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def client(endpoint, key):
    return key_client(endpoint, *KEYS[key])


def denied(user, action, path):
    return {"__type": SVC + "AccessDeniedException",
            "message": "User: arn:aws:iam::000000000000:user/%s is not authorized to perform: %s on resource: "
                       "arn:aws:ddbd:us-east-1:000000000000:%s because no identity-based policy allows the %s "
                       "action" % (user, action, path, action)}


@pytest.fixture
def keys(tmp_path):
    path = tmp_path / "keys"
    path.write_text(KEY_FILE)
    return str(path)


def write_faults(endpoint, key=None):
    status, _, body = request(endpoint, "GET", "/ddbd/faults", key=key)
    assert status == 200, body
    return json.loads(body)["write_errors"]


def test_a_cross_site_post_cannot_reach_the_admin_endpoints(server_factory):
    """A page on another origin POSTs {"write_errors": true} to /ddbd/faults as text/plain (no
    preflight needed): refused, and so are forms and untyped bodies; JSON, which a browser sends
    cross-site only after a preflight, is served, and the preflight grants no door."""
    srv = server_factory(["--in-memory", "--admin", "--cors", "*"])
    evil = {"Origin": "https://evil.example"}
    for ctype in SIMPLE_TYPES:
        for method, path, body in (("POST", "/ddbd/faults", {"write_errors": True}),
                                   ("POST", "/ddbd/clock", {"advance": 86400000}),
                                   ("POST", "/ddbd/consistency", {"table": "users", "staleReadsMs": 1000}),
                                   ("POST", "/ddbd/snapshots", {"name": "cross"}),
                                   ("POST", "/ddbd/record", {"file": "/tmp/ddbd-cross-site.jsonl"}),
                                   ("DELETE", "/ddbd/snapshots/cross", b"")):
            status, hdrs, answer = request(srv.endpoint, method, path, body, content_type=ctype, headers=evil)
            assert status == 415, (ctype, path, status, answer)
            assert "access-control-allow-origin" not in hdrs
    assert write_faults(srv.endpoint) is False
    status, _, body = request(srv.endpoint, "GET", "/ddbd/record")
    assert (status, json.loads(body)) == (200, {"recording": False})
    status, _, body = request(srv.endpoint, "GET", "/ddbd/consistency")
    assert (status, json.loads(body)["tables"]) == (200, [])
    status, _, body = request(srv.endpoint, "GET", "/ddbd/snapshots")
    assert (status, json.loads(body)) == (200, {"snapshots": []})
    client(srv.endpoint, "writer").list_tables()  # writes and reads as usual
    # the preflight of a JSON POST to a door grants nothing; the API's still does
    pre = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
           "Access-Control-Request-Headers": "content-type"}
    for path in ("/ddbd/faults", "/ddbd/snapshots", "/metrics"):
        status, hdrs, _ = request(srv.endpoint, "OPTIONS", path, content_type=None, headers=pre)
        assert status == 200 and not any(h.startswith("access-control-allow") for h in hdrs), (path, hdrs)
    status, hdrs, _ = request(srv.endpoint, "OPTIONS", "/", content_type=None, headers=pre)
    assert hdrs.get("access-control-allow-origin") == "*"
    # a GET (what an <img> sends) reads and changes nothing
    status, _, _ = request(srv.endpoint, "GET", "/ddbd/snapshots/cross/restore", content_type=None)
    assert status == 405
    # the operator's JSON request is served
    status, _, body = request(srv.endpoint, "POST", "/ddbd/faults", {"write_errors": True})
    assert status == 200 and json.loads(body)["write_errors"] is True


def test_admin_endpoints_ask_a_signed_request_from_an_admin_key(server_factory, keys):
    srv = server_factory(["--in-memory", "--admin", "--auth", keys])
    ep = srv.endpoint
    for method, path, body in (("GET", "/ddbd/clock", b""), ("POST", "/ddbd/faults", {"write_errors": True}),
                               ("POST", "/ddbd/snapshots", {"name": "s"}), ("GET", "/ddbd/snapshots", b""),
                               ("GET", "/ddbd/usage", b""), ("POST", "/ddbd/record", {"file": "/tmp/ddbd-doors.jsonl"}),
                               ("POST", "/ddbd/consistency", {"table": "users", "indexLagMs": 500})):
        status, _, answer = request(ep, method, path, body)
        assert (status, json.loads(answer)) == (400, {"__type": SVC + "MissingAuthenticationTokenException",
                                                      "message": "Request is missing Authentication Token"})
        for key, user in (("reader", "reader"), ("scraper", "scraper"), ("writer", "writer")):
            status, _, answer = request(ep, method, path, body, key=key)
            assert (status, json.loads(answer)) == (400, denied(user, "ddbd:Admin", path)), (key, path)
    # a wrong secret is refused as the API refuses it
    status, _, answer = request(ep, "POST", "/ddbd/faults", {"write_errors": True}, key=("AKIDADMIN", "not-the-secret"))
    assert status == 400 and json.loads(answer)["__type"] == SVC + "InvalidSignatureException"
    assert write_faults(ep, key="admin") is False
    client(ep, "writer").list_tables()
    # the admin key is served
    status, _, answer = request(ep, "GET", "/ddbd/usage", key="admin")
    assert status == 200 and json.loads(answer)["region"] == "us-east-1"
    status, _, answer = request(ep, "POST", "/ddbd/snapshots", {"name": "s"}, key="admin")
    assert status == 200 and json.loads(answer)["name"] == "s"
    status, _, answer = request(ep, "POST", "/ddbd/snapshots/s/restore", key="admin")
    assert status == 200, answer


def test_metrics_ask_the_metrics_right_except_on_the_metrics_port(server_factory, keys):
    srv = server_factory(["--in-memory", "--auth", keys])
    client(srv.endpoint, "writer").create_table(
        TableName="secret_orders", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    status, _, answer = request(srv.endpoint, "GET", "/metrics", content_type=None)
    assert status == 400 and b"secret_orders" not in answer
    assert json.loads(answer)["__type"] == SVC + "MissingAuthenticationTokenException"
    for key in ("reader", "writer"):
        status, _, answer = request(srv.endpoint, "GET", "/metrics", content_type=None, key=key)
        assert (status, json.loads(answer)) == (400, denied(key, "ddbd:ReadMetrics", "/metrics"))
    for key in ("scraper", "admin"):
        status, _, answer = request(srv.endpoint, "GET", "/metrics", content_type=None, key=key)
        assert status == 200 and b'ddbd_table_items{table="secret_orders"} 0' in answer, key
    # --metrics-port: the operator's private port, unsigned; the API port serves no /metrics then
    mport = free_port()
    srv2 = server_factory(["--in-memory", "--auth", keys, "--metrics-port", str(mport)])
    status, _, answer = request("http://127.0.0.1:%d" % mport, "GET", "/metrics", content_type=None)
    assert status == 200 and b"ddbd_tables 0" in answer
    status, _, _ = request(srv2.endpoint, "GET", "/metrics", content_type=None, key="admin")
    assert status == 404


def mcp(endpoint, key, tool, arguments, content_type=JSON):
    """tools/call over --mcp-http, signed as `key`: (HTTP status, the tool's result or the body)."""
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": arguments}}
    status, _, answer = request(endpoint, "POST", "/mcp", body, content_type=content_type, key=key)
    answer = json.loads(answer) if answer else None
    if status != 200:
        return status, answer
    result = answer["result"]
    return result["isError"], json.loads(result["content"][0]["text"])


@pytest.fixture
def mcp_server(server_factory, keys):
    srv = server_factory(["--in-memory", "--auth", keys, "--mcp-http", "--mcp-allow-writes", "--cors", "*"])
    w = client(srv.endpoint, "writer")
    for name in ("test_a", "other_b"):
        w.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                       AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                       BillingMode="PAY_PER_REQUEST")
        w.put_item(TableName=name, Item={"pk": {"S": "k"}, "v": {"S": name}})
    return srv


def test_mcp_tools_are_decided_as_what_they_do(mcp_server):
    """The read-only key (allow=read tables=test_*) took a snapshot, another key wrote to another
    table, and the read-only key's restore rolled that acknowledged write back. The whole-store
    tools ask the admin right now, refused as IAM refuses; read_metrics asks metrics or admin; the
    operations stay decided by the key's policy, on the tables they name (ddb_dispatch)."""
    ep = mcp_server.endpoint
    for tool, args in (("take_snapshot", {"name": "before"}), ("list_snapshots", {})):
        assert mcp(ep, "reader", tool, args) == (True, denied("reader", "ddbd:Admin", "/ddbd/snapshots")), tool
    assert mcp(ep, "admin", "take_snapshot", {"name": "before"})[0] is False
    client(ep, "writer").put_item(TableName="other_b", Item={"pk": {"S": "acked"}})
    assert mcp(ep, "reader", "restore_snapshot", {"name": "before"}) == (
        True, denied("reader", "ddbd:Admin", "/ddbd/snapshots"))
    assert "Item" in client(ep, "writer").get_item(TableName="other_b", Key={"pk": {"S": "acked"}})
    assert mcp(ep, "reader", "read_metrics", {}) == (True, denied("reader", "ddbd:ReadMetrics", "/metrics"))
    # read_metrics is text, not JSON: the admin key and the scraper get it
    for key in ("admin", "scraper"):
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "read_metrics", "arguments": {}}}
        status, _, answer = request(ep, "POST", "/mcp", body, key=key)
        result = json.loads(answer)["result"]
        assert status == 200 and result["isError"] is False and "ddbd_tables 2" in result["content"][0]["text"]
    key = {"pk": {"S": "k"}}
    assert mcp(ep, "reader", "get_item", {"TableName": "test_a", "Key": key}) == (
        False, {"Item": {"pk": {"S": "k"}, "v": {"S": "test_a"}}})
    refused = {"__type": SVC + "AccessDeniedException",
               "message": "User: arn:aws:iam::000000000000:user/reader is not authorized to perform: dynamodb:GetItem "
                          "on resource: arn:aws:dynamodb:us-east-1:000000000000:table/other_b because no "
                          "identity-based policy allows the dynamodb:GetItem action"}
    assert mcp(ep, "reader", "get_item", {"TableName": "other_b", "Key": key}) == (True, refused)
    assert mcp(ep, "reader", "put_item", {"TableName": "test_a", "Item": {"pk": {"S": "x"}}})[1]["__type"] == (
        SVC + "AccessDeniedException")
    assert mcp(ep, "reader", "execute_statement", {"Statement": 'SELECT * FROM "other_b"'})[1]["__type"] == (
        SVC + "AccessDeniedException")


def test_mcp_refuses_what_a_browser_sends_cross_site(mcp_server):
    ep = mcp_server.endpoint
    for ctype in SIMPLE_TYPES:
        status, answer = mcp(ep, "writer", "delete_item", {"TableName": "other_b", "Key": {"pk": {"S": "k"}}},
                             content_type=ctype)
        assert status == 415, (ctype, answer)
    assert "Item" in client(ep, "writer").get_item(TableName="other_b", Key={"pk": {"S": "k"}})
    pre = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
           "Access-Control-Request-Headers": "content-type,authorization,x-amz-date"}
    status, hdrs, _ = request(ep, "OPTIONS", "/mcp", content_type=None, headers=pre)
    assert status == 200 and not any(h.startswith("access-control-allow") for h in hdrs), hdrs


def test_request_faults_are_behind_the_same_guard(server_factory, keys):
    """/ddbd/faults' request faults (server/api/faults/inject.h) can fail every request of the server: adding
    and clearing them is the admin right's, as JSON only; refused ones change nothing."""
    srv = server_factory(["--in-memory", "--admin", "--auth", keys])
    ep = srv.endpoint
    fault = {"faults": [{"operation": "ListTables", "error": "InternalServerError"}]}
    for ctype in SIMPLE_TYPES:
        status, _, _ = request(ep, "POST", "/ddbd/faults", fault, content_type=ctype, key="admin")
        assert status == 415, ctype
    for method, body in (("POST", fault), ("DELETE", b"")):
        for key, user in (("reader", "reader"), ("scraper", "scraper"), ("writer", "writer")):
            status, _, answer = request(ep, method, "/ddbd/faults", body, key=key)
            assert (status, json.loads(answer)) == (400, denied(user, "ddbd:Admin", "/ddbd/faults")), (method, key)
    client(ep, "writer").list_tables()  # no fault was added
    status, _, body = request(ep, "POST", "/ddbd/faults", fault, key="admin")
    assert status == 200 and json.loads(body)["faults"][0]["error"] == "InternalServerError"
    with pytest.raises(Exception) as e:
        client(ep, "writer").list_tables()
    assert e.value.response["Error"]["Code"] == "InternalServerError"
    status, _, body = request(ep, "DELETE", "/ddbd/faults", b"", key="admin")
    assert (status, json.loads(body)["faults"]) == (200, [])
    client(ep, "writer").list_tables()
