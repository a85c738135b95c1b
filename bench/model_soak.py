#!/usr/bin/python3
"""bench/model_soak.py: the model-based test (tests/model/, ctest model.random) for hours: seeds
SEED, SEED+1, ... each on a fresh ddbd with DDB_MODEL_OPS operations, until --ops operations are
checked or --hours have passed; progress every --every seconds; the first mismatch is shrunk and
printed with the line that repeats it (exit 1).

  DDBD_BIN=build/ddbd bench/model_soak.py --ops 1000000 [--hours 8] [--seed N] [--per-run 2000]
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "model"))
os.environ.setdefault("DDBD_BIN", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "ddbd"))
import driver  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ops", type=int, default=1000000)
    ap.add_argument("--hours", type=float, default=24)
    ap.add_argument("--seed", type=int, default=int(time.time() * 1000) % (1 << 31))
    ap.add_argument("--per-run", type=int, default=2000)
    ap.add_argument("--every", type=float, default=60)
    args = ap.parse_args()
    print("model soak: DDB_MODEL_SEED=%d DDB_MODEL_OPS=%d, up to %d operations or %.1f h"
          % (args.seed, args.per_run, args.ops, args.hours), flush=True)
    t0 = time.monotonic()
    checked = runs = 0
    seed = args.seed
    while checked < args.ops and time.monotonic() - t0 < args.hours * 3600:
        c, r, failure = driver.campaign(seed, args.every, args.per_run, max_ops=args.ops - checked)
        checked += c
        runs += r
        seed += r
        print("%8.0f s: %d operations checked, %d runs, 0 differences" % (time.monotonic() - t0, checked, runs), flush=True)
        if failure is not None:
            print(failure, flush=True)
            print("model soak: a difference after %d operations" % checked, flush=True)
            return 1
    print("model soak: %d operations checked in %d runs (seeds %d to %d), 0 differences"
          % (checked, runs, args.seed, seed - 1), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
