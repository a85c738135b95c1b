"""Tests of the ddbd_pytest plugin: inner suites run through pytester, in a subprocess each (as a
user runs them), with and without pytest-xdist. DDBD_BIN is the ddbd under test."""
import json
import os
import shutil

import pytest

pytest_plugins = ["pytester"]

# The inner suite: every test changes the store and expects to find the seed's state alone, so
# any test that follows another on the same server fails unless the restore happened.
INNER = '''
import json, os, time
import pytest

@pytest.fixture(scope="session")
def ddbd_seed(ddbd_server):
    db = ddbd_server.client()
    db.create_table(TableName="users", BillingMode="PAY_PER_REQUEST",
                    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                    KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    db.put_item(TableName="users", Item={"id": {"S": "alice"}})

@pytest.mark.parametrize("n", range(6))
def test_starts_from_the_seed(ddbd, n):
    db = ddbd.client()
    assert db.list_tables()["TableNames"] == ["users"]
    assert [i["id"]["S"] for i in db.scan(TableName="users")["Items"]] == ["alice"]
    db.put_item(TableName="users", Item={"id": {"S": "bob-%d" % n}})
    db.create_table(TableName="extra", BillingMode="PAY_PER_REQUEST",
                    AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                    KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])
    with open(os.environ["RECORD"], "a") as f:
        f.write(json.dumps({"worker": os.environ.get("PYTEST_XDIST_WORKER", "main"), "region": ddbd.region,
                            "endpoint": ddbd.endpoint, "pid": os.getpid()}) + "\\n")
    time.sleep(0.2)  # so that both workers take tests, one restoring while the other's test runs
    # another worker's restore meanwhile left this worker's namespace alone
    assert db.get_item(TableName="users", Key={"id": {"S": "bob-%d" % n}})["Item"]
    assert sorted(db.list_tables()["TableNames"]) == ["extra", "users"]
'''


CONFTEST = 'pytest_plugins = ["ddbd_pytest"]\n'


def records(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


@pytest.fixture
def inner(pytester, tmp_path, monkeypatch):
    pytester.makepyfile(test_inner=INNER)
    pytester.makeconftest(CONFTEST)  # the xdist controller loads conftest.py, not test modules
    monkeypatch.setenv("RECORD", str(tmp_path / "record.jsonl"))
    here = os.path.dirname(os.path.abspath(__file__))
    monkeypatch.setenv("PYTHONPATH", here + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return tmp_path / "record.jsonl"


def test_each_test_starts_from_the_snapshot(pytester, inner):
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)
    assert {(r["endpoint"], r["region"]) for r in records(inner)} == {(records(inner)[0]["endpoint"], "ddbd-main")}


def test_without_the_restore_the_second_test_sees_the_first(pytester, inner):
    # the control: the same suite with the restore made a no-op fails from its second test on
    pytester.makeconftest(CONFTEST + '''
import ddbd_pytest
ddbd_pytest.Ddbd.restore = lambda self, name: None
''')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=5)


def by_worker(rows):
    found = {}
    for r in rows:
        found.setdefault(r["worker"], set()).add((r["endpoint"], r["region"]))
    return found


def test_xdist_workers_share_one_server_each_in_its_namespace(pytester, inner):
    pytest.importorskip("xdist")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=6)
    found = by_worker(records(inner))
    assert sorted(found) == ["gw0", "gw1"]
    assert found["gw0"] == {(list(found["gw0"])[0][0], "ddbd-gw0")}   # one view per worker
    assert found["gw1"] == {(list(found["gw0"])[0][0], "ddbd-gw1")}   # the same server, another namespace


