"""DynamoDB's per-account rates of control plane operations (issue 61, finding 1; docs/security.md,
"Metadata calls and the catalog's memory").

The API reference gives TagResource and UntagResource five calls a second per account and
ListTagsOfResource ten; the developer guide's quotas give the Contributor Insights calls five a
second and the replica auto scaling calls ten. Its table of errors gives what a control plane call
made too rapidly gets: ThrottlingException, "Rate of requests exceeds the allowed throughput."
ddbd served every call, 20,000 TagResource calls in 15 s on one table. The buckets hold one second
of each rate and refill on the server's clock: here a frozen one, stepped, so every case repeats
exactly on any machine. Off by default, as --enforce-capacity's throttling is: `--control-plane-rates on`.
"""
import pytest

from conftest import DdbdServer, make_client, unique_name
from helpers import advance, create_table_params, error_of, key_client

RATE_TEXT = "Rate of requests exceeds the allowed throughput."
def throttled(fn):
    """fn() is refused as DynamoDB refuses a control plane call made too rapidly."""
    code, message = error_of(fn)
    assert (code, message) == ("ThrottlingException", RATE_TEXT)


@pytest.fixture
def frozen(server_factory):
    return server_factory(["--in-memory", "--admin", "--clock", "frozen", "--control-plane-rates", "on"])


def new_table_arn(ddb):
    """A new table's ARN, as CreateTable answers it: in the account of ddb's key (the calls here
    take ARNs)."""
    return ddb.create_table(**create_table_params(unique_name("rated")))["TableDescription"]["TableArn"]


def tag(ddb, arn, i):
    return ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": str(i)}])


def test_the_sixth_tag_resource_in_a_second_is_throttled(frozen):
    ddb = make_client(frozen.endpoint)
    arn = new_table_arn(ddb)
    for i in range(5):
        tag(ddb, arn, i)
    throttled(lambda: tag(ddb, arn, 5))
    # a refused call changed nothing
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "k", "Value": "4"}]
    # a rate of 5 a second is one call every 200 ms
    advance(frozen, 199)
    throttled(lambda: tag(ddb, arn, 6))
    advance(frozen, 1)
    tag(ddb, arn, 7)
    throttled(lambda: tag(ddb, arn, 8))
    # a second's rest fills the bucket again, and no more than that
    advance(frozen, 60000)
    for i in range(5):
        tag(ddb, arn, 10 + i)
    throttled(lambda: tag(ddb, arn, 15))


def test_the_answer_is_a_plain_throttling_exception(frozen):
    """A 400 with the error table's text and no ThrottlingReasons (they name a table's or index's
    throughput, which a tagging call does not use)."""
    ddb = make_client(frozen.endpoint)
    arn = new_table_arn(ddb)
    for i in range(5):
        tag(ddb, arn, i)
    with pytest.raises(Exception) as e:
        tag(ddb, arn, 5)
    resp = e.value.response
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert resp["Error"]["Code"] == "ThrottlingException"
    assert "ThrottlingReasons" not in resp and "throttlingReasons" not in resp


def test_each_operation_has_its_own_rate(frozen):
    ddb = make_client(frozen.endpoint)
    arn = new_table_arn(ddb)
    for i in range(5):
        tag(ddb, arn, i)
    throttled(lambda: tag(ddb, arn, 5))
    for _ in range(5):
        ddb.untag_resource(ResourceArn=arn, TagKeys=["none"])
    throttled(lambda: ddb.untag_resource(ResourceArn=arn, TagKeys=["none"]))
    for _ in range(10):
        ddb.list_tags_of_resource(ResourceArn=arn)
    throttled(lambda: ddb.list_tags_of_resource(ResourceArn=arn))
    name = arn.rsplit("/", 1)[1]
    for _ in range(5):
        ddb.describe_contributor_insights(TableName=name)
    throttled(lambda: ddb.describe_contributor_insights(TableName=name))
    for _ in range(5):
        ddb.list_contributor_insights()
    throttled(lambda: ddb.list_contributor_insights())
    # the data plane and the rest of the control plane have no such rate
    for i in range(50):
        ddb.put_item(TableName=name, Item={"pk": {"S": str(i)}})
        ddb.describe_table(TableName=name)


def test_the_rate_is_per_account_not_per_table(frozen):
    ddb = make_client(frozen.endpoint)
    first, second = new_table_arn(ddb), new_table_arn(ddb)
    for i in range(3):
        tag(ddb, first, i)
    for i in range(2):
        tag(ddb, second, i)
    throttled(lambda: tag(ddb, first, 9))
    throttled(lambda: tag(ddb, second, 9))


def test_a_malformed_call_is_refused_as_before_and_takes_nothing(frozen):
    ddb = make_client(frozen.endpoint)
    arn = new_table_arn(ddb)
    for i in range(5):
        tag(ddb, arn, i)
    code, _ = error_of(lambda: ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "aws:x", "Value": "v"}]))
    assert code == "ValidationException"
    advance(frozen, 200)
    for _ in range(20):
        error_of(lambda: ddb.tag_resource(ResourceArn=arn, Tags=[]))
    tag(ddb, arn, 6)  # the 200 ms refilled one call, which the malformed ones did not take


def test_the_sdks_retry_it(server_factory):
    """boto3's default retries absorb the rate: 12 calls in a row all succeed on a running clock."""
    import boto3
    srv = server_factory(["--in-memory", "--control-plane-rates", "on"])
    ddb = boto3.client("dynamodb", endpoint_url=srv.endpoint, region_name="us-east-1",
                       aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
    arn = new_table_arn(ddb)
    for i in range(12):
        tag(ddb, arn, i)
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "k", "Value": "11"}]


def test_off_by_default_serves_every_call(server_factory):
    """Off unless asked, as --enforce-capacity's throttling is: a console or a test's burst of
    tagging calls that makes one attempt a call is served."""
    srv = server_factory(["--in-memory", "--clock", "frozen"])
    ddb = make_client(srv.endpoint)
    arn = new_table_arn(ddb)
    for i in range(50):
        tag(ddb, arn, i)
        ddb.list_tags_of_resource(ResourceArn=arn)


KEYS = """AKIDFIRST firstsecret 111122223333
AKIDSECOND secondsecret 444455556666
AKIDTHIRD thirdsecret 111122223333
"""


def test_accounts_have_their_own_buckets_and_keys_share_their_account(tmp_path):
    (tmp_path / "keys").write_text(KEYS)
    srv = DdbdServer(args=("--in-memory", "--auth", str(tmp_path / "keys"), "--clock", "frozen",
                           "--control-plane-rates", "on")).start()
    try:
        first = key_client(srv.endpoint, "AKIDFIRST", "firstsecret")
        second = key_client(srv.endpoint, "AKIDSECOND", "secondsecret")
        third = key_client(srv.endpoint, "AKIDTHIRD", "thirdsecret")
        arn_first, arn_second = new_table_arn(first), new_table_arn(second)
        for i in range(3):
            tag(first, arn_first, i)
        for i in range(2):
            tag(third, arn_first, i)  # another key of the same account
        throttled(lambda: tag(first, arn_first, 9))
        for i in range(5):
            tag(second, arn_second, i)
        throttled(lambda: tag(second, arn_second, 9))
    finally:
        srv.stop()
