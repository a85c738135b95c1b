"""The cost report at production's rate (issue 64, item 2; docs/usage.md, "Production's rate").

A test's traffic never reaches production's limits: a skewed test at 50 requests a second writes
20 units a second to its hottest key, far from a partition's 1,000. GET /ddbd/usage?rate=RATE
scales each table's, access pattern's and key's share of what was observed to the rate given and
reports the partitions that would throttle, by how much, the provisioned capacity that carries the
rate and the month's cost at it. A GSI whose partition key has few values is flagged whatever the
rate. The server's clock is frozen and stepped a second at a time (POST /ddbd/clock {"advance"}),
so "50 requests a second" is exact on a loaded machine; nothing sleeps.
"""
import json
import math
import os
import subprocess
import urllib.error
import urllib.parse
import urllib.request

import pytest

from conftest import DDBD_BIN, S, make_client, unique_name
from helpers import admin_call, advance

DDB_BIN = os.path.join(os.path.dirname(DDBD_BIN), "ddb")
MONTH_HOURS = 730


@pytest.fixture
def server(server_factory):
    return server_factory(("--in-memory", "--admin", "--clock", "frozen"))


def usage(endpoint, rate=None, since=None):
    """GET /ddbd/usage with its query: (status, answer)."""
    params = []
    if since is not None:
        params.append("since=" + urllib.parse.quote(since, safe=""))
    if rate is not None:
        params.append("rate=" + urllib.parse.quote(rate, safe=",:/"))
    return admin_call(endpoint, "GET", "/ddbd/usage" + ("?" + "&".join(params) if params else ""))


def create(ddb, name, gsi=None):
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    extra = {}
    if gsi is not None:
        attrs.append({"AttributeName": gsi, "AttributeType": "S"})
        extra["GlobalSecondaryIndexes"] = [{"IndexName": "by_" + gsi,
                                            "KeySchema": [{"AttributeName": gsi, "KeyType": "HASH"}],
                                            "Projection": {"ProjectionType": "KEYS_ONLY"}}]
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", AttributeDefinitions=attrs,
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], **extra)


def skewed_test(endpoint, ddb, name, seconds=5):
    """50 PutItems a second of 1 write unit each for `seconds` seconds of the server's clock: 20 a
    second to HOT#1, 30 a second to keys written once each (ORDER#n)."""
    n = 0
    for _ in range(seconds):
        for i in range(50):
            if i % 5 < 2:
                ddb.put_item(TableName=name, Item={"pk": S("HOT#1")})
            else:
                ddb.put_item(TableName=name, Item={"pk": S("ORDER#%d" % n)})
                n += 1
        advance(endpoint, 1000)


def forecast_of(report, name):
    found = [t for t in report["forecast"]["tables"] if t["table"] == name]
    assert len(found) == 1, report["forecast"]
    return found[0]


def price(report, cls="STANDARD"):
    return [p for p in report["prices"]["tableClasses"] if p["tableClass"] == cls][0]


