"""PartiQL against its expression-based twins, table-driven: on the same data each SELECT reads
exactly what the equivalent Query or Scan (KeyConditionExpression, FilterExpression,
ProjectionExpression) reads, each UPDATE writes what UpdateItem with the equivalent
UpdateExpression writes, and each conditional DELETE does what DeleteItem with the equivalent
ConditionExpression does. Shared helpers: partiql_helpers.py.
"""
import json  # noqa: F401

import pytest
from botocore.exceptions import ClientError  # noqa: F401

from conftest import (ANY, B, N, S, all_pages, assert_client_error, body, norm, unique_name)  # noqa: F401
from helpers import make_table
from partiql_helpers import *  # noqa: F401,F403  (h and c are fixtures)

# ---------------------------------------------------------------------------------------------
# Equivalence: PartiQL vs the expression API on the same data
# ---------------------------------------------------------------------------------------------

WORDS = ["alpha", "beta", "gamma", "delta", "alps", "epsilon", "al", "zeta", "eta", "theta"]


def eq_item(p, k):
    """40 items over partitions p0..p3, with numbers, strings, booleans, lists, maps, sets,
    binaries, nulls, an attribute of varying type (v) and one present on a quarter only (opt)."""
    i = p * 10 + k
    item = {
        "pk": S("p%d" % p), "sk": N(k), "gk": S("g%d" % (i % 3)),
        "n": N((i * 7) % 13), "s": S(WORDS[(i * 3) % 10]), "t": {"BOOL": i % 3 == 0},
        "l": {"L": [S("abc"[i % 3]), N(i % 4)] + ([N(3)] if i % 5 == 0 else [])},
        "m": {"M": {"x": N(i % 6), "tag": S("even" if i % 2 == 0 else "odd")}},
        "ss": {"SS": sorted({"s%d" % (i % 4), "common"})},
        "ns": {"NS": sorted({str(i % 5), str(10 + i % 3)})},
        "b": B(bytes([i % 4])),
        "v": [N(i), S(str(i)), {"BOOL": True}][i % 3],
    }
    if i % 4 == 1:
        item["opt"] = S("o%d" % i)
    if i % 7 == 0:
        item["nul"] = {"NULL": True}
    return item


@pytest.fixture(scope="module")
def eq_table(ddb):
    name = make_table(ddb, unique_name("pqeq"), range_key=("sk", "N"), gsi=("gsi", "gk"))
    for p in range(4):
        for k in range(10):
            ddb.put_item(TableName=name, Item=eq_item(p, k))
    yield name
    ddb.delete_table(TableName=name)


def Q(kce, values, filt=None, names=None, proj=None, **kw):
    """A Query twin: KeyConditionExpression, optional FilterExpression/ProjectionExpression."""
    p = {"KeyConditionExpression": kce, "ExpressionAttributeValues": values, **kw}
    if filt:
        p["FilterExpression"] = filt
    if names:
        p["ExpressionAttributeNames"] = names
    if proj:
        p["ProjectionExpression"] = proj
    return ("query", p)


def SC(filt=None, values=None, names=None, proj=None):
    """A Scan twin."""
    p = {}
    if filt:
        p["FilterExpression"] = filt
    if values:
        p["ExpressionAttributeValues"] = values
    if names:
        p["ExpressionAttributeNames"] = names
    if proj:
        p["ProjectionExpression"] = proj
    return ("scan", p)


