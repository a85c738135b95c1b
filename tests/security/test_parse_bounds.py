"""A known member is built only within the request's own bounds (issue 73, item 1; docs/security.md,
"Connections and request bodies").

A DeleteItem whose ExpressionAttributeValues held one L of 1.3 million numbers (25 KB gzipped)
built 183 MB and held its loop 3.8 s; TransactGetItems of 300,000 Gets 196 MB, BatchGetItem of
700,000 keys 146 MB. Now a list is built to one element past its length constraint, an item, a key
or an AttributeValue to 16 KB of its size (the rest counted as read; one of 400 KB or less is then
built whole), and each case is refused with the words a small request of the same fault gets.
Each test checks the exact answer, that ddbd's peak RSS (VmHWM) grows less than 20 MB beyond the
inflated body itself, and that a GetItem sent on the same single HTTP thread meanwhile is answered.
"""
import gzip
import threading

import pytest

from conftest import make_client, numbers_list, proc_status_kb, raw_request, rss_within
from helpers import make_table

MB = 1 << 20
VALIDATION = "com.amazon.coral.validate#ValidationException"
ITEM_TOO_BIG = (VALIDATION, "Item size has exceeded the maximum allowed size")


def server_with_table(server_factory, args=()):
    server = server_factory(["--in-memory", "--threads", "1"] + list(args))
    ddb = make_client(server.endpoint)
    table = make_table(ddb, prefix="bounds")
    ddb.put_item(TableName=table, Item={"pk": {"S": "k"}, "v": {"N": "7"}})
    return server, table, ddb


def send_with_probe(server, table, ddb, op, body):
    """Sends `body` gzipped as `op` while a GetItem goes to the same loop; the answer, the peak RSS's
    growth beyond the inflated body (MB) and the probe's item."""
    compressed = gzip.compress(body, 9)
    base = proc_status_kb(server.proc.pid, "VmHWM")
    probe = {}

    def get():
        probe["item"] = ddb.get_item(TableName=table, Key={"pk": {"S": "k"}}).get("Item")

    t = threading.Thread(target=get)
    t.start()
    r = raw_request(server.endpoint, op, compressed, headers={"Content-Encoding": "gzip"})
    t.join(60)
    grew = (proc_status_kb(server.proc.pid, "VmHWM") - base) / 1024.0 - len(body) / MB
    return r, grew, probe.get("item")


def check(r, grew, probe_item, expect):
    assert r.status == 400, r.body[:300]
    assert (r.json()["__type"], r.json()["message"]) == expect, r.body[:300]
    assert rss_within(grew, 20), "the peak RSS grew %.0f MB beyond the body" % grew
    assert probe_item == {"pk": {"S": "k"}, "v": {"N": "7"}}


def test_an_expression_value_of_a_million_numbers_is_counted_not_built(server_factory):
    # 25 KB gzipped, 13 MB inflated: it built 1.3 million numbers (183 MB) and was evaluated
    server, table, ddb = server_with_table(server_factory)
    body = ('{"TableName":"%s","Key":{"pk":{"S":"k"}},"ConditionExpression":"a = :v",'
            '"ExpressionAttributeValues":{":v":%s}}' % (table, numbers_list(1300000))).encode()
    assert len(gzip.compress(body, 9)) < 26 * 1024
    check(*send_with_probe(server, table, ddb, "DeleteItem", body), ITEM_TOO_BIG)
    # in a SET, as DynamoDB words an update too large (what the whole value got before)
    body = ('{"TableName":"%s","Key":{"pk":{"S":"k"}},"UpdateExpression":"SET a = :v",'
            '"ExpressionAttributeValues":{":v":%s}}' % (table, numbers_list(1300000))).encode()
    check(*send_with_probe(server, table, ddb, "UpdateItem", body),
          (VALIDATION, "Item size to update has exceeded the maximum allowed size"))
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "k"}})["Item"] == {"pk": {"S": "k"}, "v": {"N": "7"}}
    values_up_to_400_kb_are_built_whole(server, table, ddb)


