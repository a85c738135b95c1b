"""Fixtures of the security suite (ctest label `security`): the compatibility suite's own.

tests/security/test_*.py try ddbd as an attacker would, on loopback only, through real clients
(boto3, raw HTTP; the JS and MCP SDKs from tests/js where named). Each case fails on a server
without the guardrail it names. The servers, clients and helpers are tests/compat/conftest.py's.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "compat"))

from conftest import *  # noqa: E402,F401,F403  (fixtures and helpers, re-exported for pytest)
from conftest import (ddbd_server, endpoint, server_factory, ddb, make_table,  # noqa: E402,F401
                      pytest_configure)
