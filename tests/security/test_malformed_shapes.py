"""Shapes no SDK sends, that crashed ddbd with one request (issue 49, findings 1 and 2).

1. A null list member or map value. The spec walker (server/api/validate/validate.c) let `null` through
   where the model has a structure, so the NOT_NULL checks below it never ran and the handler
   dereferenced it: ExecuteTransaction {"TransactStatements":[null]} and BatchExecuteStatement
   {"Statements":[null]} were a SIGSEGV for any client, with or without --auth (even a key allowed
   nothing but GetItem on a missing table). Now the type pass reads a null structure, map, list or
   AttributeValue member as that shape empty, [null] as [{}] (what DynamoDB Local 1.25.1 answers for
   those two operations, TransactGetItems, BatchGetItem and BatchWriteItem alike), and a null
   string, number, boolean or blob member is the member constraint, so no handler meets a null.
2. Depth. A document 128-255 levels deep was read (reader limit 256) and abort()ed the server when
   an answer or a record wrote it back (writer limit 128): through MCP's tools/call, BatchGetItem's
   UnprocessedKeys, ImportTable's TableCreationParameters and an index's Projection. Now there is
   one limit, DDB_JSON_MAX_DEPTH (128, proto/json.h): a deeper document is refused as any body
   ddbd cannot read (SerializationException; JSON-RPC's "Parse error" on /mcp); the writer writes
   any depth; and what an answer or the catalog carries of a request holds only the members the
   model has (server/api/validate/validate_view.c), so an unknown member is dropped, never echoed.

Every case sends its request to a fresh server and then asks it something else: before the fix
the server was gone (SIGSEGV, SIGABRT) and the probe failed.
"""
import json
import os
import shutil
import tempfile

import pytest

from conftest import make_client, raw_request, signed_call, unique_name

