"""PartiQL through boto3: ExecuteStatement (INSERT, SELECT, UPDATE, DELETE), BatchExecuteStatement
and ExecuteTransaction, with every error pinned to its exact type and message, and a table-driven
equivalence check that a PartiQL statement reads or writes exactly what its expression-based twin
(Query/Scan with KeyConditionExpression, FilterExpression and ProjectionExpression; UpdateItem;
DeleteItem with ConditionExpression) reads or writes on the same data.

Expectations: the DynamoDB developer guide ("PartiQL - a SQL-compatible query language for Amazon
DynamoDB": the statements, the functions, RETURNING, ORDER BY, batch and transaction rules) and the
wording real DynamoDB gives for each refusal (parser messages "Statement wasn't well formed, can't be
processed: ...", the ORDER BY rules, the batch and transaction shape rules).

Conventions this file relies on:
- a write answers {"Items": []} unless it has a RETURNING clause;
- a SELECT with a pinned partition key is a Query, any other is a Scan; nested paths in a projection
  come back named by their last name plus the indexes after it ("m.k" -> "k", "l[1]" -> "l[1]");
- in a batch, failures are per statement ({"Error": {"Code", "Message"}}, plus "TableName" once the
  statement reached its table) and the other statements still run; in a transaction one failure
  cancels everything, reasons in statement order.
"""
import json
import json  # noqa: F401

import pytest
from botocore.exceptions import ClientError  # noqa: F401

from conftest import (ANY, B, N, S, all_pages, assert_client_error, body, norm, unique_name)  # noqa: F401
from partiql_helpers import *  # noqa: F401,F403  (h and c are fixtures)

# ---------------------------------------------------------------------------------------------
# INSERT
# ---------------------------------------------------------------------------------------------

