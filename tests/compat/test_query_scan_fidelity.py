"""Query and Scan fidelity: ExclusiveStartKey as DynamoDB checks it, on tables, GSIs (one- and
multi-attribute keys) and LSIs; the key conditions of a multi-attribute GSI; attribute names over
64 KB wherever a name is given (the sources of those are at their sections).

A start key names exactly the attributes a LastEvaluatedKey carries: the table's key and, on an
index, the index's key attributes. DynamoDB checks its shape, then the types of the keyspace's own
key attributes, then the table's key ("The provided starting key is invalid: ..."), then, for a
Query, that it lies inside the key condition: the sort conditions first ("does not match the range
key predicate"), then the partition ("outside query boundaries" without a sort condition, "can
return at most one row" with one). Scan words every shape or type error as "The provided starting
key is invalid: The provided key element does not match the schema".

Sources of the expected messages: dynalite's test/query.js (its ExclusiveStartKey cases, written
against DynamoDB: "range in ExclusiveStartKey is invalid", "global hash in ExclusiveStartKey but
bad in query", "local has incorrect schema", "global hash in ExclusiveStartKey but not matching
predicate", "global hash in ExclusiveStartKey but exact match"); the conformance suite whose
Query/Scan schema-mismatch captures floci's pull request 1443 quotes (Query: "The provided starting
key is invalid"; Scan: "... invalid: The provided key element does not match the schema").
"""
import pytest

from conftest import B, N, S, all_pages, batch_put, expect_error, unique_name

START_INVALID = "The provided starting key is invalid"
KEY_MISMATCH = "The provided key element does not match the schema"
START_MISMATCH = START_INVALID + ": " + KEY_MISMATCH
OUTSIDE = "The provided starting key is outside query boundaries based on provided conditions"
PREDICATE = "The provided starting key does not match the range key predicate"
ONE_ROW = "The query can return at most one row and cannot be restarted"
SAME_SIZE = "Exclusive Start Key must have same size as table's key schema"


def key_schema(hashes, ranges=()):
    return ([{"AttributeName": a, "KeyType": "HASH"} for a in hashes] +
            [{"AttributeName": a, "KeyType": "RANGE"} for a in ranges])


def gsi(name, hashes, ranges=()):
    return {"IndexName": name, "KeySchema": key_schema(hashes, ranges), "Projection": {"ProjectionType": "ALL"}}


@pytest.fixture(scope="module")
def tt(ddb):
    """range: pk/sk with an LSI lix (pk, lk), a GSI gix (gk, gs N) and a GSI hix (gk); hash: pk with
    the same gix; multi: pk with a GSI mix on (t1, t2) x (r1 N, r2 N)."""
    names = {k: unique_name("qsf_" + k) for k in ("range", "hash", "multi")}
    ddb.create_table(
        TableName=names["range"], BillingMode="PAY_PER_REQUEST", KeySchema=key_schema(["pk"], ["sk"]),
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in
                              (("pk", "S"), ("sk", "S"), ("lk", "S"), ("gk", "S"), ("gs", "N"))],
        LocalSecondaryIndexes=[{"IndexName": "lix", "KeySchema": key_schema(["pk"], ["lk"]),
                                "Projection": {"ProjectionType": "ALL"}}],
        GlobalSecondaryIndexes=[gsi("gix", ["gk"], ["gs"]), gsi("hix", ["gk"])])
    ddb.create_table(
        TableName=names["hash"], BillingMode="PAY_PER_REQUEST", KeySchema=key_schema(["pk"]),
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in
                              (("pk", "S"), ("gk", "S"), ("gs", "N"))],
        GlobalSecondaryIndexes=[gsi("gix", ["gk"], ["gs"])])
    ddb.create_table(
        TableName=names["multi"], BillingMode="PAY_PER_REQUEST", KeySchema=key_schema(["pk"]),
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in
                              (("pk", "S"), ("t1", "S"), ("t2", "S"), ("r1", "N"), ("r2", "N"))],
        GlobalSecondaryIndexes=[gsi("mix", ["t1", "t2"], ["r1", "r2"])])
    batch_put(ddb, names["range"], [{"pk": S("a"), "sk": S(str(i)), "lk": S("l%d" % i), "gk": S("g"),
                                     "gs": N(str(i))} for i in range(6)])
    batch_put(ddb, names["hash"], [{"pk": S("p%d" % i), "gk": S("g"), "gs": N(str(i))} for i in range(6)])
    batch_put(ddb, names["multi"], [{"pk": S("p%d" % i), "t1": S("x"), "t2": S("y"), "r1": N(str(i % 2)),
                                     "r2": N(str(i))} for i in range(6)])
    yield names
    for name in names.values():
        ddb.delete_table(TableName=name)


