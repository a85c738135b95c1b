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
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update({k: str(v) for k, v in env.items()})
    try:
        return DdbdServer(rados_args(ns)).start()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
