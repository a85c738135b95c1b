"""The model-based test of the whole product (issue 72): random tables (key shapes, GSIs and LSIs
with their projections) and random sequences of every item, batch, transaction, Query and Scan
operation, against a ddbd started with a random combination of its modes, each answer checked
against a reference model written from DynamoDB's documentation (tests/model/*.py).

Budget: $DDB_MODEL_SECONDS of operations (default 120), or $DDB_MODEL_RUNS servers;
$DDB_MODEL_OPS operations per server (default 400). Seed: $DDB_MODEL_SEED, else the checkout's
commit with DDB_MODEL_SEED_FROM=commit (CI's: a new seed with every commit, the same for every run
of one), else the time; it is printed, and a failure prints its shrunk sequence and the line that
repeats it. bench/model_soak.py runs the same for hours.
Store: `--in-memory`, or $DDBD_STORE_ARGS and $DDBD_GATEWAYS as the compatibility suite takes them
(tests/rados/run.sh runs it on RADOS, two gateways): tests/model/backend.py.
$DDB_MODEL_TOLERATE skips the checks of named known defects (docs/testing.md, "The model-based
test"); CI sets none."""
import os
import subprocess
import time

import pytest

import backend
import driver


def commit_seed():
    """The checkout's commit, as a seed (DDB_MODEL_SEED_FROM=commit, CI's): each commit explores
    seeds of its own, and a run of one commit repeats exactly (the budget is then a count of runs,
    $DDB_MODEL_RUNS, not a time, so a slow machine checks the same seeds as a fast one)."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=os.path.dirname(os.path.abspath(__file__)),
                              capture_output=True, text=True, timeout=30).stdout.strip()
        return int(head[:8], 16) % (1 << 31) if head else None
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def test_random_sequences_match_the_model():
    seed = os.environ.get("DDB_MODEL_SEED")
    if seed is None and os.environ.get("DDB_MODEL_SEED_FROM") == "commit":
        seed = commit_seed()
    master = int(seed) if seed is not None else int(time.time() * 1000) % (1 << 31)
    runs_wanted = int(os.environ.get("DDB_MODEL_RUNS", "0"))
    seconds = float(os.environ.get("DDB_MODEL_SECONDS", "120")) if not runs_wanted else float("inf")
    per_run = int(os.environ.get("DDB_MODEL_OPS", "400"))
    print("model: DDB_MODEL_SEED=%d DDB_MODEL_OPS=%d, %s, %s" % (
        master, per_run, "%d runs" % runs_wanted if runs_wanted else "%.0f s of operations" % seconds,
        backend.describe()))
    checked, runs, failure = driver.campaign(master, seconds, per_run,
                                             max_ops=runs_wanted * per_run if runs_wanted else None)
    print("model: %d operations checked in %d runs (seeds %d to %d)" % (checked, runs, master, master + runs - 1))
    if failure is not None:
        pytest.fail(failure, pytrace=False)