def query(ddb, tt, table, esk, index=None, cond="pk = :p", values=None, **extra):
    params = dict(TableName=tt[table], KeyConditionExpression=cond, ExclusiveStartKey=esk,
                  ExpressionAttributeValues=values or {":p": S("a")}, **extra)
    if index:
        params["IndexName"] = index
    return params


# ---------------------------------------------------------------------------------------------
# Query on a table: an extra attribute is "invalid", as dynalite's "range in ExclusiveStartKey is
# invalid" case ({a, b, c} on a range table) and the conformance suite record
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("table, esk, short", [
    ("range", {"pk": S("a"), "sk": S("1"), "x": S("1")}, {"sk": S("1")}),
    ("hash", {"pk": S("a"), "sk": S("1")}, {}),
    ("hash", {"pk": S("a"), "gk": S("g")}, {}),
])
def test_query_table_start_key_with_an_extra_attribute(ddb, tt, table, esk, short):
    expect_error(ddb.query, START_INVALID, **query(ddb, tt, table, esk))
    # short of the partition key keeps its size message
    expect_error(ddb.query, SAME_SIZE, **query(ddb, tt, table, short))


# ---------------------------------------------------------------------------------------------
# Query on an index: exactly the table's key and the index's key attributes
# ---------------------------------------------------------------------------------------------

GSI_G = {"pk": S("a"), "sk": S("1"), "gk": S("g"), "gs": N("1")}


@pytest.mark.parametrize("table, index, esk, message", [
    # one attribute too many or too few: the size
    ("range", "gix", dict(GSI_G, x=S("1")), START_INVALID),
    ("range", "gix", {"pk": S("a"), "sk": S("1"), "gk": S("g")}, START_INVALID),
    ("range", "hix", {"pk": S("a"), "sk": S("1"), "gk": S("g"), "gs": N("1")}, START_INVALID),
    ("hash", "gix", {"pk": S("p1"), "gk": S("g"), "gs": N("1"), "sk": S("1")}, START_INVALID),
    ("range", "lix", {"pk": S("a"), "sk": S("1"), "lk": S("l1"), "gk": S("g")}, START_INVALID),
    # the right size, an index attribute missing or of the wrong type: unprefixed
    ("range", "gix", {"pk": S("a"), "sk": S("1"), "gk": S("g"), "x": N("1")}, START_INVALID),
    ("range", "gix", dict(GSI_G, gs=S("1")), KEY_MISMATCH),
    ("range", "lix", {"pk": S("a"), "sk": S("1"), "lk": N("1")}, KEY_MISMATCH),
])
def test_query_index_start_key_shape(ddb, tt, table, index, esk, message):
    expect_error(ddb.query, message, **query(ddb, tt, table, esk, index, *index_condition(index)))


def index_condition(index):
    return ("pk = :p", {":p": S("a")}) if index == "lix" else ("gk = :g", {":g": S("g")})


@pytest.mark.parametrize("table, index, both_wrong, table_key_wrong", [
    ("range", "gix", dict(GSI_G, sk=N("1"), gs=S("1")), dict(GSI_G, sk=N("1"))),
    ("range", "lix", {"pk": S("a"), "sk": B(b"1"), "lk": N("1")}, {"pk": S("a"), "sk": B(b"1"), "lk": S("l1")}),
    ("hash", "gix", {"x": S("p1"), "gk": S("g"), "gs": B(b"1")}, {"x": S("p1"), "gk": S("g"), "gs": N("1")}),
])
def test_query_index_start_key_types_before_the_table_key(ddb, tt, table, index, both_wrong, table_key_wrong):
    """The index's own key types are checked first, unprefixed (dynalite: "local has incorrect
    schema"); the table's key (missing or of the wrong type) after, prefixed ("range in
    ExclusiveStartKey is invalid, but hash and local are ok")."""
    cond, values = index_condition(index)
    expect_error(ddb.query, KEY_MISMATCH, **query(ddb, tt, table, both_wrong, index, cond, values))
    expect_error(ddb.query, START_MISMATCH, **query(ddb, tt, table, table_key_wrong, index, cond, values))


