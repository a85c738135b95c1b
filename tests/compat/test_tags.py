"""Tags (issue 10): TagResource, UntagResource, ListTagsOfResource and CreateTable's Tags.

Sources of the expected behaviour and texts, named per test:
  ACK    a public conformance suite's captures of DynamoDB (aws-controllers-k8s API quirks,
         2026-10: DDB-TABLE-102..110, 372, 374, 457)
  SCYLLA ScyllaDB's test/alternator/test_tag.py, written against DynamoDB
  DYNALITE dynalite's tests of tagResource/untagResource, written against DynamoDB
  DDBD   ddbd's own choice where DynamoDB could not be confirmed (docs/compatibility.md, Tags)
"""
import threading

import pytest

from conftest import (ACCOUNT, REGION, create_table_params, expect_error, make_client, raw_request,
                      unique_name)
from helpers import table_arn

INVALID = "One or more parameter values were invalid: "
OVER_LIMIT = "Number of Tags exceed the current limit for the provided ResourceArn"


def tags(ddb, arn, **params):
    return ddb.list_tags_of_resource(ResourceArn=arn, **params)["Tags"]


def kv(pairs):
    return [{"Key": k, "Value": v} for k, v in pairs]


@pytest.fixture
def table(ddb, make_table):
    """A fresh table and its ARN (as DescribeTable reports it)."""
    name = make_table()
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    assert arn == table_arn(name)
    return arn


# ---- the three operations ------------------------------------------------------------------

