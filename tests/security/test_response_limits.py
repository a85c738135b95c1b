"""The answer of a transactional read is bounded at 4 MB, as DynamoDB's (issue 41, item 1).

Before, a 6 KB TransactGetItems naming 25 items of 390 KB was answered with 10 MB (100 such
actions, 40 MB): one client could make ddbd build answers of any size. DynamoDB's API reference:
"DynamoDB rejects the entire TransactGetItems request if ... the aggregate size of the items in
the transaction exceeded 4 MB". The exact answer and its measure are DynamoDB Local 1.25.1's,
probed with items of known sizes (shared/peers `peer start ddblocal`, 2026-11-25):
ValidationException "Payload in response is too large.<n>", where n sums, in action order, 4 bytes
per action (the member name "Item", an item not found included) and each item's size as projected;
the request fails at the first action that takes n past 4 194 304, whose n it quotes. An answer of
exactly 4 MB is given. ExecuteTransaction's reads answer the same.

The other operations' documented limits were checked the same way against DynamoDB Local and
already held on main (their tests are elsewhere): BatchGetItem answers at most 16 MB and returns
the rest in UnprocessedKeys (compat/test_batch.py: 42 of 100 items of 390 KB here and there),
Query, Scan and ExecuteStatement stop a page at the item that reaches 1 MB (compat/test_paging.py;
3 items of 390 KB a page here and there), BatchExecuteStatement has no answer limit (25 reads of
at most 400 KB each, 10 MB, answered whole by DynamoDB Local too), SearchVectors refuses an
answer past 16 MB (ops_vector.c).
"""
import pytest
from botocore.exceptions import ClientError

from conftest import assert_client_error, padded_item

LIMIT = 4 * 1024 * 1024
ITEM_390K = 390 * 1024 + 6  # "pk" + "kNN" and "p" + 390 KB: 399 366 bytes


def key(i):
    return {"pk": {"S": "k%02d" % i}}


def put_items(ddb, table, n, size):
    for i in range(n):
        ddb.put_item(TableName=table, Item=padded_item(key(i), size))


def gets(table, keys, **extra):
    return [{"Get": dict({"TableName": table, "Key": k}, **extra)} for k in keys]


def too_large(n):
    return "Payload in response is too large.%d" % n


def test_transact_get_items_past_4_mb_is_refused(ddb, make_table):
    table = make_table()
    put_items(ddb, table, 25, ITEM_390K)
    # 11 items of 399 366 bytes and 4 bytes each: 4 393 070 > 4 MB; the 11th action ends it
    with pytest.raises(ClientError) as e:
        ddb.transact_get_items(TransactItems=gets(table, [key(i) for i in range(25)]))
    assert_client_error(e, "ValidationException", too_large(11 * (ITEM_390K + 4)))
    assert len(ddb.transact_get_items(TransactItems=gets(table, [key(i) for i in range(10)]))["Responses"]) == 10


def test_items_not_found_count_4_bytes_each(ddb, make_table):
    table = make_table()
    put_items(ddb, table, 11, ITEM_390K)
    keys = [{"pk": {"S": "missing%d" % i}} for i in range(5)] + [key(i) for i in range(11)]
    with pytest.raises(ClientError) as e:
        ddb.transact_get_items(TransactItems=gets(table, keys))
    assert_client_error(e, "ValidationException", too_large(5 * 4 + 11 * (ITEM_390K + 4)))


def test_exactly_4_mb_is_answered_one_byte_more_is_not(ddb, make_table):
    table = make_table()
    # 16 actions of 262 140 + 4 bytes: exactly 4 194 304
    put_items(ddb, table, 16, LIMIT // 16 - 4)
    resp = ddb.transact_get_items(TransactItems=gets(table, [key(i) for i in range(16)]))
    assert all("Item" in r for r in resp["Responses"])
    ddb.put_item(TableName=table, Item=padded_item(key(15), LIMIT // 16 - 3))
    with pytest.raises(ClientError) as e:
        ddb.transact_get_items(TransactItems=gets(table, [key(i) for i in range(16)]))
    assert_client_error(e, "ValidationException", too_large(LIMIT + 1))


def test_the_measure_is_the_projected_item(ddb, make_table):
    table = make_table()
    put_items(ddb, table, 25, ITEM_390K)
    # the key alone: 25 small items are answered
    resp = ddb.transact_get_items(TransactItems=gets(table, [key(i) for i in range(25)], ProjectionExpression="pk"))
    assert [r["Item"] for r in resp["Responses"]] == [key(i) for i in range(25)]
    # the padding alone (390 KB + 1 for its name): still past 4 MB at the 11th
    with pytest.raises(ClientError) as e:
        ddb.transact_get_items(TransactItems=gets(table, [key(i) for i in range(25)], ProjectionExpression="p"))
    assert_client_error(e, "ValidationException", too_large(11 * (390 * 1024 + 1 + 4)))


def test_execute_transaction_reads_past_4_mb_are_refused(ddb, make_table):
    table = make_table()
    put_items(ddb, table, 25, ITEM_390K)
    statements = [{"Statement": "SELECT * FROM \"%s\" WHERE pk = 'k%02d'" % (table, i)} for i in range(25)]
    with pytest.raises(ClientError) as e:
        ddb.execute_transaction(TransactStatements=statements)
    assert_client_error(e, "ValidationException", too_large(11 * (ITEM_390K + 4)))
    assert len(ddb.execute_transaction(TransactStatements=statements[:10])["Responses"]) == 10
