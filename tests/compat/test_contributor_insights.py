"""Contributor Insights: UpdateContributorInsights, DescribeContributorInsights and
ListContributorInsights with DynamoDB's shapes, statuses, modes, rule names and errors, for a table
and its global secondary indexes; the state kept across a restart; and the real figures: the most
accessed (and throttled) keys over a sliding window, at /ddbd/contributor-insights/TABLE and in
/metrics.

Shapes and values: the API reference of each operation (ContributorInsightsMode is newer than
Debian's botocore, so those answers are read raw); rule names: the developer guide's
"CloudWatch contributor insights for DynamoDB: How it works"
(DynamoDBContributorInsights-PKC-[resource_name]-[creationtimestamp])."""
import json
import re
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

from conftest import assert_client_error, make_client, raw_request, unique_name

V1 = "1 validation error detected: "


@pytest.fixture
def server(server_factory):
    # a frozen clock refills no rate: the Contributor Insights calls' five a second
    # (tests/security/test_control_plane_rates.py) would stop these after the fifth
    return server_factory(("--in-memory", "--admin", "--clock", "frozen", "--control-plane-rates", "off"))


def client_of(server):
    return make_client(server.endpoint)


def make_ci_table(ddb, name=None, sort=True):
    name = name or unique_name("ci")
    defs = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"},
            {"AttributeName": "l", "AttributeType": "S"}]
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    extra = {}
    if sort:
        defs.append({"AttributeName": "sk", "AttributeType": "N"})
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
        extra["LocalSecondaryIndexes"] = [{"IndexName": "lsi", "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}]
    else:
        defs = [d for d in defs if d["AttributeName"] != "l"]
    ddb.create_table(TableName=name, AttributeDefinitions=defs, KeySchema=keys, BillingMode="PAY_PER_REQUEST",
                     GlobalSecondaryIndexes=[{"IndexName": "gsi", "KeySchema": [
                         {"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}],
                     **extra)
    return name


def call(server, op, body):
    resp = raw_request(server.endpoint, op, body)
    return resp.status, resp.json()


def ok(server, op, body, **optional):
    body = dict(body, **{k: v for k, v in optional.items() if v is not None})
    status, got = call(server, op, body)
    assert status == 200, got
    return got


def update(server, table, action, index=None, mode=None):
    return ok(server, "UpdateContributorInsights", {"TableName": table, "ContributorInsightsAction": action},
              IndexName=index, ContributorInsightsMode=mode)


def describe(server, table, index=None):
    return ok(server, "DescribeContributorInsights", {"TableName": table}, IndexName=index)


def admin_top(server, table, index=None):
    url = server.endpoint + "/ddbd/contributor-insights/" + table + ("?index=" + index if index else "")
    with urllib.request.urlopen(url) as resp:
        return json.loads(resp.read())


def rules_of(got):
    return [re.sub(r"-\d{13}$", "-<ms>", r) for r in got["ContributorInsightsRuleList"]]


def test_enable_describe_disable_a_table(server):
    ddb = client_of(server)
    table = make_ci_table(ddb)
    assert describe(server, table) == {"TableName": table, "ContributorInsightsStatus": "DISABLED"}
    got = update(server, table, "ENABLE")
    assert got == {"TableName": table, "ContributorInsightsStatus": "ENABLING",
                   "ContributorInsightsMode": "ACCESSED_AND_THROTTLED_KEYS"}
    got = describe(server, table)
    assert got["ContributorInsightsStatus"] == "ENABLED"
    assert got["ContributorInsightsMode"] == "ACCESSED_AND_THROTTLED_KEYS"
    assert rules_of(got) == ["DynamoDBContributorInsights-%s-%s-<ms>" % (r, table) for r in ("PKC", "SKC", "PKT", "SKT")]
    stamp = int(got["ContributorInsightsRuleList"][0].rsplit("-", 1)[1])
    assert abs(got["LastUpdateDateTime"] * 1000 - stamp) < 1000
    # boto3's own model reads the answer too
    assert ddb.describe_contributor_insights(TableName=table)["ContributorInsightsStatus"] == "ENABLED"

    got = update(server, table, "DISABLE")
    assert got == {"TableName": table, "ContributorInsightsStatus": "DISABLING"}
    got = describe(server, table)
    assert got["ContributorInsightsStatus"] == "DISABLED" and "ContributorInsightsRuleList" not in got
    assert "ContributorInsightsMode" not in got and got["LastUpdateDateTime"] > 0


def test_hash_only_table_has_partition_rules_only_and_throttled_mode_only_throttled_rules(server):
    ddb = client_of(server)
    table = make_ci_table(ddb, sort=False)
    update(server, table, "ENABLE")
    assert rules_of(describe(server, table)) == ["DynamoDBContributorInsights-PKC-%s-<ms>" % table,
                                                 "DynamoDBContributorInsights-PKT-%s-<ms>" % table]
    got = update(server, table, "ENABLE", mode="THROTTLED_KEYS")
    assert got["ContributorInsightsMode"] == "THROTTLED_KEYS"
    got = describe(server, table)
    assert got["ContributorInsightsMode"] == "THROTTLED_KEYS"
    assert rules_of(got) == ["DynamoDBContributorInsights-PKT-%s-<ms>" % table]


def test_global_secondary_index(server):
    ddb = client_of(server)
    table = make_ci_table(ddb)
    got = update(server, table, "ENABLE", index="gsi", mode="ACCESSED_AND_THROTTLED_KEYS")
    assert got == {"TableName": table, "IndexName": "gsi", "ContributorInsightsStatus": "ENABLING",
                   "ContributorInsightsMode": "ACCESSED_AND_THROTTLED_KEYS"}
    got = describe(server, table, "gsi")
    assert got["IndexName"] == "gsi" and got["ContributorInsightsStatus"] == "ENABLED"
    assert rules_of(got) == ["DynamoDBContributorInsights-PKC-%s-gsi-<ms>" % table,
                             "DynamoDBContributorInsights-PKT-%s-gsi-<ms>" % table]
    # the table's own state is apart from its index's
    assert describe(server, table)["ContributorInsightsStatus"] == "DISABLED"


def test_errors(server):
    ddb = client_of(server)
    table = make_ci_table(ddb)
    cases = [
        ({}, "2 validation errors detected: Value null at 'contributorInsightsAction' failed to satisfy constraint: "
             "Member must not be null; Value null at 'tableName' failed to satisfy constraint: Member must not be null"),
        ({"TableName": table}, V1 + "Value null at 'contributorInsightsAction' failed to satisfy constraint: "
                                    "Member must not be null"),
        ({"TableName": table, "ContributorInsightsAction": "ON"},
         V1 + "Value 'ON' at 'contributorInsightsAction' failed to satisfy constraint: Member must satisfy enum "
              "value set: [ENABLE, DISABLE]"),
        ({"TableName": table, "ContributorInsightsAction": "ENABLE", "ContributorInsightsMode": "ALL"},
         V1 + "Value 'ALL' at 'contributorInsightsMode' failed to satisfy constraint: Member must satisfy enum "
              "value set: [ACCESSED_AND_THROTTLED_KEYS, THROTTLED_KEYS]"),
    ]
    for body, message in cases:
        status, got = call(server, "UpdateContributorInsights", body)
        assert (status, got) == (400, {"__type": "com.amazon.coral.validate#ValidationException",
                                       "message": message}), body
    name = unique_name("nope")
    with pytest.raises(ClientError) as e:
        ddb.update_contributor_insights(TableName=name, ContributorInsightsAction="ENABLE")
    assert_client_error(e, "ResourceNotFoundException", "Requested resource not found: Table: %s not found" % name)
    # an unknown index, and a local secondary index (Contributor Insights is the table's or a GSI's)
    for index in ("nope", "lsi"):
        for op, extra in (("update_contributor_insights", {"ContributorInsightsAction": "ENABLE"}),
                          ("describe_contributor_insights", {})):
            with pytest.raises(ClientError) as e:
                getattr(ddb, op)(TableName=table, IndexName=index, **extra)
            assert_client_error(e, "ResourceNotFoundException", "Requested resource not found: Index: %s not found"
                                % index)


def test_list_and_its_pages(server):
    ddb = client_of(server)
    a, b = make_ci_table(ddb, "ci_a"), make_ci_table(ddb, "ci_b")
    assert ddb.list_contributor_insights()["ContributorInsightsSummaries"] == []
    update(server, b, "ENABLE")
    update(server, a, "ENABLE", index="gsi", mode="THROTTLED_KEYS")
    update(server, a, "ENABLE")
    status, got = call(server, "ListContributorInsights", {})
    assert status == 200 and got == {"ContributorInsightsSummaries": [
        {"TableName": a, "ContributorInsightsStatus": "ENABLED", "ContributorInsightsMode": "ACCESSED_AND_THROTTLED_KEYS"},
        {"TableName": a, "IndexName": "gsi", "ContributorInsightsStatus": "ENABLED",
         "ContributorInsightsMode": "THROTTLED_KEYS"},
        {"TableName": b, "ContributorInsightsStatus": "ENABLED", "ContributorInsightsMode": "ACCESSED_AND_THROTTLED_KEYS"}]}
    status, got = call(server, "ListContributorInsights", {"TableName": b})
    assert [s["TableName"] for s in got["ContributorInsightsSummaries"]] == [b] and "NextToken" not in got
    # pages of one: each gives the token of the next, the last none
    seen, token = [], None
    while True:
        page = ddb.list_contributor_insights(MaxResults=1, **({"NextToken": token} if token else {}))
        assert len(page["ContributorInsightsSummaries"]) == 1
        seen.append((page["ContributorInsightsSummaries"][0]["TableName"],
                     page["ContributorInsightsSummaries"][0].get("IndexName")))
        token = page.get("NextToken")
        if token is None:
            break
    assert seen == [(a, None), (a, "gsi"), (b, None)]
    for bad in ("x", "0", "3", "-1"):
        with pytest.raises(ClientError) as e:
            ddb.list_contributor_insights(NextToken=bad)
        assert_client_error(e, "ValidationException", "Invalid NextToken")
    update(server, a, "DISABLE")
    assert [(s["TableName"], s.get("IndexName")) for s in ddb.list_contributor_insights()[
        "ContributorInsightsSummaries"]] == [(a, "gsi"), (b, None)]


def test_the_hot_key_comes_first(server):
    """A skewed workload: one partition takes most reads and writes; the table's PKC/SKC and the
    GSI's PKC put it first, weighted as ConsumedThroughputUnits (3 x write units + read units)."""
    ddb = client_of(server)
    table = make_ci_table(ddb)
    update(server, table, "ENABLE")
    update(server, table, "ENABLE", index="gsi")
    for i in range(60):
        ddb.put_item(TableName=table, Item={"pk": {"S": "hot"}, "sk": {"N": str(i % 3)}, "g": {"S": "ghot"},
                                            "v": {"N": str(i)}})
        ddb.get_item(TableName=table, Key={"pk": {"S": "hot"}, "sk": {"N": "1"}})
        if i % 4 == 0:
            ddb.put_item(TableName=table, Item={"pk": {"S": "cold%d" % i}, "sk": {"N": "0.5"}, "g": {"S": "gc%d" % i}})
    ddb.query(TableName=table, IndexName="gsi", KeyConditionExpression="g = :g",
              ExpressionAttributeValues={":g": {"S": "ghot"}})
    top = admin_top(server, table)
    assert top["ContributorInsightsMode"] == "ACCESSED_AND_THROTTLED_KEYS"
    assert top["PKC"][0] == {"PartitionKey": {"S": "hot"}, "ConsumedThroughputUnits": 240.0}
    assert top["PKC"][1]["ConsumedThroughputUnits"] == 3.0
    assert top["SKC"][0] == {"PartitionKey": {"S": "hot"}, "SortKey": {"N": "1"},
                             "ConsumedThroughputUnits": 120.0}
    assert top["PKT"] == [] and top["SKT"] == []
    gsi = admin_top(server, table, "gsi")
    assert gsi["IndexName"] == "gsi" and "SKC" not in gsi
    # 60 index writes of 1 unit each (a projected attribute changes every time), and the Query (one event)
    assert gsi["PKC"][0] == {"PartitionKey": {"S": "ghot"}, "ConsumedThroughputUnits": 181.0}
    with urllib.request.urlopen(server.endpoint + "/metrics") as resp:
        metrics = resp.read().decode()
    assert ('ddbd_contributor_insights_top{table="%s",index="",rule="PKC",kind="accessed",key="hot"} 240.0'
            % table) in metrics
    assert ('ddbd_contributor_insights_top{table="%s",index="",rule="SKC",kind="accessed",key="hot|1"} 120.0'
            % table) in metrics
    assert ('ddbd_contributor_insights_top{table="%s",index="gsi",rule="PKC",kind="accessed",key="ghot"} 181.0'
            % table) in metrics
    # at most ten series per rule
    assert len(re.findall(r'table="%s",index="",rule="PKC"' % table, metrics)) <= 10


def test_memory_is_bounded_and_the_hot_key_survives_many_cold_ones(server):
    """Space-Saving keeps 16 keys per rule and shard, whatever the number of keys: 400 cold keys
    written once each do not push out a key written 100 times among them."""
    ddb = client_of(server)
    table = make_ci_table(ddb, sort=False)
    update(server, table, "ENABLE")
    for i in range(400):
        ddb.put_item(TableName=table, Item={"pk": {"S": "cold%d" % i}})
        if i % 4 == 0:
            ddb.put_item(TableName=table, Item={"pk": {"S": "hot"}})
    top = admin_top(server, table)["PKC"]
    assert len(top) == 16
    assert top[0]["PartitionKey"] == {"S": "hot"} and top[0]["ConsumedThroughputUnits"] == 300.0, top[0]  # its 100 puts of 3 units, in one window


def move_clock(server, change):
    req = urllib.request.Request(server.endpoint + "/ddbd/clock", data=json.dumps(change).encode(),
                                 method="POST", headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(req).read())


def test_throttled_keys_mode_records_no_access_and_the_window_slides(server):
    ddb = client_of(server)
    table = make_ci_table(ddb, sort=False)
    # the frozen clock stands 1 s into a minute's window (windows are the epoch's minutes): the puts
    # land there, however long they take
    minute = 1893456000000  # 2030-01-01T00:00:00Z
    move_clock(server, {"set": minute + 1000})
    update(server, table, "ENABLE", mode="THROTTLED_KEYS")
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}})
    assert admin_top(server, table)["PKC"] == []
    update(server, table, "ENABLE")
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}})
    assert admin_top(server, table)["PKC"] == [{"PartitionKey": {"S": "a"}, "ConsumedThroughputUnits": 3.0}]
    # a key counts in its minute's window and the next, then drops out: seen to the millisecond
    # before the end of the second window, gone at it
    move_clock(server, {"advance": 118999})
    assert admin_top(server, table)["PKC"] == [{"PartitionKey": {"S": "a"}, "ConsumedThroughputUnits": 3.0}]
    move_clock(server, {"advance": 1})
    assert admin_top(server, table)["PKC"] == []