def test_tag_list_untag_round_trip(ddb, table):
    """SCYLLA test_tag_resource_basic: odd keys and values, untagging absent keys is legal."""
    assert tags(ddb, table) == []
    four = kv([("string", "string"), ("string2", "string4"), ("7", " "), (" ", "9")])
    assert ddb.tag_resource(ResourceArn=table, Tags=four)["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert tags(ddb, table) == four  # insertion order (DDBD: a stable order)
    ddb.untag_resource(ResourceArn=table, TagKeys=["string2", "non-nexistent", "zzz2"])
    assert tags(ddb, table) == [four[0], four[2], four[3]]
    ddb.untag_resource(ResourceArn=table, TagKeys=["string", "7", " "])
    assert tags(ddb, table) == []


def test_responses_are_empty_objects(ddb, table):
    """TagResource and UntagResource answer {} (the API reference: no output members)."""
    out = ddb.tag_resource(ResourceArn=table, Tags=kv([("a", "b")]))
    assert set(out) == {"ResponseMetadata"}
    out = ddb.untag_resource(ResourceArn=table, TagKeys=["a"])
    assert set(out) == {"ResponseMetadata"}
    out = ddb.list_tags_of_resource(ResourceArn=table)
    assert set(out) == {"Tags", "ResponseMetadata"}


def test_tagging_an_existing_key_replaces_its_value_in_place(ddb, table):
    """ACK DDB-TABLE-105 (upsert), SCYLLA test_tag_resource_overwrite/test_tag_reassign."""
    ddb.tag_resource(ResourceArn=table, Tags=kv([("a", "1"), ("b", "2"), ("c", "3")]))
    ddb.tag_resource(ResourceArn=table, Tags=kv([("b", "two"), ("d", "4")]))
    assert tags(ddb, table) == kv([("a", "1"), ("b", "two"), ("c", "3"), ("d", "4")])
    ddb.tag_resource(ResourceArn=table, Tags=kv([("a", "1")]))  # no change at all
    assert tags(ddb, table) == kv([("a", "1"), ("b", "two"), ("c", "3"), ("d", "4")])


def test_keys_are_case_sensitive_and_values_may_be_empty(ddb, table):
    """ACK DDB-TABLE-106; SCYLLA test_empty_tag_value."""
    ddb.tag_resource(ResourceArn=table, Tags=kv([("Env", ""), ("env", "x")]))
    assert tags(ddb, table) == kv([("Env", ""), ("env", "x")])


def test_a_table_name_is_not_an_arn(ddb, make_table):
    """A table name is not an ARN for the tag operations (ACK: 'ARNs must start with')."""
    name = make_table()
    expect_error(ddb.list_tags_of_resource,
                 INVALID + "ARNs must start with 'arn:': %s" % name, ResourceArn=name)


# ---- CreateTable's Tags --------------------------------------------------------------------

def test_create_table_with_tags(ddb, make_table):
    """SCYLLA test_list_tags_from_creation; ACK DDB-TABLE-110 (50 tags on CreateTable are fine)."""
    predefined = kv([("str1", "str2"), ("kkk", "vv"), ("keykey", "valvalvalval")])
    name = make_table(Tags=predefined)
    assert tags(ddb, table_arn(name)) == predefined
    fifty = kv([("k%02d" % i, "v%02d" % i) for i in range(50)])
    name = make_table(Tags=fifty)
    assert tags(ddb, table_arn(name)) == fifty


def test_create_table_with_empty_tags(ddb, make_table):
    """ACK DDB-TABLE-110: CreateTable accepts Tags=[] (TagResource does not)."""
    name = make_table(Tags=[])
    assert tags(ddb, table_arn(name)) == []


@pytest.mark.parametrize("bad, message", [
    (kv([("aws:foo", "x")]), "Tag Key cannot be prefixed with aws:, Key: aws:foo"),
    (kv([("x" * 129, "v")]), "The Tag Key provided is invalid, Key: " + "x" * 129),
    (kv([("k%d" % i, "v") for i in range(51)]), OVER_LIMIT),
    (kv([("dup", "1"), ("dup", "2")]), "Duplicate Tag Keys provided as input: Duplicate Tag Key found dup"),
    (kv([("bad#char", "v")]), "The Tag Key provided is invalid, Key: bad#char"),
    ([{"Key": "k"}], "The Tag Value provided is invalid, Value: null"),
], ids=["aws-prefix", "key-129", "51-tags", "duplicate", "hash-char", "no-value"])
def test_create_table_with_invalid_tags_creates_nothing(ddb, bad, message):
    """ACK DDB-TABLE-110: ValidationException, and DescribeTable then finds no table."""
    name = unique_name("tagbad")
    expect_error(ddb.create_table, message, **create_table_params(name, Tags=bad))
    expect_error(ddb.describe_table, "Requested resource not found: Table: %s not found" % name,
                 code="ResourceNotFoundException", TableName=name)


def serialization_error(endpoint, op, params, message):
    resp = raw_request(endpoint, op, params)
    assert resp.status == 400
    assert resp.json() == {"__type": "com.amazon.coral.service#SerializationException", "Message": message}


def test_create_table_tags_type_is_checked(endpoint):
    """The type pass covers Tags (SerializationException, as for every list member)."""
    params = create_table_params(unique_name("tagtype"), Tags="x")
    serialization_error(endpoint, "CreateTable", params, "Expected list or null")
    params["Tags"] = [{"Key": 1, "Value": "v"}]
    serialization_error(endpoint, "CreateTable", params,
                        "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String")


# ---- limits and characters -------------------------------------------------------------------

def test_key_and_value_lengths(ddb, table):
    """ACK DDB-TABLE-107; SCYLLA test_tag_key_length_128_allowed and friends (Unicode counted
    as characters)."""
    ddb.tag_resource(ResourceArn=table, Tags=kv([("x" * 128, "dog"), ("y", "v" * 256)]))
    ddb.tag_resource(ResourceArn=table, Tags=kv([("\u05d0" * 128, "\u05d0" * 256)]))
    assert len(tags(ddb, table)) == 3
    expect_error(ddb.tag_resource, "The Tag Key provided is invalid, Key: " + "k" * 129,
                 ResourceArn=table, Tags=kv([("k" * 129, "dog")]))
    expect_error(ddb.tag_resource, "The Tag Value provided is invalid, Value: " + "v" * 257,
                 ResourceArn=table, Tags=kv([("dog", "v" * 257)]))
    expect_error(ddb.tag_resource, "The Tag Key provided is invalid, Key: ",
                 ResourceArn=table, Tags=kv([("", "dog")]))


def test_missing_key_or_value(ddb, table):
    """ACK DDB-TABLE-457: Tags=[{}] and value-only name the Key, key-only the Value."""
    expect_error(ddb.tag_resource, "The Tag Key provided is invalid, Key: null",
                 ResourceArn=table, Tags=[{}])
    expect_error(ddb.tag_resource, "The Tag Key provided is invalid, Key: null",
                 ResourceArn=table, Tags=[{"Value": "v"}])
    expect_error(ddb.tag_resource, "The Tag Value provided is invalid, Value: null",
                 ResourceArn=table, Tags=[{"Key": "dog"}])


@pytest.mark.parametrize("text", ["ключ", "café", "表", "a\u00a0b", "a\u3000b", "a+b-c=d.e_f:g/h@i",
                                  " leading", "sp ace", "0123"])
def test_allowed_characters(ddb, table, text):
    """ACK DDB-TABLE-106/372: letters of any script, separators, digits and + - = . _ : / @."""
    ddb.tag_resource(ResourceArn=table, Tags=kv([(text, text)]))
    assert tags(ddb, table) == kv([(text, text)])


@pytest.mark.parametrize("text", ["\U0001f511", "100%", "a,b", "it's \"q\"", "(x)[y]{z}", "a&b", "a*b",
                                  "a;b", "a?b", "a|b", "a\\b", "<a>", "~a", "hi!", "bad#char", "tab\t"])
def test_forbidden_characters(ddb, table, text):
    """ACK DDB-TABLE-372 (emoji and punctuation other than + - = . _ : / @), SCYLLA
    test_tag_forbidden_chars; a tab (not a \\p{Z} separator) is DDBD's reading of the pattern."""
    expect_error(ddb.tag_resource, "The Tag Key provided is invalid, Key: " + text,
                 ResourceArn=table, Tags=kv([(text, "dog")]))
    expect_error(ddb.tag_resource, "The Tag Value provided is invalid, Value: " + text,
                 ResourceArn=table, Tags=kv([("dog", text)]))
    assert tags(ddb, table) == []


def test_aws_prefix_is_reserved(ddb, table):
    """ACK DDB-TABLE-105: any case, in TagResource and UntagResource; 'myaws:' is fine."""
    for key in ["aws:foo", "AWS:foo", "Aws:"]:
        expect_error(ddb.tag_resource, "Tag Key cannot be prefixed with aws:, Key: " + key,
                     ResourceArn=table, Tags=kv([(key, "x")]))
    expect_error(ddb.untag_resource, "Tag Key cannot be prefixed with aws:, Key: aws:foo",
                 ResourceArn=table, TagKeys=["aws:foo"])
    ddb.tag_resource(ResourceArn=table, Tags=kv([("myaws:foo", "x")]))
    assert tags(ddb, table) == kv([("myaws:foo", "x")])


def test_one_bad_tag_fails_the_whole_request(ddb, table):
    """ACK DDB-TABLE-107: mixed requests are all-or-nothing."""
    expect_error(ddb.tag_resource, "The Tag Key provided is invalid, Key: " + "x" * 129,
                 ResourceArn=table, Tags=kv([("good", "1"), ("x" * 129, "2")]))
    expect_error(ddb.tag_resource, "Tag Key cannot be prefixed with aws:, Key: aws:zzz",
                 ResourceArn=table, Tags=kv([("good", "1"), ("aws:zzz", "2")]))
    expect_error(ddb.tag_resource, "Duplicate Tag Keys provided as input: Duplicate Tag Key found dup",
                 ResourceArn=table, Tags=kv([("good", "1"), ("dup", "a"), ("dup", "b")]))
    assert tags(ddb, table) == []


def test_empty_lists(ddb, table):
    """ACK DDB-TABLE-107, DYNALITE: Tags=[] and TagKeys=[] are refused."""
    expect_error(ddb.tag_resource, "Atleast one Tag needs to be provided as Input.", ResourceArn=table, Tags=[])
    expect_error(ddb.untag_resource, "Atleast one Tag Key needs to be provided as Input.",
                 ResourceArn=table, TagKeys=[])
    expect_error(ddb.untag_resource, "The Tag Key provided is invalid, Key: ", ResourceArn=table, TagKeys=[""])
    expect_error(ddb.untag_resource, "The Tag Key provided is invalid, Key: " + "k" * 129,
                 ResourceArn=table, TagKeys=["k" * 129])


def test_fifty_tags_counted_after_the_merge(ddb, table):
    """ACK DDB-TABLE-108: the limit applies to the merged set; no NextToken at 50 tags."""
    fifty = kv([("k%02d" % i, "v%02d" % i) for i in range(50)])
    ddb.tag_resource(ResourceArn=table, Tags=fifty[:49])
    ddb.tag_resource(ResourceArn=table, Tags=fifty[49:])
    expect_error(ddb.tag_resource, OVER_LIMIT, ResourceArn=table, Tags=kv([("k51", "x")]))
    expect_error(ddb.tag_resource, OVER_LIMIT, ResourceArn=table, Tags=kv([("k01", "new"), ("k51", "x")]))
    ddb.tag_resource(ResourceArn=table, Tags=kv([("k01", "new")]))
    renamed = kv([("k%02d" % i, "w") for i in range(50)])
    ddb.tag_resource(ResourceArn=table, Tags=renamed)
    out = ddb.list_tags_of_resource(ResourceArn=table)
    assert out["Tags"] == renamed and "NextToken" not in out
    expect_error(ddb.untag_resource, OVER_LIMIT, ResourceArn=table, TagKeys=["k%02d" % i for i in range(51)])
    ddb.untag_resource(ResourceArn=table, TagKeys=["k%02d" % i for i in range(50)])
    assert tags(ddb, table) == []
    expect_error(ddb.tag_resource, OVER_LIMIT, ResourceArn=table,
                 Tags=kv([("n%02d" % i, "v") for i in range(51)]))


def test_next_token(ddb, table):
    """DDBD: pages of 50 (the limit), so a NextToken is never returned; the token ddbd would give
    (the position of the page's first tag) is accepted, anything else refused."""
    ten = kv([("k%d" % i, "v") for i in range(10)])
    ddb.tag_resource(ResourceArn=table, Tags=ten)
    assert tags(ddb, table, NextToken="4") == ten[4:]
    assert tags(ddb, table, NextToken="99") == []
    for bad in ["abc", "0", "-1", "", "4x"]:
        expect_error(ddb.list_tags_of_resource, "Invalid NextToken: " + bad, ResourceArn=table, NextToken=bad)


# ---- ResourceArn -----------------------------------------------------------------------------

OPS = [
    ("tag_resource", {"Tags": kv([("x", "y")])}),
    ("untag_resource", {"TagKeys": ["x"]}),
    ("list_tags_of_resource", {}),
]


@pytest.mark.parametrize("op, extra", OPS, ids=[o[0] for o in OPS])
def test_unknown_table(ddb, op, extra):
    """SCYLLA test_tag_resource_subtly_incorrect_arn; ACK DDB-TABLE-374 (the text, for TagResource;
    assumed for the other two)."""
    arn = table_arn(unique_name("missing"))
    expect_error(getattr(ddb, op), "Requested resource not found: ResourceArn: %s not found" % arn,
                 code="ResourceNotFoundException", ResourceArn=arn, **extra)


@pytest.mark.parametrize("op, extra", OPS, ids=[o[0] for o in OPS])
def test_malformed_arns(ddb, table, op, extra):
    """ACK's message catalogue: 'ARNs must start with', index ARNs ('only table or stream'),
    backup ARNs ('not a DynamoDB resource arn'), another region ('Invalid TableArn'); another
    account as validate_arn.c answers it for TableName (DDBD)."""
    call = getattr(ddb, op)
    for bad in ["I_do_not_exist", " ", "x" * 125]:
        expect_error(call, INVALID + "ARNs must start with 'arn:': " + bad, ResourceArn=bad, **extra)
    index = table + "/index/gsi"
    expect_error(call, INVALID + "Invalid resource arn provided, only table or stream is accepted. "
                 "Provided resource arn: " + index, ResourceArn=index, **extra)
    backup = table + "/backup/01791525400213-63b4d36a"
    expect_error(call, INVALID + "Provided Arn is not a DynamoDB resource arn: " + backup,
                 ResourceArn=backup, **extra)
    for bad in [table.replace(REGION, "eu-west-1"), "arn:not/a/good/format", "arn:aws:dynamodb:%s:%s:table/ab"
                % (REGION, ACCOUNT)]:
        expect_error(call, "Invalid TableArn: Invalid ResourceArn provided as input " + bad,
                     ResourceArn=bad, **extra)
    other = table.replace(ACCOUNT, "123456789012")
    opname = {"tag_resource": "TagResource", "untag_resource": "UntagResource",
              "list_tags_of_resource": "ListTagsOfResource"}[op]
    expect_error(call, "User: arn:aws:iam::%s:root is not authorized to perform: dynamodb:%s on resource: %s "
                 "because no resource-based policy allows the dynamodb:%s action" % (ACCOUNT, opname, other, opname),
                 code="AccessDeniedException", ResourceArn=other, **extra)


def test_missing_members(ddb, endpoint, table):
    """The model's required members, in the constraint form (DYNALITE for 'tags'; the rest DDBD)."""
    expect_error(ddb.tag_resource,
                 "1 validation error detected: Value null at 'tags' failed to satisfy constraint: "
                 "Member must not be null", ResourceArn=table)
    expect_error(ddb.untag_resource,
                 "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: "
                 "Member must not be null", ResourceArn=table)
    expect_error(ddb.list_tags_of_resource,
                 "1 validation error detected: Value null at 'resourceArn' failed to satisfy constraint: "
                 "Member must not be null")
    expect_error(ddb.list_tags_of_resource,
                 "1 validation error detected: Value '' at 'resourceArn' failed to satisfy constraint: "
                 "Member must have length greater than or equal to 1", ResourceArn="")
    serialization_error(endpoint, "TagResource", {"ResourceArn": table, "Tags": {"Key": "k"}},
                        "Start of structure or map found where not expected.")
    serialization_error(endpoint, "UntagResource", {"ResourceArn": table, "TagKeys": "k"}, "Expected list or null")
    serialization_error(endpoint, "ListTagsOfResource", {"ResourceArn": table, "NextToken": 5},
                        "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String")


# ---- lifetime ----------------------------------------------------------------------------------

def test_delete_table_drops_its_tags(ddb):
    """The tags live in the description: a table re-created under the name has none."""
    name = unique_name("tagdel")
    ddb.create_table(**create_table_params(name, Tags=kv([("a", "1")])))
    ddb.tag_resource(ResourceArn=table_arn(name), Tags=kv([("b", "2")]))
    ddb.delete_table(TableName=name)
    expect_error(ddb.list_tags_of_resource, "Requested resource not found: ResourceArn: %s not found"
                 % table_arn(name), code="ResourceNotFoundException", ResourceArn=table_arn(name))
    ddb.create_table(**create_table_params(name))
    try:
        assert tags(ddb, table_arn(name)) == []
    finally:
        ddb.delete_table(TableName=name)


def test_tags_survive_other_changes_and_stay_out_of_describe(ddb, make_table):
    """UpdateTable rewrites the description and keeps the tags; DescribeTable does not show them."""
    name = make_table(Tags=kv([("a", "1")]))
    ddb.update_table(TableName=name, BillingMode="PROVISIONED",
                     ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    assert tags(ddb, table_arn(name)) == kv([("a", "1")])
    desc = ddb.describe_table(TableName=name)["Table"]
    assert "Tags" not in desc and "ddbdTags" not in desc
    ddb.put_item(TableName=name, Item={"pk": {"S": "x"}})
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "x"}})["Item"] == {"pk": {"S": "x"}}


