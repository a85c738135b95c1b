"""--seed reads only regular files, and only so much of them (docs/security.md, "Seed files").

A seed path that is a device (/dev/zero, through a symlink named like a seed file), a FIFO (which
has no writer: opening it for reading would wait for ever), a directory holding either, a file
larger than a seed file may be (a sparse one costs no disk) or a line longer than an item can be:
each is refused at start, before listening, with an error naming the path, and ddbd's memory stays
small. Every run is bounded in time: a server that hangs or keeps reading is killed and fails.
"""
import json
import os
import subprocess
import tempfile
import time

import pytest

from conftest import DDBD_BIN

TABLE = {"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST",
         "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
         "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}
TIMEOUT = 10.0          # seconds a refused seed may take to end start-up (it takes milliseconds)
MAX_RSS_KB = 200 * 1024  # ddbd's peak memory while refusing (it needs tens of MB)


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            return next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), 0)
    except OSError:
        return 0


def run_seed(path, max_rss_kb=MAX_RSS_KB, timeout=TIMEOUT):
    """Runs ddbd with --seed path; returns (exit code, stderr, peak RSS in KB). Killed, and the test
    failed, past `timeout` or once its memory passes max_rss_kb (a server that reads for ever)."""
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([DDBD_BIN, "--in-memory", "--host", "127.0.0.1", "--port", "0", "--seed", str(path)],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + timeout
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        while pid == 0 and time.monotonic() < deadline and rss_kb(proc.pid) < max_rss_kb:
            time.sleep(0.01)
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == 0:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    if pid == 0:
        pytest.fail("ddbd still starting after --seed %s: killed after %.1f s at %d MB\n%s"
                    % (path, timeout - (deadline - time.monotonic()), usage.ru_maxrss // 1024, text[-2000:]))
    return proc.returncode, text, usage.ru_maxrss


def assert_refused(path, message, line=None, max_rss_kb=MAX_RSS_KB):
    """ddbd exits at start with `message` about `path` (at `line`), having loaded nothing."""
    code, err, rss = run_seed(path, max_rss_kb)
    assert code != 0, err
    assert "seed: %s%s: %s" % (path, "" if line is None else ":%d" % line, message) in err, err
    assert "nothing was loaded" in err and "listening" not in err
    assert rss < max_rss_kb, "peak RSS %d MB" % (rss // 1024)
    return err


@pytest.mark.parametrize("name", ["zero.jsonl", "zero.json"])
def test_a_device_is_refused_and_a_link_to_a_file_read(server_factory, tmp_path, name):
    link = tmp_path / name
    link.symlink_to("/dev/zero")
    assert_refused(link, "not a regular file but a character device: a seed is a file, or a directory of files")
    # a symlink to a regular file is followed, as any seed user would expect
    real = tmp_path / "real.data"
    real.write_text(json.dumps(TABLE) if name.endswith(".json") else
                    json.dumps({"TableName": "tbl", "Item": {"pk": {"S": "k"}}}) + "\n")
    (tmp_path / "defs").mkdir()
    (tmp_path / "defs" / "tbl.json").write_text(json.dumps(TABLE))
    link.unlink()
    link.symlink_to(real)
    seeds = [str(link)] if name.endswith(".json") else [str(tmp_path / "defs"), str(link)]
    srv = server_factory(["--in-memory"] + [a for p in seeds for a in ("--seed", p)])
    assert "seed: 1 tables created" in srv.stderr_text()


def test_a_device_named_directly_is_refused(tmp_path):
    assert_refused("/dev/zero", "not a regular file but a character device")


@pytest.mark.parametrize("name", ["items.jsonl", "tables.json"])
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path, name):
    fifo = tmp_path / name
    os.mkfifo(fifo)
    assert_refused(fifo, "not a regular file but a FIFO")


def test_a_directory_holding_a_fifo_or_a_device_is_refused(tmp_path):
    d = tmp_path / "seed"
    d.mkdir()
    (d / "aaa.json").write_text(json.dumps({"TableName": "aaa", "BillingMode": "PAY_PER_REQUEST",
                                          "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                                          "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}))
    os.mkfifo(d / "aaa.jsonl")
    (d / "b.jsonl").symlink_to("/dev/zero")
    code, err, rss = run_seed(d)
    assert code != 0
    assert "seed: %s: not a regular file but a FIFO" % (d / "aaa.jsonl") in err, err
    assert "seed: %s: not a regular file but a character device" % (d / "b.jsonl") in err, err
    assert rss < MAX_RSS_KB


@pytest.mark.parametrize("name,size,limit", [("huge.jsonl", 64 << 30, "1 GiB"), ("huge.json", 1 << 30, "64 MiB")])
def test_a_huge_sparse_file_is_refused_unread(tmp_path, name, size, limit):
    f = tmp_path / name
    with open(f, "wb") as out:
        out.truncate(size)  # sparse: no disk used
    err = assert_refused(f, "%d bytes, more than a seed" % size)
    assert "(%s): split it into several files in a directory" % limit in err


def test_a_line_longer_than_an_item_can_be_is_refused(server_factory, tmp_path):
    f = tmp_path / "tbl.jsonl"
    with open(f, "w") as out:
        out.write('{"pk": {"S": "fine"}}\n')
        out.write('{"pk": {"S": "%s"}}\n' % ("x" * (5 << 20)))  # valid JSON, but no item is that large
        out.write('{"pk": {"S": "after"}}\n')
    assert_refused(f, "a line longer than 4 MiB (one item a line, and an item is at most 400 KB); "
                      "the rest of the file was not read", line=2)
    # and a line of an item at DynamoDB's size limit is read:
    (tmp_path / "tbl.json").write_text(json.dumps(TABLE))
    # 390 KB of control characters, each written \\u0001: 2.3 MB of JSON for one item
    f.write_text('{"pk": {"S": "k"}, "v": {"S": "%s"}}\n' % ("\\u0001" * (390 * 1024)))
    srv = server_factory(["--in-memory", "--seed", str(tmp_path)], timeout=30)
    assert "seed: 1 tables created, 0 kept, 1 items written" in srv.stderr_text()


def test_a_sparse_file_of_one_endless_line_is_refused_with_little_memory(tmp_path):
    f = tmp_path / "zeros.jsonl"
    with open(f, "wb") as out:
        out.truncate(900 << 20)  # under the file limit: read until the line is too long, no further
    assert_refused(f, "a line longer than 4 MiB", line=1, max_rss_kb=100 * 1024)