# (id, PartiQL statement with {t} for the table, parameters, twin)
EQUIV = [
    ("pk-only", "SELECT * FROM {t} WHERE pk = 'p1'", None, Q("pk = :p", {":p": S("p1")})),
    ("sk-gt", "SELECT * FROM {t} WHERE pk = 'p1' AND sk > 4", None,
     Q("pk = :p AND sk > :k", {":p": S("p1"), ":k": N(4)})),
    ("sk-between", "SELECT * FROM {t} WHERE pk = 'p1' AND sk BETWEEN 2 AND 6", None,
     Q("pk = :p AND sk BETWEEN :a AND :b", {":p": S("p1"), ":a": N(2), ":b": N(6)})),
    ("sk-le-reversed-order", "SELECT * FROM {t} WHERE sk <= 3 AND pk = 'p3'", None,
     Q("pk = :p AND sk <= :k", {":p": S("p3"), ":k": N(3)})),
    ("filter-n", "SELECT * FROM {t} WHERE pk = 'p2' AND n > 5", None,
     Q("pk = :p", {":p": S("p2"), ":n": N(5)}, "n > :n")),
    ("begins-with", "SELECT * FROM {t} WHERE pk = 'p2' AND begins_with(s, 'al')", None,
     Q("pk = :p", {":p": S("p2"), ":s": S("al")}, "begins_with(s, :s)")),
    ("contains-set", "SELECT * FROM {t} WHERE pk = 'p0' AND contains(ss, 's1')", None,
     Q("pk = :p", {":p": S("p0"), ":s": S("s1")}, "contains(ss, :s)")),
    ("contains-list", "SELECT * FROM {t} WHERE contains(l, 3)", None,
     SC("contains(l, :v)", {":v": N(3)})),
    ("contains-substring", "SELECT * FROM {t} WHERE contains(s, 'ta')", None,
     SC("contains(s, :v)", {":v": S("ta")})),
    ("contains-ns", "SELECT * FROM {t} WHERE contains(ns, 11)", None,
     SC("contains(ns, :v)", {":v": N(11)})),
    ("exists", "SELECT * FROM {t} WHERE attribute_exists(opt)", None, SC("attribute_exists(opt)")),
    ("not-exists", "SELECT * FROM {t} WHERE attribute_not_exists(opt)", None,
     SC("attribute_not_exists(opt)")),
    ("is-missing", "SELECT * FROM {t} WHERE opt IS MISSING", None, SC("attribute_not_exists(opt)")),
    ("is-not-missing", "SELECT * FROM {t} WHERE opt IS NOT MISSING", None,
     SC("attribute_exists(opt)")),
    ("type-n", "SELECT * FROM {t} WHERE attribute_type(v, 'N')", None,
     SC("attribute_type(v, :ty)", {":ty": S("N")})),
    ("type-null", "SELECT * FROM {t} WHERE attribute_type(nul, 'NULL')", None,
     SC("attribute_type(nul, :ty)", {":ty": S("NULL")})),
    ("size-string", "SELECT * FROM {t} WHERE size(s) > 3", None,
     SC("size(s) > :v", {":v": N(3)})),
    ("size-list", "SELECT * FROM {t} WHERE size(l) = 2", None, SC("size(l) = :v", {":v": N(2)})),
    ("in-numbers", "SELECT * FROM {t} WHERE n IN [1, 2, 3, 5, 8]", None,
     SC("n IN (:a, :b, :c, :d, :e)", {":a": N(1), ":b": N(2), ":c": N(3), ":d": N(5), ":e": N(8)})),
    ("not", "SELECT * FROM {t} WHERE NOT (n > 5)", None, SC("NOT (n > :v)", {":v": N(5)})),
    ("or", "SELECT * FROM {t} WHERE n < 3 OR t = true", None,
     SC("n < :v OR t = :t", {":v": N(3), ":t": {"BOOL": True}})),
    ("ne", "SELECT * FROM {t} WHERE s <> 'alpha'", None, SC("s <> :v", {":v": S("alpha")})),
    ("nested-map", "SELECT * FROM {t} WHERE m.x >= 3 AND m.tag = 'even'", None,
     SC("m.x >= :v AND m.tag = :e", {":v": N(3), ":e": S("even")})),
    ("list-index", "SELECT * FROM {t} WHERE l[0] = 'a' AND l[1] <> 0", None,
     SC("l[0] = :a AND l[1] <> :z", {":a": S("a"), ":z": N(0)})),
    ("string-range", "SELECT * FROM {t} WHERE s BETWEEN 'b' AND 'e'", None,
     SC("s BETWEEN :a AND :b", {":a": S("b"), ":b": S("e")})),
    ("mixed-type-eq", "SELECT * FROM {t} WHERE v = 3", None, SC("v = :v", {":v": N(3)})),
    ("pk-in", "SELECT * FROM {t} WHERE pk IN ['p1', 'p3'] AND sk = 2", None,
     SC("pk IN (:a, :b) AND sk = :k", {":a": S("p1"), ":b": S("p3"), ":k": N(2)})),
    ("sk-only", "SELECT * FROM {t} WHERE sk > 3 AND sk < 7", None,
     SC("sk > :a AND sk < :b", {":a": N(3), ":b": N(7)})),
    ("params", "SELECT * FROM {t} WHERE pk = ? AND n >= ? AND b = ?", [S("p0"), N(8), B(b"\x01")],
     Q("pk = :p", {":p": S("p0"), ":n": N(8), ":b": B(b"\x01")}, "n >= :n AND b = :b")),
    ("project-query", "SELECT pk, sk, n FROM {t} WHERE pk = 'p1'", None,
     Q("pk = :p", {":p": S("p1")}, proj="pk, sk, n")),
    ("project-scan", "SELECT pk, s, m, opt FROM {t} WHERE n > 10", None,
     SC("n > :v", {":v": N(10)}, proj="pk, s, m, opt")),
    ("project-quoted", 'SELECT "pk", "t" FROM {t} WHERE "t" = false AND pk = \'p2\'', None,
     Q("pk = :p", {":p": S("p2"), ":f": {"BOOL": False}}, "#t = :f", names={"#t": "t"},
       proj="pk, #t")),
    ("index", 'SELECT * FROM {t}."gsi" WHERE gk = \'g1\'', None,
     Q("gk = :g", {":g": S("g1")}, IndexName="gsi")),
    ("index-filter", 'SELECT * FROM {t}."gsi" WHERE gk = \'g2\' AND size(ss) = 2', None,
     Q("gk = :g", {":g": S("g2"), ":two": N(2)}, "size(ss) = :two", IndexName="gsi")),
    ("whole-table", "SELECT * FROM {t}", None, SC()),
]


