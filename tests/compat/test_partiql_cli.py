"""PartiQL through the AWS CLI v2 against ddbd: execute-statement (INSERT with --parameters, SELECT
by key and as a filtered scan paged with --limit/--next-token, UPDATE ... RETURNING ALL NEW *,
DELETE ... RETURNING ALL OLD *), batch-execute-statement and execute-transaction; their JSON output,
and for errors the exit code 254 and the exact error line on stderr.

The CLI costs about a second a call, so tables are made and checked with boto3 and the CLI runs
only the PartiQL calls (14 in all)."""
import json

import pytest

from conftest import N, S, batch_put, hash_table, unique_name
from helpers import get_item
import test_cli

aws = test_cli.aws  # the module-scoped fixture: `aws dynamodb ARGS --endpoint-url ... --output json`
as_json = test_cli.as_json

DUPLICATE = "Duplicate primary key exists in table"
CANCELLED = "Transaction cancelled, please refer cancellation reasons for specific reasons "


def cli_error(proc, code, operation, message):
    """Asserts the CLI's error line on stderr: the exception's exact name and message."""
    assert proc.stdout == ""
    assert proc.stderr.strip() == "An error occurred (%s) when calling the %s operation: %s" % (
        code, operation, message), proc.stderr


@pytest.fixture(scope="module")
def table(ddb):
    yield from hash_table(ddb, "cli_pq")


@pytest.fixture(scope="module")
def scanned(ddb):
    """A table of its own, so a scan of it returns exactly what the test put there."""
    yield from hash_table(ddb, "cli_pqs")


@pytest.fixture(scope="module")
def ranged(ddb):
    name = unique_name("cli_pqr")
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "N"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                {"AttributeName": "sk", "KeyType": "RANGE"}])
    yield name
    ddb.delete_table(TableName=name)


def test_cli_insert_select_update_delete(aws, ddb, table):
    out = as_json(aws("execute-statement",
                      "--statement", "INSERT INTO \"%s\" VALUE {'pk': ?, 'n': ?, 'gone': 'x'}" % table,
                      "--parameters", '[{"S": "k1"}, {"N": "1.50"}]'))
    assert out == {"Items": []}

    proc = aws("execute-statement",
               "--statement", "INSERT INTO \"%s\" VALUE {'pk': ?, 'n': 2}" % table,
               "--parameters", '[{"S": "k1"}]', expect=254)
    cli_error(proc, "DuplicateItemException", "ExecuteStatement", DUPLICATE)

    out = as_json(aws("execute-statement", "--statement", 'SELECT * FROM "%s" WHERE pk = ?' % table,
                      "--parameters", '[{"S": "k1"}]', "--consistent-read"))
    assert out == {"Items": [{"pk": S("k1"), "n": N("1.5"), "gone": S("x")}]}

    out = as_json(aws("execute-statement",
                      "--statement", "UPDATE \"%s\" SET n = n + ? SET s = 'new' REMOVE gone "
                                     "WHERE pk = 'k1' RETURNING ALL NEW *" % table,
                      "--parameters", '[{"N": "2"}]'))
    updated = {"pk": S("k1"), "n": N("3.5"), "s": S("new")}
    assert out == {"Items": [updated]}
    assert get_item(ddb, table, {"pk": S("k1")}) == updated

    out = as_json(aws("execute-statement",
                      "--statement", "DELETE FROM \"%s\" WHERE pk = 'k1' RETURNING ALL OLD *" % table))
    assert out == {"Items": [updated]}
    assert get_item(ddb, table, {"pk": S("k1")}) is None


def test_cli_filtered_scan_pages_with_limit_and_next_token(aws, ddb, scanned):
    items = [{"pk": S("s%d" % a), "a": N(a)} for a in range(5)]
    batch_put(ddb, scanned, items)
    statement = 'SELECT * FROM "%s" WHERE a >= ?' % scanned
    pages, token = [], None
    while True:
        args = ["execute-statement", "--statement", statement, "--parameters", '[{"N": "1"}]',
                "--limit", "3"]
        if token:
            args += ["--next-token", token]
        pages.append(as_json(aws(*args)))
        token = pages[-1].get("NextToken")
        if token is None or len(pages) > 5:
            break
    assert len(pages) == 2, pages  # 5 items read, 3 a page: the second page is the last
    assert "NextToken" in pages[0]
    got = sorted((it for p in pages for it in p["Items"]), key=lambda it: it["pk"]["S"])
    assert got == items[1:]


