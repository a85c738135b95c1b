"""A Deny that IAM applies, applied (issue 61, item 3; docs/security.md, "Resource-based policies").

Rows of IAM's evaluation table run end to end: a principal (a key of the key file, an IAM user of
account 111122223333) x a table's resource policy -> allowed or denied, through boto3 with --auth.
The admin and carol keys' own rules allow GetItem, so their rows are decided by the policy's Deny
alone; the reader's do not, so its rows are decided by the policy's Allow. Against
4726060 each row marked so failed:
- `NotPrincipal` in a Deny was matched as a Principal is: the account's root among its names
  exempted every key of the account, and the user's ARN alone exempted the user. IAM evaluates a
  user's request as two identities, the user and its account, and exempts it only when both are
  listed (the IAM user guide's "NotPrincipal" page: Bob *and* 444455556666:root);
- policy variables were never substituted, so a Deny naming `${aws:username}` denied no one (and a
  variable with no value, which makes IAM's statement invalid, made a negated condition hold);
- an Allow naming the caller's own account granted every key of it what its own rules did not, where
  IAM's account principal delegates to the users' own permissions;
- blank or padded principals and resources, and variables ddbd cannot supply, were stored, where
  IAM refuses the first and a stored variable would deny no one.
The whole table, with the rows these leave out, is tests/unit/api/test_rbp.c.
"""
import functools
import json

import pytest
from botocore.exceptions import ClientError

from conftest import DdbdServer, signed_call
from helpers import key_client, table_arn

ACCOUNT = "111122223333"
KEYS = """AKIDADMIN adminsecret 111122223333 name=admin
AKIDCAROL carolsecret 111122223333 name=carol
AKIDREADER readersecret 111122223333 name=reader allow=DescribeTable
"""
ROOT = "arn:aws:iam::%s:root" % ACCOUNT
ADMIN = "arn:aws:iam::%s:user/admin" % ACCOUNT
CAROL = "arn:aws:iam::%s:user/carol" % ACCOUNT
SECRETS = {"admin": ("AKIDADMIN", "adminsecret"), "carol": ("AKIDCAROL", "carolsecret"),
           "reader": ("AKIDREADER", "readersecret")}
BAD = "One or more parameter values were invalid: Invalid policy document: "
BAD_PRINCIPAL = BAD + "Policy contains a statement with one or more invalid principals."
SYNTAX = BAD + "Syntax errors in policy."


arn = functools.partial(table_arn, account=ACCOUNT)


def deny(table, who=None, resource=None, **more):
    """A Deny of GetItem on `table` (or `resource`) to `who` (a Principal or NotPrincipal element)."""
    st = {"Effect": "Deny", "Action": "dynamodb:GetItem", "Resource": resource or arn(table)}
    st.update(who or {"Principal": {"AWS": ACCOUNT}})
    st.update(more)
    return json.dumps({"Version": "2012-10-17", "Statement": [st]})


def allow(table, principal):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": principal, "Action": "dynamodb:GetItem", "Resource": arn(table)}]})


def not_principal(*names):
    return {"NotPrincipal": {"AWS": list(names)}}


