"""The memcheck harness has teeth (ctest memcheck.caught_unset_size): runs one black-box test under
$DDBD_VALGRIND against a ddbd armed with a deliberate bug (DDBD_BUG, server/base/faults.h) and
passes only if the run fails with the errors memcheck must report, each naming where it happened.

usage: memcheck_caught.py BUG TEST_NODE EXPECTED... (run in tests/compat; DDBD_BIN names the binary)
"""
import os
import subprocess
import sys


def main():
    bug, node, expected = sys.argv[1], sys.argv[2], sys.argv[3:]
    env = dict(os.environ, DDBD_VALGRIND="1", DDBD_BUG=bug)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", node],
                         capture_output=True, text=True, env=env, timeout=900)
    out = run.stdout + run.stderr
    missing = [e for e in expected if e not in out]
    if run.returncode == 0 or missing:
        print(out[-20000:])
        print("memcheck did not catch DDBD_BUG=%s: exit %d, missing %s" % (bug, run.returncode, missing))
        return 1
    print("caught DDBD_BUG=%s: %s" % (bug, ", ".join(expected)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
