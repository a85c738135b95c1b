"""Compressed request bodies that inflate far past their size (issue 49, finding 4; docs/security.md,
"Connections and request bodies"): a 30 KB gzip body inflating to 15 MB held a loop 0.85 s and
left ~235 MB of RSS on its HTTP thread for good.

Each case checks DynamoDB's exact answer, and that ddbd's RSS (/proc/PID/status VmRSS) is back
within base + 64 MB a second after, with 4 HTTP threads and four such requests at once; then that
an item over 400 KB is refused without the time its tree took, and that inflated bytes count
against --max-pending-bodies.
"""
import gzip
import json
import socket
import threading
import time

import pytest

from conftest import (JSON_10, TARGET_PREFIX, make_client, proc_status_kb, raw_request, rss_mb, rss_within,
                      sign_headers, timing_holds, unique_name)
from helpers import connect, make_table

MB = 1 << 20
ITEM_TOO_BIG = ("com.amazon.coral.validate#ValidationException", "Item size has exceeded the maximum allowed size")


def list_item_body(table, mb=15):
    """A PutItem of one item whose list of 1.6 million one-letter strings makes a 15 MB body."""
    element = '{"S":"x"},'
    n = mb * MB // len(element)
    return ('{"TableName":"%s","Item":{"pk":{"S":"k"},"l":{"L":[' % table + element * (n - 1)
            + '{"S":"x"}]}}}').encode()


def string_item_body(table, mb=15):
    """A PutItem of one item holding a 15 MB string."""
    return ('{"TableName":"%s","Item":{"pk":{"S":"k"},"s":{"S":"' % table + "x" * (mb * MB) + '"}}}').encode()


def batch_of_full_items_body(table):
    """A BatchWriteItem of five valid items of 400 KB each, lists of 204,000 NULLs: a 14 MB body
    DynamoDB takes, whose every few bytes are a JSON node."""
    element = '{"NULL":true},'
    items = []
    for i in range(5):
        items.append('{"PutRequest":{"Item":{"pk":{"S":"full-%d"},"l":{"L":[' % i + element * 203999
                     + '{"NULL":true}]}}}}')
    return ('{"RequestItems":{"%s":[' % table + ",".join(items) + "]}}").encode()


def gzip_request(endpoint, op, raw):
    """One request whose body is `raw` gzipped (signed as sent, as the SDKs' compression does)."""
    return raw_request(endpoint, op, gzip.compress(raw, 9), headers={"Content-Encoding": "gzip"})


