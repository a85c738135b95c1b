"""GET /metrics: Prometheus' text format (0.0.4) on the API port: requests by operation and
outcome, errors by __type, a latency histogram per operation, open connections, tables, and
RocksDB's memory, cache and compaction figures."""
import re
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
