"""ddbd_pytest: a pytest plugin that runs tests against ddbd, reset to a known state per test.

- A server per session: `ddbd --in-memory --admin --port 0` on loopback, started once; the port it
  took is read from its "listening on" line (no free-port race), readiness is polled (GET / = 200).
- A snapshot per test: after the session's fixture data is loaded (override `ddbd_seed`), the
  store is saved once; the `ddbd` fixture restores it before every test that uses it (a few ms).
- Isolation between pytest-xdist workers: each worker is its own process with its own session, so
  it gets its own server. A restore resets a whole store, so workers must not share one.

Enable it with `-p ddbd_pytest` or `pytest_plugins = ["ddbd_pytest"]` in conftest.py (or install
this folder: its entry point loads it). The binary is --ddbd-bin, $DDBD_BIN or `ddbd` on PATH.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest

SNAPSHOT = "ddbd-pytest-baseline"
LISTENING = re.compile(rb"listening on http://[^ ]*:(\d+)")


class Ddbd:
    """A running ddbd: its endpoint, and its admin endpoints (docs/admin.md)."""

    def __init__(self, argv, timeout=10.0):
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=self.log, stdin=subprocess.DEVNULL)
        self.endpoint = "http://127.0.0.1:%d" % self._wait_port(timeout)
        self._wait_ready(timeout)

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
        req = urllib.request.Request(self.endpoint + path, data=data, method=method)
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.load(resp)

    def snapshot(self, name):
        return self.admin("POST", "/ddbd/snapshots", {"name": name})

    def restore(self, name):
        return self.admin("POST", "/ddbd/snapshots/%s/restore" % name)

    def client(self, service="dynamodb", **kwargs):
        """A boto3 client for this server (any credentials do; no retries hide an error)."""
        import boto3
        from botocore.config import Config
        kwargs.setdefault("config", Config(retries={"max_attempts": 0}))
        return boto3.client(service, endpoint_url=self.endpoint, region_name="us-east-1",
                            aws_access_key_id="local", aws_secret_access_key="local", **kwargs)

    def output(self):
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def stop(self):
        """SIGTERM (a clean shutdown); returns the exit code."""
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
    parser.addini("ddbd_args", "extra ddbd arguments (e.g. --seed fixtures/ --namespaces)", default="")


def _binary(config):
    path = config.getoption("--ddbd-bin") or os.environ.get("DDBD_BIN") or shutil.which("ddbd")
    if not path:
        pytest.fail("ddbd_pytest: no ddbd binary (give --ddbd-bin, set DDBD_BIN or put ddbd on PATH)", pytrace=False)
    return path


@pytest.fixture(scope="session")
def ddbd_server(pytestconfig):
    """The session's (the xdist worker's) server, stopped at the end."""
    argv = [_binary(pytestconfig), "--in-memory", "--admin", "--host", "127.0.0.1", "--port", "0"]
    server = Ddbd(argv + pytestconfig.getini("ddbd_args").split())
    yield server
    server.stop()


@pytest.fixture(scope="session")
def ddbd_seed(ddbd_server):
    """Override (session scope) to create the tables and items every test starts from."""


@pytest.fixture(scope="session")
def ddbd_baseline(ddbd_server, ddbd_seed):
    ddbd_server.snapshot(SNAPSHOT)
    return SNAPSHOT


@pytest.fixture
def ddbd(ddbd_server, ddbd_baseline):
    """The server, restored to the state `ddbd_seed` left before this test."""
    ddbd_server.restore(ddbd_baseline)
    return ddbd_server
