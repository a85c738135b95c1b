#!/usr/bin/env python3
"""Run the shared startup.py (../shared/bench/startup.py) so that SIGTERM/SIGINT/SIGHUP
still stop the server it spawned.

usage: startup_run.py SHARED_BENCH_DIR 'START CMD' PORT [startup.py args ...]

startup.py stops its server in a `finally:` block, which Python skips when the process
is killed by a signal's default action (e.g. when `timeout` sends SIGTERM).  Here those
signals raise SystemExit instead, so the `finally:` runs and the spawned process group
is terminated.
"""
import os
import runpy
import signal
import sys


def _bye(signum, frame):
    raise SystemExit(128 + signum)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    shared = sys.argv[1]
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, _bye)
    script = os.path.join(shared, "startup.py")
    sys.path.insert(0, shared)
    sys.argv = [script] + sys.argv[2:]
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
