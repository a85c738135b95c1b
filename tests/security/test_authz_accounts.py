"""Owner accounts and cross-account callers (issue 51, finding 2; docs/security.md, "Owner accounts
and cross-account callers").

Without --namespaces every key shares the tables. A table's ARN was built with the *caller's*
account, so a Deny with Principal "*" on arn:aws:dynamodb:us-east-1:111122223333:table/T did not
apply to a key of account 999999999999: its requests were decided on ...:999999999999:table/T. A
table now has one owner, the account that created it, and one ARN, the same for every caller (the
one DescribeTable gives); a caller of another account is decided as IAM decides a cross-account
request: an explicit Deny refuses it, and it needs both an Allow of the table's policy naming it and
its own key's rights.
"""
import functools
import json

import pytest

from conftest import DdbdServer, signed_call
from helpers import error_of, key_client, table_arn

OWNER_ACCOUNT, OTHER_ACCOUNT = "111122223333", "999999999999"
KEYS = """AKIDOWNER ownersecret 111122223333 name=owner
AKIDOTHER othersecret 999999999999 name=other
AKIDNARROW narrowsecret 999999999999 name=narrow allow=DescribeTable
AKIDDEFAULT defaultsecret name=plain
"""
OTHER = "arn:aws:iam::%s:user/other" % OTHER_ACCOUNT
KEY_SCHEMA = dict(AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                        {"AttributeName": "g", "AttributeType": "S"}],
                  KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")


arn = functools.partial(table_arn, account=OWNER_ACCOUNT)  # the table's owner's, not the test servers'


def put_policy(srv, table, statements):
    status, out = signed_call(srv.endpoint, "AKIDOWNER", "ownersecret", "PutResourcePolicy",
                              {"ResourceArn": arn(table),
                               "Policy": json.dumps({"Version": "2012-10-17", "Statement": statements})})
    assert status == 200, out


def allow_other(table):
    return {"Effect": "Allow", "Principal": {"AWS": OTHER_ACCOUNT}, "Action": "dynamodb:*",
            "Resource": [arn(table), arn(table) + "/*"]}


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("authz_accounts")
    (tmp / "keys").write_text(KEYS)
    s = DdbdServer(args=("--in-memory", "--auth", str(tmp / "keys")))
    s.start()
    owner = key_client(s.endpoint, "AKIDOWNER", "ownersecret")
    for table in ("shared", "denied", "unshared"):
        owner.create_table(TableName=table, StreamSpecification={"StreamEnabled": True,
                                                                 "StreamViewType": "KEYS_ONLY"},
                           GlobalSecondaryIndexes=[{"IndexName": "gsi1",
                                                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                                    "Projection": {"ProjectionType": "ALL"}}], **KEY_SCHEMA)
        owner.put_item(TableName=table, Item={"pk": {"S": "k"}, "g": {"S": "v"}})
    put_policy(s, "shared", [allow_other("shared")])
    # the finding: a Deny of everyone on the owner's ARN, next to an Allow of the other account
    put_policy(s, "denied", [allow_other("denied"),
                             {"Effect": "Deny", "Principal": "*", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
                              "Resource": arn("denied")}])
    yield s
    s.stop()


@pytest.fixture(scope="module")
def owner(srv):
    return key_client(srv.endpoint, "AKIDOWNER", "ownersecret")


@pytest.fixture(scope="module")
def other(srv):
    return key_client(srv.endpoint, "AKIDOTHER", "othersecret")


def test_a_table_has_one_arn_for_every_caller(owner, other):
    """DescribeTable's TableArn, its index's and its stream's ARN carry the owner's account, whoever asks
    (f2c80dc: each caller saw its own account)."""
    mine, theirs = owner.describe_table(TableName="shared")["Table"], other.describe_table(TableName="shared")["Table"]
    assert mine["TableArn"] == theirs["TableArn"] == arn("shared")
    assert mine["GlobalSecondaryIndexes"][0]["IndexArn"] == theirs["GlobalSecondaryIndexes"][0]["IndexArn"] == \
        arn("shared") + "/index/gsi1"
    assert mine["LatestStreamArn"] == theirs["LatestStreamArn"]
    assert theirs["LatestStreamArn"].startswith(arn("shared") + "/stream/")


def test_a_deny_of_everyone_on_the_owner_s_arn_refuses_another_account(owner, other):
    """The finding: Principal "*" denied GetItem and PutItem on ...:111122223333:table/denied; a key of
    999999999999 read and wrote it all the same (f2c80dc)."""
    expected = ("AccessDeniedException",
                "User: %s is not authorized to perform: dynamodb:%%s on resource: %s with an explicit deny in a "
                "resource-based policy" % (OTHER, arn("denied")))
    code, msg = error_of(lambda: other.get_item(TableName="denied", Key={"pk": {"S": "k"}}))
    assert (code, msg) == (expected[0], expected[1] % "GetItem")
    code, msg = error_of(lambda: other.put_item(TableName="denied", Item={"pk": {"S": "x"}}))
    assert (code, msg) == (expected[0], expected[1] % "PutItem")
    # by the table's ARN too, and the owner is denied as everyone is
    assert error_of(lambda: other.get_item(TableName=arn("denied"), Key={"pk": {"S": "k"}}))[1] == \
        expected[1] % "GetItem"
    assert error_of(lambda: owner.get_item(TableName="denied", Key={"pk": {"S": "k"}}))[0] == "AccessDeniedException"
    # what the Deny does not name, the Allow of the other account grants
    assert other.query(TableName="denied", KeyConditionExpression="pk = :k",
                       ExpressionAttributeValues={":k": {"S": "k"}})["Count"] == 1


