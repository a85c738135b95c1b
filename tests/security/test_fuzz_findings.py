"""What the shape-aware fuzzer (tests/js/shape_fuzz.mjs, issue 49) found outside the areas other
changes of issue 49 fix, each as the minimal request that once stopped the server.

- POST /ddbd/clock {"offset": 9223372036854775807} (or "advance"/"set" past it, or a 38-digit number,
  which strtoll clamps to the same): the next reading of the clock overflowed a signed 64-bit sum
  (server/base/clock.c), which the sanitizer build stops on. The admin API now refuses a clock
  before the epoch or past the end of year 9999, the clock left as it was.
"""
import json

import pytest

from conftest import DdbdServer, raw_request

CLOCK_MAX_MS = 253402300799999
REFUSED = {"message": "the clock must stay between the epoch and the end of year 9999 "
                      "(0 to 253402300799999 ms since the epoch)"}


@pytest.fixture(scope="module")
def admin_server():
    srv = DdbdServer(args=("--in-memory", "--admin")).start()
    yield srv
    srv.stop()


def clock(srv, body=None):
    r = raw_request(srv.endpoint, body=json.dumps(body) if isinstance(body, dict) else (body or b""),
                    method="POST" if body is not None else "GET", path="/ddbd/clock",
                    content_type="application/json", sign=False)
    return r.status, r.json()


@pytest.mark.parametrize("body", [
    '{"offset": 9223372036854775807}',
    '{"offset": 9223372036854775808}',
    '{"offset": 12345678901234567890123456789012345678}',
    '{"offset": -9223372036854775808}',
    '{"advance": 9223372036854775807}',
    '{"advance": -9223372036854775807}',
    '{"set": 9223372036854775807}',
    '{"set": -1}',
    '{"set": %d}' % (CLOCK_MAX_MS + 1),
])
def test_a_clock_past_its_range_is_refused_and_the_server_keeps_serving(admin_server, body):
    status, got = clock(admin_server, body.encode())
    assert (status, got) == (400, REFUSED)
    assert admin_server.proc.poll() is None, admin_server.stderr_text()[-2000:]
    status, now = clock(admin_server)
    assert status == 200 and now["offset"] == 0
    r = raw_request(admin_server.endpoint, "ListTables", {})
    assert r.status == 200
    assert "runtime error" not in admin_server.stderr_text()


def test_the_clock_moves_to_the_end_of_its_range_and_back(admin_server):
    status, got = clock(admin_server, {"set": CLOCK_MAX_MS})
    assert status == 200 and CLOCK_MAX_MS - 1000 <= got["now"] <= CLOCK_MAX_MS + 1000  # (it runs on)
    status, got = clock(admin_server, {"advance": 1000})
    assert (status, got) == (400, REFUSED)
    r = raw_request(admin_server.endpoint, "ListTables", {})
    assert r.status == 200
    status, got = clock(admin_server, {"offset": 0})
    assert status == 200 and got["offset"] == 0
