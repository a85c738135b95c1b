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