def test_xdist_workers_with_a_whole_store_restore_would_clobber_each_other(pytester, inner):
    # the control: on one server, a namespace snapshot taken as a whole-store one (the namespace
    # left out) resets the other worker's tables in the middle of its test
    pytest.importorskip("xdist")
    pytester.makeconftest(CONFTEST + '''
import os, time
import pytest
import ddbd_pytest
ddbd_pytest.Ddbd.snapshot = lambda self, name: self.admin("POST", "/ddbd/snapshots", {"name": name})

@pytest.fixture(scope="session", autouse=True)
def both_workers_running():
    # the workers' tests overlap only if both have started: on a slow (sanitized) build one worker
    # could run all its tests before the other began, and nothing would be clobbered
    barrier = os.environ["RECORD"] + ".started"
    os.makedirs(barrier, exist_ok=True)
    open(os.path.join(barrier, os.environ.get("PYTEST_XDIST_WORKER", "main")), "w").close()
    deadline = time.time() + 30
    while len(os.listdir(barrier)) < 2 and time.time() < deadline:
        time.sleep(0.05)
''')
    # the clobbering needs one worker's restore to land in the other's test: likely, not certain,
    # on a machine busy with other tests (CI runs two at a time), so the control has three tries
    seen = []
    for _ in range(3):
        shutil.rmtree(str(inner) + ".started", ignore_errors=True)
        result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
        outcomes = result.parseoutcomes()  # the clobbering shows in a test, or in a fixture's set-up (an error)
        seen.append(outcomes)
        if outcomes.get("failed", 0) + outcomes.get("errors", outcomes.get("error", 0)) >= 1:
            return
    pytest.fail("no run of three showed one worker's restore clobbering the other's tables: %s" % seen)


