"""GET /metrics: Prometheus' text format (0.0.4) on the API port: requests by operation and
outcome, errors by __type, a latency histogram per operation, open connections, tables, and
RocksDB's memory, cache and compaction figures."""
import re
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import make_client

LINE = re.compile(r'^([a-z_]+)(\{[^}]*\})? (\S+)$')


def scrape(endpoint):
    with urllib.request.urlopen(endpoint + "/metrics", timeout=5) as r:
        assert r.status == 200
        assert r.headers["Content-Type"] == "text/plain; version=0.0.4"
        text = r.read().decode()
    samples = {}
    for line in text.splitlines():
        if line.startswith("#"):
            assert re.match(r"^# (HELP|TYPE) ddbd_[a-z_]+ ", line), line
            continue
        m = LINE.match(line)
        assert m, line
        samples[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return samples


def test_metrics_count_requests_errors_and_latency(server_factory):
    srv = server_factory(["--in-memory"])
    ddb = make_client(srv.endpoint)
    ddb.create_table(TableName="metrics_t", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    for i in range(5):
        ddb.put_item(TableName="metrics_t", Item={"pk": {"S": str(i)}})
    for _ in range(3):
        with pytest.raises(ClientError):
            ddb.get_item(TableName="metrics_nope", Key={"pk": {"S": "a"}})
    s = scrape(srv.endpoint)
    assert s['ddbd_requests_total{operation="PutItem",outcome="ok"}'] == 5
    assert s['ddbd_requests_total{operation="GetItem",outcome="error"}'] == 3
    assert s['ddbd_errors_total{type="ResourceNotFoundException"}'] == 3
    assert s['ddbd_request_duration_seconds_count{operation="PutItem"}'] == 5
    assert s['ddbd_request_duration_seconds_bucket{operation="PutItem",le="+Inf"}'] == 5
    buckets = [v for k, v in s.items() if k.startswith('ddbd_request_duration_seconds_bucket{operation="PutItem"')]
    assert buckets == sorted(buckets)  # cumulative
    assert 0 < s['ddbd_request_duration_seconds_sum{operation="PutItem"}'] < 5
    assert s["ddbd_tables"] == 1
    assert s["ddbd_connections"] >= 1
    for gauge in ("ddbd_store_memtable_bytes", 'ddbd_store_cache_bytes{cache="block"}',
                  'ddbd_store_cache_bytes{cache="row"}', "ddbd_store_pending_compaction_bytes",
                  "ddbd_store_write_stopped"):
        assert gauge in s, gauge
    assert s["ddbd_store_memtable_bytes"] > 0
    assert s["ddbd_store_write_stopped"] == 0


def table_params(name, gsi=False):
    params = dict(TableName=name, BillingMode="PAY_PER_REQUEST",
                  AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                        {"AttributeName": "g", "AttributeType": "S"}],
                  KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    if gsi:
        params["GlobalSecondaryIndexes"] = [{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                             "Projection": {"ProjectionType": "ALL"}}]
    else:
        params["AttributeDefinitions"] = params["AttributeDefinitions"][:1]
    return params


def units(resp, kind, into):
    """Adds a response's ConsumedCapacity (TOTAL) to into[(table, kind)]."""
    cc = resp.get("ConsumedCapacity")
    for c in (cc if isinstance(cc, list) else [cc] if cc else []):
        into[(c["TableName"], kind)] = into.get((c["TableName"], kind), 0) + c["CapacityUnits"]


def table_figures(s, name):
    return (s['ddbd_table_items{table="%s"}' % name], s['ddbd_table_size_bytes{table="%s"}' % name],
            s['ddbd_consumed_capacity_units_total{table="%s",kind="read"}' % name],
            s['ddbd_consumed_capacity_units_total{table="%s",kind="write"}' % name])


def test_metrics_per_table_items_bytes_and_consumed_capacity(server_factory):
    """Items and bytes per table equal DescribeTable's exact ItemCount and TableSizeBytes after
    puts, overwrites, updates, deletes, batches and transactions; consumed units per table equal
    the sum of what the responses reported (asked for with TOTAL), read and write apart, also for
    the calls that did not ask (they are charged all the same)."""
    srv = server_factory(["--in-memory"])
    ddb = make_client(srv.endpoint)
    ddb.create_table(**table_params("mt_a", gsi=True))
    ddb.create_table(**table_params("mt_b"))
    used = {}
    T = {"ReturnConsumedCapacity": "TOTAL"}
    for i in range(20):
        units(ddb.put_item(TableName="mt_a", Item={"pk": {"S": "k%d" % i}, "g": {"S": "g%d" % (i % 3)},
                                                    "v": {"S": "x" * (100 * i)}}, **T), "write", used)
    units(ddb.put_item(TableName="mt_a", Item={"pk": {"S": "k1"}, "v": {"S": "y" * 3000}}, **T), "write", used)
    units(ddb.update_item(TableName="mt_a", Key={"pk": {"S": "k2"}}, UpdateExpression="SET w = :w",
                          ExpressionAttributeValues={":w": {"N": "12345"}}, **T), "write", used)
    units(ddb.delete_item(TableName="mt_a", Key={"pk": {"S": "k3"}}, **T), "write", used)
    units(ddb.delete_item(TableName="mt_a", Key={"pk": {"S": "absent"}}, **T), "write", used)
    units(ddb.batch_write_item(RequestItems={
        "mt_a": [{"PutRequest": {"Item": {"pk": {"S": "b%d" % i}}}} for i in range(5)]
                + [{"DeleteRequest": {"Key": {"pk": {"S": "k4"}}}}],
        "mt_b": [{"PutRequest": {"Item": {"pk": {"S": "b%d" % i}, "v": {"S": "z" * 2000}}}} for i in range(7)]}, **T),
        "write", used)
    units(ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": "mt_b", "Item": {"pk": {"S": "t1"}}}},
        {"Delete": {"TableName": "mt_b", "Key": {"pk": {"S": "b0"}}}},
        {"ConditionCheck": {"TableName": "mt_a", "Key": {"pk": {"S": "k5"}},
                            "ConditionExpression": "attribute_exists(pk)"}}], **T), "write", used)
    # a failed condition writes nothing and is charged all the same: the existing item's size, at
    # least one unit (the developer guide's conditional writes); the error reports no capacity
    with pytest.raises(ClientError) as e:
        ddb.put_item(TableName="mt_b", Item={"pk": {"S": "t1"}}, ConditionExpression="attribute_not_exists(pk)", **T)
    assert "ConsumedCapacity" not in e.value.response
    used[("mt_b", "write")] = used.get(("mt_b", "write"), 0) + 1
    with pytest.raises(ClientError):  # 2,000 bytes and more: 2 units
        ddb.delete_item(TableName="mt_b", Key={"pk": {"S": "b3"}}, ConditionExpression="attribute_not_exists(pk)")
    used[("mt_b", "write")] += 2
    units(ddb.get_item(TableName="mt_a", Key={"pk": {"S": "k19"}}, **T), "read", used)
    units(ddb.get_item(TableName="mt_a", Key={"pk": {"S": "k19"}}, ConsistentRead=True, **T), "read", used)
    units(ddb.batch_get_item(RequestItems={"mt_b": {"Keys": [{"pk": {"S": "b1"}}, {"pk": {"S": "b2"}}]}}, **T),
          "read", used)
    units(ddb.query(TableName="mt_a", KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": {"S": "k7"}}, **T), "read", used)
    units(ddb.query(TableName="mt_a", IndexName="by_g", KeyConditionExpression="g = :g",
                    ExpressionAttributeValues={":g": {"S": "g1"}}, **T), "read", used)
    units(ddb.scan(TableName="mt_b", **T), "read", used)
    units(ddb.transact_get_items(TransactItems=[{"Get": {"TableName": "mt_b", "Key": {"pk": {"S": "t1"}}}}], **T),
          "read", used)
    # charged without ReturnConsumedCapacity too: the same calls again, then their units counted twice
    before = scrape(srv.endpoint)
    ddb.get_item(TableName="mt_a", Key={"pk": {"S": "k19"}})
    ddb.put_item(TableName="mt_b", Item={"pk": {"S": "quiet"}})
    s = scrape(srv.endpoint)
    assert table_figures(s, "mt_a")[2] == table_figures(before, "mt_a")[2] + 0.5
    assert table_figures(s, "mt_b")[3] == table_figures(before, "mt_b")[3] + 1
    for name in ("mt_a", "mt_b"):
        d = ddb.describe_table(TableName=name)["Table"]
        items, size, read, write = table_figures(s, name)
        assert (items, size) == (d["ItemCount"], d["TableSizeBytes"]), name
        assert read == used.get((name, "read"), 0) + (0.5 if name == "mt_a" else 0), name
        assert write == used.get((name, "write"), 0) + (1 if name == "mt_b" else 0), name
    assert table_figures(s, "mt_a")[0] == 20 - 2 + 5      # k3 and k4 deleted, b0..b4 added
    assert table_figures(s, "mt_b")[0] == 7 - 1 + 1 + 1  # b0 deleted, t1 and quiet added
    assert used[("mt_a", "read")] > 0 and used[("mt_b", "write")] > 0
    # a deleted table leaves the figures; its name no longer appears
    ddb.delete_table(TableName="mt_b")
    s = scrape(srv.endpoint)
    assert 'ddbd_table_items{table="mt_b"}' not in s
    assert 'ddbd_table_items{table="mt_a"}' in s


def test_metrics_tables_counted_after_restart_and_kept_exact_under_writes(server_factory, tmp_path):
    """A table that existed at start is counted by the first scrape (one pass), exactly, even
    with writes running while it counts; the mutation pipeline keeps the count from then on."""
    import threading
    data = str(tmp_path / "data")
    srv = server_factory(["--data-dir", data])
    ddb = make_client(srv.endpoint)
    ddb.create_table(**table_params("mt_r"))
    for start in range(0, 3000, 25):
        ddb.batch_write_item(RequestItems={"mt_r": [{"PutRequest": {"Item": {"pk": {"S": "k%d" % i},
                                                                             "v": {"S": "v" * (i % 50)}}}}
                                                    for i in range(start, start + 25)]})
    assert srv.stop() == 0
    srv = server_factory(["--data-dir", data])
    ddb = make_client(srv.endpoint)
    stop = threading.Event()

    def writer(n):
        c = make_client(srv.endpoint)
        i = 0
        while not stop.is_set() or i < 50:
            c.put_item(TableName="mt_r", Item={"pk": {"S": "w%d_%d" % (n, i)}, "v": {"S": "x" * i}})
            c.delete_item(TableName="mt_r", Key={"pk": {"S": "k%d" % (n * 1000 + i)}})
            i += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    first = scrape(srv.endpoint)  # counts while the writers run
    stop.set()
    for t in threads:
        t.join()
    assert first['ddbd_table_items{table="mt_r"}'] > 0
    s = scrape(srv.endpoint)
    d = ddb.describe_table(TableName="mt_r")["Table"]
    assert s['ddbd_table_items{table="mt_r"}'] == d["ItemCount"]
    assert s['ddbd_table_size_bytes{table="mt_r"}'] == d["TableSizeBytes"]
    assert d["ItemCount"] == 3000  # each writer added as many items as it deleted


def test_metrics_block_and_row_cache_hits_and_misses(server_factory, tmp_path):
    """RocksDB's cache lookups: reads of flushed data after a restart miss first, then hit; the
    counters only grow, and the ratio is hits over lookups."""
    data = str(tmp_path / "data")
    srv = server_factory(["--data-dir", data])
    ddb = make_client(srv.endpoint)
    ddb.create_table(**table_params("mt_c"))
    for i in range(50):
        ddb.put_item(TableName="mt_c", Item={"pk": {"S": "k%d" % i}})
    assert srv.stop() == 0
    srv = server_factory(["--data-dir", data])
    ddb = make_client(srv.endpoint)
    s0 = scrape(srv.endpoint)
    for _ in range(3):
        for i in range(50):
            assert "Item" in ddb.get_item(TableName="mt_c", Key={"pk": {"S": "k%d" % i}})
    s1 = scrape(srv.endpoint)
    for cache in ("block", "row"):
        hits = s1['ddbd_store_cache_hits_total{cache="%s"}' % cache]
        misses = s1['ddbd_store_cache_misses_total{cache="%s"}' % cache]
        assert hits >= s0['ddbd_store_cache_hits_total{cache="%s"}' % cache]
        assert misses >= s0['ddbd_store_cache_misses_total{cache="%s"}' % cache]
        if hits + misses:
            assert s1['ddbd_store_cache_hit_ratio{cache="%s"}' % cache] == pytest.approx(hits / (hits + misses), abs=1e-5)
    # the same 50 keys read three times: the row cache answers the repeats
    assert s1['ddbd_store_cache_hits_total{cache="row"}'] - s0['ddbd_store_cache_hits_total{cache="row"}'] >= 50
    assert s1['ddbd_store_cache_misses_total{cache="block"}'] > 0
    assert s1["ddbd_store_write_stall_seconds_total"] == 0
    assert s1["ddbd_store_write_delayed"] == 0


def test_metrics_histograms_consistent_with_counts(server_factory):
    """Per operation: buckets cumulative, +Inf equals _count equals requests (ok + error), and
    the sum lies between the count times the lowest bound reached and the count times the
    highest finite bound passed."""
    srv = server_factory(["--in-memory"])
    ddb = make_client(srv.endpoint)
    ddb.create_table(**table_params("mt_h"))
    for i in range(7):
        ddb.put_item(TableName="mt_h", Item={"pk": {"S": str(i)}})
    for i in range(4):
        ddb.get_item(TableName="mt_h", Key={"pk": {"S": str(i)}})
    with pytest.raises(ClientError):
        ddb.get_item(TableName="mt_h", Key={"nope": {"S": "x"}})
    ddb.scan(TableName="mt_h")
    s = scrape(srv.endpoint)
    expected = {"CreateTable": 1, "PutItem": 7, "GetItem": 5, "Scan": 1}
    for op, n in expected.items():
        reqs = sum(v for k, v in s.items() if k.startswith('ddbd_requests_total{operation="%s",' % op))
        assert reqs == n, op
        buckets = [(k, v) for k, v in s.items() if k.startswith('ddbd_request_duration_seconds_bucket{operation="%s",' % op)]
        values = [v for _, v in buckets]
        assert values == sorted(values), op
        assert buckets[-1][0].endswith('le="+Inf"}') and buckets[-1][1] == n, op
        assert s['ddbd_request_duration_seconds_count{operation="%s"}' % op] == n, op
        total = s['ddbd_request_duration_seconds_sum{operation="%s"}' % op]
        les = [float(re.search(r'le="([^"]+)"', k).group(1)) for k, _ in buckets]
        # every request took at most the first bound whose cumulative count is n
        upper = next(le for le, v in zip(les, values) if v == n)
        assert 0 < total <= n * upper, op
    assert s['ddbd_requests_total{operation="GetItem",outcome="error"}'] == 1
    assert s['ddbd_errors_total{type="ValidationException"}'] == 1


def test_metrics_port_serves_metrics_apart_from_the_api(server_factory):
    """--metrics-port N: /metrics on that port only (the API port answers it 404 like any unknown
    path), and nothing but /metrics there."""
    from conftest import free_port
    mport = free_port()
    srv = server_factory(["--in-memory", "--metrics-port", str(mport)])
    ddb = make_client(srv.endpoint)
    ddb.list_tables()
    s = scrape("http://127.0.0.1:%d" % mport)
    assert s['ddbd_requests_total{operation="ListTables",outcome="ok"}'] == 1
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(srv.endpoint + "/metrics", timeout=5)
    assert e.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen("http://127.0.0.1:%d/" % mport, timeout=5)
    assert e.value.code == 404
    assert "metrics on http://127.0.0.1:%d/metrics" % mport in srv.stderr_text()
