"""`ddb replay` holds bounded memory whatever the recording or the endpoint sends (issue 73, item 6;
client/cli/replay.c, include/ddb/ddb_pipe.h).

It read a line whole however long (a 400 MB line: 789 MB of RSS), an answer's head until its end
(an endless header: 443 MB, and no end), and read ahead 4,096 lines whatever their size (1.5 GB of
1 MB lines: 2.9 GB). Now a line past 40 MiB (DynamoDB's largest request and answer, 16 MiB each,
with room for the line's other members) is read through without being kept, reported unreadable
and the replay goes on (exit status 1); an answer's head past 64 KiB, or a Content-Length past 64
MiB, is a failed answer (a divergence with --check); and the lines read ahead, and those in flight,
hold 64 MiB each at most, a line's buffers given back once it is answered. Measured (release):
400 MB line 789 -> 46 MB; 1.5 GB of 1 MB lines 2,948 -> 142 MB; endless header: no end -> 7 MB.
"""
import json
import os
import subprocess
import threading
import time

from conftest import DDBD_BIN, proc_status_kb, rss_within
from helpers import LoopbackServer

DDB_BIN = os.environ.get("DDB_BIN") or os.path.join(os.path.dirname(DDBD_BIN), "ddb")
T0 = 1767225600000


def line(i, pad=0, conn="1"):
    req = {"TableName": "tbl", "Item": {"pk": {"S": "k%d" % i}, "v": {"S": "x" * pad}}}
    return ('{"v":1,"t":%d,"conn":"%s","start":%d,"end":%d,"op":"PutItem","request":%s,"status":200,'
            '"outcome":"ok","error":null,"response":{}}\n' % (T0, conn, 10 * i + 1, 10 * i + 5, json.dumps(req)))


class Answers(LoopbackServer):
    """Answers each request `{}`, or (endless) with a head that never ends: 200 header lines of
    1 MiB, then nothing, the connection held open."""

    def __init__(self, endless=False):
        self.endless = endless
        super().__init__()

    def serve(self, c):
        buf = b""
        while True:
            try:
                data = c.recv(1 << 20)
            except OSError:
                return
            if not data:
                return
            buf += data
            while (head_end := buf.find(b"\r\n\r\n")) >= 0:
                head = buf[:head_end].decode().lower().split("\r\n")
                clen = int([h.split(":", 1)[1] for h in head if h.startswith("content-length:")][0])
                if len(buf) < head_end + 4 + clen:
                    break
                buf = buf[head_end + 4 + clen:]
                try:
                    if self.endless:
                        c.sendall(b"HTTP/1.1 200 OK\r\n")
                        for _ in range(200):
                            c.sendall(b"X-Endless: " + b"a" * (1 << 20) + b"\r\n")
                        threading.Event().wait(600)
                        return
                    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\n\r\n{}")
                except OSError:
                    return


def replay(path, endpoint, *args):
    """(exit status, stdout, stderr, peak RSS in MB) of a `ddb replay`. The peak is its VmHWM, read
    while it runs (a child's ru_maxrss counts the forking test's own memory)."""
    p = subprocess.Popen([DDB_BIN, "replay", str(path), "--endpoint", endpoint, "--as-fast-as-possible"] + list(args),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = [0]

    def watch():
        while p.poll() is None:
            peak[0] = max(peak[0], proc_status_kb(p.pid, "VmHWM"))
            time.sleep(0.005)
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        out, err = p.communicate(timeout=120)  # (a hang fails the test, whatever the machine's speed)
    finally:
        p.kill()
    watcher.join()
    return p.returncode, out.decode(), err.decode(), peak[0] / 1024.0


def test_a_line_past_the_bound_is_unreadable_not_read(tmp_path):
    path = tmp_path / "long.jsonl"
    with open(path, "w") as f:
        f.write(line(0))
        f.write(line(1, 100 * 1000 * 1000))  # 100 MB
        f.write(line(2))
    srv = Answers()
    try:
        rc, out, err, rss = replay(path, srv.endpoint)
    finally:
        srv.close()
    assert rc == 1, (rc, out, err)
    assert "ddb: replay: line 2 is longer than 40 MiB (a request and its answer are at most 16 MiB each): " \
           "unreadable, not replayed" in err, err
    assert out.startswith("replayed 2 requests over 1 connection, 1 line unreadable (longer than 40 MiB)\n"), out
    assert rss_within(rss, 64), "a 100 MB line: %.0f MB" % rss


def test_an_endless_head_is_a_failed_answer(tmp_path):
    path = tmp_path / "one.jsonl"
    path.write_text(line(0))
    srv = Answers(endless=True)
    try:
        rc, out, err, rss = replay(path, srv.endpoint, "--check")
    finally:
        srv.close()
    assert rc == 1, (rc, out, err)
    assert "the answer's head is longer than 64 KiB" in out, out
    assert "replayed 1 request over 1 connection, 1 without an answer: 1 divergence" in out, out
    assert rss_within(rss, 64), "an endless head: %.0f MB" % rss


def test_lines_of_a_megabyte_are_held_a_window_at_a_time(tmp_path):
    path = tmp_path / "many.jsonl"
    with open(path, "w") as f:
        for i in range(250):  # 250 MB
            f.write(line(i, 1000 * 1000, conn=str(i % 8)))
    srv = Answers()
    try:
        rc, out, err, rss = replay(path, srv.endpoint)
    finally:
        srv.close()
    assert rc == 0, (rc, out, err)
    assert out.startswith("replayed 250 requests over 8 connections\n"), out
    assert rss_within(rss, 200), "250 lines of 1 MB: %.0f MB" % rss