LIMIT = 128  # DDB_JSON_MAX_DEPTH
VAL = "com.amazon.coral.validate#ValidationException"
SER = "com.amazon.coral.service#SerializationException"
TABLE = {"BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
         "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}
GETTER = ("AKIDGETTER", "gettersecret")
KEY_FILE = "AKIDGETTER gettersecret 000000000000 name=getter allow=GetItem tables=nothing_here\n"


def nest(levels):
    """A JSON value `levels` containers deep: [[...[1]...]]."""
    v = 1
    for _ in range(levels):
        v = [v]
    return v


def depth(v):
    """How many containers deep a parsed JSON value is."""
    if isinstance(v, dict):
        return 1 + max((depth(x) for x in v.values()), default=0)
    if isinstance(v, list):
        return 1 + max((depth(x) for x in v), default=0)
    return 0


def alive(server, key=None):
    """The server still answers: a signed GetItem on a table that does not exist."""
    body = {"TableName": "nothing_here", "Key": {"pk": {"S": "k"}}}
    if key is None:
        resp = raw_request(server.endpoint, "GetItem", body)
        status, answer = resp.status, resp.json()
    else:
        status, answer = signed_call(server.endpoint, key[0], key[1], "GetItem", body)
    assert server.proc.poll() is None, "ddbd died: %s" % server.stderr_text()[-2000:]
    assert (status, answer["__type"]) == (400, "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException")


def call(server, op, body, key=None):
    """One request, unsigned-key default or signed as `key`: (status, parsed answer)."""
    if key is not None:
        return signed_call(server.endpoint, key[0], key[1], op, body)
    resp = raw_request(server.endpoint, op, body)
    return resp.status, resp.json()


def refused(status, answer, type_, message=None):
    assert status == 400, answer
    assert answer["__type"] == type_, answer
    assert answer.get("message", answer.get("Message")) == message, answer


# ---- 1. null members ----

NULL_STATEMENTS = [
    ("ExecuteTransaction", {"TransactStatements": [None]}, "transactStatements"),
    ("BatchExecuteStatement", {"Statements": [None]}, "statements"),
]


@pytest.mark.parametrize("auth", [False, True], ids=["open", "auth"])
@pytest.mark.parametrize("op,body,member", NULL_STATEMENTS, ids=[c[0] for c in NULL_STATEMENTS])
def test_a_null_statement_is_the_missing_statement(server_factory, tmp_path, auth, op, body, member):
    """[null] is [{}]: "Value null at '<list>.1.member.statement'", the answer ddbd gives [{}]."""
    args = ["--in-memory"]
    if auth:
        (tmp_path / "keys").write_text(KEY_FILE)
        args += ["--auth", str(tmp_path / "keys")]
    server = server_factory(args)
    key = GETTER if auth else None
    status, answer = call(server, op, body, key)
    refused(status, answer, VAL, "1 validation error detected: Value null at '%s.1.member.statement' failed to "
                                 "satisfy constraint: Member must not be null" % member)
    alive(server, key)


NULL_MEMBERS = [
    # a structure, map or AttributeValue member reads as empty
    ("TransactGetItems", {"TransactItems": [None]},
     VAL, "1 validation error detected: Value null at 'transactItems.1.member.get' failed to satisfy constraint: "
          "Member must not be null"),
    ("CreateTable", dict(TABLE, TableName="abc", KeySchema=[None]),
     VAL, "2 validation errors detected: Value null at 'keySchema.1.member.attributeName' failed to satisfy "
          "constraint: Member must not be null; Value null at 'keySchema.1.member.keyType' failed to satisfy "
          "constraint: Member must not be null"),
    ("BatchGetItem", {"RequestItems": {"abc": None}},
     VAL, "1 validation error detected: Value null at 'requestItems.abc.member.keys' failed to satisfy "
          "constraint: Member must not be null"),
    ("GetItem", {"TableName": "abc", "Key": {"pk": None}},
     VAL, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
    # a string member: the member constraint, once for the list or map
    ("Scan", {"TableName": "abc", "AttributesToGet": ["a", None]},
     VAL, "1 validation error detected: Value '[a, null]' at 'attributesToGet' failed to satisfy constraint: "
          "Member must satisfy constraint: [Member must not be null]"),
    ("UntagResource", {"ResourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/abc", "TagKeys": [None]},
     VAL, "1 validation error detected: Value '[null]' at 'tagKeys' failed to satisfy constraint: Member must "
          "satisfy constraint: [Member must not be null]"),
    ("Query", {"TableName": "abc", "KeyConditionExpression": "pk = :v", "ExpressionAttributeNames": {"#a": None},
               "ExpressionAttributeValues": {":v": {"S": "x"}}},
     VAL, "1 validation error detected: Value '{#a=null}' at 'expressionAttributeNames' failed to satisfy "
          "constraint: Map value must satisfy constraint: [Member must not be null]"),
]


@pytest.mark.parametrize("op,body,type_,message", NULL_MEMBERS, ids=[c[0] for c in NULL_MEMBERS])
def test_null_members_of_other_lists_and_maps(server_factory, op, body, type_, message):
    """The same walker answers every list and map of every operation, before any handler (base:
    each handler its own way, or not at all: CreateTable "Some index key attributes are not
    defined", BatchGetItem and Scan went on to the table, UntagResource "The Tag Key provided is
    invalid, Key: null", Query "Value provided in ExpressionAttributeNames unused"). TransactGetItems
    and GetItem keep the answers their handlers gave, whose stand-ins for a null member went."""
    server = server_factory()
    status, answer = call(server, op, body)
    refused(status, answer, type_, message)
    alive(server)


# ---- 2. depth ----

def test_one_depth_limit_for_every_request(server_factory):
    """A body LIMIT deep is read; one level more is not JSON to ddbd (base: read up to 256)."""
    server = server_factory()
    at_limit = {"TableName": "nothing_here", "Key": {"pk": {"S": "k"}}, "Junk": nest(LIMIT - 1)}
    assert depth(at_limit) == LIMIT
    status, answer = call(server, "GetItem", at_limit)
    assert (status, answer["__type"]) == (400, "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException")
    past = dict(at_limit, Junk=nest(LIMIT))
    status, answer = call(server, "GetItem", past)
    assert (status, answer) == (400, {"__type": SER})
    alive(server)


@pytest.fixture
def mcp_server(server_factory, tmp_path):
    (tmp_path / "keys").write_text(KEY_FILE)
    return server_factory(["--in-memory", "--auth", str(tmp_path / "keys"), "--mcp-http"])


def mcp_call(server, arguments):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                       "params": {"name": "get_item", "arguments": arguments}})
    return signed_mcp(server, body)


def signed_mcp(server, body):
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    import http.client
    req = AWSRequest(method="POST", url=server.endpoint + "/mcp", data=body.encode(),
                     headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(*GETTER), "dynamodb", "us-east-1").add_auth(req)
    host, port = server.endpoint.replace("http://", "").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("POST", "/mcp", body=body.encode(), headers=dict(req.headers.items()))
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


def test_mcp_tool_call_with_deep_arguments(mcp_server):
    """Any key: tools/call's arguments were written into the operation's request at any depth
    (abort() at 128). Past the limit the message is JSON-RPC's parse error; at it, the tool runs."""
    args = {"TableName": "nothing_here", "Key": {"pk": {"S": "k"}}}
    status, answer = mcp_call(mcp_server, dict(args, Junk=nest(LIMIT)))
    assert (status, answer) == (400, {"jsonrpc": "2.0", "id": None,
                                      "error": {"code": -32700, "message": "Parse error"}})
    at_limit = dict(args, Junk=nest(LIMIT - 4))  # under message, params, arguments
    status, answer = mcp_call(mcp_server, at_limit)
    assert status == 200 and answer["result"]["isError"] is True
    assert json.loads(answer["result"]["content"][0]["text"])["__type"].endswith("ResourceNotFoundException")
    alive(mcp_server, GETTER)