def at_once(n, fn):
    """fn() on n threads at once (n connections, spread over the server's HTTP threads); their results."""
    results = [None] * n

    def run(i):
        results[i] = fn()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def rss_back_within(pid, bound_mb, seconds=1.0):
    """ddbd's RSS, once it is under bound_mb or `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while True:
        rss = rss_mb(pid)
        if rss < bound_mb or time.monotonic() >= deadline:
            return rss
        time.sleep(0.05)


def bomb_server(server_factory, args=("--in-memory",)):
    server = server_factory(list(args) + ["--threads", "4"])
    table = unique_name("bomb")
    make_table(make_client(server.endpoint), table)
    return server, table


def check_memory_comes_back(server, op, body, expect_status, check_answer):
    compressed = gzip.compress(body, 9)
    assert len(compressed) < 40 * 1024 and len(body) > 14 * 1000 * 1000, (len(compressed), len(body))
    base = rss_mb(server.proc.pid)
    for _ in range(2):  # twice: each of the four threads may serve more than one
        answers = at_once(4, lambda: gzip_request(server.endpoint, op, body))
        for r in answers:
            assert r.status == expect_status, (r.status, r.body[:300])
            check_answer(r.json())
        rss = rss_back_within(server.proc.pid, base + 64)
        assert rss_within(rss, base + 64), "RSS %.0f MB a second after, from %.0f MB" % (rss, base)


def is_item_too_big(answer):
    assert (answer["__type"], answer["message"]) == ITEM_TOO_BIG, answer


def all_processed(answer):
    assert answer == {"UnprocessedItems": {}}, answer


@pytest.mark.timing
def test_gzip_bomb_of_a_list_item_is_refused_and_its_memory_comes_back(server_factory):
    server, table = bomb_server(server_factory)
    check_memory_comes_back(server, "PutItem", list_item_body(table), 400, is_item_too_big)


@pytest.mark.timing
def test_gzip_bomb_of_a_string_item_is_refused_and_its_memory_comes_back(server_factory):
    server, table = bomb_server(server_factory)
    check_memory_comes_back(server, "PutItem", string_item_body(table), 400, is_item_too_big)


@pytest.mark.timing
def test_a_valid_16_mb_compressed_batch_is_written_and_its_memory_comes_back(server_factory, tmp_path):
    # on disk (RocksDB): glibc's mmap threshold is its own there (main.c fixes it with --in-memory)
    server, table = bomb_server(server_factory, ("--data-dir", str(tmp_path / "data")))
    check_memory_comes_back(server, "BatchWriteItem", batch_of_full_items_body(table), 200, all_processed)
    item = make_client(server.endpoint).get_item(TableName=table, Key={"pk": {"S": "full-4"}})["Item"]
    assert len(item["l"]["L"]) == 204000


@pytest.mark.timing
def test_an_item_over_the_limit_does_not_hold_its_loop(server_factory):
    # one loop: four 15 MB items, refused as read (22 ms each here; the tree they built took 0.23-0.9 s each)
    server = server_factory(["--in-memory", "--threads", "1"])
    table = unique_name("bomb")
    make_table(make_client(server.endpoint), table)
    compressed = gzip.compress(list_item_body(table), 9)
    took = []
    for _ in range(4):
        t0 = time.monotonic()
        r = raw_request(server.endpoint, "PutItem", compressed, headers={"Content-Encoding": "gzip"})
        took.append(time.monotonic() - t0)
        assert r.status == 400 and (r.json()["__type"], r.json()["message"]) == ITEM_TOO_BIG, r.body[:300]
    assert timing_holds(sum(took) < 0.8), "four refused 15 MB items took %s s" % ["%.3f" % t for t in took]


def test_an_item_over_the_limit_in_a_plain_body_is_refused_the_same(server_factory):
    server = server_factory(["--in-memory"])
    table = unique_name("bomb")
    make_table(make_client(server.endpoint), table)
    r = raw_request(server.endpoint, "PutItem", string_item_body(table, mb=1))
    assert r.status == 400 and (r.json()["__type"], r.json()["message"]) == ITEM_TOO_BIG, r.body[:300]
    # an item just under the limit is stored, its text well over it (escapes)
    item = '{"TableName":"%s","Item":{"pk":{"S":"k"},"s":{"S":"%s"}}}' % (table, "\\u0041" * (400 * 1024 - 10))
    assert raw_request(server.endpoint, "PutItem", item.encode()).status == 200


def test_the_inflated_size_is_limited_as_a_plain_body_is(server_factory):
    server = server_factory(["--in-memory"])
    table = unique_name("bomb")
    make_table(make_client(server.endpoint), table)
    body = b'{"TableName":"%s","Key":{"pk":{"S":"k"}}}' % table.encode() + b" " * (16 * MB)
    r = gzip_request(server.endpoint, "GetItem", body)
    assert r.status == 413, r.body[:300]
    assert r.json() == {"__type": "com.amazon.coral.service#RequestEntityTooLargeException",
                        "message": "Request size exceeded 16777216 bytes"}


# ---- inflated bytes and --max-pending-bodies ----

def signed_bytes(endpoint, op, body, extra):
    hdrs = sign_headers(endpoint, body, dict({"Content-Type": JSON_10, "X-Amz-Target": TARGET_PREFIX + op}, **extra))
    host = endpoint.replace("http://", "")
    lines = ["POST / HTTP/1.1", "Host: " + host] + ["%s: %s" % (k, v) for k, v in hdrs.items()
                                                    if k.lower() not in ("host", "content-length")]
    lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def answered_within(s, seconds):
    """Whether an HTTP status line arrives on s within `seconds`."""
    s.settimeout(seconds)
    try:
        return s.recv(16).startswith(b"HTTP/1.1 ")
    except socket.timeout:
        return False


@pytest.mark.timing
def test_inflated_bytes_count_against_the_pending_body_bound(server_factory):
    # one loop, 8 MiB of pending bodies; a 12 KB gzip body inflating to 12 MB whose answer (4 MB) its
    # client does not read: until that answer is taken, its 12 MB count, and a 100 KB body waits
    server = server_factory(["--in-memory", "--threads", "1", "--max-pending-bodies", str(8 * MB),
                             "--max-unsent-bytes", str(64 * MB), "--request-timeout", "10"])
    table = unique_name("pending")
    ddb = make_client(server.endpoint)
    make_table(ddb, table)
    keys = []
    for i in range(12):
        ddb.put_item(TableName=table, Item={"pk": {"S": "big-%d" % i}, "p": {"S": chr(65 + i) * (350 * 1024)}})
        keys.append({"pk": {"S": "big-%d" % i}})
    raw = json.dumps({"RequestItems": {table: {"Keys": keys}}}).encode() + b" " * (12 * MB)
    reader = connect(server.endpoint, rcvbuf=4096)
    reader.sendall(signed_bytes(server.endpoint, "BatchGetItem", gzip.compress(raw, 9), {"Content-Encoding": "gzip"}))
    time.sleep(0.5)  # its answer is given, and not taken
    put = json.dumps({"TableName": table, "Item": {"pk": {"S": "after"}, "p": {"S": "y" * (100 * 1024)}}}).encode()
    writer = connect(server.endpoint)
    writer.sendall(signed_bytes(server.endpoint, "PutItem", put, {}))
    assert not answered_within(writer, 1.5), "a 100 KB body was admitted beside 12 MB inflated, past 8 MiB"
    reader.close()  # the inflated body's bytes are released with its connection
    assert answered_within(writer, 5), "the waiting body was not admitted once the room was there"
    writer.close()
    assert "Item" in ddb.get_item(TableName=table, Key={"pk": {"S": "after"}})


# ---- members the model does not have (issue 61, finding 2) ----

def numbers(mb=15):
    """A JSON array of one-digit numbers, `mb` MB of text: the cheapest bytes for the most nodes."""
    n = mb * 1000 * 1000 // 2
    return "[" + ",".join(["1"] * n) + "]"


def peak_growth_mb(server, send):
    """What send() adds to ddbd's peak RSS (VmHWM), in MB."""
    base = proc_status_kb(server.proc.pid, "VmHWM")
    send()
    return (proc_status_kb(server.proc.pid, "VmHWM") - base) / 1024.0