def test_ddbd_shared_false_gives_each_worker_its_own_server(pytester, inner):
    pytest.importorskip("xdist")
    pytester.makeini("[pytest]\nddbd_shared = false\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=6)
    found = by_worker(records(inner))
    assert sorted(found) == ["gw0", "gw1"]
    assert all(len(e) == 1 for e in found.values())              # one server per worker
    assert found["gw0"] != found["gw1"]                            # not shared
    assert {r for e in found.values() for _, r in e} == {"us-east-1"}  # the default namespace


def test_no_binary_under_xdist_fails_every_test_saying_so(pytester, inner, monkeypatch):
    pytest.importorskip("xdist")
    monkeypatch.delenv("DDBD_BIN", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent:" + os.path.dirname(os.path.realpath(os.sys.executable)))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(errors=6)
    result.stdout.fnmatch_lines(["*ddbd_pytest: no ddbd binary (give --ddbd-bin, set DDBD_BIN or put ddbd on PATH)*"])


def test_no_binary_fails_every_test_saying_so(pytester, inner, monkeypatch):
    monkeypatch.delenv("DDBD_BIN", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=6)
    result.stdout.fnmatch_lines(["*ddbd_pytest: no ddbd binary (give --ddbd-bin, set DDBD_BIN or put ddbd on PATH)*"])


def test_a_server_that_does_not_start_reports_its_output(pytester, inner):
    pytester.makeini("[pytest]\nddbd_args = --no-such-option\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=6)
    result.stdout.fnmatch_lines(["*RuntimeError: ddbd did not start:*no-such-option*"])


TEMPLATE = """\
Parameters:
  Stage: {Type: String, Default: dev}
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub orders-${Stage}
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      TimeToLiveSpecification: {AttributeName: expires, Enabled: true}
"""

TEMPLATE_SUITE = '''
import os
import pytest

@pytest.fixture(scope="session")
def ddbd_seed(ddbd_server):
    ddbd_server.seed(os.environ["TEMPLATE"], os.environ["ITEMS"], params={"Stage": "test"})

@pytest.mark.parametrize("n", range(4))
def test_the_template_s_table_in_the_worker_s_namespace(ddbd, n):
    db = ddbd.client()
    assert db.list_tables()["TableNames"] == ["orders-test"]
    assert db.describe_time_to_live(TableName="orders-test")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}
    assert [i["id"]["S"] for i in db.scan(TableName="orders-test")["Items"]] == ["o1"]
    db.delete_item(TableName="orders-test", Key={"id": {"S": "o1"}})

def test_a_refused_template_says_why(ddbd_server, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("Resources: [")
    with pytest.raises(RuntimeError, match="(?s)the seed was refused:.*not valid YAML"):
        ddbd_server.seed(str(bad))
'''


def test_seed_creates_a_template_s_tables_in_each_worker_s_namespace(pytester, tmp_path, monkeypatch):
    pytest.importorskip("xdist")
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    (tmp_path / "orders-test.jsonl").write_text('{"id": {"S": "o1"}}\n')
    monkeypatch.setenv("TEMPLATE", str(tmp_path / "template.yaml"))
    monkeypatch.setenv("ITEMS", str(tmp_path / "orders-test.jsonl"))
    here = os.path.dirname(os.path.abspath(__file__))
    monkeypatch.setenv("PYTHONPATH", here + os.pathsep + os.environ.get("PYTHONPATH", ""))
    pytester.makepyfile(test_template=TEMPLATE_SUITE)
    pytester.makeconftest(CONFTEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=5)


FAULTS = '''
import pytest
from botocore.exceptions import ClientError

@pytest.fixture(scope="session")
def ddbd_seed(ddbd_server):
    ddbd_server.client().create_table(TableName="orders", BillingMode="PAY_PER_REQUEST",
                                      AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                      KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])

def test_two_faults_then_success(ddbd):
    db = ddbd.client()
    ddbd.faults({"operation": "PutItem", "table": "orders", "error": "InternalServerError", "count": 2})
    for _ in range(2):
        with pytest.raises(ClientError) as e:
            db.put_item(TableName="orders", Item={"id": {"S": "a"}})
        assert e.value.response["Error"]["Code"] == "InternalServerError"
    db.put_item(TableName="orders", Item={"id": {"S": "a"}})
    assert ddbd.faults()[0]["injected"] == 2

def test_an_unlimited_fault_left_behind(ddbd):
    ddbd.faults({"operation": "GetItem", "error": "ThrottlingException"})

def test_the_next_test_sees_none(ddbd):
    assert ddbd.faults() == []
    ddbd.client().get_item(TableName="orders", Key={"id": {"S": "a"}})
'''


def test_faults_are_injected_and_cleared_after_the_test(pytester, inner):
    pytester.makepyfile(test_inner=FAULTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


# Eventual consistency through the fixture (docs/testing.md): a table's GSI lags in this worker's
# namespace alone, and turning it off shows the write at once.
CONSISTENCY = '''
def make(db, name):
    db.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                                          {"AttributeName": "email", "AttributeType": "S"}],
                    KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                    GlobalSecondaryIndexes=[{"IndexName": "by_email",
                                             "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                                             "Projection": {"ProjectionType": "ALL"}}])

def by_email(db, name):
    return db.query(TableName=name, IndexName="by_email", KeyConditionExpression="email = :e",
                    ExpressionAttributeValues={":e": {"S": "a@x"}})["Items"]

def test_index_lag(ddbd):
    db = ddbd.client()
    make(db, "lagged")
    make(db, "current")
    state = ddbd.consistency("lagged", index_lag_ms=60000, seed=1)
    assert [t["table"] for t in state["tables"]] == ["%s|lagged" % ddbd.namespace]
    for name in ("lagged", "current"):
        db.put_item(TableName=name, Item={"id": {"S": "u1"}, "email": {"S": "a@x"}})
    assert by_email(db, "lagged") == []
    assert len(by_email(db, "current")) == 1
    assert db.get_item(TableName="lagged", Key={"id": {"S": "u1"}}, ConsistentRead=True)["Item"]
    ddbd.consistency("lagged")
    assert len(by_email(db, "lagged")) == 1
'''


def test_consistency_sets_a_table_of_the_workers_namespace(pytester, monkeypatch):
    pytester.makepyfile(test_consistency=CONSISTENCY)
    pytester.makeconftest(CONFTEST)
    here = os.path.dirname(os.path.abspath(__file__))
    monkeypatch.setenv("PYTHONPATH", here + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def _usage_line(result, table):
    for line in result.outlines:
        if line.split()[:1] == [table]:
            return line.split()
    raise AssertionError("no line for %s in %s" % (table, result.outlines))


@pytest.mark.parametrize("shared", [True, False])  # a namespace's restore keeps the figures, the store's not
def test_the_usage_summary_adds_up_every_test_s_requests(pytester, inner, monkeypatch, shared):
    """DDBD_USAGE_SUMMARY=1: the run's cost a table at the end (issue 53). The seed writes alice
    (7 bytes: 1 write unit); each of the 6 tests writes bob-N (1 write unit) and reads users twice,
    a Scan of alice and a GetItem of bob-N, eventually consistent (0.5 read unit each): 7 write
    units and 6 read units, $0.125 and $0.625 a million: $0.000005125. Each test's figures are
    taken before and after each restore, so none is lost or counted twice."""
    monkeypatch.setenv("DDBD_USAGE_SUMMARY", "1")
    if not shared:
        pytester.makeini("[pytest]\nddbd_shared = false\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)
    result.stdout.fnmatch_lines(["ddbd usage: what this run's requests would cost in DynamoDB (us-east-1 prices*"])
    users = _usage_line(result, "users")
    assert (float(users[1]), float(users[2])) == (6, 7)
    assert float(users[3]) == pytest.approx(5.125e-6, abs=1e-8)
    assert float(_usage_line(result, "total")[2]) == 7


def test_the_usage_json_is_the_runs_report(pytester, inner, monkeypatch, tmp_path):
    """DDBD_USAGE_JSON=PATH: the run's report as GET /ddbd/usage shapes it (issue 64): the seed's
    PutItem and each of the 6 tests' PutItem, Scan and GetItem, counted and added up across the
    restores; `ddb usage diff` reads it."""
    out = tmp_path / "run.json"
    monkeypatch.setenv("DDBD_USAGE_JSON", str(out))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)
    result.stdout.fnmatch_lines(["ddbd usage: the run's report written to %s" % out])
    assert not any(line.startswith("ddbd usage: what this run") for line in result.outlines)  # the summary: not asked
    report = json.loads(out.read_text())
    users = [t for t in report["tables"] if t["table"] == "users"][0]
    assert (users["requests"], users["readUnits"], users["writeUnits"]) == (19, 6, 7)
    assert users["cost"] == pytest.approx(6 * 0.125e-6 + 7 * 0.625e-6)
    assert {o["operation"]: o["requests"] for o in users["operations"]} == {"GetItem": 6, "PutItem": 7, "Scan": 6}
    assert {p["pattern"]: p["requests"] for p in users["accessPatterns"]} == {"GetItem pk=*": 6, "PutItem pk=*": 7, "Scan": 6}
    assert report["total"]["requests"] == 19
    assert sorted(w["warning"] for w in report["warnings"]) == ["readAfterWrite", "scan"]  # the GetItem right after the Put
    ddb = os.path.join(os.path.dirname(os.environ["DDBD_BIN"]), "ddb")
    import subprocess
    diff = subprocess.run([ddb, "usage", "diff", str(out), str(out)], capture_output=True, text=True, timeout=30)
    assert diff.returncode == 0 and "| requests | 19 | 19 | 0 |" in diff.stdout


# Each test's own cost: the `ddbd` fixture marks the test's start (its node id).
OWN_COST = '''
import pytest

@pytest.fixture(scope="session")
def ddbd_seed(ddbd_server):
    db = ddbd_server.client()
    db.create_table(TableName="users", BillingMode="PAY_PER_REQUEST",
                    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                    KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    db.put_item(TableName="users", Item={"id": {"S": "alice"}})

@pytest.mark.parametrize("n", range(3))
def test_reads_its_own_cost(ddbd, n):
    db = ddbd.client()
    for i in range(n + 1):
        db.put_item(TableName="users", Item={"id": {"S": "u%d" % i}})
    mine = ddbd.usage(since=ddbd.test_mark)
    assert mine["since"]["mark"] == ddbd.test_mark == "test_own.py::test_reads_its_own_cost[%d]" % n
    users = [t for t in mine["tables"] if t["table"] == "users"][0]
    assert (users["requests"], users["writeUnits"]) == (n + 1, n + 1)  # not the seed's, not the tests' before
'''


def test_each_test_reads_its_own_cost(pytester, monkeypatch):
    pytester.makepyfile(test_own=OWN_COST)
    pytester.makeconftest(CONFTEST)
    here = os.path.dirname(os.path.abspath(__file__))
    monkeypatch.setenv("PYTHONPATH", here + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_no_usage_summary_unless_asked(pytester, inner):
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)
    assert not any(line.startswith("ddbd usage:") for line in result.outlines)


# The frozen clock (docs/testing.md, "The frozen clock"): `ddbd_clock = frozen@T0` starts the server
# with its clock stopped at T0, and `ddbd.clock` steps it; a step answers once TTL's sweep has run.
T0 = 1_700_000_000_000
CLOCK = '''
import pytest

T0 = %d

@pytest.fixture(scope="session")
def ddbd_seed(ddbd_server):
    db = ddbd_server.client()
    db.create_table(TableName="sessions", BillingMode="PAY_PER_REQUEST",
                    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                    KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    db.update_time_to_live(TableName="sessions",
                           TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})

def test_the_clock_stands_where_it_started(ddbd):
    state = ddbd.clock.state()
    assert (state["now"], state["frozen"]) == (T0, True)
    created = ddbd.client().describe_table(TableName="sessions")["Table"]["CreationDateTime"]
    assert created.timestamp() == T0 / 1000
    assert ddbd.clock.now() == T0

def test_a_session_expires_when_a_step_passes_it(ddbd):
    db = ddbd.client()
    start = ddbd.clock.now()
    db.put_item(TableName="sessions", Item={"id": {"S": "s1"}, "expires": {"N": str(start // 1000 + 60)}})
    assert ddbd.clock.advance(59_000) == start + 59_000
    assert "Item" in db.get_item(TableName="sessions", Key={"id": {"S": "s1"}})
    ddbd.clock.advance(2_000)   # past the expiry second: the sweep ran before the step answered
    assert "Item" not in db.get_item(TableName="sessions", Key={"id": {"S": "s1"}})
    assert ddbd.clock.set(T0 + 86_400_000) == T0 + 86_400_000
    state = ddbd.clock.state()   # (its offset from the wall clock grows while it stands)
    assert (state["now"], state["frozen"]) == (T0 + 86_400_000, True)
''' % T0

RUNNING = '''
def test_a_test_freezes_the_running_clock(ddbd):
    assert ddbd.clock.state()["frozen"] is False
    at = ddbd.clock.freeze()
    assert ddbd.clock.now() == at and ddbd.clock.state()["frozen"] is True
    assert ddbd.clock.advance(1_000) == at + 1_000

def test_the_next_test_finds_it_running_again(ddbd):
    assert ddbd.clock.state()["frozen"] is False
    assert ddbd.clock.run() >= ddbd.clock.now() - 60_000   # (running already: no change)
'''


def test_ddbd_clock_frozen_starts_the_server_frozen_and_steps_it(pytester, inner):
    pytester.makepyfile(test_inner=CLOCK)
    pytester.makeini("[pytest]\nddbd_clock = frozen@%d\n" % T0)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_without_ddbd_clock_the_clock_runs(pytester, inner):
    # the control: the same suite on a running clock fails its first test (not frozen, not at T0)
    pytester.makepyfile(test_inner=CLOCK)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-k", "stands")
    result.assert_outcomes(failed=1)


def test_a_clock_a_test_froze_runs_again_after_it(pytester, inner):
    pytester.makepyfile(test_inner=RUNNING)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


# Recordings through the fixture (docs/record-replay.md): record() and stop_recording() wrap
# /ddbd/record; the file holds the test's request with its answer once the recording stops.
RECORDING = '''
import json

def test_records_its_requests(ddbd, tmp_path):
    db = ddbd.client()
    db.create_table(TableName="notes", BillingMode="PAY_PER_REQUEST",
                    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                    KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    path = tmp_path / "t.jsonl"
    assert ddbd.record(path, redact={"attributes": {"body": "redact"}})["recording"]
    db.put_item(TableName="notes", Item={"id": {"S": "n1"}, "body": {"S": "secret"}})
    db.get_item(TableName="notes", Key={"id": {"S": "n1"}})
    assert ddbd.stop_recording() == {"recording": False, "requests": 2}
    put, get = [json.loads(line) for line in path.read_text().splitlines()]
    assert put["op"] == "PutItem" and put["request"]["Item"]["body"] == {"S": "REDACTED"}
    assert get["response"]["Item"] == {"id": {"S": "n1"}, "body": {"S": "REDACTED"}}
'''


def test_the_fixture_records_a_test_s_requests(pytester, inner):
    pytester.makepyfile(test_inner=RECORDING)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
