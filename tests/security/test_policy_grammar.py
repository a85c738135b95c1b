"""Policies IAM refuses, refused; policies IAM accepts, read as IAM reads them (issue 51, item 3;
docs/security.md, "The policy grammar refused").

Against f2c80dc each finding here was an attack: an `Allow` with `NotPrincipal` let a read-only
`tables=test_*` key write to another table; a `Deny` without `Principal` denied nothing; `Action`
beside `NotAction`, and members named twice (the evaluator read the first, a JSON reader the
last), were stored; `Null` read only its first value; `[`...`]` in a Resource or a `StringLike`
pattern was a character class (fnmatch), where IAM's wildcards are `*` and `?` only; an `Allow *`
whose condition every caller meets (`StringLike aws:PrincipalArn "*"`, `Null aws:SourceVpc "true"`)
passed the unbounded-access check. The whole evaluation table is tests/unit/api/test_rbp.c; a few
of its rows run here end to end.
"""
import json

import pytest
from botocore.exceptions import ClientError

from conftest import DdbdServer, signed_call
from helpers import key_client, table_arn

ACCOUNT = "000000000000"
KEYS = """AKIDADMIN adminsecret
AKIDTEST testsecret name=tester allow=read tables=test_*
"""
TESTER = "arn:aws:iam::%s:user/tester" % ACCOUNT
ADMIN = "arn:aws:iam::%s:user/AKIDADMIN" % ACCOUNT
BAD = "One or more parameter values were invalid: Invalid policy document: "
SYNTAX = BAD + "Syntax errors in policy."
PUBLIC = ("Resource-based policy grants unbounded access in one or more elements. Please revise the policy to "
          "ensure least-privilege form of access")
TABLES = ("test_rbp", "other1", "test_null", "test_deny")
VALIDATION = "com.amazon.coral.validate#ValidationException"


def refusal(fn):
    with pytest.raises(ClientError) as e:
        fn()
    r = e.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"]


def explicit_deny(action, table):
    return (400, "AccessDeniedException",
            "User: %s is not authorized to perform: dynamodb:%s on resource: %s with an explicit deny in a "
            "resource-based policy" % (TESTER, action, table_arn(table)))


