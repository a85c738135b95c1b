"""What the RADOS test files share (test_rados_*.py): their skip when no loopback cluster is
configured, and gateways of their own, ddbd processes on a pool namespace of the test's own,
started with environment settings (crash and delay points, leases) for that process only.

tests/rados/run.sh points them at a cluster through DDBD_STORE_ARGS (`--backend rados ...`).
"""
import os

import pytest

from conftest import DdbdServer

STORE_ARGS = os.environ.get("DDBD_STORE_ARGS", "")

needs_cluster = pytest.mark.skipif("--backend rados" not in STORE_ARGS,
                                   reason="needs a loopback Ceph cluster (tests/rados/run.sh)")


def rados_args(ns):
    """The session's --backend rados arguments with the pool namespace `ns`."""
    args = STORE_ARGS.split()
    args[args.index("--rados-pool") + 1] = "ddbd/" + ns
    return args


def rados_conf():
    args = STORE_ARGS.split()
    return args[args.index("--rados-conf") + 1]


def gateway(ns, **env):
    """A started ddbd on namespace `ns`, with the environment variables `env` (name=value) set for it."""
    return DdbdServer(rados_args(ns), env=env).start()