def test_cli_update_of_missing_item_fails_the_condition(aws, ddb, table):
    proc = aws("execute-statement", "--statement", "UPDATE \"%s\" SET v = 1 WHERE pk = ?" % table,
               "--parameters", '[{"S": "missing"}]', expect=254)
    cli_error(proc, "ConditionalCheckFailedException", "ExecuteStatement",
              "The conditional request failed")
    assert get_item(ddb, table, {"pk": S("missing")}) is None


def test_cli_statement_validation_errors(aws, table, ranged):
    proc = aws("execute-statement", "--statement", 'SELECT * FROM "%s" WHERE' % table, expect=254)
    cli_error(proc, "ValidationException", "ExecuteStatement",
              "Statement wasn't well formed, can't be processed: Unexpected term")

    proc = aws("execute-statement", "--statement", "UPDATE \"%s\" SET v = 1 WHERE pk = 'p'" % ranged,
               expect=254)
    cli_error(proc, "ValidationException", "ExecuteStatement",
              "Where clause does not contain a mandatory equality on all key attributes")

    proc = aws("execute-statement", "--statement",
               "SELECT * FROM \"%s\" WHERE pk = 'a'" % unique_name("cli_pq_missing"), expect=254)
    cli_error(proc, "ResourceNotFoundException", "ExecuteStatement", "Requested resource not found")


def test_cli_batch_execute_statement(aws, ddb, table, tmp_path):
    batch_put(ddb, table, [{"pk": S("b1"), "v": N(1)}, {"pk": S("b2"), "v": N(2)}])
    statements = tmp_path / "statements.json"
    statements.write_text(json.dumps([
        {"Statement": 'SELECT * FROM "%s" WHERE pk = ?' % table, "Parameters": [S("b1")]},
        {"Statement": 'SELECT * FROM "%s" WHERE v = 2' % table},
        {"Statement": "SELECT v FROM \"%s\" WHERE pk = 'b2'" % table, "ConsistentRead": True},
    ]))
    out = as_json(aws("batch-execute-statement", "--statements", "file://%s" % statements))
    assert out == {"Responses": [
        {"TableName": table, "Item": {"pk": S("b1"), "v": N(1)}},
        {"Error": {"Code": "ValidationError",
                   "Message": "Select statements within BatchExecuteStatement must specify the "
                              "primary key in the where clause."}},
        {"TableName": table, "Item": {"v": N(2)}},
    ]}


def test_cli_execute_transaction(aws, ddb, table):
    ddb.put_item(TableName=table, Item={"pk": S("t2"), "n": N(1)})
    out = as_json(aws("execute-transaction", "--transact-statements", json.dumps([
        {"Statement": "INSERT INTO \"%s\" VALUE {'pk': ?, 'v': 'new'}" % table, "Parameters": [S("t1")]},
        {"Statement": 'UPDATE "%s" SET n = n + 1 WHERE pk = ?' % table, "Parameters": [S("t2")]},
    ])))
    assert out == {"Responses": []}
    assert get_item(ddb, table, {"pk": S("t1")}) == {"pk": S("t1"), "v": S("new")}
    assert get_item(ddb, table, {"pk": S("t2")}) == {"pk": S("t2"), "n": N(2)}

    proc = aws("execute-transaction", "--transact-statements", json.dumps([
        {"Statement": "INSERT INTO \"%s\" VALUE {'pk': 't1', 'v': 'again'}" % table},
        {"Statement": "INSERT INTO \"%s\" VALUE {'pk': 'fresh'}" % table},
    ]), expect=254)
    cli_error(proc, "TransactionCanceledException", "ExecuteTransaction",
              CANCELLED + "[DuplicateItem, None]")
    assert get_item(ddb, table, {"pk": S("t1")}) == {"pk": S("t1"), "v": S("new")}
    assert get_item(ddb, table, {"pk": S("fresh")}) is None