def no_allow(action, table):
    return (400, "AccessDeniedException",
            "User: %s is not authorized to perform: dynamodb:%s on resource: %s because no identity-based policy "
            "allows the dynamodb:%s action" % (TESTER, action, table_arn(table), action))


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def stmt(effect="Deny", principal="*", action="dynamodb:*", table="test_rbp", **more):
    s = {"Effect": effect, "Principal": principal, "Action": action, "Resource": table_arn(table)}
    s.update(more)
    return s


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("policy_grammar")
    (tmp / "keys").write_text(KEYS)
    s = DdbdServer(args=("--in-memory", "--auth", str(tmp / "keys")))
    s.start()
    admin = key_client(s.endpoint, "AKIDADMIN", "adminsecret")
    for t in TABLES:
        admin.create_table(TableName=t, BillingMode="PAY_PER_REQUEST",
                           AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                           KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        admin.put_item(TableName=t, Item={"pk": {"S": "k"}})
    yield s
    s.stop()


@pytest.fixture
def admin(srv):
    """The admin key's calls, through raw HTTP: Debian's boto3 (1.26) predates the policy
    operations and CreateTable's ResourcePolicy. op(body) -> (status, answer)."""
    def call(op, body):
        return signed_call(srv.endpoint, "AKIDADMIN", "adminsecret", op, body)
    return call


def answer(status_and_out):
    status, out = status_and_out
    return status, out.get("__type"), out.get("message", out.get("Message"))


@pytest.fixture
def tester(srv):
    return key_client(srv.endpoint, "AKIDTEST", "testsecret")


def put(admin, table, policy):
    status, out = admin("PutResourcePolicy", {"ResourceArn": table_arn(table), "Policy": policy})
    assert status == 200, out
    return out


def refused_put(admin, table, policy):
    return answer(admin("PutResourcePolicy", {"ResourceArn": table_arn(table), "Policy": policy}))


def delete(admin, table):
    assert admin("DeleteResourcePolicy", {"ResourceArn": table_arn(table)})[0] == 200


# ---- the grammar: each refusal with its __type, message and status ----

DUPLICATE_STATEMENT = ('{"Version": "2012-10-17", "Statement": [], "Statement": [{"Effect": "Deny", '
                       '"Principal": "*", "Action": "dynamodb:*", "Resource": "%s"}]}' % table_arn("test_rbp"))
DUPLICATE_EFFECT = ('{"Statement": [{"Effect": "Deny", "Effect": "Allow", "Principal": "*", "Action": '
                    '"dynamodb:GetItem", "Resource": "%s"}]}' % table_arn("test_rbp"))
DUPLICATE_CASE = ('{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "dynamodb:*", "action": '
                  '"dynamodb:GetItem", "Resource": "%s"}]}' % table_arn("test_rbp"))
DUPLICATE_KEY = ('{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "dynamodb:*", "Resource": "%s", '
                 '"Condition": {"StringEquals": {"aws:username": "tester", "aws:username": "x"}}}]}'
                 % table_arn("test_rbp"))
REFUSED = [
    ("allow_not_principal", doc(stmt("Allow", None, NotPrincipal={"AWS": ADMIN})), PUBLIC),
    ("no_principal", doc(stmt(principal=None)), BAD + "Missing required field Principal"),
    ("principal_and_not_principal", doc(stmt(NotPrincipal={"AWS": ADMIN})), SYNTAX),
    ("action_and_not_action", doc(stmt(NotAction="dynamodb:GetItem")), SYNTAX),
    ("resource_and_not_resource", doc(stmt(NotResource=table_arn("other1"))), SYNTAX),
    ("no_action", doc(stmt(action=None)), BAD + "Missing required field Action"),
    ("no_effect", doc(stmt(effect=None)), BAD + "Missing required field Effect"),
    ("effect_lower_case", doc(stmt("deny")), SYNTAX),
    ("unknown_element", doc(stmt(Actions="dynamodb:GetItem")), SYNTAX),
    ("unknown_top_level", json.dumps({"Version": "2012-10-17", "Statement": [stmt()], "Statements": []}), SYNTAX),
    ("bad_version", json.dumps({"Version": "2012-10-18", "Statement": [stmt()]}), SYNTAX),
    ("empty_action", doc(stmt(action=[])), SYNTAX),
    ("empty_statement", json.dumps({"Version": "2012-10-17", "Statement": []}),
     BAD + "Could not parse the policy: Statement is empty!"),
    ("wildcard_in_principal", doc(stmt(principal={"AWS": "arn:aws:iam::*:root"})),
     BAD + "Policy contains a statement with one or more invalid principals."),
    ("duplicate_statement", DUPLICATE_STATEMENT, BAD + "This policy contains invalid Json"),
    # issue 73, item 8: principals that name no one were stored (a Deny naming them denied nobody)
    *[("principal_" + name, doc(stmt(principal={"AWS": p})), BAD + "Policy contains a statement with one or "
       "more invalid principals.") for name, p in (
        ("nbsp", TESTER + "\u00a0"), ("zero_width_space", TESTER + "\u200b"),
        ("cyrillic_letter", TESTER.replace("tester", "t\u0435ster")), ("eleven_digit_account", "00000000000"),
        ("eleven_digit_account_arn", "arn:aws:iam::00000000000:user/tester"), ("user_without_name",
        "arn:aws:iam::%s:user/" % ACCOUNT), ("unknown_partition", TESTER.replace(":aws:", ":awz:")),
        ("not_iam", "arn:aws:s3:::bucket"), ("unknown_resource", "arn:aws:iam::%s:group/admins" % ACCOUNT),
        ("user_no_key_is", "arn:aws:iam::%s:user/mallory" % ACCOUNT),
        ("user_of_another_account", "arn:aws:iam::111122223333:user/tester"))],
    ("duplicate_effect", DUPLICATE_EFFECT, BAD + "This policy contains invalid Json"),
    ("duplicate_in_another_case", DUPLICATE_CASE, BAD + "This policy contains invalid Json"),
    ("duplicate_condition_key", DUPLICATE_KEY, BAD + "This policy contains invalid Json"),
    ("public_stringlike_star", doc(stmt("Allow", action="dynamodb:GetItem",
                                        Condition={"StringLike": {"aws:PrincipalArn": "*"}})), PUBLIC),
    ("public_null_source_vpc", doc(stmt("Allow", action="dynamodb:GetItem",
                                        Condition={"Null": {"aws:SourceVpc": "true"}})), PUBLIC),
    ("public_if_exists", doc(stmt("Allow", action="dynamodb:GetItem",
                                  Condition={"StringEqualsIfExists": {"aws:PrincipalAccount": ACCOUNT}})), PUBLIC),
    ("public_negated", doc(stmt("Allow", action="dynamodb:GetItem",
                                Condition={"StringNotEquals": {"aws:PrincipalAccount": "111122223333"}})), PUBLIC),
]


def drop_none(policy):
    """stmt(x=None) leaves the element out."""
    d = json.loads(policy)
    for s in d["Statement"]:
        for k in [k for k, v in s.items() if v is None]:
            del s[k]
    return json.dumps(d)


@pytest.mark.parametrize("name,policy,message", REFUSED, ids=[r[0] for r in REFUSED])
def test_put_resource_policy_refuses(admin, name, policy, message):
    if not name.startswith("duplicate"):
        policy = drop_none(policy)
    try:
        assert refused_put(admin, "test_rbp", policy) == (400, VALIDATION, message)
        status, out = admin("GetResourcePolicy", {"ResourceArn": table_arn("test_rbp")})  # nothing stored
        assert (status, out["__type"].split("#")[1]) == (400, "PolicyNotFoundException")
    finally:  # (a server that stored it: the next row starts clean)
        admin("DeleteResourcePolicy", {"ResourceArn": table_arn("test_rbp")})


AT_CREATE = [r for r in REFUSED if r[0] in (
    "allow_not_principal", "no_principal", "action_and_not_action", "duplicate_effect", "public_null_source_vpc")]


@pytest.mark.parametrize("name,policy,message", AT_CREATE, ids=[r[0] for r in AT_CREATE])
def test_create_table_refuses(admin, name, policy, message):
    if not name.startswith("duplicate"):
        policy = drop_none(policy)
    table = "test_created_" + name
    assert answer(admin("CreateTable", {
        "TableName": table, "BillingMode": "PAY_PER_REQUEST", "ResourcePolicy": policy.replace("test_rbp", table),
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})) == (400, VALIDATION, message)
    status, out = admin("DescribeTable", {"TableName": table})  # nothing created
    assert (status, out["__type"].split("#")[1]) == (400, "ResourceNotFoundException")


def test_what_iam_accepts_is_stored(admin):
    for policy in (
            # a Deny may use NotPrincipal; it exempts the admin only with its account (issue 61)
            doc(stmt(NotPrincipal={"AWS": [ADMIN, "arn:aws:iam::%s:root" % ACCOUNT]}, principal=None)),
            doc(stmt(action="dynamodb:GetItem", NotResource=table_arn("other1"))).replace('"Resource": "%s", ' % table_arn("test_rbp"), ""),
            doc(stmt(action="dynamodb:GetItem", Condition={"Null": {"aws:SourceVpc": ["true", "false"]}})),
            doc(stmt("Allow", action="dynamodb:GetItem",
                     Condition={"StringEquals": {"aws:PrincipalAccount": ACCOUNT}})),  # confined: not public
            # every principal form IAM takes: an account, its root, a user of the key file (by a path
            # too), a role, an assumed role's session, another partition's root
            doc(stmt(action="dynamodb:GetItem", principal={"AWS": [ACCOUNT, TESTER, "arn:aws:iam::%s:user/division/AKIDADMIN" % ACCOUNT,
                                        "arn:aws:iam::111122223333:role/path/reader",
                                        "arn:aws:sts::111122223333:assumed-role/reader/session-1",
                                        "arn:aws-cn:iam::111122223333:root"]})),
            doc(stmt(principal={"Service": "dynamodb.amazonaws.com"})),
    ):
        policy = drop_none(policy)
        assert put(admin, "test_rbp", policy)["RevisionId"]
        delete(admin, "test_rbp")


# ---- the findings, end to end ----

def test_allow_not_principal_does_not_open_another_table(admin, tester):
    """The finding: stored, it let the read-only test_* key write to another table."""
    policy = doc({"Effect": "Allow", "NotPrincipal": {"AWS": ADMIN}, "Action": "dynamodb:*",
                  "Resource": table_arn("other1")})
    assert refused_put(admin, "other1", policy) == (400, VALIDATION, PUBLIC)
    assert refusal(lambda: tester.put_item(TableName="other1", Item={"pk": {"S": "w"}})) == \
        no_allow("PutItem", "other1")


def test_a_bracket_in_a_resource_is_no_character_class(admin, tester):
    """`table/other[12]` names that text, not other1 and other2: the tester gains no write."""
    put(admin, "other1", doc({"Effect": "Allow", "Principal": {"AWS": TESTER}, "Action": "dynamodb:PutItem",
                              "Resource": table_arn("other[12]")}))
    try:
        assert refusal(lambda: tester.put_item(TableName="other1", Item={"pk": {"S": "w"}})) == \
            no_allow("PutItem", "other1")
    finally:
        delete(admin, "other1")


def test_a_bracket_in_string_like_is_no_character_class(admin, tester):
    put(admin, "other1", doc({"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "dynamodb:PutItem",
                              "Resource": table_arn("other1"),
                              "Condition": {"StringLike": {"aws:PrincipalArn": TESTER.replace("tester", "t[e]ster")}}}))
    try:
        assert refusal(lambda: tester.put_item(TableName="other1", Item={"pk": {"S": "w"}})) == \
            no_allow("PutItem", "other1")
    finally:
        delete(admin, "other1")


def test_null_reads_every_value(admin, tester):
    """`Null aws:SourceVpc ["false", "true"]` holds for a request without a VPC: the second value."""
    put(admin, "test_null", doc(stmt(action="dynamodb:GetItem", table="test_null",
                                     Condition={"Null": {"aws:SourceVpc": ["false", "true"]}})))
    assert refusal(lambda: tester.get_item(TableName="test_null", Key={"pk": {"S": "k"}})) == \
        explicit_deny("GetItem", "test_null")


# ---- rows of the IAM-logic table (tests/unit/api/test_rbp.c), end to end ----

def test_explicit_deny_beats_allow_and_conditions_or_over_values(admin, tester):
    put(admin, "test_deny", drop_none(doc(
        stmt("Allow", {"AWS": TESTER}, "dynamodb:*", "test_deny", Sid="all"),
        stmt(action=["dynamodb:Query", "dynamodb:GetItem"], table="test_deny", Sid="reads",
             Condition={"StringEquals": {"aws:username": ["someone", "tester"]}}),
        stmt(principal={"AWS": TESTER}, NotAction="dynamodb:Scan", action=None, table="test_deny", Sid="notscan",
             Condition={"StringEqualsIfExists": {"aws:SourceVpc": "vpc-1"}}))))
    try:
        assert refusal(lambda: tester.get_item(TableName="test_deny", Key={"pk": {"S": "k"}})) == \
            explicit_deny("GetItem", "test_deny")
        assert refusal(lambda: tester.describe_table(TableName="test_deny")) == \
            explicit_deny("DescribeTable", "test_deny")
        assert tester.scan(TableName="test_deny")["Count"] == 1  # NotAction: Scan is not denied
    finally:
        delete(admin, "test_deny")