def check_orders_at_20000(report, f):
    """Orders at 20,000 requests a second: 20,000 write units a second, 40 % of them on HOT#1."""
    p = price(report)
    assert f["requestsPerSecond"] == 20000
    assert f["writeUnitsPerSecond"] == 20000 and f["readUnitsPerSecond"] == 0
    keyed = [r for r in f["throttled"] if "partitionKey" in r]
    assert f["throttledPartitions"] == 1 and len(keyed) == 1, f["throttled"]
    hot = keyed[0]
    # 100 of 250 units: 8,000 a second; the vote's bound may lose the few other keys of its bucket
    assert hot["partitionKey"] == {"S": "HOT#1"}
    assert hot["operation"] == "Write" and hot["reason"] == "TableWriteKeyRangeThroughputExceeded"
    assert 7500 <= hot["unitsPerSecond"] <= 8000, hot
    assert hot["limitUnitsPerSecond"] == 1000
    assert hot["excessUnitsPerSecond"] == pytest.approx(hot["unitsPerSecond"] - 1000)
    assert hot["throttledShare"] == pytest.approx(1 - 1000 / hot["unitsPerSecond"])
    # the table as a whole: above a new on-demand table's 4,000 write units a second
    own = [r for r in f["throttled"] if "partitionKey" not in r]
    assert own == [{"operation": "Write", "reason": "TableWriteKeyRangeThroughputExceeded", "unitsPerSecond": 20000,
                    "limitUnitsPerSecond": 4000, "excessUnitsPerSecond": 16000, "throttledShare": 0.8}]
    # the capacity that carries the rate at 70 % utilisation, and the month at it
    prov = f["provisioned"]
    assert prov["writeCapacityUnits"] == math.ceil(20000 / 0.7) == 28572
    assert prov["readCapacityUnits"] == 1
    assert prov["carriesHotKeys"] is False
    assert prov["monthlyCost"] == pytest.approx((28572 * p["writeCapacityUnitHour"] + 1 * p["readCapacityUnitHour"]) * MONTH_HOURS)
    assert f["onDemand"]["monthlyCost"] == pytest.approx(20000 * MONTH_HOURS * 3600 * p["writeRequestUnitsPerMillion"] / 1e6)
    assert f["estimatedPartitions"] == 20


def test_skewed_test_at_50_a_second_forecasts_throttles_at_20000(server):
    e = server.endpoint
    ddb = make_client(e)
    name = unique_name("orders")
    create(ddb, name)
    skewed_test(e, ddb, name)

    status, plain = usage(e)
    assert status == 200 and "forecast" not in plain
    hot = [t for t in plain["hotPartitions"]["tables"] if t["table"] == name]
    assert hot and hot[0]["throttled"] == []  # at the test's own rate nothing comes near a limit

    status, report = usage(e, rate="20000")
    assert status == 200, report
    assert report["forecast"]["rate"] == "20000"
    f = forecast_of(report, name)
    assert f["rateFrom"] == "overall" and f["observedRequests"] == 250
    check_orders_at_20000(report, f)
    hottest = [k for k in f["hottestKeys"] if k["operation"] == "Write"]
    assert hottest[0]["partitionKey"] == {"S": "HOT#1"}
    patterns = {p["pattern"]: p for p in f["accessPatterns"]}
    assert patterns["PutItem pk=HOT#*"]["requestsPerSecond"] == 8000
    assert patterns["PutItem pk=ORDER#*"]["requestsPerSecond"] == 12000
    assert patterns["PutItem pk=ORDER#*"]["share"] == 0.6
    total = report["forecast"]["total"]
    assert total["onDemandMonthlyCost"] == pytest.approx(f["onDemand"]["monthlyCost"])
    assert total["provisionedMonthlyCost"] == pytest.approx(f["provisioned"]["monthlyCost"])


def test_a_rate_per_table_and_per_access_pattern(server):
    e = server.endpoint
    ddb = make_client(e)
    orders, users = unique_name("orders"), unique_name("users")
    create(ddb, orders)
    create(ddb, users)
    skewed_test(e, ddb, orders)
    for i in range(100):  # Users: uniform, a read and a write each of 100 keys
        ddb.put_item(TableName=users, Item={"pk": S("USER#%d" % i)})
        ddb.get_item(TableName=users, Key={"pk": S("USER#%d" % i)})
    advance(e, 1000)

    status, report = usage(e, rate="%s:20000,%s:200" % (orders, users))
    assert status == 200, report
    check_orders_at_20000(report, forecast_of(report, orders))
    u = forecast_of(report, users)
    assert u["rateFrom"] == "table" and u["requestsPerSecond"] == 200
    assert u["writeUnitsPerSecond"] == 100 and u["readUnitsPerSecond"] == 50  # eventually consistent: 0.5
    assert u["throttled"] == [] and u["throttledPartitions"] == 0
    assert u["provisioned"]["carriesHotKeys"] is True
    assert u["provisioned"]["writeCapacityUnits"] == math.ceil(100 / 0.7)

    # a pattern's rate sets its table's at the test's mix: HOT#* is 40 % of Orders' requests
    status, report = usage(e, rate="%s/PutItem pk=HOT#*:8000" % orders)
    assert status == 200, report
    f = forecast_of(report, orders)
    assert f["rateFrom"] == "pattern" and f["pattern"] == "PutItem pk=HOT#*"
    check_orders_at_20000(report, f)
    assert [t["table"] for t in report["forecast"]["tables"]] == [orders]  # Users: no rate given

    # an overall rate is shared as observed: Orders 250 of 450 requests
    status, report = usage(e, rate="45000")
    assert forecast_of(report, orders)["requestsPerSecond"] == pytest.approx(25000)
    assert forecast_of(report, users)["requestsPerSecond"] == pytest.approx(20000)