ITEM = 380 * 1024


def test_batch_get_item_unprocessed_keys_echo_only_known_members(server_factory):
    """UnprocessedKeys echoed each table's entry as sent, an unknown member too, at any depth
    (abort() when the answer passed 128 levels). DynamoDB's model drops an unknown member."""
    server = server_factory()
    c = make_client(server.endpoint)
    table = unique_name("deep")
    c.create_table(TableName=table, **TABLE)
    for i in range(45):  # 16 MB of answer: 43 items of 380 KB, the rest unprocessed
        c.put_item(TableName=table, Item={"pk": {"S": "k%02d" % i}, "p": {"S": "x" * ITEM}})
    keys = [{"pk": {"S": "k%02d" % i}} for i in range(45)]
    body = {"RequestItems": {table: {"Keys": keys, "ConsistentRead": True, "Junk": nest(LIMIT - 3)}}}
    assert depth(body) == LIMIT
    status, answer = call(server, "BatchGetItem", body)
    assert status == 200, answer
    left = answer["UnprocessedKeys"][table]
    assert set(left) == {"Keys", "ConsistentRead"} and left["ConsistentRead"] is True
    assert len(answer["Responses"][table]) + len(left["Keys"]) == 45 and left["Keys"]
    alive(server)


def test_create_and_update_table_keep_only_a_projection_s_known_members(server_factory):
    """An index's Projection was stored and described as sent (abort() past 128 levels, in the
    catalog's record or the answer). The catalog keeps what the model has: ProjectionType."""
    server = server_factory()
    gsi = {"IndexName": "gsi1", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
           "Projection": {"ProjectionType": "ALL", "Junk": nest(LIMIT - 4)}}
    body = dict(TABLE, TableName=unique_name("deep"), GlobalSecondaryIndexes=[gsi])
    assert depth(body) == LIMIT
    status, answer = call(server, "CreateTable", body)
    assert status == 200, answer
    assert [ix["Projection"] for ix in answer["TableDescription"]["GlobalSecondaryIndexes"]] == [
        {"ProjectionType": "ALL"}]
    create = {"IndexName": "gsi2", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
              "Projection": {"ProjectionType": "KEYS_ONLY", "Junk": nest(LIMIT - 5)}}
    update = {"TableName": body["TableName"], "AttributeDefinitions": TABLE["AttributeDefinitions"],
              "GlobalSecondaryIndexUpdates": [{"Create": create}]}
    assert depth(update) == LIMIT
    status, answer = call(server, "UpdateTable", update)
    assert status == 200, answer
    described = call(server, "DescribeTable", {"TableName": body["TableName"]})[1]["Table"]
    assert sorted((ix["IndexName"], ix["Projection"]) for ix in described["GlobalSecondaryIndexes"]) == [
        ("gsi1", {"ProjectionType": "ALL"}), ("gsi2", {"ProjectionType": "KEYS_ONLY"})]
    alive(server)


@pytest.fixture
def export_dir():
    d = tempfile.mkdtemp(prefix="ddbd-deep-import-")
    os.makedirs(os.path.join(d, "bucket", "in"))
    with open(os.path.join(d, "bucket", "in", "data.json"), "w") as f:
        f.write('{"Item":{"pk":{"S":"a"}}}\n')
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_import_table_keeps_only_known_creation_parameters(server_factory, export_dir):
    """TableCreationParameters were copied into the new table's request and echoed in the import's
    description as sent (abort() past 128 levels). Past the limit: SerializationException; at it,
    the unknown member is dropped from the description."""
    server = server_factory(["--in-memory", "--export-dir", export_dir])
    params = dict(TABLE, TableName=unique_name("deep"), Junk=nest(LIMIT - 2))
    body = {"S3BucketSource": {"S3Bucket": "bucket", "S3KeyPrefix": "in/"}, "InputFormat": "DYNAMODB_JSON",
            "TableCreationParameters": params}
    assert depth(body) == LIMIT
    status, answer = call(server, "ImportTable", dict(body, TableCreationParameters=dict(params, Junk=nest(LIMIT))))
    assert (status, answer) == (400, {"__type": SER})
    status, answer = call(server, "ImportTable", body)
    assert status == 200, answer
    echoed = answer["ImportTableDescription"]["TableCreationParameters"]
    assert "Junk" not in echoed and echoed["TableName"] == params["TableName"]
    assert echoed["KeySchema"] == TABLE["KeySchema"]
    alive(server)