def test_another_account_needs_the_table_s_allow(other):
    """No Allow of the table's policy names the other account: refused as IAM refuses a cross-account
    request (f2c80dc: every key of every account reached every table)."""
    assert error_of(lambda: other.get_item(TableName="unshared", Key={"pk": {"S": "k"}})) == (
        "AccessDeniedException",
        "User: %s is not authorized to perform: dynamodb:GetItem on resource: %s because no resource-based policy "
        "allows the dynamodb:GetItem action" % (OTHER, arn("unshared")))
    assert error_of(lambda: other.describe_table(TableName="unshared"))[0] == "AccessDeniedException"


def test_a_key_of_the_default_account_is_another_account_too(srv):
    plain = key_client(srv.endpoint, "AKIDDEFAULT", "defaultsecret")
    assert error_of(lambda: plain.get_item(TableName="shared", Key={"pk": {"S": "k"}})) == (
        "AccessDeniedException",
        "User: arn:aws:iam::000000000000:user/plain is not authorized to perform: dynamodb:GetItem on resource: %s "
        "because no resource-based policy allows the dynamodb:GetItem action" % arn("shared"))


def test_the_caller_s_own_rights_must_allow_it_too(srv):
    """The table's policy allows the other account everything; the key's own allow= still limits it."""
    narrow = key_client(srv.endpoint, "AKIDNARROW", "narrowsecret")
    assert narrow.describe_table(TableName="shared")["Table"]["TableArn"] == arn("shared")
    assert error_of(lambda: narrow.get_item(TableName="shared", Key={"pk": {"S": "k"}})) == (
        "AccessDeniedException",
        "User: arn:aws:iam::%s:user/narrow is not authorized to perform: dynamodb:GetItem on resource: %s because "
        "no identity-based policy allows the dynamodb:GetItem action" % (OTHER_ACCOUNT, arn("shared")))


def test_the_owner_s_arn_names_the_table_for_every_caller(other):
    assert other.get_item(TableName=arn("shared"), Key={"pk": {"S": "k"}})["Item"]["g"] == {"S": "v"}
    # the caller's own account names no such table
    assert error_of(lambda: other.get_item(TableName=arn("shared", account=OTHER_ACCOUNT), Key={"pk": {"S": "k"}})) == (
        "AccessDeniedException",
        "User: %s is not authorized to perform: dynamodb:GetItem on resource: %s because no resource-based policy "
        "allows the dynamodb:GetItem action" % (OTHER, arn("shared", account=OTHER_ACCOUNT)))


def test_only_the_owner_manages_the_policy(srv):
    status, out = signed_call(srv.endpoint, "AKIDOTHER", "othersecret", "GetResourcePolicy",
                              {"ResourceArn": arn("shared")})
    assert status == 400 and out["__type"].endswith("ValidationException"), out
    assert out["message"] == "This action is only supported by accounts that match the resource owner\u2019s account."
    status, out = signed_call(srv.endpoint, "AKIDOTHER", "othersecret", "PutResourcePolicy",
                              {"ResourceArn": arn("shared", account=OTHER_ACCOUNT),
                               "Policy": json.dumps({"Version": "2012-10-17", "Statement": [allow_other("shared")]})})
    assert status == 400 and out["__type"].endswith("ResourceNotFoundException"), out


def test_a_table_made_by_the_default_account_keeps_its_arn(srv):
    """Tables of the default account (every table before issue 51, and without --auth) are unchanged."""
    plain = key_client(srv.endpoint, "AKIDDEFAULT", "defaultsecret")
    plain.create_table(TableName="plain_table", AttributeDefinitions=KEY_SCHEMA["AttributeDefinitions"][:1],
                       KeySchema=KEY_SCHEMA["KeySchema"], BillingMode="PAY_PER_REQUEST")
    assert plain.describe_table(TableName="plain_table")["Table"]["TableArn"] == table_arn("plain_table")


def test_the_owner_is_kept_across_a_restart(tmp_path):
    """The owner is stored with the table (ddbdOwner): a restarted server gives the same ARN and still
    refuses the other account."""
    (tmp_path / "keys").write_text(KEYS)
    args = ("--data-dir", str(tmp_path / "data"), "--auth", str(tmp_path / "keys"))
    s = DdbdServer(args=args)
    s.start()
    try:
        key_client(s.endpoint, "AKIDOWNER", "ownersecret").create_table(
            TableName="kept", AttributeDefinitions=KEY_SCHEMA["AttributeDefinitions"][:1],
            KeySchema=KEY_SCHEMA["KeySchema"], BillingMode="PAY_PER_REQUEST")
    finally:
        s.stop()
    s = DdbdServer(args=args)
    s.start()
    try:
        assert key_client(s.endpoint, "AKIDOWNER", "ownersecret").describe_table(
            TableName="kept")["Table"]["TableArn"] == arn("kept")
        assert error_of(lambda: key_client(s.endpoint, "AKIDOTHER", "othersecret").describe_table(
            TableName="kept"))[0] == "AccessDeniedException"
    finally:
        s.stop()