def test_a_rate_since_a_mark(server):
    e = server.endpoint
    ddb = make_client(e)
    name = unique_name("orders")
    create(ddb, name)
    for i in range(40):  # before the mark: reads only
        ddb.get_item(TableName=name, Key={"pk": S("ORDER#%d" % i)})
    status, body = admin_call(e, "POST", "/ddbd/usage/mark", {"name": "pr 12"})
    assert status == 200, body
    skewed_test(e, ddb, name)
    status, report = usage(e, rate="20000", since="pr 12")
    assert status == 200, report
    f = forecast_of(report, name)
    assert f["observedRequests"] == 250 and f["readUnitsPerSecond"] == 0
    assert f["writeUnitsPerSecond"] == 20000


@pytest.mark.parametrize("rate, says", [
    ("fast", "is not [TABLE[/PATTERN]:]N"),
    ("0", "is not [TABLE[/PATTERN]:]N"),
    ("-5", "is not [TABLE[/PATTERN]:]N"),
    ("1e400", "is not [TABLE[/PATTERN]:]N"),
    ("Nope:5", "no table named Nope"),
    ("20000,{t}:5", "an overall rate N stands alone"),
    ("{t}:1,{t}:2", "is given two rates"),
    ("{t}/Scan:5", "has no access pattern \"Scan\""),
    ("{t}:5:6", "has two ':'"),
    ("", "expected N or TABLE[/PATTERN]:N"),
])
def test_a_bad_rate_is_refused(server, rate, says):
    e = server.endpoint
    ddb = make_client(e)
    name = unique_name("orders")
    create(ddb, name)
    ddb.put_item(TableName=name, Item={"pk": S("HOT#1")})
    status, body = usage(e, rate=rate.format(t=name))
    assert status == 400, body
    assert says in body["message"], body


def test_unknown_or_repeated_parameters_are_refused(server):
    e = server.endpoint
    for query in ("?rate=5&rate=6", "?speed=5", "?since=a&since=b", "?rate=5&"):
        status, body = admin_call(e, "GET", "/ddbd/usage" + query)
        assert status == 400, (query, body)
        assert "since=MARK and rate=RATE" in body["message"]
    status, body = admin_call(e, "GET", "/ddbd/usage?since=nomark&rate=5")
    assert status == 404 and "no usage mark named nomark" in body["message"]


