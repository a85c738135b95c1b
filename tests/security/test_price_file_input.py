"""--price-file read as data from an operator who may point it anywhere (issue 61, item 6).

- A FIFO as the file: the open waited for a writer, so ddbd never started, and SIGTERM (blocked for
  the sigwait that comes later) did not end it. Anything but a regular file is refused at once.
- `0x10` and `1e308` passed as prices (strtod reads hexadecimal, exponents, inf and nan): 1e308
  made the report's sums inf. A price is digits with at most one '.', from 0 to 1000000.
Each refusal: exit status 1, nothing served, the file and what is wrong on stderr.
"""
import os
import subprocess
import time
import urllib.request

import pytest

from conftest import DDBD_BIN, free_port

HEAD = '#define DDB_PRICES_REGION "eu-west-1"\n#define DDB_PRICES_DATE "2026-11-26"\n#define DDB_PRICES_SOURCE "contract 42"\n'
STD = "X(STANDARD, 1.5, 3, 0.001, 0.002, 0.5, 3, 0.002, 0.4, 0.3, 0.2, 0.25, 0.35)\n"
IA = "X(STANDARD_INFREQUENT_ACCESS, 2, 4, 0.002, 0.004, 0.2, 4, 0.004, 0.4, 0.3, 0.2, 0.25, 0.35)\n"
NOT_A_PRICE = "not a price (a decimal number of dollars from 0 to 1000000, digits and one '.'): "


def start(path, timeout=10.0):
    """ddbd on --price-file `path`: (exit status, last stderr line) when it stops by itself, "started"
    when it serves GET /; fails the test when it does neither in `timeout` s (SIGTERM sent, then
    SIGKILL, and the test says which ended it)."""
    port = free_port()
    proc = subprocess.Popen([DDBD_BIN, "--in-memory", "--port", str(port), "--price-file", str(path)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().strip()
            return proc.returncode, err.splitlines()[-1] if err else ""
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=1) as r:
                if r.status == 200:
                    proc.kill()
                    proc.communicate()
                    return "started"
        except OSError:
            time.sleep(0.05)
    proc.terminate()
    try:
        proc.communicate(timeout=3)
        ended = "SIGTERM ended it"
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        ended = "SIGTERM did not end it either"
    pytest.fail("ddbd neither started nor stopped within %.0f s on --price-file %s; %s" % (timeout, path, ended))


def test_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "prices.fifo"
    os.mkfifo(fifo)
    code, line = start(fifo, timeout=5)
    assert code == 1, line
    assert line.endswith("--price-file: %s: not a regular file (a FIFO, a device or a directory is no price file)"
                         % fifo), line


@pytest.mark.parametrize("path", ["/dev/zero", "{tmp}"])
def test_a_device_or_directory_is_refused(tmp_path, path):
    path = path.format(tmp=tmp_path)
    code, line = start(path)
    assert code == 1, line
    assert line.endswith("--price-file: %s: not a regular file (a FIFO, a device or a directory is no price file)"
                         % path), line


@pytest.mark.parametrize("price", ["0x10", "1e308", "1E3", "inf", "nan", "1000000.01", "+1",
                                   "0" * 40, "１"])
def test_only_plain_decimal_prices_pass(tmp_path, price):
    path = tmp_path / "p.def"
    path.write_text(HEAD + STD.replace("1.5", price, 1) + IA)
    got = start(path)
    assert got != "started", "ddbd took %r as a price" % price
    code, line = got
    assert line.endswith("--price-file: %s:4: %sreadRequestUnitsPerMillion" % (path, NOT_A_PRICE)), line


@pytest.mark.parametrize("price", ["1000000", "0", ".5", "7.", "0.000000125"])
def test_plain_prices_in_bounds_still_pass(tmp_path, price):
    path = tmp_path / "p.def"
    path.write_text(HEAD + STD.replace("1.5", price, 1) + IA)
    assert start(path) == "started"
