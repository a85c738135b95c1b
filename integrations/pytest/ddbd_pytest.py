"""ddbd_pytest: a pytest plugin that runs tests against ddbd, reset to a known state per test.

- One server for the whole run: `ddbd --in-memory --admin --namespaces --port 0` on loopback; the
  port it took is read from its "listening on" line (no free-port race), readiness is polled
  (GET / = 200). With pytest-xdist the controller starts it and hands its endpoint to every worker
  (`workerinput`), and stops it when the run ends.
- A namespace per worker: each worker's clients use a region of its own (`ddbd-gw0`, `ddbd-gw1`,
  `ddbd-main` without xdist), and with --namespaces each region has its own tables.
- Tables from infrastructure code: `ddbd_server.seed("template.yaml", params={...})` in `ddbd_seed`
  creates what a CloudFormation/SAM template, CDK's cdk.out or `terraform show -json` declares (and
  the items of seed files) in the worker's namespace (`ddbd --seed-requests`, docs/seeding.md).
- A snapshot per test: after the worker's fixture data is loaded (override `ddbd_seed`), its
  namespace is saved once; the `ddbd` fixture restores that namespace alone before every test that
  uses it (about a millisecond), while the other workers' namespaces keep serving.
- `ddbd_shared = false` (ini) gives each worker a server of its own instead, in the default
  namespace, reset by a whole-store restore (for `--seed`, which loads the default namespace).

- The server's clock (docs/testing.md, "The frozen clock"): `ddbd_clock = frozen` (ini) starts the
  server with it stopped (`--clock frozen`), and `ddbd.clock` steps it: `advance(ms)`, `set(ms)`,
  `freeze()`, `run()`, `now()`. A test of anything time-dependent freezes it and steps it, with no
  sleep: a step answers once the background work that came due has run.

- A cost summary at the end of the run, opt-in (`DDBD_USAGE_SUMMARY=1` or `ddbd_usage_summary =
  true`): what the run's requests would cost in DynamoDB (GET /ddbd/usage, docs/usage.md), a line a
  table. The per-test restore starts a table's figures again, so the plugin adds up each test's
  report before the restore. Not under pytest-xdist (its workers' output is not shown).
  `DDBD_USAGE_JSON=PATH` (or `ddbd_usage_json = PATH`) writes the run's report as JSON at the end,
  shaped as GET /ddbd/usage's (requests, units and cost by table, operation and access pattern, the
  warnings and hot partitions seen), for `ddb usage diff BASE.json HEAD.json` (docs/usage.md).
- Each test's own cost: the `ddbd` fixture sets a usage mark named by the test's node id after its
  restore, and `ddbd.usage(since=ddbd.test_mark)` is the report of what the test did so far
  (`ddbd.usage()`: the whole run's; POST /ddbd/usage/mark, GET /ddbd/usage?since=, docs/usage.md).

Enable it with `-p ddbd_pytest` or `pytest_plugins = ["ddbd_pytest"]` in conftest.py (or install
this folder: its entry point loads it). The binary is --ddbd-bin, $DDBD_BIN or `ddbd` on PATH.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

SNAPSHOT = "ddbd-pytest-baseline"
ACCOUNT = "000000000000"  # the account of any credentials without --auth
LISTENING = re.compile(rb"listening on http://[^ ]*:(\d+)")


class Clock:
    """The server's clock (docs/admin.md, "The clock"; POST/GET /ddbd/clock). Frozen, nothing that
    depends on it happens by itself (TTL, index lag, stale reads, replication lag, capacity refill,
    fault windows); each step answers after every background worker ran what came due meanwhile, in
    time order. It is the whole server's, in every namespace. Times are ms since the epoch."""

    def __init__(self, server):
        self.server = server
        self.froze = False  # this handle froze a clock that ran (the `ddbd` fixture runs it again)

    def state(self):
        """{"now": ms, "offset": ms, "frozen": bool}"""
        return self.server.admin("GET", "/ddbd/clock")

    def now(self):
        return self.state()["now"]

    def _move(self, **body):
        return self.server.admin("POST", "/ddbd/clock", body)["now"]

    def freeze(self):
        """Stops it where it stands; returns that time."""
        if not self.state()["frozen"]:
            self.froze = True
        return self._move(freeze=True)

    def run(self):
        """Lets it run again, on from where it stood; returns that time."""
        self.froze = False
        return self._move(run=True)

    def advance(self, ms):
        """Steps it ms forward (frozen or running), running what came due on the way, in order; returns
        the new time."""
        return self._move(advance=int(ms))

    def set(self, ms):
        """Moves it to ms since the epoch (frozen: it stays there); returns it."""
        return self._move(set=int(ms))