@pytest.mark.parametrize("index, cond, values, esk, message", [
    # a sort condition is checked before the partition (dynalite: "global hash in
    # ExclusiveStartKey but not matching predicate", then "... but exact match")
    ("gix", "gk = :g AND gs > :n", {":g": S("other"), ":n": N("5")}, GSI_G, PREDICATE),
    ("gix", "gk = :g AND gs > :n", {":g": S("g"), ":n": N("5")}, GSI_G, PREDICATE),
    ("gix", "gk = :g AND gs = :n", {":g": S("other"), ":n": N("1")}, GSI_G, ONE_ROW),
    ("gix", "gk = :g AND gs BETWEEN :n AND :m", {":g": S("g"), ":n": N("2"), ":m": N("3")}, GSI_G, PREDICATE),
    ("lix", "pk = :p AND lk > :l", {":p": S("a"), ":l": S("l5")},
     {"pk": S("a"), "sk": S("1"), "lk": S("l1")}, PREDICATE),
    ("lix", "pk = :p AND begins_with(lk, :l)", {":p": S("a"), ":l": S("m")},
     {"pk": S("a"), "sk": S("1"), "lk": S("l1")}, PREDICATE),
])
def test_query_index_start_key_outside_the_condition(ddb, tt, index, cond, values, esk, message):
    expect_error(ddb.query, message, **query(ddb, tt, "range", esk, index, cond, values))


@pytest.mark.parametrize("index, esk, sort_cond", [
    ("gix", GSI_G, "gs = :n"),
    ("lix", {"pk": S("a"), "sk": S("1"), "lk": S("l1")}, "lk <= :l"),
])
def test_query_index_start_key_in_another_partition(ddb, tt, index, esk, sort_cond):
    """Outside the partition: "outside query boundaries" without a sort condition, "can return at
    most one row" with one the start key meets (dynalite: "... but exact match")."""
    part = "gk = :g" if index == "gix" else "pk = :g"
    values = {":g": S("other"), ":n": N("1"), ":l": S("l1")}
    expect_error(ddb.query, OUTSIDE, **query(ddb, tt, "range", esk, index, part, {":g": S("other")}))
    used = {k: v for k, v in values.items() if k in part + sort_cond}
    expect_error(ddb.query, ONE_ROW, **query(ddb, tt, "range", esk, index, part + " AND " + sort_cond, used))


MULTI = {"pk": S("p1"), "t1": S("x"), "t2": S("y"), "r1": N("1"), "r2": N("1")}


@pytest.mark.parametrize("cond, values, esk, message", [
    ("t1 = :a AND t2 = :b AND r1 = :c", {":a": S("x"), ":b": S("y"), ":c": N("0")}, MULTI, PREDICATE),
    ("t1 = :a AND t2 = :b AND r1 = :c AND r2 > :d", {":a": S("x"), ":b": S("y"), ":c": N("1"), ":d": N("3")},
     MULTI, PREDICATE),
    ("t1 = :a AND t2 = :b AND r1 = :c", {":a": S("x"), ":b": S("z"), ":c": N("1")}, MULTI, ONE_ROW),
    ("t1 = :a AND t2 = :b", {":a": S("x"), ":b": S("y")}, dict(MULTI, x=S("1")), START_INVALID),
    ("t1 = :a AND t2 = :b", {":a": S("x"), ":b": S("y")}, {k: v for k, v in MULTI.items() if k != "r2"},
     START_INVALID),
    ("t1 = :a AND t2 = :b", {":a": S("x"), ":b": S("y")}, dict(MULTI, r2=S("1")), KEY_MISMATCH),
])
def test_query_multi_attribute_gsi_start_key(ddb, tt, cond, values, esk, message):
    expect_error(ddb.query, message, **query(ddb, tt, "multi", esk, "mix", cond, values))