def test_insert_every_type_and_read_back(ddb, h):
    p = unique_name("ins")
    stmt = ("INSERT INTO %s VALUE {'pk': '%s', 'n': 1, 'l': [1,'x'], 'm': {'k': true}, "
            "'ss': <<'a','b'>>, 'ns': <<1,2>>, 'z': null}" % (q(h), p))
    assert ex(ddb, stmt) == {"Items": []}
    assert norm(get(ddb, h, {"pk": S(p)})) == norm({
        "pk": S(p), "n": N(1), "l": {"L": [N(1), S("x")]}, "m": {"M": {"k": {"BOOL": True}}},
        "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]}, "z": {"NULL": True}})


def test_insert_with_parameters_and_lowercase_keywords(ddb, h):
    p = unique_name("ins")
    assert ex(ddb, "insert into %s value {'pk': ?, 'v': ?}" % q(h),
              [S(p), N(5)]) == {"Items": []}
    assert get(ddb, h, {"pk": S(p)}) == {"pk": S(p), "v": N(5)}


def test_insert_existing_key_is_duplicate_and_leaves_item(ddb, h):
    p = unique_name("ins")
    ddb.put_item(TableName=h, Item={"pk": S(p), "old": S("yes")})
    ex_error(ddb, "INSERT INTO %s VALUE {'pk': '%s', 'new': 1}" % (q(h), p),
             "DuplicateItemException", "Duplicate primary key exists in table")
    # INSERT never overwrites: the old item is untouched.
    assert get(ddb, h, {"pk": S(p)}) == {"pk": S(p), "old": S("yes")}


def test_insert_missing_sort_key(ddb, c):
    p = unique_name("ins")
    ex_error(ddb, "INSERT INTO %s VALUE {'pk': '%s'}" % (q(c), p), VE,
             "One or more parameter values were invalid: Missing the key sk in the item")
    assert ddb.query(TableName=c, KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": S(p)})["Items"] == []


def test_insert_missing_table(ddb):
    ex_error(ddb, "INSERT INTO \"%s\" VALUE {'pk': 'a'}" % unique_name("nope"),
             "ResourceNotFoundException", "Requested resource not found")


def test_insert_literals_are_normalised(ddb, h):
    p = unique_name("ins")
    # Numbers are stored in canonical form; '' inside a string literal is one quote; a string
    # may be empty outside the key.
    ex(ddb, "INSERT INTO %s VALUE {'pk': '%s', 'a': 1.50, 'b': 0.0, 'c': -0, 'd': 1e2, "
            "'e': 'it''s', 'f': ''}" % (q(h), p))
    assert get(ddb, h, {"pk": S(p)}) == {"pk": S(p), "a": N("1.5"), "b": N(0), "c": N(0),
                                         "d": N(100), "e": S("it's"), "f": S("")}


def test_insert_list_and_map_parameters(ddb, h):
    p = unique_name("ins")
    ex(ddb, "INSERT INTO %s VALUE {'pk': ?, 'l': ?, 'm': ?}" % q(h),
       [S(p), {"L": [N(1), S("x")]}, {"M": {"a": {"SS": ["b"]}}}])
    assert get(ddb, h, {"pk": S(p)}) == {"pk": S(p), "l": {"L": [N(1), S("x")]},
                                         "m": {"M": {"a": {"SS": ["b"]}}}}


def test_insert_key_and_size_errors(ddb, h):
    ex_error(ddb, "INSERT INTO %s VALUE {'pk': 1}" % q(h), VE,
             "One or more parameter values were invalid: Type mismatch for key pk expected: S "
             "actual: N")
    ex_error(ddb, "INSERT INTO %s VALUE {'pk': ''}" % q(h), VE,
             "One or more parameter values are not valid. The AttributeValue for a key attribute "
             "cannot contain an empty string value. Key: pk")
    p = unique_name("big")
    ex_error(ddb, "INSERT INTO %s VALUE {'pk': '%s', 'x': ?}" % (q(h), p), VE,
             "Item size has exceeded the maximum allowed size", [S("x" * (400 * 1024))])
    assert get(ddb, h, {"pk": S(p)}) is None


def test_write_consumed_capacity(ddb, h):
    p = unique_name("cap")
    for stmt in ("INSERT INTO %s VALUE {'pk': '%s'}", "UPDATE %s SET a = 1 WHERE pk = '%s'",
                 "DELETE FROM %s WHERE pk = '%s'"):
        resp = ex(ddb, stmt % (q(h), p), ReturnConsumedCapacity="TOTAL")
        assert resp["Items"] == []
        assert resp["ConsumedCapacity"] == {"TableName": h, "CapacityUnits": 1.0}


# ---------------------------------------------------------------------------------------------
# SELECT
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def one_item(ddb, h):
    p = unique_name("sel")
    ex(ddb, "INSERT INTO %s VALUE {'pk': '%s', 'n': 1, 'l': [1,'x'], 'm': {'k': true}, "
            "'ss': <<'a','b'>>, 's': 'hello'}" % (q(h), p))
    return p


def test_select_star_by_key(ddb, h, one_item):
    resp = ex(ddb, "SELECT * FROM %s WHERE pk = '%s'" % (q(h), one_item))
    assert [norm(i) for i in resp["Items"]] == [norm({
        "pk": S(one_item), "n": N(1), "l": {"L": [N(1), S("x")]}, "m": {"M": {"k": {"BOOL": True}}},
        "ss": {"SS": ["a", "b"]}, "s": S("hello")})]
    assert "NextToken" not in resp


def test_select_projection_names_nested_paths_by_last_step(ddb, h, one_item):
    resp = ex(ddb, "SELECT pk, m.k, l[1] FROM %s WHERE pk = '%s'" % (q(h), one_item))
    assert resp["Items"] == [{"pk": S(one_item), "k": {"BOOL": True}, "l[1]": S("x")}]


def test_select_projection_of_deep_paths(ddb, h):
    p = unique_name("sel")
    ex(ddb, "INSERT INTO %s VALUE {'pk': '%s', 'm': {'deep': {'x': 1}, 'arr': [0, 1, [5, 6]]}, "
            "'l': [[1, 2], 3]}" % (q(h), p))
    resp = ex(ddb, "SELECT m.deep.x, m.arr[2], m.arr[2][1], l[0][1] FROM %s WHERE pk = '%s'"
              % (q(h), p))
    assert resp["Items"] == [{"x": N(1), "arr[2]": {"L": [N(5), N(6)]}, "arr[2][1]": N(6),
                              "l[0][1]": N(2)}]


def test_select_quoting(ddb, h, one_item):
    # A table name that is a plain identifier needs no quotes; a double-quoted name in WHERE is
    # an attribute, not a string, so pk = "x" compares pk with the attribute x.
    assert ex(ddb, "SELECT pk FROM %s WHERE \"pk\" = '%s'" % (h, one_item))["Items"] == [
        {"pk": S(one_item)}]
    assert ex(ddb, "SELECT pk FROM %s WHERE pk = \"%s\"" % (q(h), one_item))["Items"] == []


def test_select_no_match_is_empty(ddb, h):
    assert ex(ddb, "SELECT * FROM %s WHERE pk = '%s'" % (q(h), unique_name("none"))) == {"Items": []}


def test_select_with_parameter(ddb, h, one_item):
    resp = ex(ddb, "SELECT pk FROM %s WHERE pk = ? AND n = ?" % q(h), [S(one_item), N(1)])
    assert resp["Items"] == [{"pk": S(one_item)}]


def test_select_scan_and_in_over_partitions(ddb, make_table):
    t = make_table()
    for i in range(4):
        ddb.put_item(TableName=t, Item={"pk": S("p%d" % i), "n": N(i)})
    # No pinned partition key: a scan with a filter.
    assert canon(select_all(ddb, "SELECT * FROM %s WHERE n > 0" % q(t))) == canon(
        [{"pk": S("p%d" % i), "n": N(i)} for i in (1, 2, 3)])
    # IN on the partition key reads exactly those partitions.
    assert canon(select_all(ddb, "SELECT * FROM %s WHERE pk IN ['p0','p2','zz']" % q(t))) == canon(
        [{"pk": S("p0"), "n": N(0)}, {"pk": S("p2"), "n": N(2)}])
    # No WHERE at all: the whole table.
    assert len(select_all(ddb, "SELECT * FROM %s" % q(t))) == 4


def test_select_order_by_sort_key(ddb, c):
    p = unique_name("ord")
    for k in (3, 1, 2):
        ddb.put_item(TableName=c, Item={"pk": S(p), "sk": N(k)})
    stmt = "SELECT sk FROM %s WHERE pk = '%s' ORDER BY sk" % (q(c), p)
    assert ex(ddb, stmt)["Items"] == [{"sk": N(1)}, {"sk": N(2)}, {"sk": N(3)}]
    assert ex(ddb, stmt + " DESC")["Items"] == [{"sk": N(3)}, {"sk": N(2)}, {"sk": N(1)}]
    assert ex(ddb, stmt + " ASC")["Items"] == [{"sk": N(1)}, {"sk": N(2)}, {"sk": N(3)}]
    # Several partitions (IN) may be ordered once the hash key leads the ORDER BY.
    ddb.put_item(TableName=c, Item={"pk": S(p + "b"), "sk": N(2)})
    ddb.put_item(TableName=c, Item={"pk": S(p + "b"), "sk": N(0)})
    got = ex(ddb, "SELECT pk, sk FROM %s WHERE pk IN ['%s', '%s'] ORDER BY pk, sk"
             % (q(c), p + "b", p))["Items"]
    assert [(i["pk"]["S"], i["sk"]["N"]) for i in got] == [
        (p, "1"), (p, "2"), (p, "3"), (p + "b", "0"), (p + "b", "2")]


def test_select_order_by_errors(ddb, h, c):
    ex_error(ddb, "SELECT * FROM %s ORDER BY pk" % q(h), VE,
             "Must have WHERE clause in the statement when using ORDER BY clause.")
    ex_error(ddb, "SELECT * FROM %s WHERE pk = 'a' ORDER BY x" % q(h), VE,
             "Attribute x in ORDER BY clause must be part of the primary key")
    ex_error(ddb, "SELECT * FROM %s WHERE sk > 0 ORDER BY sk" % q(c), VE,
             "Must have at least one non-optional hash key condition in WHERE clause when using "
             "ORDER BY clause.")
    ex_error(ddb, "SELECT * FROM %s WHERE pk IN ['a','b'] ORDER BY sk" % q(c), VE,
             "Must have hash key in ORDER BY clause when more than one hash key condition "
             "specified in WHERE clause.")


def test_select_paging_returns_every_item_once(ddb, c):
    p = unique_name("page")
    for k in range(23):
        ddb.put_item(TableName=c, Item={"pk": S(p), "sk": N(k)})
    seen, token, pages = [], None, 0
    while True:
        kw = {"Limit": 5}
        if token:
            kw["NextToken"] = token
        resp = ex(ddb, "SELECT sk FROM %s WHERE pk = '%s'" % (q(c), p), **kw)
        assert len(resp["Items"]) <= 5
        seen.extend(int(i["sk"]["N"]) for i in resp["Items"])
        pages += 1
        token = resp.get("NextToken")
        if not token:
            break
        assert pages < 50
    assert sorted(seen) == list(range(23)) and len(seen) == 23
    assert pages >= 5


def test_select_scan_paging_returns_every_item_once(ddb, make_table):
    t = make_table()
    for i in range(17):
        ddb.put_item(TableName=t, Item={"pk": S("k%02d" % i), "n": N(i)})
    items = select_all(ddb, "SELECT pk FROM %s" % q(t), Limit=4)
    assert sorted(i["pk"]["S"] for i in items) == ["k%02d" % i for i in range(17)]


def test_select_bad_next_token_and_limit(ddb, h):
    stmt = "SELECT * FROM %s WHERE pk = 'a'" % q(h)
    ex_error(ddb, stmt, VE, "Invalid NextToken", NextToken="garbage")
    ex_error(ddb, stmt, VE, "1 validation error detected: Value '0' at 'limit' failed to satisfy "
             "constraint: Member must have value greater than or equal to 1", Limit=0)


def test_select_from_index(ddb, c):
    g = unique_name("g")
    p = unique_name("idx")
    ddb.put_item(TableName=c, Item={"pk": S(p), "sk": N(1), "gk": S(g), "v": S("one")})
    ddb.put_item(TableName=c, Item={"pk": S(p), "sk": N(2), "gk": S(g), "v": S("two")})
    ddb.put_item(TableName=c, Item={"pk": S(p), "sk": N(3), "gk": S(g + "x")})
    items = select_all(ddb, 'SELECT * FROM %s."gsi" WHERE gk = \'%s\'' % (q(c), g))
    assert canon(items) == canon([
        {"pk": S(p), "sk": N(1), "gk": S(g), "v": S("one")},
        {"pk": S(p), "sk": N(2), "gk": S(g), "v": S("two")}])


def test_select_index_errors(ddb, c):
    ex_error(ddb, 'SELECT * FROM %s."nope" WHERE gk = \'x\'' % q(c), VE,
             "The table does not have the specified index")
    ex_error(ddb, 'SELECT * FROM %s."gsi" WHERE gk = \'x\'' % q(c), VE,
             "Strongly consistent read is not supported on Global Secondary Indexes",
             ConsistentRead=True)


def test_select_keyed_index_read_filters_only_projected_attributes(ddb, make_table):
    # A read of one index partition filters the index's own entries: an attribute a KEYS_ONLY
    # index does not project cannot be filtered on there; a scan of the index just sees it absent.
    t = make_table(
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "gk", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "keys",
                                 "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    ddb.put_item(TableName=t, Item={"pk": S("a"), "gk": S("g"), "np": S("x")})
    ex_error(ddb, "SELECT pk FROM \"%s\".\"keys\" WHERE gk = 'g' AND np = 'x' AND (nq = 1 OR np = 'y')"
             % t, VE, "One or more parameter values were invalid: Secondary index keys does not project one "
             "or more filter attributes: [np, nq]")
    assert select_all(ddb, "SELECT pk FROM \"%s\".\"keys\" WHERE NOT np = 'x'" % t) == [{"pk": S("a")}]
    assert select_all(ddb, "SELECT pk FROM \"%s\".\"keys\" WHERE gk = 'g'" % t) == [{"pk": S("a")}]


def test_select_missing_table(ddb):
    ex_error(ddb, "SELECT * FROM \"%s\" WHERE pk = 'a'" % unique_name("nope"),
             "ResourceNotFoundException", "Requested resource not found")


def test_select_consumed_capacity(ddb, h, one_item):
    resp = ex(ddb, "SELECT * FROM %s WHERE pk = '%s'" % (q(h), one_item),
              ReturnConsumedCapacity="TOTAL")
    cc = resp["ConsumedCapacity"]
    assert cc["TableName"] == h
    assert cc["CapacityUnits"] > 0
    assert "ConsumedCapacity" not in ex(ddb, "SELECT * FROM %s WHERE pk = '%s'" % (q(h), one_item))


@pytest.mark.parametrize("where, expect", [
    ("begins_with(s, 'he')", True),
    ("begins_with(s, 'lo')", False),
    ("contains(s, 'ell')", True),
    ("contains(ss, 'b')", True),
    ("contains(l, 'x')", True),
    ("contains(ss, 'q')", False),
    ("attribute_type(s, 'S')", True),
    ("attribute_type(s, 'N')", False),
    ("size(s) > 1", True),
    ("size(l) = 2", True),
    ("size(ss) > 2", False),
    ("attribute_exists(m.k)", True),
    ("attribute_exists(nope)", False),
    ("attribute_not_exists(nope)", True),
    ("nope IS MISSING", True),
    ("s IS MISSING", False),
    ("s IS NOT MISSING", True),
    ("n BETWEEN 0 AND 1", True),
    ("n BETWEEN 2 AND 3", False),
    ("n IN [0, 1, 2]", True),
    ("NOT n = 1", False),
    ("NOT (n = 2)", True),
    ("(n = 5 OR s = 'hello')", True),
    ("(n = 5 OR s = 'bye')", False),
    ("s <> 'bye'", True),
    ("s <> 'hello'", False),
    ("m.k = true", True),
    ("l[0] = 1", True),
    ("l[0] = '1'", False),
])
def test_select_where_functions_and_operators(ddb, h, one_item, where, expect):
    items = ex(ddb, "SELECT pk FROM %s WHERE pk = '%s' AND %s" % (q(h), one_item, where))["Items"]
    assert items == ([{"pk": S(one_item)}] if expect else [])


# ---------------------------------------------------------------------------------------------
# UPDATE
# ---------------------------------------------------------------------------------------------

def test_update_set_and_remove(ddb, c):
    p = unique_name("up")
    ddb.put_item(TableName=c, Item={"pk": S(p), "sk": N(1), "n": N(5), "b": S("gone")})
    assert ex(ddb, "UPDATE %s SET a = 1, n = n + 1 REMOVE b WHERE pk = '%s' AND sk = 1"
              % (q(c), p)) == {"Items": []}
    assert get(ddb, c, {"pk": S(p), "sk": N(1)}) == {"pk": S(p), "sk": N(1), "a": N(1), "n": N(6)}


def test_update_with_true_and_false_condition(ddb, h):
    p = unique_name("up")
    ddb.put_item(TableName=h, Item={"pk": S(p), "n": N(5)})
    ex(ddb, "UPDATE %s SET x = 'y' WHERE pk = '%s' AND n = 5" % (q(h), p))
    assert get(ddb, h, {"pk": S(p)}) == {"pk": S(p), "n": N(5), "x": S("y")}
    ex_error(ddb, "UPDATE %s SET x = 'z' WHERE pk = '%s' AND n > 5" % (q(h), p),
             "ConditionalCheckFailedException", CCF)
    assert get(ddb, h, {"pk": S(p)}) == {"pk": S(p), "n": N(5), "x": S("y")}


def test_update_missing_item_fails_and_creates_nothing(ddb, h):
    p = unique_name("up")
    # Unlike UpdateItem, a PartiQL UPDATE never upserts.
    ex_error(ddb, "UPDATE %s SET a = 1 WHERE pk = '%s'" % (q(h), p),
             "ConditionalCheckFailedException", CCF)
    assert get(ddb, h, {"pk": S(p)}) is None


def test_update_key_errors(ddb, h, c):
    ex_error(ddb, "UPDATE %s SET a = 1 WHERE pk = 'a'" % q(c), VE,
             "Where clause does not contain a mandatory equality on all key attributes")
    ex_error(ddb, "UPDATE %s SET a = 1 WHERE pk = 'a' AND pk = 'b'" % q(h), VE,
             "Multiple conditions on same key pk. Only single item Update/Insert/Delete are "
             "supported")
    ex_error(ddb, "UPDATE \"%s\" SET a = 1 WHERE pk = 'a'" % unique_name("nope"),
             "ResourceNotFoundException", "Requested resource not found")


def test_update_set_and_list_functions(ddb, h):
    p = unique_name("up")
    ddb.put_item(TableName=h, Item={"pk": S(p), "ss": {"SS": ["a", "b"]}, "l": {"L": [N(1)]}})
    ex(ddb, "UPDATE %s SET ss = set_add(ss, <<'c'>>) WHERE pk = '%s'" % (q(h), p))
    ex(ddb, "UPDATE %s SET ss = set_delete(ss, <<'a'>>) WHERE pk = '%s'" % (q(h), p))
    ex(ddb, "UPDATE %s SET l = list_append(l, [3]) WHERE pk = '%s'" % (q(h), p))
    assert norm(get(ddb, h, {"pk": S(p)})) == norm(
        {"pk": S(p), "ss": {"SS": ["b", "c"]}, "l": {"L": [N(1), N(3)]}})


def test_update_set_add_argument_errors(ddb, h):
    ex_error_prefix(ddb, "UPDATE %s SET t = set_add(ss, <<'x'>>) WHERE pk = 'a'" % q(h),
                    "The first argument to SET_ADD must equal the assignment value at 1:")
    ex_error_prefix(ddb, "UPDATE %s SET ss = set_add(ss, 'x') WHERE pk = 'a'" % q(h),
                    "The second argument to SET_ADD must be a value with type SET at 1:")


def test_update_returning(ddb, h):
    p = unique_name("ret")
    old = {"pk": S(p), "a": N(1), "keep": S("k")}
    ddb.put_item(TableName=h, Item=old)
    base = "UPDATE %s SET a = 2, b = 'new' WHERE pk = '%s' RETURNING " % (q(h), p)
    assert ex(ddb, base + "ALL OLD *")["Items"] == [old]
    ddb.put_item(TableName=h, Item=old)
    assert ex(ddb, base + "ALL NEW *")["Items"] == [
        {"pk": S(p), "a": N(2), "keep": S("k"), "b": S("new")}]
    # MODIFIED: only the attributes the statement wrote (b did not exist before).
    ddb.put_item(TableName=h, Item=old)
    assert ex(ddb, base + "MODIFIED OLD *")["Items"] == [{"a": N(1)}]
    ddb.put_item(TableName=h, Item=old)
    assert ex(ddb, base + "MODIFIED NEW *")["Items"] == [{"a": N(2), "b": S("new")}]


def test_update_modified_images_with_remove(ddb, h):
    p = unique_name("ret")
    ddb.put_item(TableName=h, Item={"pk": S(p), "a": N(1), "keep": S("k"), "other": S("o")})
    # A removed attribute is part of MODIFIED OLD, and absent from MODIFIED NEW.
    assert ex(ddb, "UPDATE %s SET a = 2 REMOVE keep WHERE pk = '%s' RETURNING MODIFIED OLD *"
              % (q(h), p))["Items"] == [{"a": N(1), "keep": S("k")}]
    assert ex(ddb, "UPDATE %s SET a = 3 REMOVE other WHERE pk = '%s' RETURNING MODIFIED NEW *"
              % (q(h), p))["Items"] == [{"a": N(3)}]


def test_update_with_parameters(ddb, h):
    p = unique_name("up")
    ddb.put_item(TableName=h, Item={"pk": S(p), "l": {"L": [N(1)]}})
    ex(ddb, "UPDATE %s SET a = ?, b = l[0] + ? WHERE pk = ?" % q(h), [S("v"), N(2), S(p)])
    assert get(ddb, h, {"pk": S(p)}) == {"pk": S(p), "l": {"L": [N(1)]}, "a": S("v"), "b": N(3)}


def test_update_key_attribute_refused(ddb, h):
    p = unique_name("up")
    ddb.put_item(TableName=h, Item={"pk": S(p)})
    ex_error(ddb, "UPDATE %s SET pk = 'x' WHERE pk = '%s'" % (q(h), p), VE,
             "One or more parameter values were invalid: Cannot update attribute pk. This "
             "attribute is part of the key")


def test_update_from_first_form(ddb, h):
    p = unique_name("up")
    ddb.put_item(TableName=h, Item={"pk": S(p)})
    assert ex(ddb, "FROM %s WHERE pk = '%s' SET c = 1" % (q(h), p)) == {"Items": []}
    assert get(ddb, h, {"pk": S(p)}) == {"pk": S(p), "c": N(1)}


# ---------------------------------------------------------------------------------------------
# DELETE
# ---------------------------------------------------------------------------------------------

def test_delete_existing_and_missing(ddb, h):
    p = unique_name("del")
    ddb.put_item(TableName=h, Item={"pk": S(p)})
    assert ex(ddb, "DELETE FROM %s WHERE pk = '%s'" % (q(h), p)) == {"Items": []}
    assert get(ddb, h, {"pk": S(p)}) is None
    # Deleting what is not there is not an error.
    assert ex(ddb, "DELETE FROM %s WHERE pk = '%s'" % (q(h), p)) == {"Items": []}


def test_delete_false_condition(ddb, h):
    p = unique_name("del")
    ddb.put_item(TableName=h, Item={"pk": S(p), "n": N(1)})
    ex_error(ddb, "DELETE FROM %s WHERE pk = '%s' AND n = 2" % (q(h), p),
             "ConditionalCheckFailedException", CCF)
    assert get(ddb, h, {"pk": S(p)}) == {"pk": S(p), "n": N(1)}


def test_delete_returning(ddb, h):
    p = unique_name("del")
    ddb.put_item(TableName=h, Item={"pk": S(p), "n": N(1)})
    assert ex(ddb, "DELETE FROM %s WHERE pk = '%s' RETURNING ALL OLD *" % (q(h), p)) == {
        "Items": [{"pk": S(p), "n": N(1)}]}
    assert get(ddb, h, {"pk": S(p)}) is None
    ex_error(ddb, "DELETE FROM %s WHERE pk = '%s' RETURNING ALL NEW *" % (q(h), p), VE,
             "Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed "
             "in DELETE statements.")


# ---------------------------------------------------------------------------------------------
# Statement errors
# ---------------------------------------------------------------------------------------------

SYNTAX = [
    ("SELECT * FROM {t} WHERE", "Unexpected term"),
    ("SELECT * FROM {t} WHERE pk = 'a' AND", "Missing right-hand side expression of infix operator"),
    ("SELECT * FROM {t} WHERE pk = 'a' foo", "Unexpected token after expression"),
    ("SLECT * FROM {t}", "Expected data manipulation"),
    ("SELECT * FROM {t} WHERE ORDER BY pk", "Unexpected keyword"),
    ("SELECT * FROM {t} WHERE pk = 'a' AND x IS FOO", "Expected type name"),
    ("DELETE FROM", "Expected identifier for simple path"),
    # An unterminated comment or string: the detail is empty.
    ("SELECT * FROM {t} /* never closed", ""),
    ("SELECT * FROM {t} WHERE pk = 'never closed", ""),
]


@pytest.mark.parametrize("stmt, detail", SYNTAX, ids=[s[0] for s in SYNTAX])
def test_syntax_errors(ddb, h, stmt, detail):
    ex_error(ddb, stmt.format(t=q(h)), VE, MALFORMED + detail)


SEMANTIC = [
    ("SELECT * FROM {t} t WHERE pk = 'a'", None, "Aliasing is not supported"),
    ("SELECT * FROM {t} WHERE pk = ?", None, "Number of parameters in request and statement don't match."),
    ("SELECT * FROM {t} WHERE pk = ?", [S("a"), S("b")],
     "Number of parameters in request and statement don't match."),
    ("SELECT * FROM {t} WHERE pk = 'a'", [S("a")],
     "Number of parameters in request and statement don't match."),
    ("SELECT * FROM {t} WHERE pk = 1e126", None,
     "Number overflow. Attempting to store a number with magnitude larger than supported range "
     "under root"),
    ("SELECT * FROM {t} WHERE attribute_exists('x')", None,
     "Operator or function requires a document path; operator or function: attribute_exists"),
    ("SELECT * FROM {t} WHERE n < ?", [{"BOOL": True}],
     "Incorrect operand type for operator or function; operator or function: <, operand type: BOOL"),
    ("SELECT * FROM {t} WHERE pk IN [%s]" % ",".join("'%d'" % i for i in range(101)), None,
     "The IN operator is provided with too many operands; number of operands: 101"),
]


@pytest.mark.parametrize("stmt, params, message", SEMANTIC,
                         ids=["alias", "params-none", "params-extra", "params-unused", "overflow",
                              "exists-literal", "bool-operand", "in-101"])
def test_statement_errors(ddb, h, stmt, params, message):
    ex_error(ddb, stmt.format(t=q(h)), VE, message, params)


def test_in_with_100_operands_is_fine(ddb, h, one_item):
    # On a non-key attribute, so the limit on partitions one statement may read stays out of it.
    stmt = "SELECT pk FROM %s WHERE pk = '%s' AND s IN [%s]" % (
        q(h), one_item, ",".join(["'hello'"] + ["'none%d'" % i for i in range(99)]))
    assert select_all(ddb, stmt) == [{"pk": S(one_item)}]


def test_unknown_function(ddb, h):
    ex_error_prefix(ddb, "SELECT * FROM %s WHERE foo(x)" % q(h), "Unrecognized function: foo at 1:")


@pytest.mark.parametrize("kind", ["parentheses", "not", "calls", "set", "list_append"])
def test_statement_nesting_is_bounded(ddb, h, kind):
    """A statement nesting conditions thousands deep once ran the parser out of stack (found by
    fuzz_partiql; tests/fuzz/regressions/fuzz_partiql); 256 levels are allowed, more refused."""
    deep = {
        "parentheses": "SELECT * FROM %s WHERE " % h + "(" * 4000 + "pk = 'a'" + ")" * 4000,
        "not": "SELECT * FROM %s WHERE " % h + "NOT " * 1900 + "pk = 'a'",
        "calls": "SELECT * FROM %s WHERE " % h + "size(" * 1300 + "pk" + ")" * 1300 + " > 1",
        "set": "UPDATE %s SET a = " % h + "(" * 4000 + "1" + ")" * 4000 + " WHERE pk = 'a'",
        "list_append": "UPDATE %s SET a = " % h + "list_append(" * 600 + "a" + ", b)" * 600 + " WHERE pk = 'a'",
    }[kind]
    with pytest.raises(ddb.exceptions.ClientError) as e:
        ddb.execute_statement(Statement=deep[:8192])
    assert_client_error(e, "ValidationException", "Statement wasn't well formed, can't be processed: Nesting Levels "
                        "have exceeded supported limits")
    shallow = "SELECT * FROM %s WHERE " % h + "(" * 200 + "pk = 'a'" + ")" * 200
    assert ddb.execute_statement(Statement=shallow)["Items"] == []
