"""Fixtures of the security suite (ctest label `security`): the compatibility suite's own.

tests/security/test_*.py try ddbd as an attacker would, on loopback only, through real clients
(boto3, raw HTTP; the JS and MCP SDKs from tests/js where named). Each case fails on a server
without the guardrail it names. The servers, clients and helpers are tests/compat/conftest.py's,
loaded under another module name (this file is `conftest` itself) and re-exported, so that a test
file's `from conftest import ...` finds them here.
"""
import importlib.util
import os
import sys

_COMPAT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "compat")
sys.path.insert(0, _COMPAT)  # compat's conftest imports its neighbours
_spec = importlib.util.spec_from_file_location("compat_conftest", os.path.join(_COMPAT, "conftest.py"))
_compat = importlib.util.module_from_spec(_spec)
sys.modules["compat_conftest"] = _compat
_spec.loader.exec_module(_compat)
globals().update({k: v for k, v in vars(_compat).items() if not k.startswith("__")})
