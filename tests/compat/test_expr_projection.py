"""GetItem with ProjectionExpression: top-level attributes, nested map members, list indexes
(returned compacted, in index order), #name substitution (reserved words, names containing dots),
missing paths, and the projection's validation errors.

Messages are DynamoDB's as recorded by dynalite (test/getItem.js) and the DynamoDB Local
validator; list projections as recorded by the dynamodb-conformance suite against DynamoDB.
"""
import pytest
from botocore.exceptions import ClientError

from conftest import L, M, N, S, assert_client_error, unique_name


ITEM = {
    "pk": S("proj"),
    "s": S("str"),
    "n": N(1),
    "status": S("on"),
    "a.b": S("dotted"),
    "l": L(S("l0"), S("l1"), S("l2"), L(S("x"), S("y")), M(k=S("v"), j=N(2))),
    "m": M(a=S("ma"), b=L(N(0), M(c=N(5), d=N(6))), num=N(7), e=M(f=M(g=S("deep")))),
    "ss": {"SS": ["p", "q"]},
    "nul": {"NULL": True},
}


@pytest.fixture(scope="module")
def table(ddb):
    name = unique_name("proj")
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    ddb.put_item(TableName=name, Item=ITEM)
    yield name
    try:
        ddb.delete_table(TableName=name)
    except Exception:
        pass


def project(ddb, table, expr, names=None, **extra):
    params = {"TableName": table, "Key": {"pk": ITEM["pk"]}, "ProjectionExpression": expr}
    if names:
        params["ExpressionAttributeNames"] = names
    params.update(extra)
    return ddb.get_item(**params)


# (id, ProjectionExpression, ExpressionAttributeNames, expected Item)
CASES = [
    ("one", "s", None, {"s": S("str")}),
    ("two", "s, n", None, {"s": S("str"), "n": N(1)}),
    ("no_spaces", "s,n,ss", None, {"s": S("str"), "n": N(1), "ss": ITEM["ss"]}),
    ("key_only", "pk", None, {"pk": S("proj")}),
    ("key_not_added", "n", None, {"n": N(1)}),
    ("null_attribute", "nul", None, {"nul": {"NULL": True}}),
    ("whole_list", "l", None, {"l": ITEM["l"]}),
    ("whole_map", "m", None, {"m": ITEM["m"]}),
    ("map_member", "m.a", None, {"m": M(a=S("ma"))}),
    ("two_members", "m.a, m.num", None, {"m": M(a=S("ma"), num=N(7))}),
    ("deep_member", "m.e.f.g", None, {"m": M(e=M(f=M(g=S("deep"))))}),
    ("member_of_list_element", "m.b[1].c", None, {"m": M(b=L(M(c=N(5))))}),
    ("siblings_in_list_element", "m.b[1].c, m.b[1].d", None, {"m": M(b=L(M(c=N(5), d=N(6))))}),
    ("list_index", "l[1]", None, {"l": L(S("l1"))}),
    ("list_indexes_compacted_in_order", "l[2], l[0]", None, {"l": L(S("l0"), S("l2"))}),
    ("list_in_list", "l[3][1]", None, {"l": L(L(S("y")))}),
    ("map_in_list", "l[4].j", None, {"l": L(M(j=N(2)))}),
    ("list_index_and_member", "l[0], m.num, s", None,
     {"l": L(S("l0")), "m": M(num=N(7)), "s": S("str")}),
    ("reserved_word_via_name", "#st", {"#st": "status"}, {"status": S("on")}),
    ("name_with_dot_via_name", "#d", {"#d": "a.b"}, {"a.b": S("dotted")}),
    ("names_in_nested_path", "#m.#b[1].#c", {"#m": "m", "#b": "b", "#c": "c"},
     {"m": M(b=L(M(c=N(5))))}),
    ("one_name_used_twice", "#m.a, #m.num", {"#m": "m"}, {"m": M(a=S("ma"), num=N(7))}),
    ("dot_means_nesting", "a.b", None, {}),
    ("missing_and_present", "nope, s", None, {"s": S("str")}),
    ("missing_member", "m.nope, s", None, {"s": S("str")}),
    ("index_past_end", "l[9], s", None, {"s": S("str")}),
    ("index_into_map", "m[0], s", None, {"s": S("str")}),
    ("member_of_string", "s.x, n", None, {"n": N(1)}),
]


