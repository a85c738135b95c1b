"""PartiQL's BatchExecuteStatement and ExecuteTransaction through boto3: per-statement results and
errors of a batch, all-or-nothing transactions with their cancellation reasons, condition checks
(EXISTS), reads, shape rules and ClientRequestToken idempotency. Shared helpers: partiql_helpers.py;
the single statements are test_partiql.py's.
"""
import json  # noqa: F401

import pytest
from botocore.exceptions import ClientError  # noqa: F401

from conftest import (ANY, B, N, S, all_pages, assert_client_error, body, norm, unique_name)  # noqa: F401
from partiql_helpers import *  # noqa: F401,F403  (h and c are fixtures)

# ---------------------------------------------------------------------------------------------
# BatchExecuteStatement
# ---------------------------------------------------------------------------------------------

def st(stmt, params=None):
    d = {"Statement": stmt}
    if params is not None:
        d["Parameters"] = params
    return d


def test_batch_reads(ddb, h, c):
    p = unique_name("br")
    ddb.put_item(TableName=h, Item={"pk": S(p), "n": N(1)})
    ddb.put_item(TableName=c, Item={"pk": S(p), "sk": N(7), "v": S("c")})
    ddb.put_item(TableName=c, Item={"pk": S(p), "sk": N(8), "v": S("d")})
    missing = unique_name("nope")
    resp = body(ddb.batch_execute_statement(Statements=[
        st("SELECT * FROM %s WHERE pk = '%s'" % (q(h), p)),
        st("SELECT * FROM %s WHERE pk = ?" % q(h), [S(p + "absent")]),
        st("SELECT * FROM %s WHERE pk = '%s' AND sk = 7" % (q(c), p)),
        # Not the exact full primary key, or more than the key: refused per slot.
        st("SELECT * FROM %s WHERE pk = '%s'" % (q(c), p)),
        st("SELECT * FROM %s WHERE pk = '%s' AND n = 1" % (q(h), p)),
        st("SELECT * FROM \"%s\" WHERE pk = 'a'" % missing),
        st("SELECT * FROM %s WHERE" % q(h)),
        st("SELECT v FROM %s WHERE sk = 8 AND pk = '%s'" % (q(c), p)),  # (sk 7 again: duplicates)
    ]))
    not_key = {"Code": "ValidationError", "Message": "Select statements within BatchExecuteStatement "
               "must specify the primary key in the where clause."}
    r = resp["Responses"]
    assert len(r) == 8
    assert r[0] == {"TableName": h, "Item": {"pk": S(p), "n": N(1)}}
    assert r[1] == {"TableName": h}
    assert r[2] == {"TableName": c, "Item": {"pk": S(p), "sk": N(7), "v": S("c")}}
    assert r[3]["Error"] == not_key
    assert r[4]["Error"] == not_key
    assert r[5] == {"Error": {"Code": "ResourceNotFound", "Message": "Requested resource not found"}}
    assert r[6]["Error"] == {"Code": "ValidationError", "Message": MALFORMED + "Unexpected term"}
    assert r[7] == {"TableName": c, "Item": {"v": S("d")}}


def test_batch_writes_fail_per_statement(ddb, h):
    p = unique_name("bw")
    ddb.put_item(TableName=h, Item={"pk": S(p + "dup")})
    ddb.put_item(TableName=h, Item={"pk": S(p + "cond"), "n": N(1)})
    ddb.put_item(TableName=h, Item={"pk": S(p + "cond2"), "n": N(1)})
    ddb.put_item(TableName=h, Item={"pk": S(p + "del")})
    resp = body(ddb.batch_execute_statement(Statements=[
        st("INSERT INTO %s VALUE {'pk': '%s'}" % (q(h), p + "dup")),
        st("INSERT INTO %s VALUE {'pk': ?, 'v': ?}" % q(h), [S(p + "new"), N(3)]),
        st("UPDATE %s SET x = 1 WHERE pk = '%s' AND n = 99" % (q(h), p + "cond2")),
        st("DELETE FROM \"%s\" WHERE pk = 'a'" % unique_name("nope")),
        st("DELETE FROM %s WHERE pk = '%s'" % (q(h), p + "del")),
        st("UPDATE %s SET n = n + 1 WHERE pk = '%s'" % (q(h), p + "cond")),
    ]))
    r = resp["Responses"]
    assert len(r) == 6
    assert r[0] == {"TableName": h, "Error": {"Code": "DuplicateItem",
                                              "Message": "Duplicate primary key exists in table"}}
    assert "Error" not in r[1] and r[1].get("TableName") == h
    assert r[2] == {"TableName": h, "Error": {"Code": "ConditionalCheckFailed", "Message": CCF}}
    assert r[3] == {"Error": {"Code": "ResourceNotFound", "Message": "Requested resource not found"}}
    assert "Error" not in r[4]
    assert "Error" not in r[5]
    # The failures did not stop the others.
    assert get(ddb, h, {"pk": S(p + "new")}) == {"pk": S(p + "new"), "v": N(3)}
    assert get(ddb, h, {"pk": S(p + "del")}) is None
    assert get(ddb, h, {"pk": S(p + "cond")}) == {"pk": S(p + "cond"), "n": N(2)}