def test_an_unknown_member_of_15_mb_is_read_and_not_built(server_factory):
    # a 15 KB gzip body inflating to 15 MB of numbers in a member GetItem's model does not have: it
    # built a 300 MB tree (5.4 s of its loop on a loaded machine) that nothing read; DynamoDB
    # leaves such a member out as it deserializes, and answers the GetItem
    server = server_factory(["--in-memory", "--threads", "1"])
    table = unique_name("unknown")
    ddb = make_client(server.endpoint)
    make_table(ddb, table)
    ddb.put_item(TableName=table, Item={"pk": {"S": "k"}, "v": {"N": "7"}})
    body = ('{"TableName":"%s","Key":{"pk":{"S":"k"}},"Junk":%s}' % (table, numbers())).encode()
    assert len(gzip.compress(body, 9)) < 20 * 1024
    answers = []
    grew = peak_growth_mb(server, lambda: answers.extend(gzip_request(server.endpoint, "GetItem", body)
                                                          for _ in range(2)))
    for r in answers:
        assert r.status == 200, r.body[:300]
        assert r.json() == {"Item": {"pk": {"S": "k"}, "v": {"N": "7"}}}
    # the inflated body itself (15 MB) and the loop's buffers; its tree was 290 MB more
    assert rss_within(grew, 100), "the peak RSS grew %.0f MB" % grew


def test_an_unknown_member_inside_a_known_structure_is_not_built_either(server_factory):
    # PutItem's Expected: a map of ExpectedAttributeValue structures, one with a 15 MB member of its own
    server = server_factory(["--in-memory", "--threads", "1"])
    table = unique_name("unknown")
    ddb = make_client(server.endpoint)
    make_table(ddb, table)
    body = ('{"TableName":"%s","Item":{"pk":{"S":"k"}},"Expected":{"pk":{"Exists":false,"Junk":%s}},'
            '"ReturnConsumedCapacity":"TOTAL"}' % (table, numbers())).encode()
    answers = []
    grew = peak_growth_mb(server, lambda: answers.append(gzip_request(server.endpoint, "PutItem", body)))
    assert answers[0].status == 200, answers[0].body[:300]
    assert answers[0].json() == {"ConsumedCapacity": {"TableName": table, "CapacityUnits": 1.0}}
    assert rss_within(grew, 100), "the peak RSS grew %.0f MB" % grew
    # the condition held: a second one fails it
    r = gzip_request(server.endpoint, "PutItem", body)
    assert r.status == 400 and r.json()["__type"].endswith("#ConditionalCheckFailedException"), r.body[:300]
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "k"}})["Item"] == {"pk": {"S": "k"}}


def test_a_member_left_unbuilt_is_still_json_to_check(server_factory):
    # what is not built is read as every other part is: nested past 128 levels, or not JSON, it is
    # the body's SerializationException as before; a known member of the wrong type is refused by
    # its check, whatever the body's size
    server = server_factory(["--in-memory"])
    table = unique_name("unknown")
    make_table(make_client(server.endpoint), table)
    pad = '"Pad":"%s"' % ("x" * (64 * 1024))
    key = '"TableName":"%s","Key":{"pk":{"S":"k"}}' % table
    deep = "[" * 200 + "]" * 200
    for junk in (deep, "[1,2,", "[1 2]", '{"a":tru}'):
        r = raw_request(server.endpoint, "GetItem", ("{%s,%s,\"Junk\":%s}" % (key, pad, junk)).encode())
        assert r.status == 400 and r.json()["__type"] == "com.amazon.coral.service#SerializationException", \
            (junk[:20], r.body[:300])
    r = raw_request(server.endpoint, "GetItem", ("{%s,%s,\"ConsistentRead\":[1,2]}" % (key, pad)).encode())
    assert r.status == 400, r.body[:300]
    assert r.json()["__type"] == "com.amazon.coral.service#SerializationException", r.body[:300]
    # 127 levels deep is JSON, and left out
    ok = "[" * 126 + "]" * 126
    r = raw_request(server.endpoint, "GetItem", ("{%s,%s,\"Junk\":%s}" % (key, pad, ok)).encode())
    assert r.status == 200 and r.json() == {}, r.body[:300]
