"""Fixtures of the model-based test (ctest model.random, label model): the compatibility suite's
own, loaded from tests/compat/conftest.py under another module name (as tests/security does), so
its DdbdServer, and the wrappers it applies ($DDBD_BIN, the memcheck prefix), start these servers."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import driver  # noqa: E402

globals().update({k: v for k, v in vars(driver.compat()).items() if not k.startswith("__")})
