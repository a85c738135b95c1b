"""--namespaces: each account and region has its own tables, as in DynamoDB.

The account is the key's (the third column of --auth FILE), the region the credential scope's.
Without --namespaces every key and region shares one namespace (DynamoDB Local's -sharedDb); a
data directory written that way opens under the default account in us-east-1.
"""
import pytest
from botocore.exceptions import ClientError

from conftest import N, S, DdbdServer
from helpers import key_client

KEYS = {"AKIDA": ("secretA", "111111111111"), "AKIDB": ("secretB", "222222222222"),
        "AKIDDEFAULT": ("secretD", None)}


def client(endpoint, region="us-east-1", key="AKIDEXAMPLE", secret="secret", streams=False):
    return key_client(endpoint, key, secret, region=region, service="dynamodbstreams" if streams else "dynamodb")


def keyed(endpoint, key, region="us-east-1", streams=False):
    return client(endpoint, region, key, KEYS[key][0], streams)


def create(c, name, hash_type="S", stream=False):
    kw = {}
    if stream:
        kw["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    return c.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": hash_type}],
                          KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], **kw)["TableDescription"]


def code(e):
    return e.value.response["Error"]["Code"]


@pytest.fixture
def regions_server(tmp_path):
    srv = DdbdServer(["--data-dir", str(tmp_path / "data"), "--namespaces"]).start()
    yield srv
    srv.stop()


@pytest.fixture
def accounts_server(tmp_path):
    keys = tmp_path / "keys"
    keys.write_text("".join("%s %s %s\n" % (k, s, a or "") for k, (s, a) in KEYS.items()))
    srv = DdbdServer(["--in-memory", "--namespaces", "--auth", str(keys)]).start()
    yield srv
    srv.stop()


def test_regions_are_separate(regions_server):
    east, west = client(regions_server.endpoint), client(regions_server.endpoint, "us-west-2")
    d_east = create(east, "orders")
    assert d_east["TableArn"] == "arn:aws:dynamodb:us-east-1:000000000000:table/orders"
    assert west.list_tables()["TableNames"] == []
    with pytest.raises(ClientError) as e:
        west.describe_table(TableName="orders")
    assert code(e) == "ResourceNotFoundException"
    # the same name in the other region is another table, with its own schema and items
    d_west = create(west, "orders", hash_type="N")
    assert d_west["TableArn"] == "arn:aws:dynamodb:us-west-2:000000000000:table/orders"
    east.put_item(TableName="orders", Item={"pk": S("e")})
    west.put_item(TableName="orders", Item={"pk": N(1)})
    assert east.scan(TableName="orders")["Items"] == [{"pk": S("e")}]
    assert west.scan(TableName="orders")["Items"] == [{"pk": N(1)}]
    assert west.describe_table(TableName="orders")["Table"]["KeySchema"] == d_west["KeySchema"]
    # deleting one leaves the other
    west.delete_table(TableName="orders")
    assert east.get_item(TableName="orders", Key={"pk": S("e")})["Item"] == {"pk": S("e")}
    # an ARN of the other region is refused as DynamoDB refuses it
    with pytest.raises(ClientError) as e:
        west.describe_table(TableName=d_east["TableArn"])
    assert code(e) == "ValidationException"


def test_tables_written_without_namespaces_open_under_the_default_account(tmp_path):
    srv = DdbdServer(["--data-dir", str(tmp_path / "data")]).start()
    create(client(srv.endpoint, "eu-west-1"), "legacy")  # shared: the region did not matter
    client(srv.endpoint, "eu-west-1").put_item(TableName="legacy", Item={"pk": S("x")})
    srv.stop()
    srv = DdbdServer(["--data-dir", str(tmp_path / "data"), "--namespaces"]).start()
    try:
        assert client(srv.endpoint).list_tables()["TableNames"] == ["legacy"]
        assert client(srv.endpoint).get_item(TableName="legacy", Key={"pk": S("x")})["Item"] == {"pk": S("x")}
        assert client(srv.endpoint, "eu-west-1").list_tables()["TableNames"] == []
    finally:
        srv.stop()


