"""The model-based test of the whole product (issue 72): random tables (key shapes, GSIs and LSIs
with their projections) and random sequences of every item, batch, transaction, Query and Scan
operation, against a ddbd started with a random combination of its modes, each answer checked
against a reference model written from DynamoDB's documentation (tests/model/*.py).

Budget: $DDB_MODEL_SECONDS of operations (default 120), $DDB_MODEL_OPS operations per server
(default 400). Seed: $DDB_MODEL_SEED, else the time; it is printed, and a failure prints its
shrunk sequence and the line that repeats it. bench/model_soak.py runs the same for hours.
$DDB_MODEL_TOLERATE skips the checks of named known defects (docs/testing.md, "The model-based
test"); CI sets none."""
import os
import time

import pytest

import driver


def test_random_sequences_match_the_model():
    master = int(os.environ.get("DDB_MODEL_SEED", int(time.time() * 1000) % (1 << 31)))
    seconds = float(os.environ.get("DDB_MODEL_SECONDS", "120"))
    per_run = int(os.environ.get("DDB_MODEL_OPS", "400"))
    print("model: DDB_MODEL_SEED=%d DDB_MODEL_OPS=%d, %.0f s of operations" % (master, per_run, seconds))
    checked, runs, failure = driver.campaign(master, seconds, per_run)
    print("model: %d operations checked in %d runs (seeds %d to %d)" % (checked, runs, master, master + runs - 1))
    if failure is not None:
        pytest.fail(failure, pytrace=False)