def test_a_key_or_an_item_over_400_kb_is_refused_as_before(server_factory):
    # a key: what is built of it is refused by the key checks as the whole was
    server, table, ddb = server_with_table(server_factory)
    body = ('{"TableName":"%s","Key":{"pk":{"S":"k"},"x":%s}}' % (table, numbers_list(1300000))).encode()
    check(*send_with_probe(server, table, ddb, "DeleteItem", body),
          (VALIDATION, "The provided key element does not match the schema"))
    body = ('{"TableName":"%s","Key":{"pk":%s}}' % (table, numbers_list(1300000))).encode()
    check(*send_with_probe(server, table, ddb, "GetItem", body),
          (VALIDATION, "The provided key element does not match the schema"))
    body = ('{"TableName":"%s","Key":{"pk":{"S":"%s"}}}' % (table, "k" * (500 * 1024))).encode()
    check(*send_with_probe(server, table, ddb, "GetItem", body), (
        VALIDATION, "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit "
        "of2048 bytes"))  # (sic: DynamoDB's words)
    body = ('{"RequestItems":{"%s":[{"PutRequest":{"Item":{"pk":{"S":"big"},"x":%s}}}]}}'
            % (table, numbers_list(1300000))).encode()
    check(*send_with_probe(server, table, ddb, "BatchWriteItem", body), ITEM_TOO_BIG)


def values_up_to_400_kb_are_built_whole(server, table, ddb):
    # what is counted and not built at first is built from its text at the value's end: a 60,000
    # element list (about 290 KB) in an item and in a condition's value, both taken
    elements = [{"N": str(i)} for i in range(60000)]
    item = {"pk": {"S": "a"}, "l": {"L": elements}, "m": {"M": {"x%d" % i: {"S": "y" * 10} for i in range(2000)}}}
    r = raw_request(server.endpoint, "BatchWriteItem", {"RequestItems": {table: [{"PutRequest": {"Item": item}}]}})
    assert r.status == 200 and r.json() == {"UnprocessedItems": {}}, r.body[:300]
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "a"}})["Item"] == item
    r = raw_request(server.endpoint, "UpdateItem", {
        "TableName": table, "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET c = :c", "ConditionExpression": "l = :v",
        "ExpressionAttributeValues": {":v": {"L": elements}, ":c": {"N": "1"}}})
    assert r.status == 200, r.body[:300]
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "a"}})["Item"]["c"] == {"N": "1"}
    # and a value over the limit whose size is hard to count from its text (numbers of five digits
    # count two bytes each, not four) is built whole and checked as before: the condition fails
    r = raw_request(server.endpoint, "UpdateItem", {
        "TableName": table, "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET c = :c", "ConditionExpression": "l = :v",
        "ExpressionAttributeValues": {":v": {"L": elements * 2}, ":c": {"N": "2"}}})
    assert r.status == 400 and r.json()["__type"].endswith("#ConditionalCheckFailedException"), r.body[:300]


def test_transact_get_items_of_250000_gets_builds_101(server_factory):
    server, table, ddb = server_with_table(server_factory)
    get = '{"Get":{"TableName":"%s","Key":{"pk":{"S":"k"}}}}' % table
    small = raw_request(server.endpoint, "TransactGetItems", '{"TransactItems":[%s]}' % ",".join([get] * 101))
    assert small.status == 400 and small.json()["message"].startswith("1 validation error detected: Value '[")
    assert small.json()["message"].endswith(
        "' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100")
    body = ('{"TransactItems":[%s]}' % ",".join([get] * 250000)).encode()
    # the same answer: the value echoed is what was built, the first 101 (docs/compatibility.md)
    check(*send_with_probe(server, table, ddb, "TransactGetItems", body), (VALIDATION, small.json()["message"]))


def test_batch_get_item_of_700000_keys_builds_101(server_factory):
    server, table, ddb = server_with_table(server_factory)
    body = ('{"RequestItems":{"%s":{"Keys":[%s]}}}' % (table, ",".join(['{"pk":{"S":"k"}}'] * 700000))).encode()
    check(*send_with_probe(server, table, ddb, "BatchGetItem", body), (
        VALIDATION, "1 validation error detected: Value at 'RequestItems.%s.member.Keys' failed to satisfy constraint: "
        "Member must have length less than or equal to 100" % table))
    # and a bounded list's unbuilt rest is still read as JSON: a fault there is the body's
    body = ('{"RequestItems":{"%s":{"Keys":[%s,}}}' % (table, ",".join(['{"pk":{"S":"k"}}'] * 2000))).encode()
    r = raw_request(server.endpoint, "BatchGetItem", body)
    assert r.status == 400 and r.json()["__type"] == "com.amazon.coral.service#SerializationException", r.body[:300]


KEYS = """AKIDADMIN adminsecret
AKIDTEST testsecret name=tester tables=test_*
"""


