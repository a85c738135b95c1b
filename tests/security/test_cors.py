"""A web page cannot wipe a local ddbd (issue 61, item 5; docs/security.md, "Web pages and --cors").

Without --auth, the API's default `--cors *` answered a preflight from https://evil.example and then
its cross-origin DeleteTable with 200: any page the user opened could delete every table of a ddbd
on their machine. The default is now `loopback`: pages on localhost, 127.0.0.1 and [::1] (http or
https, any port). A page on another origin gets no Access-Control-Allow-* header: its preflight is
refused (403), so a browser's fetch sends nothing after it; a request carrying a foreign Origin
anyway is refused too (403, AccessDeniedException), not served unread. `--cors '*'` (DynamoDB Local's
behaviour) and `--cors ORIGIN` are explicit choices. A same-origin request (the console's) is served.
"""
import http.client
import json

import pytest

from conftest import make_client, raw_request, sign_headers
from helpers import make_table

SVC = "com.amazon.coral.service#"
EVIL = "https://evil.example"
PREFLIGHT = {"Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "content-type,x-amz-target,x-amz-date,authorization"}


def preflight(endpoint, origin):
    return raw_request(endpoint, method="OPTIONS", sign=False, content_type=None,
                       headers=dict(PREFLIGHT, Origin=origin))


def delete_table(endpoint, origin, name):
    return raw_request(endpoint, "DeleteTable", {"TableName": name}, headers={"Origin": origin})


def tables(endpoint):
    resp = raw_request(endpoint, "ListTables", {})
    assert resp.status == 200, resp.body
    return resp.json()["TableNames"]


def refusal(origin, cors="loopback"):
    return {"__type": SVC + "AccessDeniedException",
            "message": "Origin '%s' may not call this server: --cors allows '%s' (loopback: pages on localhost, "
                       "127.0.0.1 and [::1]); a page on another site could otherwise change or delete the data. "
                       "Give its origin to --cors, or --cors '*' for every page" % (origin, cors)}


def no_grant(headers):
    return not any(h.startswith("access-control-") for h in headers)


@pytest.mark.parametrize("origin", [EVIL, "http://evil.example:8000", "null", "http://localhost.evil.example",
                                    "http://127.0.0.1.evil.example:8000", "http://localhost:80evil"])
def test_a_foreign_page_cannot_delete_a_table_by_default(server_factory, origin):
    srv = server_factory(["--in-memory"])
    name = make_table(make_client(srv.endpoint), prefix="cors")
    pre = preflight(srv.endpoint, origin)
    assert (pre.status, pre.json()) == (403, refusal(origin)), pre.body
    assert no_grant(pre.headers), pre.headers
    resp = delete_table(srv.endpoint, origin, name)
    assert (resp.status, resp.json()) == (403, refusal(origin)), resp.body
    assert no_grant(resp.headers), resp.headers
    assert name in tables(srv.endpoint), "the foreign page deleted the table"


@pytest.mark.parametrize("origin", ["http://localhost:3000", "http://127.0.0.1:8080", "http://[::1]:5173",
                                    "https://localhost:8443", "http://localhost"])
def test_a_page_on_this_machine_may_by_default(server_factory, origin):
    srv = server_factory(["--in-memory"])
    name = make_table(make_client(srv.endpoint), prefix="cors")
    pre = preflight(srv.endpoint, origin)
    assert pre.status == 200
    assert pre.headers.get("access-control-allow-origin") == origin
    assert pre.headers.get("access-control-allow-headers") == PREFLIGHT["Access-Control-Request-Headers"]
    assert pre.headers.get("access-control-allow-methods") == "POST"
    resp = delete_table(srv.endpoint, origin, name)
    assert resp.status == 200, resp.body
    assert resp.headers.get("access-control-allow-origin") == origin
    assert resp.headers.get("access-control-expose-headers") == \
        "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date"
    assert name not in tables(srv.endpoint)


def test_star_is_an_explicit_choice(server_factory):
    """--cors '*': every page, as DynamoDB Local (and DynamoDB itself) answers."""
    srv = server_factory(["--in-memory", "--cors", "*"])
    name = make_table(make_client(srv.endpoint), prefix="cors")
    pre = preflight(srv.endpoint, EVIL)
    assert pre.status == 200 and pre.headers.get("access-control-allow-origin") == "*"
    resp = delete_table(srv.endpoint, EVIL, name)
    assert resp.status == 200 and resp.headers.get("access-control-allow-origin") == "*"
    assert name not in tables(srv.endpoint)


def test_a_listed_origin_and_any_port(server_factory):
    srv = server_factory(["--in-memory", "--cors", "https://app.example,http://dev.example:*"])
    for origin, allowed in (("https://app.example", True), ("http://dev.example:4200", True),
                            ("http://dev.example", True), ("https://app.example:444", False),
                            ("http://dev.example.evil:1", False), ("http://localhost:3000", False)):
        resp = raw_request(srv.endpoint, "ListTables", {}, headers={"Origin": origin})
        if allowed:
            assert (resp.status, resp.headers.get("access-control-allow-origin")) == (200, origin), origin
        else:
            cors = "https://app.example,http://dev.example:*"
            assert (resp.status, resp.json()) == (403, refusal(origin, cors)), origin
    # loopback is a word of the list
    srv = server_factory(["--in-memory", "--cors", "loopback,https://app.example"])
    resp = raw_request(srv.endpoint, "ListTables", {}, headers={"Origin": "http://localhost:3000"})
    assert (resp.status, resp.headers.get("access-control-allow-origin")) == (200, "http://localhost:3000")


def test_a_same_origin_request_is_served(server_factory):
    """The console's calls carry the page's own origin (a browser sends Origin on a same-origin POST):
    served whatever --cors says, here on a name that is not loopback's."""
    srv = server_factory(["--in-memory", "--cors", "https://app.example", "--allowed-hosts", "ddbd.test"])
    host = "ddbd.test:%d" % srv.port
    resp = raw_request(srv.endpoint, "ListTables", {}, headers={"Origin": "http://" + host, "Host": host})
    assert resp.status == 200, resp.body
    assert "access-control-allow-origin" not in resp.headers
    # another port of the same name is another origin
    other = "http://ddbd.test:%d" % (srv.port + 1)
    resp = raw_request(srv.endpoint, "ListTables", {}, headers={"Origin": other, "Host": host})
    assert resp.status == 403, resp.body


def test_a_request_without_origin_is_untouched(server_factory):
    """SDKs send no Origin: nothing changes for them, nothing is added to their answers."""
    srv = server_factory(["--in-memory"])
    resp = raw_request(srv.endpoint, "ListTables", {})
    assert resp.status == 200 and no_grant(resp.headers)
    assert json.loads(resp.body) == {"TableNames": []}


def door_request(endpoint, method, path, body, origins, headers=None):
    """A JSON request to a door (or, with `headers`, the API) carrying each of `origins` as an
    Origin header (several: repeated, which http.client's request() cannot send)."""
    host, port = endpoint.replace("http://", "").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    data = json.dumps(body).encode() if body is not None else b""
    try:
        conn.putrequest(method, path)
        conn.putheader("Content-Length", str(len(data)))
        for k, v in (headers or {"Content-Type": "application/json"}).items():
            conn.putheader(k, v)
        for o in origins:
            conn.putheader("Origin", o)
        conn.endheaders(data)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def clock_now(endpoint):
    status, _, body = door_request(endpoint, "GET", "/ddbd/clock", None, [])
    assert status == 200
    return json.loads(body)["now"]


def test_every_door_refuses_a_foreign_origin_as_the_api_does(server_factory):
    """Issue 73, item 7: POST /ddbd/clock from https://evil.example with a JSON body (what a script,
    not a browser, sends without a preflight) was served (200) without --auth; the API refuses such a
    request outright. Now every door refuses it with the API's words; a page on this machine and a
    same-origin page (the console's) are served as before."""
    srv = server_factory(["--in-memory", "--admin", "--clock", "frozen@1700000000000", "--metrics-port", "0"])
    before = clock_now(srv.endpoint)
    for method, path, body in (("POST", "/ddbd/clock", {"advance": 86400000}),
                               ("POST", "/ddbd/faults", {"write_errors": True}),
                               ("GET", "/ddbd/usage", None),
                               ("GET", "/metrics", None)):
        status, hdrs, answer = door_request(srv.endpoint, method, path, body, [EVIL])
        assert status == 403, (path, status, answer)
        assert json.loads(answer) == refusal(EVIL), answer
        assert no_grant(hdrs)
    assert clock_now(srv.endpoint) == before
    port = srv.endpoint.rsplit(":", 1)[1]
    for origin in ("http://localhost:3000", "http://127.0.0.1:%s" % port):
        status, _, answer = door_request(srv.endpoint, "POST", "/ddbd/clock", {"advance": 1000}, [origin])
        assert status == 200, (origin, answer)
    assert clock_now(srv.endpoint) == before + 2000


def test_two_origin_headers_are_refused_at_the_api_and_every_door(server_factory):
    """Two Origin headers were judged by the first (a loopback one let an evil one through, which a
    proxy in front may have judged instead): a browser sends one, so two are refused whatever they say."""
    srv = server_factory(["--in-memory", "--admin"])
    name = make_table(make_client(srv.endpoint), prefix="cors")
    message = ("The request carries 2 Origin headers; a browser sends one, and this server judges a request by "
               "the one it carries")
    status, hdrs, answer = door_request(srv.endpoint, "POST", "/ddbd/clock", {"advance": 1000},
                                        ["http://localhost:3000", EVIL])
    assert (status, json.loads(answer)) == (403, {"__type": SVC + "AccessDeniedException", "message": message})
    body = {"TableName": name}
    api = sign_headers(srv.endpoint, json.dumps(body).encode(), {
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.DeleteTable"})
    status, hdrs, answer = door_request(srv.endpoint, "POST", "/", body, ["http://localhost:3000", EVIL], api)
    assert (status, json.loads(answer)) == (403, {"__type": SVC + "AccessDeniedException", "message": message})
    assert no_grant(hdrs)
    assert name in tables(srv.endpoint)