@pytest.mark.parametrize("table, index, cond, values", [
    ("range", "gix", "gk = :g", {":g": S("g")}),
    ("range", "lix", "pk = :p", {":p": S("a")}),
    ("hash", "gix", "gk = :g AND gs > :n", {":g": S("g"), ":n": N("0")}),
    ("multi", "mix", "t1 = :a AND t2 = :b AND r1 = :c", {":a": S("x"), ":b": S("y"), ":c": N("1")}),
])
def test_index_paging_resumes_from_its_own_keys(ddb, tt, table, index, cond, values):
    """A LastEvaluatedKey resumes where it left off; with one attribute more it is refused."""
    params = dict(TableName=tt[table], IndexName=index, KeyConditionExpression=cond,
                  ExpressionAttributeValues=values)
    whole = ddb.query(**params)["Items"]
    pages = all_pages(ddb.query, dict(params, Limit=2))
    assert [it for page in pages for it in page["Items"]] == whole and len(whole) >= 3
    expect_error(ddb.query, START_INVALID, **dict(params, ExclusiveStartKey=dict(pages[0]["LastEvaluatedKey"],
                                                                                 extra=S("1"))))


# ---------------------------------------------------------------------------------------------
# Scan: every shape or type error is "invalid: ... does not match the schema"
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("table, index, esks", [
    # an extra attribute (accepted before), then one missing and one of the wrong type
    ("range", "gix", [dict(GSI_G, x=S("1")), {"pk": S("a"), "sk": S("1"), "gk": S("g")}, dict(GSI_G, gs=S("1"))]),
    ("range", "hix", [{"pk": S("a"), "sk": S("1"), "gk": S("g"), "gs": N("1")}]),
    ("range", "lix", [{"pk": S("a"), "sk": S("1"), "lk": S("l1"), "x": S("1")},
                      {"pk": S("a"), "sk": S("1"), "lk": N("1")}]),
    ("hash", "gix", [{"pk": S("p1"), "gk": S("g"), "gs": N("1"), "sk": S("1")}]),
    ("multi", "mix", [dict(MULTI, x=S("1")), {k: v for k, v in MULTI.items() if k != "t2"}]),
])
def test_scan_start_key_shape(ddb, tt, table, index, esks):
    for esk in esks:
        expect_error(ddb.scan, START_MISMATCH, TableName=tt[table], IndexName=index, ExclusiveStartKey=esk)


@pytest.mark.parametrize("table, index", [("range", "gix"), ("range", "lix"), ("hash", "gix"), ("multi", "mix")])
def test_scan_index_paging_resumes_from_its_own_keys(ddb, tt, table, index):
    whole = ddb.scan(TableName=tt[table], IndexName=index)["Items"]
    pages = all_pages(ddb.scan, dict(TableName=tt[table], IndexName=index, Limit=2))
    assert sorted(str(it) for page in pages for it in page["Items"]) == sorted(map(str, whole)) and len(whole) == 6
    expect_error(ddb.scan, START_MISMATCH, TableName=tt[table], IndexName=index,
                 ExclusiveStartKey=dict(pages[0]["LastEvaluatedKey"], extra=S("1")))


# ---------------------------------------------------------------------------------------------
# Key conditions of a multi-attribute GSI (t1, t2) x (r1, r2): every shape
# ---------------------------------------------------------------------------------------------

KC_VALUES = {":a": S("x"), ":b": S("y"), ":c": N("1"), ":d": N("2"), ":e": S("z")}