@pytest.mark.parametrize("stmt, params, twin", [e[1:] for e in EQUIV], ids=[e[0] for e in EQUIV])
def test_select_matches_expression_twin(ddb, eq_table, stmt, params, twin):
    got = select_all(ddb, stmt.format(t=q(eq_table)), params)
    op, kw = twin
    pages = all_pages(getattr(ddb, op), dict(kw, TableName=eq_table))
    want = [i for page in pages for i in page["Items"]]
    assert canon(got) == canon(want)
    # The cases are chosen to select something but not everything (except the whole-table one),
    # so an always-true or always-false filter cannot pass unnoticed.
    assert 0 < len(want) <= 40
    if "WHERE" in stmt:
        assert len(want) < 40


def test_select_order_by_desc_matches_reverse_query(ddb, eq_table):
    got = select_all(ddb, "SELECT * FROM %s WHERE pk = 'p2' AND sk < 8 ORDER BY sk DESC"
                     % q(eq_table))
    want = ddb.query(TableName=eq_table, KeyConditionExpression="pk = :p AND sk < :k",
                     ExpressionAttributeValues={":p": S("p2"), ":k": N(8)},
                     ScanIndexForward=False)["Items"]
    assert [norm(i) for i in got] == [norm(i) for i in want]
    assert [i["sk"]["N"] for i in got] == [str(k) for k in range(7, -1, -1)]


BASE = {"n": N(5), "a": S("A"), "b": S("B"), "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]},
        "l": {"L": [N(1), S("two")]}, "m": {"M": {"k": S("v"), "deep": {"M": {"x": N(1)}}}}}