def test_tags_persist_across_restart(server_factory, tmp_path):
    server = server_factory(["--data-dir", str(tmp_path / "data")])
    client = make_client(server.endpoint)
    name = unique_name("tagkeep")
    client.create_table(**create_table_params(name, Tags=kv([("a", "1")])))
    client.tag_resource(ResourceArn=table_arn(name), Tags=kv([("b", "2")]))
    assert server.stop() == 0
    server = server_factory(["--data-dir", str(tmp_path / "data")])
    assert tags(make_client(server.endpoint), table_arn(name)) == kv([("a", "1"), ("b", "2")])


def test_concurrent_tag_changes_lose_nothing(ddb, table):
    """SCYLLA test_concurrent_tag (#6389): two writers of different keys never undo each other."""
    errors = []

    def loop(key):
        try:
            for _ in range(100):
                ddb.tag_resource(ResourceArn=table, Tags=kv([(key, "Hello")]))
                assert [t["Value"] for t in tags(ddb, table) if t["Key"] == key] == ["Hello"]
                ddb.untag_resource(ResourceArn=table, TagKeys=[key])
                assert [t for t in tags(ddb, table) if t["Key"] == key] == []
        except BaseException as e:  # noqa: B902 - reported below
            errors.append(e)

    threads = [threading.Thread(target=loop, args=(k,)) for k in ("A", "B", "C")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert tags(ddb, table) == []
