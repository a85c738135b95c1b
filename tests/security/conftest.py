"""Fixtures of the security suite (ctest label `security`): the compatibility suite's own.

tests/security/test_*.py try ddbd as an attacker would, on loopback only, through real clients
(boto3, raw HTTP; the JS and MCP SDKs from tests/js where named). Each case fails on a server
without the guardrail it names. The servers, clients and helpers are tests/compat/conftest.py's.

pytest imports this file as the module `conftest`, so compat's is loaded under another name
(`compat_conftest`) and its names are re-exported from here: `from conftest import X` in a test
file gets compat's X.
"""
import importlib.util
import os
import sys

_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "compat", "conftest.py")
_spec = importlib.util.spec_from_file_location("compat_conftest", _path)
_compat = importlib.util.module_from_spec(_spec)
sys.modules["compat_conftest"] = _compat
_spec.loader.exec_module(_compat)
globals().update({k: v for k, v in vars(_compat).items() if not k.startswith("__")})
