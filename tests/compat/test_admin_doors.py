"""The admin doors' table (server/doors/doors.def): which door a path and method reach, and what a
path or method no row takes gets. Each row matches its path in one of four ways (the path alone, the
path and anything after it, the path or a query or subpath after it, or something below it) and takes
some methods; a request no row takes is answered 404 {"message": "no such admin endpoint"}, and a door
answers the methods it does not serve itself (405, with the methods it does). These answers are
pinned as they were while the doors were an if chain in admin.c (issue 75, item 4).
"""
import pytest

from helpers import admin_call

T0 = 1700000000000
NO_DOOR = (404, {"message": "no such admin endpoint"})


@pytest.fixture(scope="module")
def endpoint(request):
    from conftest import DdbdServer, EXTERNAL_ENDPOINT
    if EXTERNAL_ENDPOINT:
        pytest.skip("starts a server of its own")
    server = DdbdServer(["--in-memory", "--admin", "--clock", "frozen@%d" % T0]).start()
    request.addfinalizer(server.kill)
    return server.endpoint


@pytest.mark.parametrize("method,path", [
    ("GET", "/ddbd/nope"), ("POST", "/ddbd/nope"), ("GET", "/ddbd/"),
    # import: POST of the path alone
    ("GET", "/ddbd/import"), ("PUT", "/ddbd/import"), ("GET", "/ddbd/import/"), ("POST", "/ddbd/import/"),
    # contributor insights: a table below the path, any method but POST
    ("POST", "/ddbd/contributor-insights/T"), ("GET", "/ddbd/contributor-insights/"),
    ("GET", "/ddbd/contributor-insights"),
    # the path alone: no subpath, no query
    ("GET", "/ddbd/clockx"), ("GET", "/ddbd/clock/"), ("GET", "/ddbd/clock?x=1"), ("GET", "/ddbd/faults/"),
    ("GET", "/ddbd/consistency/x"), ("GET", "/ddbd/record/x"), ("GET", "/ddbd/table-statesx"),
    # the snapshots' door takes its path and anything after it, and refuses what it does not know
    ("GET", "/ddbd/snapshotsX"), ("GET", "/ddbd/snapshots/x/y"), ("GET", "/ddbd/snapshots?x"),
    # usage: the path, or a query or subpath after it
    ("GET", "/ddbd/usagex"), ("GET", "/ddbd/usage/marks"),
])
def test_no_row_takes_it(endpoint, method, path):
    assert admin_call(endpoint, method, path, {} if method != "GET" else None) == NO_DOOR


@pytest.mark.parametrize("method,path,message", [
    ("PUT", "/ddbd/snapshots", "GET or POST /ddbd/snapshots"),
    ("DELETE", "/ddbd/snapshots", "GET or POST /ddbd/snapshots"),
    ("GET", "/ddbd/snapshots/x", "DELETE /ddbd/snapshots/<name>"),
    ("GET", "/ddbd/snapshots/x/restore", "POST /ddbd/snapshots/<name>/restore"),
    ("PUT", "/ddbd/record", "GET, POST or DELETE /ddbd/record"),
])
def test_a_door_names_its_methods(endpoint, method, path, message):
    assert admin_call(endpoint, method, path, {} if method != "GET" else None) == (405, {"message": message})


def test_a_door_that_reads_on_any_method_but_post(endpoint):
    """The clock, faults, consistency and table-states doors change with POST (DELETE too for the
    faults) and read with any other method; the insights door reads with any method but POST."""
    for method in ("GET", "PUT", "DELETE"):
        status, clock = admin_call(endpoint, method, "/ddbd/clock", {} if method != "GET" else None)
        assert status == 200 and (clock["now"], clock["frozen"]) == (T0, True), method
    status, faults = admin_call(endpoint, "PUT", "/ddbd/faults", {})
    assert status == 200 and faults["faults"] == [] and faults["write_errors"] is False
    status, consistency = admin_call(endpoint, "PATCH", "/ddbd/consistency", {})
    assert status == 200 and consistency["tables"] == []
    assert admin_call(endpoint, "PUT", "/ddbd/table-states", {}) == (200, {"tableStatesMs": 0,
                                                                          "countRefreshSeconds": 0})
    for method in ("GET", "DELETE"):
        assert admin_call(endpoint, method, "/ddbd/contributor-insights/T") == (404, {"message": "no such table"})
    assert admin_call(endpoint, "GET", "/ddbd/snapshots/") == (200, {"snapshots": []})
