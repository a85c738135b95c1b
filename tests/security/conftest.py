"""Fixtures of the security suite (ctest label `security`): the compatibility suite's own.

tests/security/test_*.py try ddbd as an attacker would, on loopback only, through real clients
(boto3, raw HTTP; the JS and MCP SDKs from tests/js where named). Each case fails on a server
without the guardrail it names. The servers, clients, fixtures and helpers are those of
tests/compat/conftest.py, loaded here under another module name and re-exported, so a test
imports them as `from conftest import DdbdServer, raw_request, ...`.
"""
import importlib.util
import os
import sys

_COMPAT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "compat")
sys.path.insert(0, _COMPAT)  # (its helper modules: auth_helpers, ...)
_spec = importlib.util.spec_from_file_location("compat_conftest", os.path.join(_COMPAT, "conftest.py"))
_compat = importlib.util.module_from_spec(_spec)
sys.modules["compat_conftest"] = _compat
_spec.loader.exec_module(_compat)

globals().update({k: v for k, v in vars(_compat).items() if not k.startswith("__")})
import helpers  # noqa: E402 (tests/harness/helpers.py, on the path compat's conftest set)

signed_call = helpers.signed_call  # (the security tests import it from here, as before)


def proc_status_kb(pid, field):
    """A /proc/PID/status figure in kB (VmRSS, VmHWM), or 0 when the process is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_mb(pid):
    """The process's VmRSS in MB (0 when it is gone)."""
    return proc_status_kb(pid, "VmRSS") / 1024.0


def numbers_list(n):
    """An attribute value's JSON text: a list of n numbers (a body that parses into many values)."""
    return '{"L":[' + ",".join(['{"N":"1"}'] * n) + "]}"


def _sanitized():
    """Whether $DDBD_BIN is built with AddressSanitizer (the test command's second pass): its shadow
    memory and its quarantine of freed blocks make RSS no measure of what ddbd holds."""
    try:
        with open(os.environ.get("DDBD_BIN", ""), "rb") as f:
            return b"__asan_init" in f.read()
    except OSError:
        return False


SANITIZED = _sanitized()


def timing_holds(ok):
    """A time or rate bound's check: ok, or true under the sanitizers (a Debug build under ASan runs
    several times slower and unevenly; the release pass holds the bounds, the sanitized one runs the
    same attacks for memory errors)."""
    return SANITIZED or ok


def rss_within(mb, bound_mb):
    """An RSS bound's check: mb < bound_mb, or true under the sanitizers (the release pass holds
    the bounds; the sanitized one checks the same attacks for memory errors)."""
    return SANITIZED or mb < bound_mb