def test_a_two_value_gsi_key_is_flagged_at_10_requests_a_second(server):
    """30 writes at 10 a second: the status GSI has 2 values, OPEN on 20 items; the email GSI
    (one value an item) is not flagged."""
    e = server.endpoint
    ddb = make_client(e)
    name = unique_name("tickets")
    attrs = [{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "status", "email")]
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", AttributeDefinitions=attrs,
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     GlobalSecondaryIndexes=[
                         {"IndexName": ix, "KeySchema": [{"AttributeName": a, "KeyType": "HASH"}],
                          "Projection": {"ProjectionType": "KEYS_ONLY"}}
                         for ix, a in (("by_status", "status"), ("by_email", "email"))])
    for second in range(3):
        for i in range(10):
            n = second * 10 + i
            ddb.put_item(TableName=name, Item={"pk": S("T#%d" % n), "status": S("OPEN" if n % 3 else "CLOSED"),
                                               "email": S("u%d@example.com" % n)})
        advance(e, 1000)
    status, report = usage(e)
    assert status == 200
    flagged = [w for w in report["warnings"] if w["warning"] == "lowCardinalityIndexKey" and w["table"] == name]
    assert len(flagged) == 1, report["warnings"]
    w = flagged[0]
    assert w["index"] == "by_status"
    assert w["counts"] == {"distinctValues": 2, "items": 30, "hottestValueItems": 20,
                           "hottestValueShare": pytest.approx(2 / 3)}
    assert w["hottestValue"] == {"S": "OPEN"} and w["sampled"] is False
    assert "2 distinct values over 30 items" in w["message"] and "67 %" in w["message"]

    # at production's rate, the GSI's hottest value takes 2/3 of its writes: over a partition's limit
    status, report = usage(e, rate="%s:3000" % name)
    f = forecast_of(report, name)
    ix = [r for r in f["throttled"] if r.get("index") == "by_status" and "partitionKey" in r]
    assert len(ix) == 1 and ix[0]["partitionKey"] == {"S": "OPEN"}, f["throttled"]
    assert ix[0]["reason"] == "IndexWriteKeyRangeThroughputExceeded"
    assert ix[0]["unitsPerSecond"] == pytest.approx(2000, rel=0.05)
    assert not [r for r in f["throttled"] if r.get("index") == "by_email"]


def test_a_few_items_are_not_flagged_until_there_are_ten_a_value(server):
    """3 items of 2 values say nothing of the key yet: 10 items a value at least; at 20 it is flagged."""
    e = server.endpoint
    ddb = make_client(e)
    name = unique_name("tickets")
    create(ddb, name, gsi="status")

    def flagged():
        status, report = usage(e)
        assert status == 200
        return [w for w in report["warnings"] if w["warning"] == "lowCardinalityIndexKey"]

    for i in range(3):
        ddb.put_item(TableName=name, Item={"pk": S("T#%d" % i), "status": S("OPEN" if i else "CLOSED")})
    assert flagged() == []
    for i in range(3, 19):
        ddb.put_item(TableName=name, Item={"pk": S("T#%d" % i), "status": S("OPEN" if i else "CLOSED")})
    assert flagged() == []  # 19 items: under 10 a value
    ddb.put_item(TableName=name, Item={"pk": S("T#19"), "status": S("CLOSED")})
    w = flagged()
    assert len(w) == 1 and w[0]["counts"]["distinctValues"] == 2 and w[0]["counts"]["items"] == 20
    assert w[0]["counts"]["hottestValueItems"] == 18 and w[0]["hottestValue"] == {"S": "OPEN"}


def ddb_cli(endpoint, *args):
    argv = [DDB_BIN, "--endpoint", endpoint] + list(args)
    return subprocess.run(argv, capture_output=True, text=True, timeout=30)


def test_ddb_usage_rate(server):
    """`ddb usage rate RATE` (and with since) asks the same forecast; a bad rate is refused."""
    e = server.endpoint
    ddb = make_client(e)
    name = unique_name("orders")
    create(ddb, name)
    skewed_test(e, ddb, name)
    r = ddb_cli(e, "usage", "rate", "%s/PutItem pk=HOT#*:8000" % name)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    check_orders_at_20000(report, forecast_of(report, name))
    status, _ = admin_call(e, "POST", "/ddbd/usage/mark", {"name": "m"})
    r = ddb_cli(e, "usage", "since", "m", "rate", "20000")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["forecast"]["tables"] == []  # nothing since the mark to scale
    r = ddb_cli(e, "usage", "rate", "Nope:5")
    assert r.returncode == 1 and "no table named Nope" in r.stderr
    r = ddb_cli(e, "usage", "rate")
    assert r.returncode == 2