@pytest.mark.parametrize("expr, names, expected", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_projection(ddb, table, expr, names, expected):
    resp = project(ddb, table, expr, names, ConsistentRead=True)
    assert resp["Item"] == expected


def test_projection_of_nothing_that_exists(ddb, table):
    resp = project(ddb, table, "nope, m.zz, l[20]")
    assert resp.get("Item", {}) == {}


def test_projection_of_missing_item(ddb, table):
    resp = ddb.get_item(TableName=table, Key={"pk": S("absent")}, ProjectionExpression="s")
    assert "Item" not in resp


def test_projection_with_consumed_capacity(ddb, table):
    resp = project(ddb, table, "s", ReturnConsumedCapacity="TOTAL", ConsistentRead=True)
    assert resp["Item"] == {"s": S("str")}
    assert resp["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 1.0}


def test_projection_through_resource_api(endpoint, table):
    import boto3
    from decimal import Decimal
    from botocore.config import Config
    from conftest import ACCESS_KEY, REGION, SECRET_KEY
    resource = boto3.resource("dynamodb", endpoint_url=endpoint, region_name=REGION,
                              aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                              config=Config(retries={"total_max_attempts": 1}))
    got = resource.Table(table).get_item(Key={"pk": "proj"}, ProjectionExpression="#s, m.b[1]",
                                         ExpressionAttributeNames={"#s": "status"})
    assert got["Item"] == {"status": "on", "m": {"b": [{"c": Decimal(5), "d": Decimal(6)}]}}


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------

P = "Invalid ProjectionExpression: "

ERRORS = [
    ("empty", "", None, P + "The expression can not be empty;"),
    ("blank", "   ", None, P + "The expression can not be empty;"),
    ("reserved_word", "status", None,
     P + "Attribute name is a reserved keyword; reserved keyword: status"),
    ("reserved_word_case_kept", "s, StaTus", None,
     P + "Attribute name is a reserved keyword; reserved keyword: StaTus"),
    ("reserved_word_nested", "m.size", None,
     P + "Attribute name is a reserved keyword; reserved keyword: size"),
    ("undefined_name", "s, #zz", None,
     P + "An expression attribute name used in the document path is not defined; "
         "attribute name: #zz"),
    ("unused_name", "s", {"#a": "a"},
     "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a}"),
    ("same_path_twice", "s, s", None,
     P + "Two document paths overlap with each other; must remove or rewrite one of these "
         "paths; path one: [s], path two: [s]"),
    ("overlap_parent_child", "m, #m.a", {"#m": "m"},
     P + "Two document paths overlap with each other; must remove or rewrite one of these "
         "paths; path one: [m], path two: [m, a]"),
    ("overlap_list_element", "l, l[1]", None,
     P + "Two document paths overlap with each other; must remove or rewrite one of these "
         "paths; path one: [l], path two: [l, [1]]"),
    ("conflict_map_vs_list", "m.b, m[1]", None,
     P + "Two document paths conflict with each other; must remove or rewrite one of these "
         "paths; path one: [m, b], path two: [m, [1]]"),
    ("names_map_empty", "s", {},
     "ExpressionAttributeNames must not be empty"),
    ("names_bad_key", "s", {"a": "a"},
     'ExpressionAttributeNames contains invalid key: Syntax error; key: "a"'),
]


@pytest.mark.parametrize("expr, names, message", [c[1:] for c in ERRORS],
                         ids=[c[0] for c in ERRORS])
def test_projection_errors(ddb, table, expr, names, message):
    params = {"TableName": table, "Key": {"pk": ITEM["pk"]}, "ProjectionExpression": expr}
    if names is not None:
        params["ExpressionAttributeNames"] = names
    with pytest.raises(ClientError) as excinfo:
        ddb.get_item(**params)
    assert_client_error(excinfo, "ValidationException", message)


@pytest.mark.parametrize("expr, token, near", [
    ("a,,b", ",", ",,b"),
    ("a..b", ".", "..b"),
    ("l[a]", "a", "[a]"),
    ("a b", "b", "a b"),
    ("s,", "<EOF>", ","),
    ("a-b", "-", "a-b"),
])
def test_projection_syntax_errors(ddb, table, expr, token, near):
    with pytest.raises(ClientError) as excinfo:
        project(ddb, table, expr)
    assert_client_error(excinfo, "ValidationException",
                        P + 'Syntax error; token: "%s", near: "%s"' % (token, near))


@pytest.mark.parametrize("expr", [
    "whatever(stuff)", ":a", "abort,", "(a)", "(a),(b)", "(a,b)", "(a.b).c", "a[b]", "a[-1]",
    "a[1.5]", "#", "a.", ".a", "a[]",
])
def test_projection_syntax_errors_prefix(ddb, table, expr):
    with pytest.raises(ClientError) as excinfo:
        project(ddb, table, expr)
    assert_client_error(excinfo, "ValidationException", excinfo.value.response["Error"]["Message"])
    assert excinfo.value.response["Error"]["Message"].startswith(P + "Syntax error; token: ")


def test_projection_size_limit(ddb, table):
    at_limit = "a" + "z" * 4095
    assert project(ddb, table, at_limit).get("Item", {}) == {}
    with pytest.raises(ClientError) as excinfo:
        project(ddb, table, at_limit + "z")
    assert_client_error(excinfo, "ValidationException",
                        P + "Expression size has exceeded the maximum allowed size;")


def test_projection_size_counts_raw_text(ddb, table):
    # about 4000 bytes of #names that expand to far more: the limit is on the expression text
    names = {"#a%d" % i: "attribute_number_%d" % i for i in range(680)}
    expr = ",".join(names)
    assert len(expr) <= 4096
    assert project(ddb, table, expr, names).get("Item", {}) == {}


def test_projection_nesting_limit(ddb, table):
    ok = ".".join(["m"] * 32)
    assert project(ddb, table, ok).get("Item", {}) == {}
    with pytest.raises(ClientError) as excinfo:
        project(ddb, table, ok + ".m")
    assert_client_error(excinfo, "ValidationException",
                        P + "The document path has too many nesting levels; nesting levels: 33")


def test_names_without_projection(ddb, table):
    with pytest.raises(ClientError) as excinfo:
        ddb.get_item(TableName=table, Key={"pk": ITEM["pk"]}, ExpressionAttributeNames={"#a": "a"})
    assert_client_error(excinfo, "ValidationException",
                        "ExpressionAttributeNames can only be specified when using expressions")