class Ddbd:
    """A running ddbd: its endpoint, the region (so the namespace) its clients use, and its admin
    endpoints (docs/admin.md)."""

    def __init__(self, argv, timeout=10.0):
        self.log = tempfile.TemporaryFile()
        self.binary = argv[0]
        self.region, self.namespace = "us-east-1", None  # the default namespace, a whole-store reset
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=self.log, stdin=subprocess.DEVNULL)
        self.endpoint = "http://127.0.0.1:%d" % self._wait_port(timeout)
        self._wait_ready(timeout)

    @classmethod
    def attach(cls, endpoint, region):
        """A worker's view of a server another process runs: its own namespace (region), no process."""
        self = cls.__new__(cls)
        self.log, self.proc, self.endpoint, self.binary = None, None, endpoint, None
        self.region, self.namespace = region, "%s:%s" % (ACCOUNT, region)
        return self

    def _wait_port(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.log.seek(0)
            found = LISTENING.search(self.log.read())
            if found:
                return int(found.group(1))
            if self.proc.poll() is not None:
                break
            time.sleep(0.005)
        self.stop()
        raise RuntimeError("ddbd did not start: %s" % self.output())

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:  # the line comes just before the loops serve
            try:
                with urllib.request.urlopen(self.endpoint + "/", timeout=1) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.005)
        raise RuntimeError("ddbd did not answer GET / within %.0f s: %s" % (timeout, self.output()))

    def admin(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.endpoint + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})  # docs/security.md
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.load(resp)

    def snapshot(self, name):
        """Saves this view's namespace (or, for the default one, the whole store) as `name`."""
        body = {"name": name} if self.namespace is None else {"name": name, "namespace": self.namespace}
        return self.admin("POST", "/ddbd/snapshots", body)

    def restore(self, name):
        return self.admin("POST", "/ddbd/snapshots/%s/restore" % name)

    def mark(self, name):
        """Sets the usage mark `name` now (POST /ddbd/usage/mark): usage(since=name) reads what
        happened after it. Marks are the whole server's: under xdist a report counts every worker's
        tables."""
        return self.admin("POST", "/ddbd/usage/mark", {"name": name})

    def usage(self, since=None):
        """The cost report (GET /ddbd/usage, docs/usage.md): the whole run's, or since a mark."""
        return self.admin("GET", "/ddbd/usage" + ("?since=" + urllib.parse.quote(since, safe="") if since else ""))

    def record(self, path, redact=None):
        """Starts recording every API request with its answer to `path`, a new file (POST
        /ddbd/record; docs/record-replay.md), its attribute values rewritten by `redact`'s rules if
        given; stop_recording() ends it. Recordings are the whole server's: under xdist one holds
        every worker's requests."""
        body = {"file": str(path)} if redact is None else {"file": str(path), "redact": redact}
        return self.admin("POST", "/ddbd/record", body)

    def stop_recording(self):
        """Stops the recording (DELETE /ddbd/record): every line is in the file when it returns."""
        return self.admin("DELETE", "/ddbd/record")

    def seed(self, *paths, params=None, omit=()):
        """Creates the tables (and puts the items) of seed files, templates included (CloudFormation,
        SAM, CDK's cdk.out, `terraform show -json`: docs/seeding.md), in this view's namespace:
        `ddbd --seed-requests` reads them as --seed would, and each request it prints is sent here.
        `params` ({name: value}) are the templates' parameters (--seed-param); `omit`, operations
        not sent, each named on stderr (a namespace snapshot cannot hold a table with point-in-time
        recovery on: omit=["UpdateContinuousBackups"] for the per-worker snapshots). Raises
        RuntimeError with ddbd's message when a file is refused, or with the API's error."""
        argv = [self.binary or _binary(None)]
        for p in paths:
            argv += ["--seed-requests", str(p)]
        for k, v in (params or {}).items():
            argv += ["--seed-param", "%s=%s" % (k, v)]
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        if proc.returncode != 0:
            raise RuntimeError("ddbd_pytest: the seed was refused:\n" + proc.stderr)
        for line in proc.stdout.splitlines():
            call = json.loads(line)
            if call["op"] in omit or "replica" in call:  # (a worker's namespace is one region's)
                sys.stderr.write("ddbd_pytest: %s of %s not sent (%s)\n" % (
                    call["op"], call["request"]["TableName"], "replica in " + call["replica"] if "replica" in call else "omit"))
            else:
                self.call(call["op"], call["request"])

    def call(self, op, request):
        """One DynamoDB request as JSON, signed for this view's region (the members whatever boto3's
        version knows); returns the answer, or raises RuntimeError with the API's error."""
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        req = AWSRequest("POST", self.endpoint + "/", data=json.dumps(request).encode(),
                         headers={"Content-Type": "application/x-amz-json-1.0",
                                  "X-Amz-Target": "DynamoDB_20120810." + op})
        SigV4Auth(Credentials("local", "local"), "dynamodb", self.region).add_auth(req)
        http = urllib.request.Request(req.url, data=req.body, method="POST", headers=dict(req.headers.items()))
        try:
            with urllib.request.urlopen(http, timeout=30) as resp:
                return json.load(resp)
        except urllib.error.HTTPError as e:
            raise RuntimeError("ddbd_pytest: %s %s: %s" % (op, request.get("TableName", ""), e.read().decode())) from None

    def faults(self, *faults, seed=None):
        """Injects faults (docs/testing.md, "Injected faults"), e.g. ddbd.faults({"operation": "PutItem",
        "table": "Orders", "error": "InternalServerError", "count": 3}); with no argument, lists those in
        force, each with its "remaining" count and the times it was "injected". Faults are the whole
        server's, in every namespace: the `ddbd` fixture clears them after a test that set some."""
        if not faults and seed is None:
            return self.admin("GET", "/ddbd/faults")["faults"]
        body = {"faults": list(faults)}
        if seed is not None:
            body["seed"] = seed
        self.faults_set = True
        return self.admin("POST", "/ddbd/faults", body)["faults"]

    def clear_faults(self):
        self.faults_set = False
        return self.admin("DELETE", "/ddbd/faults")

    @property
    def clock(self):
        """The server's clock (Clock): ddbd.clock.advance(60_000), ddbd.clock.now(), ..."""
        if getattr(self, "_clock", None) is None:
            self._clock = Clock(self)
        return self._clock

    def consistency(self, table, index_lag_ms=0, stale_reads_ms=0, seed=None):
        """Eventual consistency for `table` in this view's namespace (docs/testing.md): its GSIs see
        a write `index_lag_ms` later (a number, or "MIN-MAX" drawn per write), and eventually
        consistent reads may miss writes younger than `stale_reads_ms`; both 0 turn it off. The
        same seed gives the same draws (absent: the server's --consistency-seed)."""
        body = {"table": table if self.namespace is None else "%s|%s" % (self.namespace, table),
                "indexLagMs": index_lag_ms, "staleReadsMs": stale_reads_ms}
        if seed is not None:
            body["seed"] = seed
        if not hasattr(self, "_lagged"):
            self._lagged = set()
        self._lagged.add(table)  # the `ddbd` fixture turns it off after the test
        return self.admin("POST", "/ddbd/consistency", body)

    def consistency_reset(self):
        for table in list(getattr(self, "_lagged", ())):
            self.consistency(table)
        self._lagged = set()

    def client(self, service="dynamodb", **kwargs):
        """A boto3 client for this server and namespace (any credentials do; no retries hide an error)."""
        import boto3
        from botocore.config import Config
        kwargs.setdefault("config", Config(retries={"max_attempts": 0}))
        return boto3.client(service, endpoint_url=self.endpoint, region_name=self.region,
                            aws_access_key_id="local", aws_secret_access_key="local", **kwargs)

    def output(self):
        if self.log is None:
            return "(the server runs in the xdist controller)"
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def stop(self):
        """SIGTERM (a clean shutdown); returns the exit code (None: not this process's server)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def pytest_addoption(parser):
    parser.addoption("--ddbd-bin", default=None, help="the ddbd binary (default: $DDBD_BIN, else ddbd on PATH)")
    parser.addini("ddbd_args", "extra ddbd arguments (e.g. --seed fixtures/)", default="")
    parser.addini("ddbd_clock", "the server's clock at the start: running, frozen or frozen@MS (ddbd --clock; "
                  "docs/testing.md, \"The frozen clock\")", default="running")
    parser.addini("ddbd_usage_summary", "print what the run would cost in DynamoDB at its end (or DDBD_USAGE_SUMMARY=1)",
                  type="bool", default=False)
    parser.addini("ddbd_usage_json", "write the run's cost report as JSON to this path at its end (or "
                  "DDBD_USAGE_JSON=PATH), for `ddb usage diff`", default="")
    parser.addini("ddbd_shared", "one server for the run, a namespace per xdist worker (false: a server per worker)",
                  type="bool", default=True)


def _binary(config):
    path = (config.getoption("--ddbd-bin") if config else None) or os.environ.get("DDBD_BIN") or shutil.which("ddbd")
    if not path:
        raise RuntimeError("ddbd_pytest: no ddbd binary (give --ddbd-bin, set DDBD_BIN or put ddbd on PATH)")
    return path


def _start(config, shared):
    argv = [_binary(config), "--in-memory", "--admin", "--host", "127.0.0.1", "--port", "0"]
    clock = config.getini("ddbd_clock").strip()
    if clock and clock != "running":
        argv += ["--clock", clock]
    # the workers' regions (ddbd-gw0, ...) are no AWS region: --regions serves them beside AWS's
    shared_args = ["--namespaces", "--regions", "aws,ddbd-*"] if shared else []
    return Ddbd(argv + shared_args + config.getini("ddbd_args").split())


def _worker_region():
    return "ddbd-" + os.environ.get("PYTEST_XDIST_WORKER", "main")


class _Controller:
    """pytest-xdist's controller: starts the run's one server before the first worker and hands
    every worker its endpoint (or why it did not start); stops it when the run ends."""

    def __init__(self, config):
        self.config, self.server, self.error = config, None, None

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node):
        if self.server is None and self.error is None:
            try:
                self.server = _start(self.config, shared=True)
            except RuntimeError as e:
                self.error = str(e)
        node.workerinput["ddbd_endpoint"] = self.server.endpoint if self.server else None
        node.workerinput["ddbd_error"] = self.error

    def pytest_unconfigure(self):
        if self.server is not None:
            self.server.stop()


def pytest_configure(config):
    # -n N: pytest-xdist's controller (its option exists only with xdist installed)
    xdist_controller = not hasattr(config, "workerinput") and config.getoption("numprocesses", None)
    if xdist_controller and config.getini("ddbd_shared"):
        config.pluginmanager.register(_Controller(config), "ddbd_pytest_controller")


@pytest.fixture(scope="session")
def ddbd_server(pytestconfig):
    """The worker's server: a namespace of the run's shared server (its own server with
    ddbd_shared = false, or its own process's without xdist), stopped at the end by its owner."""
    shared = pytestconfig.getini("ddbd_shared")
    given = getattr(pytestconfig, "workerinput", {})
    if shared and given.get("ddbd_error"):
        pytest.fail(given["ddbd_error"], pytrace=False)
    try:
        own = None if shared and given.get("ddbd_endpoint") else _start(pytestconfig, shared)
    except RuntimeError as e:
        if str(e).startswith("ddbd_pytest:"):
            pytest.fail(str(e), pytrace=False)
        raise
    server = Ddbd.attach(own.endpoint if own else given["ddbd_endpoint"], _worker_region()) if shared else own
    try:
        server.binary = _binary(pytestconfig)  # (ddbd --seed-requests, for server.seed)
    except RuntimeError:
        pass  # (seed() says so if it is called)
    yield server
    _usage_tally(pytestconfig, server)
    if own is not None:
        own.stop()


# ---- the cost summary (opt-in) ----

MONTH_SECONDS = 730 * 3600  # as docs/usage.md's month


class _Usage:
    """The run's figures by table: /ddbd/usage read before each restore and after it, the
    difference added up (a whole-store restore starts a table's figures again, a namespace's keeps
    them: either way only what a test did is added). Besides the table's own figures, its
    operations' and access patterns', and the warnings and hot partitions the reports showed."""

    KEYS = (("read", "readUnits"), ("write", "writeUnits"), ("cost", "cost"))
    ROW = ("requests", "readUnits", "writeUnits", "cost")  # what adds up, in a table, operation or pattern

    def __init__(self):
        self.tables, self.base, self.window, self.region = {}, {}, 1.0, None
        self.rows, self.row_base = {}, {}  # (table, kind, name) -> {member: sum}, and the last look's
        self.warnings, self.hot = {}, {}   # by identity: the last seen of each

    def add(self, report):
        self.window, self.region = report["windowSeconds"], report.get("region")
        for t in report["tables"]:
            row = self.tables.setdefault(t["table"], {"read": 0.0, "write": 0.0, "cost": 0.0, "peak": 0.0})
            base = self.base.get(t["table"], {})
            for key, member in self.KEYS:
                now, before = t[member], base.get(key, 0.0)
                row[key] += now - before if now >= before else now  # smaller: the table was made again
            row["peak"] = max(row["peak"], t.get("provisionedAtPeak", {}).get("monthlyCost", 0.0))
        for key, now in self._rows(report).items():
            sums, before = self.rows.setdefault(key, dict.fromkeys(self.ROW, 0.0)), self.row_base.get(key, {})
            for m in self.ROW:
                sums[m] += now[m] - before.get(m, 0.0) if now[m] >= before.get(m, 0.0) else now[m]
        for w in report.get("warnings", []):
            self.warnings[(w["warning"], w["table"], w.get("index"))] = w
        for t in report.get("hotPartitions", {}).get("tables", []):
            for h in t.get("throttled", []):
                self.hot[(t["table"], h.get("index"), h["reason"], json.dumps(h.get("partitionKey")))] = (t["table"], h)
        self.rebase(report)

    def rebase(self, report):
        self.base = {t["table"]: {key: t[member] for key, member in self.KEYS} for t in report["tables"]}
        self.row_base = self._rows(report)

    def _rows(self, report):
        rows = {}
        for t in report["tables"]:
            rows[(t["table"], "table", "")] = {m: t.get(m, 0.0) for m in self.ROW}
            for o in t.get("operations", []):
                rows[(t["table"], "op", o["operation"])] = {m: o.get(m, 0.0) for m in self.ROW}
            for p in t.get("accessPatterns", []):
                rows[(t["table"], "pattern", p["pattern"])] = {m: p.get(m, 0.0) for m in self.ROW}
        return rows

    def report(self):
        """The run's report, shaped as GET /ddbd/usage's (the members `ddb usage diff` compares)."""
        def obj(key, name_member=None, name=None):
            r = dict(self.rows.get(key, dict.fromkeys(self.ROW, 0.0)))
            if r["requests"] > 0:
                r["costPer1000Requests"] = r["cost"] / r["requests"] * 1000
            r["monthlyCost"] = r["cost"] * MONTH_SECONDS / self.window
            return dict({name_member: name}, **r) if name_member else r
        tables = []
        for name in sorted(self.tables):
            t = dict({"table": name}, **obj((name, "table", "")))
            t["operations"] = [obj(k, "operation", k[2]) for k in sorted(self.rows) if k[0] == name and k[1] == "op"]
            t["accessPatterns"] = sorted((obj(k, "pattern", k[2]) for k in self.rows if k[0] == name and k[1] == "pattern"),
                                         key=lambda p: -p["cost"])
            tables.append(t)
        total = dict.fromkeys(self.ROW, 0.0)
        for t in tables:
            for m in self.ROW:
                total[m] += t[m]
        if total["requests"] > 0:
            total["costPer1000Requests"] = total["cost"] / total["requests"] * 1000
        total["monthlyCost"] = total["cost"] * MONTH_SECONDS / self.window
        hot = {}
        for table, h in self.hot.values():
            hot.setdefault(table, []).append(h)
        return {"region": self.region, "windowSeconds": self.window, "monthSeconds": MONTH_SECONDS,
                "projection": {"fromSeconds": self.window, "monthSeconds": MONTH_SECONDS,
                               "text": "the run's cost over its server's window, projected to a 730-hour month"},
                "tables": tables, "total": total, "warnings": list(self.warnings.values()),
                "hotPartitions": {"tables": [{"table": t, "throttled": hs} for t, hs in sorted(hot.items())]}}

    def lines(self):
        head = "%-28s %12s %12s %14s %14s %16s" % ("table", "read units", "write units", "on-demand $",
                                                   "$ a month", "provisioned $/mo")
        out = ["ddbd usage: what this run's requests would cost in DynamoDB (%s prices, docs/usage.md)"
               % (self.region or "?"), head]
        total = {"read": 0.0, "write": 0.0, "cost": 0.0, "peak": 0.0}
        for name in sorted(self.tables):
            row = self.tables[name]
            for k in total:
                total[k] += row[k]
            out.append(self._line(name, row))
        out.append(self._line("total", total))
        return out

    def _line(self, name, row):
        return "%-28s %12g %12g %14.8f %14.6f %16.6f" % (name[:28], row["read"], row["write"], row["cost"],
                                                         row["cost"] * MONTH_SECONDS / self.window, row["peak"])


def _usage_json(config):
    return os.environ.get("DDBD_USAGE_JSON", "") or config.getini("ddbd_usage_json")


def _usage_summary(config):
    return os.environ.get("DDBD_USAGE_SUMMARY", "") not in ("", "0") or config.getini("ddbd_usage_summary")


def _usage_wanted(config):
    return _usage_summary(config) or _usage_json(config)


def _usage_tally(config, server, rebase=False):
    """Adds what was done since the last look (rebase: only looks, after a restore); nothing
    unless the summary is asked for."""
    tally = getattr(config, "_ddbd_usage", None)
    if tally is not None:
        report = server.admin("GET", "/ddbd/usage")
        tally.rebase(report) if rebase else tally.add(report)


def pytest_sessionstart(session):
    if _usage_wanted(session.config) and not hasattr(session.config, "workerinput") \
            and not session.config.getoption("numprocesses", None):
        session.config._ddbd_usage = _Usage()


def pytest_terminal_summary(terminalreporter, config):
    tally = getattr(config, "_ddbd_usage", None)
    if tally is not None and tally.tables and _usage_summary(config):
        for line in tally.lines():
            terminalreporter.write_line(line)
    if tally is not None and _usage_json(config):
        with open(_usage_json(config), "w") as f:
            json.dump(tally.report(), f, indent=1)
        terminalreporter.write_line("ddbd usage: the run's report written to %s" % _usage_json(config))


@pytest.fixture(scope="session")
def ddbd_seed(ddbd_server):
    """Override (session scope) to create the tables and items every test starts from."""


@pytest.fixture(scope="session")
def ddbd_baseline(ddbd_server, ddbd_seed):
    name = SNAPSHOT + ("-" + ddbd_server.region if ddbd_server.namespace else "")
    ddbd_server.snapshot(name)
    return name


@pytest.fixture
def ddbd(ddbd_server, ddbd_baseline, pytestconfig, request):
    """The server, its worker's namespace restored to the state `ddbd_seed` left before this test
    (and the faults it injected cleared after it, and a clock it froze running again)."""
    _usage_tally(pytestconfig, ddbd_server)  # what the seed or the test before did
    ddbd_server.restore(ddbd_baseline)
    _usage_tally(pytestconfig, ddbd_server, rebase=True)
    ddbd_server.test_mark = request.node.nodeid
    ddbd_server.mark(ddbd_server.test_mark)  # ddbd.usage(since=ddbd.test_mark): this test's own cost
    yield ddbd_server
    if getattr(ddbd_server, "faults_set", False):
        ddbd_server.clear_faults()
    ddbd_server.consistency_reset()  # a test's eventual consistency ends with it
    if getattr(ddbd_server, "_clock", None) is not None and ddbd_server.clock.froze:
        ddbd_server.clock.run()  # a test that froze a running clock: it runs again (where it stood)