def test_admin_endpoint_errors(server):
    ddb = client_of(server)
    table = make_ci_table(ddb)
    for path, status in (("nope_table", 404), (table + "?index=nope", 404), (table, 409)):
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(server.endpoint + "/ddbd/contributor-insights/" + path)
        assert e.value.code == status, path
    assert "ddbd_contributor_insights_top" not in urllib.request.urlopen(server.endpoint + "/metrics").read().decode()


def test_survives_a_restart(server_factory, tmp_path):
    args = ("--data-dir", str(tmp_path), "--admin")
    srv = server_factory(args)
    ddb = client_of(srv)
    table = make_ci_table(ddb)
    update(srv, table, "ENABLE", mode="THROTTLED_KEYS")
    update(srv, table, "ENABLE", index="gsi")
    before = (describe(srv, table), describe(srv, table, "gsi"))
    srv.stop()
    srv = server_factory(args, port=srv.port)
    assert (describe(srv, table), describe(srv, table, "gsi")) == before
    assert before[0]["ContributorInsightsMode"] == "THROTTLED_KEYS"
    # the sketch is running again: the index's writes are recorded
    client_of(srv).put_item(TableName=table, Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "g": {"S": "x"}})
    assert admin_top(srv, table, "gsi")["PKC"] == [{"PartitionKey": {"S": "x"}, "ConsumedThroughputUnits": 3.0}]