KEY_CONDITION_SHAPES = [
    ("t1 = :a", "Query condition missed key schema element: t2"),
    ("r1 = :c", "Query condition missed key schema element: t1"),
    ("x = :e", "Query condition missed key schema element: t1"),
    ("t1 > :a AND t2 = :b", "Query key condition not supported"),
    ("t1 = :a AND begins_with(t2, :b)", "Query key condition not supported"),
    ("t1 = :a AND t2 = :b AND r2 = :c",
     "RANGE key attributes r1 must have equality conditions specified in the query because a condition is "
     "present on key attribute r2"),
    ("t1 = :a AND t2 = :b AND r1 > :c AND r2 = :d",
     "RANGE key attributes r1 must have equality conditions specified in the query because a condition is "
     "present on key attribute r2"),
    ("t1 = :a AND t2 = :b AND r1 = :c AND r1 = :d",
     "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key"),
    # a condition on a non-key attribute: with no sort condition, the first sort attribute is
    # missing (as "pk = :p AND x = :x" on a one-attribute sort key); next to sort conditions, not
    # supported; more conditions than the key's four attributes, the count
    ("t1 = :a AND t2 = :b AND x = :e", "Query condition missed key schema element: r1"),
    ("t1 = :a AND t2 = :b AND r1 = :c AND x = :e", "Query key condition not supported"),
    ("t1 = :a AND t2 = :b AND r1 = :c AND r2 = :d AND x = :e",
     "The number of query conditions (5) exceeds the number of key attributes defined in the schema (4)"),
]


def test_multi_attribute_gsi_key_conditions(ddb, tt):
    """Every shape of key condition, with its message (the sweep: the last three were new)."""
    for cond, message in KEY_CONDITION_SHAPES:
        values = {k: v for k, v in KC_VALUES.items() if k in cond}
        expect_error(ddb.query, message, TableName=tt["multi"], IndexName="mix", KeyConditionExpression=cond,
                     ExpressionAttributeValues=values)


# ---------------------------------------------------------------------------------------------
# Attribute names over 64 KB wherever a name is given: refused as an item's name is (ScyllaDB's
# test_limits.py, run against DynamoDB: 65535 bytes pass, 65536 are refused with a message naming
# "Attribute name"); the text is DynamoDB's for an item (its ErrorFactory), worded for the key of
# ExpressionAttributeNames as its "Empty attribute name for key #n" is
# ---------------------------------------------------------------------------------------------

TOO_LARGE = "Attribute name is too large, must be less than 65536 bytes"
LONG_NAME = "n" * 65536


@pytest.fixture(scope="module")
def names_table(ddb):
    name = unique_name("qsf_names")
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=key_schema(["pk"]),
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    yield name
    ddb.delete_table(TableName=name)


EAN = "ExpressionAttributeNames contains invalid value: " + TOO_LARGE + " for key #n"


@pytest.mark.parametrize("op, params, message", [
    ("get_item", lambda n: dict(Key={"pk": S("ok")}, AttributesToGet=[n]), TOO_LARGE),
    ("query", lambda n: dict(KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [S("ok")]}},
                             AttributesToGet=[n]), TOO_LARGE),
    ("scan", lambda n: dict(AttributesToGet=["a", n]), TOO_LARGE),
    ("get_item", lambda n: dict(Key={"pk": S("ok")}, ProjectionExpression="#n", ExpressionAttributeNames={"#n": n}),
     EAN),
    ("scan", lambda n: dict(FilterExpression="attribute_exists(#n)", ExpressionAttributeNames={"#n": n}), EAN),
    ("update_item", lambda n: dict(Key={"pk": S("ok")}, UpdateExpression="SET #n = :v",
                                   ExpressionAttributeNames={"#n": n}, ExpressionAttributeValues={":v": S("v")}), EAN),
    ("update_item", lambda n: dict(Key={"pk": S("ok")}, UpdateExpression="SET a = :v", ConditionExpression="#n = :v",
                                   ExpressionAttributeNames={"#n": n}, ExpressionAttributeValues={":v": S("v")}), EAN),
    ("update_item", lambda n: dict(Key={"pk": S("ok")}, AttributeUpdates={n: {"Value": S("v"), "Action": "PUT"}}),
     TOO_LARGE),
])
def test_attribute_names_over_64_kb_are_refused(ddb, names_table, op, params, message):
    """65535 bytes work (the name is written first, so every read finds it); 65536 are refused."""
    ddb.put_item(TableName=names_table, Item={"pk": S("ok"), LONG_NAME[:-1]: S("v")})
    getattr(ddb, op)(TableName=names_table, **params(LONG_NAME[:-1]))
    expect_error(getattr(ddb, op), message, TableName=names_table, **params(LONG_NAME))
    assert set(ddb.get_item(TableName=names_table, Key={"pk": S("ok")})["Item"]) <= {"pk", LONG_NAME[:-1], "a"}