def test_a_key_with_no_right_on_the_table_is_refused_before_the_body_is_built(server_factory, tmp_path):
    # 1.5 million ExpressionAttributeNames (a map with no bound of its own, 12 MB inflated) sent
    # to a table the key has no right on: its tree was built whole (~120 MB) before AccessDenied
    from helpers import key_client, signed_call
    (tmp_path / "keys").write_text(KEYS)
    server = server_factory(["--in-memory", "--threads", "1", "--auth", str(tmp_path / "keys")])
    admin = key_client(server.endpoint, "AKIDADMIN", "adminsecret")
    admin.create_table(TableName="secret", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                       AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                       BillingMode="PAY_PER_REQUEST")
    admin.put_item(TableName="secret", Item={"pk": {"S": "k"}, "v": {"N": "7"}})
    body = ('{"TableName":"secret","Key":{"pk":{"S":"k"}},"ConditionExpression":"#a = :v",'
            '"ExpressionAttributeValues":{":v":{"N":"1"}},"ExpressionAttributeNames":{%s}}'
            % ",".join(['"#a":"b"'] * 1500000)).encode()
    compressed = gzip.compress(body, 9)
    base = proc_status_kb(server.proc.pid, "VmHWM")
    probe = {}

    def get():
        probe["item"] = admin.get_item(TableName="secret", Key={"pk": {"S": "k"}}).get("Item")

    t = threading.Thread(target=get)
    t.start()
    status, answer = signed_call(server.endpoint, "AKIDTEST", "testsecret", "DeleteItem", compressed,
                                 headers={"Content-Encoding": "gzip"})
    t.join(60)
    grew = (proc_status_kb(server.proc.pid, "VmHWM") - base) / 1024.0 - len(body) / MB
    assert status == 400 and answer == {
        "__type": "com.amazon.coral.service#AccessDeniedException",
        "message": "User: arn:aws:iam::000000000000:user/tester is not authorized to perform: dynamodb:DeleteItem on "
                   "resource: arn:aws:dynamodb:us-east-1:000000000000:table/secret because no identity-based policy "
                   "allows the dynamodb:DeleteItem action"}, answer
    assert rss_within(grew, 20), "the peak RSS grew %.0f MB beyond the body" % grew
    assert probe["item"] == {"pk": {"S": "k"}, "v": {"N": "7"}}
    # the admin's same request is read whole, and answered (the condition fails)
    status, answer = signed_call(server.endpoint, "AKIDADMIN", "adminsecret", "DeleteItem", compressed,
                                 headers={"Content-Encoding": "gzip"})
    assert status == 400 and answer["__type"].endswith("#ConditionalCheckFailedException"), answer


def test_batch_write_item_of_300000_writes_builds_26(server_factory):
    # a table's list of writes has no length constraint of its own (RequestItems' 25 bounds each):
    # it was built whole, 300,000 PutRequests (12 MB inflated) +169 MB, for any caller
    server, table, ddb = server_with_table(server_factory)
    put = '{"PutRequest":{"Item":{"pk":{"S":"k"}}}}'
    small = raw_request(server.endpoint, "BatchWriteItem", '{"RequestItems":{"%s":[%s]}}' % (table, ",".join([put] * 26)))
    assert small.status == 400 and small.json()["message"].endswith(
        "' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have "
        "length less than or equal to 25, Member must have length greater than or equal to 1]"), small.body[:300]
    body = ('{"RequestItems":{"%s":[%s]}}' % (table, ",".join([put] * 300000))).encode()
    # the same answer: the value echoed is what was built, the first 26 (docs/compatibility.md)
    check(*send_with_probe(server, table, ddb, "BatchWriteItem", body), (VALIDATION, small.json()["message"]))

# Every operation whose resources are tables or indexes is read for them alone first (issue 73's
# leftover: batches, Query, Scan and transactions were built whole before AccessDenied). Each body
# below is 11-13 MB inflated, and what a whole parse builds of it (1.5 million names, or 300,000
# write requests, where nothing bounds a table's list as it is read) grew the peak RSS by 100 MB or
# more; the denied key's answer is the one a small request gets.
NAMES = ",".join(['"#a":"pk"'] * 1500000)
KEY = '"Key":{"pk":{"S":"k"}}'
DENIED = [
    ("Query", '{"TableName":"secret","KeyConditionExpression":"#a = :v","ExpressionAttributeValues":{":v":{"S":"k"}},'
              '"ExpressionAttributeNames":{%s}}' % NAMES, "Query", "table/secret", (200, None)),
    ("Scan", '{"TableName":"secret","IndexName":"byv","ProjectionExpression":"#a","ExpressionAttributeNames":{%s}}'
             % NAMES, "Scan", "table/secret/index/byv", (400, "ValidationException")),
    ("BatchGetItem", '{"RequestItems":{"secret":{"Keys":[{"pk":{"S":"k"}}],"ProjectionExpression":"#a",'
                     '"ExpressionAttributeNames":{%s}}}}' % NAMES, "BatchGetItem", "table/secret", (200, None)),
    ("BatchWriteItem", '{"RequestItems":{"test_mine":[{"DeleteRequest":{%s}}],"secret":[%s]}}'
                       % (KEY, ",".join(['{"PutRequest":{"Item":{"pk":{"S":"k"}}}}'] * 300000)),
     "BatchWriteItem", "table/secret", (400, "ValidationException")),
    ("TransactWriteItems", '{"TransactItems":[{"Put":{"TableName":"test_mine","Item":{"pk":{"S":"k"}}}},'
                           '{"ConditionCheck":{"TableName":"secret",%s,"ConditionExpression":"#a = :v",'
                           '"ExpressionAttributeValues":{":v":{"S":"k"}},"ExpressionAttributeNames":{%s}}}]}'
                           % (KEY, NAMES), "ConditionCheckItem", "table/secret",
     (400, "TransactionCanceledException")),
    ("TransactGetItems", '{"TransactItems":[{"Get":{"TableName":"secret",%s,"ProjectionExpression":"#a",'
                         '"ExpressionAttributeNames":{%s}}}]}' % (KEY, NAMES), "GetItem", "table/secret", (200, None)),
]