def test_batch_mixing_reads_and_writes(ddb, h):
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_execute_statement(Statements=[
            st("INSERT INTO %s VALUE {'pk': '%s'}" % (q(h), unique_name("mix"))),
            st("SELECT * FROM %s WHERE pk = 'a'" % q(h))])
    assert_client_error(excinfo, VE, "Read and write requests together in the same batch is not "
                        "supported.")


@pytest.mark.parametrize("kind", ["writes", "reads"])
def test_batch_two_statements_on_one_item_refuse_the_batch(ddb, h, c, kind):
    # DynamoDB runs a batch of statements as BatchWriteItem or BatchGetItem, which refuse a key
    # named twice (DynamoDB Local 1.25 answers the same); nothing of the batch is written. The
    # same key in two tables is two items.
    p = unique_name("dupkey")
    if kind == "writes":
        stmts = [st("INSERT INTO %s VALUE {'pk': '%s', 'n': 1}" % (q(h), p)),
                 st("INSERT INTO %s VALUE {'pk': '%s', 'sk': 1}" % (q(c), p)),
                 st("UPDATE %s SET n = 2 WHERE pk = ?" % q(h), [S(p)])]
    else:
        stmts = [st("SELECT * FROM %s WHERE pk = '%s'" % (q(h), p)),
                 st("SELECT * FROM %s WHERE pk = '%s' AND sk = 1" % (q(c), p)),
                 st("SELECT * FROM %s WHERE pk = ?" % q(h), [S(p)])]
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_execute_statement(Statements=stmts)
    assert_client_error(excinfo, VE, "Provided list of item keys contains duplicates")
    assert "Item" not in ddb.get_item(TableName=h, Key={"pk": S(p)})
    assert "Item" not in ddb.get_item(TableName=c, Key={"pk": S(p), "sk": N(1)})
    # one item in each of two tables is no duplicate
    resp = body(ddb.batch_execute_statement(Statements=stmts[:2]))
    assert len(resp["Responses"]) == 2 and all("Error" not in r for r in resp["Responses"])


def test_batch_parameter_mismatch_is_per_statement(ddb, h):
    resp = body(ddb.batch_execute_statement(Statements=[
        st("SELECT * FROM %s WHERE pk = ?" % q(h)),
        st("SELECT * FROM %s WHERE pk = ?" % q(h), [S(unique_name("none"))])]))
    assert resp["Responses"] == [
        {"Error": {"Code": "ValidationError",
                   "Message": "Number of parameters in request and statement don't match."}},
        {"TableName": h}]


def test_batch_size_limit(ddb, h):
    stmts = [st("SELECT * FROM %s WHERE pk = 'a%d'" % (q(h), i)) for i in range(26)]
    assert len(body(ddb.batch_execute_statement(Statements=stmts[:25]))["Responses"]) == 25
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_execute_statement(Statements=stmts)
    assert_client_error(excinfo, VE, ANY)
    assert "25" in excinfo.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_execute_statement(Statements=[])
    assert_client_error(excinfo, VE, "1 validation error detected: Value '[]' at 'statements' "
                        "failed to satisfy constraint: Member must have length greater than or "
                        "equal to 1")


# ---------------------------------------------------------------------------------------------
# ExecuteTransaction
# ---------------------------------------------------------------------------------------------

def tx_error(ddb, statements, code, message, **kw):
    with pytest.raises(ClientError) as excinfo:
        ddb.execute_transaction(TransactStatements=statements, **kw)
    assert_client_error(excinfo, code, message)
    return excinfo