# (id, PartiQL SET/REMOVE clauses, UpdateExpression, ExpressionAttributeValues)
UPDATES = [
    ("set-arith-remove", "SET a = 1, n = n + 1 REMOVE b", "SET a = :one, n = n + :one REMOVE b",
     {":one": N(1)}),
    ("minus", "SET n = n - 7", "SET n = n - :v", {":v": N(7)}),
    ("set-add", "SET ss = set_add(ss, <<'c', 'a'>>)", "ADD ss :v", {":v": {"SS": ["c", "a"]}}),
    ("set-add-ns", "SET ns = set_add(ns, <<3>>)", "ADD ns :v", {":v": {"NS": ["3"]}}),
    ("set-delete", "SET ss = set_delete(ss, <<'a'>>)", "DELETE ss :v", {":v": {"SS": ["a"]}}),
    ("list-append", "SET l = list_append(l, [3, 'x'])", "SET l = list_append(l, :v)",
     {":v": {"L": [N(3), S("x")]}}),
    ("nested", "SET m.k = 'w', m.deep.y = 2, l[0] = 9", "SET m.k = :w, m.deep.y = :two, l[0] = :nine",
     {":w": S("w"), ":two": N(2), ":nine": N(9)}),
    ("remove-nested", "REMOVE l[0], m.deep", "REMOVE l[0], m.deep", None),
    ("new-types", "SET z = null, t = true, mm = {'a': [1, <<'q'>>]}",
     "SET z = :z, t = :t, mm = :mm",
     {":z": {"NULL": True}, ":t": {"BOOL": True},
      ":mm": {"M": {"a": {"L": [N(1), {"SS": ["q"]}]}}}}),
]


@pytest.mark.parametrize("clauses, expr, values", [u[1:] for u in UPDATES], ids=[u[0] for u in UPDATES])
def test_update_matches_update_item(ddb, c, clauses, expr, values):
    p = unique_name("equ")
    k1, k2 = {"pk": S(p), "sk": N(1)}, {"pk": S(p), "sk": N(2)}
    ddb.put_item(TableName=c, Item=dict(BASE, **k1))
    ddb.put_item(TableName=c, Item=dict(BASE, **k2))
    ex(ddb, "UPDATE %s %s WHERE pk = '%s' AND sk = 1" % (q(c), clauses, p))
    kw = {"ExpressionAttributeValues": values} if values else {}
    ddb.update_item(TableName=c, Key=k2, UpdateExpression=expr, **kw)
    a, b = get(ddb, c, k1), get(ddb, c, k2)
    a.pop("sk"), b.pop("sk")
    assert norm(a) == norm(b)
    assert norm(a) != norm(dict(BASE, pk=S(p)))  # the update did something


# (id, PartiQL clauses, UpdateExpression, values, the message both must give)
UPDATE_ERRORS = [
    ("path-into-missing", "SET zz.y = 9", "SET zz.y = :v", {":v": N(9)},
     "The document path provided in the update expression is invalid for update"),
    ("add-to-string", "SET a = a + 1", "SET a = a + :v", {":v": N(1)},
     "An operand in the update expression has an incorrect data type"),
    ("missing-operand", "SET q = nope + 1", "SET q = nope + :v", {":v": N(1)},
     "The provided expression refers to an attribute that does not exist in the item"),
]


@pytest.mark.parametrize("clauses, expr, values, message", [u[1:] for u in UPDATE_ERRORS],
                         ids=[u[0] for u in UPDATE_ERRORS])
def test_update_errors_match_update_item(ddb, c, clauses, expr, values, message):
    p = unique_name("eqe")
    k1, k2 = {"pk": S(p), "sk": N(1)}, {"pk": S(p), "sk": N(2)}
    for k in (k1, k2):
        ddb.put_item(TableName=c, Item=dict(BASE, **k))
    ex_error(ddb, "UPDATE %s %s WHERE pk = '%s' AND sk = 1" % (q(c), clauses, p), VE, message)
    with pytest.raises(ClientError) as excinfo:
        ddb.update_item(TableName=c, Key=k2, UpdateExpression=expr, ExpressionAttributeValues=values)
    assert_client_error(excinfo, VE, message)
    assert norm(get(ddb, c, k1)) == norm(dict(BASE, **k1))