@pytest.mark.parametrize("op,body,action,resource,admin_gets", DENIED, ids=[d[0] for d in DENIED])
def test_a_denied_batch_query_scan_or_transaction_is_refused_before_the_body_is_built(
        server_factory, tmp_path, op, body, action, resource, admin_gets):
    from helpers import key_client, signed_call
    (tmp_path / "keys").write_text(KEYS)
    server = server_factory(["--in-memory", "--threads", "1", "--auth", str(tmp_path / "keys")])
    admin = key_client(server.endpoint, "AKIDADMIN", "adminsecret")
    for table in ("secret", "test_mine"):
        admin.create_table(TableName=table, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                           AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                           BillingMode="PAY_PER_REQUEST")
    body = body.encode()
    compressed = gzip.compress(body, 9)
    base = proc_status_kb(server.proc.pid, "VmHWM")
    status, answer = signed_call(server.endpoint, "AKIDTEST", "testsecret", op, compressed,
                                 headers={"Content-Encoding": "gzip"})
    grew = (proc_status_kb(server.proc.pid, "VmHWM") - base) / 1024.0 - len(body) / MB
    assert status == 400 and answer == {
        "__type": "com.amazon.coral.service#AccessDeniedException",
        "message": "User: arn:aws:iam::000000000000:user/tester is not authorized to perform: dynamodb:%s on "
                   "resource: arn:aws:dynamodb:us-east-1:000000000000:%s because no identity-based policy "
                   "allows the dynamodb:%s action" % (action, resource, action)}, answer
    assert rss_within(grew, 20), "the peak RSS grew %.0f MB beyond the body" % grew
    # the admin's same request is read whole and gets past the policy (to the missing index, the 300,000
    # requests past 25, the condition on a missing item)
    status, answer = signed_call(server.endpoint, "AKIDADMIN", "adminsecret", op, compressed,
                                 headers={"Content-Encoding": "gzip"})
    assert (status, answer.get("__type", "#").split("#")[1] or None) == admin_gets, answer


@pytest.mark.parametrize("depth,denied", [(60, True), (61, False)], ids=["128-levels", "129-levels"])
def test_a_denied_deep_batch_is_read_for_its_syntax_and_depth_first(server_factory, tmp_path, depth, denied):
    # the read for the tables still reads the whole body as the whole parse does: an item 128
    # levels deep is left unbuilt and the key refused; one level deeper is no JSON to ddbd, and its
    # SerializationException comes first, as it did before the read existed
    from helpers import signed_call
    (tmp_path / "keys").write_text(KEYS)
    server = server_factory(["--in-memory", "--threads", "1", "--auth", str(tmp_path / "keys")])
    nested = '{"M":{"a":' * depth + '{"S":"x"}' + "}}" * depth
    body = ('{"RequestItems":{"secret":[{"PutRequest":{"Item":{"pk":{"S":"k"},"d":%s,"pad":{"S":"%s"}}}}]}}'
            % (nested, "p" * 20000))
    status, answer = signed_call(server.endpoint, "AKIDTEST", "testsecret", "BatchWriteItem", body)
    assert status == 400 and answer == ({
        "__type": "com.amazon.coral.service#AccessDeniedException",
        "message": "User: arn:aws:iam::000000000000:user/tester is not authorized to perform: dynamodb:BatchWriteItem "
                   "on resource: arn:aws:dynamodb:us-east-1:000000000000:table/secret because no identity-based "
                   "policy allows the dynamodb:BatchWriteItem action"} if denied else {
        "__type": "com.amazon.coral.service#SerializationException"}), answer
