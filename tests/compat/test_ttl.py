"""Time to Live through boto3, driven by the server's clock (--admin): UpdateTimeToLive and
DescribeTimeToLive with DynamoDB's rules and messages, the sweep deleting exactly the expired items,
expired items still read until it runs, and the deletes' stream records as service deletes.

The clock is frozen (--clock frozen): a step ({"advance": ms}) answers once the sweep it made due has
run, so each test reads the result at once, with no sleep.
"""

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import ACCESS_KEY, N, REGION, S, SECRET_KEY, assert_client_error, make_client
from helpers import clock

HOUR = 3600 * 1000


def now_s(endpoint):
    return clock(endpoint)["now"] // 1000


@pytest.fixture
def server(server_factory):
    # sweeps only when the clock moves, so a test decides when expiry happens
    return server_factory(["--in-memory", "--admin", "--clock", "frozen", "--ttl-interval", "3600"])


def table(client, name="ttl", stream=None):
    params = dict(TableName=name, BillingMode="PAY_PER_REQUEST",
                  AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                  KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    if stream:
        params["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream}
    return client.create_table(**params)["TableDescription"]


def expect(call, code, message, **params):
    with pytest.raises(ClientError) as e:
        call(**params)
    assert_client_error(e, code, message)


def test_update_and_describe(server):
    c = make_client(server.endpoint)
    table(c)
    describe = lambda: c.describe_time_to_live(TableName="ttl")["TimeToLiveDescription"]
    assert describe() == {"TimeToLiveStatus": "DISABLED"}
    expect(c.update_time_to_live, "ValidationException", "TimeToLive is already disabled", TableName="ttl",
           TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"})
    expect(c.update_time_to_live, "ValidationException",
           "1 validation error detected: Value null at 'timeToLiveSpecification' failed to satisfy constraint: "
           "Member must not be null", TableName="ttl")
    expect(c.update_time_to_live, "ValidationException",
           "1 validation error detected: Value null at 'timeToLiveSpecification.attributeName' failed to satisfy "
           "constraint: Member must not be null", TableName="ttl", TimeToLiveSpecification={"Enabled": True})
    # AWS names the table (captured in LocalStack's pull request 9038)
    expect(c.update_time_to_live, "ResourceNotFoundException", "Requested resource not found: Table: nope not found",
           TableName="nope", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    expect(c.describe_time_to_live, "ResourceNotFoundException", "Requested resource not found: Table: nope not found",
           TableName="nope")
    resp = c.update_time_to_live(TableName="ttl", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    assert resp["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "exp"}
    assert describe() == {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}
    expect(c.update_time_to_live, "ValidationException", "TimeToLive is already enabled", TableName="ttl",
           TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    expect(c.update_time_to_live, "ValidationException", "TimeToLive is active on a different AttributeName",
           TableName="ttl", TimeToLiveSpecification={"Enabled": True, "AttributeName": "other"})
    expect(c.update_time_to_live, "ValidationException",
           "Time to live has been modified multiple times within a fixed interval", TableName="ttl",
           TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"})
    clock(server.endpoint, advance=HOUR - 1000)  # a second short of the hour: still refused
    expect(c.update_time_to_live, "ValidationException",
           "Time to live has been modified multiple times within a fixed interval", TableName="ttl",
           TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"})
    clock(server.endpoint, advance=2000)
    c.update_time_to_live(TableName="ttl", TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"})
    assert describe() == {"TimeToLiveStatus": "DISABLING", "AttributeName": "exp"}
    clock(server.endpoint, advance=HOUR + 1000)
    assert describe() == {"TimeToLiveStatus": "DISABLED"}


def test_sweep_deletes_exactly_the_expired_items(server):
    c = make_client(server.endpoint)
    table(c)
    now = now_s(server.endpoint)
    items = {
        "past": N(now - 10), "future": N(now + 2 * 3600), "later": N(now + 10 * 86400),
        "string": S(str(now - 10)), "ancient": N(now - 6 * 365 * 86400), "fraction": N("%d.5" % (now - 100)),
    }
    for k, v in items.items():
        c.put_item(TableName="ttl", Item={"pk": S(k), "exp": v})
    c.put_item(TableName="ttl", Item={"pk": S("none")})
    c.update_time_to_live(TableName="ttl", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    # expired but not yet swept: still read, as in DynamoDB
    assert "Item" in c.get_item(TableName="ttl", Key={"pk": S("past")})
    keys = lambda: sorted(i["pk"]["S"] for i in c.scan(TableName="ttl")["Items"])
    clock(server.endpoint, advance=0)  # moving the clock (by nothing) sweeps, before it answers
    assert keys() == ["ancient", "future", "later", "none", "string"]
    clock(server.endpoint, advance=3 * HOUR)
    assert keys() == ["ancient", "later", "none", "string"]
    # an item whose expiry moved into the future before the sweep survives it
    c.update_item(TableName="ttl", Key={"pk": S("later")}, UpdateExpression="SET exp = :e",
                  ExpressionAttributeValues={":e": N(now_s(server.endpoint) + 30 * 86400)})
    clock(server.endpoint, advance=11 * 86400 * 1000)
    assert keys() == ["ancient", "later", "none", "string"]


def test_deletes_are_service_records_in_the_stream(server):
    c = make_client(server.endpoint)
    s = boto3.client("dynamodbstreams", endpoint_url=server.endpoint, region_name=REGION, aws_access_key_id=ACCESS_KEY,
                     aws_secret_access_key=SECRET_KEY, config=Config(retries={"total_max_attempts": 1}))
    arn = table(c, stream="OLD_IMAGE")["LatestStreamArn"]
    now = now_s(server.endpoint)
    c.put_item(TableName="ttl", Item={"pk": S("a"), "exp": N(now + 60)})
    c.delete_item(TableName="ttl", Key={"pk": S("a")})  # a user's delete
    c.put_item(TableName="ttl", Item={"pk": S("a"), "exp": N(now + 60)})
    c.update_time_to_live(TableName="ttl", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    clock(server.endpoint, advance=120 * 1000)
    assert "Item" not in c.get_item(TableName="ttl", Key={"pk": S("a")})
    records = []
    for sh in s.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        it = s.get_shard_iterator(StreamArn=arn, ShardId=sh["ShardId"], ShardIteratorType="TRIM_HORIZON")
        records += s.get_records(ShardIterator=it["ShardIterator"])["Records"]
    removes = [r for r in records if r["eventName"] == "REMOVE"]
    assert len(removes) == 2
    assert "userIdentity" not in removes[0]
    assert removes[1]["userIdentity"] == {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
    assert removes[1]["dynamodb"]["OldImage"] == {"pk": S("a"), "exp": N(now + 60)}
