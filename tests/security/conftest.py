"""Fixtures of the security suite (ctest label `security`): the compatibility suite's own.

tests/security/test_*.py try ddbd as an attacker would, on loopback only, through real clients
(boto3, raw HTTP; the JS and MCP SDKs from tests/js where named). Each case fails on a server
without the guardrail it names. The servers, clients and helpers are tests/compat/conftest.py's.
"""
import os
import sys

import importlib.util

COMPAT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "compat")
sys.path.insert(0, COMPAT)

# Loaded under a name of its own: this file is the module "conftest" here, so `from conftest import`
# would import this file itself (a circular import). Its names, fixtures and pytest_configure
# included, become this module's, so test files import them from conftest as compat's do.
_spec = importlib.util.spec_from_file_location("compat_conftest", os.path.join(COMPAT, "conftest.py"))
_compat = importlib.util.module_from_spec(_spec)
sys.modules["compat_conftest"] = _compat
_spec.loader.exec_module(_compat)
globals().update({k: v for k, v in vars(_compat).items() if not k.startswith("__")})