def mcp_usage(*arguments):
    """ddbd --mcp's usage tool called with each of `arguments`: the tool results' texts, in order."""
    msgs = [{"jsonrpc": "2.0", "id": 0, "method": "initialize",
             "params": {"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}},
            {"jsonrpc": "2.0", "method": "notifications/initialized"}]
    msgs += [{"jsonrpc": "2.0", "id": i + 1, "method": "tools/call", "params": {"name": "usage", "arguments": a}}
             for i, a in enumerate(arguments)]
    proc = subprocess.run([DDBD_BIN, "--mcp", "--in-memory"], capture_output=True, text=True,
                          input="".join(json.dumps(m) + "\n" for m in msgs), timeout=30)
    answers = {}
    for line in proc.stdout.splitlines():
        m = json.loads(line)
        if m.get("id", 0) > 0:
            answers[m["id"]] = m["result"]
    assert len(answers) == len(arguments), proc.stdout + proc.stderr
    return [answers[i + 1] for i in range(len(arguments))]


def test_the_mcp_usage_tool_takes_a_rate():
    at_rate, bad, both = mcp_usage({"rate": "20000"}, {"rate": "Nope:5"}, {"since": "m", "rate": "5"})
    assert at_rate["isError"] is False
    report = json.loads(at_rate["content"][0]["text"])
    assert report["forecast"]["rate"] == "20000" and report["forecast"]["tables"] == []
    assert bad["isError"] is True and "rate: no table named Nope" in bad["content"][0]["text"]
    assert both["isError"] is True and "no usage mark named m" in both["content"][0]["text"]


def test_a_provisioned_table_and_a_key_read_but_never_stored(server):
    """A provisioned table's own limit is its provisioned units; a key no item is stored under
    (reads of a missing item) is named by its partition hash; reads count against 3,000 units."""
    e = server.endpoint
    ddb = make_client(e)
    name = unique_name("prov")
    ddb.create_table(TableName=name, BillingMode="PROVISIONED",
                     ProvisionedThroughput={"ReadCapacityUnits": 50, "WriteCapacityUnits": 5},
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    for second in range(2):
        for i in range(10):  # 8 strongly consistent reads of a missing key, 2 writes of others
            if i < 8:
                ddb.get_item(TableName=name, Key={"pk": S("GHOST")}, ConsistentRead=True)
            else:
                ddb.put_item(TableName=name, Item={"pk": S("K#%d%d" % (second, i))})
        advance(e, 1000)
    status, report = usage(e, rate="%s:5000" % name)
    assert status == 200, report
    f = forecast_of(report, name)
    assert f["readUnitsPerSecond"] == 4000 and f["writeUnitsPerSecond"] == 1000
    keyed = [r for r in f["throttled"] if "partitionHash" in r or "partitionKey" in r]
    assert len(keyed) == 1 and "partitionHash" in keyed[0], f["throttled"]
    assert keyed[0]["reason"] == "TableReadKeyRangeThroughputExceeded"
    assert keyed[0]["unitsPerSecond"] == 4000 and keyed[0]["excessUnitsPerSecond"] == 1000
    own = {r["reason"]: r for r in f["throttled"] if r not in keyed}
    assert own["TableReadProvisionedThroughputExceeded"]["limitUnitsPerSecond"] == 50
    assert own["TableReadProvisionedThroughputExceeded"]["excessUnitsPerSecond"] == 3950
    assert own["TableWriteProvisionedThroughputExceeded"]["limitUnitsPerSecond"] == 5
    assert f["provisioned"]["readCapacityUnits"] == math.ceil(4000 / 0.7)
    assert f["provisioned"]["writeCapacityUnits"] == math.ceil(1000 / 0.7)