def cancelled(ddb, statements, codes):
    excinfo = tx_error(ddb, statements, "TransactionCanceledException", CANCELLED % ", ".join(codes))
    reasons = excinfo.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == codes
    for r in reasons:
        assert ("Message" in r) == (r["Code"] != "None"), r
    return reasons


def test_transaction_writes_all_apply(ddb, h, c):
    p = unique_name("tw")
    ddb.put_item(TableName=h, Item={"pk": S(p + "u"), "n": N(1)})
    ddb.put_item(TableName=h, Item={"pk": S(p + "d")})
    resp = body(ddb.execute_transaction(TransactStatements=[
        st("INSERT INTO %s VALUE {'pk': '%s', 'a': 'A'}" % (q(h), p + "i")),
        st("UPDATE %s SET n = n + 1 WHERE pk = ? AND n = 1" % q(h), [S(p + "u")]),
        st("DELETE FROM %s WHERE pk = '%s'" % (q(h), p + "d")),
        st("INSERT INTO %s VALUE {'pk': '%s', 'sk': 1}" % (q(c), p)),
    ]))
    assert resp == {"Responses": []}
    assert get(ddb, h, {"pk": S(p + "i")}) == {"pk": S(p + "i"), "a": S("A")}
    assert get(ddb, h, {"pk": S(p + "u")}) == {"pk": S(p + "u"), "n": N(2)}
    assert get(ddb, h, {"pk": S(p + "d")}) is None
    assert get(ddb, c, {"pk": S(p), "sk": N(1)}) == {"pk": S(p), "sk": N(1)}


def test_transaction_cancellation_reasons_in_order(ddb, h):
    p = unique_name("tc")
    ddb.put_item(TableName=h, Item={"pk": S(p + "dup")})
    ddb.put_item(TableName=h, Item={"pk": S(p + "cond"), "n": N(1)})
    ddb.put_item(TableName=h, Item={"pk": S(p + "del")})
    reasons = cancelled(ddb, [
        st("INSERT INTO %s VALUE {'pk': '%s'}" % (q(h), p + "new")),
        st("INSERT INTO %s VALUE {'pk': '%s', 'x': 1}" % (q(h), p + "dup")),
        st("UPDATE %s SET x = 1 WHERE pk = '%s' AND n = 2" % (q(h), p + "cond")),
        st("DELETE FROM %s WHERE pk = '%s'" % (q(h), p + "del")),
    ], ["None", "DuplicateItem", "ConditionalCheckFailed", "None"])
    assert reasons[1]["Message"] == "Duplicate primary key exists in table"
    assert reasons[2]["Message"] == CCF
    # Nothing applied.
    assert get(ddb, h, {"pk": S(p + "new")}) is None
    assert get(ddb, h, {"pk": S(p + "dup")}) == {"pk": S(p + "dup")}
    assert get(ddb, h, {"pk": S(p + "cond")}) == {"pk": S(p + "cond"), "n": N(1)}
    assert get(ddb, h, {"pk": S(p + "del")}) == {"pk": S(p + "del")}


def test_transaction_missing_table_cancels(ddb, h):
    p = unique_name("tm")
    reasons = cancelled(ddb, [
        st("INSERT INTO %s VALUE {'pk': '%s'}" % (q(h), p)),
        st("UPDATE \"%s\" SET x = 1 WHERE pk = 'a'" % unique_name("nope")),
    ], ["None", "ResourceNotFound"])
    assert reasons[1]["Message"] == "Requested resource not found"
    assert get(ddb, h, {"pk": S(p)}) is None


def test_transaction_reads(ddb, h, c):
    p = unique_name("tr")
    ddb.put_item(TableName=h, Item={"pk": S(p), "n": N(1)})
    ddb.put_item(TableName=c, Item={"pk": S(p), "sk": N(2)})
    resp = body(ddb.execute_transaction(TransactStatements=[
        st("SELECT * FROM %s WHERE pk = '%s'" % (q(h), p)),
        st("SELECT * FROM %s WHERE pk = '%s'" % (q(h), p + "absent")),
        st("SELECT * FROM %s WHERE pk = ? AND sk = ?" % q(c), [S(p), N(2)]),
    ]))
    assert resp == {"Responses": [{"Item": {"pk": S(p), "n": N(1)}}, {},
                                  {"Item": {"pk": S(p), "sk": N(2)}}]}