def test_conditional_update_matches_update_item(ddb, c):
    p = unique_name("equ")
    k1, k2 = {"pk": S(p), "sk": N(1)}, {"pk": S(p), "sk": N(2)}
    for k in (k1, k2):
        ddb.put_item(TableName=c, Item=dict(BASE, **k))
    for cond, expr_cond, ok in [("n > 100", "n > :v", False), ("n < 100", "n < :v", True)]:
        outcomes = []
        try:
            ex(ddb, "UPDATE %s SET a = 'new' WHERE pk = '%s' AND sk = 1 AND %s" % (q(c), p, cond))
            outcomes.append("ok")
        except ClientError as e:
            outcomes.append(e.response["Error"]["Code"])
        try:
            ddb.update_item(TableName=c, Key=k2, UpdateExpression="SET a = :a",
                            ConditionExpression=expr_cond,
                            ExpressionAttributeValues={":a": S("new"), ":v": N(100)})
            outcomes.append("ok")
        except ClientError as e:
            outcomes.append(e.response["Error"]["Code"])
        assert outcomes == (["ok"] * 2 if ok else ["ConditionalCheckFailedException"] * 2)
        a, b = get(ddb, c, k1), get(ddb, c, k2)
        a.pop("sk"), b.pop("sk")
        assert norm(a) == norm(b)
        assert a["a"] == (S("new") if ok else S("A"))


@pytest.mark.parametrize("cond, expr_cond, values, deleted", [
    ("n = 5", "n = :v", {":v": N(5)}, True),
    ("n = 6", "n = :v", {":v": N(6)}, False),
    ("attribute_exists(m.deep)", "attribute_exists(m.deep)", None, True),
    ("contains(ss, 'zz')", "contains(ss, :v)", {":v": S("zz")}, False),
    ("l[1] = 'two' AND NOT a = 'B'", "l[1] = :two AND NOT a = :b",
     {":two": S("two"), ":b": S("B")}, True),
])
def test_conditional_delete_matches_delete_item(ddb, c, cond, expr_cond, values, deleted):
    p = unique_name("eqd")
    k1, k2 = {"pk": S(p), "sk": N(1)}, {"pk": S(p), "sk": N(2)}
    for k in (k1, k2):
        ddb.put_item(TableName=c, Item=dict(BASE, **k))
    outcomes = []
    try:
        ex(ddb, "DELETE FROM %s WHERE pk = '%s' AND sk = 1 AND %s" % (q(c), p, cond))
        outcomes.append("ok")
    except ClientError as e:
        outcomes.append(e.response["Error"]["Code"])
    kw = {"ExpressionAttributeValues": values} if values else {}
    try:
        ddb.delete_item(TableName=c, Key=k2, ConditionExpression=expr_cond, **kw)
        outcomes.append("ok")
    except ClientError as e:
        outcomes.append(e.response["Error"]["Code"])
    assert outcomes == (["ok"] * 2 if deleted else ["ConditionalCheckFailedException"] * 2)
    assert (get(ddb, c, k1) is None) == (get(ddb, c, k2) is None) == deleted


def test_conditional_delete_of_a_missing_item_succeeds(ddb, c):
    """ql-reference.delete: "If the DynamoDB table does not have any item with the same primary key
    as that of the item for which the DELETE is issued, SUCCESS is returned with 0 items deleted. If
    the table has an item with same primary key, but the condition in the WHERE clause of the DELETE
    statement evaluates to false, ConditionalCheckFailedException is returned." (found by
    tests/model: ddbd answered ConditionalCheckFailedException for the missing item too)."""
    p = unique_name("eqm")
    stmt = "DELETE FROM %s WHERE pk = '%s' AND sk = 1 AND n = 5" % (q(c), p)
    assert ex(ddb, stmt)["Items"] == []
    got = ddb.batch_execute_statement(Statements=[{"Statement": stmt}])["Responses"]
    assert [r.get("Error") for r in got] == [None]
    ddb.put_item(TableName=c, Item={"pk": S(p), "sk": N(1), "n": N(6)})
    ex_error(ddb, stmt, "ConditionalCheckFailedException", "The conditional request failed")
    assert get(ddb, c, {"pk": S(p), "sk": N(1)}) is not None
