#!/usr/bin/env python3
"""The grammar fuzzer of the expression language and PartiQL (tests/harness/grammar.py), as long as
asked: tests/security/test_grammar_fuzz.py runs it on three fixed seeds in CI; this runs any seed
for any time against a ddbd it starts on loopback, and prints what it found.

    bench/grammar_fuzz.py [--ddbd build/ddbd] [--seed N] [--seconds 600] [--store-args "--in-memory"]

Exit status 1 when an answer was not DynamoDB's kind (a 5xx, an unknown type, no answer) or the
server died; the first ones found are printed with the request that made them.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "harness"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "compat"))
import grammar  # noqa: E402
from conftest import free_port, make_client, raw_request  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ddbd", default=os.path.join(HERE, "..", "build", "ddbd"))
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--store-args", default="--in-memory")
    a = ap.parse_args()
    port = free_port()
    proc = subprocess.Popen([a.ddbd, "--port", str(port)] + shlex.split(a.store_args), stderr=subprocess.DEVNULL)
    endpoint = "http://127.0.0.1:%d" % port
    try:
        for _ in range(200):
            try:
                make_client(endpoint).list_tables()
                break
            except Exception:
                time.sleep(0.05)
        make_client(endpoint).create_table(**grammar.table_params("grammar"))
        gen, n, found, kinds = grammar.requests(a.seed, "grammar"), 0, [], {}
        deadline = time.monotonic() + a.seconds
        while time.monotonic() < deadline and len(found) < 10:
            op, body = next(gen)
            try:
                r = raw_request(endpoint, op, body)
                why = grammar.verdict(r.status, r.body)
                kinds[r.status] = kinds.get(r.status, 0) + 1
            except Exception as e:  # no answer within the client's 10 s
                why = "no answer: %s" % e
            if why is not None:
                found.append((n, op, why, json.dumps(body)[:2000]))
            if proc.poll() is not None:
                found.append((n, op, "the server exited with %s" % proc.returncode, json.dumps(body)[:2000]))
                break
            n += 1
        print("seed %d: %d requests in %.0f s, answers %s" % (a.seed, n, a.seconds, kinds))
        for f in found:
            print("request %d %s: %s\n  %s" % f)
        return 1 if found else 0
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    sys.exit(main())