def test_transaction_read_with_projection(ddb, h):
    p = unique_name("tr")
    ddb.put_item(TableName=h, Item={"pk": S(p), "n": N(1), "m": {"M": {"k": S("v")}}})
    resp = body(ddb.execute_transaction(TransactStatements=[
        st("SELECT n, m.k FROM %s WHERE pk = '%s'" % (q(h), p))]))
    assert resp == {"Responses": [{"Item": {"n": N(1), "k": S("v")}}]}


def test_transaction_size_limits(ddb, h):
    stmt = st("SELECT * FROM %s WHERE pk = 'a'" % q(h))
    tx_error(ddb, [], VE, "1 validation error detected: Value '[]' at 'transactStatements' failed "
             "to satisfy constraint: Member must have length greater than or equal to 1")
    with pytest.raises(ClientError) as excinfo:
        ddb.execute_transaction(TransactStatements=[stmt] * 101)
    assert_client_error(excinfo, VE, ANY)
    assert "100" in excinfo.value.response["Error"]["Message"]


def test_transaction_shape_errors(ddb, h, c):
    p = unique_name("ts")
    tx_error(ddb, [st("SELECT * FROM %s WHERE pk = '%s'" % (q(h), p)),
                   st("INSERT INTO %s VALUE {'pk': '%s'}" % (q(h), p + "i"))], VE,
             "ExecuteTransaction API does not support both read and write operations in the same "
             "request.")
    tx_error(ddb, [st("SELECT * FROM %s WHERE pk = '%s'" % (q(c), p))], VE,
             "Validation failed in TransactStatements[0]: Select statements within "
             "ExecuteTransaction must specify the primary key in the where clause.")
    tx_error(ddb, [st("UPDATE %s SET a = 1 WHERE pk = '%s' RETURNING ALL NEW *" % (q(h), p))], VE,
             "Validation failed in TransactStatements[0]: RETURNING clause is not supported in "
             "ExecuteTransaction.")
    tx_error(ddb, [st("SELECT * FROM %s WHERE" % q(h))], VE,
             "Validation failed in TransactStatements[0]: " + MALFORMED + "Unexpected term")
    tx_error(ddb, [st("INSERT INTO %s VALUE {'pk': '%s'}" % (q(h), p)),
                   st("UPDATE %s SET a = 1 WHERE pk = '%s'" % (q(h), p))], VE,
             "Transaction request cannot include multiple operations on one item")
    assert get(ddb, h, {"pk": S(p)}) is None and get(ddb, h, {"pk": S(p + "i")}) is None


def test_transaction_exists_condition_check(ddb, h):
    p = unique_name("te")
    ddb.put_item(TableName=h, Item={"pk": S(p + "c"), "attr": N(1)})
    ddb.put_item(TableName=h, Item={"pk": S(p + "u"), "n": N(0)})
    check = "EXISTS(SELECT * FROM %s WHERE pk = '%s' AND attr = %%d)" % (q(h), p + "c")
    update = st("UPDATE %s SET n = n + 1 WHERE pk = '%s'" % (q(h), p + "u"))
    # False check: the whole transaction is cancelled.
    cancelled(ddb, [st(check % 2), update], ["ConditionalCheckFailed", "None"])
    assert get(ddb, h, {"pk": S(p + "u")}) == {"pk": S(p + "u"), "n": N(0)}
    # True check: the update applies and the checked item is unchanged.
    assert body(ddb.execute_transaction(TransactStatements=[st(check % 1), update])) == {
        "Responses": []}
    assert get(ddb, h, {"pk": S(p + "u")}) == {"pk": S(p + "u"), "n": N(1)}
    assert get(ddb, h, {"pk": S(p + "c")}) == {"pk": S(p + "c"), "attr": N(1)}


def test_transaction_client_request_token_is_idempotent(ddb, h):
    p = unique_name("tk")
    ddb.put_item(TableName=h, Item={"pk": S(p), "n": N(0)})
    token = unique_name("token")
    stmts = [st("UPDATE %s SET n = n + 1 WHERE pk = '%s'" % (q(h), p))]
    first = body(ddb.execute_transaction(TransactStatements=stmts, ClientRequestToken=token))
    second = body(ddb.execute_transaction(TransactStatements=stmts, ClientRequestToken=token))
    assert first == second == {"Responses": []}
    assert get(ddb, h, {"pk": S(p)}) == {"pk": S(p), "n": N(1)}
    # A new token applies again.
    ddb.execute_transaction(TransactStatements=stmts, ClientRequestToken=token + "b")
    assert get(ddb, h, {"pk": S(p)}) == {"pk": S(p), "n": N(2)}
