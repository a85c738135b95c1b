"""Running ddbd and ddb under valgrind memcheck ($DDBD_VALGRIND=1; README.md, "Tests").

With $DDBD_VALGRIND set (not "" or "0"), wrap(name, argv) puts valgrind in front of a command line:
memcheck, failing with exit code 99 on any use of an uninitialised value, invalid read or write,
or definite leak, with the suppressions of tests/valgrind.supp (what is not ours), each process's
log in $DDBD_VALGRIND_LOGS (a temporary folder if unset). Without it, wrap returns argv unchanged.

The process's exit code alone is not enough: a test that stops a server and expects 0 sees 99, but
one that kills it, or expects another code, does not. So every wrapped process's log is kept, and
findings() reads those that are complete (valgrind writes "ERROR SUMMARY" last, at exit; a process
killed with SIGKILL never writes it and is not checked) and returns each log with errors once.
tests/compat/conftest.py calls it after every test and at the end of the session.
"""
import glob
import os
import re
import tempfile
import uuid

ENABLED = os.environ.get("DDBD_VALGRIND", "") not in ("", "0")
SUPPRESSIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "valgrind.supp")
# a process under memcheck runs 10 to 50 times slower: start-up and stop bounds grow by this
SLOWDOWN = 12 if ENABLED else 1

_logs = []       # the log-file patterns of every wrapped process, in start order
_checked = set()  # the logs already read to their ERROR SUMMARY
_dir = None


def _log_dir():
    global _dir
    if _dir is None:
        _dir = os.environ.get("DDBD_VALGRIND_LOGS") or tempfile.mkdtemp(prefix="ddbd-memcheck-")
        os.makedirs(_dir, exist_ok=True)
    return _dir


def wrap(name, argv):
    """argv under memcheck when enabled (name: the log's prefix, e.g. ddbd or ddb)."""
    if not ENABLED:
        return list(argv)
    # %p: the pid, so that a command started again (another port) has a log of its own
    pattern = os.path.join(_log_dir(), "%s-%s.%%p.log" % (name, uuid.uuid4().hex[:8]))
    _logs.append(pattern)
    return ["valgrind", "--tool=memcheck", "--error-exitcode=99", "--leak-check=full",
            "--show-leak-kinds=definite", "--errors-for-leak-kinds=definite", "--track-origins=yes",
            "--num-callers=30", "--suppressions=" + SUPPRESSIONS, "--log-file=" + pattern] + list(argv)


_SUMMARY = re.compile(r"ERROR SUMMARY: (\d+) errors")


def _report(text):
    """The log without valgrind's banner: the errors, their stacks and the summary."""
    lines = [re.sub(r"^==\d+== ?", "", l) for l in text.splitlines()]
    keep = [l for l in lines if not l.startswith(("Memcheck,", "Copyright", "Using Valgrind",
                                                 "Parent PID", "For lists", "Reachable blocks",
                                                 "To see them"))]
    return "\n".join(keep)


def findings():
    """[(log path, report)] of each process that exited since the last call with memcheck errors."""
    found = []
    for pattern in _logs:
        for path in sorted(glob.glob(pattern.replace("%p", "*"))):
            if path in _checked:
                continue
            with open(path, errors="replace") as f:
                text = f.read()
            m = _SUMMARY.search(text)
            if m is None:
                continue  # still running, or killed with SIGKILL (never checked)
            _checked.add(path)
            if int(m.group(1)):
                found.append((path, _report(text)))
    return found


def failure_text(found, limit=20000):
    """What a failing test prints: every log with errors, the last ones cut to `limit` characters."""
    text = "\n\n".join("memcheck errors in %s:\n%s" % (path, report) for path, report in found)
    return text if len(text) <= limit else text[:limit] + "\n[... cut: the whole logs are above]"
