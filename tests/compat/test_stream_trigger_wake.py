"""A commit wakes its stream trigger at once (issue 45's "wake-up on commit"): a latency of real
time, so a timing test (tests/tests.cmake's DDB_TIMING_TESTS: run alone, RUN_SERIAL). The rest of
the triggers' behaviour, on the frozen clock, is test_stream_triggers.py's.
"""
import time

from conftest import N, S, make_client
from test_stream_triggers import Function, create


def test_a_commit_wakes_its_trigger_at_once(server_factory):
    # the trigger's worker polls every 50 ms; the commit that writes the records wakes it (issue 45's
    # "wake-up on commit"), so a record reaches the function within a few ms of its write's answer,
    # not after half a poll on average (25 ms)
    fn = Function()
    try:
        server = server_factory(["--in-memory", "--stream-trigger", "wake=%s,batch=10" % fn.url])
        client = make_client(server.endpoint)
        create(client, "wake")
        lags = []
        for i in range(30):
            client.put_item(TableName="wake", Item={"pk": S("k%d" % i), "v": N(0)})
            answered = time.monotonic()
            fn.wait_for(i + 1)
            lags.append(fn.arrived[i] - answered)
            time.sleep(0.013 * (i % 4))  # the puts fall on every phase of the poll
        lags.sort()
        assert lags[len(lags) // 2] < 0.010, "median lag %.1f ms: %s" % (lags[len(lags) // 2] * 1000, lags)
    finally:
        fn.close()