# (table, its policy, {key: "allowed" | "denied" | "not allowed"}): the rows of the table. "denied":
# an explicit deny of the policy; "not allowed": neither the key's rules nor the policy allow it
ROWS = [
    # NotPrincipal in a Deny: the form the IAM guide prescribes exempts the user named, no other
    ("np_user_root", deny("np_user_root", not_principal(ADMIN, ROOT)), {"admin": "allowed", "carol": "denied"}),
    ("np_root_user", deny("np_root_user", not_principal(ROOT, ADMIN)), {"admin": "allowed", "carol": "denied"}),
    ("np_account_user", deny("np_account_user", not_principal(ACCOUNT, ADMIN)), {"admin": "allowed", "carol": "denied"}),
    # the user's ARN alone: its account is not exempt, so IAM denies the user too
    ("np_user", deny("np_user", not_principal(ADMIN)), {"admin": "denied", "carol": "denied"}),
    # the root alone: no user's own ARN is listed
    ("np_root", deny("np_root", not_principal(ROOT)), {"admin": "denied", "carol": "denied"}),
    # an Allow naming the caller's own account delegates to its users' own permissions (IAM's
    # "Principal" page): it gives the reader key (allow=DescribeTable) nothing (naming the user, as
    # tests/js/resource_policy_auth.test.mjs does, grants)
    ("a_account", allow("a_account", {"AWS": ACCOUNT}), {"reader": "not allowed", "carol": "allowed"}),
    ("a_root", allow("a_root", {"AWS": ROOT}), {"reader": "not allowed"}),
    # policy variables, substituted in the resource part of a Resource
    ("carol", deny("carol", resource=arn("${aws:username}")), {"admin": "allowed", "carol": "denied"}),
    # ... and in String and Arn condition values
    ("v_arn", deny("v_arn", Condition={"StringEquals": {
        "aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}"}}),
     {"admin": "denied", "carol": "denied"}),
    ("v_like", deny("v_like", Condition={"StringLike": {"aws:PrincipalArn": "*:user/${aws:username}"}}),
     {"admin": "denied", "carol": "denied"}),
    ("v_arn_op", deny("v_arn_op", Condition={"ArnEquals": {"aws:PrincipalArn": "${aws:PrincipalArn}"}}),
     {"admin": "denied", "carol": "denied"}),
    ("v_default", deny("v_default", Condition={"StringEquals": {"aws:username": "${aws:SourceVpc, 'carol'}"}}),
     {"admin": "allowed", "carol": "denied"}),
    # a variable with no value and no default: IAM's statement is invalid, it denies no one
    ("v_no_value", deny("v_no_value", Condition={"StringNotEquals": {"aws:username": "${aws:SourceVpc}"}}),
     {"admin": "allowed", "carol": "allowed"}),
]


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("iam_table")
    (tmp / "keys").write_text(KEYS)
    s = DdbdServer(args=("--in-memory", "--auth", str(tmp / "keys")))
    s.start()
    admin = key_client(s.endpoint, *SECRETS["admin"])
    for table, policy, _ in ROWS:
        admin.create_table(TableName=table, AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                           KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
        status, out = signed_call(s.endpoint, *SECRETS["admin"], "PutResourcePolicy",
                                  {"ResourceArn": arn(table), "Policy": policy})  # (this botocore predates it)
        assert status == 200, out
    yield s
    s.stop()


def outcome(srv, key, table):
    client = key_client(srv.endpoint, *SECRETS[key])
    try:
        client.get_item(TableName=table, Key={"pk": {"S": "k"}})
        return "allowed"
    except ClientError as e:
        err = e.response["Error"]
        assert err["Code"] == "AccessDeniedException", err
        prefix = ("User: arn:aws:iam::%s:user/%s is not authorized to perform: dynamodb:GetItem on resource: %s "
                  % (ACCOUNT, key, arn(table)))
        reasons = {prefix + "with an explicit deny in a resource-based policy": "denied",
                   prefix + "because no identity-based policy allows the dynamodb:GetItem action": "not allowed"}
        assert err["Message"] in reasons, err
        return reasons[err["Message"]]


@pytest.mark.parametrize("table,want", [(t, w) for t, _, w in ROWS], ids=[r[0] for r in ROWS])
def test_a_row_of_the_evaluation_table(srv, table, want):
    assert {key: outcome(srv, key, table) for key in want} == want


# ---- what IAM refuses at PutResourcePolicy, refused ----

REFUSED = [
    ("padded_account", deny("t", {"Principal": {"AWS": " " + ACCOUNT}}), BAD_PRINCIPAL),
    ("padded_user", deny("t", {"Principal": {"AWS": [ADMIN, CAROL + " "]}}), BAD_PRINCIPAL),
    ("padded_not_principal", deny("t", not_principal(ADMIN + " ", ROOT)), BAD_PRINCIPAL),
    ("not_an_arn", deny("t", {"Principal": {"AWS": "user/plain"}}), BAD_PRINCIPAL),
    ("padded_resource", deny("t", resource=" " + arn("t")), SYNTAX),
    ("padded_resource_end", deny("t", resource=[arn("t"), arn("t") + " "]), SYNTAX),
    ("blank_resource", deny("t", resource=[arn("t"), ""]), SYNTAX),
    ("variable_ddbd_lacks", deny("t", resource=arn("${aws:userid}")),
     BAD + "ddbd does not evaluate the policy variable '${aws:userid}' (docs/security.md lists what it does)"),
    ("malformed_variable", deny("t", Condition={"StringNotEquals": {"aws:username": "x${aws:username"}}),
     BAD + "ddbd does not evaluate the policy variable '${aws:username' (docs/security.md lists what it does)"),
    ("variable_ddbd_lacks_in_a_condition", deny("t", Condition={"StringEquals": {"aws:username": "${aws:CurrentTime}"}}),
     BAD + "ddbd does not evaluate the policy variable '${aws:CurrentTime}' (docs/security.md lists what it does)"),
]


@pytest.mark.parametrize("name,policy,message", REFUSED, ids=[r[0] for r in REFUSED])
def test_what_iam_refuses_is_refused(srv, name, policy, message):
    status, out = signed_call(srv.endpoint, *SECRETS["admin"], "PutResourcePolicy",
                              {"ResourceArn": arn("carol"), "Policy": policy.replace("/t", "/carol")})
    assert (status, out.get("__type", "").split("#")[-1], out.get("message", out.get("Message"))) == \
        (400, "ValidationException", message)