def test_without_namespaces_everything_is_shared(tmp_path):
    srv = DdbdServer(["--in-memory"]).start()
    try:
        create(client(srv.endpoint, "us-west-2"), "shared")
        assert client(srv.endpoint, "ap-south-1", key="OTHERKEY").list_tables()["TableNames"] == ["shared"]
    finally:
        srv.stop()


def test_accounts_are_separate(accounts_server):
    a, b, d = (keyed(accounts_server.endpoint, k) for k in ("AKIDA", "AKIDB", "AKIDDEFAULT"))
    da = create(a, "users", stream=True)
    assert da["TableArn"] == "arn:aws:dynamodb:us-east-1:111111111111:table/users"
    assert da["LatestStreamArn"].startswith("arn:aws:dynamodb:us-east-1:111111111111:table/users/stream/")
    assert b.list_tables()["TableNames"] == [] and d.list_tables()["TableNames"] == []
    db = create(b, "users")
    assert db["TableArn"] == "arn:aws:dynamodb:us-east-1:222222222222:table/users"
    a.put_item(TableName="users", Item={"pk": S("alice")})
    assert b.scan(TableName="users")["Count"] == 0
    # another account's ARN is refused as DynamoDB refuses a cross-account call without a policy
    with pytest.raises(ClientError) as e:
        b.get_item(TableName=da["TableArn"], Key={"pk": S("alice")})
    assert code(e) == "AccessDeniedException"
    # naming the caller's user (its key's), as every other refusal does: not the account's root
    assert e.value.response["Error"]["Message"].startswith(
        "User: arn:aws:iam::222222222222:user/AKIDB is not authorized to perform: dynamodb:GetItem on resource: "
        "arn:aws:dynamodb:us-east-1:111111111111:table/users because no resource-based policy allows")
    # tags go with the ARN's own account
    a.tag_resource(ResourceArn=da["TableArn"], Tags=[{"Key": "team", "Value": "a"}])
    assert b.list_tags_of_resource(ResourceArn=db["TableArn"])["Tags"] == []
    # streams: each account lists its own
    sa, sb = keyed(accounts_server.endpoint, "AKIDA", streams=True), keyed(accounts_server.endpoint, "AKIDB", streams=True)
    assert [s["StreamArn"] for s in sa.list_streams()["Streams"]] == [da["LatestStreamArn"]]
    assert sb.list_streams()["Streams"] == []
    assert sa.describe_stream(StreamArn=da["LatestStreamArn"])["StreamDescription"]["TableName"] == "users"
    with pytest.raises(ClientError) as e:
        sb.describe_stream(StreamArn=da["LatestStreamArn"])
    assert code(e) == "ResourceNotFoundException"


def test_client_request_tokens_are_per_account(accounts_server):
    a, b = keyed(accounts_server.endpoint, "AKIDA"), keyed(accounts_server.endpoint, "AKIDB")
    for c in (a, b):
        create(c, "txn")
    for c, v in ((a, 1), (b, 2)):
        c.transact_write_items(ClientRequestToken="same-token",
                               TransactItems=[{"Put": {"TableName": "txn", "Item": {"pk": S("k"), "v": N(v)}}}])
    assert a.get_item(TableName="txn", Key={"pk": S("k")})["Item"]["v"] == N(1)
    assert b.get_item(TableName="txn", Key={"pk": S("k")})["Item"]["v"] == N(2)


def test_partiql_and_batches_stay_in_their_namespace(regions_server):
    east, west = client(regions_server.endpoint), client(regions_server.endpoint, "eu-west-1")
    create(east, "pqt")
    create(west, "pqt")
    west.execute_statement(Statement="INSERT INTO pqt VALUE {'pk': 'w'}")
    east.batch_write_item(RequestItems={"pqt": [{"PutRequest": {"Item": {"pk": S("e")}}}]})
    assert east.execute_statement(Statement="SELECT * FROM pqt")["Items"] == [{"pk": S("e")}]
    assert west.batch_get_item(RequestItems={"pqt": {"Keys": [{"pk": S("w")}, {"pk": S("e")}]}})["Responses"]["pqt"] == \
        [{"pk": S("w")}]
    with pytest.raises(ClientError) as e:
        client(regions_server.endpoint, "ap-south-1").execute_statement(Statement="SELECT * FROM pqt")
    assert code(e) == "ResourceNotFoundException"
